"""A small election ready for its count, for the double-entry and RLA tests (issue 5).

Built on the ``db`` fixture (so the suite can run on PostgreSQL): 100 voters, a competitive
slate under the 钱牌 charter (主任 2 candidates, 副主任 2, 委员 6 for 5 seats), ``printed``
ballots printed and the first ``issued`` of them issued to voters.
"""

from datetime import date, timedelta
from pathlib import Path

from juwei.elections.count import BallotEntry
from juwei.elections.db import Database
from juwei.elections.election import new_election
from juwei.elections.nomination import confirm_candidates, nominate
from juwei.elections.poll import issue_from_sheet, print_ballots
from juwei.elections.readmodels import BallotPaper
from juwei.elections.roll import import_roll
from juwei.elections.synthetic import synthetic_roll, write_roll_csv
from tests.boxes import close_and_open

DAY = date(2026, 12, 20)


def polling_election(
    db: Database, folder: Path, *, printed: int = 60, issued: int = 60, found: int | None = None
) -> BallotPaper:
    """Roll, slate, ballots printed and issued, the poll closed and the box opened with
    ``found`` ballots (default: as many as issued); returns the ballot paper."""
    people = list(synthetic_roll(100, groups=3, seed=3, as_of=DAY))
    write_roll_csv(folder / "roll.csv", people)
    import_roll(db, folder / "roll.csv", as_of=DAY, operator="t")
    new_election(db, day=DAY, operator="t")
    ids = [p.id_number for p in people]
    plan = {"director": ids[0:2], "deputy": ids[2:4], "member": ids[4:10]}
    for office, nominees in plan.items():
        for i, person in enumerate(nominees):
            nominate(
                db,
                office_key=office,
                nominee=person,
                method="joint",
                supporters=ids[40 + 10 * i : 50 + 10 * i],
                on=DAY - timedelta(days=30),
                operator="t",
            )
    confirm_candidates(db, on=DAY - timedelta(days=10), operator="t")
    papers: list[BallotPaper] = []
    print_ballots(db, printed, lambda paper, serials: papers.append(paper), operator="t")
    if issued:  # a sign-in sheet with no voter is refused (issue 11)
        (folder / "sheet.csv").write_text(
            "公民身份号码\n" + "\n".join(ids[100 - issued : 100]) + "\n", encoding="utf-8"
        )
        issue_from_sheet(db, folder / "sheet.csv", box="中心会场", on=DAY, operator="t")
        close_and_open(db, {"中心会场": issued if found is None else found}, on=DAY)
    return papers[0]


BUNDLE = 25  # ballots per bundle in these tests


def serial(n: int) -> str:
    """The identity the count gives the n-th ballot: bundles of 25, ``"1-1"`` … ``"3-10"``."""
    return f"{1 + (n - 1) // BUNDLE}-{1 + (n - 1) % BUNDLE}"


def number(label: str) -> int:
    """The n of ``serial(n)``: ``"2-3"`` → 28."""
    bundle, position = (int(part) for part in label.split("-"))
    return (bundle - 1) * BUNDLE + position


def ballot(
    paper: BallotPaper, n: int, director: int, deputy: int = 1, members: tuple[int, ...] = (1, 2, 3)
) -> BallotEntry:
    """Ballot ``n`` voting for the given ballot numbers (by name, as a clerk types them)."""

    def name(office: int, number: int) -> str:
        return next(c.name for c in paper.offices[office].candidates if c.number == number)

    titles = [o.title for o in paper.offices]
    return BallotEntry(
        1 + (n - 1) // BUNDLE,
        1 + (n - 1) % BUNDLE,
        {
            titles[0]: ((name(0, director),), (), ()),
            titles[1]: ((name(1, deputy),), (), ()),
            titles[2]: (tuple(name(2, m) for m in members), (), ()),
        },
        (),
        "test",
        n,
    )
