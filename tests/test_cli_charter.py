"""``juwei charter list|show|check``: exit codes, exact messages, one JSON document."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.cli import app
from juwei.rules.charter import list_profiles, load_charter, profile_path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"JUWEI_LANG": "en"})


def bad_charter(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """qianpai with ``old`` replaced by ``new``; returns the file and the changed line."""
    text = profile_path("qianpai").read_text(encoding="utf-8")
    assert text.count(old) == 1
    changed = text.replace(old, new)
    path = tmp_path / "bad.toml"
    path.write_text(changed, encoding="utf-8")
    return path, changed[: changed.index(new)].count("\n") + 1


def test_list(runner: CliRunner) -> None:
    result = runner.invoke(app, ["charter", "list"])
    assert result.exit_code == 0, result.output
    for name in list_profiles():
        assert name in result.stdout
    assert "钱牌社区自治章程" in result.stdout
    assert result.stderr == ""


def test_list_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["charter", "list", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [p["name"] for p in document] == ["nanchangzhai", "qianpai", "urban-2018", "urban-2025"]
    by_name = {p["name"]: p for p in document}
    assert (by_name["qianpai"]["size_min"], by_name["qianpai"]["size_max"]) == (7, 7)
    assert by_name["qianpai"]["seats"] == {"director": 1, "deputy": 1, "member": 5}
    assert by_name["qianpai"]["term_years"] == 3
    assert by_name["nanchangzhai"]["seats"] == {"director": 1, "member": 2}
    assert (by_name["urban-2018"]["size_min"], by_name["urban-2018"]["size_max"]) == (5, 9)
    assert by_name["urban-2018"]["term_years"] == 5
    assert by_name["urban-2018"]["effective"] == "2018-12-29"
    assert by_name["urban-2018"]["digest"] == load_charter("urban-2018").digest()


def test_show_text(runner: CliRunner) -> None:
    result = runner.invoke(app, ["charter", "show", "qianpai"])
    assert result.exit_code == 0, result.output
    assert f"Digest: {load_charter('qianpai').digest()}\n" in result.stdout
    assert "recall.initiation" in result.stdout
    assert "SEED" in result.stdout


def test_show_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["charter", "show", "qianpai", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    charter = load_charter("qianpai")
    assert document["digest"] == charter.digest()
    assert document["name"] == "qianpai"
    rules = {r["key"]: r for r in document["rules"]}
    assert len(rules) == len(charter.rules())
    assert rules["recall.initiation"] == {
        "key": "recall.initiation",
        "value_en": "at least 1/5 of registered voters, jointly, stating the reasons",
        "value_zh": "登记选民的五分之一以上联名，并说明罢免理由",
        "source": "SEED 钱牌 第四条",
        "confidence": None,
        "provisional": False,
    }


def test_show_a_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "ours.toml"
    path.write_bytes(profile_path("nanchangzhai").read_bytes())
    result = runner.invoke(app, ["charter", "show", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["name"] == "nanchangzhai"


def test_show_unknown(runner: CliRunner) -> None:
    result = runner.invoke(app, ["charter", "show", "nowhere"])
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == (
        "Error: nowhere: no such file or charter profile "
        "(profiles: nanchangzhai, qianpai, urban-2018, urban-2025)\n"
    )


def test_check_ok(runner: CliRunner) -> None:
    path = profile_path("urban-2018")
    result = runner.invoke(app, ["charter", "check", str(path)])
    assert result.exit_code == 0, result.output
    digest = load_charter("urban-2018").digest()
    assert result.stdout == f"OK: {path} (urban-2018), digest {digest}\n"


def test_check_ok_json(runner: CliRunner) -> None:
    result = runner.invoke(app, ["charter", "check", "qianpai", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "ok": True,
        "file": "qianpai",
        "name": "qianpai",
        "digest": load_charter("qianpai").digest(),
        "provisional_rules": [],
    }


def test_check_unknown_key(runner: CliRunner, tmp_path: Path) -> None:
    path, line = bad_charter(tmp_path, "excluded = true", "exclude = true")
    result = runner.invoke(app, ["charter", "check", str(path)])
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {path}:{line}: eligibility.deprived.exclude: "
        "unknown key (did you mean excluded?)\n"
    )


def test_check_term_of_zero_years(runner: CliRunner, tmp_path: Path) -> None:
    path, line = bad_charter(tmp_path, "years = 3\nreelection", "years = 0\nreelection")
    result = runner.invoke(app, ["charter", "check", str(path)])
    assert result.exit_code == 3
    assert result.stderr == f"Error: {path}:{line}: term.years: must be at least 1 (found 0)\n"


def test_check_error_json(runner: CliRunner, tmp_path: Path) -> None:
    path, line = bad_charter(
        tmp_path,
        '{ word = "at_least", fraction = "1/5", base = "registered_voters" }',
        '{ word = "at_least", fraction = "6/5", base = "registered_voters" }',
    )
    result = runner.invoke(app, ["charter", "check", str(path), "--json"])
    assert result.exit_code == 3
    assert json.loads(result.stdout) == {
        "ok": False,
        "file": str(path),
        "line": line,
        "key": "recall.initiation.any_of[0].fraction",
        "reason": "the fraction 6/5 must be more than 0 and at most 1",
    }
    assert result.stderr.startswith(f"Error: {path}:{line}: recall.initiation.any_of[0].fraction")


def test_check_malformed(runner: CliRunner, tmp_path: Path) -> None:
    path, line = bad_charter(tmp_path, "[term]", "[term")
    result = runner.invoke(app, ["charter", "check", str(path)])
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {path}:{line}: malformed TOML: ")


@pytest.mark.parametrize("command", ["list", "show", "check"])
def test_every_command_has_help(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, ["charter", command, "--help"])
    assert result.exit_code == 0
    assert "--json" in result.stdout


@pytest.mark.parametrize("command", ["show", "check"])
def test_missing_argument_is_a_usage_error(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, ["charter", command])
    assert result.exit_code == 2


def test_list_in_chinese_names_the_profile_column(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--lang", "zh_CN", "charter", "list"], env={"COLUMNS": "150"})
    assert result.exit_code == 0
    head = result.stdout.splitlines()[2]
    assert "章程模板名" in head and "姓名" not in head
