"""``juwei status``: the committee now — members, term, next general election, vacancies."""

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.community import init_community
from juwei.elections.db import Database
from juwei.elections.members import list_members, resign
from juwei.elections.status import committee_status
from tests.committee import GENERAL_DAY, GENERAL_PLAN, certified_committee, roll, run_election
from tests.conftest import Scenario

TERM_END = date(2029, 12, 20)


@pytest.fixture
def committee(scenario: Scenario) -> list[str]:
    """A certified 钱牌 committee (members: the first seven voters); the roll's ID numbers."""
    return scenario(certified_committee)


def test_status_before_any_election(db: Database) -> None:
    s = committee_status(db, on=GENERAL_DAY)
    assert s.term is None and s.members == () and s.days_to_general is None
    assert (s.term_years, s.reelection, s.seats) == (3, True, 7)


def test_status_of_a_full_committee(db: Database, committee: list[str]) -> None:
    s = committee_status(db, on=date(2028, 12, 20))
    assert s.term is not None and (s.term.start, s.term.end) == (GENERAL_DAY, TERM_END)
    assert s.days_to_general == (TERM_END - date(2028, 12, 20)).days == 365
    assert [m.office_key for m in s.members] == ["director", "deputy"] + ["member"] * 5
    assert all(not m.by_elected for m in s.members)
    assert s.vacancies == () and s.petitions == ()
    # on the term's last day the general election is due today; after it, overdue
    assert committee_status(db, on=TERM_END).days_to_general == 0
    assert committee_status(db, on=date(2029, 12, 30)).days_to_general == -10


def test_urban_charter_terms_are_five_years(db_url: str, tmp_path: Path) -> None:
    urban = Database(db_url)  # a fresh database: no community yet
    try:
        init_community(urban, "城区社区", "urban-2018", operator="t")
        ids = roll(urban, tmp_path)
        run_election(urban, ids, day=GENERAL_DAY, plan=GENERAL_PLAN)
        s = committee_status(urban, on=GENERAL_DAY)
        assert s.term is not None and s.term.end == date(2031, 12, 20)
        assert s.term_years == 5 and s.days_to_general == (date(2031, 12, 20) - GENERAL_DAY).days
    finally:
        urban.close()


def test_members_may_be_re_elected(db: Database, committee: list[str]) -> None:
    """[term].reelection: the same seven are elected again at the next general election; the
    new term replaces the old one in the status."""
    ids = committee
    seated = run_election(db, ids, day=TERM_END, plan=GENERAL_PLAN)
    assert {(m.term_start, m.term_end) for m in seated} == {(TERM_END, date(2032, 12, 20))}
    s = committee_status(db, on=date(2030, 1, 1))
    assert s.term is not None and s.term.start == TERM_END
    assert len(s.members) == 7 and {m.term_end for m in s.members} == {date(2032, 12, 20)}
    first = {m.name for m in list_members(db) if m.term_start == GENERAL_DAY}
    assert {m.name for m in s.members} == first


def test_status_shows_a_vacancy_and_one_member_fewer(db: Database, committee: list[str]) -> None:
    gone = next(m for m in list_members(db) if m.office_key == "member")
    resign(db, str(gone.id), on=date(2028, 3, 1), reason="moved away", operator="t")
    before = committee_status(db, on=date(2028, 2, 29))
    after = committee_status(db, on=date(2028, 3, 1))
    assert len(before.members) == 7 and before.vacancies == ()
    assert len(after.members) == 6
    assert [(v.name, v.since) for v in after.vacancies] == [(gone.name, date(2028, 3, 1))]


def test_cli_status(db: Database, db_url: str, committee: list[str], runner: CliRunner) -> None:
    gone = next(m for m in list_members(db) if m.office_key == "deputy")
    resign(db, str(gone.id), on=date(2028, 3, 1), reason="moved away", operator="t")
    db.close()
    result = runner.invoke(app, ["--db", db_url, "status", "--on", "2028-12-20", "--json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["term"]["end"] == "2029-12-20" and doc["days_to_general_election"] == 365
    assert doc["next_general_election_due"] == "2029-12-20"
    assert len(doc["members"]) == 6
    assert [v["office"] for v in doc["vacancies"]] == ["deputy"]
    assert doc["petitions"] == [] and doc["representatives"] == 0
    result = runner.invoke(app, ["--db", db_url, "status", "--on", "2028-12-20"])
    assert result.exit_code == 0, result.stderr
    assert "in 365 days" in result.stdout
    assert "6 serving of 7 seats" in result.stdout
    assert gone.name in result.stdout  # the vacancy names the former member
    result = runner.invoke(app, ["--db", db_url, "status", "--on", "2028-02-30"])
    assert result.exit_code != 0


def test_status_counts_down_to_a_recall_vote(db: Database, committee: list[str]) -> None:
    """An evaluation that starts a recall shows in the status with its vote deadline."""
    from juwei.elections.evaluation import evaluate_member
    from juwei.rules.evaluation import ResidentsBallots

    target = next(m for m in list_members(db) if m.office_key == "member")
    evaluate_member(
        db, str(target.id), on=date(2027, 12, 1), residents=ResidentsBallots(1, 0, 9), operator="t"
    )
    s = committee_status(db, on=date(2027, 12, 21))
    [petition] = s.petitions
    assert petition.member == target.name
    assert petition.vote_deadline == date(2027, 12, 31) and petition.days_left == 10
