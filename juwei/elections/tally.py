"""Counting by tally sheet (计票统计表): the committee counts by hand on a 正-mark board and
records only each counting table's totals (issue 14 §2).

Each table's sheet gives the ballots counted at the table, the blank and the invalid ballots,
and per office the votes of each candidate (by ballot number or name) and of each name
written in, and the invalid sections; its counters sign it (names recorded). It is checked
on entry and stored as one row (``TallySheet``). The count is the sum of the tables
(``tally_totals``, used by ``juwei.elections.count.gather_counts``). An election is counted
either ballot by ballot or by tally, never a mixture: each way refuses the other.

CSV (UTF-8 or GBK) or XLSX of one table, columns ``office,item,count`` (or 职务,项目,票数): the
rows without an office give ``ballots`` (选票), ``blank`` (空白票) and ``invalid``
(无效票); an office's rows give a candidate's ballot number or name, ``另选:NAME`` (or
``write_in:NAME``) for a name written in, and ``invalid_sections`` (无效) for its invalid
sections.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from juwei.elections.audit import append_event, canonical_json
from juwei.elections.db import Database
from juwei.elections.election import find_election, require_state
from juwei.elections.models import BallotRecord, Election, TallySheet
from juwei.elections.tabular import read_table
from juwei.errors import InputError, StateError
from juwei.i18n import _
from juwei.rules.counting import void_mark

BALLOTS = ("ballots", "选票", "选票数")
BLANK = ("blank", "空白票")
INVALID = ("invalid", "无效票")
INVALID_SECTIONS = ("invalid_sections", "无效", "无效部分")
WRITE_IN = ("另选:", "另选：", "write_in:")
HEADERS = {"office": ("office", "职务"), "item": ("item", "项目"), "count": ("count", "票数")}


@dataclass
class TallyOffice:
    """One office on a table's sheet: ``votes`` by ballot number or name as written,
    ``write_ins`` by name, ``invalid_sections``."""

    votes: dict[str, int] = field(default_factory=dict)
    write_ins: dict[str, int] = field(default_factory=dict)
    invalid_sections: int = 0


@dataclass
class TallyInput:
    """One counting table's sheet as read: ``offices`` by title (or key)."""

    table: str
    counters: tuple[str, ...]
    ballots: int = 0
    blank: int = 0
    invalid: int = 0
    offices: dict[str, TallyOffice] = field(default_factory=dict)
    file: str | None = None
    rows: dict[tuple[str, str], int | None] = field(default_factory=dict)  # (office, item) → row

    def row(self, office: str, item: str = "") -> int | None:
        """The file's row of an item (None when typed at a prompt or not given)."""
        return self.rows.get((office, item))


def _count(value: Any, label: str, row: int) -> int:
    """A count cell: a whole number (text of ASCII digits, or a whole number in a workbook)."""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = "" if value is None else str(value).strip()
        if not text:
            raise InputError(
                _("no count given (write 0 for none)"), file=label, row=row, column="count"
            )
        if not text.isdigit() or not text.isascii():
            raise InputError(
                _("“{value}” is not a whole number of ballots or votes").format(value=text),
                file=label,
                row=row,
                column="count",
            )
        number = int(text)
    if number < 0:
        raise InputError(
            _("“{value}” is not a whole number of ballots or votes").format(value=value),
            file=label,
            row=row,
            column="count",
        )
    return number


def read_tally_sheet(path: Path, *, table: str, counters: tuple[str, ...]) -> TallyInput:
    """Read one table's sheet from a CSV (UTF-8 or GBK) or an XLSX workbook (its first
    sheet); format in the module docstring (``juwei count tally-sheets --out X.xlsx`` writes
    one ready to fill in).

    Raises ``InputError`` naming the file, row and field for an unreadable file, a missing
    column, a count that is missing or not a whole number, or an item given twice.
    """
    found = read_table(path)
    label = found.label
    header = [h.strip().lower() for h in found.headers]
    at: dict[str, int] = {}
    for name, spellings in HEADERS.items():
        columns = [i for i, h in enumerate(header) if h in spellings]
        if not columns:
            raise InputError(
                _("missing columns: {columns}").format(columns="/".join(spellings)),
                file=label,
                row=1,
            )
        at[name] = columns[0]
    sheet = TallyInput(table, counters, file=label)
    for row, cells in found.data:
        cells = list(cells) + [None] * (len(header) - len(cells))
        office = "" if cells[at["office"]] is None else str(cells[at["office"]]).strip()
        item = "" if cells[at["item"]] is None else str(cells[at["item"]]).strip()
        empty = cells[at["count"]] is None or str(cells[at["count"]]).strip() == ""
        if empty and (not (office or item) or item.lower() in WRITE_IN):
            continue  # an empty row, or the form's 另选: row left empty
        if item.lower() in WRITE_IN and _count(cells[at["count"]], label, row) == 0:
            continue  # the form's 另选: row, no one written in
        if item.lower() in WRITE_IN:
            raise InputError(
                _("write the name after {prefix}").format(prefix=item),
                file=label,
                row=row,
                column="item",
            )
        add_item(sheet, office, item, _count(cells[at["count"]], label, row), row=row)
    return sheet


