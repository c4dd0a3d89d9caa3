"""Attacks with stored text (issue 11 §4): square brackets that rich would read as markup, in
a box, an election title, an operator and an address, are shown as text by every command and
never break one after it committed; control characters and over-long text are refused before
anything is written, with the same limit on SQLite and PostgreSQL."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.db import Database
from juwei.elections.synthetic import synthetic_roll, write_roll_csv

DAY = date(2026, 12, 20)
MARKUP = "[/]"  # rich: "closing tag [/] has nothing to close" when read as markup
BOLD = "[bold red]"


def juwei(runner: CliRunner, db_url: str, *args: str, operator: str = "t") -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db_url, "--operator", operator, *args])
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def roll(db: Database, tmp_path: Path) -> list[str]:
    people = list(synthetic_roll(30, groups=2, seed=5, as_of=DAY))
    people[0] = replace(people[0], address=f"钱牌路{MARKUP}1号{BOLD}")
    write_roll_csv(tmp_path / "roll.csv", people)
    db.close()
    return [p.id_number for p in people]


def test_markup_in_stored_text_is_shown_as_text(
    db_url: str, roll: list[str], runner: CliRunner, tmp_path: Path
) -> None:
    operator = f"王{MARKUP}{BOLD}"
    code, out = juwei(
        runner,
        db_url,
        "roll",
        "import",
        str(tmp_path / "roll.csv"),
        "--as-of",
        DAY.isoformat(),
        operator=operator,
    )
    assert code == 0, out
    title = f"第十届{MARKUP}选举{BOLD}"
    code, out = juwei(
        runner, db_url, "election", "new", "--day", DAY.isoformat(), "--title", title,
        operator=operator,
    )  # fmt: skip
    assert code == 0, out
    code, out = juwei(runner, db_url, "election", "show")
    assert code == 0 and title in out, out
    code, out = juwei(runner, db_url, "election", "list")
    assert code == 0 and MARKUP in out, out  # (the table wraps the long title)
    code, out = juwei(runner, db_url, "audit", "log", "--json")
    assert code == 0 and operator in out, out
    code, out = juwei(runner, db_url, "audit", "log")
    assert code == 0 and MARKUP in out and BOLD in out, out
    code, out = juwei(runner, db_url, "roll", "show", roll[0])
    assert code == 0 and f"钱牌路{MARKUP}1号{BOLD}" in out, out
    code, out = juwei(runner, db_url, "audit", "log", "--kind", "roll")
    assert code == 0, out


def test_markup_in_a_box_name_is_shown_as_text(
    db: Database, db_url: str, runner: CliRunner, tmp_path: Path
) -> None:
    from tests.audit_setup import polling_election

    polling_election(db, tmp_path, printed=10, issued=0)
    db.close()
    people = list(synthetic_roll(100, groups=3, seed=3, as_of=DAY))
    box = f"流动票箱{MARKUP}{BOLD}"
    code, out = juwei(runner, db_url, "poll", "issue", people[99].id_number, "--box", box)
    assert code == 0, out
    code, out = juwei(runner, db_url, "poll", "status")
    assert code == 0 and box in out, out
    code, out = juwei(runner, db_url, "audit", "log", "--kind", "poll")
    assert code == 0 and MARKUP in out, out


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param("中心\x00会场", id="NUL"),
        pytest.param("中心\x1b[2J会场", id="terminal-escape"),
        pytest.param("中心\u202e场会", id="bidi-override"),
    ],
)
def test_control_characters_in_free_text_are_refused(
    db: Database, db_url: str, runner: CliRunner, tmp_path: Path, bad: str
) -> None:
    from tests.audit_setup import polling_election

    polling_election(db, tmp_path, printed=10, issued=0)
    db.close()
    people = list(synthetic_roll(100, groups=3, seed=3, as_of=DAY))
    code, out = juwei(runner, db_url, "poll", "issue", people[99].id_number, "--box", bad)
    assert code == 3, out
    assert "issuance.box" in out and "control character" in out
    code, out = juwei(runner, db_url, "poll", "status", "--json")
    assert '"issued": 0' in out, out  # nothing written


def test_one_length_limit_on_every_backend(
    db: Database, db_url: str, runner: CliRunner, tmp_path: Path
) -> None:
    from tests.audit_setup import polling_election

    polling_election(db, tmp_path, printed=10, issued=0)
    db.close()
    people = list(synthetic_roll(100, groups=3, seed=3, as_of=DAY))
    code, out = juwei(runner, db_url, "poll", "issue", people[99].id_number, "--box", "箱" * 101)
    assert code == 3, out
    assert "issuance.box: at most 100 characters fit, 101 given" in out
    code, out = juwei(runner, db_url, "poll", "status", "--json")
    assert '"issued": 0' in out, out
