"""Counting by tally sheet (issue 14 §2, §4): each counting table's totals, checked on entry;
the count is the sum of the tables and decides exactly as the same ballots entered one by
one; never a mixture; the result sheet says how the ballots were counted."""

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.count import (
    BallotEntry,
    count_election,
    record_ballots,
    result_sheet,
)
from juwei.elections.db import Database
from juwei.elections.models import CountResult, Event
from juwei.elections.readmodels import BallotPaper
from juwei.elections.tally import TallyInput, TallyOffice, record_tally
from juwei.errors import InputError, StateError
from tests.audit_setup import ballot, polling_election
from tests.conftest import Databases

DAY = date(2026, 12, 20)


@pytest.fixture
def paper(db: Database, tmp_path: Path) -> BallotPaper:
    """60 ballots printed and issued; 主任 2 candidates, 副主任 2, 委员 6 for 5 seats."""
    return polling_election(db, tmp_path)


def sheet_of(paper: BallotPaper, table: str, entries: list[BallotEntry]) -> TallyInput:
    """A table's tally sheet counted by hand from paper ballots (by name, as on the board)."""
    sheet = TallyInput(table, ("张三", "李四"), ballots=len(entries))
    for office in paper.offices:
        votes: Counter[str] = Counter()
        for entry in entries:
            marks = entry.sections.get(office.title, ((), (), ()))[0]
            if len(marks) <= office.seats:
                votes.update(marks)
        bad = sum(
            1
            for entry in entries
            if len(entry.sections.get(office.title, ((), (), ()))[0]) > office.seats
        )
        sheet.offices[office.title] = TallyOffice(dict(votes), {}, bad)
    sheet.blank = sum(1 for entry in entries if not any(m[0] for m in entry.sections.values()))
    return sheet


def ballots(paper: BallotPaper) -> list[BallotEntry]:
    """60 ballots: varied votes, a few over-voted 委员 sections."""
    out = []
    for n in range(1, 61):
        members = (1, 2, 3, 4, 5, 6) if n % 17 == 0 else tuple(1 + (n + k) % 6 for k in range(5))
        out.append(ballot(paper, n, 1 + n % 3 % 2, 1 + n % 2, members))
    return out


def test_tally_count_equals_the_ballot_by_ballot_count(
    db_url: str, db: Database, paper: BallotPaper, databases: Databases, tmp_path: Path
) -> None:
    entries = ballots(paper)
    # the same 60 ballots, counted by hand at three tables …
    for number, part in enumerate((entries[:25], entries[25:45], entries[45:]), start=1):
        record_tally(db, sheet_of(paper, f"第{number}组", part), on=DAY, operator="t")
    tallied = count_election(db, election_id=1, operator="t")
    # … and entered one by one into a twin database
    twin_url = databases.new()
    twin = Database(twin_url, create=True)
    from juwei.elections.community import init_community

    init_community(twin, "钱牌社区", "qianpai", operator="t")
    (tmp_path / "twin").mkdir()
    polling_election(twin, tmp_path / "twin")
    record_ballots(twin, entries, operator="t")
    entered = count_election(twin, election_id=1, operator="t")
    assert tallied.digest == entered.digest  # the same outcome document, byte for byte
    from juwei.elections.verify import verify_database

    checked = verify_database(db, election_id=1)
    assert checked.ok, [c for c in checked.checks if not c.ok]
    tally = [c for c in checked.checks if "tally sheets" in c.name]
    assert len(tally) == 1 and "3 tables, 60 ballots" in tally[0].found
    with db.write() as session:  # a sheet changed afterwards, behind the log's back
        from juwei.elections.models import TallySheet

        changed = session.exec(select(TallySheet).where(TallySheet.table_name == "第2组")).one()
        changed.offices = changed.offices.replace('"1":', '"2":', 1)
        session.add(changed)
    broken = verify_database(db, election_id=1)
    failed = [c for c in broken.checks if not c.ok]
    assert len(failed) == 1 and "tally sheets" in failed[0].name
    assert "第2组" in failed[0].found
    sheet = result_sheet(db, election_id=1)
    assert "第1组: 25 ballots, counted by 张三、李四" in sheet.counting
    assert sheet.counting.startswith("Counted by tally sheets")
    assert result_sheet(twin, election_id=1).counting == "Ballots entered one by one."
    with db.read() as session:
        event = session.exec(
            select(Event).where(Event.kind == "count.result").order_by(col(Event.seq).desc())
        ).first()
        assert event is not None and json.loads(event.payload)["method"] == "tally"
        assert session.exec(select(CountResult)).first() is not None
    twin.close()


