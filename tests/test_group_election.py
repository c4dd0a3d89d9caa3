"""A residents' group elects its representatives (居民代表) through the election pipeline, its
own voters being the roll; certification seats them as representatives with the charter's term.
"""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.count import BallotEntry, certify, count_election, record_ballots
from juwei.elections.db import Database
from juwei.elections.election import new_election
from juwei.elections.models import Election, Event, Issuance, Representative, Voter
from juwei.elections.nomination import confirm_candidates, nominate
from juwei.elections.poll import issue_ballot, issue_from_sheet, print_ballots
from juwei.elections.readmodels import BallotPaper
from juwei.errors import EligibilityError, InputError, JuweiError, StateError
from tests.boxes import close_and_open
from tests.committee import GENERAL_DAY, roll_by_group
from tests.conftest import Scenario

DAY = GENERAL_DAY


@pytest.fixture
def people(scenario: Scenario) -> dict[str, list[str]]:
    """ID numbers of the roll by residents' group."""
    return scenario(roll_by_group)


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (
            len(s.exec(select(Election)).all()),
            len(s.exec(select(Issuance)).all()),
            len(s.exec(select(Event)).all()),
        )


def slate(db: Database, group: list[str], election_id: int, nominees: int = 4) -> BallotPaper:
    """Nominate ``nominees`` of the group (by the group), confirm, print; the ballot paper."""
    for number in group[:nominees]:
        nominate(
            db,
            office_key="representative",
            nominee=number,
            method="group",
            group="第1组",
            on=DAY - timedelta(days=30),
            election_id=election_id,
            operator="t",
        )
    confirm_candidates(db, on=DAY - timedelta(days=10), election_id=election_id, operator="t")
    papers: list[BallotPaper] = []
    print_ballots(
        db, 60, lambda paper, _s: papers.append(paper), election_id=election_id, operator="t"
    )
    return papers[0]


def test_a_group_elects_its_representatives_and_certification_seats_them(
    db: Database, people: dict[str, list[str]], tmp_path: Path
) -> None:
    g1, g2 = people["第1组"], people["第2组"]
    info = new_election(db, day=DAY, kind="representatives", group="第1组", operator="t")
    # [representatives].per_group.max (钱牌: 3) seats of the one office 居民代表
    assert [(o.key, o.title, o.seats) for o in info.offices] == [("representative", "居民代表", 3)]
    # the committee's general election is not blocked by a group's election
    general = new_election(db, day=DAY, operator="t")
    assert general.kind == "general"
    # a nominee of another group is refused
    with pytest.raises(EligibilityError, match="not a resident of the group 第1组"):
        nominate(
            db,
            office_key="representative",
            nominee=g2[0],
            method="group",
            group="第1组",
            on=DAY - timedelta(days=30),
            election_id=info.id,
            operator="t",
        )
    paper = slate(db, g1, info.id)
    assert [o.title for o in paper.offices] == ["居民代表"]
    assert len(paper.offices[0].candidates) == 4  # 差额: 3 seats + 1
    # the roll is the group's voters: a voter of 第2组 gets no ballot, nothing is written
    before = counts(db)
    with pytest.raises(EligibilityError, match="is a voter of the group 第2组, not of 第1组"):
        issue_ballot(db, g2[0], box="第1组会场", election_id=info.id, operator="t")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(f"公民身份号码\n{g1[0]}\n{g2[1]}\n", encoding="utf-8")
    with pytest.raises(JuweiError, match="is not a voter of the group 第1组"):
        issue_from_sheet(db, sheet, box="第1组会场", election_id=info.id, operator="t")
    assert counts(db)[1:] == before[1:]
    # every voter of the group signs in; the quorum base is frozen at the group's size
    turnout = len(g1)
    sheet.write_text("公民身份号码\n" + "\n".join(g1) + "\n", encoding="utf-8")
    issue_from_sheet(db, sheet, box="第1组会场", election_id=info.id, operator="t")
    with db.read() as s:
        election = s.get(Election, info.id)
        assert election is not None
        assert election.registered_voters == len(g1)
        assert election.group_id is not None
    names = [c.name for c in paper.offices[0].candidates]
    # candidates 0, 1 on every ballot; 2 on all but one; 3 on one: three elected
    entries = []
    for n in range(1, turnout + 1):
        marked = (names[0], names[1], names[2] if n > 1 else names[3])
        entries.append(BallotEntry(1, n, {"居民代表": (marked, (), ())}))
    close_and_open(db, election_id=info.id)
    record_ballots(db, entries, election_id=info.id, operator="t")
    count_election(db, election_id=info.id, operator="t")
    seated = certify(db, on=DAY + timedelta(days=1), election_id=info.id, operator="t")
    assert sorted(m.name for m in seated) == sorted(names[:3])
    # 钱牌 term_years = 3 (SEED 钱牌 第十条), from the election day
    assert {(m.office, m.term_start, m.term_end) for m in seated} == {
        ("居民代表", DAY, date(2029, 12, 20))
    }
    with db.read() as s:
        reps = s.exec(select(Representative)).all()
        assert len(reps) == 3
        assert {(r.method, r.election_id, r.group_id) for r in reps} == {
            ("elected", info.id, election.group_id)
        }
        voters = {s.get(Voter, r.voter_id).id_number for r in reps}  # type: ignore[union-attr]
        assert voters <= set(g1)
        # no committee member was seated by a group's election
        from juwei.elections.models import Member

        assert s.exec(select(Member)).all() == []


