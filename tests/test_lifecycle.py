"""End to end: a general election from the roll to certified members, read as the lifecycle."""

import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from juwei.elections.count import (
    BallotEntry,
    certify,
    count_election,
    record_ballots,
    result_sheet,
)
from juwei.elections.db import Database
from juwei.elections.election import new_election, show_election
from juwei.elections.nomination import confirm_candidates, nominate
from juwei.elections.poll import issue_ballot, poll_status, print_ballots
from juwei.elections.readmodels import BallotPaper
from juwei.elections.roll import import_roll
from juwei.elections.synthetic import synthetic_roll, write_roll_csv
from juwei.errors import JuweiError, StateError
from tests.boxes import close_and_open

DAY = date(2026, 12, 20)


@pytest.fixture
def community(db: Database, tmp_path: Path) -> list[str]:
    voters = list(synthetic_roll(300, groups=4, seed=11, as_of=DAY))
    write_roll_csv(tmp_path / "roll.csv", voters)
    import_roll(db, tmp_path / "roll.csv", as_of=DAY, operator="t")
    return [v.id_number for v in voters]


def test_general_election_lifecycle(db: Database, community: list[str]) -> None:
    ids = community
    # 1. the election, with the charter's offices and seats
    info = new_election(db, day=DAY, operator="t")
    assert [(o.key, o.seats) for o in info.offices] == [
        ("director", 1),
        ("deputy", 1),
        ("member", 5),
    ]
    # 2. joint nominations, ten supporters each (nomination.joint.min_voters)
    nominees = {"director": ids[0:2], "deputy": ids[2:4], "member": ids[4:10]}
    backer = 100
    for office, people in nominees.items():
        for person in people:
            nominate(
                db,
                office_key=office,
                nominee=person,
                method="joint",
                supporters=ids[backer : backer + 10],
                on=DAY - timedelta(days=30),
                operator="t",
            )
            backer += 10
    # 3. the slate: 差额 for every office, confirmed five days or more before the day
    slate = confirm_candidates(db, on=DAY - timedelta(days=10), operator="t")
    assert [len(o.names) for o in slate] == [2, 2, 6]
    # 4. ballots printed: serials recorded, nothing links them to voters
    papers: list[BallotPaper] = []
    batch = print_ballots(db, 260, lambda paper, serials: papers.append(paper), operator="t")
    assert (batch.first, batch.last) == ("A000001", "A000260")
    paper = papers[0]
    # 5. the poll: 250 of 300 voters receive a ballot
    for person in ids[:250]:
        issue_ballot(db, person, box="中心会场", on=DAY, operator="t")
    with pytest.raises(StateError, match="already received a ballot"):
        issue_ballot(db, ids[0], box="流动票箱1", on=DAY, operator="t")
    # 6. 240 ballots come back: most for the first candidates, some blank and overvoted
    rng = random.Random(5)
    entries = []
    for n in range(1, 241):
        sections = {}
        for office in paper.offices:
            names = [c.name for c in office.candidates]
            if n % 37 == 0:  # one name too many: that section is invalid
                chosen = names[: office.seats + 1]
            elif rng.random() < 0.8:
                chosen = names[: office.seats]
            else:
                chosen = names[-office.seats :]
            sections[office.title] = (tuple(chosen), (), ())
        if n % 50 == 0:
            sections = {}
        entries.append(BallotEntry(1 + (n - 1) // 50, 1 + (n - 1) % 50, sections))
    close_and_open(db, {"中心会场": 240}, on=DAY)
    record_ballots(db, entries, operator="t")
    status = poll_status(db)
    assert (status.printed, status.issued, status.returned, status.unused) == (260, 250, 240, 10)
    # 7. the count, checked against a plain recount of the same ballots
    summary = count_election(db, operator="t")
    assert summary.valid
    sheet = result_sheet(db)
    for office, sheet_office in zip(paper.offices, sheet.offices, strict=True):
        plain: Counter[str] = Counter()
        for entry in entries:
            marks = entry.sections.get(office.title, ((), (), ()))[0]
            if len(marks) <= office.seats:
                plain.update(marks)
        assert {c.name: c.votes for c in sheet_office.results if c.votes} == dict(plain)
        threshold = sheet.ballots_returned // 2 + 1
        for c in sheet_office.results:
            if c.elected:
                assert c.votes >= threshold
    # the stored decisions print in either language, whatever language counted them
    from juwei import i18n

    i18n.set_language("zh_CN")
    chinese = result_sheet(db)
    i18n.set_language("en")
    assert chinese.digest == sheet.digest
    assert chinese.validity_reason != sheet.validity_reason
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.offices[0].decision)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in sheet.validity_reason.split("(")[0])
    # 8. the first-numbered candidates won; certification seats them for three years
    assert summary.complete and summary.rounds == ()
    winners = [{c.name for c in o.candidates[: o.seats]} for o in paper.offices]
    assert [{c.name for c in o.results if c.elected} for o in sheet.offices] == winners
    seated = certify(db, on=DAY, operator="t")
    assert {m.name for m in seated} == set().union(*winners)
    assert {(m.term_start, m.term_end) for m in seated} == {(DAY, date(2029, 12, 20))}
    assert show_election(db).state == "certified"


def test_a_second_entry_of_the_same_ballot_and_one_beyond_the_box_are_refused(
    db: Database, community: list[str]
) -> None:
    ids = community
    new_election(db, day=DAY, operator="t")
    backer = 100
    for office, people in {"director": ids[0:1], "deputy": ids[1:2], "member": ids[2:7]}.items():
        for person in people:
            nominate(
                db,
                office_key=office,
                nominee=person,
                method="joint",
                supporters=ids[backer : backer + 10],
                on=DAY - timedelta(days=30),
                operator="t",
            )
            backer += 10
    confirm_candidates(db, on=DAY - timedelta(days=10), operator="t")
    print_ballots(db, 5, lambda paper, serials: None, operator="t")
    issue_ballot(db, ids[0], box="中心会场", on=DAY, operator="t")
    with pytest.raises(JuweiError, match="the poll is still open at 中心会场"):
        record_ballots(db, [BallotEntry(1, 1, {})], operator="t")
    close_and_open(db, on=DAY)
    record_ballots(db, [BallotEntry(1, 1, {})], operator="t")
    with pytest.raises(JuweiError, match="already entered"):
        record_ballots(db, [BallotEntry(1, 1, {})], operator="t")
    with pytest.raises(JuweiError, match="more than the 1 ballots found"):
        record_ballots(db, [BallotEntry(1, 2, {})], operator="t")
