"""Several terminals at once (issue 6): real processes writing into one election.

Each writer is ``python -m juwei …`` in its own process, on the backend of ``db_url`` (SQLite
file or PostgreSQL schema). Writers take turns (BEGIN IMMEDIATE / advisory lock, see
juwei.elections.db); one that waited too long exits 4 saying nothing was written and to run
the same command again. The database's unique constraints hold ballots and issuances.
"""

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from juwei.elections.community import init_community
from juwei.elections.count import count_election, iter_ballot_file, record_ballots, result_sheet
from juwei.elections.db import Database
from juwei.elections.election import new_election
from juwei.elections.models import BallotRecord, Issuance
from juwei.elections.nomination import confirm_candidates, nominate
from juwei.elections.poll import issue_from_sheet, poll_status, print_ballots
from juwei.elections.readmodels import BallotPaper
from juwei.elections.roll import import_roll
from juwei.elections.synthetic import synthetic_roll, write_roll_csv
from tests.boxes import close_and_open

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2026, 12, 20)
WRITERS = 4
PER_WRITER = 15  # ballots each writer enters
PRINTED = WRITERS * PER_WRITER


def juwei(db_url: str, *args: str, **env: str) -> "subprocess.Popen[str]":
    """Start ``python -m juwei --db URL ARGS`` as a separate process (this checkout's juwei)."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "JUWEI_OPERATOR": "clerk", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "juwei", "--db", db_url, *args],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def finish(process: "subprocess.Popen[str]") -> tuple[int, str, str]:
    out, err = process.communicate(timeout=180)
    return process.returncode, out, err


def build_election(
    db_url: str, folder: Path, printed: int = PRINTED
) -> tuple[str, BallotPaper, list[str]]:
    """``printed`` ballots printed, 60 of 100 voters issued one; (url, paper, all ID numbers)."""
    people = list(synthetic_roll(100, groups=3, seed=3, as_of=DAY))
    write_roll_csv(folder / "roll.csv", people)
    db = Database(db_url)
    try:
        init_community(db, "社区", "qianpai", operator="t")
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
        sheet = folder / "sheet.csv"
        sheet.write_text("公民身份号码\n" + "\n".join(ids[40:100]) + "\n", encoding="utf-8")
        issue_from_sheet(db, sheet, box="中心会场", on=DAY, operator="t")
    finally:
        db.close()
    return db_url, papers[0], ids


def opened(url: str, found: int | None = None) -> None:
    """The poll closed and the box opened with ``found`` ballots (default: the 60 issued):
    counting may begin."""
    db = Database(url)
    try:
        close_and_open(db, None if found is None else {"中心会场": found}, on=DAY)
    finally:
        db.close()


@pytest.fixture
def election(db_url: str, tmp_path: Path) -> tuple[str, BallotPaper, list[str]]:
    """60 ballots printed and issued to 60 of 100 voters; returns (url, paper, all ID numbers)."""
    return build_election(db_url, tmp_path)


def ballot_file(path: Path, paper: BallotPaper, serials: range) -> Path:
    """One JSON Lines ballot file: every ballot votes for the first director candidate;
    ballot n is in bundle (n - 1) // 50 + 1."""
    director = paper.offices[0]
    first = director.candidates[0].name
    lines = [
        json.dumps(
            {
                "bundle": 1 + (n - 1) // 50,
                "position": 1 + (n - 1) % 50,
                "sections": {director.title: {"for": [first]}},
            },
            ensure_ascii=False,
        )
        for n in serials
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_four_writers_lose_no_ballot_and_count_none_twice(
    election: tuple[str, BallotPaper, list[str]], tmp_path: Path
) -> None:
    url, paper, _ids = election
    opened(url)
    files = [
        ballot_file(
            tmp_path / f"box{w}.jsonl", paper, range(1 + w * PER_WRITER, 1 + (w + 1) * PER_WRITER)
        )
        for w in range(WRITERS)
    ]
    writers = [juwei(url, "count", "import", str(f)) for f in files]
    results = [finish(p) for p in writers]
    assert [code for code, _, _ in results] == [0] * WRITERS, [err for _, _, err in results]
    db = Database(url)
    try:
        with db.read() as session:
            records = session.execute(select(func.count()).select_from(BallotRecord)).scalar_one()
            serials = session.execute(
                select(func.count(func.distinct(BallotRecord.ballot)))
            ).scalar_one()
        assert records == serials == PRINTED  # none lost, none twice
        assert poll_status(db, election_id=1).entered == PRINTED
        summary = count_election(db, election_id=1, operator="t")
        assert summary.valid, summary.reason
        director = paper.offices[0]
        sheet = result_sheet(db, election_id=1)
        votes = {c.name: c.votes for c in sheet.offices[0].results}
        assert votes[director.candidates[0].name] == PRINTED
    finally:
        db.close()


@pytest.mark.slow
def test_the_same_file_entered_at_two_terminals_is_recorded_once(
    election: tuple[str, BallotPaper, list[str]], tmp_path: Path
) -> None:
    url, paper, _ids = election
    opened(url)
    same = ballot_file(tmp_path / "box.jsonl", paper, range(1, 11))
    results = [finish(p) for p in [juwei(url, "count", "import", str(same)) for _ in range(2)]]
    codes = sorted(code for code, _, _ in results)
    assert codes[0] == 0 and codes[1] != 0
    refused = next(err for code, _, err in results if code != 0)
    assert "1-1" in refused and "Traceback" not in refused
    db = Database(url)
    try:
        assert poll_status(db, election_id=1).entered == 10
    finally:
        db.close()


def test_ballots_are_unique_in_the_database_itself(
    election: tuple[str, BallotPaper, list[str]], tmp_path: Path
) -> None:
    """Even past juwei's own checks, the database refuses a ballot entered twice."""
    from sqlalchemy.exc import IntegrityError

    url, paper, _ids = election
    opened(url)
    db = Database(url)
    try:
        record_ballots(
            db,
            iter_ballot_file(ballot_file(tmp_path / "1.jsonl", paper, range(1, 3))),
            operator="t",
        )
        with pytest.raises(IntegrityError), db.write() as session:
            session.execute(
                text(
                    "INSERT INTO ballot_record (id, election_id, ballot, blank, valid, reason) "
                    "SELECT id + 1, election_id, ballot, blank, valid, reason FROM ballot_record"
                )
            )
    finally:
        db.close()


@pytest.mark.slow
def test_two_clerks_cannot_both_issue_a_ballot_to_one_voter(
    election: tuple[str, BallotPaper, list[str]],
) -> None:
    url, _paper, ids = election
    voters = ids[20:22]  # not issued yet; each at two stations at the same moment
    stations = [
        (voter, juwei(url, "poll", "issue", voter, "--box", box))
        for voter in voters
        for box in ("东站", "西站")
    ]
    results = [(voter, *finish(p)) for voter, p in stations]
    for voter in voters:
        mine = [(code, err) for who, code, _, err in results if who == voter]
        assert sorted(code for code, _ in mine) == [0, 6], mine
        refused = next(err for code, err in mine if code == 6)
        assert "Traceback" not in refused and voter not in refused
    db = Database(url)
    try:
        with db.read() as session:
            issued = session.execute(select(func.count()).select_from(Issuance)).scalar_one()
        assert issued == PRINTED + 2
    finally:
        db.close()


@pytest.mark.slow
def test_a_writer_kept_waiting_is_told_to_run_the_command_again(
    election: tuple[str, BallotPaper, list[str]], tmp_path: Path
) -> None:
    url, paper, _ids = election
    opened(url)
    path = ballot_file(tmp_path / "box.jsonl", paper, range(1, 6))
    db = Database(url)
    try:
        with db.write() as session:  # another terminal in the middle of a long write
            session.execute(text("SELECT 1"))
            code, _, err = finish(juwei(url, "count", "import", str(path), JUWEI_BUSY_TIMEOUT="1"))
        assert code == 4
        assert (
            "busy" in err and "Nothing was written" in err and "run the same command again" in err
        )
        assert poll_status(db, election_id=1).entered == 0
        assert finish(juwei(url, "count", "import", str(path)))[0] == 0  # run again: done
        assert poll_status(db, election_id=1).entered == 5
    finally:
        db.close()
