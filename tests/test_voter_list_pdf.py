"""The published voter list PDF: what is on the paper, what is refused, and how it pages.

The PDF is checked the way a reader sees it: text extracted with pypdf, and page 1 rendered
to PNG with poppler's pdftoppm (never a CID-font rendering, which would pass while blank).
"""

from __future__ import annotations

import gettext
import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

import juwei.i18n as i18n
from juwei.ballots import voter_list
from juwei.ballots.fonts import (
    BUNDLED_FONT,
    FontChoice,
    FontError,
    MissingGlyphError,
    resolve_font,
)
from juwei.ballots.voter_list import render_voter_list
from juwei.elections.readmodels import VoterListGroup, VoterListing, VoterListRow
from tests.conftest import examples
from tests.pdfcheck import dark_pixels, render_png

ROOT = Path(__file__).resolve().parent.parent
ZENHEI = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")

# --- helpers -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_current", gettext.NullTranslations())
    monkeypatch.setattr(i18n, "_current_lang", "en")


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    i18n.set_language("zh_CN")


@pytest.fixture
def font() -> FontChoice:
    """The bundled WenQuanYi Micro Hei: the same on every machine."""
    return resolve_font(str(BUNDLED_FONT))


def full_id(serial: int) -> str:
    """A fake 18-character ID number (checksum not needed here)."""
    return f"110105{19500101 + serial:08d}{serial % 1000:03d}X"[:18]


def voter(name: str, serial: int, *, sex: str = "F", registration: str = "hukou") -> VoterListRow:
    return VoterListRow(
        name=name,
        sex=sex,
        age=18 + serial % 80,
        registration=registration,
    )


def listing(*groups: tuple[str, list[VoterListRow]]) -> VoterListing:
    return VoterListing(
        community="钱牌社区",
        as_of=date(2025, 6, 1),
        printed_on=date(2025, 5, 10),
        groups=tuple(VoterListGroup(group=g, rows=tuple(rows)) for g, rows in groups),
    )


NAMES = [
    "王喆",
    "张堃",
    "李龑",
    "赵犇",
    "阿卜杜热合曼·买买提艾力·司马义",
    "Anna-Maria Schmidt-Wang",
]


@pytest.fixture
def small() -> VoterListing:
    first = [voter(n, i, sex="MF"[i % 2]) for i, n in enumerate(NAMES, start=1)]
    second = [voter("钱七", 7, registration="residence"), voter("孙八", 8, registration="work")]
    return listing(("第一居民小组", first), ("第二居民小组", second), ("第三居民小组", []))


def big(count: int, groups: int = 3) -> VoterListing:
    per = count // groups
    return listing(
        *(
            (f"第{g + 1}组", [voter(f"陈{g}{i:04d}", g * per + i) for i in range(per)])
            for g in range(groups)
        )
    )


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


# --- what is on the paper ----------------------------------------------------------------------


def test_small_list_text(tmp_path: Path, font: FontChoice, small: VoterListing) -> None:
    out = tmp_path / "voters.pdf"
    assert render_voter_list(small, out, font) == 1
    (text,) = page_texts(out)
    for label in ("Voter list", "Community: 钱牌社区", "Ages as of 2025-06-01"):
        assert label in text
    for label in ("No.", "Name", "Sex", "Age", "Registration"):
        assert label in text
    assert "ID number" not in text and "Household" not in text  # public paper (issue 11)
    assert "Residents' group: 第一居民小组" in text
    assert "Residents' group: 第二居民小组" in text
    assert "Residents' group: 第三居民小组" in text  # a group without voters still shows
    assert "Voters: 6" in text and "Voters: 2" in text and "Voters: 0" in text
    flat = re.sub(r"\s+", "", text)
    for row in (r for g in small.groups for r in g.rows):
        assert re.sub(r"\s+", "", row.name) in flat  # long names wrap onto two lines
    assert "lives here" in text and "works here" in text and "hukou" in text
    assert "Total voters: 8" in text
    assert "Page 1 of 1" in text and "Printed on 2025-05-10" in text


def test_no_id_number_is_printed(tmp_path: Path, font: FontChoice, small: VoterListing) -> None:
    out = tmp_path / "voters.pdf"
    render_voter_list(small, out, font)
    text = "".join(page_texts(out))
    assert not re.search(r"\d{17}[\dX]", text)
    assert "*" not in text  # not even a masked one: public paper carries no ID number


def test_an_id_number_in_a_name_is_refused_and_nothing_written(
    tmp_path: Path, font: FontChoice
) -> None:
    leak = VoterListRow(name="王五" + full_id(5), sex="M", age=45, registration="hukou")
    out = tmp_path / "voters.pdf"
    with pytest.raises(ValueError, match="holds an ID number"):
        render_voter_list(listing(("一组", [leak])), out, font)
    assert list(tmp_path.iterdir()) == []


