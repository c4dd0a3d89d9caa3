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
from dataclasses import dataclass, field
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
    notes: list[str] = field(default_factory=list)  # what was skipped, and why

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
    """A header as written, NFKC-normalised; spaces between Chinese characters dropped
    (``姓 名`` → ``姓名``, as clerks align short headers)."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value)).strip()
    return _HAN_GAP.sub("", text)


_HAN_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")

#: Header words that mark the header row of a committee's sheet (a title row above it, such
#: as ``XX社区选民登记表``, is skipped).
HEADER_WORDS = frozenset(
    {*ID_HEADERS, "姓名", "name", "户号", "居民小组", "性别", "出生日期", "票号", "序号", "职位"}
)
#: A row whose first filled cell starts with one of these is a footer, not data.
FOOTER_WORDS = ("合计", "总计", "小计", "制表人", "制表", "填表人", "审核人", "负责人", "日期")
#: How far down the header row is looked for.
HEADER_SEARCH_ROWS = 10


def _is_header(row: list[Cell]) -> bool:
    return any(_clean_header(c).lower() in HEADER_WORDS for c in row if c is not None)


def _locate_header(
    rows: list[tuple[int, list[Cell]]], label: str
) -> tuple[list[str], list[tuple[int, list[Cell]]], list[str]]:
    """Split ``rows`` (row number, cells) into the header texts, the data rows and notes.

    The header row is the first of the first ``HEADER_SEARCH_ROWS`` rows that holds a known
    header word (else the first row). Rows above it are a title and skipped with a note; a
    two-row header (group headings merged above the real headers) takes each empty header
    cell from the row above. Footer rows (合计, 制表人, 日期 …) after the data are dropped
    with a note naming them.
    """
    notes: list[str] = []
    at = next(
        (i for i, (_n, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]) if _is_header(cells)), 0
    )
    number, header_cells = rows[at]
    headers = [_clean_header(h) for h in header_cells]
    if at > 0:
        above = [_clean_header(h) for h in rows[at - 1][1]]
        if sum(1 for h in above if h) > 1:  # group headings over the real ones
            headers = [h or (above[i] if i < len(above) else "") for i, h in enumerate(headers)]
        notes.append(
            _("{file}: the header is row {row}; rows above it skipped (a title)").format(
                file=label, row=number
            )
        )
    data = []
    footer: list[int] = []
    for row_number, cells in rows[at + 1 :]:
        first = next((str(c).strip() for c in cells if c is not None and str(c).strip()), "")
        if footer or first.replace(" ", "").startswith(FOOTER_WORDS):
            footer.append(row_number)
            continue
        data.append((row_number, cells))
    if footer:
        notes.append(
            _("{file}: rows {rows} are a footer (合计, 制表人, 日期 …) and were not read").format(
                file=label, rows=", ".join(str(n) for n in footer)
            )
        )
    return headers, data, notes


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
        headers, data, notes = _read_xlsx(raw, label)
        kind, encoding = "xlsx", None
    else:
        _refuse_other_formats(raw, label)
        text, encoding = decode_text(raw, label)
        headers, data, notes = _read_csv(text, label)
        kind = "csv"
        if path.suffix.lower() in (".xlsx", ".xls", ".et"):
            notes.insert(
                0,
                _("{file}: named like a workbook, but it is CSV text; read as CSV").format(
                    file=label
                ),
            )
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
    return Table(path=path, kind=kind, encoding=encoding, headers=headers, data=data, notes=notes)


def _read_csv(text: str, label: str) -> tuple[list[str], list[tuple[int, list[Cell]]], list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Cell]]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append((reader.line_num, list(row)))
    except csv.Error as error:
        raise InputError(str(error), file=label, row=reader.line_num) from None
    if not rows:
        raise InputError(_("the file is empty"), file=label)
    return _locate_header(rows, label)


# Limits that refuse a decompression bomb within seconds and well under 300 MB (issue 11): a
# roll of 200,000 voters is about 20 MB unpacked and has a dozen columns.
XLSX_MAX_UNPACKED = 200 * 1024 * 1024
XLSX_MAX_ROWS = 500_000
XLSX_MAX_COLUMNS = 100


def _refuse_other_formats(raw: bytes, label: str) -> None:
    """Name what a file really is when it is neither CSV text nor an XLSX workbook."""
    kinds = (
        (b"\xd0\xcf\x11\xe0", _("an old Excel 97-2003 (.xls) or WPS workbook")),
        (b"%PDF", _("a PDF document")),
        (b"SQLite format 3", _("an SQLite database")),
    )
    for magic, what in kinds:
        if raw.startswith(magic):
            raise InputError(
                _("this file is {what}, not CSV or XLSX; save it as .xlsx or CSV").format(
                    what=what
                ),
                file=label,
            )


def _check_unpacked_size(raw: bytes, label: str) -> None:
    """Refuse a workbook that would unpack to more than :data:`XLSX_MAX_UNPACKED` bytes,
    from the sizes its zip directory declares, before anything is unpacked."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise InputError(
            _("not a readable XLSX workbook: {reason}").format(reason=type(error).__name__),
            file=label,
        ) from None
    if unpacked > XLSX_MAX_UNPACKED:
        raise InputError(
            _(
                "the workbook would unpack to {mb} MB (at most {limit} MB): it is not a roll "
                "or a ballot sheet; save the sheet as CSV"
            ).format(mb=unpacked // (1024 * 1024), limit=XLSX_MAX_UNPACKED // (1024 * 1024)),
            file=label,
        )


def _read_xlsx(raw: bytes, label: str) -> tuple[list[str], list[tuple[int, list[Cell]]], list[str]]:
    from openpyxl import load_workbook

    _check_unpacked_size(raw, label)
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise InputError(
            _("not a readable XLSX workbook: {reason}").format(reason=type(error).__name__),
            file=label,
        ) from None
    sheets: list[tuple[str, list[tuple[int, list[Cell]]]]] = []
    try:
        for sheet in workbook.worksheets:
            rows: list[tuple[int, list[Cell]]] = []
            rows_seen = 0
            for number, row in enumerate(
                sheet.iter_rows(values_only=True, max_col=XLSX_MAX_COLUMNS), start=1
            ):
                rows_seen += 1
                if rows_seen > XLSX_MAX_ROWS:
                    raise InputError(
                        _("the sheet {sheet} has more than {n} rows").format(
                            sheet=sheet.title, n=XLSX_MAX_ROWS
                        ),
                        file=label,
                    )
                cells = list(row)
                # max_col pads every row to XLSX_MAX_COLUMNS: drop the empty cells on the right
                while cells and (cells[-1] is None or not str(cells[-1]).strip()):
                    cells.pop()
                if cells:
                    rows.append((number, cells))
            sheets.append((sheet.title, rows))
    finally:
        workbook.close()
    filled = [(title, rows) for title, rows in sheets if rows]
    if not filled:
        raise InputError(_("the file is empty"), file=label)
    # the first sheet that has the headers, else the first sheet with anything on it
    title, chosen = next(
        ((t, r) for t, r in filled if any(_is_header(c) for _n, c in r[:HEADER_SEARCH_ROWS])),
        filled[0],
    )
    headers, data, notes = _locate_header(chosen, label)
    if len(sheets) > 1:
        notes.insert(0, _("{file}: read the sheet {sheet}").format(file=label, sheet=title))
    return headers, data, notes


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
