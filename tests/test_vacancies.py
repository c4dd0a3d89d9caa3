"""Vacancies (缺额) and by-elections (补选): engine and CLI, end to end."""

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.count import certified_term
from juwei.elections.db import Database
from juwei.elections.election import new_election
from juwei.elections.members import list_members, resign, terminate
from juwei.elections.vacancies import list_vacancies
from juwei.errors import InputError, StateError
from tests.committee import certified_committee, roll, run_election
from tests.conftest import Scenario

TERM_END = date(2029, 12, 20)  # 钱牌: three years from the general election day
BY_DAY = date(2028, 4, 20)


@pytest.fixture
def committee(scenario: Scenario) -> list[str]:
    """A certified 钱牌 committee (members: the first seven voters); the roll's ID numbers."""
    return scenario(certified_committee)


def member_id(db: Database, office: str, index: int = 0) -> str:
    return str([m.id for m in list_members(db) if m.office_key == office and m.serving][index])


def test_a_full_committee_has_no_vacancy(db: Database, committee: list[str]) -> None:
    assert list_vacancies(db, on=BY_DAY) == []
    with pytest.raises(StateError, match="no vacancy"):
        new_election(db, day=BY_DAY, kind="by_election", operator="t")


def test_a_resignation_opens_a_vacancy_that_a_by_election_fills(
    db: Database, committee: list[str]
) -> None:
    ids = committee
    gone = member_id(db, "member", 2)
    resign(db, gone, on=date(2028, 3, 1), reason="moved away", operator="t")
    # 1. the vacancy, with the 钱牌 rule: always by-elected, promptly
    [vacancy] = list_vacancies(db, on=BY_DAY)
    assert (vacancy.office_key, vacancy.since, vacancy.cause) == (
        "member",
        date(2028, 3, 1),
        "resigned",
    )
    assert vacancy.term_end == TERM_END
    assert vacancy.decision.required and vacancy.decision.deadline is None
    assert vacancy.decision.source.startswith("SEED 钱牌 第四条")
    # not yet vacant the day before the resignation took effect
    assert list_vacancies(db, on=date(2028, 2, 29)) == []
    # 2. a by-election for an office with no vacancy is refused, and nothing is created
    with pytest.raises(StateError, match="director.*has no vacancy"):
        new_election(db, day=BY_DAY, kind="by-election", offices=["director"], operator="t")
    with pytest.raises(InputError, match="no office chairman"):
        new_election(db, day=BY_DAY, kind="by-election", offices=["chairman"], operator="t")
    with pytest.raises(InputError, match="use --office"):
        new_election(db, day=BY_DAY, kind="by_election", seats={"member": 1}, operator="t")
    # 3. the by-election: one 委员 seat, through the same pipeline (差额: two candidates)
    seated = run_election(
        db, ids, day=BY_DAY, plan={"member": [20, 21]}, kind="by_election", offices=["member"]
    )
    assert [(m.office, m.term_start, m.term_end) for m in seated] == [("委员", BY_DAY, TERM_END)]
    # the by-elected member's term ends with the committee's, not three years on
    assert certified_term(db) == (BY_DAY, TERM_END)
    # 4. the vacancy is filled: no longer listed, the committee has seven serving members
    assert list_vacancies(db, on=BY_DAY) == []
    serving = [m for m in list_members(db) if m.serving]
    assert len(serving) == 7 and {m.term_end for m in serving} == {TERM_END}
    with pytest.raises(StateError, match="no vacancy"):
        new_election(db, day=date(2028, 5, 1), kind="by_election", operator="t")


def test_two_vacancies_of_two_offices(db: Database, committee: list[str]) -> None:
    terminate(
        db, member_id(db, "director"), on=date(2028, 1, 5), cause="death", reason="x", operator="t"
    )
    resign(db, member_id(db, "member", 0), on=date(2028, 2, 1), reason="ill", operator="t")
    vacancies = list_vacancies(db, on=BY_DAY)
    assert [(v.office_key, v.cause) for v in vacancies] == [
        ("director", "deceased"),
        ("member", "resigned"),
    ]
    info = new_election(db, day=BY_DAY, kind="by_election", operator="t")
    assert info.kind == "by_election"
    assert [(o.key, o.seats) for o in info.offices] == [("director", 1), ("member", 1)]
    assert "补选" in info.title


def test_no_by_election_after_the_term(db: Database, committee: list[str]) -> None:
    resign(db, member_id(db, "deputy"), on=date(2029, 12, 1), reason="x", operator="t")
    with pytest.raises(StateError, match="after the end of the current term"):
        new_election(db, day=date(2029, 12, 21), kind="by_election", operator="t")


def test_no_committee_no_by_election(db: Database, tmp_path: Path) -> None:
    roll(db, tmp_path)
    with pytest.raises(StateError, match="No committee has been elected yet"):
        new_election(db, day=BY_DAY, kind="by_election", operator="t")


# ----------------------------------------------------------------------------------- CLI