def test_chinese_labels(
    tmp_path: Path, font: FontChoice, small: VoterListing, chinese: None
) -> None:
    out = tmp_path / "voters.pdf"
    render_voter_list(small, out, font)
    (text,) = page_texts(out)
    for label in (
        "选民名单",
        "社区：钱牌社区",
        "年龄计算日期：2025年6月1日",
        "打印日期：2025年5月10日",
    ):
        assert label in text
    for label in ("序号", "姓名", "性别", "年龄", "登记类别"):
        assert label in text
    assert "居民小组：第一居民小组" in text and "选民 6 人" in text
    assert "户籍" in text and "居住" in text and "工作" in text
    assert "男" in text and "女" in text
    assert "选民合计：8 人" in text
    assert "第 1 页 共 1 页" in text


def test_fonts_are_embedded_truetype(tmp_path: Path, font: FontChoice, small: VoterListing) -> None:
    out = tmp_path / "voters.pdf"
    render_voter_list(small, out, font)
    reader = PdfReader(out)
    fonts: Any = reader.pages[0]["/Resources"]["/Font"]  # type: ignore[index]
    assert fonts
    for ref in fonts.values():
        font_dict = ref.get_object()
        assert font_dict["/Subtype"] == "/TrueType", font_dict["/BaseFont"]
        assert "/FontFile2" in font_dict["/FontDescriptor"], font_dict["/BaseFont"]
    assert b"STSong" not in out.read_bytes()


def test_output_is_deterministic(tmp_path: Path, font: FontChoice, small: VoterListing) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_voter_list(small, a, font)
    render_voter_list(small, b, font)
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_empty_listing_prints_one_page(tmp_path: Path, font: FontChoice) -> None:
    out = tmp_path / "voters.pdf"
    assert render_voter_list(listing(), out, font) == 1
    (text,) = page_texts(out)
    assert "Voter list" in text and "Total voters: 0" in text and "Page 1 of 1" in text


# --- rendering to pixels -------------------------------------------------------------------------


def test_page_one_is_not_blank(tmp_path: Path, font: FontChoice, small: VoterListing) -> None:
    out = tmp_path / "voters.pdf"
    render_voter_list(small, out, font)
    image = render_png(out, tmp_path / "page1", dpi=50)
    assert image.size in {(413, 585), (414, 585)}  # A4 at 50 dpi
    assert dark_pixels(image) > 2_000
    # The title band (top 12 %) has ink: the heading is drawn, not only the grid.
    title = image.crop((0, 0, image.width, int(image.height * 0.12)))
    assert dark_pixels(title) > 100


def test_chinese_glyphs_are_drawn(tmp_path: Path, font: FontChoice, chinese: None) -> None:
    """A page of names only has far more ink than the same page with empty names."""
    names = listing(("一组", [voter("龘龘龘龘龘龘", i) for i in range(30)]))
    blank = listing(("一组", [voter("", i) for i in range(30)]))
    render_voter_list(names, tmp_path / "names.pdf", font)
    render_voter_list(blank, tmp_path / "blank.pdf", font)
    with_names = dark_pixels(render_png(tmp_path / "names.pdf", tmp_path / "n", dpi=72))
    without = dark_pixels(render_png(tmp_path / "blank.pdf", tmp_path / "b", dpi=72))
    assert with_names > without + 30 * 6 * 20


# --- refusing what cannot be printed -------------------------------------------------------------


def test_missing_glyph_is_refused_and_nothing_written(tmp_path: Path, font: FontChoice) -> None:
    rows = [voter("王喆", 1), voter("刘䶮", 2), voter("张三", 3)]
    out = tmp_path / "voters.pdf"
    out.write_bytes(b"the list printed yesterday")
    with pytest.raises(MissingGlyphError) as info:
        render_voter_list(listing(("第一居民小组", rows)), out, font)
    message = str(info.value)
    assert info.value.chars == ("䶮",)
    assert "䶮 (U+4DAE)" in message
    assert "voter no. 2 刘䶮" in message
    assert "第一居民小组" in message
    assert out.read_bytes() == b"the list printed yesterday"  # untouched
    assert [p.name for p in tmp_path.iterdir()] == ["voters.pdf"]  # no temp file left


def test_missing_glyphs_everywhere_are_all_named(tmp_path: Path, font: FontChoice) -> None:
    rows = [voter("刘䶮", 1), voter("王𠀀", 2)]
    bad = VoterListing(
        community="䶮社区",
        as_of=date(2025, 6, 1),
        printed_on=date(2025, 5, 10),
        groups=(VoterListGroup(group="㛃组", rows=tuple(rows)),),
    )
    with pytest.raises(MissingGlyphError) as info:
        render_voter_list(bad, tmp_path / "voters.pdf", font)
    places = [what for _char, what in info.value.problems]
    assert places[0] == "the community name"
    assert places[1] == "the name of residents' group 㛃组"
    assert "U+20000" in str(info.value)
    assert info.value.chars == ("䶮", "㛃", "𠀀")
    assert list(tmp_path.iterdir()) == []


