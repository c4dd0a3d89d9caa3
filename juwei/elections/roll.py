"""The electoral roll (选民登记): import, re-import, listing, statistics, export.

Roll columns (architecture.md), Chinese or English headers:
姓名 name · 公民身份号码/身份证号 id_number · 户号 household · 居民小组 group (required);
住址 address · 登记类别 registration (户籍/居住/工作, default 户籍) · 剥夺政治权利 deprived (是/否)
· 性别 sex · 出生日期 birth_date (must agree with the ID number) · 居住起始日期 residence_since
(for 居住 registrations) · 本人同意 consent (for 工作 registrations) — optional.

An import is the whole roll: voters matched by ID number are updated, new ones added, and
voters missing from the file are marked no longer listed (never deleted). Every bad row is
reported (file, row, column, reason) and nothing is imported unless ``skip_invalid``.
"""

import csv
import hashlib
import io
import re
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from juwei.elections.audit import append_event
from juwei.elections.bulk import bulk_insert
from juwei.elections.community import community_charter, find_community
from juwei.elections.db import Database
from juwei.elections.models import Community, Household, ResidentsGroup, RollImport, Voter
from juwei.elections.readmodels import VoterListGroup, VoterListing, VoterListRow
from juwei.elections.tabular import ID_HEADERS, Cell, Table, parse_date_text, read_table
from juwei.errors import InputError, NotFoundError, redact
from juwei.files import create_private, replace_file
from juwei.i18n import _
from juwei.rules.charter import Charter
from juwei.rules.collation import sort_by_strokes
from juwei.rules.eligibility import Failure, Registration, age_on, check_eligibility
from juwei.rules.identity import IdNumberError, mask_id, parse_id_number

# canonical field → accepted headers (compared after NFKC, strip, lower-case)
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "id_number": ID_HEADERS,
    "household": ("户号", "household"),
    "group": ("居民小组", "小组", "group", "residents_group"),
    "address": ("住址", "address"),
    "registration": ("登记类别", "registration"),
    "deprived": ("剥夺政治权利", "deprived"),
    "sex": ("性别", "sex"),
    "birth_date": ("出生日期", "birth_date", "birth date"),
    "residence_since": ("居住起始日期", "residence_since"),
    "consent": ("本人同意", "consent"),
}
REQUIRED = ("name", "id_number", "household", "group")
EXPORT_HEADERS = {
    "name": "姓名",
    "id_number": "公民身份号码",
    "household": "户号",
    "group": "居民小组",
    "address": "住址",
    "registration": "登记类别",
    "deprived": "剥夺政治权利",
    "sex": "性别",
    "birth_date": "出生日期",
    "residence_since": "居住起始日期",
    "consent": "本人同意",
}
_REGISTRATION_WORDS = {
    "": Registration.HUKOU,
    "户籍": Registration.HUKOU,
    "户口": Registration.HUKOU,
    "hukou": Registration.HUKOU,
    "居住": Registration.RESIDENCE,
    "residence": Registration.RESIDENCE,
    "工作": Registration.WORK,
    "work": Registration.WORK,
}
_REGISTRATION_LABEL = {
    Registration.HUKOU: "户籍",
    Registration.RESIDENCE: "居住",
    Registration.WORK: "工作",
}
_YES = {"是", "yes", "y", "true", "1", "有"}
_NO = {"否", "no", "n", "false", "0", "", "无"}
_SEX_WORDS = {"男": "M", "m": "M", "male": "M", "女": "F", "f": "F", "female": "F"}
PROGRESS_EVERY = 1000
_TEXT_KEYS = ("name", "household", "group", "address", "registration", "deprived", "consent", "sex")
_DIGIT = re.compile(r"\d")
MAX_ERRORS_SHOWN = 100


@dataclass(frozen=True)
class RollRow:
    """One valid roll row, normalised."""

    row: int
    name: str
    id_number: str
    sex: str
    birth_date: date
    household: str
    group: str
    address: str | None
    registration: str
    deprived: bool
    residence_since: date | None
    consent: bool | None


@dataclass
class RollCheck:
    """The outcome of checking a roll file: valid rows, errors (one per bad cell), warnings."""

    table: Table
    rows: list[RollRow] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)


