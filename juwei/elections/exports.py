"""Results for Excel (计票结果导出): the result sheet as rows a street office can take in.

One row per candidate (and per written-in person) of each office, with the election's ballot
figures on every row so that a CSV filters and sums on its own; an XLSX file also has a second
sheet 选票情况 with the ballot figures once. Headers are Chinese (the file is official), the
CSV is UTF-8 with a BOM so that Excel opens it as Chinese, and both are written beside the
target and renamed over it.
"""

import csv
import io
from pathlib import Path

from juwei.elections.readmodels import ResultSheet
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
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        if out.suffix.lower() == ".xlsx":
            _write_xlsx(tmp, rows, figures)
        else:
            buffer = io.StringIO(newline="")
            writer = csv.writer(buffer)
            writer.writerow([*RESULT_HEADERS, *BALLOT_HEADERS])
            writer.writerows([*row, *figures] for row in rows)
            tmp.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
        replace_file(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return len(rows)


def _write_xlsx(path: Path, rows: list[list[object]], figures: list[object]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    results = book.active
    assert results is not None
    results.title = "计票结果"
    results.append(list(RESULT_HEADERS))
    for row in rows:
        results.append(row)
    ballots = book.create_sheet("选票情况")
    ballots.append(list(BALLOT_HEADERS))
    ballots.append(figures)
    for sheet in (results, ballots):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    book.save(path)
