"""The electoral roll (选民登记): import in every format, bad input refused whole, re-import."""

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from juwei.elections.audit import event_count
from juwei.elections.db import Database
from juwei.elections.models import Household, ResidentsGroup, Voter
from juwei.elections.roll import (
    RollRejected,
    export_roll,
    import_roll,
    list_voters,
    roll_stats,
    show_voter,
)
from juwei.errors import InputError, NotFoundError
from tests.conftest import (
    ELECTION_DAY,
    HEADERS,
    Databases,
    Templates,
    id_number,
    write_csv,
)

A = id_number("19800101", "011")  # male
B = id_number("19850615", "022")  # female
C = id_number("19900310", "031")  # male
D = id_number("20081220", "042")  # 18 exactly on ELECTION_DAY, female
ROWS = [
    ["张三", A, "H1", "第1组"],
    ["李四", B, "H1", "第1组"],
    ["王小明", C, "H2", "第2组"],
    ["丁一", D, "H3", "第2组"],
]


def voters_in(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(Voter)).scalar_one())


def do_import(db: Database, path: Path, **kw: object) -> object:
    return import_roll(db, path, as_of=ELECTION_DAY, operator="tester", **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------------ formats


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        pytest.param("utf-8-sig", ",", id="UTF-8 with BOM"),
        pytest.param("utf-8", ",", id="UTF-8"),
        pytest.param("utf-16", "\t", id="UTF-16 with BOM, tab-separated (Excel Unicode text)"),
        pytest.param("gb18030", ",", id="GB18030"),
    ],
)
def test_csv_encodings_import_the_same_roll(
    db: Database, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    rows = [*ROWS, ["刘䶮", id_number("19700101", "051"), "H4", "第3组"]]  # 䶮: not in GBK
    path = write_csv(tmp_path / "roll.csv", rows, encoding=encoding, delimiter=delimiter)
    summary = do_import(db, path)
    assert summary.added == 5  # type: ignore[attr-defined]
    names = {v.name for v in list_voters(db, as_of=ELECTION_DAY)}
    assert names == {"张三", "李四", "王小明", "丁一", "刘䶮"}


def test_english_headers_and_optional_columns(db: Database, tmp_path: Path) -> None:
    headers = [
        "name",
        "id_number",
        "household",
        "group",
        "address",
        "registration",
        "sex",
        "birth_date",
        "deprived",
    ]
    rows = [
        ["张三", A, "H1", "第1组", "1幢101室", "户籍", "男", "1980-01-01", "否"],
        ["李四", B, "H1", "第1组", "1幢101室", "hukou", "女", "1985/6/15", "no"],
    ]
    path = write_csv(tmp_path / "roll.csv", rows, headers=headers)
    summary = do_import(db, path)
    assert summary.added == 2  # type: ignore[attr-defined]
    assert show_voter(db, A, as_of=ELECTION_DAY).address == "1幢101室"


def test_full_width_id_numbers_are_normalised(db: Database, tmp_path: Path) -> None:
    full_width = A.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    path = write_csv(tmp_path / "roll.csv", [["张三", full_width, "H1", "第1组"]])
    do_import(db, path)
    assert show_voter(db, A).name == "张三"


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_xlsx_import(db: Database, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "roll.xlsx", [list(r) for r in ROWS])
    assert do_import(db, path).added == 4  # type: ignore[attr-defined]


def test_xlsx_numeric_id_column_is_refused_saying_it_must_be_text(
    db: Database, tmp_path: Path
) -> None:
    path = _xlsx(tmp_path / "roll.xlsx", [["张三", 110105198001010110, "H1", "第1组"]])
    with pytest.raises(RollRejected) as caught:
        do_import(db, path)
    error = caught.value.errors[0]
    assert (error.file, error.row, error.column) == ("roll.xlsx", 2, "公民身份号码")
    assert "format the ID column as text" in error.reason
    assert voters_in(db) == 0


# ------------------------------------------------------------------ bad input changes nothing


def _rejected(db: Database, path: Path) -> list[InputError]:
    events = _events(db)
    with pytest.raises(RollRejected) as caught:
        do_import(db, path)
    assert voters_in(db) == 0
    assert _events(db) == events
    return caught.value.errors


def _events(db: Database) -> int:
    with db.read() as s:
        return event_count(s)


def test_wrong_check_digit(db: Database, tmp_path: Path) -> None:
    bad = A[:-1] + ("0" if A[-1] != "0" else "1")
    path = write_csv(tmp_path / "roll.csv", [*ROWS, ["赵五", bad, "H9", "第1组"]])
    [error] = _rejected(db, path)
    assert (error.row, error.column) == (6, "公民身份号码")
    assert "check digit" in error.reason


def test_birth_date_in_the_future(db: Database, tmp_path: Path) -> None:
    future = id_number("20990101", "011")
    path = write_csv(tmp_path / "roll.csv", [["未来", future, "H9", "第1组"]])
    [error] = _rejected(db, path)
    assert error.row == 2 and "future" in error.reason


def test_under_18_on_the_election_day(db: Database, tmp_path: Path) -> None:
    young = id_number("20081221", "011")  # 18 only on 2026-12-21
    path = write_csv(tmp_path / "roll.csv", [*ROWS, ["小明", young, "H9", "第1组"]])
    [error] = _rejected(db, path)
    assert error.row == 6 and "18" in error.reason


def test_same_id_twice_reports_both_rows(db: Database, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "roll.csv", [*ROWS, ["张三丰", A, "H8", "第1组"]])
    errors = _rejected(db, path)
    assert sorted(e.row for e in errors) == [2, 6]
    assert "row 6" in errors[0].reason and "row 2" in errors[1].reason
    assert A not in str(errors[0]) and "**************" + A[-4:] in str(errors[0])


def test_deprived_of_political_rights_is_not_a_voter(db: Database, tmp_path: Path) -> None:
    rows = [[*r, "否"] for r in ROWS] + [
        ["钱七", id_number("19600101", "071"), "H9", "第1组", "是"]
    ]
    path = write_csv(tmp_path / "roll.csv", rows, headers=[*HEADERS, "剥夺政治权利"])
    [error] = _rejected(db, path)
    assert (error.row, error.column) == (6, "剥夺政治权利")


def test_sex_column_must_agree_with_the_id_number(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "roll.csv", [["张三", A, "H1", "第1组", "女"]], headers=[*HEADERS, "性别"]
    )
    [error] = _rejected(db, path)
    assert error.column == "性别"


def test_household_in_two_groups(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "roll.csv", [["张三", A, "H1", "第1组"], ["李四", B, "H1", "第2组"]]
    )
    [error] = _rejected(db, path)
    assert error.row == 3 and "H1" in error.reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(b"", "empty", id="empty file"),
        pytest.param(b"\x00\x01\x02\x03binary\xff\xfe\x00", "binary", id="binary file"),
        pytest.param(
            "姓名,户号,居民小组\n张三,H1,第1组\n".encode(), "公民身份号码", id="missing ID column"
        ),
    ],
)
def test_file_level_errors(db: Database, tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "roll.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        do_import(db, path)
    assert caught.value.file == "roll.csv"
    assert reason in str(caught.value)
    assert voters_in(db) == 0


def test_every_bad_row_is_reported(db: Database, tmp_path: Path) -> None:
    rows = [["", A, "H1", "第1组"], ["李四", "123", "H1", "第1组"], ["王五", C, "", "第1组"]]
    errors = _rejected(db, write_csv(tmp_path / "roll.csv", rows))
    assert [(e.row, e.column) for e in errors] == [(2, "姓名"), (3, "公民身份号码"), (4, "户号")]


# ------------------------------------------------------------------ skip invalid


def test_skip_invalid_imports_good_rows_and_writes_the_rest(db: Database, tmp_path: Path) -> None:
    bad = A[:-1] + ("0" if A[-1] != "0" else "1")
    path = write_csv(tmp_path / "roll.csv", [ROWS[1], ["赵五", bad, "H9", "第1组"], ROWS[2]])
    summary = do_import(db, path, skip_invalid=True)
    assert (summary.added, summary.rejected) == (2, 1)  # type: ignore[attr-defined]
    rejected = tmp_path / "roll.rejected.csv"
    assert summary.rejected_file == rejected  # type: ignore[attr-defined]
    with rejected.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "行号" and rows[0][-1] == "错误原因"
    assert rows[1][0] == "3" and rows[1][1] == "赵五" and "check digit" in rows[1][-1]


# ------------------------------------------------------------------ re-import


def test_reimport_matches_by_id_number_and_never_deletes(db: Database, tmp_path: Path) -> None:
    do_import(db, write_csv(tmp_path / "v1.csv", ROWS))
    e = id_number("19750505", "051")
    v2 = [
        ["张三", A, "H1", "第1组"],
        ["李四", B, "H5", "第3组"],
        ["王小明", C, "H2", "第2组"],
        ["周八", e, "H6", "第3组"],
    ]
    summary = do_import(db, write_csv(tmp_path / "v2.csv", v2))
    assert (summary.added, summary.updated, summary.unchanged, summary.delisted) == (1, 1, 2, 1)  # type: ignore[attr-defined]
    assert voters_in(db) == 5  # 丁一 kept, no longer listed
    assert not show_voter(db, D).listed
    assert show_voter(db, B).group == "第3组"
    # listed again in a third import
    summary3 = do_import(db, write_csv(tmp_path / "v3.csv", [*v2, ROWS[3]]))
    assert (summary3.relisted, summary3.added, summary3.unchanged) == (1, 0, 4)  # type: ignore[attr-defined]
    assert voters_in(db) == 5


def test_same_person_on_another_community_roll_is_refused(db: Database, tmp_path: Path) -> None:
    from juwei.elections.community import init_community

    do_import(db, write_csv(tmp_path / "a.csv", ROWS))
    init_community(db, "南厂宅社区", "nanchangzhai", operator="tester")
    path = write_csv(tmp_path / "b.csv", [["李四", B, "X1", "第1组"]])
    with pytest.raises(RollRejected) as caught:
        import_roll(db, path, community="南厂宅社区", as_of=ELECTION_DAY, operator="tester")
    assert "钱牌社区" in caught.value.errors[0].reason


def test_groups_and_households_are_created(db: Database, tmp_path: Path) -> None:
    do_import(db, write_csv(tmp_path / "roll.csv", ROWS))
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(ResidentsGroup)).scalar_one() == 2
        assert s.execute(select(func.count()).select_from(Household)).scalar_one() == 3
    stats = roll_stats(db, as_of=ELECTION_DAY)
    assert (stats.total, stats.households) == (4, 3)
    assert stats.by_group == {"第1组": 2, "第2组": 2}
    assert stats.by_sex == {"F": 2, "M": 2}
    assert stats.by_age_band["18-29"] == 1


