"""The result sheet (罢免表决计票结果报告单) and the announcement (罢免结果公告) of a recall vote.

A recall vote is counted and printed like an election, but nobody is elected: the printed
papers give the votes 赞成罢免 / 不赞成罢免 / 弃权, the thresholds of ``[recall.passage]``
and the decision (罢免通过 / 罢免未通过) with its rule and source, and say that a passed
recall ends the membership on the day of the vote. Checked end to end through
``juwei results print`` (English and Chinese), by text extraction (pypdf) and by rendering
page 1 to PNG; the turnout threshold and the void vote with read-models built by hand.
"""

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

import juwei.i18n as i18n
from juwei.ballots.fonts import BUNDLED_FONT, FontChoice, resolve_font
from juwei.ballots.results import (
    render_announcement,
    render_recall_announcement,
    render_recall_sheet,
    render_result_sheet,
)
from juwei.cli import app
from juwei.elections.count import result_sheet
from juwei.elections.db import Database
from juwei.elections.members import list_members
from juwei.elections.readmodels import RecallResult, RecallThreshold, ResultSheet
from juwei.elections.recall import decide_petition
from juwei.errors import StateError
from tests.committee import GENERAL_DAY, GENERAL_PLAN, roll, run_election
from tests.pdfcheck import dark_pixels, render_png
from tests.test_recall import FILED, VOTERS, petition, run_recall_vote

SOURCES_EN = (
    "钱牌 community charter, art. 4; Organic Law of Urban Residents' Committees (2018), art. 9"
)
VOTE_DAY = FILED + timedelta(days=25)  # 2027-02-04

# election words that must not appear on a recall's papers
ENGLISH_ELECTION_WORDS = ("to be elected", "Needed to be elected", "Elected", "elected")
CHINESE_ELECTION_WORDS = ("应选", "当选", "选举是否有效", "选举有效")


@pytest.fixture
def font() -> FontChoice:
    return resolve_font(str(BUNDLED_FONT))


def text_of(pdf: Path) -> str:
    """The text of every page, table cells and wrapped lines run together with spaces."""
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    return " ".join(text.split())


def flat(text: str) -> str:
    """``text`` without spaces: a Chinese line may wrap anywhere."""
    return text.replace(" ", "")


def recall_vote(db: Database, tmp_path: Path, votes_for: int, votes_against: int) -> int:
    """A certified 钱牌 committee, a sufficient petition against its third member, and a
    recall vote counted: ``votes_for`` + ``votes_against`` + 2 abstentions returned, of
    ``VOTERS`` (120) registered; more than 60 must take part (the 居民会议's turnout floor)."""
    ids = roll(db, tmp_path, VOTERS)
    run_election(db, ids, day=GENERAL_DAY, plan=GENERAL_PLAN)
    pid = petition(db, tmp_path, ids, ids[20:44])
    decide_petition(db, pid, on=FILED + timedelta(days=2), operator="t")
    return run_recall_vote(
        db, ids, pid, day=VOTE_DAY, votes_for=votes_for, votes_against=votes_against
    )


def print_results(runner: CliRunner, db_url: str, eid: int, out: Path, lang: str) -> None:
    r = runner.invoke(
        app,
        ["--db", db_url, "--lang", lang, "results", "print", "--election", str(eid)]
        + ["--out", str(out)],
    )
    assert r.exit_code == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["announcement.pdf", "result-sheet.pdf"]


# ------------------------------------------------------------------ the read-model


