"""Option values in Chinese as well as English (issue 13 §1): offices, methods, modes, kinds,
causes; a wrong value is refused listing the valid ones in the user's language."""

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.commands import _values as values
from juwei.elections.synthetic import synthetic_roll, write_roll_csv
from juwei.i18n import set_language
from tests.test_cli_election import DAY, Juwei, one_ballot_out
from tests.test_cli_election import juwei as election_fixture


@pytest.fixture
def clerk(runner: CliRunner, db_url: str, tmp_path: Path) -> tuple[Juwei, list[str]]:
    j = Juwei(runner, db_url)
    people = list(synthetic_roll(60, groups=3, seed=5, as_of=DAY))
    write_roll_csv(tmp_path / "roll.csv", people)
    j.ok("init", "钱牌社区", "--charter", "qianpai")
    j.ok("roll", "import", str(tmp_path / "roll.csv"), "--as-of", DAY.isoformat())
    return j, [p.id_number for p in people]


def test_an_election_and_a_nomination_in_chinese_words(
    clerk: tuple[Juwei, list[str]], tmp_path: Path
) -> None:
    j, ids = clerk
    out = j.ok(
        "election",
        "new",
        "--day",
        DAY.isoformat(),
        "--mode",
        "全体选民",
        "--kind",
        "换届",
        "--json",
    )
    assert json.loads(out)["mode"] == "direct"
    backers = tmp_path / "b.csv"
    backers.write_text("公民身份号码\n" + "\n".join(ids[20:30]) + "\n", encoding="utf-8")
    out = j.ok(
        "nominate",
        ids[0],
        "--office",
        "主任",
        "--method",
        "联名",
        "--supporters",
        str(backers),
        "--on",
        "2026-12-01",
        "--json",
    )
    nominated = json.loads(out)
    assert (nominated["office"], nominated["method"]) == ("主任", "joint")
    out = j.ok(
        "nominate",
        ids[1],
        "--office",
        "委员",
        "--method",
        "联名推荐",
        "--supporters",
        str(backers),
        "--on",
        "2026-12-01",
        "--json",
    )
    assert json.loads(out)["method"] == "joint"


def test_a_wrong_value_lists_the_valid_ones_in_the_users_language(
    clerk: tuple[Juwei, list[str]],
) -> None:
    j, _ids = clerk
    code, _out, err = j(
        "--lang", "zh_CN", "election", "new", "--day", DAY.isoformat(), "--kind", "另选"
    )
    assert code == 2
    flat = re.sub(r"[\s│]+", "", err)
    assert "换届（general）、补选（by-election）、居民代表推选（representatives）" in flat
    code, _out, err = j("election", "new", "--day", DAY.isoformat(), "--mode", "everyone")
    flat = re.sub(r"[\s│]+", "", err)
    assert code == 2 and "direct(全体选民),household(户代表),representative(居民代表)" in flat


def test_an_unknown_office_names_keys_and_titles(clerk: tuple[Juwei, list[str]]) -> None:
    j, ids = clerk
    j.ok("election", "new", "--day", DAY.isoformat())
    code, _out, err = j("nominate", ids[0], "--office", "书记", "--on", "2026-12-01")
    assert code == 3 and "主任（director）" in err and "书记" in err


@pytest.mark.parametrize(
    ("table", "given", "key"),
    [
        (values.OFFICES, "副主任", "deputy"),
        (values.METHODS, "小组 提名", "group"),
        (values.MODES, "户代表", "household"),
        (values.KINDS, "by_election", "by-election"),
        (values.CAUSES, "死亡", "death"),
        (values.CAUSES, "Death", "death"),
    ],
)
def test_normalise(table: dict[str, tuple[str, ...]], given: str, key: str) -> None:
    assert values.normalise(table, given) == key


def test_labels_follow_the_language() -> None:
    set_language("zh_CN")
    assert values.label(values.METHODS, "joint") == "联名"
    set_language("en")
    assert values.label(values.METHODS, "joint") == "joint"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("是", True), ("否", False), ("y", True), ("N", False), (" 不 ", False), ("也许", None)],
)
def test_yes_and_no_in_chinese(answer: str, expected: bool | None) -> None:
    from juwei.commands._common import parse_yes_no

    assert parse_yes_no(answer) == expected


nominated = pytest.fixture(election_fixture.__wrapped__, name="nominated")  # type: ignore[attr-defined]


def test_count_enter_takes_shi_and_fou(nominated: tuple[Juwei, list[str]], tmp_path: Path) -> None:
    """A ballot entered at the public count with 否 (not illegible) and 是 (save)."""
    j = one_ballot_out(nominated, tmp_path)
    j.ok("poll", "close")
    j.ok("count", "open", "--box", "中心会场", "--found", "1")
    section = "否\n1\n\n\n"  # not illegible; 同意 no. 1; no 不同意; no write-in
    typed = "\n" + section * 3 + "也许\n是\nq\n"  # ballot 1-1, then q ends
    code, out, err = j("--lang", "zh_CN", "count", "enter", "--bundle", "1", input=typed)
    assert code == 0, err
    assert "[是/否，默认是]" in out and "[是/否，默认否]" in out
    assert "请回答“是”或“否”" in err
    assert "1 张" in out or "1张" in out, out
