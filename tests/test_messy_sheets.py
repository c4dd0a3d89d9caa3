"""Rolls as clerks make them in Excel/WPS (issue 13 §4): a title row above the header, a
two-row merged header, spaced headers, footer rows, the sheet with the headers, damaged names."""

import json
from pathlib import Path

from openpyxl import Workbook
from typer.testing import CliRunner

from juwei.elections.tabular import read_table
from tests.conftest import id_number
from tests.test_cli_election import Juwei

A = id_number("19800101", "011")
B = id_number("19900202", "022")
C = id_number("19700303", "033")


def messy_workbook(path: Path, names: tuple[str, str, str] = ("余洋", "刘䶮", "张三")) -> Path:
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "填表说明"
    notes["A1"] = "请按要求填写，身份证号设置为文本格式。"
    sheet = book.create_sheet("选民登记")
    sheet["A1"] = "钱牌社区选民登记表"
    sheet.merge_cells("A1:D1")
    sheet["A2"] = "基本信息"
    sheet.merge_cells("A2:B2")
    sheet["C2"] = "住户信息"
    sheet.merge_cells("C2:D2")
    sheet.append(["姓 名", "公民身份号码", "户 号", "居民小组"])
    for name, number, household in zip(names, (A, B, C), ("H1", "H1", "H2"), strict=True):
        sheet.append([name, number, household, "第1组"])
    sheet.append(["合计", "3人", None, None])
    sheet.append(["制表人：王五", None, "日期：2027年4月20日", None])
    book.save(path)
    return path


def test_the_header_is_found_below_the_title_and_the_footer_is_left_out(tmp_path: Path) -> None:
    table = read_table(messy_workbook(tmp_path / "roll.xlsx"))
    assert table.headers == ["姓名", "公民身份号码", "户号", "居民小组"]
    assert [row for row, _cells in table.data] == [4, 5, 6]
    notes = "\n".join(table.notes)
    assert "read the sheet 选民登记" in notes
    assert "the header is row 3" in notes and "rows 7, 8 are a footer" in notes


def test_a_messy_workbook_imports_with_notes(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    j = Juwei(runner, db_url)
    j.ok("init", "钱牌社区", "--charter", "qianpai")
    code, out, err = j(
        "--lang", "zh_CN", "roll", "import", str(messy_workbook(tmp_path / "r.xlsx"))
    )
    assert code == 0, err
    assert "选民登记" in err + out and "表尾" in err + out
    listed = json.loads(j.ok("roll", "list", "--json"))
    assert sorted(v["name"] for v in listed) == ["余洋", "刘䶮", "张三"]


def test_a_csv_with_a_title_row_and_a_footer(tmp_path: Path) -> None:
    path = tmp_path / "roll.csv"
    path.write_text(
        f"钱牌社区选民登记表,,,\n姓名,公民身份号码,户号,居民小组\n余洋,{A},H1,第1组\n合计,1人,,\n",
        encoding="utf-8",
    )
    table = read_table(path)
    assert table.headers[0] == "姓名" and [r for r, _c in table.data] == [3]


def test_names_damaged_by_a_gbk_export_are_refused(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    j = Juwei(runner, db_url)
    j.ok("init", "钱牌社区", "--charter", "qianpai")
    book = messy_workbook(tmp_path / "r.xlsx", names=("余洋", "刘?", "张\ufffd"))
    code, _out, err = j("roll", "import", str(book))
    assert code == 3
    assert "r.xlsx:5:姓名" in err and "r.xlsx:6:姓名" in err and "GBK" in err
