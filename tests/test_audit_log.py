"""The event log: every change appends a chained event; a direct edit is detected and named."""

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from typer.testing import CliRunner

from juwei.cli import app
from tests.conftest import database_exists, id_number, write_csv

A = id_number("19800101", "011")
B = id_number("19850615", "022")


@pytest.fixture
def logged(runner: CliRunner, db_url: str, tmp_path: Path) -> Path:
    runner.invoke(app, ["--db", db_url, "init", "钱牌社区", "--charter", "qianpai"])
    roll = write_csv(tmp_path / "r.csv", [["张三", A, "H1", "第1组"], ["李四", B, "H1", "第1组"]])
    runner.invoke(app, ["--db", db_url, "roll", "import", str(roll)])
    runner.invoke(app, ["--db", db_url, "election", "new", "--day", "2026-12-20"])
    return tmp_path / "juwei.db"


def test_every_change_is_logged_without_id_numbers(
    runner: CliRunner, db_url: str, logged: Path
) -> None:
    result = runner.invoke(app, ["--db", db_url, "audit", "log", "--json"])
    assert result.exit_code == 0
    events = json.loads(result.stdout)
    assert [e["kind"] for e in events] == ["community.init", "roll.import", "election.new"]
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert all(e["operator"] == "tester" for e in events)
    assert A not in result.stdout and B not in result.stdout
    only = runner.invoke(app, ["--db", db_url, "audit", "log", "--kind", "roll", "--json"])
    assert [e["kind"] for e in json.loads(only.stdout)] == ["roll.import"]


def test_a_whole_chain_passes(runner: CliRunner, db_url: str, logged: Path) -> None:
    result = runner.invoke(app, ["--db", db_url, "audit", "chain"])
    assert result.exit_code == 0
    assert "The event log is whole: 3 events" in result.stdout


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        pytest.param(
            "UPDATE event SET payload = replace(payload, '\"added\":2', '\"added\":3')"
            " WHERE seq = 2",
            "event 2 (roll.import) was changed after it was written",
            id="payload edited",
        ),
        pytest.param(
            "DELETE FROM event WHERE seq = 2",
            "event 3 follows event 1: an event was removed or reordered",
            id="deleted",
        ),
        pytest.param(
            "UPDATE event SET operator = 'someone' WHERE seq = 1",
            "event 1 (community.init) was changed",
            id="operator edited",
        ),
    ],
)
def test_a_direct_edit_is_detected_and_named(
    runner: CliRunner, db_url: str, logged: Path, sql: str, message: str
) -> None:
    engine = create_engine(db_url)  # a direct edit, past juwei
    try:
        with engine.begin() as conn:
            assert conn.exec_driver_sql(sql).rowcount == 1
    finally:
        engine.dispose()
    result = runner.invoke(app, ["--db", db_url, "audit", "chain"])
    assert result.exit_code == 7  # a verification failure, like audit verify's
    assert message in result.stderr


@pytest.mark.empty_db
def test_a_write_without_an_operator_is_refused_and_changes_nothing(
    runner: CliRunner, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JUWEI_OPERATOR")
    result = runner.invoke(app, ["--db", db_url, "init", "钱牌社区", "--charter", "qianpai"])
    assert result.exit_code == 3
    assert "--operator" in result.stderr and "JUWEI_OPERATOR" in result.stderr
    assert not database_exists(db_url)


def test_the_operator_given_is_the_one_logged(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    init = ["--db", db_url, "--operator", "王主任", "init", "钱牌社区", "--charter", "qianpai"]
    assert runner.invoke(app, init).exit_code == 0
    events = json.loads(runner.invoke(app, ["--db", db_url, "audit", "log", "--json"]).stdout)
    assert [e["operator"] for e in events] == ["王主任"]
