"""Reading the tables that committees bring: CSV in any of the usual encodings, or XLSX.

Used for the voter roll, and later for sign-in sheets, petition signatures and ballot records.

CSV decoding order (engineering-notes.md): a UTF-8 BOM → UTF-8; a UTF-16 BOM → UTF-16
(Excel "Unicode text", usually tab-separated); strict UTF-8; else GB18030 (never GBK, which
cannot encode 䶮). A binary file (NUL bytes, control characters) is refused. The delimiter is
taken from the header line (tab, comma, or Chinese comma ``，`` is not accepted).

XLSX: the first sheet, read-only. Cells keep their Python types (``str``, ``int``, ``float``,
``datetime``) so that callers can refuse e.g. an ID number stored as a number.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from juwei.errors import InputError
from juwei.i18n import _

Cell = str | int | float | Any | None


@dataclass
class Table:
    """A table read from ``path``: header texts and data rows with their 1-based row numbers.

    ``rows`` yields ``(row_number, cells)``; the header is row 1, so data starts at row 2.
    ``total`` is the number of data rows (blank rows excluded).
    """

    path: Path
    kind: str  # "csv" or "xlsx"
    encoding: str | None
    headers: list[str]
    data: list[tuple[int, list[Cell]]]

    @property
    def label(self) -> str:
        """The file name as errors show it."""
        return self.path.name

    @property
    def total(self) -> int:
        """Number of data rows."""
        return len(self.data)


_CONTROL_OK = {"\t", "\n", "\r"}
ID_HEADERS = ("公民身份号码", "身份证号", "身份证号码", "id_number", "id number")


def id_column(table: "Table") -> int:
    """The index of the ID-number column (any of ``ID_HEADERS``), for rolls, sign-in sheets
    and supporter lists. Raises ``InputError`` naming the file when there is none."""
    wanted = {h.lower() for h in ID_HEADERS}
    for index, header in enumerate(table.headers):
        if header.lower() in wanted:
            return index
    raise InputError(
        _("the required column 公民身份号码 (id_number) is missing"), file=table.label, row=1
    )


def decode_text(raw: bytes, label: str) -> tuple[str, str]:
    """Decode CSV bytes; returns ``(text, encoding)``. Raises ``InputError`` for binary data."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            text, encoding = raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise InputError(
                _(
                    "the file starts as UTF-8 but byte {at} is not UTF-8: save it again as UTF-8"
                ).format(at=error.start + 3),
                file=label,
            ) from None
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise InputError(_("not valid UTF-16 text"), file=label) from None
    else:
        if b"\x00" in raw:
            raise InputError(
                _("this is a binary file, not a CSV table (save it as CSV or XLSX)"), file=label
            )
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, encoding = raw.decode("gb18030"), "gb18030"
                _check_plausible_gb18030(text, label)
            except UnicodeDecodeError:
                raise InputError(
                    _("unknown text encoding: save the file as UTF-8 or GB18030 CSV, or as XLSX"),
                    file=label,
                ) from None
    bad = next(
        (c for c in text[:200_000] if unicodedata.category(c) == "Cc" and c not in _CONTROL_OK),
        None,
    )
    if bad is not None:
        raise InputError(
            _("this is a binary file, not a CSV table (save it as CSV or XLSX)"), file=label
        )
    return text, encoding


def _check_plausible_gb18030(text: str, label: str) -> None:
    """Refuse text that only decodes as GB18030 by accident (Latin-1, Shift-JIS, …).

    GB18030 decodes almost any bytes. Chinese text in it is mostly GB2312 characters; when
    more than a fifth of the non-ASCII characters fall outside GB2312, the file is almost
    certainly in another encoding and reading it would garble names.
    """
    others = [c for c in text if ord(c) > 127]
    if not others:
        return
    rare = 0
    for char in others:
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            rare += 1
    if rare * 5 > len(others):
        raise InputError(
            _(
                "the text encoding cannot be recognised (it is not UTF-8, and as GB18030 it "
                "reads as garbled characters): save the file as UTF-8 CSV or as XLSX"
            ),
            file=label,
        )


