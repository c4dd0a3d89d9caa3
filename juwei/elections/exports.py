"""Results for Excel (计票结果导出): the result sheet as rows a street office can take in.

One row per candidate (and per written-in person) of each office, with the election's ballot
figures on every row so that a CSV filters and sums on its own; an XLSX file also has a second
sheet 选票情况 with the ballot figures once. Headers are Chinese (the file is official), the
CSV is UTF-8 with a BOM so that Excel opens it as Chinese, and both are written beside the
target and renamed over it.
"""

import csv
import io
from collections.abc import Callable
from pathlib import Path

from juwei.elections.readmodels import BallotPaper, ResultSheet
from juwei.files import replace_file

RESULT_HEADERS = (
    "社区",
    "选举",
    "选举日",
    "职位",
    "应选名额",
    "有效栏数",
    "无效栏数",
    "姓名",
    "正式候选人",
    "得票数",
    "当选",
    "说明",
)
BALLOT_HEADERS = (
    "登记选民数",
    "印制选票",
    "发出选票",
    "收回选票",
    "有效票",
    "无效票",
    "选举有效",
    "依据",
    "结果摘要",
)


def result_rows(sheet: ResultSheet) -> list[list[object]]:
    """The rows of ``RESULT_HEADERS`` for ``sheet``: counts as integers, never floats."""
    rows: list[list[object]] = []
    for office in sheet.offices:
        for result in office.results:
            rows.append(
                [
                    sheet.community,
                    sheet.election_title,
                    sheet.election_day.isoformat(),
                    office.title,
                    office.seats,
                    office.valid_sections,
                    office.invalid_sections,
                    result.name,
                    "是" if result.on_ballot else "否（另选他人）",
                    result.votes,
                    "是" if result.elected else "否",
                    result.note,
                ]
            )
    return rows


def ballot_row(sheet: ResultSheet) -> list[object]:
    """The row of ``BALLOT_HEADERS`` for ``sheet``."""
    return [
        sheet.registered_voters,
        sheet.ballots_printed,
        sheet.ballots_issued,
        sheet.ballots_returned,
        sheet.ballots_valid,
        sheet.ballots_invalid,
        "是" if sheet.valid else "否",
        sheet.validity_reason,
        sheet.digest,
    ]


def export_results(sheet: ResultSheet, out: Path) -> int:
    """Write ``sheet`` to ``out``: XLSX when it ends in ``.xlsx``, else CSV (UTF-8, BOM).

    Returns the number of candidate rows. The CSV holds the result rows followed by the
    ballot figures on each row (columns ``BALLOT_HEADERS`` after ``RESULT_HEADERS``).
    """
    rows = result_rows(sheet)
    figures = ballot_row(sheet)
    _write(
        out,
        lambda tmp: _write_xlsx(
            tmp, [("计票结果", RESULT_HEADERS, rows), ("选票情况", BALLOT_HEADERS, [figures])]
        ),
        [[*RESULT_HEADERS, *BALLOT_HEADERS], *([*row, *figures] for row in rows)],
    )
    return len(rows)


def _write(out: Path, xlsx: Callable[[Path], None], csv_rows: list[list[object]]) -> None:
    """Write ``out`` atomically: by ``xlsx`` when it ends in ``.xlsx``, else ``csv_rows`` as
    CSV (UTF-8 with BOM, as Excel and WPS open it)."""
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if out.suffix.lower() == ".xlsx":
            xlsx(tmp)
        else:
            buffer = io.StringIO(newline="")
            csv.writer(buffer).writerows(csv_rows)
            tmp.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
        replace_file(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _write_xlsx(path: Path, sheets: list[tuple[str, tuple[str, ...], list[list[object]]]]) -> None:
    """A workbook of ``sheets`` (title, headers in bold and frozen, rows)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(headers))
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    book.save(path)


TALLY_HEADERS = ("职务", "项目", "票数", "说明")


def export_tally_form(paper: BallotPaper, out: Path) -> int:
    """Write a counting table's tally sheet ready to fill in (计票统计表) to ``out``: XLSX
    when it ends in ``.xlsx``, else CSV (UTF-8, BOM); the form ``juwei count tally`` reads
    (``juwei.elections.tally.read_tally_sheet``). One row for the ballots counted, blank and
    invalid; per office one row per candidate (by ballot number, the name beside it) and
    one for its invalid sections; the counts (票数) left empty for the counters. Names
    written in are added as rows ``另选:姓名``. Returns the number of rows."""
    rows: list[list[object]] = [
        ["", "选票", "", "本组清点的选票张数"],
        ["", "空白票", "", ""],
        ["", "无效票", "", ""],
    ]
    for office in paper.offices:
        rows += [[office.title, str(c.number), "", c.name] for c in office.candidates]
        if office.write_ins:
            rows.append([office.title, "另选:", "", "另选他人：在“另选:”后写姓名，每人一行"])
        rows.append([office.title, "无效", "", "本职务无效的选票部分"])

    _write(
        out,
        lambda tmp: _write_xlsx(tmp, [("计票统计表", TALLY_HEADERS, rows)]),
        [list(TALLY_HEADERS), *rows],
    )
    return len(rows)
