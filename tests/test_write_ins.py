"""Write-ins exactly as on paper: a name of no voter of the community (or misspelt), or an
illegible one, is recorded as written and counts for nobody (非本社区选民 / 无法辨认); the rest
of the ballot counts. Rule rows, the CLI path, and a property against a plain recount."""

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.community import init_community
from juwei.elections.count import BallotEntry, count_election, record_ballots, result_sheet
from juwei.elections.db import Database
from juwei.elections.election import new_election
from juwei.elections.poll import issue_from_sheet, print_ballots
from juwei.elections.readmodels import BallotPaper
from juwei.rules.charter import load_charter
from juwei.rules.counting import (
    OfficeSeats,
    Section,
    VoidMark,
    judge_ballot,
    void_mark,
    write_in_person,
)
from tests.boxes import close_and_open
from tests.committee import GENERAL_DAY, GENERAL_PLAN, nominate_plan, roll

QIANPAI = load_charter("qianpai")
M = "member"


# ------------------------------------------------------------------ rule rows


@pytest.mark.parametrize(
    ("name", "ids", "person", "void"),
    [
        pytest.param("张三", [7], "v7", None, id="one-voter-of-that-name"),
        pytest.param("张三", [7, 9], "w:张三", None, id="homonym-to-identify"),
        pytest.param("张叁", [], "x:张叁", VoidMark.NOT_A_VOTER, id="非本社区选民-or-misspelt"),
        pytest.param("?", [], "x:illegible", VoidMark.ILLEGIBLE, id="无法辨认"),
        pytest.param("无法辨认", [3], "x:illegible", VoidMark.ILLEGIBLE, id="无法辨认-typed"),
    ],
)
def test_write_in_person(name: str, ids: list[int], person: str, void: VoidMark | None) -> None:
    assert write_in_person(name, ids) == person
    assert void_mark(person) is void


def test_rule_row_the_void_mark_counts_for_nobody_the_rest_counts() -> None:
    """ballot.overvote (V1–V3): the section stays valid; the mark for 张叁 gives no vote."""
    judged = judge_ballot(
        QIANPAI,
        [OfficeSeats("director", 1), OfficeSeats(M, 5)],
        {"director": Section(for_=("v1",)), M: Section(for_=("v2", "v3"), write_in=("x:张叁",))},
    )
    assert judged.valid
    member = judged.section(M)
    assert member.valid and member.votes == ("v2", "v3")
    assert "张叁: not a voter of this community (非本社区选民), counts for nobody" in member.reason
    assert judged.section("director").votes == ("v1",)


def test_rule_row_a_void_mark_is_still_a_name_marked() -> None:
    """ballot.overvote (V1–V3: more names than seats → invalid): 5 candidates and an
    illegible write-in are 6 names for 5 seats; the section is invalid."""
    judged = judge_ballot(
        QIANPAI,
        [OfficeSeats(M, 5)],
        {M: Section(for_=("v1", "v2", "v3", "v4", "v5"), write_in=("x:illegible",))},
    )
    assert not judged.section(M).valid and judged.section(M).rule == "ballot.overvote"


def test_rule_row_void_marks_are_not_the_same_person() -> None:
    """ballot.same_person (V1): the same unknown name in two offices names nobody twice."""
    judged = judge_ballot(
        QIANPAI,
        [OfficeSeats("deputy", 1), OfficeSeats(M, 5)],
        {"deputy": Section(write_in=("x:张叁",)), M: Section(write_in=("x:张叁",))},
    )
    assert judged.valid and judged.section("deputy").valid and judged.section(M).valid


# ------------------------------------------------------------------ the engine


def build(path: Path) -> tuple[BallotPaper, list[str]]:
    """qianpai, 120 voters, the 等额 slate, 80 ballots printed and issued; the paper and the
    names on the roll borne by exactly one voter and not candidates."""
    db = Database(f"sqlite:///{path / 'template.db'}")
    init_community(db, "钱牌社区", "qianpai", operator="t")
    ids = roll(db, path, 120)
    new_election(db, day=GENERAL_DAY, operator="t")
    nominate_plan(db, ids, day=GENERAL_DAY, plan=GENERAL_PLAN)
    papers: list[BallotPaper] = []
    print_ballots(db, 80, lambda paper, _s: papers.append(paper), operator="t")
    (path / "sheet.csv").write_text("公民身份号码\n" + "\n".join(ids[:80]) + "\n", encoding="utf-8")
    issue_from_sheet(db, path / "sheet.csv", box="中心会场", on=GENERAL_DAY, operator="t")
    from sqlmodel import select

    from juwei.elections.models import Voter

    with db.read() as session:
        names = Counter(session.exec(select(Voter.name)).all())
    db.close()
    candidates = {c.name for o in papers[0].offices for c in o.candidates}
    unique = sorted(n for n, k in names.items() if k == 1 and n not in candidates)
    return papers[0], unique


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BallotPaper, list[str]]:
    folder = tmp_path_factory.mktemp("writeins")
    paper, unique = build(folder)
    return folder / "template.db", paper, unique


