"""Hostile spreadsheets (issue 11 §4): a small XLSX that unpacks to hundreds of MB is refused
from its zip directory at once (nothing is unpacked); a CSV renamed .xlsx is read as CSV and
said to be one; an old .xls, a PDF or a database given as a roll is named for what it is."""

import tracemalloc
import zipfile
from pathlib import Path

import pytest

from juwei.elections.tabular import read_table
from juwei.errors import InputError


def bomb(path: Path, megabytes: int) -> Path:
    chunk = b"<c><v>0</v></c>" * (1024 * 1024 // 15)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(megabytes):
                sheet.write(chunk)
    return path


def test_an_xlsx_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = bomb(tmp_path / "roll.xlsx", 220)
    assert path.stat().st_size < 2 * 1024 * 1024  # small on disk
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as info:
            read_table(path)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "would unpack to" in str(info.value) and "roll.xlsx" in str(info.value)
    assert peak < 300 * 1024 * 1024 - path.stat().st_size


def test_a_csv_renamed_xlsx_is_read_as_csv_and_said_to_be_one(tmp_path: Path) -> None:
    path = tmp_path / "roll.xlsx"
    path.write_text("姓名,公民身份号码,户号,居民小组\n张三,11010519800101011X,H1,第1组\n", "utf-8")
    table = read_table(path)
    assert table.kind == "csv" and table.headers[0] == "姓名"
    assert any("it is CSV text" in note for note in table.notes)


@pytest.mark.parametrize(
    ("magic", "what"),
    [
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old Excel", id="xls"),
        pytest.param(b"%PDF-1.7\n" + b"x" * 600, "a PDF document", id="pdf"),
        pytest.param(b"SQLite format 3\x00" + b"\0" * 600, "an SQLite database", id="sqlite"),
    ],
)
def test_another_format_is_named(tmp_path: Path, magic: bytes, what: str) -> None:
    path = tmp_path / "roll.xlsx"
    path.write_bytes(magic)
    with pytest.raises(InputError) as info:
        read_table(path)
    assert what in str(info.value) and "roll.xlsx" in str(info.value)