def test_missing_glyph_message_in_chinese(tmp_path: Path, font: FontChoice, chinese: None) -> None:
    with pytest.raises(MissingGlyphError) as info:
        render_voter_list(listing(("一组", [voter("刘䶮", 1)])), tmp_path / "v.pdf", font)
    assert str(info.value).startswith("无法打印第 1 号选民 刘䶮（一组）")
    assert "的姓名中的“䶮”（U+4DAE）" in str(info.value)


@pytest.mark.skipif(not ZENHEI.is_file(), reason="fonts-wqy-zenhei not installed")
def test_extension_a_name_prints_with_zenhei(tmp_path: Path) -> None:
    zenhei = resolve_font(f"{ZENHEI}#0")
    out = tmp_path / "voters.pdf"
    render_voter_list(listing(("一组", [voter("刘䶮", 1), voter("王㛃", 2)])), out, zenhei)
    (text,) = page_texts(out)
    assert "刘䶮" in text and "王㛃" in text


def test_bad_font_option_is_refused_before_rendering(tmp_path: Path) -> None:
    with pytest.raises(FontError) as info:
        resolve_font(str(tmp_path / "simsun.ttc") + "#0")
    assert info.value.exit_code == 3
    assert str(tmp_path / "simsun.ttc") in str(info.value)


# --- paging ---------------------------------------------------------------------------------


def test_300_voters_page_numbers(tmp_path: Path, font: FontChoice) -> None:
    out = tmp_path / "voters.pdf"
    pages = render_voter_list(big(300), out, font)
    texts = page_texts(out)
    assert pages == len(texts) == 8  # 3 groups of 100: 39 rows a page less the headings
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in text
        assert "Voter list" in text and "Registration" in text  # header on every page
    numbers = [int(n) for t in texts for n in re.findall(r"^(\d+) 陈", t, flags=re.M)]
    assert numbers == list(range(1, 301))
    # a group that goes on to the next page repeats its heading, marked (cont.)
    assert "Residents' group: 第1组 (cont.)" in texts[1]
    assert "Residents' group: 第2组" in texts[3]
    assert sum(t.count("Total voters: 300") for t in texts) == 1
    assert "Total voters: 300" in texts[-1]


def test_300_voters_chinese_page_numbers(tmp_path: Path, font: FontChoice, chinese: None) -> None:
    out = tmp_path / "voters.pdf"
    pages = render_voter_list(big(300), out, font)
    for number, text in enumerate(page_texts(out), start=1):
        assert f"第 {number} 页 共 {pages} 页" in text
    assert "居民小组：第1组（续）" in page_texts(out)[1]


def test_5000_voters(tmp_path: Path, font: FontChoice) -> None:
    out = tmp_path / "voters.pdf"
    pages = render_voter_list(big(5000, groups=10), out, font)
    assert pages == len(PdfReader(out).pages)
    assert 125 <= pages <= 140  # 39 rows a page, plus headings


@settings(max_examples=examples(60), deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=120), min_size=0, max_size=8),
    long_every=st.integers(min_value=0, max_value=9),
)
def test_pagination_properties(sizes: list[int], long_every: int) -> None:
    """Every voter once, in order; pages never overflow; no heading alone at a page foot."""
    groups = []
    serial = 0
    for g, size in enumerate(sizes):
        rows = []
        for _ in range(size):
            serial += 1
            long_name = long_every and serial % long_every == 0
            rows.append(
                voter("阿卜杜热合曼·买买提艾力·司马义·吐尔逊" if long_name else "张三", serial)
            )
        groups.append((f"{g}组", rows))
    data = listing(*groups)
    font = resolve_font(str(BUNDLED_FONT))
    labels = voter_list._Labels.current()
    pages = voter_list._paginate(data, font, labels)

    rows_seen = [
        item.number for page in pages for item in page if isinstance(item, voter_list._Row)
    ]
    assert rows_seen == list(range(1, serial + 1))
    for page in pages:
        used = sum(
            item.height
            if isinstance(item, voter_list._Row)
            else voter_list.BAND_HEIGHT
            if isinstance(item, voter_list._Band)
            else voter_list.TOTAL_HEIGHT
            for item in page
        )
        assert voter_list.BODY_TOP - used >= voter_list.BODY_BOTTOM - 1e-6
        last = page[-1]
        if isinstance(last, voter_list._Band):
            assert last.count == 0  # a heading keeps its first voter with it
    assert isinstance(pages[-1][-1], voter_list._Total)
    for page in pages[1:]:  # rows never start a page without their group's heading
        assert isinstance(page[0], voter_list._Band | voter_list._Total)