def fresh(template: Path, folder: Path) -> tuple[str, Database]:
    target = folder / "x.db"
    shutil.copy(template, target)
    url = f"sqlite:///{target}"
    return url, Database(url)


def test_cli_non_roll_write_in_recorded_and_counted_for_nobody(
    template: tuple[Path, BallotPaper, list[str]], tmp_path: Path
) -> None:
    path, paper, unique = template
    url, db = fresh(path, tmp_path)
    db.close()
    titles = {o.key: o for o in paper.offices}
    member = titles[M]
    first = [c.name for c in member.candidates]
    lines = []
    for n in range(1, 81):
        sections: dict[str, dict[str, list[str]]] = {
            titles["director"].title: {"for": [titles["director"].candidates[0].name]},
            titles["deputy"].title: {"for": [titles["deputy"].candidates[0].name]},
        }
        if n <= 10:  # four candidates and a stranger
            sections[member.title] = {"for": first[:4], "write_in": ["冒名者"]}
        elif n <= 15:  # four candidates and an illegible name
            sections[member.title] = {"for": first[:4], "write_in": ["?"]}
        else:
            sections[member.title] = {"for": first}
        lines.append(
            json.dumps(
                {
                    "bundle": 1 + (n - 1) // 40,
                    "position": 1 + (n - 1) % 40,
                    "sections": sections,
                },
                ensure_ascii=False,
            )
        )
    (tmp_path / "b.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    boxes = Database(url)
    try:
        close_and_open(boxes, {"中心会场": 80})
    finally:
        boxes.close()
    runner = CliRunner(env={"JUWEI_LANG": "en"})
    r = runner.invoke(app, ["--db", url, "count", "import", str(tmp_path / "b.jsonl")])
    assert r.exit_code == 0, r.output  # recorded as written: not refused
    r = runner.invoke(app, ["--db", url, "count", "run"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--db", url, "results", "show", "--json"])
    sheet = json.loads(r.stdout)
    (office,) = [o for o in sheet["offices"] if o["office"] == member.title]
    votes = {c["name"]: c["votes"] for c in office["results"]}
    assert votes[first[0]] == 80 and votes[first[4]] == 65  # the rest of the ballot counts
    assert "冒名者" not in votes and "?" not in votes  # counts for nobody
    db = Database(url)
    (member_result,) = [o for o in result_sheet(db).offices if o.title == member.title]
    db.close()
    assert member_result.invalid_sections == 0  # a void mark leaves its section valid
    db = Database(url)
    whole = result_sheet(db)
    db.close()
    assert (whole.electorate_kind, whole.electorate) == ("registered_voters", 120)


def plain_recount(
    ballots: list[tuple[list[str], list[str]]], candidates: list[str], voters: set[str]
) -> tuple[Counter[str], int]:
    """Count the member sections by hand: distinct names (a candidate's name written in is the
    candidate; every unreadable name is one '?'); more than 5 → invalid; a name of a voter or
    candidate gets one vote; anything else nobody."""
    votes: Counter[str] = Counter()
    invalid = 0
    for for_, written in ballots:
        names = list(dict.fromkeys([*for_, *("?" if w == "?" else w for w in written)]))
        if len(names) > 5:
            invalid += 1
            continue
        for name in names:
            if name in candidates or name in voters:
                votes[name] += 1
    return votes, invalid


STRANGERS = ["冒名者", "张叁丰", "?"]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_property_engine_equals_plain_recount(
    template: tuple[Path, BallotPaper, list[str]],
    tmp_path_factory: pytest.TempPathFactory,
    data: st.DataObject,
) -> None:
    path, paper, unique = template
    member = next(o for o in paper.offices if o.key == M)
    candidates = [c.name for c in member.candidates]
    voters = set(unique[:6])
    pool = candidates + sorted(voters) + STRANGERS
    ballots = data.draw(
        st.lists(
            st.tuples(
                st.lists(st.sampled_from(candidates), max_size=5, unique=True),
                st.lists(st.sampled_from(pool), max_size=3),
            ),
            min_size=1,
            max_size=30,
        )
    )
    url, db = fresh(path, tmp_path_factory.mktemp("p"))
    entries = [
        BallotEntry(1, n, {member.title: (tuple(for_), (), tuple(written))})
        for n, (for_, written) in enumerate(ballots, start=1)
    ]
    # blank ballots up to 65 of 120 returned, so that the election is valid (过半数, P5)
    entries += [BallotEntry(1, n, {}) for n in range(len(ballots) + 1, 66)]
    close_and_open(db, {"中心会场": 65})
    record_ballots(db, entries, operator="t")
    count_election(db, operator="t")
    sheet = result_sheet(db)
    db.close()
    office = next(o for o in sheet.offices if o.title == member.title)
    engine = Counter({c.name: c.votes for c in office.results if c.votes})
    expected, invalid = plain_recount(ballots, candidates, voters)
    assert engine == expected
    assert office.invalid_sections == invalid