def add_item(sheet: TallyInput, office: str, item: str, n: int, *, row: int | None = None) -> None:
    """Put one line of a tally sheet on ``sheet`` (a row of the file, or a prompt's answer):
    ``office`` empty for ballots / blank / invalid; else a candidate's ballot number or name,
    ``另选:NAME`` for a name written in, or ``invalid_sections`` (无效).

    Raises ``InputError`` (naming ``row``) for an item given twice or a row without an office
    that is not ballots, blank or invalid."""
    where = sheet.file or sheet.table
    if (office, item) in sheet.rows:
        raise InputError(
            _("{item} is given twice").format(item=item or office), file=where, row=row
        )
    sheet.rows[(office, item)] = row
    if not office:
        if item.lower() in BALLOTS:
            sheet.ballots = n
        elif item.lower() in BLANK:
            sheet.blank = n
        elif item.lower() in INVALID:
            sheet.invalid = n
        else:
            raise InputError(
                _("{item}: a row without an office gives ballots, blank or invalid").format(
                    item=item
                ),
                file=where,
                row=row,
                column="item",
            )
        return
    section = sheet.offices.setdefault(office, TallyOffice())
    prefix = next((p for p in WRITE_IN if item.lower().startswith(p)), None)
    if prefix is not None:
        section.write_ins[item[len(prefix) :].strip()] = n
    elif item.lower() in INVALID_SECTIONS:
        section.invalid_sections = n
    else:
        section.votes[item] = n


@dataclass(frozen=True)
class TallySummary:
    """A table's sheet as stored: ``table``, ``ballots``, and all tables so far."""

    table: str
    ballots: int
    tables: int
    ballots_all_tables: int


