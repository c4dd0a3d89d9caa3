"""Ballot papers (选票) and the formal candidate list (候选人名单公告) as PDFs.

Checked the way a reader sees them: text extracted with pypdf, pages rendered to PNG with
poppler's pdftoppm. The ballots' pages are streamed onto reportlab's file as an incremental
update, so the tests also read the files strictly and render pages from the appended part.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

import juwei.i18n as i18n
from juwei.ballots import ballot_paper
from juwei.ballots.ballot_paper import render_ballots
from juwei.ballots.candidate_list import render_candidate_list
from juwei.ballots.fonts import BUNDLED_FONT, FontChoice, MissingGlyphError, resolve_font
from juwei.elections.readmodels import BallotPaper, CandidateLine, OfficeOnBallot
from tests.conftest import examples
from tests.pdfcheck import dark_pixels, render_png

TITLE = "钱牌社区第十二届居民委员会换届选举"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘"
GIVEN = ("建国", "秀英", "伟", "丽华", "志强", "静", "海燕", "军")
INSTRUCTIONS = (
    "Mark ○ in the box under 同意 (for) or 不同意 (against) beside each candidate.",
    "Do not vote for more people than the seats of an office; otherwise that part is invalid.",
    "To vote for someone not on the ballot, write the name in a 另选他人 box and mark ○ under it.",
)


@pytest.fixture
def font() -> FontChoice:
    """The bundled WenQuanYi Micro Hei: the same on every machine."""
    return resolve_font(str(BUNDLED_FONT))


@pytest.fixture
def chinese() -> None:
    i18n.set_language("zh_CN")  # conftest switches back to English after the test


def candidates(count: int, start: int = 0) -> tuple[CandidateLine, ...]:
    """``count`` distinct names (surname × given name), numbered 1..count."""
    return tuple(
        CandidateLine(
            number=i + 1,
            name=SURNAMES[(start + i) % len(SURNAMES)] + GIVEN[(start + i) // len(SURNAMES) % 8],
            sex="MF"[i % 2],
            age=30 + i,
            group=f"第{i % 16 + 1}居民小组",
        )
        for i in range(count)
    )


def office(key: str, title: str, seats: int, count: int, start: int = 0) -> OfficeOnBallot:
    return OfficeOnBallot(key, title, seats, candidates(count, start), write_ins=seats)


def paper(*offices: OfficeOnBallot, kind: str = "general") -> BallotPaper:
    return BallotPaper(
        community="钱牌社区",
        election_title=TITLE,
        election_day=date(2026, 12, 20),
        kind=kind,
        offices=offices,
        instructions=INSTRUCTIONS,
        serial_prefix="A",
    )


def standard() -> BallotPaper:
    """7 seats: 主任 1 of 2, 副主任 1 of 2, 委员 5 of 6."""
    return paper(
        office("director", "主任", 1, 2),
        office("deputy", "副主任", 1, 2, start=2),
        office("member", "委员", 5, 6, start=4),
    )


def serials(count: int) -> list[str]:
    return [f"A{n:06d}" for n in range(1, count + 1)]


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path, strict=True).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def has_row(text: str, *cells: object) -> bool:
    """True if ``cells`` are consecutive lines of ``text`` (a table row as pypdf reads it)."""
    lines = [line.strip() for line in text.splitlines()]
    wanted = [str(cell) for cell in cells]
    return any(lines[i : i + len(wanted)] == wanted for i in range(len(lines)))


def numbered(text: str) -> list[tuple[int, str]]:
    """The (ballot number, name) pairs of a ballot page, top to bottom."""
    return [(int(n), name) for n, name in re.findall(r"^(\d+)\n(\D\S*)$", text, re.M)]


# --- what is on a ballot --------------------------------------------------------------------


def serial_heights(pdf: Path, page: int, serial: str) -> list[float]:
    """Where on page ``page`` (0-based) ``serial`` is drawn: the height (pt) of each match."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        textpage = document[page].get_textpage()
        searcher = textpage.search(serial)
        heights = []
        while (found := searcher.get_next()) is not None:
            index, count = found
            _left, bottom, _right, top = textpage.get_charbox(index + count - 1)
            heights.append((bottom + top) / 2)
        return heights
    finally:
        document.close()


