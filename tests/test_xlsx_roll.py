"""The roll in Excel and back (issue 13 §4): the template and the export keep ID numbers as
text, so export → edit in Excel → import is a round trip."""

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.conftest import id_number, write_csv
from tests.test_cli_election import Juwei

A = id_number("19800101", "011")
X = next(
    id_number("19850615", f"{n:03d}")
    for n in range(1000)
    if id_number("19850615", f"{n:03d}").endswith("X")
)


def test_template_has_the_headers_and_text_id_cells(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    j = Juwei(runner, db_url)
    out = tmp_path / "模板.xlsx"
    j.ok("roll", "template", "--out", str(out))
    sheet = load_workbook(out).active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["姓名", "公民身份号码", "户号", "居民小组"]
    assert sheet["B2"].number_format == "@" and sheet["B400"].number_format == "@"


def test_export_edit_import_round_trip(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    j = Juwei(runner, db_url)
    j.ok("init", "钱牌社区", "--charter", "qianpai")
    roll = write_csv(tmp_path / "r.csv", [["刘䶮", A, "H1", "第1组"], ["张三", X, "H2", "第2组"]])
    j.ok("roll", "import", str(roll), "--as-of", "2026-12-20")
    out = tmp_path / "roll.xlsx"
    assert json.loads(j.ok("roll", "export", "--out", str(out), "--json"))["voters"] == 2
    book = load_workbook(out)
    sheet = book.active
    assert sheet is not None
    ids = {sheet.cell(row=r, column=2).value for r in (2, 3)}
    assert ids == {A, X}  # text, never a number
    assert all(sheet.cell(row=r, column=2).number_format == "@" for r in (2, 3))
    sheet.cell(row=2, column=5).value = "钱牌路1号"  # the clerk adds an address
    book.save(out)
    summary = j.ok("roll", "import", str(out), "--as-of", "2026-12-20")
    assert "0 added, 1 updated, 1 unchanged, 0 no longer listed" in summary
    shown = {v["name"] for v in json.loads(j.ok("roll", "list", "--json"))}
    assert shown == {"刘䶮", "张三"}


def test_xlsx_flag_names_the_file_xlsx(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    j = Juwei(runner, db_url)
    j.ok("init", "钱牌社区", "--charter", "qianpai")
    j.ok("roll", "import", str(write_csv(tmp_path / "r.csv", [["张三", A, "H1", "第1组"]])))
    j.ok("roll", "export", "--out", str(tmp_path / "roll"), "--xlsx")
    assert load_workbook(tmp_path / "roll.xlsx").active is not None
