"""Start-up (issue 10 §6): ``juwei --help`` and ``--version`` import no sub-command, no engine
and none of SQLAlchemy, Alembic, pydantic or SQLModel; the listed help is the loaded one.

The time itself is measured by ``bench/startup.py``, not here.
"""

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from juwei import cli
from juwei.cli import COMMANDS, app, listed_help, load_command

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("sqlalchemy", "alembic", "pydantic", "sqlmodel", "reportlab", "juwei.elections")

PROBE = """
import json, sys
from juwei.cli import main
sys.argv = ["juwei", *sys.argv[1:]]
try:
    main()
except SystemExit as end:
    code = end.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def modules_after(*args: str) -> tuple[int, list[str], str]:
    """Run ``juwei ARGS`` in a fresh interpreter: exit code, modules imported, stdout."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONPATH": str(ROOT), "JUWEI_LANG": "en", "COLUMNS": "100"},
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], report["modules"], done.stdout


@pytest.mark.parametrize(
    "args", [("--help",), ("--version",), ("--lang", "zh_CN", "--help"), ()], ids=" ".join
)
def test_help_and_version_import_no_command_and_no_engine(args: tuple[str, ...]) -> None:
    code, modules, out = modules_after(*args)
    assert code in (0, 2) and out  # no arguments: the help, as a usage error would
    heavy = [m for m in modules if m.startswith(HEAVY)]
    assert heavy == []
    commands = [m for m in modules if m.startswith("juwei.commands.")]
    assert commands == ["juwei.commands._common", "juwei.commands._help"]


def test_running_a_command_imports_only_its_own_module() -> None:
    code, modules, out = modules_after("charter", "list")
    assert code == 0 and "qianpai" in out
    commands = {m for m in modules if m.startswith("juwei.commands.")}
    assert commands == {"juwei.commands._common", "juwei.commands._help", "juwei.commands.charter"}


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"juwei {cli.__version__}\n"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_listed_help_is_the_help_of_the_loaded_command(name: str) -> None:
    loaded = load_command(name)
    assert loaded.name == name
    assert inspect.cleandoc(loaded.help or "") == listed_help(name) != ""


def test_the_listing_shows_every_command_once_in_order() -> None:
    root = typer.main.get_command(app)
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    listed = [
        line.split()[1]
        for line in result.stdout.splitlines()
        if line.startswith("│ ") and line.split()[1] in COMMANDS
    ]
    assert listed == list(COMMANDS)
    assert root.list_commands(None) == list(COMMANDS)  # type: ignore[arg-type]


def test_a_sub_command_help_loads_it_with_its_own_sub_commands() -> None:
    result = CliRunner().invoke(app, ["members", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "evaluate" in result.stdout and "resign" in result.stdout  # evaluate: committee's
    result = CliRunner().invoke(app, ["count", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "screen" in result.stdout


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["nosuch"])
    assert result.exit_code == 2 and "No such command" in result.output