def stub_height() -> float:
    """The middle of the counterfoil (above the cut line), in pt from the page's bottom."""
    from juwei.ballots.ballot_paper import STUB_BOTTOM, STUB_HEIGHT

    return STUB_BOTTOM + STUB_HEIGHT / 2


def test_standard_ballot_text(tmp_path: Path, font: FontChoice) -> None:
    out = tmp_path / "ballots.pdf"
    assert render_ballots(standard(), serials(3), out, font) == 3
    texts = page_texts(out)
    assert len(texts) == 3
    for page, (serial, text) in enumerate(zip(serials(3), texts, strict=True)):
        assert text.count(serial) == 1  # on the counterfoil only: the ballot has no number
        assert serial_heights(out, page, serial) == [pytest.approx(stub_height(), abs=12)]
        for label in ("Counterfoil", "Cut along the dashed line", "Ballot", "Seal"):
            assert label in text
        assert text.count(TITLE) == 2 and text.count("Election day: 2026-12-20") == 2
        assert text.count("Serial no.") == 1
        assert "1 to be elected" in text and "5 to be elected" in text
        assert "How to mark this ballot" in text
        for line in INSTRUCTIONS:
            assert line in text
        for section in standard().offices:
            assert section.title in text
            for candidate in section.candidates:
                assert (candidate.number, candidate.name) in numbered(text)
        assert text.count("No.") == 3 and text.count("Candidate") == 3
        assert text.count("Against") == 3
        assert text.count("Write-in") == 3  # one write-in block per office
    assert "A000004" not in "".join(texts)


def test_chinese_ballot(tmp_path: Path, font: FontChoice, chinese: None) -> None:
    out = tmp_path / "ballots.pdf"
    render_ballots(standard(), ["B000007"], out, font)
    (text,) = page_texts(out)
    for label in (
        "选票存根",
        "沿虚线剪开",
        "选票",
        "盖章处",
        "填写说明",
        "选举日期：2026年12月20日",
    ):
        assert label in text
    assert text.count("编号：") == 1 and text.count("B000007") == 1  # the counterfoil only
    assert "应选 1 名" in text and "应选 5 名" in text
    for label in ("序号", "候选人姓名", "同意", "不同意", "另选他人"):
        assert label in text
    assert text.count("\n不同意\n") == 3  # one column header per office


def test_write_ins_only_where_the_charter_allows(tmp_path: Path, font: FontChoice) -> None:
    no_write_ins = paper(replace(office("director", "主任", 1, 2), write_ins=0))
    render_ballots(no_write_ins, ["A1"], tmp_path / "b.pdf", font)
    assert "Write-in" not in page_texts(tmp_path / "b.pdf")[0]


def test_recall_ballot_has_no_seats_line(tmp_path: Path, font: FontChoice) -> None:
    recall = paper(
        OfficeOnBallot("m1", "罢免委员 王建国", 0, candidates(1), 0),
        kind="recall",
    )
    render_ballots(recall, ["R000001"], tmp_path / "r.pdf", font)
    (text,) = page_texts(tmp_path / "r.pdf")
    assert "Recall ballot" in text and "to be elected" not in text
    assert "罢免委员 王建国" in text and text.count("R000001") == 1


# --- many candidates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "pages_per_ballot"),
    [
        pytest.param(1, 1, id="1 candidate"),
        pytest.param(7, 1, id="7 candidates"),
        pytest.param(30, 1, id="30 candidates: two columns"),
    ],
)
def test_one_office_of_many_candidates(
    tmp_path: Path, font: FontChoice, count: int, pages_per_ballot: int
) -> None:
    out = tmp_path / "ballots.pdf"
    single = paper(office("member", "委员", 5, count))
    assert render_ballots(single, serials(2), out, font) == 2 * pages_per_ballot
    texts = page_texts(out)
    for serial, text in zip(serials(2), texts, strict=True):
        assert text.count(serial) == 1  # on the counterfoil, never on the ballot body
        assert numbered(text) == [(c.number, c.name) for c in single.offices[0].candidates]


