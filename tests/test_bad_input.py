"""Bad input found by trying to break juwei: each gets a clear error and changes nothing."""

import hashlib
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.db import Database
from juwei.elections.roll import RollRejected, import_roll, list_voters, show_voter
from juwei.errors import InputError, redact
from tests.conftest import ELECTION_DAY, HEADERS, id_number, write_csv

A = id_number("19800101", "011")
B = id_number("19850615", "022")
C = id_number("19900310", "031")
ROWS = [["张三", A, "H1", "第1组"], ["李四", B, "H1", "第1组"], ["王五", C, "H2", "第2组"]]
FULL_ID = re.compile(r"\d{17}[\dX]")


def test_a_header_only_file_does_not_empty_the_roll(db: Database, tmp_path: Path) -> None:
    import_roll(db, write_csv(tmp_path / "roll.csv", ROWS), as_of=ELECTION_DAY, operator="t")
    with pytest.raises(InputError, match="no voters"):
        import_roll(db, write_csv(tmp_path / "empty.csv", []), as_of=ELECTION_DAY, operator="t")
    assert len(list_voters(db)) == 3


def test_skip_invalid_never_delists_voters_whose_rows_were_rejected(
    db: Database, tmp_path: Path
) -> None:
    import_roll(db, write_csv(tmp_path / "roll.csv", ROWS), as_of=ELECTION_DAY, operator="t")
    rows = [[*r, "男" if r[1] != B else "X"] for r in ROWS]
    path = write_csv(tmp_path / "v2.csv", rows, headers=[*HEADERS, "性别"])
    summary = import_roll(db, path, as_of=ELECTION_DAY, operator="t", skip_invalid=True)
    assert (summary.rejected, summary.delisted) == (1, 0)
    assert show_voter(db, B).listed
    assert any("were kept on the roll" in w for w in summary.warnings)


def test_every_row_bad_with_skip_invalid_imports_nothing(db: Database, tmp_path: Path) -> None:
    import_roll(db, write_csv(tmp_path / "roll.csv", ROWS), as_of=ELECTION_DAY, operator="t")
    bad = [["", r[1], r[2], r[3]] for r in ROWS]
    with pytest.raises(RollRejected):
        import_roll(
            db,
            write_csv(tmp_path / "bad.csv", bad),
            as_of=ELECTION_DAY,
            operator="t",
            skip_invalid=True,
        )
    assert all(v.listed for v in list_voters(db, include_delisted=True))


