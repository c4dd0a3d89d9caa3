"""``juwei backup`` / ``juwei restore`` (issue 6): a consistent copy while terminals write,
checked (schema, audit chain) before it is used; never over a database without --force."""

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.audit import verify_chain
from juwei.elections.db import Database
from juwei.elections.models import BallotRecord, Community, Event
from tests.conftest import ON_POSTGRESQL
from tests.test_concurrency import ballot_file, build_election, finish, juwei, opened
from tests.test_crash import writer_inside_transaction


def run(runner: CliRunner, db_url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db_url, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_a_backup_taken_while_terminals_write_is_consistent_and_restores(
    db_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    url, paper, _ids = build_election(db_url, tmp_path, printed=3000)
    opened(url, 3000)
    files = [
        ballot_file(tmp_path / f"b{n}.jsonl", paper, range(1 + 1500 * n, 1501 + 1500 * n))
        for n in range(2)
    ]
    writers = [juwei(url, "count", "import", str(f)) for f in files]  # two terminals
    backups, during = [], 0
    while any(w.poll() is None for w in writers) or not backups:
        busy = writer_inside_transaction(url)
        out = tmp_path / f"copy{len(backups)}.db"
        code, _, err = run(runner, url, "backup", "--out", str(out))
        assert code == 0, err
        backups.append(out)
        during += busy
    assert all(finish(w)[0] == 0 for w in writers)
    assert during >= 1  # at least one copy was taken while a terminal was writing
    for copy in backups:
        target = tmp_path / f"restored-{copy.stem}.db"
        code, out, err = run(runner, f"sqlite:///{target}", "restore", str(copy))
        assert code == 0, err
        db = Database(f"sqlite:///{target}")
        try:
            with db.read() as session:
                assert verify_chain(session).ok
                payloads = session.execute(
                    select(Event.payload).where(Event.kind == "count.record")
                ).scalars()
                listed = [json.loads(p)["ballots"] for p in payloads]
                recorded = sum(b if isinstance(b, int) else len(b) for b in listed)
                rows = session.execute(select(func.count()).select_from(BallotRecord)).scalar_one()
            assert rows == recorded  # every batch whole, or not there at all
        finally:
            db.close()


@pytest.mark.sqlite_only
def test_restore_refuses_a_database_in_use_a_tampered_copy_and_other_files(
    db: Database, db_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    copy = tmp_path / "copy.db"
    assert run(runner, db_url, "backup", "--out", str(copy))[0] == 0
    code, _, err = run(runner, db_url, "backup", "--out", str(copy))
    assert code == 3 and "already exists" in err  # a backup is never overwritten
    # restoring over a database that holds a community needs --force
    code, _, err = run(runner, db_url, "restore", str(copy))
    assert code == 6 and "--force" in err
    code, _, err = run(runner, db_url, "restore", str(copy), "--force")
    assert code == 0, err
    # a copy whose audit log was edited is refused, and the target stays as it was
    tampered = tmp_path / "tampered.db"
    tampered.write_bytes(copy.read_bytes())
    engine = create_engine(f"sqlite:///{tampered}")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE event SET operator = 'someone' WHERE seq = 1")
    engine.dispose()
    fresh = tmp_path / "fresh.db"
    code, _, err = run(runner, f"sqlite:///{fresh}", "restore", str(tampered))
    assert code == 3 and "audit log of the backup is broken" in err and "event 1" in err
    assert not fresh.exists()
    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup", encoding="utf-8")
    code, _, err = run(runner, f"sqlite:///{fresh}", "restore", str(notes))
    assert code == 3 and "not a juwei backup" in err
    # the good copy restores into a new file
    code, _, err = run(runner, f"sqlite:///{fresh}", "restore", str(copy))
    assert code == 0, err
    restored = Database(f"sqlite:///{fresh}")
    try:
        with restored.read() as session:
            names = session.execute(select(Community.name)).scalars().all()
        assert names == ["钱牌社区"]
    finally:
        restored.close()


@pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL (JUWEI_TEST_PG)")
def test_postgresql_backup_names_pg_dump(db: Database, db_url: str, tmp_path: Path) -> None:
    code, _, err = run(CliRunner(), db_url, "backup", "--out", str(tmp_path / "x.db"))
    assert code == 4 and "pg_dump" in err
    assert not (tmp_path / "x.db").exists()


@pytest.mark.sqlite_only
def test_a_backup_into_a_missing_folder_is_refused(
    runner: CliRunner, db: Database, db_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "missing" / "copy.db"
    code, _out, err = run(runner, db_url, "backup", "--out", str(out))
    assert code == 3 and "no such folder" in err and "Traceback" not in err
    assert not out.parent.exists()