def test_thirty_candidates_beside_other_offices_go_on_a_second_page(
    tmp_path: Path, font: FontChoice
) -> None:
    """The section goes on over a second page marked (cont.); neither page of the ballot
    carries a number (the counterfoil does)."""
    big = paper(
        office("director", "主任", 1, 2),
        office("deputy", "副主任", 1, 2, start=2),
        office("member", "委员", 5, 30, start=4),
    )
    out = tmp_path / "ballots.pdf"
    assert render_ballots(big, serials(3), out, font) == 6
    texts = page_texts(out)
    for ballot, serial in enumerate(serials(3)):
        first, second = texts[2 * ballot], texts[2 * ballot + 1]
        assert first.count(serial) == 1  # the counterfoil
        assert second.count(serial) == 0  # the continuation sheet carries no number
        assert "Ballot (continued)" in second and "委员 (cont.)" in second
        assert "Page 1 of 2" in first and "Page 2 of 2" in second
        assert "Counterfoil" in first and "Counterfoil" not in second
        names = numbered(first) + numbered(second)
        expected = [(c.number, c.name) for o in big.offices for c in o.candidates]
        assert names == expected  # all 34, in order, none twice
    for page in (1, 2, 6):  # pages from the appended part render with ink, not blank
        image = render_png(out, tmp_path / f"page{page}", page=page)
        assert dark_pixels(image) > 3_000


def test_long_names_wrap_inside_their_cell(tmp_path: Path, font: FontChoice) -> None:
    long_name = "阿卜杜热合曼·买买提艾力·司马义"
    names = candidates(29) + (CandidateLine(30, long_name, "M", 40, "第1居民小组"),)
    long = paper(OfficeOnBallot("member", "委员", 5, names, 5))
    out = tmp_path / "b.pdf"
    assert render_ballots(long, ["A1"], out, font) == 1
    assert long_name in flat(page_texts(out)[0])


settings_ = settings(max_examples=examples(80), deadline=None)


@settings_
@given(
    sections=st.lists(
        st.tuples(st.integers(0, 70), st.integers(0, 9), st.integers(1, 9)),
        min_size=1,
        max_size=5,
    ),
    long_names=st.booleans(),
)
def test_pagination_properties(sections: list[tuple[int, int, int]], long_names: bool) -> None:
    """Every candidate once, in order; nothing below the bottom margin; no page without
    content; a section's rows always start under its heading on the same page."""
    offices = []
    for index, (count, write_ins, seats) in enumerate(sections):
        if count == 0 and write_ins == 0:
            write_ins = 1
        lines = candidates(count, start=index * 7)
        if long_names:
            lines = tuple(replace(c, name=c.name * 6) for c in lines)
        offices.append(OfficeOnBallot(f"o{index}", f"职位{index}", seats, lines, write_ins))
    data = paper(*offices)
    font = resolve_font(str(BUNDLED_FONT))
    plan = ballot_paper._plan(data, font.name)

    seen: list[tuple[int, int]] = []
    write_in_blocks: list[int] = []
    for number, page in enumerate(plan.pages):
        assert page or number == 0  # only the first page may hold just the header
        current: int | None = None
        for top, block in page:
            assert top - block.height >= ballot_paper.CONTENT_BOTTOM - 1e-6
            assert top <= (plan.sections_top if number == 0 else ballot_paper.TOP) + 1e-6
            if isinstance(block, ballot_paper._Head):
                current = block.office
            else:
                assert block.office == current  # under its own heading
            if isinstance(block, ballot_paper._Rows):
                right = block.right or ()
                assert len(right) in (len(block.left), len(block.left) - 1, 0)
                seen += [(block.office, c.number) for c in block.left + right]
            elif isinstance(block, ballot_paper._WriteIns):
                write_in_blocks.append(block.office)
        tops = [top for top, _block in page]
        assert tops == sorted(tops, reverse=True)  # blocks go down the page, no overlap
        for (top, block), (next_top, _next) in zip(page, page[1:], strict=False):
            assert next_top <= top - block.height + 1e-6
    assert seen == [(i, c.number) for i, o in enumerate(offices) for c in o.candidates]
    assert write_in_blocks == [i for i, o in enumerate(offices) if o.write_ins]


