"""CLI: init and roll commands — exact exit codes, messages on stderr, JSON on stdout."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.cli import app
from tests.conftest import database_exists, id_number, write_csv

A = id_number("19800101", "011")
B = id_number("19850615", "022")
MASKED_A = "**************" + A[-4:]


def run(runner: CliRunner, db_url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db_url, *args])
    return result.exit_code, result.stdout, result.stderr


def test_init_then_import_then_list(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    code, out, err = run(runner, db_url, "init", "钱牌社区", "--charter", "qianpai")
    assert code == 0, err
    assert "Created community 钱牌社区 under charter qianpai" in out
    roll = write_csv(
        tmp_path / "roll.csv", [["张三", A, "H1", "第1组"], ["李四", B, "H1", "第1组"]]
    )
    code, out, err = run(runner, db_url, "roll", "import", str(roll), "--as-of", "2026-12-20")
    assert code == 0, err
    assert "2 added, 0 updated, 0 unchanged, 0 no longer listed" in out
    code, out, _ = run(runner, db_url, "roll", "list", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [v["name"] for v in listed] == ["李四", "张三"]
    assert listed[1]["id"] == MASKED_A
    assert A not in out


def test_show_masks_the_id_number(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    run(runner, db_url, "init", "钱牌社区", "--charter", "qianpai")
    run(
        runner,
        db_url,
        "roll",
        "import",
        str(write_csv(tmp_path / "r.csv", [["张三", A, "H1", "第1组"]])),
    )
    code, out, _ = run(runner, db_url, "roll", "show", A)
    assert code == 0 and MASKED_A in out and A not in out
    code, out, _ = run(runner, db_url, "roll", "stats", "--json")
    assert code == 0 and json.loads(out)["total"] == 1


def test_bad_roll_exits_3_names_file_row_column_and_imports_nothing(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    run(runner, db_url, "init", "钱牌社区", "--charter", "qianpai")
    bad = A[:-1] + ("0" if A[-1] != "0" else "1")
    roll = write_csv(
        tmp_path / "roll.csv", [["李四", B, "H1", "第1组"], ["张三", bad, "H1", "第1组"]]
    )
    code, out, err = run(runner, db_url, "roll", "import", str(roll))
    assert code == 3
    assert out == ""
    assert "nothing was imported" in err
    assert "roll.csv:3:公民身份号码: The check digit of the identity number does not match" in err
    code, out, _ = run(runner, db_url, "roll", "list", "--json")
    assert json.loads(out) == []


def test_missing_file_and_bad_date(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    run(runner, db_url, "init", "钱牌社区", "--charter", "qianpai")
    code, _, err = run(runner, db_url, "roll", "import", str(tmp_path / "nope.csv"))
    assert code == 3 and "no such file" in err
    roll = write_csv(tmp_path / "r.csv", [["张三", A, "H1", "第1组"]])
    code, _, err = run(runner, db_url, "roll", "import", str(roll), "--as-of", "20/12/2026")
    assert code == 3 and "--as-of: not a date in the form YYYY-MM-DD: 20/12/2026" in err


@pytest.mark.empty_db
def test_no_database_yet_leaves_no_file_behind(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    code, _, err = run(runner, db_url, "roll", "list")
    assert code == 4
    assert "There is no juwei database at" in err and "juwei init" in err
    assert not database_exists(db_url)


def test_no_community_yet(runner: CliRunner, db_url: str) -> None:
    from juwei.elections.db import Database

    Database(db_url).close()  # an empty juwei database
    code, _, err = run(runner, db_url, "roll", "list")
    assert code == 5
    assert "This database has no community yet" in err


@pytest.mark.sqlite_only
def test_database_that_is_not_juwei(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_text("hello", encoding="utf-8")
    result = runner.invoke(app, ["--db", f"sqlite:///{path}", "roll", "list"])
    assert result.exit_code == 4
    assert "is not a juwei database" in result.stderr


def test_duplicate_community(runner: CliRunner, db_url: str) -> None:
    run(runner, db_url, "init", "钱牌社区", "--charter", "qianpai")
    code, _, err = run(runner, db_url, "init", "钱牌社区", "--charter", "qianpai")
    assert code == 6 and "already exists" in err


def test_unknown_charter_profile(runner: CliRunner, db_url: str) -> None:
    code, _, err = run(runner, db_url, "init", "钱牌社区", "--charter", "nosuch")
    assert code == 3 and "nosuch" in err


def test_messages_in_chinese_when_the_locale_is_chinese(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    from juwei.elections.db import Database

    Database(db_url).close()
    result = runner.invoke(app, ["--db", db_url, "--lang", "zh_CN", "roll", "list"])
    assert result.exit_code == 5
    assert "尚无社区" in result.stderr


def test_ages_on_the_list_are_counted_on_the_import_day(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    young = id_number("20081210", "011")  # 18 on 2026-12-10
    run(runner, db_url, "init", "钱牌社区", "--charter", "qianpai")
    roll = write_csv(tmp_path / "r.csv", [["小明", young, "H1", "第1组"]])
    code, _, err = run(runner, db_url, "roll", "import", str(roll), "--as-of", "2026-12-20")
    assert code == 0, err
    code, out, _ = run(runner, db_url, "roll", "list", "--json")
    assert json.loads(out)[0]["age"] == 18


def test_print_voter_list_pdf(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    from pypdf import PdfReader

    run(runner, db_url, "init", "钱牌社区", "--charter", "qianpai")
    run(
        runner,
        db_url,
        "roll",
        "import",
        str(write_csv(tmp_path / "r.csv", [["张三", A, "H1", "第1组"]])),
    )
    out = tmp_path / "list.pdf"
    code, stdout, err = run(runner, db_url, "roll", "print", "--out", str(out))
    assert code == 0, err
    assert "1 voters on 1 pages" in stdout
    text = PdfReader(out).pages[0].extract_text()
    assert "张三" in text and A not in text and "*" not in text  # public paper: no ID at all
