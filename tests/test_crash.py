"""Crashes and bad moments (issue 6): a killed import leaves nothing; a read-only database.

A writer process is killed (SIGKILL on POSIX, TerminateProcess on Windows: ``Popen.kill``)
while it is inside its one write transaction — seen from outside as the writer lock being
held (SQLite: ``BEGIN IMMEDIATE`` is refused; PostgreSQL: its advisory lock in ``pg_locks``).
Nothing of the batch may be visible afterwards, and running the same import again completes
it exactly once.
"""

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from juwei.elections.audit import verify_chain
from juwei.elections.db import Database
from juwei.elections.models import BallotRecord, Event, RollImport, Voter
from juwei.elections.poll import poll_status
from juwei.elections.synthetic import synthetic_roll, write_roll_csv
from tests.conftest import ELECTION_DAY
from tests.test_concurrency import ballot_file, build_election, finish, juwei, opened

# Voters in the killed roll import: enough that its one write transaction lasts well past the
# moment the test sees the writer lock and kills it (the kill waits for the lock, not a time).
ROLL = 4_000


def writer_inside_transaction(db_url: str) -> bool:
    """Whether some other connection holds juwei's writer lock on this database right now."""
    engine = create_engine(db_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if make_url(db_url).get_backend_name() == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout=0")
                try:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                except OperationalError:
                    return True
                conn.exec_driver_sql("ROLLBACK")
                return False
            held = conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid() "
                    "AND a.application_name = current_setting('application_name')"
                )
            ).scalar_one()
            return bool(held)
    finally:
        engine.dispose()


def kill_inside_transaction(db_url: str, *args: str) -> None:
    """Start ``juwei ARGS``, wait until it is inside its write transaction, kill it."""
    process = juwei(db_url, *args)
    deadline = time.monotonic() + 120
    try:
        while not writer_inside_transaction(db_url):
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.1)  # well inside: rows are being checked and written
    finally:
        process.kill()
        process.communicate(timeout=60)
    assert process.returncode != 0  # killed, not finished


def counted(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.mark.slow
def test_a_roll_import_killed_half_way_leaves_nothing_and_runs_again(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    people = list(synthetic_roll(ROLL, groups=10, seed=6, as_of=ELECTION_DAY))
    roll = tmp_path / "roll.csv"
    write_roll_csv(roll, people)
    events_before = counted(db, Event)
    kill_inside_transaction(db_url, "roll", "import", str(roll), "--as-of", "2026-12-20")
    assert counted(db, Voter) == 0 and counted(db, RollImport) == 0
    assert counted(db, Event) == events_before
    code, out, err = finish(juwei(db_url, "roll", "import", str(roll), "--as-of", "2026-12-20"))
    assert code == 0, err
    assert f"{ROLL} added" in out.replace(",", "")
    code, out, err = finish(juwei(db_url, "roll", "import", str(roll), "--as-of", "2026-12-20"))
    assert code == 0 and "0 added" in out, err  # no duplicates: everyone already there
    assert counted(db, Voter) == ROLL
    with db.read() as session:
        assert verify_chain(session).ok


@pytest.mark.slow
def test_a_ballot_import_killed_half_way_leaves_nothing_and_runs_again(
    db_url: str, tmp_path: Path
) -> None:
    url, paper, _ids = build_election(db_url, tmp_path, printed=6_000)
    opened(url, 6_000)
    path = ballot_file(tmp_path / "box.jsonl", paper, range(1, 6_001))
    kill_inside_transaction(url, "count", "import", str(path))
    db = Database(url)
    try:
        assert counted(db, BallotRecord) == 0
        assert poll_status(db, election_id=1).entered == 0
        code, out, err = finish(juwei(url, "count", "import", str(path)))
        assert code == 0, err
        assert counted(db, BallotRecord) == 6_000
        assert poll_status(db, election_id=1).entered == 6_000
        code, _, err = finish(juwei(url, "count", "import", str(path)))
        assert code != 0 and "1-1" in err  # entered twice: refused, nothing added
        assert counted(db, BallotRecord) == 6_000
        with db.read() as session:
            assert verify_chain(session).ok
    finally:
        db.close()


def read_only_url(db_url: str) -> str:
    """The same database, opened read-only: SQLite ``mode=ro`` URI; PostgreSQL
    ``default_transaction_read_only`` — as a write-protected file or a read-only replica."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///file:{url.database}?mode=ro&uri=true"
    options = url.query.get("options", "")
    return url.update_query_dict(
        {"options": f"{options} -cdefault_transaction_read_only=on".strip()}
    ).render_as_string(hide_password=False)


def test_a_read_only_database_is_a_clear_error_and_loses_nothing(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from juwei.cli import app

    people = list(synthetic_roll(30, groups=2, seed=8, as_of=ELECTION_DAY))
    roll = tmp_path / "roll.csv"
    write_roll_csv(roll, people[:20])
    runner = CliRunner()
    assert runner.invoke(app, ["--db", db_url, "roll", "import", str(roll)]).exit_code == 0
    write_roll_csv(roll, people)
    ro = read_only_url(db_url)
    result = runner.invoke(app, ["--db", ro, "roll", "import", str(roll)])
    assert result.exit_code == 4, result.stderr
    assert "read-only" in result.stderr and "Nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    listed = runner.invoke(app, ["--db", ro, "roll", "stats", "--json"])  # reading still works
    assert listed.exit_code == 0 and "20" in listed.stdout
    assert counted(db, Voter) == 20 and counted(db, RollImport) == 1
    with db.read() as session:
        assert verify_chain(session).ok


@pytest.mark.sqlite_only
def test_a_full_disk_is_a_clear_error_and_loses_nothing(
    db: Database, db_url: str, tmp_path: Path
) -> None:
    """SQLite's page limit gives the very error of a full disk (SQLITE_FULL)."""
    from sqlalchemy import event

    from juwei.elections.roll import import_roll
    from juwei.errors import DatabaseError

    people = list(synthetic_roll(3_000, groups=4, seed=9, as_of=ELECTION_DAY))
    roll = tmp_path / "roll.csv"
    write_roll_csv(roll, people[:50])
    import_roll(db, roll, as_of=ELECTION_DAY, operator="t")
    write_roll_csv(roll, people)
    db.engine.dispose()

    @event.listens_for(db.engine, "connect")
    def _tiny_disk(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count={pages + 2}")
        cursor.close()

    with pytest.raises(DatabaseError) as caught:
        import_roll(db, roll, as_of=ELECTION_DAY, operator="t")
    assert "disk is full" in str(caught.value) and "Nothing of this change" in str(caught.value)
    event.remove(db.engine, "connect", _tiny_disk)
    db.engine.dispose()
    assert counted(db, Voter) == 50 and counted(db, RollImport) == 1
    with db.read() as session:
        assert verify_chain(session).ok