# --- refusing what cannot be printed ------------------------------------------------------


def test_missing_glyph_is_refused_and_nothing_written(tmp_path: Path, font: FontChoice) -> None:
    rare = CandidateLine(2, "刘䶮", "M", 50, "第二居民小组")
    bad = paper(OfficeOnBallot("director", "主任", 1, (candidates(1)[0], rare), 1))
    out = tmp_path / "ballots.pdf"
    out.write_bytes(b"yesterday's ballots")
    with pytest.raises(MissingGlyphError) as info:
        render_ballots(bad, serials(5), out, font)
    assert info.value.chars == ("䶮",)
    assert "candidate no. 2 刘䶮 for 主任" in str(info.value)
    assert out.read_bytes() == b"yesterday's ballots"
    assert [p.name for p in tmp_path.iterdir()] == ["ballots.pdf"]


def test_missing_glyph_in_title_instructions_and_serial(tmp_path: Path, font: FontChoice) -> None:
    bad = replace(
        standard(),
        election_title="㛃社区选举",
        instructions=("画𠀀",),
    )
    with pytest.raises(MissingGlyphError) as info:
        render_ballots(bad, ["A1", "A☃"], tmp_path / "b.pdf", font)
    assert info.value.chars == ("㛃", "𠀀", "☃")
    places = [what for _char, what in info.value.problems]
    assert places == [
        "the title of the election",
        "line 1 of the marking instructions",
        "the serial number A☃",
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        pytest.param([], "no serial numbers", id="none"),
        pytest.param(["A1", "A2", "A1"], "'A1' is given twice", id="repeated"),
        pytest.param(["A1", ""], "serial no. 2 is empty", id="empty"),
        pytest.param(["A1 "], "blanks around it", id="blank"),
    ],
)
def test_bad_serials_are_refused(
    tmp_path: Path, font: FontChoice, numbers: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        render_ballots(standard(), numbers, tmp_path / "b.pdf", font)
    assert list(tmp_path.iterdir()) == []


def test_an_office_with_nothing_to_mark_is_refused(tmp_path: Path, font: FontChoice) -> None:
    empty = paper(OfficeOnBallot("member", "委员", 5, (), 0))
    with pytest.raises(ValueError, match="neither candidates nor write-ins"):
        render_ballots(empty, ["A1"], tmp_path / "b.pdf", font)


# --- the file ---------------------------------------------------------------------------------


def test_same_input_same_bytes(tmp_path: Path, font: FontChoice) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_ballots(standard(), serials(20), a, font)
    render_ballots(standard(), serials(20), b, font)
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_fonts_are_embedded_truetype(tmp_path: Path, font: FontChoice) -> None:
    out = tmp_path / "b.pdf"
    render_ballots(standard(), serials(2), out, font)
    reader = PdfReader(out, strict=True)
    assert reader.metadata is not None and reader.metadata.title == f"{TITLE} Ballot"
    for page in reader.pages:
        assert page.mediabox.width == pytest.approx(595.28, abs=0.01)
        fonts: Any = page["/Resources"]["/Font"]  # type: ignore[index]
        for ref in fonts.values():
            font_dict = ref.get_object()
            assert font_dict["/Subtype"] == "/TrueType", font_dict["/BaseFont"]
            assert "/FontFile2" in font_dict["/FontDescriptor"]
    assert b"Helvetica" not in out.read_bytes() and b"STSong" not in out.read_bytes()


def test_the_appended_cross_reference_section_is_exact(tmp_path: Path, font: FontChoice) -> None:
    """Every entry of the last xref section points at the object it names; the trailer
    chains to reportlab's section, and the page tree lists every page once, in order."""
    out = tmp_path / "b.pdf"
    render_ballots(standard(), serials(7), out, font)
    data = out.read_bytes()
    xref_at = int(re.findall(rb"startxref\s+(\d+)\s+%%EOF", data)[-1])
    section = data[xref_at:]
    assert section.startswith(b"xref\n0 1\n0000000000 65535 f \n")
    checked = 0
    for start, count, entries in re.findall(rb"(\d+) (\d+)\n((?:\d{10} \d{5} [nf] \n)+)", section):
        for i in range(int(count)):
            entry = entries[20 * i : 20 * (i + 1)]
            assert len(entry) == 20
            if entry[17:18] == b"n":
                offset = int(entry[:10])
                assert data[offset:].startswith(b"%d 0 obj\n" % (int(start) + i))
                checked += 1
    assert checked == 1 + 1 + 2 * 7  # page tree, resources, content + page per ballot
    trailer = section[section.index(b"trailer") :]
    previous = int(re.search(rb"/Prev (\d+)", trailer).group(1))  # type: ignore[union-attr]
    assert data[previous:].startswith(b"xref\n0 ")
    reader = PdfReader(out, strict=True)
    assert [page.extract_text().split()[-1] for page in reader.pages] == serials(7)


def test_each_more_ballot_adds_a_few_hundred_bytes(tmp_path: Path, font: FontChoice) -> None:
    """What all ballots share is stored once (a form); a ballot page is tiny."""
    render_ballots(standard(), serials(100), tmp_path / "100.pdf", font)
    render_ballots(standard(), serials(600), tmp_path / "600.pdf", font)
    per_ballot = (
        (tmp_path / "600.pdf").stat().st_size - (tmp_path / "100.pdf").stat().st_size
    ) / 500
    assert per_ballot < 600
    assert len(PdfReader(tmp_path / "600.pdf").pages) == 600
    assert "A000600" in PdfReader(tmp_path / "600.pdf").pages[-1].extract_text()


def test_progress_is_reported(tmp_path: Path, font: FontChoice) -> None:
    calls: list[tuple[int, int]] = []
    render_ballots(
        standard(),
        serials(120),
        tmp_path / "b.pdf",
        font,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls[0] == (0, 120) and calls[-1] == (120, 120)
    assert [d for d, _t in calls] == sorted({d for d, _t in calls})
    assert {t for _d, t in calls} == {120}


def test_page_one_is_not_blank(tmp_path: Path, font: FontChoice, chinese: None) -> None:
    out = tmp_path / "ballots.pdf"
    render_ballots(standard(), serials(2), out, font)
    image = render_png(out, tmp_path / "ballot-page1")
    assert abs(image.width - 496) <= 1 and abs(image.height - 702) <= 1  # A4 at 60 dpi
    assert dark_pixels(image) > 5_000
    counterfoil = image.crop((0, 0, image.width, int(image.height * 0.1)))
    assert dark_pixels(counterfoil) > 200  # the counterfoil and its serial are drawn
    names = image.crop((0, int(image.height * 0.35), image.width, image.height))
    assert dark_pixels(names) > 2_000


def test_the_serial_is_drawn_in_ink(tmp_path: Path, font: FontChoice) -> None:
    """The serial comes from the appended page stream: it must render, not only extract."""
    out_a, out_b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_ballots(standard(), ["A000001"], out_a, font)
    render_ballots(standard(), ["A888888888"], out_b, font)
    ink_a = dark_pixels(render_png(out_a, tmp_path / "a", dpi=100))
    ink_b = dark_pixels(render_png(out_b, tmp_path / "b", dpi=100))
    assert ink_b > ink_a + 50


# --- the formal candidate list --------------------------------------------------------------


def slate() -> BallotPaper:
    member = office("member", "委员", 5, 7, start=4)
    tied = tuple(replace(c, tie_flag=c.number in (3, 4)) for c in member.candidates)
    return replace(standard(), offices=standard().offices[:2] + (replace(member, candidates=tied),))


def test_candidate_list_text(tmp_path: Path, font: FontChoice) -> None:
    out = tmp_path / "candidates.pdf"
    assert render_candidate_list(slate(), out, font, date(2026, 12, 14)) == 1
    (text,) = page_texts(out)
    assert "Formal candidate list" in text and TITLE in text
    assert "listed by surname strokes" in text
    assert "主任 (1 to be elected, 2 candidates)" in text
    assert "委员 (5 to be elected, 7 candidates)" in text
    for label in ("No.", "Name", "Sex", "Age", "Residents' group", "Note"):
        assert label in text
    for section in slate().offices:
        for c in section.candidates:
            sex = {"M": "male", "F": "female"}[c.sex]
            assert has_row(text, c.number, c.name, sex, c.age, c.group)
    assert text.count("order drawn by lot") == 3  # two candidates and the note
    assert "the election committee decided their order by drawing lots" in " ".join(text.split())
    assert "钱牌社区 residents' election committee" in text and "(seal)" in text
    assert "2026-12-14" in text and "Signature of the chair" in text
    assert "Page 1 of 1" in text


def test_candidate_list_in_chinese(tmp_path: Path, font: FontChoice, chinese: None) -> None:
    out = tmp_path / "candidates.pdf"
    render_candidate_list(slate(), out, font, date(2026, 12, 14))
    (text,) = page_texts(out)
    for label in (
        "正式候选人名单公告",
        "按姓氏笔画排序",
        "主任（应选 1 名，候选人 2 名）",
        "抽签确定顺序",
        "钱牌社区居民选举委员会",
        "（盖章）",
        "2026年12月14日",
        "主任签名",
    ):
        assert label in text
    assert "男" in text and "女" in text


def test_candidate_list_without_ties_or_by_primary_votes(tmp_path: Path, font: FontChoice) -> None:
    out = tmp_path / "c.pdf"
    render_candidate_list(standard(), out, font, date(2026, 12, 14), order="votes")
    (text,) = page_texts(out)
    assert "listed by their votes in the primary" in " ".join(text.split())
    assert "surname strokes" not in text and "drawn by lot" not in text


def test_candidate_list_long_slate_pages(tmp_path: Path, font: FontChoice) -> None:
    long = paper(*(office(f"o{i}", f"委员{i}", 5, 30, start=i * 30) for i in range(4)))
    out = tmp_path / "c.pdf"
    pages = render_candidate_list(long, out, font, date(2026, 12, 14))
    texts = page_texts(out)
    assert pages == len(texts) > 1
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in text
    lines = [line.strip() for text in texts for line in text.splitlines()]
    numbers = [int(lines[i - 2]) for i, line in enumerate(lines) if line in ("male", "female")]
    assert numbers == list(range(1, 31)) * 4


def test_candidate_list_missing_glyph(tmp_path: Path, font: FontChoice) -> None:
    rare = replace(candidates(1)[0], group="䶮组")
    bad = paper(OfficeOnBallot("director", "主任", 1, (rare,), 1))
    with pytest.raises(MissingGlyphError) as info:
        render_candidate_list(bad, tmp_path / "c.pdf", font, date(2026, 12, 14))
    assert "residents' group 䶮组" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_candidate_list_same_bytes_and_not_blank(
    tmp_path: Path, font: FontChoice, chinese: None
) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_candidate_list(slate(), a, font, date(2026, 12, 14))
    render_candidate_list(slate(), b, font, date(2026, 12, 14))
    assert a.read_bytes() == b.read_bytes()
    image = render_png(a, tmp_path / "candidates-page1")
    assert dark_pixels(image) > 4_000
    assert b"Helvetica" not in a.read_bytes()