def _clean_header(value: Cell) -> str:
    return unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()


def read_table(path: Path) -> Table:
    """Read ``path`` (``.xlsx`` by content, else CSV). Raises ``InputError`` naming the file.

    Errors: the file is missing or unreadable, empty, binary, in an unknown encoding, has no
    header row, or has two columns with the same header.
    """
    label = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(_("no such file"), file=str(path)) from None
    except OSError as error:
        raise InputError(
            _("cannot read the file: {reason}").format(reason=error.strerror), file=str(path)
        ) from None
    if not raw.strip():
        raise InputError(_("the file is empty"), file=label)
    if raw.startswith(b"PK\x03\x04"):
        headers, data = _read_xlsx(raw, label)
        kind, encoding = "xlsx", None
    else:
        text, encoding = decode_text(raw, label)
        headers, data = _read_csv(text, label)
        kind = "csv"
    if not any(headers):
        raise InputError(_("the first row must hold the column headers"), file=label, row=1)
    seen: dict[str, int] = {}
    for index, header in enumerate(headers):
        if header and header in seen:
            raise InputError(
                _("two columns have the same header (columns {a} and {b})").format(
                    a=seen[header] + 1, b=index + 1
                ),
                file=label,
                row=1,
                column=header,
            )
        seen[header] = index
    return Table(path=path, kind=kind, encoding=encoding, headers=headers, data=data)


def _read_csv(text: str, label: str) -> tuple[list[str], list[tuple[int, list[Cell]]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header_row = next(reader)
    except StopIteration:
        raise InputError(_("the file is empty"), file=label) from None
    except csv.Error as error:
        raise InputError(str(error), file=label, row=1) from None
    headers = [_clean_header(h) for h in header_row]
    data: list[tuple[int, list[Cell]]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            data.append((reader.line_num, list(row)))
    except csv.Error as error:
        raise InputError(str(error), file=label, row=reader.line_num) from None
    return headers, data


def _read_xlsx(raw: bytes, label: str) -> tuple[list[str], list[tuple[int, list[Cell]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise InputError(
            _("not a readable XLSX workbook: {reason}").format(reason=type(error).__name__),
            file=label,
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        try:
            header_row = next(rows)
        except StopIteration:
            raise InputError(_("the file is empty"), file=label) from None
        headers = [_clean_header(h) for h in header_row]
        data: list[tuple[int, list[Cell]]] = []
        for number, row in enumerate(rows, start=2):
            cells = list(row)
            if not any(c is not None and str(c).strip() for c in cells):
                continue
            data.append((number, cells))
    finally:
        workbook.close()
    return headers, data


def iter_rows_as_text(table: Table) -> Iterator[tuple[int, list[str]]]:
    """Rows with every cell as text (for writing rejected rows back out)."""
    for number, cells in table.data:
        yield number, ["" if c is None else str(c) for c in cells]


def parse_date_text(text: str) -> date:
    """A day as clerks write it: ``2027-04-20``, ``2027-4-20``, ``2027/4/20``, ``2027.4.20``,
    ``2027年4月20日``, ``20270420`` (full-width digits too; a time after it is ignored).

    Raises ``ValueError`` (with the text) when it is none of these or no such day exists.
    """
    cleaned = unicodedata.normalize("NFKC", text).strip()
    cleaned = cleaned.split(" ")[0].split("T")[0] if re.match(r"\d{4}-\d", cleaned) else cleaned
    for sep in ("年", "月", "/", "."):
        cleaned = cleaned.replace(sep, "-")
    cleaned = cleaned.replace("日", "").replace("号", "").strip("-").strip()
    if cleaned.isdigit() and len(cleaned) == 8:
        cleaned = f"{cleaned[:4]}-{cleaned[4:6]}-{cleaned[6:]}"
    parts = cleaned.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ValueError(text)
    return date(int(parts[0]), int(parts[1]), int(parts[2]))
