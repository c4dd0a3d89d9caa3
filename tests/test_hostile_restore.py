"""A hostile backup (issue 11 §3, §4): ``restore`` accepts only a database whose schema is
exactly juwei's — an extra table, a hidden trigger that deletes ballots, an extra index or
view, a changed table — and a truncated file is refused, exit 3, "not a juwei backup",
naming the object; the target is not created."""

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.cli import app


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backup")
    runner = CliRunner()
    base = ["--db", f"sqlite:///{folder / 'juwei.db'}", "--operator", "t"]
    assert runner.invoke(app, [*base, "init", "钱牌社区", "--charter", "qianpai"]).exit_code == 0
    result = runner.invoke(app, [*base, "backup", "--out", str(folder / "good.db")])
    assert result.exit_code == 0, result.stderr
    return folder / "good.db"


def restore(runner: CliRunner, source: Path, target: Path) -> tuple[int, str]:
    result = runner.invoke(
        app, ["--db", f"sqlite:///{target}", "--operator", "t", "restore", str(source)]
    )
    return result.exit_code, result.stdout + result.stderr


HOSTILE = [
    pytest.param(
        "CREATE TRIGGER keep_quiet AFTER INSERT ON ballot_record "
        "BEGIN DELETE FROM ballot_record WHERE id = NEW.id; END",
        "the trigger keep_quiet, which juwei never creates",
        id="hidden-trigger",
    ),
    pytest.param(
        "CREATE TABLE notes (x TEXT)", "the table notes, which juwei never creates", id="table"
    ),
    pytest.param(
        "CREATE VIEW v AS SELECT * FROM voter", "the view v, which juwei never creates", id="view"
    ),
    pytest.param(
        "CREATE INDEX ix_extra ON voter (name)",
        "the index ix_extra, which juwei never creates",
        id="index",
    ),
    pytest.param(
        "ALTER TABLE election ADD COLUMN quorum_override INTEGER",
        "the table election differs from juwei's schema",
        id="changed-table",
    ),
]


def test_a_genuine_backup_restores(backup: Path, tmp_path: Path, runner: CliRunner) -> None:
    code, out = restore(runner, backup, tmp_path / "r.db")
    assert code == 0, out


@pytest.mark.parametrize(("sql", "named"), HOSTILE)
def test_a_backup_with_objects_juwei_never_creates_is_refused(
    backup: Path, tmp_path: Path, runner: CliRunner, sql: str, named: str
) -> None:
    evil = tmp_path / "evil.db"
    evil.write_bytes(backup.read_bytes())
    conn = sqlite3.connect(evil)
    conn.execute(sql)
    conn.commit()
    conn.close()
    code, out = restore(runner, evil, tmp_path / "r.db")
    assert code == 3, out
    assert "not a juwei backup" in out and named in out
    assert not (tmp_path / "r.db").exists()


def test_a_truncated_backup_is_not_a_juwei_backup(
    backup: Path, tmp_path: Path, runner: CliRunner
) -> None:
    cut = tmp_path / "cut.db"
    cut.write_bytes(backup.read_bytes()[: len(backup.read_bytes()) // 3])
    code, out = restore(runner, cut, tmp_path / "r.db")
    assert code == 3, out
    assert "not a juwei backup" in out
    assert not (tmp_path / "r.db").exists()
