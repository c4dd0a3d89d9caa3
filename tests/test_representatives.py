"""Residents' representatives (居民代表): per group, units, terms, vacancies, and their use."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.db import Database
from juwei.elections.models import Event, Representative, Voter
from juwei.elections.representatives import (
    add_representative,
    end_representative,
    list_representatives,
)
from juwei.elections.status import committee_status
from juwei.errors import EligibilityError, InputError, NotFoundError, StateError
from tests.committee import roll_by_group
from tests.conftest import Scenario

DAY = date(2027, 1, 10)


@pytest.fixture
def people(scenario: Scenario) -> dict[str, list[str]]:
    """ID numbers of the roll by residents' group."""
    return scenario(roll_by_group)


def rows(db: Database) -> tuple[int, int]:
    with db.read() as s:
        return len(s.exec(select(Representative)).all()), len(s.exec(select(Event)).all())


def test_a_group_chooses_two_to_three_representatives(
    db: Database, people: dict[str, list[str]]
) -> None:
    g1 = people["第1组"]
    first = add_representative(db, g1[0], on=DAY, group="第1组", operator="t")
    # 钱牌: three-year term (SEED 钱牌 第十条)
    assert (first.term_start, first.term_end, first.method) == (DAY, date(2030, 1, 10), "elected")
    assert "*" in first.masked_id and first.masked_id != g1[0]
    _, seats = list_representatives(db, on=DAY)
    [group1] = [g for g in seats if g.group == "第1组"]
    assert (group1.serving, group1.minimum, group1.maximum, group1.vacancies) == (1, 2, 3, 1)
    add_representative(db, g1[1], on=DAY, group="第1组", operator="t")
    add_representative(db, g1[2], on=DAY, group="第1组", operator="t")
    # per_group.max = 3: a fourth is refused, nothing written
    before = rows(db)
    with pytest.raises(StateError, match="already has 3 representatives"):
        add_representative(db, g1[3], on=DAY, group="第1组", operator="t")
    assert rows(db) == before
    # one leaves: the group is back to 2, and may choose again
    end_representative(db, first.id, on=date(2028, 5, 1), reason="moved away", operator="t")
    after, _ = list_representatives(db, on=date(2028, 5, 1))
    assert first.id not in {i.id for i in after}
    add_representative(db, g1[3], on=date(2028, 5, 2), group="第1组", operator="t")
    infos, _ = list_representatives(db, on=date(2028, 5, 2), include_former=True)
    assert len(infos) == 4


@pytest.mark.parametrize(
    ("case", "error", "message"),
    [
        ("other-group", EligibilityError, "not a resident of the group"),
        ("unknown-group", NotFoundError, "No residents' group"),
        ("twice", StateError, "already a serving representative"),
        ("under-18", EligibilityError, "not eligible"),
        ("neither", InputError, "either --group or --unit"),
        ("not-on-roll", NotFoundError, "not on this community's roll"),
    ],
)
def test_bad_representatives_are_refused(
    db: Database, people: dict[str, list[str]], case: str, error: type, message: str
) -> None:
    g1, g2 = people["第1组"], people["第2组"]
    add_representative(db, g1[0], on=DAY, group="第1组", operator="t")
    before = rows(db)
    on, group, unit, number = DAY, "第1组", None, g1[1]
    if case == "other-group":
        number = g2[0]
    elif case == "unknown-group":
        group = "第99组"
    elif case == "twice":
        number, group, unit = g1[0], None, "某某公司"  # already serves for the group
    elif case == "under-18":
        birth = datetime.strptime(g1[1][6:14], "%Y%m%d").date()
        on = date(birth.year + 17, 6, 1) if birth.month != 2 else date(birth.year + 17, 1, 1)
    elif case == "neither":
        group = None
    elif case == "not-on-roll":
        from tests.conftest import id_number

        number = id_number("19800101", "123")
    with pytest.raises(error, match=message):
        add_representative(db, number, on=on, group=group, unit=unit, operator="t")
    assert rows(db) == before


def test_units_send_representatives(db: Database, people: dict[str, list[str]]) -> None:
    unit = add_representative(db, people["第2组"][0], on=DAY, unit="社区卫生服务站", operator="t")
    assert (unit.method, unit.unit, unit.group) == ("unit_nominated", "社区卫生服务站", None)
    _, seats = list_representatives(db, on=DAY)
    assert all(g.serving == 0 for g in seats)  # a unit's representative fills no group seat
    assert committee_status(db, on=DAY).representatives == 1
    end_representative(db, unit.id, on=DAY, reason="the unit moved", operator="t")
    with pytest.raises(StateError, match="already left"):
        end_representative(db, unit.id, on=DAY, reason="x", operator="t")
    assert committee_status(db, on=DAY).representatives == 0