class RollRejected(InputError):
    """A file has bad rows and nothing was imported. ``errors`` lists every one.

    ``skip_hint``: mention ``--skip-invalid`` (the roll import has it; other imports don't).
    Used for every all-or-nothing file: rolls, sign-in sheets, ballot records.
    """

    def __init__(self, label: str, errors: Sequence[InputError], *, skip_hint: bool = True) -> None:
        self.errors = list(errors)
        rows = len({e.row for e in errors})
        shown = self.errors[:MAX_ERRORS_SHOWN]
        lines = "\n".join(f"  {e}" for e in shown)
        if len(self.errors) > len(shown):
            lines += "\n  " + _("… and {n} more errors").format(n=len(self.errors) - len(shown))
        if skip_hint:
            head = _(
                "{rows} row(s) have errors; nothing was imported (use --skip-invalid to import "
                "the good rows):"
            ).format(rows=rows)
        else:
            head = _("{rows} row(s) have errors; nothing was recorded:").format(rows=rows)
        super().__init__(head + "\n" + lines, file=label)


@dataclass(frozen=True)
class ImportSummary:
    """What an import did. Counts are voters (rows of the roll)."""

    import_id: int
    file: str
    rows: int
    added: int
    updated: int
    unchanged: int
    delisted: int
    relisted: int
    rejected: int
    warnings: tuple[str, ...]
    rejected_file: Path | None


# ----------------------------------------------------------------------------- parsing


def _norm(value: Cell) -> str:
    if value is None:
        return ""
    if type(value) is str and value.isascii():
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _map_columns(table: Table) -> tuple[dict[str, int], list[str]]:
    lookup = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    mapping: dict[str, int] = {}
    ignored: list[str] = []
    for index, header in enumerate(table.headers):
        key = lookup.get(header.lower())
        if key is None:
            if header:
                ignored.append(header)
            continue
        if key in mapping:
            raise InputError(
                _("two columns mean the same field ({field})").format(field=key),
                file=table.label,
                row=1,
                column=header,
            )
        mapping[key] = index
    for key in REQUIRED:
        if key not in mapping:
            raise InputError(
                _("the required column {zh} ({en}) is missing").format(
                    zh=COLUMNS[key][0], en=COLUMNS[key][-1] if key != "id_number" else "id_number"
                ),
                file=table.label,
                row=1,
            )
    return mapping, ignored


#: What a character becomes when a file is saved in an encoding that lacks it (䶮 in GBK).
_DAMAGE_MARKS = ("?", "？", "\ufffd")


def _hidden_character(text: str) -> str | None:
    """The first control, format (zero-width, bidi) or private-use character in ``text``."""
    if text.isprintable():  # fast path: no Cc, Cf, Co, Cs, Zl, Zp (nor Zs but ' ')
        return None
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp"):
            return char
    return None


def _parse_date(value: Cell) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _norm(value)
    if not text:
        return None
    return parse_date_text(text)


def _parse_bool(text: str) -> bool:
    low = text.lower()
    if low in _YES:
        return True
    if low in _NO:
        return False
    raise ValueError(text)