def test_recall_sheet_read_model(db: Database, tmp_path: Path) -> None:
    eid = recall_vote(db, tmp_path, votes_for=50, votes_against=10)
    sheet = result_sheet(db, election_id=eid)
    member = list_members(db)[2]
    assert sheet.kind == "recall" and sheet.valid
    (recall,) = sheet.recalls
    assert (recall.name, recall.office) == (member.name, member.office)
    assert (recall.votes_for, recall.votes_against, recall.abstentions) == (50, 10, 2)
    assert (recall.valid_sections, recall.invalid_sections) == (62, 0)
    # 钱牌: the 居民会议 sits with 过半数 of 120 (61 or more; S1 art 9); 过半数 of the 62
    # ballots returned is 32 or more
    assert recall.turnout == RecallThreshold(
        "recall.passage.turnout", 62, 120, 61, True, "more than half of registered voters"
    )
    assert recall.approval == RecallThreshold(
        "recall.passage.approval", 50, 62, 32, True, "more than half of ballots returned"
    )
    assert recall.passed and recall.rule == "recall.passage.approval"
    assert recall.source == "SEED 钱牌 第四条; S1 art 9"
    assert recall.decision.endswith(f"the recall passes. ({SOURCES_EN})")
    i18n.set_language("zh_CN")
    (chinese,) = result_sheet(db, election_id=eid).recalls
    assert chinese.approval.words == "参加投票选民的过半数"


def test_a_general_election_has_no_recall_results(db: Database, tmp_path: Path) -> None:
    ids = roll(db, tmp_path, VOTERS)
    run_election(db, ids, day=GENERAL_DAY, plan=GENERAL_PLAN)
    sheet = result_sheet(db)
    assert sheet.kind == "general" and sheet.recalls == ()


# ------------------------------------------------------------------ results print, end to end


