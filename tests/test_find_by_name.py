"""Finding people by name (issue 13 §3): one match is used; namesakes are listed with masked
ID, group and age and asked about at a terminal, refused with the list without one."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.commands._people import split_name, voter_id
from juwei.elections.db import Database
from tests.conftest import id_number, write_csv
from tests.test_cli_election import Juwei

A = id_number("19800101", "011")
B = id_number("19900202", "022")
C = id_number("19700303", "033")


@pytest.fixture
def clerk(runner: CliRunner, db_url: str, tmp_path: Path) -> Juwei:
    j = Juwei(runner, db_url)
    j.ok("init", "钱牌社区", "--charter", "qianpai")
    roll = write_csv(
        tmp_path / "r.csv",
        [["余洋", A, "H1", "第1组"], ["余洋", B, "H2", "第2组"], ["张三", C, "H3", "第1组"]],
    )
    j.ok("roll", "import", str(roll), "--as-of", "2026-12-20")
    return j


def test_one_match_is_used(clerk: Juwei) -> None:
    shown = json.loads(clerk.ok("roll", "show", "张三", "--json"))
    assert shown["name"] == "张三" and shown["id"].endswith(C[-4:])


def test_namesakes_are_refused_with_the_list_without_a_terminal(clerk: Juwei) -> None:
    code, _out, err = clerk("roll", "show", "余洋")
    assert code == 3
    assert "2 voters are called 余洋" in err
    assert "****" + A[-4:] in err and "****" + B[-4:] in err and "第2组  36" in err
    assert A not in err and B not in err  # never the full ID number


def test_the_group_tells_namesakes_apart(clerk: Juwei) -> None:
    for text in ("余洋/第2组", "余洋（第2组）", "余洋,第2组"):
        shown = json.loads(clerk.ok("roll", "show", text, "--json"))
        assert shown["group"] == "第2组" and shown["id"].endswith(B[-4:]), text


def test_no_such_name(clerk: Juwei) -> None:
    code, _out, err = clerk("roll", "show", "王五")
    assert code == 5 and "No voter called 王五" in err


def test_a_clerk_at_a_terminal_picks_one(
    db_url: str, clerk: Juwei, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("typer.prompt", lambda *a, **k: 2)
    db = Database(db_url)
    try:
        chosen = voter_id(db, "余洋", community=None, interactive=True)
        assert chosen in (A, B)
        chosen_first = voter_id(db, "余洋/第1组", community=None, interactive=False)
        assert chosen_first == A
    finally:
        db.close()


def test_chinese_message_for_namesakes(clerk: Juwei) -> None:
    code, _out, err = clerk("--lang", "zh_CN", "roll", "show", "余洋")
    assert code == 3 and "有 2 名选民叫余洋" in err


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("余洋", ("余洋", None)),
        ("余洋/第1组", ("余洋", "第1组")),
        ("余洋(第1组)", ("余洋", "第1组")),
        (" 余洋 @ 第1组 ", ("余洋", "第1组")),
    ],
)
def test_split_name(text: str, parts: tuple[str, str | None]) -> None:
    assert split_name(text) == parts