def test_seats_are_chosen_within_per_group(db: Database, people: dict[str, list[str]]) -> None:
    before = counts(db)
    with pytest.raises(InputError, match="4 seats is outside the charter's 2–3"):
        new_election(
            db,
            day=DAY,
            kind="representatives",
            group="第1组",
            seats={"representative": 4},
            operator="t",
        )
    with pytest.raises(InputError, match="1 seats is outside"):
        new_election(
            db,
            day=DAY,
            kind="representatives",
            group="第1组",
            seats={"representative": 1},
            operator="t",
        )
    with pytest.raises(InputError, match="needs the residents' group"):
        new_election(db, day=DAY, kind="representatives", operator="t")
    with pytest.raises(InputError, match="only the office representative"):
        new_election(
            db, day=DAY, kind="representatives", group="第1组", seats={"member": 2}, operator="t"
        )
    assert counts(db) == before
    two = new_election(
        db,
        day=DAY,
        kind="representatives",
        group="第1组",
        seats={"representative": 2},
        operator="t",
    )
    assert two.offices[0].seats == 2
    # one open election per group; another group may hold its own
    with pytest.raises(StateError, match="still"):
        new_election(db, day=DAY, kind="representatives", group="第1组", operator="t")
    other = new_election(db, day=DAY, kind="representatives", group="第2组", operator="t")
    assert other.id != two.id