def record_tally(
    db: Database,
    sheet: TallyInput,
    *,
    on: date,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> TallySummary:
    """Check and store one counting table's tally sheet (one transaction), logged.

    Refused (``InputError``, naming the table, office and item): no counters named; blank
    plus invalid ballots above the ballots counted; an office not on the ballot; a name
    that is no candidate of the office; a write-in where the charter allows none; invalid
    sections above the valid ballots; a person with more votes than the office's valid
    sections; more votes in an office than valid sections × seats.
    A name written in that is nobody on the roll is kept as written and counts for nobody.
    Refused (``StateError``): ballots of the election were entered one by one (an election is
    counted one way, never both), a sheet of this table is already stored, the election is
    not being counted.
    """
    from juwei.elections.count import _resolver

    where = sheet.file or sheet.table
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "ballots_printed", "polling", action=_("record ballots"))
        from juwei.elections.count import found_total, require_poll_closed

        require_poll_closed(session, election, _("record ballots"))  # issue 11: poll closed
        assert election.id is not None
        counted = sum(
            session.exec(
                select(TallySheet.ballots).where(TallySheet.election_id == election.id)
            ).all()
        )
        if counted + sheet.ballots > found_total(session, election):  # issue 12 §4
            raise StateError(
                _(
                    "These ballots would make {total} ballot records, more than the {found} "
                    "ballots found when the boxes were opened. Only ballots found in an opened "
                    "box can be entered (juwei count open)."
                ).format(total=counted + sheet.ballots, found=found_total(session, election))
            )
        if _has_ballots(session, election):
            raise StateError(
                _(
                    "Ballots of this election were entered one by one: it is counted that "
                    "way, not by tally sheets (never a mixture)."
                )
            )
        if session.exec(
            select(TallySheet.id).where(
                TallySheet.election_id == election.id, TallySheet.table_name == sheet.table
            )
        ).first():
            raise StateError(
                _("The tally sheet of table {table} is already recorded.").format(table=sheet.table)
            )
        if not sheet.table.strip() or not [c for c in sheet.counters if c.strip()]:
            raise InputError(
                _("a tally sheet names its table and is signed by its counters"), file=where
            )
        if sheet.blank + sheet.invalid > sheet.ballots:
            raise InputError(
                _(
                    "{blank} blank and {invalid} invalid ballots, but only {ballots} ballots "
                    "counted at the table"
                ).format(blank=sheet.blank, invalid=sheet.invalid, ballots=sheet.ballots),
                file=where,
                row=_item_row(sheet, "", BALLOTS),
                column="ballots",
            )
        r = _resolver(session, election)
        valid = sheet.ballots - sheet.invalid
        stored: dict[str, Any] = {}
        for label, section in sheet.offices.items():
            office = r.by_label.get(label)
            if office is None:
                raise InputError(
                    _("no office {office} on this ballot").format(office=label),
                    file=where,
                    row=_first_row(sheet, label),
                    column="office",
                )
            seats = next(o.seats for o in r.offices if o.id == office.id)
            if section.invalid_sections > valid:
                raise InputError(
                    _("{office}: {n} invalid sections, more than the {valid} valid ballots").format(
                        office=office.title, n=section.invalid_sections, valid=valid
                    ),
                    file=where,
                    row=_item_row(sheet, label, INVALID_SECTIONS),
                    column=office.title,
                )
            sections = valid - section.invalid_sections
            numbers: dict[str, int] = {}
            item_of: dict[str, str] = {}  # ballot number → the item as the sheet gave it
            table = r.candidates[office.id]
            number_of = {c.id: n for n, c in table.items() if n.isdigit()}
            for item, n in section.votes.items():
                cand = table.get(item)
                if cand is None:
                    raise InputError(
                        _("{name} is not a candidate for {office}").format(
                            name=item, office=office.title
                        ),
                        file=where,
                        row=sheet.row(label, item),
                        column="item",
                    )
                key = number_of[cand.id]
                numbers[key] = numbers.get(key, 0) + n
                item_of[key] = item
            write_ins: dict[str, int] = {}
            for name, n in section.write_ins.items():
                if not r.charter.ballot.form.write_ins:
                    raise InputError(
                        _("the charter allows no write-ins ({source})").format(
                            source=r.charter.ballot.form.source
                        ),
                        file=where,
                        row=_write_in_row(sheet, label, name),
                        column="item",
                    )
                # a name of no voter here counts for nobody (rules.counting.void_mark)
                write_ins[name] = n
            for person, n in [*numbers.items(), *write_ins.items()]:
                if n > sections:
                    raise InputError(
                        _(
                            "{office}: {n} votes for {person}, more than the {sections} valid "
                            "sections"
                        ).format(
                            office=office.title,
                            n=n,
                            person=item_of.get(person, person),
                            sections=sections,
                        ),
                        file=where,
                        row=sheet.row(label, item_of[person])
                        if person in item_of
                        else _write_in_row(sheet, label, person),
                        column="count",
                    )
            total = sum(numbers.values()) + sum(write_ins.values())
            if total > sections * seats:
                raise InputError(
                    _(
                        "{office}: {total} votes, more than {sections} valid sections × {seats} "
                        "seat(s)"
                    ).format(office=office.title, total=total, sections=sections, seats=seats),
                    file=where,
                    row=_first_row(sheet, label),
                    column=office.title,
                )
            stored[office.key] = {
                "votes": numbers,
                "write_ins": write_ins,
                "invalid_sections": section.invalid_sections,
            }
        for printed in r.offices:  # an office left off the sheet: its sections are all blank
            stored.setdefault(printed.key, {"votes": {}, "write_ins": {}, "invalid_sections": 0})
        document = canonical_json(stored)
        counters = "、".join(c.strip() for c in sheet.counters if c.strip())
        session.add(
            TallySheet(
                election_id=election.id,
                table_name=sheet.table,
                counters=counters,
                ballots=sheet.ballots,
                blank=sheet.blank,
                invalid=sheet.invalid,
                offices=document,
                entered_on=on,
                operator=operator,
            )
        )
        session.flush()
        append_event(
            session,
            "count.tally",
            {
                "election": election.id,
                "table": sheet.table,
                "counters": counters,
                "ballots": sheet.ballots,
                "blank": sheet.blank,
                "invalid": sheet.invalid,
                "digest": hashlib.sha256(document.encode("utf-8")).hexdigest(),
            },
            operator=operator,
            community_id=election.community_id,
        )
        sheets = session.exec(
            select(TallySheet.ballots).where(TallySheet.election_id == election.id)
        ).all()
        return TallySummary(sheet.table, sheet.ballots, len(sheets), sum(sheets))


