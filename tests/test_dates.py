"""Days as clerks write them, in files and on the command line (issue 13 §4)."""

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.elections.tabular import parse_date_text
from tests.test_cli_election import Juwei


@pytest.mark.parametrize(
    "text",
    [
        "2027-04-20",
        "2027-4-20",
        "2027/4/20",
        "2027.4.20",
        "2027年4月20日",
        "２０２７年４月２０日",
        "20270420",
        "2027-04-20 00:00:00",
        " 2027年04月20号 ",
    ],
)
def test_each_way_of_writing_a_day(text: str) -> None:
    assert parse_date_text(text) == date(2027, 4, 20)


@pytest.mark.parametrize("text", ["2027-2-30", "4/20/2027", "27-4-20", "明天", "2027-04"])
def test_what_is_not_a_day(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date_text(text)


def test_day_options_take_chinese_dates(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    j = Juwei(runner, db_url)
    j.ok("init", "钱牌社区", "--charter", "qianpai")
    out = j.ok("election", "new", "--day", "2027年4月20日", "--json")
    assert json.loads(out)["day"] == "2027-04-20"
    code, _out, err = j("election", "new", "--day", "4/20/2027")
    assert code == 3 and "--day" in err and "4/20/2027" in err