def test_recall_passed_printed_in_english(
    db: Database, db_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    eid = recall_vote(db, tmp_path, votes_for=50, votes_against=10)
    name = list_members(db)[2].name
    out = tmp_path / "en"
    print_results(runner, db_url, eid, out, "en")

    sheet = text_of(out / "result-sheet.pdf")
    for words in (
        "Recall vote result sheet",
        "Vote day: 2027-02-04",
        "The recall vote is valid.",
        f"Member named: {name} (委员)",
        "For recall",
        "Against recall",
        "Abstentions",
        "Registered voters",
        "Ballots issued",
        "Ballots returned",
        "For recall: more than half of ballots returned",
        "Decision: Recall passed",
        f"({SOURCES_EN})",
        "ends on the day of the vote, 2027-02-04",
    ):
        assert words in sheet, words
    assert "For recall Against recall Abstentions Valid ballots 50 10 2 62" in sheet
    assert "Recall not passed" not in sheet
    for words in ENGLISH_ELECTION_WORDS + ("The election is", "Election day"):
        assert words not in sheet, words

    announcement = text_of(out / "announcement.pdf")
    for words in (
        "Announcement of the recall result",
        "Of 120 registered voters, 62 took part.",
        "Recall passed",
        f"The recall of {name} (委员) is passed",
        f"{name}'s membership of the 钱牌社区 residents' committee ends on the day of the vote, "
        "2027-02-04.",
        "Hereby announced.",
    ):
        assert words in announcement, words
    for words in ENGLISH_ELECTION_WORDS + ("Announcement of the elected",):
        assert words not in announcement, words

    for pdf in ("result-sheet", "announcement"):
        image = render_png(out / f"{pdf}.pdf", tmp_path / f"{pdf}-en")
        assert dark_pixels(image) > 2000, pdf


def test_recall_failed_printed_in_chinese(
    db: Database, db_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    # exactly half of the 62 ballots returned is not 过半数: the recall fails
    eid = recall_vote(db, tmp_path, votes_for=31, votes_against=29)
    name = list_members(db)[2].name
    out = tmp_path / "zh"
    print_results(runner, db_url, eid, out, "zh_CN")

    sheet = text_of(out / "result-sheet.pdf")
    for words in (
        "罢免表决计票结果报告单",
        "表决日期：2027年2月4日",
        "罢免表决有效。",
        f"被提出罢免的成员：{name}（委员）",
        "赞成罢免",
        "不赞成罢免",
        "弃权",
        "登记选民",
        "赞成罢免票：参加投票选民的过半数",
        "结论：罢免未通过",
        f"{name}继续担任居民委员会成员。",
        "（《钱牌社区自治章程》第四条；《城市居民委员会组织法》（2018年修正）第九条）",
    ):
        assert words.replace(" ", "") in flat(sheet), words
    assert "recall.passage" not in sheet and "S1 art" not in sheet  # no rule key on paper
    assert "赞成罢免 不赞成罢免 弃权 有效票数 31 29 2 62" in sheet
    for words in CHINESE_ELECTION_WORDS + ("罢免通过",):
        assert words not in sheet, words

    announcement = text_of(out / "announcement.pdf")
    for words in (
        "罢免结果公告",
        "登记选民 120 人，参加投票 62 人。表决结果如下：",
        "罢免未通过",
        f"对{name}（委员）的罢免未获通过，{name}继续担任钱牌社区居民委员会成员。",
        "特此公告。",
    ):
        assert words.replace(" ", "") in flat(announcement), words
    for words in CHINESE_ELECTION_WORDS + ("自表决之日",):
        assert words not in announcement, words

    for pdf in ("result-sheet", "announcement"):
        image = render_png(out / f"{pdf}.pdf", tmp_path / f"{pdf}-zh")
        assert dark_pixels(image) > 2000, pdf


def test_recall_passed_announcement_in_chinese(
    db: Database, db_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    eid = recall_vote(db, tmp_path, votes_for=32, votes_against=28)
    name = list_members(db)[2].name
    out = tmp_path / "zh"
    print_results(runner, db_url, eid, out, "zh_CN")
    sheet = text_of(out / "result-sheet.pdf")
    assert "结论：罢免通过" in sheet and "罢免未通过" not in sheet
    announcement = flat(text_of(out / "announcement.pdf"))
    assert (
        f"对{name}（委员）的罢免获得通过，{name}的钱牌社区居民委员会成员职务自表决之日"
        "（2027年2月4日）起终止。"
    ) in announcement


# ------------------------------------------------------------------ read-models built by hand

TURNOUT = RecallThreshold("recall.passage.turnout", 40, 120, 61, False, "登记选民的过半数")
APPROVAL = RecallThreshold("recall.passage.approval", 35, 40, 21, True, "参加投票选民的过半数")


def hand_sheet(**changes: object) -> ResultSheet:
    """A recall vote under a charter with a turnout threshold (南长寨): 40 of 120 took part,
    fewer than 过半数 of the registered voters, so the recall fails on turnout although 35
    of the 40 voted for it."""
    recall = RecallResult(
        name="王建国",
        office="主任",
        votes_for=35,
        votes_against=4,
        abstentions=1,
        valid_sections=40,
        invalid_sections=0,
        turnout=TURNOUT,
        approval=APPROVAL,
        passed=False,
        rule="recall.passage.turnout",
        source="S4 art 16",
        decision="40 of 120 registered voters took part: the recall fails. "
        "(recall.passage.turnout; S4 art 16)",
    )
    sheet = ResultSheet(
        community="南长寨社区",
        election_title="南长寨社区居民委员会成员罢免表决（王建国）",
        election_day=date(2027, 3, 1),
        registered_voters=120,
        ballots_printed=50,
        ballots_issued=40,
        ballots_returned=40,
        ballots_valid=40,
        ballots_invalid=0,
        valid=True,
        validity_reason=recall.decision,
        offices=(),
        digest="ab" * 32,
        kind="recall",
        recalls=(recall,),
    )
    return replace(sheet, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        pytest.param(
            "en",
            (
                "Turnout: 登记选民的过半数 40 120 61 no",
                "For recall: 参加投票选民的过半数 35 40 21 yes",
            ),
            id="recall.passage.turnout-row-before-approval-en",
        ),
        pytest.param(
            "zh_CN",
            (
                "参加投票人数：登记选民的过半数 40 120 61 否",
                "赞成罢免票：参加投票选民的过半数 35 40 21 是",
            ),
            id="recall.passage.turnout-row-before-approval-zh",
        ),
    ],
)
def test_turnout_threshold_is_printed(
    tmp_path: Path, font: FontChoice, lang: str, expected: tuple[str, str]
) -> None:
    i18n.set_language(lang)
    out = tmp_path / "sheet.pdf"
    render_result_sheet(hand_sheet(), out, font)
    text = text_of(out)
    for row in expected:
        assert row in text, row
    assert "(recall.passage.turnout; S4 art 16)" in text
    assert "turnout threshold" not in text and "未规定参加投票人数" not in text
    image = render_png(out, tmp_path / f"turnout-{lang}")
    assert dark_pixels(image) > 2000


def test_void_recall_vote(tmp_path: Path, font: FontChoice) -> None:
    """More ballots returned than issued void the vote ([count.reconciliation]): the sheet
    says so and decides nothing; no announcement is printed."""
    void = hand_sheet(
        valid=False,
        ballots_returned=41,
        validity_reason="41 ballots returned but only 40 issued: the election is void "
        "(count.reconciliation; 章程第十五条)",
        recalls=(),
    )
    out = tmp_path / "sheet.pdf"
    render_recall_sheet(void, out, font)
    text = text_of(out)
    assert "The recall vote is void." in text and "count.reconciliation" in text
    assert "it decides nothing, and the member stays" in text
    assert "Recall passed" not in text and "Recall not passed" not in text
    announcement = tmp_path / "announcement.pdf"
    with pytest.raises(StateError, match="the vote is void"):
        render_announcement(void, announcement, font)
    assert not announcement.exists()


def test_recall_renderers_refuse_an_election_sheet(tmp_path: Path, font: FontChoice) -> None:
    general = hand_sheet(kind="general", recalls=())
    with pytest.raises(ValueError, match="not a recall vote"):
        render_recall_sheet(general, tmp_path / "a.pdf", font)
    with pytest.raises(ValueError, match="not a recall vote"):
        render_recall_announcement(general, tmp_path / "b.pdf", font)


def test_recall_papers_same_bytes(tmp_path: Path, font: FontChoice) -> None:
    for render in (render_recall_sheet, render_recall_announcement):
        a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
        render(hand_sheet(), a, font)
        render(hand_sheet(), b, font)
        assert a.read_bytes() == b.read_bytes()


# ------------------------------------------------------------------ results show


def test_results_show_a_recall_vote(
    db: Database, db_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    eid = recall_vote(db, tmp_path, votes_for=50, votes_against=10)
    name = list_members(db)[2].name
    base = ["--db", db_url, "results", "show", "--election", str(eid)]
    r = runner.invoke(app, base)
    assert r.exit_code == 0, r.stderr
    for words in (
        f"Member named: {name} (委员)",
        "For recall",
        "Against recall",
        "Abstentions",
        "80.6%",  # 50 of 62 valid ballots
        "For recall: more than half of ballots returned: 50 of 62, at least 32 needed: met",
        "more than half of registered voters: 62 of 120, at least 61 needed: met",
        "Recall passed",
        f"({SOURCES_EN})",
    ):
        assert words in r.stdout, words
    assert "elected" not in r.stdout and "seats" not in r.stdout
    r = runner.invoke(app, ["--db", db_url, "--lang", "zh_CN", *base[2:]])
    assert r.exit_code == 0, r.stderr
    assert "赞成罢免票：参加投票选民的过半数：实际 50，基数 62，最低需要 32：已达到" in r.stdout
    assert "罢免通过" in r.stdout and "当选" not in r.stdout
    r = runner.invoke(app, [*base, "--json"])
    assert r.exit_code == 0, r.stderr
    (recall,) = json.loads(r.stdout)["recalls"]
    assert (recall["votes_for"], recall["votes_against"], recall["abstentions"]) == (50, 10, 2)
    assert recall["passed"] is True and recall["turnout"]["met"] is True
    assert recall["approval"] == {
        "rule": "recall.passage.approval",
        "count": 50,
        "base": 62,
        "minimum": 32,
        "met": True,
        "words": "more than half of ballots returned",
    }
