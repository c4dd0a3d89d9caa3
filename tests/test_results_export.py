"""Results for Excel (issue 13 §4): XLSX with Chinese headers, CSV with a UTF-8 BOM; the
figures are the count's, as integers."""

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.count import result_sheet
from juwei.elections.db import Database
from tests.audit_election import certified_election


@pytest.fixture
def counted(db: Database, db_url: str, tmp_path: Path) -> str:
    certified_election(db, tmp_path)
    return db_url


def test_xlsx_and_csv_hold_every_candidate_and_the_ballot_figures(
    counted: str, db: Database, tmp_path: Path
) -> None:
    sheet = result_sheet(db)
    runner = CliRunner()
    for name in ("结果.xlsx", "结果.csv"):
        result = runner.invoke(
            app, ["--db", counted, "results", "export", "--out", str(tmp_path / name)]
        )
        assert result.exit_code == 0, result.stderr
    book = load_workbook(tmp_path / "结果.xlsx")
    rows = list(book["计票结果"].iter_rows(values_only=True))
    assert rows[0][:4] == ("社区", "选举", "选举日", "职位")
    expected = {(o.title, r.name, r.votes) for o in sheet.offices for r in o.results}
    assert {(row[3], row[7], row[9]) for row in rows[1:]} == expected
    assert all(isinstance(row[9], int) for row in rows[1:])
    figures = list(book["选票情况"].iter_rows(values_only=True))
    assert figures[1][:6] == (
        sheet.registered_voters,
        sheet.ballots_printed,
        sheet.ballots_issued,
        sheet.ballots_returned,
        sheet.ballots_valid,
        sheet.ballots_invalid,
    )
    raw = (tmp_path / "结果.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8 Chinese
    with (tmp_path / "结果.csv").open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert {(r["职位"], r["姓名"], int(r["得票数"])) for r in table} == expected
    assert {r["收回选票"] for r in table} == {str(sheet.ballots_returned)}