def test_list_orders_by_group_then_surname_strokes(db: Database, tmp_path: Path) -> None:
    rows = [
        ["欧阳娜娜", A, "H1", "第1组"],
        ["张三", B, "H1", "第1组"],
        ["李四", C, "H1", "第1组"],
        ["王小明", D, "H1", "第1组"],
        ["丁一", id_number("19700101", "051"), "H1", "第1组"],
    ]
    do_import(db, write_csv(tmp_path / "roll.csv", rows))
    assert [v.name for v in list_voters(db)] == ["丁一", "王小明", "李四", "张三", "欧阳娜娜"]


def test_show_unknown_voter_masks_the_number(db: Database) -> None:
    with pytest.raises(NotFoundError) as caught:
        show_voter(db, A)
    assert A not in str(caught.value) and A[-4:] in str(caught.value)


# ------------------------------------------------------------------ property: round trip

names = st.text(
    alphabet="张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩伟芳娜敏静丽强磊军",
    min_size=2,
    max_size=4,
)


@st.composite
def rolls(draw: st.DrawFn) -> list[list[str]]:
    n = draw(st.integers(1, 25))
    births = draw(st.lists(st.dates(date(1920, 1, 1), date(2008, 12, 20)), min_size=n, max_size=n))
    out = []
    seen = set()
    for i, birth in enumerate(births):
        number = id_number(birth.strftime("%Y%m%d"), f"{i:03d}")
        if number in seen:
            continue
        seen.add(number)
        out.append([draw(names), number, f"H{draw(st.integers(1, 5))}", ""])
    # a household lies in one group
    for row in out:
        row[3] = f"第{int(row[2][1:]) % 3 + 1}组"
    return out


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(roll=rolls())
def test_import_then_export_returns_the_same_voters(
    tmp_path: Path, databases: Databases, templates: Templates, roll: list[list[str]]
) -> None:
    folder = tmp_path / f"case{abs(hash(tuple(map(tuple, roll))))}"
    folder.mkdir()
    database = Database(databases.copy(templates.initialised))  # holds a community
    try:
        import_roll(database, write_csv(folder / "in.csv", roll), as_of=ELECTION_DAY, operator="t")
        export_roll(database, folder / "out.csv")
        with (folder / "out.csv").open(encoding="utf-8-sig", newline="") as fh:
            exported = list(csv.DictReader(fh))
        assert sorted(
            (r["姓名"], r["公民身份号码"], r["户号"], r["居民小组"]) for r in exported
        ) == sorted(tuple(r) for r in roll)
        # and re-importing the export changes nothing
        again = import_roll(database, folder / "out.csv", as_of=ELECTION_DAY, operator="t")
        assert (again.added, again.updated, again.delisted, again.unchanged) == (0, 0, 0, len(roll))
    finally:
        database.close()