def test_cli_representatives(
    db: Database, db_url: str, people: dict[str, list[str]], runner: CliRunner
) -> None:
    g1 = people["第1组"]
    db.close()
    base = ["--db", db_url, "representatives"]
    result = runner.invoke(app, [*base, "add", g1[0], "--group", "第1组", "--on", "2027-01-10"])
    assert result.exit_code == 0, result.stderr
    assert g1[0] not in result.stdout  # the ID number is masked
    result = runner.invoke(
        app, [*base, "add-unit", g1[1], "--unit", "物业公司", "--on", "2027-01-10"]
    )
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, [*base, "list", "--on", "2027-01-10", "--json"])
    doc = json.loads(result.stdout)
    assert [(r["group"], r["unit"]) for r in doc["representatives"]] == [
        ("第1组", None),
        (None, "物业公司"),
    ]
    assert all(g1[0] != r["id_number"] for r in doc["representatives"])
    result = runner.invoke(app, [*base, "list", "--on", "2027-01-10"])
    assert "short of the charter's 2" in result.stdout
    result = runner.invoke(app, [*base, "add", g1[2], "--group", "第99组"])
    assert result.exit_code == 5 and "No residents' group" in result.stderr
    result = runner.invoke(app, [*base, "end", "1", "--on", "2027-02-01", "--reason", " "])
    assert result.exit_code == 3
    result = runner.invoke(app, [*base, "end", "1", "--on", "2027-02-01", "--reason", "ill"])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, [*base, "end", "9", "--on", "2027-02-01", "--reason", "ill"])
    assert result.exit_code == 5


@pytest.mark.parametrize(
    ("turnout", "valid"),
    [
        # election.modes.representative.quorum: at least 2/3 of the representatives (P5)
        pytest.param(6, True, id="6-of-9-exactly-two-thirds-valid"),
        pytest.param(5, False, id="5-of-9-void"),
    ],
)
def test_a_representative_mode_election_has_the_representatives_as_its_roll(
    db: Database, people: dict[str, list[str]], turnout: int, valid: bool
) -> None:
    from tests.committee import GENERAL_DAY, GENERAL_PLAN, run_election

    reps = []
    for group in ("第1组", "第2组", "第3组"):
        for number in people[group][:3]:
            add_representative(db, number, on=date(2026, 11, 1), group=group, operator="t")
            reps.append(number)
    others = [n for g in people.values() for n in g if n not in reps]
    ids = reps + others
    if not valid:
        with pytest.raises(StateError, match="because it is void"):
            run_election(
                db, ids, day=GENERAL_DAY, plan=GENERAL_PLAN, mode="representative", turnout=turnout
            )
        return
    seated = run_election(
        db, ids, day=GENERAL_DAY, plan=GENERAL_PLAN, mode="representative", turnout=turnout
    )
    assert len(seated) == 7
    from juwei.elections.election import show_election

    with db.read() as s:
        from juwei.elections.models import Election

        election = s.get(Election, show_election(db).id)
        assert election is not None and election.representatives == 9


def test_only_representatives_receive_a_ballot_in_representative_mode(
    db: Database, people: dict[str, list[str]], tmp_path: Path
) -> None:
    from juwei.elections.election import new_election
    from juwei.elections.models import Issuance
    from juwei.elections.poll import issue_ballot, issue_from_sheet
    from juwei.errors import JuweiError
    from tests.committee import GENERAL_DAY

    rep = people["第1组"][0]
    add_representative(db, rep, on=date(2026, 11, 1), group="第1组", operator="t")
    new_election(db, day=GENERAL_DAY, mode="representative", operator="t")
    with db.write() as s:  # skip the slate: issuing only needs printed ballots
        from juwei.elections.models import Election

        election = s.exec(select(Election)).one()
        election.state = "ballots_printed"
        s.add(election)
    with pytest.raises(EligibilityError, match="not a serving residents' representative"):
        issue_ballot(db, people["第1组"][1], box="会场", on=GENERAL_DAY, operator="t")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(f"公民身份号码\n{rep}\n{people['第2组'][0]}\n", encoding="utf-8")
    with pytest.raises(JuweiError, match="not a serving residents' representative"):
        issue_from_sheet(db, sheet, box="会场", on=GENERAL_DAY, operator="t")
    with db.read() as s:
        assert s.exec(select(Issuance)).all() == []
    issue_ballot(db, rep, box="会场", on=GENERAL_DAY, operator="t")


