"""Inputs still open from the last round (issue 11 §4): impossible election days refused
before anything is written (a 1900 day used to crash after the election was created), an
RLA risk limit of 1e-300 refused naming --risk-limit, a huge count refused by its option."""

import json
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.db import Database
from juwei.elections.rla import parse_risk_limit
from juwei.errors import InputError


def juwei(runner: CliRunner, db_url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db_url, "--operator", "t", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        pytest.param("1900-01-01", "no law on residents' committees", id="1900"),
        pytest.param("9999-12-31", "more than six years ahead", id="9999"),
    ],
)
def test_an_impossible_election_day_is_refused_and_nothing_written(
    db: Database, db_url: str, runner: CliRunner, day: str, reason: str
) -> None:
    db.close()
    code, out, err = juwei(runner, db_url, "election", "new", "--day", day)
    assert code == 3, out + err
    assert "--day" in err and reason in err and "Traceback" not in out + err
    code, out, _err = juwei(runner, db_url, "election", "list", "--json")
    assert code == 0 and json.loads(out) == []


def test_a_day_before_today_needs_past_and_is_marked_as_entered_from_paper(
    db: Database, db_url: str, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11 §4: an election day before today is an election already held; entering it
    takes the explicit --past flag (a mistyped year is refused, nothing written), which is
    recorded in the log and shown by election show; --past on a coming day is refused."""
    monkeypatch.setenv("JUWEI_TODAY", "2026-12-06")
    db.close()
    code, out, err = juwei(runner, db_url, "election", "new", "--day", "2026-11-29")
    assert code == 3, out + err
    assert "2026-11-29 is before today (2026-12-06)" in err and "--past" in err
    assert json.loads(juwei(runner, db_url, "election", "list", "--json")[1]) == []
    code, out, err = juwei(runner, db_url, "election", "new", "--day", "2026-12-20", "--past")
    assert code == 3 and "--past is only for an election held before today" in err
    code, out, err = juwei(
        runner, db_url, "election", "new", "--day", "2026-11-29", "--past", "--json"
    )
    assert code == 0, out + err
    assert json.loads(out)["past"] is True
    code, out, _err = juwei(runner, db_url, "election", "show")
    assert "Entered after the election day from its paper records (--past)." in out
    code, out, _err = juwei(runner, db_url, "audit", "log", "--json")
    created = [e for e in json.loads(out) if e["kind"] == "election.new"]
    assert created and json.loads(created[-1]["payload"])["past"] is True
    monkeypatch.setenv("JUWEI_TODAY", "2026-11-01")  # a rehearsal dated before the day
    code, out, _err = juwei(runner, db_url, "election", "show", "--json")
    assert json.loads(out)["past"] is True  # what was recorded stays recorded


@pytest.mark.parametrize("text", ["1e-300", "0.00001", "1/3000000"])
def test_a_tiny_risk_limit_names_the_option(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_risk_limit(text)
    assert str(info.value).startswith("--risk-limit: ")


def test_ordinary_risk_limits_still_parse() -> None:
    assert parse_risk_limit("5%") == Fraction(1, 20)
    assert parse_risk_limit("0.0001") == Fraction(1, 10_000)


def test_a_huge_count_is_refused_by_its_option(
    db: Database, db_url: str, runner: CliRunner
) -> None:
    db.close()
    code, _out, err = juwei(
        runner, db_url, "members", "evaluate", "1", "--representatives", "9" * 30
    )
    assert code == 2 and "--representatives" in err


def test_a_signature_file_with_only_a_header_is_refused(tmp_path: Path) -> None:
    from juwei.elections.recall import read_signers

    path = tmp_path / "signers.csv"
    path.write_text("公民身份号码\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_signers(path)
    assert str(info.value) == "signers.csv: the file holds the header row but no signer"


def test_end_of_input_in_count_enter_saves_nothing_partial_and_exits_0(
    db: Database, db_url: str, runner: CliRunner, tmp_path: Path
) -> None:
    from tests.audit_setup import polling_election

    polling_election(db, tmp_path, printed=10, issued=10)
    db.close()
    # one whole ballot saved, then the input ends in the middle of the second
    keys = "\nn\n1\n\n\nn\n1\n\n\nn\n1 2 3\n\n\ny\n\nn\n2\n"  # 1-1 saved, 1-2 cut off
    result = runner.invoke(
        app, ["--db", db_url, "--operator", "t", "count", "enter", "--bundle", "1"], input=keys
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Saved ballot 1-1" in result.stdout
    assert "End of input: the ballot being typed was not saved." in result.stdout
    code, out, _err = juwei(runner, db_url, "poll", "status", "--json")
    assert json.loads(out)["entered"] == 1  # 1-1 only