def check_roll(
    table: Table,
    charter: Charter,
    as_of: date,
    *,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RollCheck:
    """Check every row of ``table`` against the ID-number rules and the charter's eligibility.

    ``as_of``: the day on which age is counted (the election day; 年满十八周岁).
    Returns a ``RollCheck``; raises ``InputError`` only for file-level problems (missing
    required column). Sources: GB 11643-1999 (ID numbers), charter ``eligibility`` rules.
    """
    mapping, ignored = _map_columns(table)
    result = RollCheck(table=table)
    result.warnings.extend(table.notes)
    if ignored:
        result.warnings.append(
            _("{file}: columns ignored: {columns}").format(
                file=table.label, columns=", ".join(ignored)
            )
        )
    today = today or date.today()
    headers = table.headers
    label = table.label
    seen_ids: dict[str, int] = {}
    household_group: dict[str, tuple[str, int]] = {}
    total = table.total
    unknown_regions = 0

    index_of = {key: mapping.get(key, -1) for key in COLUMNS}
    verdicts: dict[tuple[Any, ...], Any] = {}  # eligibility depends only on these values

    def get(cells: list[Cell], key: str) -> Cell:
        index = index_of[key]
        return cells[index] if 0 <= index < len(cells) else None

    for done, (number, cells) in enumerate(table.data, start=1):
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
        errors: list[InputError] = []

        def fail(
            key: str, reason: str, row: int = number, errors: list[InputError] = errors
        ) -> None:
            errors.append(InputError(reason, file=label, row=row, column=headers[mapping[key]]))

        text = {key: _norm(get(cells, key)) for key in _TEXT_KEYS}
        for key in ("name", "household", "group", "address"):
            bad = _hidden_character(text[key])
            if bad is not None:
                fail(
                    key,
                    _("contains an invisible or control character ({code})").format(
                        code=f"U+{ord(bad):04X}"
                    ),
                )
        name = text["name"]
        if any(mark in name for mark in _DAMAGE_MARKS):
            fail(
                "name",
                _(
                    "the name {name} holds ? or �: a character was lost when the file was "
                    "saved in GBK/ANSI; save it as XLSX or UTF-8 and give the name as written"
                ).format(name=name),
            )
        if not name:
            fail("name", _("the name is empty"))
        elif len(name) > 50 or _DIGIT.search(name):
            fail("name", _("not a plausible name: {name}").format(name=name[:20]))

        raw_id = get(cells, "id_number")
        parsed = None
        if isinstance(raw_id, (int, float)):
            fail(
                "id_number",
                _(
                    "the ID number is stored as a number, which Excel has already corrupted; "
                    "format the ID column as text and enter the numbers again"
                ),
            )
        elif not _norm(raw_id):
            fail("id_number", _("the ID number is empty"))
        else:
            try:
                parsed = parse_id_number(_norm(raw_id), today=today)
            except IdNumberError as error:
                fail("id_number", error.reason)

        household = text["household"]
        if not household:
            fail("household", _("the household number is empty"))
        group = text["group"]
        if not group:
            fail("group", _("the residents' group is empty"))
        address = text["address"] or None

        reg_text = text["registration"]
        registration = _REGISTRATION_WORDS.get(reg_text.lower())
        if registration is None:
            fail(
                "registration",
                _("unknown registration kind {value} (use 户籍, 居住 or 工作)").format(
                    value=reg_text
                ),
            )
        deprived = False
        try:
            deprived = _parse_bool(text["deprived"])
        except ValueError as error:
            fail("deprived", _("not 是 or 否: {value}").format(value=error))
        consent: bool | None = None
        consent_text = text["consent"]
        if consent_text:
            try:
                consent = _parse_bool(consent_text)
            except ValueError as error:
                fail("consent", _("not 是 or 否: {value}").format(value=error))
        residence_since: date | None = None
        try:
            residence_since = _parse_date(get(cells, "residence_since"))
        except ValueError as error:
            fail("residence_since", _("not a date: {value}").format(value=error))

        if parsed is not None:
            if not parsed.region_known:
                unknown_regions += 1
            sex_text = text["sex"].lower()
            if sex_text:
                sex = _SEX_WORDS.get(sex_text)
                if sex is None:
                    fail("sex", _("not 男 or 女: {value}").format(value=sex_text))
                elif sex != parsed.sex:
                    fail("sex", _("does not agree with the ID number"))
            try:
                birth = _parse_date(get(cells, "birth_date"))
            except ValueError as error:
                fail("birth_date", _("not a date: {value}").format(value=error))
            else:
                if birth is not None and birth != parsed.birth_date:
                    fail(
                        "birth_date",
                        _("{value} does not agree with the ID number").format(
                            value=birth.isoformat()
                        ),
                    )
            first = seen_ids.get(parsed.number)
            if first is not None:
                fail(
                    "id_number",
                    _("the same ID number as row {other} ({masked})").format(
                        other=first, masked=mask_id(parsed.number)
                    ),
                )
                result.bad_rows.add(first)
                result.errors.append(
                    InputError(
                        _("the same ID number as row {other} ({masked})").format(
                            other=number, masked=mask_id(parsed.number)
                        ),
                        file=label,
                        row=first,
                        column=headers[mapping["id_number"]],
                    )
                )
            else:
                seen_ids[parsed.number] = number
            if parsed.birth_date > as_of:
                fail(
                    "id_number",
                    _("born after {day}, the day ages are counted on").format(
                        day=as_of.isoformat()
                    ),
                )
            elif registration is not None:
                memo = (parsed.birth_date, deprived, registration, residence_since, consent)
                verdict = verdicts.get(memo)
                if verdict is None:
                    verdict = verdicts[memo] = check_eligibility(
                        charter,
                        birth_date=parsed.birth_date,
                        on=as_of,
                        deprived=deprived,
                        registration=registration,
                        residence_since=residence_since,
                        consent=consent,
                    )
                for failure in verdict.failures:
                    fail(_eligibility_column(failure, mapping), failure.reason)
        if household and group:
            known = household_group.get(household)
            if known is None:
                household_group[household] = (group, number)
            elif known[0] != group:
                fail(
                    "group",
                    _("household {household} is in group {first} at row {row}").format(
                        household=household, first=known[0], row=known[1]
                    ),
                )

        if errors:
            result.errors.extend(errors)
            result.bad_rows.add(number)
            continue
        assert parsed is not None and registration is not None
        result.rows.append(
            RollRow(
                row=number,
                name=name,
                id_number=parsed.number,
                sex=parsed.sex,
                birth_date=parsed.birth_date,
                household=household,
                group=group,
                address=address,
                registration=registration.value,
                deprived=deprived,
                residence_since=residence_since,
                consent=consent,
            )
        )
    if progress is not None:
        progress(total, total)
    if result.bad_rows:
        result.rows = [r for r in result.rows if r.row not in result.bad_rows]
    result.errors.sort(key=lambda e: e.row or 0)
    if unknown_regions:
        result.warnings.append(
            _(
                "{file}: {n} ID number(s) have a region code not in the current list "
                "(kept: old codes are valid)"
            ).format(file=label, n=unknown_regions)
        )
    return result


def _eligibility_column(failure: Failure, mapping: dict[str, int]) -> str:
    """The roll column to blame for an eligibility failure (the ID column holds the birth
    date; an optional column that is absent is blamed on 登记类别 or the ID column)."""
    if failure.field in mapping:
        return failure.field
    if failure.field in ("residence_since", "consent") and "registration" in mapping:
        return "registration"
    return "id_number"


# ----------------------------------------------------------------------------- importing


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _chunks(items: Sequence[Any], size: int = 900) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _registered_elsewhere(
    session: Session, community_id: int, rows: list[RollRow], label: str, headers: str
) -> list[InputError]:
    errors: list[InputError] = []
    others = session.execute(
        select(Voter.id)  # type: ignore[call-overload]
        .where(Voter.community_id != community_id, Voter.listed == True)  # noqa: E712
        .limit(1)
    ).first()
    if others is None:  # the only community with a roll: nobody can be registered twice
        return errors
    by_id = {r.id_number: r for r in rows}
    ids = list(by_id)
    for chunk in _chunks(ids):
        stmt = (
            select(Voter.id_number, Community.name)  # type: ignore[call-overload]
            .join(Community, Community.id == Voter.community_id)
            .where(Voter.community_id != community_id)
            .where(Voter.listed == True)  # noqa: E712
            .where(Voter.id_number.in_(chunk))  # type: ignore[attr-defined]
        )
        for id_number, other in session.execute(stmt):
            errors.append(
                InputError(
                    _("already on the roll of community {other}: no double registration").format(
                        other=other
                    ),
                    file=label,
                    row=by_id[id_number].row,
                    column=headers,
                )
            )
    return errors


def import_roll(
    db: Database,
    path: Path,
    *,
    community: str | None = None,
    as_of: date | None = None,
    skip_invalid: bool = False,
    operator: str,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import the whole roll from ``path`` (CSV or XLSX) in one transaction.

    ``as_of``: the day age is counted on (default today). With ``skip_invalid`` the good rows
    are imported and the rejected rows written to ``<name>.rejected.csv`` beside the input
    (UTF-8 with BOM, the original columns plus 错误原因). Raises ``RollRejected`` listing every
    bad row (nothing imported), ``InputError`` for file-level problems, ``NotFoundError`` when
    the community does not exist. Source: charter ``eligibility``; GB 11643-1999.
    """
    table = read_table(path)
    if table.total == 0:
        raise InputError(
            _("the file has a header but no voters: an empty roll would remove everyone"),
            file=table.label,
            row=2,
        )
    with db.write() as session:
        comm = find_community(session, community)
        assert comm.id is not None
        when = as_of or default_as_of(session, comm.id)
        charter = community_charter(session, comm)
        checked = check_roll(table, charter, when, today=today, progress=progress)
        id_header = table.headers[_map_columns(table)[0]["id_number"]]
        elsewhere = _registered_elsewhere(session, comm.id, checked.rows, table.label, id_header)
        if elsewhere:
            checked.errors.extend(elsewhere)
            checked.errors.sort(key=lambda e: e.row or 0)
            bad = {e.row for e in elsewhere}
            checked.bad_rows |= {b for b in bad if b is not None}
            checked.rows = [r for r in checked.rows if r.row not in checked.bad_rows]
        if checked.errors and not skip_invalid:
            raise RollRejected(table.label, checked.errors)
        if not checked.rows:
            raise RollRejected(table.label, checked.errors)  # nothing good to import
        rejected_tmp = _write_rejects_tmp(table, checked) if checked.errors else None
        try:
            summary = _apply(session, comm, table, checked, when, operator)
            if rejected_tmp is not None:
                target = path.with_name(f"{path.stem}.rejected.csv")
                replace_file(rejected_tmp, target)
                rejected_tmp = None
                summary = _with_rejects(summary, target)
        finally:
            if rejected_tmp is not None:
                rejected_tmp.unlink(missing_ok=True)
    return summary


def _with_rejects(summary: ImportSummary, target: Path) -> ImportSummary:
    return ImportSummary(**{**summary.__dict__, "rejected_file": target})


def _write_rejects_tmp(table: Table, checked: RollCheck) -> Path:
    reasons: dict[int, list[str]] = defaultdict(list)
    for error in checked.errors:
        if error.row is not None:
            reasons[error.row].append(
                f"{error.column}: {error.reason}" if error.column else error.reason
            )
    handle = tempfile.NamedTemporaryFile(
        "w",
        encoding="utf-8-sig",
        newline="",
        delete=False,
        dir=table.path.parent,
        prefix=".juwei-",
        suffix=".csv",
    )
    with handle:
        writer = csv.writer(handle)
        writer.writerow(["行号", *table.headers, "错误原因"])
        for number, cells in table.data:
            if number in reasons:
                writer.writerow(
                    [
                        number,
                        *("" if c is None else str(c) for c in cells),
                        "；".join(reasons[number]),
                    ]
                )
    return Path(handle.name)


def _apply(
    session: Session,
    comm: Community,
    table: Table,
    checked: RollCheck,
    as_of: date,
    operator: str,
) -> ImportSummary:
    assert comm.id is not None
    cid = comm.id
    now = datetime.now(UTC)
    record = RollImport(
        community_id=cid,
        file_name=table.label,
        file_sha256=_file_sha256(table.path),
        as_of=as_of,
        imported_at=now,
        operator=operator,
        rows=table.total,
        added=0,
        updated=0,
        unchanged=0,
        delisted=0,
        relisted=0,
        rejected=len(checked.bad_rows),
    )
    session.add(record)
    session.flush()
    import_id = record.id
    assert import_id is not None

    groups = _ensure_groups(session, cid, {r.group for r in checked.rows})
    households = _ensure_households(session, cid, checked.rows, groups)

    vt = Voter.__table__  # type: ignore[attr-defined]
    existing: dict[str, tuple[Any, ...]] = {}
    for row in session.execute(
        select(
            vt.c.id,
            vt.c.id_number,
            vt.c.name,
            vt.c.sex,
            vt.c.birth_date,
            vt.c.group_id,
            vt.c.household_id,
            vt.c.address,
            vt.c.registration,
            vt.c.residence_since,
            vt.c.consent,
            vt.c.listed,
        ).where(vt.c.community_id == cid)
    ):
        existing[row[1]] = tuple(row)

    new_rows: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    unchanged = relisted = 0
    in_file: set[str] = set()
    for r in checked.rows:
        in_file.add(r.id_number)
        values = {
            "name": r.name,
            "sex": r.sex,
            "birth_date": r.birth_date,
            "group_id": groups[r.group],
            "household_id": households[r.household],
            "address": r.address,
            "registration": r.registration,
            "residence_since": r.residence_since,
            "consent": r.consent,
        }
        old = existing.get(r.id_number)
        if old is None:
            new_rows.append(
                {
                    **values,
                    "community_id": cid,
                    "id_number": r.id_number,
                    "listed": True,
                    "first_import_id": import_id,
                    "last_import_id": import_id,
                    "delisted_import_id": None,
                }
            )
            continue
        same = old[2:11] == tuple(values.values())
        if same and old[11]:
            unchanged += 1
            continue
        if not old[11]:
            relisted += 1
        changed.append(
            {
                **values,
                "_id": old[0],
                "listed": True,
                "last_import_id": import_id,
                "delisted_import_id": None,
            }
        )
    bulk_insert(session, vt, new_rows)
    if changed:
        stmt = (
            update(vt)
            .where(vt.c.id == bindparam("_id"))
            .values({k: bindparam(k) for k in changed[0] if k != "_id"})
        )
        session.connection().execute(stmt, changed)
    # A voter missing from a file with rejected rows may be one of those rows: keep everyone.
    gone = (
        []
        if checked.bad_rows
        else [old[0] for key, old in existing.items() if old[11] and key not in in_file]
    )
    if checked.bad_rows and any(old[11] and key not in in_file for key, old in existing.items()):
        checked.warnings.append(
            _(
                "{file}: voters missing from the file were kept on the roll, because some rows "
                "were rejected; import the corrected file to update who is listed"
            ).format(file=table.label)
        )
    for chunk in _chunks(gone):
        session.execute(
            update(vt).where(vt.c.id.in_(chunk)).values(listed=False, delisted_import_id=import_id)
        )
    record.added = len(new_rows)
    record.updated = len(changed) - relisted
    record.relisted = relisted
    record.unchanged = unchanged
    record.delisted = len(gone)
    session.add(record)
    append_event(
        session,
        "roll.import",
        {
            "import_id": import_id,
            "file": table.label,
            "file_sha256": record.file_sha256,
            "as_of": as_of.isoformat(),
            "rows": record.rows,
            "added": record.added,
            "updated": record.updated,
            "unchanged": record.unchanged,
            "delisted": record.delisted,
            "relisted": record.relisted,
            "rejected": record.rejected,
        },
        operator=operator,
        community_id=cid,
    )
    return ImportSummary(
        import_id=import_id,
        file=table.label,
        rows=record.rows,
        added=record.added,
        updated=record.updated,
        unchanged=unchanged,
        delisted=record.delisted,
        relisted=relisted,
        rejected=record.rejected,
        warnings=tuple(checked.warnings),
        rejected_file=None,
    )


def _ensure_groups(session: Session, cid: int, names: set[str]) -> dict[str, int]:
    gt = ResidentsGroup.__table__  # type: ignore[attr-defined]
    have = {
        n: i for i, n in session.execute(select(gt.c.id, gt.c.name).where(gt.c.community_id == cid))
    }
    missing = sorted(names - set(have))
    if missing:
        session.execute(insert(gt), [{"community_id": cid, "name": n} for n in missing])
        have = {
            n: i
            for i, n in session.execute(select(gt.c.id, gt.c.name).where(gt.c.community_id == cid))
        }
    return have


def _ensure_households(
    session: Session, cid: int, rows: list[RollRow], groups: dict[str, int]
) -> dict[str, int]:
    ht = Household.__table__  # type: ignore[attr-defined]
    wanted = {r.household: groups[r.group] for r in rows}
    have = {
        code: (hid, gid)
        for hid, code, gid in session.execute(
            select(ht.c.id, ht.c.code, ht.c.group_id).where(ht.c.community_id == cid)
        )
    }
    missing = [
        {"community_id": cid, "code": code, "group_id": gid}
        for code, gid in wanted.items()
        if code not in have
    ]
    bulk_insert(session, ht, missing)
    moved = [
        {"_id": have[code][0], "group_id": gid}
        for code, gid in wanted.items()
        if code in have and have[code][1] != gid
    ]
    if moved:
        session.connection().execute(
            update(ht).where(ht.c.id == bindparam("_id")).values(group_id=bindparam("group_id")),
            moved,
        )
    return {
        code: hid
        for hid, code in session.execute(select(ht.c.id, ht.c.code).where(ht.c.community_id == cid))
    }


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class VoterRecord:
    """One voter as the roll shows it; ``id_masked`` only: never the full number, and never
    the birth date (the age is shown instead), so that no output restores more of the ID
    number than its mask shows (issue 11)."""

    id_masked: str
    name: str
    sex: str
    age: int
    group: str
    household: str
    address: str | None
    registration: str
    listed: bool


def _records(
    session: Session,
    cid: int,
    as_of: date,
    *,
    include_delisted: bool = False,
    group: str | None = None,
    id_number: str | None = None,
) -> list[tuple[VoterRecord, str]]:
    vt = Voter.__table__  # type: ignore[attr-defined]
    gt = ResidentsGroup.__table__  # type: ignore[attr-defined]
    ht = Household.__table__  # type: ignore[attr-defined]
    stmt = (
        select(
            vt.c.id_number,
            vt.c.name,
            vt.c.sex,
            vt.c.birth_date,
            gt.c.name,
            ht.c.code,
            vt.c.address,
            vt.c.registration,
            vt.c.listed,
        )
        .join(gt, gt.c.id == vt.c.group_id)
        .join(ht, ht.c.id == vt.c.household_id)
        .where(vt.c.community_id == cid)
    )
    if not include_delisted:
        stmt = stmt.where(vt.c.listed == True)  # noqa: E712
    if group is not None:
        stmt = stmt.where(gt.c.name == group)
    if id_number is not None:
        stmt = stmt.where(vt.c.id_number == id_number)
    out = []
    for idn, name, sex, birth, gname, hcode, addr, reg, listed in session.execute(stmt):
        if birth > as_of:
            raise InputError(
                _("--as-of {day} is before the birth date of a voter on the roll").format(
                    day=as_of.isoformat()
                )
            )
        out.append(
            (
                VoterRecord(
                    id_masked=mask_id(idn),
                    name=name,
                    sex=sex,
                    age=age_on(birth, as_of),
                    group=redact(gname),
                    household=redact(hcode),
                    address=redact(addr) if addr else addr,
                    registration=reg,
                    listed=bool(listed),
                ),
                idn,
            )
        )
    return out


def default_as_of(session: Session, community_id: int) -> date:
    """The day ages are counted on when none is given: the day of the community's newest
    election that is not yet certified, else the ``--as-of`` of the latest roll import, else
    today. (年满十八周岁 is counted on the election day.)"""
    from juwei.elections.models import Election

    et = Election.__table__  # type: ignore[attr-defined]
    rt = RollImport.__table__  # type: ignore[attr-defined]
    day = session.execute(
        select(et.c.day)
        .where(et.c.community_id == community_id, et.c.state.not_in(("certified", "void")))
        .order_by(et.c.id.desc())
        .limit(1)
    ).scalar()
    if day is None:
        day = session.execute(
            select(rt.c.as_of)
            .where(rt.c.community_id == community_id)
            .order_by(rt.c.id.desc())
            .limit(1)
        ).scalar()
    return day if isinstance(day, date) else date.today()


def list_voters(
    db: Database,
    *,
    community: str | None = None,
    group: str | None = None,
    include_delisted: bool = False,
    as_of: date | None = None,
) -> list[VoterRecord]:
    """Voters of the roll, grouped by residents' group then ordered by surname strokes."""
    with db.read() as session:
        comm = find_community(session, community)
        assert comm.id is not None
        when = as_of or default_as_of(session, comm.id)
        recs = [
            r
            for r, _idn in _records(
                session, comm.id, when, include_delisted=include_delisted, group=group
            )
        ]
    by_group: dict[str, list[VoterRecord]] = defaultdict(list)
    for rec in recs:
        by_group[rec.group].append(rec)
    ordered: list[VoterRecord] = []
    for gname in _group_order(by_group):
        ordered.extend(sort_by_strokes(by_group[gname], key=lambda r: r.name).ordered)
    return ordered


def _group_order(names: Iterable[str]) -> list[str]:
    """Residents' groups in natural order: 第2组 before 第10组, then by text."""

    def key(name: str) -> tuple[int, str]:
        digits = "".join(ch for ch in name if ch.isdigit())
        return (int(digits) if digits else 10**9, name)

    return sorted(names, key=key)


def show_voter(
    db: Database, id_number: str, *, community: str | None = None, as_of: date | None = None
) -> VoterRecord:
    """One voter by full ID number. Raises ``NotFoundError`` (message shows the masked ID)."""
    try:
        number = parse_id_number(id_number).number
    except IdNumberError as error:
        raise InputError(error.reason, column="ID") from None
    with db.read() as session:
        comm = find_community(session, community)
        assert comm.id is not None
        found = _records(
            session,
            comm.id,
            as_of or default_as_of(session, comm.id),
            include_delisted=True,
            id_number=number,
        )
    if not found:
        raise NotFoundError(
            _("No voter with ID number {masked} on this roll.").format(masked=mask_id(number))
        )
    return found[0][0]


@dataclass(frozen=True)
class RollStats:
    """Counts of listed voters by residents' group, age band, sex and registration kind."""

    total: int
    households: int
    by_group: dict[str, int]
    by_age_band: dict[str, int]
    by_sex: dict[str, int]
    by_registration: dict[str, int]


AGE_BANDS = ((18, 29), (30, 39), (40, 49), (50, 59), (60, 69), (70, 79), (80, None))
_BAND_NAMES = tuple(f"{lo}+" if hi is None else f"{lo}-{hi}" for lo, hi in AGE_BANDS)


def _band(age: int) -> str:
    for low, high in AGE_BANDS:
        if high is None or age <= high:
            return f"{low}+" if high is None else f"{low}-{high}"
    return "?"  # pragma: no cover


def roll_stats(
    db: Database, *, community: str | None = None, as_of: date | None = None
) -> RollStats:
    """Statistics of the listed voters; ages counted on ``as_of`` (see ``default_as_of``)."""
    with db.read() as session:
        comm = find_community(session, community)
        assert comm.id is not None
        when = as_of or default_as_of(session, comm.id)
        recs = [r for r, _ in _records(session, comm.id, when)]
    groups = Counter(r.group for r in recs)
    bands = Counter(_band(r.age) for r in recs)
    return RollStats(
        total=len(recs),
        households=len({(r.group, r.household) for r in recs}),
        by_group={g: groups[g] for g in _group_order(groups)},
        by_age_band={band: bands[band] for band in _BAND_NAMES if bands[band]},
        by_sex=dict(sorted(Counter(r.sex for r in recs).items())),
        by_registration=dict(sorted(Counter(r.registration for r in recs).items())),
    )


def voter_listing(
    db: Database,
    *,
    community: str | None = None,
    as_of: date | None = None,
    printed_on: date | None = None,
) -> VoterListing:
    """The published voter list (选民榜) read-model: by group, names by surname strokes."""
    with db.read() as session:
        comm = find_community(session, community)
        assert comm.id is not None
        name = comm.name
        when = as_of or default_as_of(session, comm.id)
    voters = list_voters(db, community=community, as_of=when)
    groups: dict[str, list[VoterListRow]] = defaultdict(list)
    for v in voters:
        groups[v.group].append(
            VoterListRow(
                name=v.name,
                sex=v.sex,
                age=v.age,
                registration=v.registration,
            )
        )
    return VoterListing(
        community=name,
        as_of=when,
        printed_on=printed_on or date.today(),
        groups=tuple(VoterListGroup(group=g, rows=tuple(rows)) for g, rows in groups.items()),
    )


def export_roll(db: Database, out: Path, *, community: str | None = None) -> int:
    """Write the listed voters to ``out`` as CSV (UTF-8 with BOM) with full ID numbers.

    The file re-imports to the same roll. Returns the number of voters written. This file
    holds personal data: keep it as safely as the paper roll.
    """
    vt = Voter.__table__  # type: ignore[attr-defined]
    gt = ResidentsGroup.__table__  # type: ignore[attr-defined]
    ht = Household.__table__  # type: ignore[attr-defined]
    with db.read() as session:
        comm = find_community(session, community)
        rows = list(
            session.execute(
                select(
                    vt.c.name,
                    vt.c.id_number,
                    ht.c.code,
                    gt.c.name,
                    vt.c.address,
                    vt.c.registration,
                    vt.c.sex,
                    vt.c.birth_date,
                    vt.c.residence_since,
                    vt.c.consent,
                )
                .join(gt, gt.c.id == vt.c.group_id)
                .join(ht, ht.c.id == vt.c.household_id)
                .where(vt.c.community_id == comm.id, vt.c.listed == True)  # noqa: E712
                .order_by(vt.c.id)
            )
        )
    records = [
        [
            name,
            idn,
            hh,
            grp,
            addr or "",
            _REGISTRATION_LABEL[Registration(reg)],
            "否",
            "男" if sex == "M" else "女",
            birth.isoformat(),
            since.isoformat() if since else "",
            "" if consent is None else ("是" if consent else "否"),
        ]
        for name, idn, hh, grp, addr, reg, sex, birth, since, consent in rows
    ]
    if out.suffix.lower() == ".xlsx":
        write_roll_xlsx(out, records)
        return len(rows)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(list(EXPORT_HEADERS.values()))
    writer.writerows(records)
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        create_private(tmp)  # full ID numbers: readable by its owner only (POSIX)
        tmp.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
        replace_file(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return len(rows)


def write_roll_xlsx(out: Path, records: Sequence[Sequence[str]]) -> None:
    """Write a roll workbook (sheet 选民登记): the ``EXPORT_HEADERS`` and ``records``.

    Every cell is text and the ID-number and household columns are formatted as text
    (``@``), so that Excel or WPS never turns 110105199001010012 into 1.10105E+17 when the
    file is edited and saved; with no ``records`` it is the blank template a clerk fills in.
    Written beside ``out`` and renamed over it (see :func:`juwei.files.replace_file`).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "选民登记"
    headers = list(EXPORT_HEADERS.values())
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    text_columns = {headers.index("公民身份号码") + 1, headers.index("户号") + 1}
    for record in records:
        sheet.append(list(record))
    last = max(len(records) + 1, 500)  # the template: room for 500 voters formatted as text
    for column in text_columns:
        letter = sheet.cell(row=1, column=column).column_letter
        sheet.column_dimensions[letter].width = 22 if column == min(text_columns) else 10
        for row in range(2, last + 1):
            sheet.cell(row=row, column=column).number_format = "@"
    sheet.column_dimensions["A"].width = 12
    sheet.freeze_panes = "A2"
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        book.save(tmp)
        replace_file(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class NameMatch:
    """A voter whose name matched (查找选民): enough to tell namesakes apart, ID masked.

    ``id_number`` is the full number, for the command to act on; it is never printed.
    """

    id_number: str
    name: str
    id_masked: str
    group: str
    age: int
    listed: bool


def find_voters_by_name(
    db: Database,
    name: str,
    *,
    group: str | None = None,
    community: str | None = None,
    as_of: date | None = None,
) -> list[NameMatch]:
    """The voters of the community called ``name`` (spaces ignored), in ``group`` if given.

    Listed voters come first, then by group and masked ID. An empty list when none match.
    """
    wanted = "".join(name.split())
    with db.read() as session:
        comm = find_community(session, community)
        assert comm.id is not None
        day = as_of or default_as_of(session, comm.id)
        vt = Voter.__table__  # type: ignore[attr-defined]
        gt = ResidentsGroup.__table__  # type: ignore[attr-defined]
        rows = session.execute(
            select(vt.c.id_number, vt.c.name, vt.c.birth_date, gt.c.name, vt.c.listed)
            .join(gt, gt.c.id == vt.c.group_id)
            .where(vt.c.community_id == comm.id, vt.c.name == wanted)
        ).all()
    matches = [
        NameMatch(
            id_number=number,
            name=voter_name,
            id_masked=mask_id(number),
            group=group_name,
            age=age_on(birth, day),
            listed=listed,
        )
        for number, voter_name, birth, group_name, listed in rows
        if group is None or group_name == group.strip()
    ]
    return sorted(matches, key=lambda m: (not m.listed, m.group, m.id_masked))
