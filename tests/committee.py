"""A certified committee, fast: run one election (general or by-election) through the whole
pipeline (nominate, confirm, print, issue, enter, count, certify) with every ballot marking
the first candidates of each office."""

import tempfile
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import select

from juwei.elections.count import BallotEntry, SeatedMember, certify, count_election, record_ballots
from juwei.elections.db import Database
from juwei.elections.election import new_election
from juwei.elections.models import ResidentsGroup, Voter
from juwei.elections.nomination import confirm_candidates, nominate
from juwei.elections.poll import issue_from_sheet, print_ballots
from juwei.elections.readmodels import BallotPaper
from juwei.elections.roll import import_roll
from juwei.elections.synthetic import synthetic_roll, write_roll_csv
from tests.boxes import close_and_open

GENERAL_DAY = date(2026, 12, 20)
# 等额 slate of the 钱牌 charter: 主任 1, 副主任 1, 委员 5 (the first seven voters of the roll)
GENERAL_PLAN = {"director": [0], "deputy": [1], "member": [2, 3, 4, 5, 6]}


def roll(db: Database, tmp_path: Path, voters: int = 120) -> list[str]:
    """Import a synthetic roll of ``voters`` as of the general election day; their ID numbers."""
    people = list(synthetic_roll(voters, groups=4, seed=11, as_of=GENERAL_DAY))
    write_roll_csv(tmp_path / "roll.csv", people)
    import_roll(db, tmp_path / "roll.csv", as_of=GENERAL_DAY, operator="t")
    return [p.id_number for p in people]


def nominate_plan(
    db: Database, ids: Sequence[str], *, day: date, plan: dict[str, list[int]]
) -> None:
    """Nominate ``plan`` (office key → indexes into ``ids``; ten different supporters each,
    from ``ids[30:]``) 30 days before ``day`` and confirm the slate 10 days before."""
    backer = 30
    for office, people in plan.items():
        for person in people:
            nominate(
                db,
                office_key=office,
                nominee=ids[person],
                method="joint",
                supporters=ids[backer : backer + 10],
                on=day - timedelta(days=30),
                operator="t",
            )
            backer += 10
    confirm_candidates(db, on=day - timedelta(days=10), operator="t")


def run_election(
    db: Database,
    ids: Sequence[str],
    *,
    day: date,
    plan: dict[str, list[int]],
    kind: str = "general",
    offices: list[str] | None = None,
    turnout: int = 80,
    mode: str = "direct",
) -> list[SeatedMember]:
    """Run one election to certification; ``plan``: office key → indexes into ``ids`` of the
    nominees (one each, 等额 unless more are given); every ballot marks the first ``seats``
    candidates of each office."""
    info = new_election(db, day=day, kind=kind, mode=mode, offices=offices, operator="t")
    nominate_plan(db, ids, day=day, plan=plan)
    papers: list[BallotPaper] = []
    print_ballots(db, turnout, lambda paper, _serials: papers.append(paper), operator="t")
    with tempfile.TemporaryDirectory() as folder:  # one sign-in sheet: one transaction
        sheet = Path(folder) / "sign-in.csv"
        sheet.write_text("公民身份号码\n" + "\n".join(ids[:turnout]) + "\n", encoding="utf-8")
        issue_from_sheet(db, sheet, box="中心会场", on=day, operator="t")
    paper = papers[0]
    close_and_open(db, on=day)
    entries = [
        BallotEntry(
            1 + (n - 1) // 50,
            1 + (n - 1) % 50,
            {
                o.title: (tuple(c.name for c in o.candidates[: o.seats]), (), ())
                for o in paper.offices
            },
        )
        for n in range(1, turnout + 1)
    ]
    record_ballots(db, entries, operator="t")
    count_election(db, operator="t")
    return certify(db, on=day, election_id=info.id, operator="t")


def certified_committee(db: Database, folder: Path) -> list[str]:
    """Scenario (see conftest ``scenario``): the 120-voter roll (``folder/roll.csv``) and a
    certified 钱牌 committee of 7 (the first seven voters); the roll's ID numbers."""
    ids = roll(db, folder)
    seated = run_election(db, ids, day=GENERAL_DAY, plan=GENERAL_PLAN)
    assert len(seated) == 7
    return ids


def roll_by_group(db: Database, folder: Path) -> dict[str, list[str]]:
    """Scenario: the 120-voter roll (``folder/roll.csv``); its ID numbers by residents' group."""
    ids = roll(db, folder)
    by_group: dict[str, list[str]] = {}
    with db.read() as s:
        for number in ids:
            voter = s.exec(select(Voter).where(Voter.id_number == number)).one()
            group = s.get(ResidentsGroup, voter.group_id)
            assert group is not None
            by_group.setdefault(group.name, []).append(number)
    return by_group
