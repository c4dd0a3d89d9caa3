"""A small certified election for the audit tests: 120 voters, 100 ballots printed, one
spoiled, 90 issued, 86 returned (blank, overvoted, illegible and written-in ballots among
them), counted under 钱牌 and certified."""

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from juwei.elections.count import BallotEntry, certify, count_election, record_ballots
from juwei.elections.db import Database
from juwei.elections.election import new_election
from juwei.elections.nomination import confirm_candidates, nominate
from juwei.elections.poll import issue_ballot, issue_from_sheet, print_ballots, spoil_ballots
from juwei.elections.readmodels import BallotPaper
from juwei.elections.roll import import_roll
from juwei.elections.synthetic import synthetic_roll, write_roll_csv
from tests.boxes import close_and_open

DAY = date(2026, 12, 20)


def certified_election(
    db: Database,
    folder: Path,
    adjust: Callable[[list[BallotEntry], BallotPaper], None] | None = None,
) -> BallotPaper:
    """Run election 1 of the ``db`` fixture's community to certification; the ballot paper.

    ``adjust`` may change the 86 ballot entries before they are recorded."""
    voters = list(synthetic_roll(120, groups=3, seed=21, as_of=DAY))
    write_roll_csv(folder / "roll.csv", voters)
    import_roll(db, folder / "roll.csv", as_of=DAY, operator="t")
    ids = [v.id_number for v in voters]
    new_election(db, day=DAY, operator="t")
    plan = {"director": ids[0:2], "deputy": ids[2:4], "member": ids[4:10]}
    for office, nominees in plan.items():
        for i, person in enumerate(nominees):
            nominate(
                db,
                office_key=office,
                nominee=person,
                method="joint",
                supporters=ids[20 + 10 * i : 30 + 10 * i],
                on=DAY - timedelta(days=30),
                operator="t",
            )
    confirm_candidates(db, on=DAY - timedelta(days=10), operator="t")
    papers: list[BallotPaper] = []
    print_ballots(db, 100, lambda paper, serials: papers.append(paper), operator="t")
    paper = papers[0]
    spoil_ballots(db, "中心会场", 1, on=DAY, operator="t")
    (folder / "sheet.csv").write_text(
        "公民身份号码\n" + "\n".join(ids[30:119]) + "\n", encoding="utf-8"
    )
    issue_from_sheet(db, folder / "sheet.csv", box="中心会场", on=DAY, operator="t")
    issue_ballot(db, ids[119], box="流动票箱1", on=DAY, operator="t")
    # the mobile box came back with its one ballot: mixed with the station's 85 before bundling
    close_and_open(db, {"中心会场": 85, "流动票箱1": 1}, on=DAY)
    write_in = voters[50].name
    entries = []
    for n in range(1, 87):
        sections: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}
        illegible: tuple[str, ...] = ()
        for office in paper.offices:
            names = [c.name for c in office.candidates]
            if n % 29 == 0:  # one name too many: that section is invalid
                chosen = names[: office.seats + 1]
            elif n % 3:
                chosen = names[: office.seats]
            else:
                chosen = names[-office.seats :]
            against = (names[-1],) if n % 7 == 0 and names[-1] not in chosen else ()
            sections[office.title] = (tuple(chosen), against, ())
        if n % 11 == 0:  # a written-in voter instead of the last 委员
            title = paper.offices[-1].title
            chosen_for = sections[title][0][:-1]
            sections[title] = (chosen_for, (), (write_in,))
        if n % 17 == 0:
            illegible = (paper.offices[1].title,)
        if n % 25 == 0:
            sections = {}
        entries.append(BallotEntry(1 + (n - 1) // 30, 1 + (n - 1) % 30, sections, illegible))
    if adjust is not None:
        adjust(entries, paper)
    record_ballots(db, entries[:40], operator="t")
    record_ballots(db, entries[40:], operator="t")
    summary = count_election(db, operator="t")
    assert summary.valid and summary.complete, summary.reason
    certify(db, on=DAY, operator="t")
    return paper