def test_cli_group_election_refusals(
    db: Database, db_url: str, people: dict[str, list[str]]
) -> None:
    runner = CliRunner()
    base = ["--db", db_url, "--operator", "t"]
    result = runner.invoke(
        app,
        [*base, "election", "new", "--day", "2026-12-20", "--kind", "representatives",
         "--group", "第1组", "--seats", "4"],
    )  # fmt: skip
    assert result.exit_code == 3, result.output
    assert "4 seats is outside the charter's 2–3 per residents' group" in result.stderr
    result = runner.invoke(
        app,
        [*base, "election", "new", "--day", "2026-12-20", "--kind", "representatives",
         "--group", "第1组", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["kind"] == "representatives"
    election_id = doc["id"]
    with db.write() as s:  # skip the slate: issuing only needs printed ballots
        election = s.get(Election, election_id)
        assert election is not None
        election.state = "ballots_printed"
        s.add(election)
    other = people["第2组"][0]
    result = runner.invoke(
        app, [*base, "poll", "issue", other, "--box", "会场", "--election", str(election_id)]
    )
    assert result.exit_code == 8, result.output
    assert "is a voter of the group 第2组, not of 第1组" in result.stderr
    assert other not in result.stderr  # the ID number is masked
    mine = people["第1组"][0]
    result = runner.invoke(
        app, [*base, "poll", "issue", mine, "--box", "会场", "--election", str(election_id)]
    )
    assert result.exit_code == 0, result.output


def elect(db: Database, group: list[str], day: date, nominees: list[str]) -> list[str]:
    """Run the open election of 第1组 on ``day`` (等额 or 差额 among ``nominees``), every
    voter of the group voting for the first ``seats`` candidates; certify; the names seated."""
    with db.read() as s:
        election = s.exec(select(Election).order_by(Election.id.desc())).first()  # type: ignore[union-attr]
        assert election is not None and election.id is not None
        eid = election.id
    for number in nominees:
        nominate(
            db,
            office_key="representative",
            nominee=number,
            method="group",
            group="第1组",
            on=day - timedelta(days=30),
            election_id=eid,
            operator="t",
        )
    confirm_candidates(db, on=day - timedelta(days=10), election_id=eid, operator="t")
    papers: list[BallotPaper] = []
    print_ballots(db, 60, lambda paper, _s: papers.append(paper), election_id=eid, operator="t")
    office = papers[0].offices[0]
    for number in group:
        issue_ballot(db, number, box="会场", on=day, election_id=eid, operator="t")
    marked = tuple(c.name for c in office.candidates[: office.seats])
    entries = [
        BallotEntry(1, n, {office.title: (marked, (), ())}) for n in range(1, len(group) + 1)
    ]
    close_and_open(db, on=day, election_id=eid)
    record_ballots(db, entries, election_id=eid, operator="t")
    count_election(db, election_id=eid, operator="t")
    return [m.name for m in certify(db, on=day, election_id=eid, operator="t")]


def test_a_vacancy_is_by_elected_by_the_group_for_the_rest_of_the_term(
    db: Database, people: dict[str, list[str]]
) -> None:
    from juwei.elections.representatives import end_representative, list_representatives

    g1 = people["第1组"]
    new_election(db, day=DAY, kind="representatives", group="第1组", operator="t")
    assert len(elect(db, g1, DAY, g1[:3])) == 3
    # a full group: no seat to elect
    with pytest.raises(StateError, match="has 3 serving representatives.*no seat to elect"):
        new_election(db, day=date(2027, 7, 1), kind="representatives", group="第1组", operator="t")
    infos, _ = list_representatives(db, on=date(2027, 6, 1))
    end_representative(db, infos[0].id, on=date(2027, 6, 1), reason="moved away", operator="t")
    before = counts(db)
    with pytest.raises(InputError, match=r"2 seats is outside the charter's 1–1.*2 of the group"):
        new_election(
            db,
            day=date(2027, 7, 1),
            kind="representatives",
            group="第1组",
            seats={"representative": 2},
            operator="t",
        )
    assert counts(db) == before
    info = new_election(
        db, day=date(2027, 7, 1), kind="representatives", group="第1组", operator="t"
    )
    assert info.title.endswith("居民代表补选（2027年）")
    assert info.offices[0].seats == 1  # only the vacant seat
    [name] = elect(db, g1, date(2027, 7, 1), [g1[5], g1[6]])
    infos, seats = list_representatives(db, on=date(2027, 7, 1))
    [new] = [i for i in infos if i.name == name]
    # by-elected into the group's current term (S4 art 19 by analogy): ends with the others
    assert (new.term_start, new.term_end) == (date(2027, 7, 1), date(2029, 12, 20))
    [group1] = [g for g in seats if g.group == "第1组"]
    assert group1.serving == 3
    # when the term is over (its last day), the group elects anew, all seats
    again = new_election(
        db, day=date(2029, 12, 20), kind="representatives", group="第1组", operator="t"
    )
    assert again.offices[0].seats == 3


def test_the_certificate_of_a_representative_names_no_committee(
    db: Database, people: dict[str, list[str]], tmp_path: Path
) -> None:
    from pypdf import PdfReader

    from juwei.ballots.fonts import resolve_font
    from juwei.ballots.results import render_certificates
    from juwei.elections.count import result_sheet

    g1 = people["第1组"]
    new_election(db, day=DAY, kind="representatives", group="第1组", operator="t")
    elect(db, g1, DAY, g1[:3])
    sheet = result_sheet(db)
    assert sheet.kind == "representatives"
    render_certificates(sheet, tmp_path / "certificates.pdf", resolve_font(None))
    text = PdfReader(tmp_path / "certificates.pdf").pages[0].extract_text().replace("\n", "")
    assert "elected 居民代表 of 钱牌社区." in text
    assert "residents' committee." not in text