def test_shifted_columns_never_print_a_full_id_number(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    runner.invoke(app, ["--db", db_url, "init", "钱牌社区", "--charter", "qianpai"])
    shifted = write_csv(
        tmp_path / "s.csv",
        [[A, "张三", "H1", "第1组", A, A, A]],
        headers=[*HEADERS, "登记类别", "性别", "出生日期"],
    )
    result = runner.invoke(app, ["--db", db_url, "roll", "import", str(shifted)])
    assert result.exit_code == 3
    assert not FULL_ID.search(result.stderr + result.stdout)
    assert "**************" + A[-4:] in result.stderr


def test_redact_masks_whole_and_partial_id_numbers() -> None:
    assert redact(f"value {A}.") == f"value **************{A[-4:]}."
    assert "*" in redact(A[:17]) and A[:17] not in redact(A[:17])
    assert A[:6] not in redact(A[:15]) and A[6:14] not in redact(A[:16])
    assert redact("room 1203, 2026-12-20") == "room 1203, 2026-12-20"


def test_redact_leaves_long_numbers_that_are_not_id_numbers() -> None:
    seed = "31415926535897932384626"  # an RLA seed: 23 digits
    assert redact(f"seed {seed}") == f"seed {seed}"
    assert redact("--representatives 999999999999999999") == (
        "--representatives 999999999999999999"
    )  # 18 digits, but no birth date where an ID number has one
    assert redact("count 123456789012345") == "count 123456789012345"
    assert redact("hash 3f2a110105194912310021ab") == "hash 3f2a110105194912310021ab"


def test_a_latin1_file_is_refused_not_garbled(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "l1.csv",
        [["Müller Jürgen", A, "H1", "Gruppe 1"]],
        headers=["name", "id_number", "household", "group"],
        encoding="latin-1",
    )
    with pytest.raises(InputError, match="encoding cannot be recognised"):
        import_roll(db, path, as_of=ELECTION_DAY, operator="t")


def test_invisible_and_control_characters_are_refused(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "c.csv", [["张\u200b三", A, "H1", "第1组"], ["李四", B, "H\u202e1", "第1组"]]
    )
    with pytest.raises(RollRejected) as caught:
        import_roll(db, path, as_of=ELECTION_DAY, operator="t")
    reasons = [(e.row, e.column, e.reason) for e in caught.value.errors]
    assert (2, "姓名", "contains an invisible or control character (U+200B)") in reasons
    assert (3, "户号", "contains an invisible or control character (U+202E)") in reasons


def test_as_of_before_a_birth_date(db: Database, tmp_path: Path) -> None:
    from datetime import date

    with pytest.raises(RollRejected) as caught:
        import_roll(db, write_csv(tmp_path / "r.csv", ROWS), as_of=date(1985, 1, 1), operator="t")
    assert any("born after 1985-01-01" in e.reason for e in caught.value.errors)


def test_a_bom_then_bytes_that_are_not_utf8(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "姓名,公民身份号码\n张三,1\n".encode("gbk"))
    with pytest.raises(InputError, match="not UTF-8"):
        import_roll(db, path, as_of=ELECTION_DAY, operator="t")


def _run(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stderr


@pytest.mark.sqlite_only
def test_printing_over_the_database_is_refused(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    _run(runner, "--db", db_url, "init", "钱牌社区", "--charter", "qianpai")
    before = (tmp_path / "juwei.db").read_bytes()
    for command in (["roll", "print"], ["roll", "export"]):
        code, err = _run(runner, "--db", db_url, *command, "--out", str(tmp_path / "juwei.db"))
        assert code == 3 and "refusing to write over the database itself" in err
    assert (tmp_path / "juwei.db").read_bytes() == before
    code, err = _run(runner, "--db", db_url, "roll", "export", "--out", str(tmp_path))
    assert code == 3 and "this is a folder" in err


def test_print_into_a_missing_folder_is_a_clear_error(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    _run(runner, "--db", db_url, "init", "钱牌社区", "--charter", "qianpai")
    code, err = _run(
        runner, "--db", db_url, "roll", "export", "--out", str(tmp_path / "nope" / "x.csv")
    )
    assert code == 3 and "Cannot use the file" in err and "Traceback" not in err


@pytest.mark.sqlite_only
def test_another_programs_database_is_left_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    runner = CliRunner()
    code, err = _run(runner, "--db", f"sqlite:///{path}", "roll", "list")
    assert code == 4 and "not a juwei database" in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("url", ["garbage://::", "postgresql://", "mysql://x@y/z"])
def test_a_bad_database_url(url: str) -> None:
    code, err = _run(CliRunner(), "--db", url, "roll", "list")
    assert code == 4 and "Traceback" not in err


@pytest.mark.sqlite_only  # see also tests/test_crash.py: read-only on both backends, as root too
@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root can write read-only files")
def test_a_read_only_database(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    _run(runner, "--db", db_url, "init", "钱牌社区", "--charter", "qianpai")
    (tmp_path / "juwei.db").chmod(0o444)
    roll = write_csv(tmp_path / "r.csv", ROWS)
    code, err = _run(runner, "--db", db_url, "roll", "import", str(roll))
    assert code == 4 and "Traceback" not in err and not FULL_ID.search(err)


def test_json_stays_one_document_with_warnings(
    runner: CliRunner, db_url: str, tmp_path: Path
) -> None:
    _run(runner, "--db", db_url, "init", "钱牌社区", "--charter", "qianpai")
    path = write_csv(tmp_path / "r.csv", [[*r, "x"] for r in ROWS], headers=[*HEADERS, "备注"])
    result = runner.invoke(app, ["--db", db_url, "roll", "import", str(path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["added"] == 3
    assert "columns ignored: 备注" in result.stderr


def test_eligibility_errors_name_the_right_column(db: Database, tmp_path: Path) -> None:
    headers = [*HEADERS, "登记类别", "居住起始日期", "本人同意"]
    rows = [
        ["张三", A, "H1", "第1组", "居住", "2020-01-01", ""],  # consent missing
        ["李四", B, "H1", "第1组", "居住", "2026-10-01", "是"],  # under 6 months
    ]
    with pytest.raises(RollRejected) as caught:
        import_roll(
            db,
            write_csv(tmp_path / "r.csv", rows, headers=headers),
            as_of=ELECTION_DAY,
            operator="t",
        )
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (2, "本人同意"),
        (3, "居住起始日期"),
    ]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        pytest.param("钱牌\n社区", "invisible or control character", id="newline"),
        pytest.param("钱牌\x1b[2J", "invisible or control character", id="escape code"),
        pytest.param("社" * 101, "longer than 100 characters", id="too long"),
        pytest.param("  ", "empty", id="blank"),
    ],
)
def test_bad_community_names(db_url: str, name: str, reason: str) -> None:
    from juwei.elections.community import init_community

    database = Database(db_url)
    try:
        with pytest.raises(InputError, match=reason):
            init_community(database, name, "qianpai", operator="t")
    finally:
        database.close()


def test_a_community_found_with_full_width_blanks(db: Database) -> None:
    assert len(list_voters(db, community="钱牌社区\u3000")) == 0  # found, not "no community"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        pytest.param(
            '{"bundle": 1, "position": 1, "section": {}}', "section", id="misspelt-sections"
        ),
        pytest.param(
            '{"bundle": 1, "position": 1, "sections": {"主任": {"fro": ["张三"]}}}',
            "fro",
            id="misspelt-for",
        ),
    ],
)
def test_a_misspelt_ballot_field_is_refused_not_dropped(line: str, field: str) -> None:
    from juwei.elections.count import _iter_jsonl

    (item,) = list(_iter_jsonl(line + "\n", "ballots.jsonl"))
    assert isinstance(item, InputError)
    assert item.file == "ballots.jsonl" and item.row == 1
    assert f"unknown field {field}" in str(item)