def test_a_sheet_that_does_not_add_up_is_refused(db: Database, paper: BallotPaper) -> None:
    names = [c.name for c in paper.offices[2].candidates]
    bad = TallyInput("第1组", ("张三",), ballots=10, blank=6, invalid=5)
    with pytest.raises(InputError, match="6 blank and 5 invalid ballots, but only 10"):
        record_tally(db, bad, on=DAY, operator="t")
    over = TallyInput("第1组", ("张三",), ballots=10, invalid=1)
    over.offices["委员"] = TallyOffice(dict.fromkeys(names, 9), {}, 0)  # 54 > 9 × 5
    with pytest.raises(InputError, match="54 votes, more than 9 valid sections × 5"):
        record_tally(db, over, on=DAY, operator="t")
    one = TallyInput("第1组", ("张三",), ballots=10)
    one.offices["主任"] = TallyOffice({"1": 11}, {}, 0)
    with pytest.raises(InputError, match="11 votes for 1, more than the 10 valid"):
        record_tally(db, one, on=DAY, operator="t")
    nobody = TallyInput("第1组", ("张三",), ballots=10)
    nobody.offices["主任"] = TallyOffice({"不是候选人": 1}, {}, 0)
    with pytest.raises(InputError, match="not a candidate for 主任"):
        record_tally(db, nobody, on=DAY, operator="t")
    unsigned = TallyInput("第1组", (), ballots=10)
    with pytest.raises(InputError, match="signed by its counters"):
        record_tally(db, unsigned, on=DAY, operator="t")
    with db.read() as session:  # nothing was stored, nothing logged
        assert session.exec(select(Event).where(Event.kind == "count.tally")).first() is None


def test_an_election_is_counted_one_way_never_both(db: Database, paper: BallotPaper) -> None:
    record_tally(db, TallyInput("第1组", ("张三",), ballots=5), on=DAY, operator="t")
    with pytest.raises(StateError, match="already recorded"):
        record_tally(db, TallyInput("第1组", ("张三",), ballots=5), on=DAY, operator="t")
    with pytest.raises(StateError, match="counted by tally sheets"):
        record_ballots(db, [ballot(paper, 1, 1)], operator="t")


def test_ballots_entered_one_by_one_refuse_a_tally_sheet(db: Database, paper: BallotPaper) -> None:
    record_ballots(db, [ballot(paper, 1, 1)], operator="t")
    with pytest.raises(StateError, match="entered one by one"):
        record_tally(db, TallyInput("第1组", ("张三",), ballots=5), on=DAY, operator="t")


def test_cli_tally_from_a_csv_in_chinese(
    db_url: str, db: Database, paper: BallotPaper, tmp_path: Path
) -> None:
    first, second = (c.name for c in paper.offices[0].candidates)
    sheet = tmp_path / "table1.csv"
    sheet.write_text(
        "职务,项目,票数\n,选票,20\n,空白票,1\n,无效票,1\n"
        f"主任,1,12\n主任,{second},5\n委员,无效,2\n副主任,2,18\n",
        encoding="gbk",
    )
    runner = CliRunner()
    args = ["--db", db_url, "--lang", "zh_CN", "count", "tally", str(sheet)]
    done = runner.invoke(app, [*args, "--table", "第一组", "--counters", "张三、李四"])
    assert done.exit_code == 0, done.output
    assert "第一组" in done.output
    again = runner.invoke(app, [*args, "--table", "第一组", "--counters", "张三"])
    assert again.exit_code == 6
    broken = tmp_path / "table2.csv"
    broken.write_text("职务,项目,票数\n,选票,十\n", encoding="utf-8")
    bad = runner.invoke(app, ["--db", db_url, "count", "tally", str(broken), "--table", "2"]
                        + ["--counters", "王五"])  # fmt: skip
    assert bad.exit_code == 3 and "table2.csv:2:count" in bad.output
    del first


def test_blank_tally_sheets_print_every_office_and_candidate(
    db_url: str, db: Database, paper: BallotPaper, tmp_path: Path
) -> None:
    import shutil
    import subprocess

    from pypdf import PdfReader

    out = tmp_path / "tally-sheets.pdf"
    done = CliRunner().invoke(app, ["--db", db_url, "count", "tally-sheets", "--out", str(out)])
    assert done.exit_code == 0, done.output
    pages = [page.extract_text() for page in PdfReader(out).pages]
    assert len(pages) == len(paper.offices)
    for office, text in zip(paper.offices, pages, strict=True):
        assert "计票统计表" in text and office.title in text
        for cand in office.candidates:
            assert cand.name in text
        assert "计票人（签名）" in text
    again = CliRunner().invoke(app, ["--db", db_url, "count", "tally-sheets", "--out", str(out)])
    assert again.exit_code == 3  # refuses to overwrite without --force
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "3", "-l", "3", str(out),
                        str(tmp_path / "sheet")], check=True)  # fmt: skip
        print(f"tally sheet page: {sorted(tmp_path.glob('sheet*.png'))}")


