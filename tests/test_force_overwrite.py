"""A command that writes a file refuses to overwrite an existing one unless given --force
(issue 11 §4): the old file stays as it was, exit 3 naming the file and the option."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.db import Database
from tests.audit_election import certified_election

OLD = b"printed yesterday"


@pytest.fixture
def counted(db: Database, tmp_path: Path) -> None:
    certified_election(db, tmp_path)
    db.close()


@pytest.mark.parametrize(
    ("args", "target"),
    [
        pytest.param(("roll", "print", "--out", "{p}"), "voters.pdf", id="roll-print"),
        pytest.param(("roll", "export", "--out", "{p}"), "roll.csv", id="roll-export"),
        pytest.param(("ballots", "print", "--out", "{p}"), "ballots.pdf", id="ballots-print"),
        pytest.param(("candidates", "print", "--out", "{p}"), "c.pdf", id="candidates-print"),
        pytest.param(("results", "print", "--out", "{d}"), "result-sheet.pdf", id="results-print"),
        pytest.param(("audit", "export", "1", "--out", "{d}"), "manifest.json", id="audit-export"),
    ],
)
def test_an_existing_file_is_kept_without_force(
    counted: None,
    db_url: str,
    runner: CliRunner,
    tmp_path: Path,
    args: tuple[str, ...],
    target: str,
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / target
    path.write_bytes(OLD)
    argv = [a.format(p=path, d=folder) for a in args]
    if argv[:2] == ["ballots", "print"]:
        argv += ["--copies", "1"]
    result = runner.invoke(app, ["--db", db_url, "--operator", "t", *argv])
    assert result.exit_code == 3, result.stdout + result.stderr
    assert "--force" in result.stderr
    assert (target if args[0] != "audit" else "out") in result.stderr
    assert path.read_bytes() == OLD
    if argv[:2] == ["ballots", "print"]:
        return  # the ballots of a counted election are printed already; refused later
    result = runner.invoke(app, ["--db", db_url, "--operator", "t", *argv, "--force"])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert path.read_bytes() != OLD