def test_audit_verify_recomputes_the_representatives_base_from_their_term_records(
    db: Database, people: dict[str, list[str]]
) -> None:
    """Issue 11 §3: in representative mode the quorum base is the representatives serving on
    the election day (S1 art 8). A representative slipped in afterwards with a term covering
    that day changes the base the count relied on: verify names it; untouched, it passes."""
    from juwei.elections.verify import verify_database
    from tests.committee import GENERAL_DAY, GENERAL_PLAN, run_election

    reps = []
    for group in ("第1组", "第2组", "第3组"):
        for number in people[group][:3]:
            add_representative(db, number, on=date(2026, 11, 1), group=group, operator="t")
            reps.append(number)
    others = [n for g in people.values() for n in g if n not in reps]
    run_election(
        db, reps + others, day=GENERAL_DAY, plan=GENERAL_PLAN, mode="representative", turnout=6
    )
    base = "quorum base from the roll"
    checks = {c.name: c for c in verify_database(db).checks}
    assert checks[base].ok, checks[base].found
    with db.write() as s:  # the forger: a tenth representative, serving on the election day
        serving = set(s.exec(select(Representative.voter_id)).all())
        voter_id = next(v for v in s.exec(select(Voter.id)).all() if v not in serving)
        row = s.exec(select(Representative)).first()
        assert row is not None
        s.add(
            Representative(
                community_id=row.community_id,
                group_id=row.group_id,
                voter_id=voter_id,
                method="elected",
                term_start=date(2026, 10, 1),
                term_end=date(2031, 10, 1),
                created_at=datetime(2026, 10, 1, tzinfo=UTC),
            )
        )
    checks = {c.name: c for c in verify_database(db).checks}
    assert not checks[base].ok
    assert checks[base].found == (
        "representatives: 10 serve on the election day by their term records, the log recorded 9"
    )


def test_a_member_elected_by_representatives_is_recalled_by_them_with_their_base(
    db: Database, people: dict[str, list[str]], tmp_path: Path
) -> None:
    """Issue 12 §2: the recall vote follows the mode the member was elected by (S1 art 8),
    with that mode's base (S1 art 9): only the serving representatives get a ballot, and the
    turnout is taken of the 9 representatives, not of the 120 voters — 5 of 9 representatives
    taking part meets 'more than half', where 5 of 120 voters would not."""
    from juwei.elections.count import BallotEntry, count_election, record_ballots, result_sheet
    from juwei.elections.models import Election
    from juwei.elections.poll import issue_ballot, print_ballots
    from juwei.elections.readmodels import BallotPaper
    from juwei.elections.recall import decide_petition, open_recall_vote
    from tests.boxes import close_and_open
    from tests.committee import GENERAL_DAY, GENERAL_PLAN, run_election
    from tests.test_recall import FILED, petition
    from tests.test_recall_sheet import VOTE_DAY

    reps = []
    for group in ("第1组", "第2组", "第3组"):
        for number in people[group][:3]:
            add_representative(db, number, on=date(2026, 11, 1), group=group, operator="t")
            reps.append(number)
    others = [n for g in people.values() for n in g if n not in reps]
    run_election(
        db, reps + others, day=GENERAL_DAY, plan=GENERAL_PLAN, mode="representative", turnout=6
    )
    pid = petition(db, tmp_path, others, others[20:44])
    decide_petition(db, pid, on=FILED + timedelta(days=2), operator="t")
    eid = open_recall_vote(db, pid, day=VOTE_DAY, operator="t").vote_election_id
    assert eid is not None
    with db.read() as s:
        vote = s.get(Election, eid)
        assert vote is not None and vote.mode == "representative"
    papers: list[BallotPaper] = []
    print_ballots(db, 6, lambda paper, _s: papers.append(paper), election_id=eid, operator="t")
    with pytest.raises(EligibilityError, match="not a serving residents' representative"):
        issue_ballot(db, others[0], box="中心会场", on=VOTE_DAY, election_id=eid, operator="t")
    for number in reps[:5]:
        issue_ballot(db, number, box="中心会场", on=VOTE_DAY, election_id=eid, operator="t")
    (office,) = papers[0].offices
    (cand,) = office.candidates
    entries = [
        BallotEntry(1, n + 1, {office.title: ((cand.name,), (), ()) if n < 3 else ((), (), ())})
        for n in range(5)
    ]
    close_and_open(db, on=VOTE_DAY, election_id=eid)
    record_ballots(db, entries, election_id=eid, operator="t")
    count_election(db, election_id=eid, operator="t")
    (recall,) = result_sheet(db, election_id=eid).recalls
    assert recall.turnout is not None
    assert (recall.turnout.count, recall.turnout.base, recall.turnout.met) == (5, 9, True)
    assert recall.passed  # 3 of the 5 returned: more than half