def test_a_tally_sheet_filled_in_as_xlsx_is_read_back(
    db_url: str, db: Database, paper: BallotPaper, tmp_path: Path
) -> None:
    """``count tally-sheets --out X.xlsx`` writes the form; the counters fill in the counts
    (numbers, as a spreadsheet stores them); ``count tally`` reads it back and the count is
    the sheet's."""
    from openpyxl import load_workbook

    from juwei.elections.count import entry_tally

    form = tmp_path / "第一组.xlsx"
    runner = CliRunner()
    made = runner.invoke(app, ["--db", db_url, "count", "tally-sheets", "--out", str(form)])
    assert made.exit_code == 0, made.output
    book = load_workbook(form)
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    names = {(r[0], r[1]): r[3] for r in rows}
    assert names[("主任", "1")] == paper.offices[0].candidates[0].name
    counts = {("", "选票"): 20, ("", "空白票"): 1, ("", "无效票"): 2, ("主任", "1"): 11.0,
              ("主任", "2"): 6, ("副主任", "1"): 9, ("委员", "6"): 17,
              ("委员", "无效"): 1}  # fmt: skip
    for index, row in enumerate(rows, start=2):
        sheet.cell(index, 3).value = counts.get((row[0] or "", row[1]), 0)
    write_in = paper.offices[2].candidates[0].name  # a voter written in as well
    sheet.append(["委员", f"另选:{write_in}", 2])
    book.save(form)
    args = ["--db", db_url, "--lang", "zh_CN", "count", "tally", str(form)]
    done = runner.invoke(app, [*args, "--table", "第一组", "--counters", "张三、李四"])
    assert done.exit_code == 0, done.output
    assert "第一组" in done.output and "20" in done.output
    tally = entry_tally(db)
    member = paper.offices[2].candidates
    assert dict(tally.offices[0].votes)[paper.offices[0].candidates[0].name] == 11
    assert dict(tally.offices[2].votes) == {member[5].name: 17, write_in: 2}


def test_a_bad_xlsx_sheet_is_refused_naming_file_row_and_field(
    db_url: str, db: Database, paper: BallotPaper, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    def sheet(rows: list[list[object]], name: str) -> Path:
        book = Workbook()
        ws = book.active
        assert ws is not None
        ws.append(["职务", "项目", "票数"])
        for row in rows:
            ws.append(row)
        path = tmp_path / name
        book.save(path)
        return path

    runner = CliRunner()
    cases = [
        (sheet([["", "选票", 10], ["主任", "1", 2.5]], "half.xlsx"), "half.xlsx:3:count"),
        (sheet([["", "选票", 10], ["主任", "1", None]], "empty.xlsx"), "empty.xlsx:3:count"),
        (sheet([["", "选票", 10], ["主任", "1", 3], ["主任", "1", 4]], "twice.xlsx"),
         "twice.xlsx:4"),
        (sheet([["", "选票", 10], ["主任", "9", 3]], "nobody.xlsx"), "nobody.xlsx:3:item"),
        (sheet([["", "选票", 10], ["委员", "1", 3], ["委员", "2", 11]], "over.xlsx"),
         "over.xlsx:4:count"),  # 11 votes for one person, 10 ballots
        (sheet([["", "选票", 4]] + [["委员", str(n), 4] for n in range(1, 7)], "seats.xlsx"),
         "seats.xlsx:3:委员"),  # 24 votes, 4 ballots × 5 seats = 20
        (sheet([["", "选票", 4], ["", "空白票", 3], ["", "无效票", 2]], "sum.xlsx"),
         "sum.xlsx:2:ballots"),
    ]  # fmt: skip
    for path, where in cases:
        bad = runner.invoke(app, ["--db", db_url, "count", "tally", str(path), "--table", "1"]
                            + ["--counters", "王五"])  # fmt: skip
        assert bad.exit_code == 3, (path.name, bad.output)
        assert where in bad.output.replace("\n", ""), (path.name, bad.output)
    with db.read() as session:  # nothing half-written
        assert session.exec(select(Event).where(Event.kind == "count.tally")).first() is None


def test_a_tally_sheet_typed_at_prompts(
    db_url: str, db: Database, paper: BallotPaper, tmp_path: Path
) -> None:
    """Without a file the sheet is typed office by office, checked like a file."""
    from juwei.elections.count import entry_tally

    typed = ["12", "0", "1"]  # ballots, blank, invalid
    typed += ["7", "4", "", "0"]  # 主任 1, 2, no name written in, invalid sections
    typed += ["abc", "5", "6", "", "0"]  # 副主任: a non-number is asked again
    typed += ["9", "9", "8", "8", "7", "2", "不在名册", "1", "", "0"]  # 委员, a void write-in
    typed += ["y"]
    done = CliRunner().invoke(
        app,
        ["--db", db_url, "count", "tally", "--table", "第二组", "--counters", "赵六"],
        input="\n".join(typed) + "\n",
    )
    assert done.exit_code == 0, done.output
    tally = entry_tally(db)
    first = paper.offices[0].candidates
    assert dict(tally.offices[0].votes) == {first[0].name: 7, first[1].name: 4}
    assert tally.offices[2].votes[0] == (paper.offices[2].candidates[0].name, 9)
    assert "不在名册" not in dict(tally.offices[2].votes)  # counts for nobody
    over = CliRunner().invoke(
        app,
        ["--db", db_url, "count", "tally", "--table", "第三组", "--counters", "赵六"],
        input="\n".join(["3", "0", "0", "4", "0", "", "0", "0", "0", "", "0", *["0"] * 6, "", "0"])
        + "\ny\n",
    )
    assert over.exit_code == 3 and "4 votes for 1" in over.output, over.output