def _first_row(sheet: TallyInput, office: str) -> int | None:
    """The first row of ``office`` on the sheet (None when typed at a prompt)."""
    return min((r for (o, _i), r in sheet.rows.items() if o == office and r), default=None)


def _item_row(sheet: TallyInput, office: str, items: tuple[str, ...]) -> int | None:
    return next((r for (o, i), r in sheet.rows.items() if o == office and i.lower() in items), None)


def _write_in_row(sheet: TallyInput, office: str, name: str) -> int | None:
    for (o, item), row in sheet.rows.items():
        prefix = next((p for p in WRITE_IN if item.lower().startswith(p)), None)
        if o == office and prefix is not None and item[len(prefix) :].strip() == name:
            return row
    return None


def _has_ballots(session: Session, election: Election) -> bool:
    return (
        session.exec(
            select(BallotRecord.id).where(BallotRecord.election_id == election.id).limit(1)
        ).first()
        is not None
    )


def counted_by_tally(session: Session, election: Election) -> bool:
    """Whether the election is counted by tally sheets (any sheet stored)."""
    return (
        session.exec(
            select(TallySheet.id).where(TallySheet.election_id == election.id).limit(1)
        ).first()
        is not None
    )


def require_no_tally(session: Session, election: Election) -> None:
    """Refuse ballot-by-ballot entry of an election counted by tally (``StateError``)."""
    if counted_by_tally(session, election):
        raise StateError(
            _(
                "This election is counted by tally sheets: its ballots are not entered one by "
                "one (never a mixture)."
            )
        )


@dataclass(frozen=True)
class TallyTotals:
    """The sum of the tables: ballots returned, votes per office id and person key, and
    sections per (office id, valid)."""

    returned: int
    invalid: int
    votes: dict[int, dict[str, int]]
    sections: dict[tuple[int, bool], int]
    tables: tuple[tuple[str, str, int], ...]  # (table, counters, ballots)


def tally_totals(session: Session, election: Election, r: Any) -> TallyTotals | None:
    """The count as the sum of the tables' sheets (None when the election is not counted by
    tally). ``r``: the count's name resolver (``juwei.elections.count._resolver``)."""
    from juwei.elections.count import person_of_write_in

    sheets = session.exec(
        select(TallySheet)
        .where(TallySheet.election_id == election.id)
        .order_by(col(TallySheet.table_name))
    ).all()
    if not sheets:
        return None
    offices = {o.key: o for o in r.offices}
    votes: dict[int, dict[str, int]] = {o.id: {} for o in r.offices}
    sections: dict[tuple[int, bool], int] = {}
    for sheet in sheets:
        data = json.loads(sheet.offices)
        valid = sheet.ballots - sheet.invalid
        for key, office in offices.items():
            section = data.get(key, {"votes": {}, "write_ins": {}, "invalid_sections": 0})
            assert office.id is not None
            table = r.candidates[office.id]
            tally = votes[office.id]
            for number, n in section["votes"].items():
                person = f"v{table[number].voter}"
                tally[person] = tally.get(person, 0) + n
            for name, n in section["write_ins"].items():
                person = person_of_write_in(r, name)
                if void_mark(person) is None:  # a void mark counts for nobody
                    tally[person] = tally.get(person, 0) + n
            bad = section["invalid_sections"]
            sections[(office.id, True)] = sections.get((office.id, True), 0) + valid - bad
            sections[(office.id, False)] = sections.get((office.id, False), 0) + sheet.invalid + bad
    return TallyTotals(
        returned=sum(s.ballots for s in sheets),
        invalid=sum(s.invalid for s in sheets),
        votes={k: {p: n for p, n in v.items() if n} for k, v in votes.items()},
        sections=sections,
        tables=tuple((s.table_name, s.counters, s.ballots) for s in sheets),
    )
