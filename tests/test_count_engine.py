"""The engine's count equals an independent plain recount, whatever the order of the ballots."""

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from juwei.elections.community import init_community
from juwei.elections.count import (
    BallotEntry,
    count_election,
    entry_tally,
    open_box,
    record_ballots,
    result_sheet,
)
from juwei.elections.db import Database
from juwei.elections.election import new_election
from juwei.elections.nomination import confirm_candidates, nominate
from juwei.elections.poll import close_poll, issue_from_sheet, print_ballots
from juwei.elections.readmodels import BallotPaper
from juwei.elections.roll import import_roll
from juwei.elections.synthetic import synthetic_roll, write_roll_csv
from tests.conftest import Databases

DAY = date(2026, 12, 20)
BALLOTS = 60
QUORUM = 51  # more than half of the 100 registered voters must take part


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    """Fresh databases and copies for this module (SQLite files or PostgreSQL databases)."""
    made = Databases(tmp_path_factory.mktemp("copies"))
    yield made
    made.close()


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory, copies: Databases
) -> tuple[str, BallotPaper]:
    """A database with a confirmed slate, 60 ballots printed and issued to 60 of 100 voters."""
    folder = tmp_path_factory.mktemp("template")
    people = list(synthetic_roll(100, groups=3, seed=3, as_of=DAY))
    write_roll_csv(folder / "roll.csv", people)
    url = copies.new(copyable=True)
    db = Database(url)
    init_community(db, "社区", "qianpai", operator="t")
    import_roll(db, folder / "roll.csv", as_of=DAY, operator="t")
    new_election(db, day=DAY, operator="t")
    ids = [p.id_number for p in people]
    plan = {"director": ids[0:2], "deputy": ids[2:4], "member": ids[4:10]}
    for office, nominees in plan.items():
        for i, person in enumerate(nominees):  # supporters differ within an office
            supporters = ids[40 + 10 * i : 50 + 10 * i]
            nominate(
                db,
                office_key=office,
                nominee=person,
                method="joint",
                supporters=supporters,
                on=DAY - timedelta(days=30),
                operator="t",
            )
    confirm_candidates(db, on=DAY - timedelta(days=10), operator="t")
    papers: list[BallotPaper] = []
    print_ballots(db, BALLOTS, lambda paper, serials: papers.append(paper), operator="t")
    (folder / "sheet.csv").write_text(
        "公民身份号码\n" + "\n".join(ids[40:100]) + "\n", encoding="utf-8"
    )
    issue_from_sheet(db, folder / "sheet.csv", box="中心会场", on=DAY, operator="t")
    close_poll(db, on=DAY, operator="t")
    db.close()
    return url, papers[0]


def ballots(paper: BallotPaper) -> st.SearchStrategy[list[BallotEntry]]:
    def section(office_index: int) -> st.SearchStrategy[tuple[str, ...]]:
        office = paper.offices[office_index]
        names = [c.name for c in office.candidates]
        return st.lists(st.sampled_from(names), unique=True, max_size=len(names)).map(tuple)

    one = st.tuples(
        *(section(i) for i in range(len(paper.offices))),
        st.lists(st.sampled_from([o.title for o in paper.offices]), unique=True, max_size=1),
    )
    return st.lists(one, min_size=QUORUM, max_size=BALLOTS).map(
        lambda rows: [
            BallotEntry(
                1 + (n - 1) // 20,
                1 + (n - 1) % 20,
                {
                    o.title: (marks, (), ())
                    for o, marks in zip(paper.offices, row[:-1], strict=True)
                    if marks
                },
                tuple(row[-1]),
            )
            for n, row in enumerate(rows, start=1)
        ]
    )


def plain_recount(paper: BallotPaper, entries: list[BallotEntry]) -> dict[str, Counter[str]]:
    """Votes per office, counted by hand: an overvoted or illegible section counts nothing."""
    tally: dict[str, Counter[str]] = {o.title: Counter() for o in paper.offices}
    for entry in entries:
        for office in paper.offices:
            if office.title in entry.illegible:
                continue
            marks = entry.sections.get(office.title, ((), (), ()))[0]
            if len(marks) <= office.seats:
                tally[office.title].update(marks)
    return tally


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_count_equals_plain_recount_in_any_order(
    template: tuple[str, BallotPaper], copies: Databases, data: st.DataObject
) -> None:
    source, paper = template
    entries = data.draw(ballots(paper))
    shuffled = data.draw(st.permutations(entries))
    digests = []
    for batch in (entries, list(shuffled)):
        db = Database(copies.copy(source))
        try:
            open_box(db, "中心会场", len(batch), operator="t")
            record_ballots(db, batch, operator="t")
            running = entry_tally(db, election_id=1)  # count enter's totals: the same count
            summary = count_election(db, election_id=1, operator="t")
            sheet = result_sheet(db, election_id=1)
        finally:
            db.close()
        digests.append(summary.digest)
        assert summary.valid, summary.reason
        if summary.valid:
            expected = plain_recount(paper, entries)
            for office in sheet.offices:
                got = {c.name: c.votes for c in office.results if c.votes}
                assert got == {k: v for k, v in expected[office.title].items() if v}
            shown = {o.title: dict(o.votes) for o in running.offices}
            assert shown == {t: {k: v for k, v in c.items() if v} for t, c in expected.items()}
    assert digests[0] == digests[1]  # the outcome does not depend on the order of the ballots


def test_a_bad_ballot_in_a_late_chunk_leaves_nothing_written(
    template: tuple[str, BallotPaper], copies: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    from juwei.elections import count
    from juwei.elections.poll import poll_status
    from juwei.elections.roll import RollRejected

    monkeypatch.setattr(count, "CHUNK", 3)  # 7 ballots: chunks of 3, 3 and 1
    source, _paper = template
    db = Database(copies.copy(source))
    try:
        open_box(db, "中心会场", 7, operator="t")
        entries = [BallotEntry(1, n, {}) for n in range(1, 7)]
        late = {"没有的职位": (("张三",), (), ())}  # no such office on the ballot
        entries.append(BallotEntry(1, 7, late, (), "late.jsonl", 7))
        with pytest.raises(RollRejected) as caught:
            record_ballots(db, entries, operator="t")
        assert [e.row for e in caught.value.errors] == [7]
        assert poll_status(db, election_id=1).entered == 0
        summary = record_ballots(db, entries[:6], operator="t")
        assert summary.recorded == 6 and poll_status(db, election_id=1).entered == 6
    finally:
        db.close()
