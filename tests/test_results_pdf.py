"""The result sheet (计票结果报告单), the announcement (当选公告) and the certificates (当选证书).

Checked by text extraction (pypdf) and by rendering page 1 to PNG (pdftoppm). The QR code
is not decoded (no decoder is installed); the test checks that it is drawn: many small
filled rectangles beside the digest, and ink in that place.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

import juwei.i18n as i18n
from juwei.ballots.fonts import BUNDLED_FONT, FontChoice, MissingGlyphError, resolve_font
from juwei.ballots.results import (
    qr_modules,
    render_announcement,
    render_certificates,
    render_result_sheet,
)
from juwei.elections.readmodels import CandidateResult, OfficeResult, ResultSheet
from juwei.errors import StateError
from tests.pdfcheck import dark_pixels, render_png

TITLE = "钱牌社区第十二届居民委员会换届选举"
DIGEST = "3f9a1c0e5b7d2a4c6e8f0a1b3c5d7e9f1a2b3c4d5e6f708192a3b4c5d6e7f80"
THRESHOLD = "参加投票选民的过半数（≥ 1,396 票）"
R = CandidateResult


@pytest.fixture
def font() -> FontChoice:
    return resolve_font(str(BUNDLED_FONT))


@pytest.fixture
def chinese() -> None:
    i18n.set_language("zh_CN")  # conftest switches back to English after the test


def sheet() -> ResultSheet:
    """A valid election: 主任 and 副主任 filled, 委员 4 of 5 elected (one seat empty)."""
    return ResultSheet(
        community="钱牌社区",
        election_title=TITLE,
        election_day=date(2026, 12, 20),
        registered_voters=3000,
        ballots_printed=3100,
        ballots_issued=2800,
        ballots_returned=2790,
        ballots_valid=2770,
        ballots_invalid=20,
        valid=True,
        validity_reason="参加投票 2790 人，超过登记选民的半数 (election.quorum; 组织法第八条)",
        offices=(
            OfficeResult(
                "主任",
                1,
                2760,
                30,
                THRESHOLD,
                (
                    R("李秀英", 900, True, False, "below the threshold"),
                    R("王建国", 1800, True, True, "elected"),
                    R("赵六", 12, False, False, "write-in"),
                ),
                "王建国 has a majority (count.elected; 章程第十二条)",
            ),
            OfficeResult(
                "副主任",
                1,
                2770,
                20,
                THRESHOLD,
                (R("张伟", 1500, True, True, "elected"), R("刘洋", 1200, True, False, "")),
                "张伟 elected (count.elected; 章程第十二条)",
            ),
            OfficeResult(
                "委员",
                5,
                2700,
                90,
                THRESHOLD,
                (
                    R("陈静", 2000, True, True, "elected"),
                    R("杨帆", 1900, True, True, "elected"),
                    R("黄丽", 1700, True, True, "elected"),
                    R("吴军", 1700, True, True, "elected"),
                    R("周芳", 1300, True, False, "below the threshold: supplementary round"),
                ),
                "4 elected, 1 seat left: supplementary round (count.supplementary; 第十四条)",
            ),
        ),
        digest=DIGEST,
    )


def void_sheet() -> ResultSheet:
    offices = tuple(
        replace(o, results=tuple(replace(r, elected=False) for r in o.results))
        for o in sheet().offices
    )
    return replace(
        sheet(),
        valid=False,
        ballots_returned=1200,
        validity_reason="参加投票 1200 人，未超过登记选民的半数 (election.quorum; 组织法第八条)",
        offices=offices,
    )


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path, strict=True).pages]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def has_row(text: str, *cells: object) -> bool:
    """True if ``cells`` are consecutive lines of ``text`` (a table row as pypdf reads it)."""
    found, wanted = lines(text), [str(cell) for cell in cells]
    return any(found[i : i + len(wanted)] == wanted for i in range(len(found)))


def words(text: str) -> str:
    return " ".join(text.split())


def only_embedded_truetype(path: Path) -> None:
    for page in PdfReader(path).pages:
        fonts: Any = page["/Resources"]["/Font"]  # type: ignore[index]
        for ref in fonts.values():
            font_dict = ref.get_object()
            assert font_dict["/Subtype"] == "/TrueType", font_dict["/BaseFont"]
            assert "/FontFile2" in font_dict["/FontDescriptor"]
    assert b"Helvetica" not in path.read_bytes()


# --- the result sheet ------------------------------------------------------------------------


def test_result_sheet_text(tmp_path: Path, font: FontChoice) -> None:
    out = tmp_path / "sheet.pdf"
    pages = render_result_sheet(sheet(), out, font)
    texts = page_texts(out)
    assert pages == len(texts)
    text = "\n".join(texts)
    assert "Result sheet" in text and TITLE in text
    assert "Community: 钱牌社区" in text and "Election day: 2026-12-20" in text
    labels = ("Registered voters", "Ballots printed", "Ballots issued", "Ballots returned")
    labels += ("Valid ballots", "Invalid ballots")
    for label in labels:
        assert label in words(text)
    assert has_row(text, 3000, 3100, 2800, 2790, 2770, 20)
    assert "Turnout: 2790 of 3000 registered voters (93.00%)." in text
    assert "The election is valid." in text and "The election is void." not in text
    assert "(election.quorum; 组织法第八条)" in text
    assert "主任 (1 to be elected)" in text and "委员 (5 to be elected)" in text
    assert "Valid sections: 2760; invalid sections: 30." in words(text)
    assert f"Needed to be elected: {THRESHOLD}." in words(text)
    # by votes, most first; write-ins named as such; the elected marked
    assert has_row(text, 1, "王建国", 1800, "candidate", "Elected", "elected")
    assert has_row(text, 2, "李秀英", 900, "candidate", "below the threshold")
    assert has_row(text, 3, "赵六", 12, "write-in", "write-in")
    assert has_row(text, 3, "黄丽", 1700, "candidate", "Elected", "elected")
    assert has_row(text, 3, "吴军", 1700, "candidate", "Elected", "elected")  # equal rank
    assert has_row(text, 5, "周芳", 1300, "candidate")
    assert lines(text).count("Elected") == 6
    assert "Decision: 4 elected, 1 seat left: supplementary round" in words(text)
    for role in ("Chair", "Scrutineers", "Counters", "Callers"):
        assert role in lines(text)
    assert "Digest of the result (SHA-256)" in text
    assert DIGEST in text  # in full, for the auditor to compare
    for number, page_text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in page_text
        assert f"Digest: {DIGEST[:16]}…" in page_text  # every page is tied to the result


def test_result_sheet_in_chinese(tmp_path: Path, font: FontChoice, chinese: None) -> None:
    out = tmp_path / "sheet.pdf"
    render_result_sheet(sheet(), out, font)
    text = "\n".join(page_texts(out))
    for label in (
        "计票结果报告单",
        "登记选民数",
        "发出选票数",
        "收回选票数",
        "有效票数",
        "无效票数",
        "选举有效。",
        "主任（应选 1 名）",
        "得票数",
        "当选",
        "主持人",
        "监票人",
        "计票人",
        "唱票人",
        "计票结果摘要（SHA-256）",
    ):
        assert label in text
    assert "参加投票 2790 人，占登记选民 3000 人的 93.00%。" in text


def test_the_qr_code_is_drawn_beside_the_digest(tmp_path: Path, font: FontChoice) -> None:
    out = tmp_path / "sheet.pdf"
    render_result_sheet(sheet(), out, font)
    reader = PdfReader(out)
    (page,) = [p for p in reader.pages if DIGEST in p.extract_text()]
    content = page.get_contents()
    assert content is not None
    rectangles = len(re.findall(rb" re\b", content.get_data()))
    modules = len(qr_modules(DIGEST))  # the dark runs of the QR code of the digest
    assert modules > 150  # a QR code of 64 characters has hundreds of dark runs
    assert rectangles >= modules


def test_void_election_sheet(tmp_path: Path, font: FontChoice) -> None:
    out = tmp_path / "sheet.pdf"
    render_result_sheet(void_sheet(), out, font)
    text = "\n".join(page_texts(out))
    assert "The election is void." in text and "The election is valid." not in text
    assert "未超过登记选民的半数" in text
    assert "Elected" not in lines(text)


def test_office_without_votes(tmp_path: Path, font: FontChoice) -> None:
    empty = replace(sheet(), offices=(replace(sheet().offices[0], results=(), threshold_words=""),))
    out = tmp_path / "sheet.pdf"
    render_result_sheet(empty, out, font)
    text = "\n".join(page_texts(out))
    assert "(no votes)" in text and "Needed to be elected" not in text


def test_result_sheet_same_bytes_fonts_and_ink(tmp_path: Path, font: FontChoice) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_result_sheet(sheet(), a, font)
    render_result_sheet(sheet(), b, font)
    assert a.read_bytes() == b.read_bytes()
    only_embedded_truetype(a)
    image = render_png(a, tmp_path / "sheet-page1")
    assert dark_pixels(image) > 5_000
    assert dark_pixels(image.crop((0, 0, image.width, image.height // 8))) > 300  # the title


def test_result_sheet_missing_glyph(tmp_path: Path, font: FontChoice) -> None:
    office = sheet().offices[0]
    bad_result = replace(office.results[2], name="刘䶮")
    bad = replace(sheet(), offices=(replace(office, results=office.results[:2] + (bad_result,)),))
    out = tmp_path / "sheet.pdf"
    out.write_bytes(b"the old sheet")
    with pytest.raises(MissingGlyphError) as info:
        render_result_sheet(bad, out, font)
    assert info.value.chars == ("䶮",)
    assert "刘䶮 (主任)" in str(info.value)
    assert out.read_bytes() == b"the old sheet"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.pdf"]


# --- the announcement ------------------------------------------------------------------------


def test_announcement_text(tmp_path: Path, font: FontChoice) -> None:
    out = tmp_path / "announcement.pdf"
    assert render_announcement(sheet(), out, font, announced_on=date(2026, 12, 21)) == 1
    (text,) = page_texts(out)
    assert "Announcement of the elected" in text and TITLE in text
    body = words(text)
    assert "钱牌社区 held the 钱牌社区第十二届居民委员会换届选举 on 2026-12-20." in body
    assert "Of 3000 registered voters, 2790 took part; the election is valid." in body
    assert has_row(text, "主任", "王建国", 1800)
    assert has_row(text, "副主任", "张伟", 1500)
    assert has_row(text, "委员", "陈静", 2000, "杨帆", 1900, "黄丽", 1700, "吴军", 1700)
    assert "1 seat(s) not filled" in text
    for loser in ("李秀英", "赵六", "刘洋", "周芳"):
        assert loser not in text
    assert "Hereby announced." in text and "2026-12-21" in text
    assert "钱牌社区 residents' election committee" in text and "(seal)" in text


def test_announcement_in_chinese(tmp_path: Path, font: FontChoice, chinese: None) -> None:
    out = tmp_path / "announcement.pdf"
    render_announcement(sheet(), out, font)
    (text,) = page_texts(out)
    for label in ("当选公告", "当选人", "空缺 1 名", "特此公告。", "钱牌社区居民选举委员会"):
        assert label in text
    assert "2026年12月20日" in text
    image = render_png(out, tmp_path / "announcement-page1")
    assert dark_pixels(image) > 3_000


def test_nothing_is_announced_for_a_void_election(tmp_path: Path, font: FontChoice) -> None:
    with pytest.raises(StateError, match="the election is void"):
        render_announcement(void_sheet(), tmp_path / "a.pdf", font)
    with pytest.raises(StateError, match="the election is void"):
        render_certificates(void_sheet(), tmp_path / "c.pdf", font)
    assert list(tmp_path.iterdir()) == []


def test_announcement_same_bytes(tmp_path: Path, font: FontChoice) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_announcement(sheet(), a, font)
    render_announcement(sheet(), b, font)
    assert a.read_bytes() == b.read_bytes()
    only_embedded_truetype(a)


def test_announcement_missing_glyph(tmp_path: Path, font: FontChoice) -> None:
    with pytest.raises(MissingGlyphError) as info:
        render_announcement(replace(sheet(), community="㛃社区"), tmp_path / "a.pdf", font)
    assert ("㛃", "the community name") in info.value.problems
    assert list(tmp_path.iterdir()) == []


# --- the certificates ------------------------------------------------------------------------


def test_one_certificate_per_elected_person(tmp_path: Path, font: FontChoice) -> None:
    out = tmp_path / "certificates.pdf"
    term = (date(2026, 12, 20), date(2029, 12, 19))
    assert render_certificates(sheet(), out, font, term) == 6
    reader = PdfReader(out, strict=True)
    elected = [("主任", "王建国"), ("副主任", "张伟")]
    elected += [("委员", name) for name in ("陈静", "杨帆", "黄丽", "吴军")]
    assert len(reader.pages) == len(elected)
    for page, (office, name) in zip(reader.pages, elected, strict=True):
        assert page.mediabox.width > page.mediabox.height  # landscape
        text = words(page.extract_text())
        assert "Certificate of election" in text
        assert f"{name}:" in text
        assert f"you were elected {office} of the 钱牌社区 residents' committee" in text
        assert TITLE in text and "2026-12-20" in text
        assert "Term of office: from 2026-12-20 to 2029-12-19." in text
        assert "Hereby certified." in text and "(seal)" in text


def test_certificate_in_chinese_with_blank_term(
    tmp_path: Path, font: FontChoice, chinese: None
) -> None:
    out = tmp_path / "certificates.pdf"
    render_certificates(sheet(), out, font, issued_on=date(2026, 12, 22))
    text = "".join(page_texts(out)[0].split())
    assert "当选证书" in text
    assert "王建国同志：" in text
    assert "您当选为钱牌社区居民委员会主任。" in text
    assert "任期自______年____月____日起至______年____月____日止。" in text
    assert "特发此证。" in text and "2026年12月22日" in text
    image = render_png(out, tmp_path / "certificate-page1")
    assert abs(image.width - 702) <= 1 and abs(image.height - 496) <= 1
    assert dark_pixels(image) > 3_000


def test_certificates_refused_when_nobody_is_elected(tmp_path: Path, font: FontChoice) -> None:
    nobody = replace(void_sheet(), valid=True)
    with pytest.raises(StateError, match="nobody was elected"):
        render_certificates(nobody, tmp_path / "c.pdf", font)
    with pytest.raises(ValueError, match="before it starts"):
        render_certificates(sheet(), tmp_path / "c.pdf", font, (date(2029, 1, 1), date(2026, 1, 1)))
    assert list(tmp_path.iterdir()) == []


def test_certificates_same_bytes_and_glyphs(tmp_path: Path, font: FontChoice) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    render_certificates(sheet(), a, font)
    render_certificates(sheet(), b, font)
    assert a.read_bytes() == b.read_bytes()
    only_embedded_truetype(a)
    office = sheet().offices[1]
    rare = replace(office, results=(replace(office.results[0], name="王𠀀"),))
    with pytest.raises(MissingGlyphError) as info:
        render_certificates(replace(sheet(), offices=(rare,)), tmp_path / "c.pdf", font)
    assert info.value.chars == ("𠀀",)
    assert not (tmp_path / "c.pdf").exists()