def test_cli_vacancies_and_by_election(
    db: Database, db_url: str, committee: list[str], runner: CliRunner
) -> None:
    gone = member_id(db, "deputy")
    resign(db, gone, on=date(2028, 3, 1), reason="moved away", operator="t")
    db.close()
    result = runner.invoke(app, ["--db", db_url, "vacancies", "--on", "2028-04-01", "--json"])
    assert result.exit_code == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert row["office"] == "deputy" and row["since"] == "2028-03-01"
    assert row["cause"] == "resigned" and row["by_election_required"] is True
    assert row["deadline"] is None and row["rule"] == "by_election.triggers"
    assert row["by_election"] is None
    result = runner.invoke(app, ["--db", db_url, "vacancies", "--on", "2028-04-01"])
    assert result.exit_code == 0
    assert "deputy director" in result.stdout or "副主任" in result.stdout
    assert "promptly" in result.stdout
    # a by-election for an office with no vacancy: exit 6, nothing created
    args = ["--db", db_url, "election", "new", "--kind", "by-election", "--day", "2028-04-20"]
    result = runner.invoke(app, [*args, "--office", "member"])
    assert result.exit_code == 6
    assert "has no vacancy" in result.stderr
    listed = runner.invoke(app, ["--db", db_url, "election", "list", "--json"])
    assert len(json.loads(listed.stdout)) == 1
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["kind"] == "by_election"
    assert [(o["key"], o["seats"]) for o in created["offices"]] == [("deputy", 1)]
    # the vacancy now names the by-election under way
    result = runner.invoke(app, ["--db", db_url, "vacancies", "--on", "2028-04-01", "--json"])
    [row] = json.loads(result.stdout)
    assert row["by_election"] == created["id"]
    result = runner.invoke(app, ["--db", db_url, "vacancies", "--on", "2028-04-01"])
    assert "by-election 2 under way" in result.stdout and "Next:" not in result.stdout


def test_cli_no_vacancy_message(
    db: Database, db_url: str, committee: list[str], runner: CliRunner
) -> None:
    db.close()
    result = runner.invoke(app, ["--db", db_url, "vacancies", "--on", "2028-04-01"])
    assert result.exit_code == 0
    assert "No vacancy" in result.stdout


def is_man(id_number: str) -> bool:
    return int(id_number[16]) % 2 == 1


def test_the_women_rule_looks_at_the_whole_committee(db: Database, committee: list[str]) -> None:
    """committee.women: a man by-elected into a committee that still has a woman raises no
    women flag (the serving members count as elected before the by-election)."""
    from juwei.elections.count import result_sheet

    ids = committee
    assert any(not is_man(ids[i]) for i in range(2, 7)), "the seed roll has a woman member"
    members = [m for m in list_members(db) if m.office_key == "member"]
    resign(db, str(members[0].id), on=date(2028, 3, 1), reason="moved away", operator="t")
    man = next(i for i in range(20, 60) if is_man(ids[i]))
    other = next(i for i in range(man + 1, 60) if is_man(ids[i]))
    run_election(db, ids, day=BY_DAY, plan={"member": [man, other]}, kind="by_election")
    sheet = result_sheet(db)
    assert sheet.women_note == ""


def test_a_serving_member_by_elected_to_another_office_must_leave_the_old_seat(
    db: Database, committee: list[str]
) -> None:
    """One seat per person: a 委员 by-elected 主任 is not seated while still a 委员."""
    from juwei.elections.count import certify
    from juwei.elections.election import show_election

    ids = committee
    resign(db, member_id(db, "director"), on=date(2028, 3, 1), reason="retired", operator="t")
    with pytest.raises(StateError, match="still serves as 委员"):
        run_election(db, ids, day=BY_DAY, plan={"director": [2]}, kind="by_election")
    assert show_election(db).state == "counted"  # nothing certified
    moving = next(m for m in list_members(db) if m.serving and m.name == ids_name(db, ids[2]))
    resign(db, str(moving.id), on=BY_DAY, reason="by-elected director", operator="t")
    [seated] = certify(db, on=BY_DAY, operator="t")
    assert (seated.office, seated.term_end) == ("主任", TERM_END)
    # the old 委员 seat is now the open vacancy
    assert [(v.office_key, v.since) for v in list_vacancies(db, on=BY_DAY)] == [("member", BY_DAY)]


def ids_name(db: Database, number: str) -> str:
    from sqlmodel import select

    from juwei.elections.models import Voter

    with db.read() as s:
        return s.exec(select(Voter.name).where(Voter.id_number == number)).one()


def test_recall_then_by_election_end_to_end(
    db: Database, committee: list[str], tmp_path: Path
) -> None:
    """The issue's story: certify a committee, petition, defend, vote, remove, by-elect, and
    the by-elected member's term ends with the committee's."""
    from datetime import timedelta

    from juwei.elections.count import certify
    from juwei.elections.recall import decide_petition, record_defence
    from tests.test_recall import FILED, petition, run_recall_vote

    ids = committee
    target = next(m for m in list_members(db) if m.office_key == "member")
    pid = petition(db, tmp_path, ids, ids[20:44], member=str(target.id))  # 24 of 120: 1/5
    decide_petition(db, pid, on=FILED + timedelta(days=2), operator="t")
    record_defence(db, pid, "本人一直认真履职。", on=FILED + timedelta(days=5), operator="t")
    vote_day = FILED + timedelta(days=25)
    eid = run_recall_vote(db, ids, pid, day=vote_day, votes_for=50, votes_against=10)
    certify(db, on=vote_day, election_id=eid, operator="t")  # passed: the membership ends
    # removed: the seat is vacant from the vote day, to be by-elected
    [vacancy] = list_vacancies(db, on=vote_day)
    assert (vacancy.member_id, vacancy.cause, vacancy.since) == (target.id, "recalled", vote_day)
    assert vacancy.decision.required
    by_day = vote_day + timedelta(days=40)
    [seated] = run_election(db, ids, day=by_day, plan={"member": [50]}, kind="by_election")
    assert (seated.office, seated.term_start, seated.term_end) == ("委员", by_day, TERM_END)
    assert list_vacancies(db, on=by_day) == []
    serving = [m for m in list_members(db) if m.serving]
    assert len(serving) == 7 and {m.term_end for m in serving} == {TERM_END}
