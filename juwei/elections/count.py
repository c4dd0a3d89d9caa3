"""Entering returned ballots (唱票/计票), counting them, results, certification (确认当选).

Ballot identity (secrecy, issue 11): a ballot has no identity until it is counted. The
poll is closed first (``juwei poll close``); each box is opened and the number of ballots
found in it recorded (开箱, ``open_box``); the ballots of all boxes are mixed; the counting
team then makes numbered bundles (扎) and numbers the ballots inside each: bundle 12,
ballot 37 is the ballot ``"12-37"`` (``ballot_label``). That pair is the only identity a
ballot ever has — for entry, double entry, corrections and the risk-limiting audit — and it
is found again on paper by counting into the bundle. No ballot record stores a box, an entry
time or an id that follows the order of entry (``random_ids``).

Ballot records come one paper ballot at a time (``juwei count enter``) or from a file
(``juwei count import``: JSON Lines or CSV, format in README): ``BallotEntry(bundle,
position, sections, illegible)``. Entry is refused before the poll is closed, and never may
the records outnumber the ballots found at opening. Each ballot's names are resolved to
candidates or write-ins, judged by ``juwei.rules.counting.judge_ballot`` under the pinned
charter, and stored with its sections and marks. Counting gathers the tallies with one SQL
``GROUP BY`` and lets ``juwei.rules.counting`` decide; the outcome is stored as canonical
JSON with its SHA-256.

A tie at the last seat or unfilled seats create the next round (tie runoff / supplementary
round, 另行选举): an election of its own, linked to its parent, with its own serial prefix.
"""

import csv
import hashlib
import io
import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import func
from sqlmodel import Session, col, select

from juwei.elections.audit import (
    BallotMark,
    append_event,
    ballot_digest,
    canonical_json,
    chain_head,
)
from juwei.elections.ballot_id import MAX_BUNDLE, ballot_label, label_order
from juwei.elections.bulk import bulk_insert
from juwei.elections.community import election_charter
from juwei.elections.db import Database
from juwei.elections.election import find_election, next_serial_prefix, require_state
from juwei.elections.models import (
    BallotRecord,
    BallotSerial,
    Candidate,
    Community,
    CountResult,
    Election,
    Event,
    Issuance,
    Mark,
    Member,
    Office,
    PollBox,
    SectionRecord,
    Voter,
)
from juwei.elections.readmodels import (
    CandidateResult,
    EntryTally,
    EntryTallyOffice,
    OfficeResult,
    RecallResult,
    ResultSheet,
)
from juwei.elections.roll import RollRejected
from juwei.elections.tabular import decode_text
from juwei.errors import InputError, StateError
from juwei.i18n import _, cited, current_language, is_chinese, set_language
from juwei.rules.charter import Charter, ElectionMode, OfficeKey
from juwei.rules.counting import (
    ElectionCounts,
    OfficeCounts,
    OfficeSeats,
    Outcome,
    Section,
    decide_outcome,
    decide_runoff,
    decide_supplementary,
    judge_ballot,
    write_in_person,
)
from juwei.rules.eligibility import add_months

SEPARATORS = ("、", ";", "；", ",", "，")  # and white space


@dataclass(frozen=True)
class BallotEntry:
    """One returned paper ballot as read at the count: its identity and the names as written.

    ``bundle``/``position``: the bundle (扎) the counting team put it in after mixing the
    opened boxes, and its number inside the bundle (both from 1; a scanned batch file is a
    bundle and its page the position). ``sections``: office (title as printed, or key) →
    (for, against, write_in) names or ballot numbers; ``illegible``: offices ruled
    unreadable; ``file``/``row``: where it came from, for error messages. No box, no time.
    """

    bundle: int
    position: int
    sections: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]
    illegible: tuple[str, ...] = ()
    file: str | None = None
    row: int | None = None

    @property
    def ballot(self) -> str:
        """The stored identity, ``"12-37"`` (``ballot_label``)."""
        return ballot_label(self.bundle, self.position)


# ------------------------------------------------------------------------------ reading


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = str(value)
    for sep in SEPARATORS[1:]:
        text = text.replace(sep, " ")
    return tuple(text.replace(SEPARATORS[0], " ").split())


def read_ballot_file(path: Path) -> list[BallotEntry]:
    """Read every ballot record of ``path`` (JSON Lines or CSV) into memory.

    Raises ``RollRejected`` listing every malformed line, or ``InputError`` for an unreadable
    file. For large files prefer ``iter_ballot_file``, which streams.
    """
    entries: list[BallotEntry] = []
    errors: list[InputError] = []
    for item in iter_ballot_file(path):
        (errors if isinstance(item, InputError) else entries).append(item)  # type: ignore[arg-type]
    if errors:
        raise RollRejected(path.name, errors, skip_hint=False)
    return entries


def iter_ballot_file(path: Path) -> Iterator[BallotEntry | InputError]:
    """Stream the ballot records of ``path``: one ``BallotEntry`` per paper ballot, or an
    ``InputError`` (file, line, reason) for a malformed line, so that every bad line can be
    reported. JSON Lines when the first character is ``{``, else CSV (rows of one ballot
    must be consecutive). Raises ``InputError`` for an unreadable or empty file.
    """
    label = path.name
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(
            _("cannot read the file: {reason}").format(reason=error.strerror), file=str(path)
        ) from None
    if not raw.strip():
        raise InputError(_("the file is empty"), file=label)
    text, _encoding = decode_text(raw, label)
    del raw
    if text.lstrip().startswith("{"):
        yield from _iter_jsonl(text, label)
    else:
        yield from _iter_csv(text, label)


BALLOT_KEYS = ("bundle", "position", "sections", "illegible")
MARK_KEYS = ("for", "against", "write_in")


def _known_keys(obj: dict[str, Any], known: tuple[str, ...]) -> None:
    """Refuse a key that a ballot record does not have (a misspelt ``fro`` or ``section``
    would otherwise drop a real vote without a word). Raises ``ValueError``."""
    unknown = sorted(str(k) for k in obj if k not in known)
    if unknown and {"serial", "box"} & set(unknown):
        raise ValueError(
            _(
                "a ballot is identified by its bundle and position, given at the count after "
                "the boxes are opened and mixed, never by a serial or a box (the fields are: "
                "{known})"
            ).format(known=", ".join(known))
        )
    if unknown:
        raise ValueError(
            _("unknown field {fields} (the fields are: {known})").format(
                fields=", ".join(unknown), known=", ".join(known)
            )
        )


MAX_JSON_DEPTH = 8  # a ballot record nests 4 deep ({sections: {office: {for: [...]}}})


def _json_depth(line: str) -> int:
    """The deepest nesting of objects and arrays in ``line`` (brackets in strings ignored)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in line:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook``: a key given twice in one object is refused, not resolved."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(_("the key {key} is given twice").format(key=json.dumps(key)))
        seen[key] = value
    return seen


def strict_json_line(line: str) -> Any:
    """Parse one JSON line of a ballot file strictly (issue 11): nested deeper than
    :data:`MAX_JSON_DEPTH` or with a key given twice in one object is ``ValueError``."""
    if _json_depth(line) > MAX_JSON_DEPTH:
        raise ValueError(
            _("nested deeper than {n} levels; a ballot record is not").format(n=MAX_JSON_DEPTH)
        )
    return json.loads(line, object_pairs_hook=_no_duplicate_keys)


def _whole(value: Any, what: str) -> int:
    """A bundle or position: a positive whole number (JSON number or digits). ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(_("{what} must be a whole number").format(what=what))
    text = str(value).strip()
    if not text.isdigit() or not text.isascii():
        raise ValueError(
            _("{what} must be a whole number, not {value!r}").format(what=what, value=value)
        )
    number = int(text)
    if not 1 <= number <= MAX_BUNDLE:
        raise ValueError(_("{what} must be between 1 and {max}").format(what=what, max=MAX_BUNDLE))
    return number


def _iter_jsonl(text: str, label: str) -> Iterator[BallotEntry | InputError]:
    for number, line in enumerate(io.StringIO(text), start=1):
        if not line.strip():
            continue
        try:
            obj = strict_json_line(line)
            if not isinstance(obj, dict):
                raise ValueError(_("a line must be one JSON object"))
            _known_keys(obj, BALLOT_KEYS)
            bundle = _whole(obj["bundle"], "bundle")
            position = _whole(obj["position"], "position")
            sections_in = obj.get("sections", {})
            if not isinstance(sections_in, dict):
                raise ValueError(
                    _("sections must be an object keyed by office ({{}} for a blank ballot)")
                )
            for marks in sections_in.values():
                if not isinstance(marks, dict):
                    raise ValueError(_("each office's marks must be an object"))
                _known_keys(marks, MARK_KEYS)
            sections = {
                str(office): (
                    _names(marks.get("for")),
                    _names(marks.get("against")),
                    _names(marks.get("write_in")),
                )
                for office, marks in sections_in.items()
            }
            yield BallotEntry(
                bundle,
                position,
                sections,
                _names(obj.get("illegible")),
                label,
                number,
            )
        except KeyError as missing:
            yield InputError(
                _("the field {field} is missing").format(field=missing), file=label, row=number
            )
        except (ValueError, AttributeError, TypeError) as error:
            yield InputError(
                _("not a ballot record: {reason}").format(reason=error), file=label, row=number
            )


def _iter_csv(text: str, label: str) -> Iterator[BallotEntry | InputError]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    needed = ["bundle", "position", "office", "for", "against", "write_in", "illegible"]
    missing = [h for h in needed if h not in header]
    if missing and {"serial", "box"} & set(header):
        raise InputError(
            _(
                "a ballot is identified by its bundle and position, given at the count after "
                "the boxes are opened and mixed, never by a serial or a box (the columns are: "
                "{columns})"
            ).format(columns=", ".join(needed)),
            file=label,
            row=1,
        )
    if missing:
        raise InputError(
            _("missing columns: {columns}").format(columns=", ".join(missing)), file=label, row=1
        )
    at = {h: header.index(h) for h in needed}
    current: BallotEntry | None = None
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        try:
            bundle = _whole(cells[at["bundle"]], "bundle")
            position = _whole(cells[at["position"]], "position")
        except ValueError as error:
            yield InputError(str(error), file=label, row=reader.line_num)
            continue
        if current is None or (current.bundle, current.position) != (bundle, position):
            if current is not None:
                yield current
            current = BallotEntry(bundle, position, {}, (), label, reader.line_num)
        office = cells[at["office"]].strip()
        if office in current.sections:  # a second row would silently replace the first
            yield InputError(
                _("ballot {serial} has a second row for the office {office}").format(
                    serial=current.ballot, office=office
                ),
                file=label,
                row=reader.line_num,
                column="office",
            )
            continue
        if office:
            current.sections[office] = (
                _names(cells[at["for"]]),
                _names(cells[at["against"]]),
                _names(cells[at["write_in"]]),
            )
            if cells[at["illegible"]].strip().lower() in ("1", "是", "yes", "true", "y"):
                current = BallotEntry(
                    current.bundle,
                    current.position,
                    current.sections,
                    (*current.illegible, office),
                    label,
                    current.row,
                )
    if current is not None:
        yield current


# ------------------------------------------------------------------------------ resolving


class _Off(NamedTuple):
    id: int
    key: str
    title: str


class _Cand(NamedTuple):
    id: int
    voter: int


@dataclass
class _Resolver:
    """Names on paper → persons, for one election (built once per batch).

    Candidates are loaded at once; voters on the roll are looked up by name only when a
    name is written in (``roll_ids``), so that a count never loads the whole roll.
    """

    session: Session
    election: Election
    charter: Charter
    offices: list[Office]
    by_label: dict[str, _Off] = field(default_factory=dict)
    candidates: dict[int, dict[str, _Cand]] = field(default_factory=dict)  # office → name/no
    candidate_voter: dict[int, int] = field(default_factory=dict)  # candidate id → voter id
    voter_names: dict[int, str] = field(default_factory=dict)
    women: set[str] = field(default_factory=set)
    _roll: dict[str, list[int]] = field(default_factory=dict)

    def roll_ids(self, name: str) -> list[int]:
        """Listed voters of the community with exactly this name (cached)."""
        found = self._roll.get(name)
        if found is None:
            found = []
            for vid, sex in self.session.exec(
                select(Voter.id, Voter.sex).where(
                    Voter.community_id == self.election.community_id,
                    col(Voter.listed).is_(True),
                    Voter.name == name,
                )
            ).all():
                assert vid is not None
                found.append(vid)
                self.voter_names.setdefault(vid, name)
                if sex == "F":
                    self.women.add(f"v{vid}")
            self._roll[name] = found
        return found


def _resolver(session: Session, election: Election) -> _Resolver:
    comm = session.get(Community, election.community_id)
    assert comm is not None
    offices = list(
        session.exec(
            select(Office).where(Office.election_id == election.id).order_by(col(Office.position))
        ).all()
    )
    r = _Resolver(session, election, election_charter(session, election), offices)
    for office in offices:
        assert office.id is not None
        plain = _Off(office.id, office.key, office.title)
        r.by_label[office.title] = plain
        r.by_label[office.key] = plain
        r.candidates[office.id] = {}
    for cand, voter in session.exec(
        select(Candidate, Voter)
        .join(Voter, col(Voter.id) == col(Candidate.voter_id))
        .where(Candidate.election_id == election.id)
    ).all():
        table = r.candidates[cand.office_id]
        assert cand.id is not None and voter.id is not None
        table[voter.name] = table[str(cand.ballot_number)] = _Cand(cand.id, voter.id)
        r.candidate_voter[cand.id] = voter.id
        r.voter_names[voter.id] = voter.name
        if voter.sex == "F":
            r.women.add(f"v{voter.id}")
    return r


class PersonNames(Mapping[str, str]):
    """Person key → name for the reasons a decision prints (``v12`` → the voter's name), read
    from the resolver's names without copying them."""

    def __init__(self, r: _Resolver) -> None:
        self._names = r.voter_names

    def __getitem__(self, person: str) -> str:
        if person.startswith("v") and person[1:].isdigit():
            return self._names[int(person[1:])]
        if person.startswith("w:"):
            return person[2:]
        raise KeyError(person)

    def __iter__(self) -> Iterator[str]:
        return (f"v{vid}" for vid in self._names)

    def __len__(self) -> int:
        return len(self._names)


def person_of_write_in(r: _Resolver, name: str) -> str:
    """The person key of a written-in name (``rules.counting.write_in_person``): the voter
    when exactly one listed voter has it; a homonym to identify; or nobody (not a voter of
    the community, misspelt, illegible)."""
    return write_in_person(name, r.roll_ids(name))


def _resolve(r: _Resolver, entry: BallotEntry) -> tuple[dict[str, Section], list[dict[str, Any]]]:
    """Sections for ``judge_ballot`` and mark rows (without record id / counted)."""
    sections: dict[str, Section] = {}
    marks: list[dict[str, Any]] = []
    illegible = set(entry.illegible)
    for label in illegible:
        if label not in r.by_label:
            raise ValueError(_("no office {office} on this ballot").format(office=label))
    for label, (for_, against, write_in) in entry.sections.items():
        office = r.by_label.get(label)
        if office is None:
            raise ValueError(_("no office {office} on this ballot").format(office=label))
        if office.key in sections:  # by key and by title: one section of paper, read twice
            raise ValueError(
                _("the office {office} is given twice on one ballot").format(office=office.title)
            )
        table = r.candidates[office.id]
        persons: dict[str, list[str]] = {"for": [], "against": [], "write_in": []}
        for kind, names in (("for", for_), ("against", against)):
            for name in names:
                cand = table.get(name)
                if cand is None:
                    raise ValueError(
                        _("{name} is not a candidate for {office}").format(
                            name=name, office=office.title
                        )
                    )
                persons[kind].append(f"v{cand.voter}")
                marks.append(
                    {
                        "office_id": office.id,
                        "kind": kind,
                        "candidate_id": cand.id,
                        "write_in": None,
                        "person": persons[kind][-1],
                    }
                )
        for name in write_in:
            cand = table.get(name)
            if cand is not None:  # a candidate's name written in: a vote for the candidate
                persons["for"].append(f"v{cand.voter}")
                marks.append(
                    {
                        "office_id": office.id,
                        "kind": "for",
                        "candidate_id": cand.id,
                        "write_in": None,
                        "person": persons["for"][-1],
                    }
                )
                continue
            if not r.charter.ballot.form.write_ins:
                raise ValueError(
                    _("the charter allows no write-ins ({source})").format(
                        source=r.charter.ballot.form.source
                    )
                )
            # a name of no voter here (or misspelt, or illegible) is recorded as written and
            # counts for nobody; the rest of the ballot counts (rules.counting.void_mark)
            persons["write_in"].append(person_of_write_in(r, name))
            marks.append(
                {
                    "office_id": office.id,
                    "kind": "write_in",
                    "candidate_id": None,
                    "write_in": name,
                    "person": persons["write_in"][-1],
                }
            )
        sections[office.key] = Section(
            for_=tuple(persons["for"]),
            against=tuple(persons["against"]),
            write_in=tuple(persons["write_in"]),
            illegible=label in illegible,
        )
    for label in illegible:
        key = r.by_label[label].key
        if key not in sections:
            sections[key] = Section(illegible=True)
    return sections, marks


# ------------------------------------------------------------------------------ recording


@dataclass(frozen=True)
class RecordSummary:
    """Ballots recorded in one batch."""

    recorded: int
    valid: int
    invalid: int
    blank: int
    invalid_sections: int


CHUNK = 900  # ballots judged and written at a time: memory stays flat as the count grows
ID_SPACE = 2**31 - 1  # record ids are drawn from 1 … 2³¹−2 (a PostgreSQL integer)


def random_ids(session: Session, table: Any, n: int) -> list[int]:
    """``n`` distinct ids for new rows of ``table``, drawn at random and unused, so that the
    ids of ballot records do not follow the order in which the ballots were entered."""
    ids: set[int] = set()
    while len(ids) < n:
        wanted = {secrets.randbelow(ID_SPACE - 1) + 1 for _i in range(n - len(ids))} - ids
        taken: set[int] = set()
        listed = sorted(wanted)
        for start in range(0, len(listed), 500):
            taken.update(
                session.execute(
                    select(table.c.id).where(table.c.id.in_(listed[start : start + 500]))
                ).scalars()
            )
        ids |= wanted - taken
    return list(ids)


@dataclass(frozen=True)
class BoxAccount:
    """One ballot box's accounting (票箱): ballots issued at it, spoiled (exchanged) at it,
    the day it was closed, and at opening (开箱) the ballots found in it and the day."""

    box: str
    issued: int
    spoiled: int
    closed_on: date | None
    found: int | None
    opened_on: date | None


def box_accounts(session: Session, election: Election) -> list[BoxAccount]:
    """Every box of ``election`` (any that issued or spoiled a ballot), sorted by name."""
    issued = dict(
        session.exec(
            select(Issuance.box, func.count())
            .where(Issuance.election_id == election.id)
            .group_by(Issuance.box)
        ).all()
    )
    rows = {
        b.box: b
        for b in session.exec(select(PollBox).where(PollBox.election_id == election.id)).all()
    }
    out = []
    for box in sorted(set(issued) | set(rows)):
        row = rows.get(box)
        out.append(
            BoxAccount(
                box,
                int(issued.get(box, 0)),
                0 if row is None else row.spoiled,
                None if row is None else row.closed_on,
                None if row is None else row.found,
                None if row is None else row.opened_on,
            )
        )
    return out


def require_poll_closed(session: Session, election: Election, action: str) -> None:
    """Counting starts only when the poll is closed (issue 11): raises ``StateError`` naming
    the boxes still open (or saying that no ballot was issued)."""
    if election.poll_closed_on is not None:
        return
    still_open = [a.box for a in box_accounts(session, election) if a.closed_on is None]
    if not still_open:
        raise StateError(
            _("Cannot {action}: the poll is not closed (juwei poll close).").format(action=action)
        )
    raise StateError(
        _(
            "Cannot {action}: the poll is still open at {boxes}. Close it first "
            "(juwei poll close), then open the boxes (juwei count open)."
        ).format(action=action, boxes="、".join(still_open))
    )


def found_total(session: Session, election: Election) -> int:
    """Ballots found in the boxes opened so far (开箱)."""
    total = session.exec(
        select(func.coalesce(func.sum(PollBox.found), 0)).where(PollBox.election_id == election.id)
    ).one()
    return int(total or 0)


def record_count(session: Session, election: Election) -> int:
    """Ballot records entered for ``election`` (pass 1, what is counted)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(BallotRecord)
            .where(BallotRecord.election_id == election.id)
        ).one()
    )


def require_room(session: Session, election: Election, adding: int) -> None:
    """Entries can never make the records outnumber the ballots found at the box opening
    (issue 12 §4): raises ``StateError`` naming both figures."""
    found = found_total(session, election)
    have = record_count(session, election)
    if have + adding > found:
        raise StateError(
            _(
                "{adding} more ballot records would make {total}, more than the {found} ballots "
                "found when the boxes were opened ({have} entered so far). Only ballots found "
                "in an opened box can be entered (juwei count open)."
            ).format(adding=adding, total=have + adding, found=found, have=have)
        )


@dataclass(frozen=True)
class BoxOpening:
    """A box opened (开箱): ballots found in it and issued at it."""

    box: str
    found: int
    issued: int
    opened_on: date


def open_box(
    db: Database,
    box: str,
    found: int,
    *,
    on: date | None = None,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> BoxOpening:
    """Record that ``box`` was opened at the count and held ``found`` ballots (开箱); logged
    (``count.open``). The ballots found are the returned ballots of the count: they are
    compared with the ballots issued at the box, and no entry may exceed them. Then the
    committee mixes the ballots of all boxes before making bundles.

    ``on``: default the election day. Raises ``StateError`` before the poll is closed, for a
    box opened already (naming the day and the number); ``InputError`` for a negative number
    or a box that neither issued nor spoiled a ballot (naming the boxes there are).
    """
    if isinstance(found, bool) or not 0 <= found <= 10_000_000:
        raise InputError(_("--found must be a number of ballots, 0 or more"), column="--found")
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "polling", action=_("open a ballot box"))
        require_poll_closed(session, election, _("open a ballot box"))
        accounts = {a.box: a for a in box_accounts(session, election)}
        account = accounts.get(box)
        if account is None:
            raise InputError(
                _("no box {box} in this election (the boxes are: {boxes})").format(
                    box=box, boxes="、".join(accounts) or "—"
                ),
                column="--box",
            )
        row = session.exec(
            select(PollBox).where(PollBox.election_id == election.id, PollBox.box == box)
        ).first()
        if row is None:
            row = PollBox(election_id=election.id or 0, box=box, closed_on=election.poll_closed_on)
        if row.found is not None:
            assert row.opened_on is not None
            raise StateError(
                _("Box {box} was opened on {day}: {n} ballots were found.").format(
                    box=box, day=row.opened_on.isoformat(), n=row.found
                )
            )
        day = on or election.day
        row.found = found
        row.opened_on = day
        session.add(row)
        append_event(
            session,
            "count.open",
            {
                "election": election.id,
                "box": box,
                "found": found,
                "issued": account.issued,
                "on": day.isoformat(),
            },
            operator=operator,
            community_id=election.community_id,
        )
        return BoxOpening(box, found, account.issued, day)


def record_ballots(
    db: Database,
    entries: Iterable[BallotEntry | InputError],
    *,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> RecordSummary:
    """Record returned ballots, all or nothing (one ballot entered by hand is a batch of one).

    ``entries`` may stream (``iter_ballot_file``); ballots are judged and written
    ``CHUNK`` at a time inside one transaction. Refused, with every reason and nothing
    written (``RollRejected``): a malformed line, a ballot (bundle and position) entered twice,
    a name that is neither a candidate nor anyone on the roll, an office that is not on the
    ballot. ``StateError`` before the poll is closed (naming the open boxes), and when the
    records would outnumber the ballots found at the box opening. Validity of each section and
    ballot under the pinned charter (``ballot.*`` rules) is decided here and stored with its
    rule. The ``count.record`` event lists the ballots by identity, sorted, with one digest
    each (``audit.ballot_digest``).
    """
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "ballots_printed", "polling", action=_("record ballots"))
        require_poll_closed(session, election, _("record ballots"))
        assert election.id is not None
        from juwei.elections.tally import require_no_tally

        require_no_tally(session, election)  # issue 14: counted one way, never a mixture
        batch = _Batch(session, election, _resolver(session, election))
        chunk: list[BallotEntry] = []
        label = "ballots"
        for item in entries:
            if isinstance(item, InputError):
                batch.errors.append(item)
                label = item.file or label
                continue
            label = item.file or label
            chunk.append(item)
            if len(chunk) >= CHUNK:
                batch.add(chunk)
                chunk = []
        batch.add(chunk)
        if batch.errors:
            batch.errors.sort(key=lambda e: e.row or 0)
            raise RollRejected(label, batch.errors, skip_hint=False)
        # the room was checked chunk by chunk against the counts read when the batch began:
        # writers are serialized (BEGIN IMMEDIATE / the advisory lock, ``Database.write``),
        # so they still hold and are not read again for each ballot saved alone (issue 14)
        append_event(
            session,
            "count.record",
            {
                "election": election.id,
                "ballots": sorted(batch.listing, key=lambda b: label_order(b["ballot"]))
                if batch.recorded <= 50
                else batch.recorded,
                "digest": batch.digest.hexdigest(),
                # issue 5: one digest per ballot (identity + marks, no voter), for audit verify
                "ballot_digests": batch.ballot_digests,
            },
            operator=operator,
            community_id=election.community_id,
        )
        return RecordSummary(
            batch.recorded,
            batch.valid,
            batch.recorded - batch.valid,
            batch.blank,
            batch.invalid_sections,
        )


class _Batch:
    """Judges and writes ballots chunk by chunk; keeps only counts and the ballots seen."""

    def __init__(self, session: Session, election: Election, r: _Resolver) -> None:
        self.session = session
        self.election = election
        self.r = r
        eid = election.id
        # looked up chunk by chunk (``_look_up``): a ballot saved alone at the count's entry
        # screen must not load every ballot of the election (issue 14)
        self.entered: set[str] = set()
        self.initial = record_count(session, election)
        self.room = found_total(session, election) - self.initial
        self.seats = [OfficeSeats(OfficeKey(o.key), o.seats) for o in r.offices]
        self.office_ids = {o.key: o.id for o in r.offices}
        self.office_key = {o.id: o.key for o in r.offices}
        self.errors: list[InputError] = []
        self.seen: dict[str, int | None] = {}
        self.recorded = self.valid = self.blank = self.invalid_sections = 0
        self.listing: list[dict[str, Any]] = []
        self.digest = hashlib.sha256()
        # issue 5 (audit verify): ballot → ballot_digest; candidate id → ballot number
        self.ballot_digests: dict[str, str] = {}
        self.numbers = dict(
            session.exec(
                select(Candidate.id, Candidate.ballot_number).where(Candidate.election_id == eid)
            ).all()
        )

    def _look_up(self, chunk: Sequence[BallotEntry]) -> None:
        """Which ballots of ``chunk`` (bundle-position) were entered already."""
        labels = []
        for entry in chunk:
            try:
                labels.append(entry.ballot)
            except ValueError:
                continue  # refused by _judge, naming the row
        self.entered.update(
            self.session.exec(
                select(BallotRecord.ballot).where(
                    BallotRecord.election_id == self.election.id,
                    col(BallotRecord.ballot).in_(sorted(set(labels))),
                )
            ).all()
        )

    def add(self, chunk: Sequence[BallotEntry]) -> None:
        records: list[dict[str, Any]] = []
        pending: list[tuple[str, Any, list[dict[str, Any]]]] = []
        self._look_up(chunk)
        for entry in chunk:
            judged = self._judge(entry)
            if judged is None:
                continue
            judgement, marks = judged
            records.append(
                {
                    "election_id": self.election.id,
                    "ballot": entry.ballot,
                    "blank": judgement.blank,
                    "valid": judgement.valid,
                    "reason": None if judgement.valid else f"{judgement.reason} ({judgement.rule})",
                }
            )
            pending.append((entry.ballot, judgement, marks))
        if self.errors or not records:
            return  # the batch will be refused: judge the rest, write nothing more
        if self.recorded + len(records) > self.room:
            raise StateError(
                _(
                    "These ballots would make {total} ballot records, more than the {found} "
                    "ballots found when the boxes were opened. Only ballots found in an opened "
                    "box can be entered (juwei count open)."
                ).format(
                    total=self.initial + self.recorded + len(records),
                    found=self.room + self.initial,
                )
            )
        self._write(records, pending)

    def _judge(self, entry: BallotEntry) -> tuple[Any, list[dict[str, Any]]] | None:
        try:
            ballot = entry.ballot
        except ValueError as error:
            self.errors.append(InputError(str(error), file=entry.file, row=entry.row))
            return None

        def fail(reason: str) -> None:
            self.errors.append(InputError(reason, file=entry.file, row=entry.row, column=ballot))

        if ballot in self.entered:
            fail(_("ballot {ballot} is already entered").format(ballot=ballot))
            return None
        if ballot in self.seen:
            fail(
                _("ballot {ballot} appears twice (also at row {row})").format(
                    ballot=ballot, row=self.seen[ballot]
                )
            )
            return None
        self.seen[ballot] = entry.row
        try:
            sections, marks = _resolve(self.r, entry)
            judgement = judge_ballot(
                self.r.charter, self.seats, sections, person_names=PersonNames(self.r)
            )
        except ValueError as error:
            fail(str(error))
            return None
        return judgement, marks

    def _write(
        self, records: list[dict[str, Any]], pending: list[tuple[str, Any, list[dict[str, Any]]]]
    ) -> None:
        session, eid = self.session, self.election.id
        table = BallotRecord.__table__  # type: ignore[attr-defined]
        ids: dict[str, int] = {}
        for record, record_id in zip(
            records, random_ids(session, table, len(records)), strict=True
        ):
            record["id"] = ids[record["ballot"]] = record_id
        records.sort(key=lambda rec: rec["id"])  # written in id order, not entry order
        bulk_insert(session, table, records)
        for ballot in ids:
            self.entered.add(ballot)
        section_rows: list[dict[str, Any]] = []
        mark_rows: list[dict[str, Any]] = []
        for ballot, judgement, marks in pending:
            record_id = ids[ballot]
            valid_offices: dict[str, set[str]] = {}
            illegible: list[str] = []
            for sj in judgement.sections:
                section_rows.append(
                    {
                        "record_id": record_id,
                        "office_id": self.office_ids[sj.office.value],
                        "valid": sj.valid,
                        "illegible": sj.rule.endswith("illegible") and not sj.valid,
                        "rule": None if sj.valid else sj.rule,
                    }
                )
                if sj.valid:
                    valid_offices[sj.office.value] = set(sj.votes)
                else:
                    self.invalid_sections += 1
                    if sj.rule.endswith("illegible"):
                        illegible.append(sj.office.value)
            credited: set[tuple[int, str]] = set()  # a person named twice counts once
            for mark in marks:
                votes = valid_offices.get(self.office_key[mark["office_id"]], set())
                counted = (
                    mark["kind"] != "against"
                    and mark["person"] in votes
                    and (mark["office_id"], mark["person"]) not in credited
                )
                if counted:
                    credited.add((mark["office_id"], mark["person"]))
                mark_rows.append(
                    {
                        "election_id": eid,
                        "record_id": record_id,
                        "office_id": mark["office_id"],
                        "kind": mark["kind"],
                        "candidate_id": mark["candidate_id"],
                        "write_in": mark["write_in"],
                        "counted": counted,
                    }
                )
            logged: list[BallotMark] = [
                (
                    self.office_key[m["office_id"]],
                    m["kind"],
                    None if m["candidate_id"] is None else self.numbers[m["candidate_id"]],
                    m["write_in"],
                )
                for m in marks
            ]
            self.ballot_digests[ballot] = ballot_digest(ballot, logged, illegible)
            self.digest.update(
                canonical_json(
                    [
                        ballot,
                        [
                            (m["office_id"], m["kind"], m["candidate_id"], m["write_in"])
                            for m in marks
                        ],
                    ]
                ).encode("utf-8")
            )
        bulk_insert(session, SectionRecord.__table__, section_rows)  # type: ignore[attr-defined]
        bulk_insert(session, Mark.__table__, mark_rows)  # type: ignore[attr-defined]
        for rec in records:
            self.recorded += 1
            self.valid += 1 if rec["valid"] else 0
            self.blank += 1 if rec["blank"] else 0
            if len(self.listing) <= 50:
                self.listing.append({"ballot": rec["ballot"], "valid": rec["valid"]})


# ------------------------------------------------------------------------------ counting


def gather_counts(session: Session, election: Election, r: _Resolver) -> ElectionCounts:
    """The tallies of ``election`` in SQL (one GROUP BY for the votes)."""
    eid = election.id
    issued = int(
        session.exec(
            select(func.count()).select_from(Issuance).where(Issuance.election_id == eid)
        ).one()
    )
    from juwei.elections.tally import tally_totals

    tallied = tally_totals(session, election, r)  # issue 14: counted by tally sheets
    if tallied is not None:
        return _counts(
            session, election, r, issued, tallied.returned, tallied.votes, tallied.sections
        )
    # the ballots returned are those found when the boxes were opened (开箱); an election
    # recorded before box totals existed (no box opened) counts its ballot records
    opened = session.exec(
        select(func.count())
        .select_from(PollBox)
        .where(PollBox.election_id == eid, col(PollBox.found).is_not(None))
    ).one()
    returned = found_total(session, election) if opened else record_count(session, election)
    votes: dict[int, dict[str, int]] = defaultdict(dict)
    for office_id, cand_id, write_in, n in session.exec(
        select(Mark.office_id, Mark.candidate_id, Mark.write_in, func.count())
        .where(Mark.election_id == eid, col(Mark.counted).is_(True))
        .group_by(col(Mark.office_id), col(Mark.candidate_id), col(Mark.write_in))
    ).all():
        person = (
            f"v{r.candidate_voter[cand_id]}"
            if cand_id is not None
            else person_of_write_in(r, write_in or "")
        )
        votes[office_id][person] = votes[office_id].get(person, 0) + int(n)
    sections: dict[tuple[int, bool], int] = {}
    for office_id, valid, n in session.exec(
        select(SectionRecord.office_id, SectionRecord.valid, func.count())
        .join(BallotRecord, col(BallotRecord.id) == col(SectionRecord.record_id))
        .where(BallotRecord.election_id == eid)
        .group_by(col(SectionRecord.office_id), col(SectionRecord.valid))
    ).all():
        sections[(office_id, bool(valid))] = int(n)
    return _counts(session, election, r, issued, returned, votes, sections)


def _counts(
    session: Session,
    election: Election,
    r: _Resolver,
    issued: int,
    returned: int,
    votes: dict[int, dict[str, int]],
    sections: dict[tuple[int, bool], int],
) -> ElectionCounts:
    offices = []
    for office in r.offices:
        assert office.id is not None
        on_ballot = {
            f"v{r.candidate_voter[c.id]}"
            for c in r.candidates[office.id].values()
            if c.id is not None
        }
        office_votes = votes.get(office.id, {})
        offices.append(
            OfficeCounts(
                key=OfficeKey(office.key),
                seats=office.seats,
                valid_sections=sections.get((office.id, True), 0),
                invalid_sections=sections.get((office.id, False), 0),
                votes=office_votes,
                on_ballot=frozenset(on_ballot),
                women=frozenset(p for p in (*office_votes, *on_ballot) if p in r.women),
            )
        )
    parent_elected, parent_women = _elected_before(session, election, r)
    # a by-election (补选) also counts the members still serving, for the women and the
    # seats-may-stay-empty rules (juwei.elections.vacancies.serving_on_by_election_day)
    from juwei.elections.vacancies import serving_on_by_election_day

    serving, serving_women = serving_on_by_election_day(session, election)
    parent_elected += serving
    parent_women += serving_women
    return ElectionCounts(
        names=PersonNames(r),
        mode=ElectionMode(election.mode),
        registered_voters=election.registered_voters or 0,
        households=election.households or 0,
        representatives=election.representatives or 0,
        ballots_issued=issued,
        ballots_returned=returned,
        offices=tuple(offices),
        elected_before=parent_elected,
        women_elected_before=parent_women,
    )


def entry_tally(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> EntryTally:
    """The running totals of ``count enter`` (唱票计票), read from what the count itself
    tallies (``gather_counts``): a taken-back ballot is gone, an overvoted or illegible
    section adds nothing and is shown invalid, a candidate named twice counts once. Returns
    an ``EntryTally``; raises ``NotFound`` for an unknown election.
    """
    with db.read() as session:
        election = find_election(session, community, election_id)
        r = _resolver(session, election)
        counts = gather_counts(session, election, r)
        judged = dict(
            session.exec(
                select(BallotRecord.valid, func.count())
                .where(BallotRecord.election_id == election.id)
                .group_by(col(BallotRecord.valid))
            ).all()
        )
        blank = int(
            session.exec(
                select(func.count())
                .select_from(BallotRecord)
                .where(BallotRecord.election_id == election.id, col(BallotRecord.blank).is_(True))
            ).one()
        )

        def name(person: str) -> str:
            return person[2:] if person.startswith("w:") else r.voter_names[int(person[1:])]

        offices = tuple(
            EntryTallyOffice(
                title=office.title,
                valid_sections=oc.valid_sections,
                invalid_sections=oc.invalid_sections,
                votes=tuple(
                    (name(p), n)
                    for p, n in sorted(oc.votes.items(), key=lambda pn: (-pn[1], name(pn[0])))
                ),
            )
            for office, oc in zip(r.offices, counts.offices, strict=True)
        )
    valid = int(judged.get(True, 0))
    return EntryTally(
        recorded=valid + int(judged.get(False, 0)),  # the records (returned: found at opening)
        valid=valid,
        blank=blank,
        invalid=int(judged.get(False, 0)),
        offices=offices,
    )


def _elected_before(session: Session, election: Election, r: _Resolver) -> tuple[int, int]:
    if election.parent_id is None:
        return 0, 0
    elected = 0
    women = 0
    parent_id: int | None = election.parent_id
    while parent_id is not None:
        parent = session.get(Election, parent_id)
        assert parent is not None
        result = _latest_result(session, parent_id)
        if result is not None:
            data = json.loads(result.outcome)
            for office in data["offices"]:
                for person in office["elected"]:
                    elected += 1
                    key = person["person"]
                    voter = session.get(Voter, int(key[1:])) if key.startswith("v") else None
                    women += 1 if voter is not None and voter.sex == "F" else 0
        parent_id = parent.parent_id
    return elected, women


def _latest_result(session: Session, election_id: int) -> CountResult | None:
    return session.exec(
        select(CountResult)
        .where(CountResult.election_id == election_id)
        .order_by(col(CountResult.id).desc())
    ).first()


def _outcome_json(
    outcome: Outcome, counts: ElectionCounts, names: dict[str, str]
) -> dict[str, Any]:
    def name(person: str) -> str:
        return names.get(person, person[2:] if person.startswith("w:") else person)

    return {
        "round": str(outcome.round),
        "valid": outcome.valid,
        "reason": outcome.reason,
        "rule": outcome.rule,
        "source": outcome.source,
        "ballots_issued": counts.ballots_issued,
        "ballots_returned": counts.ballots_returned,
        "registered_voters": counts.registered_voters,
        "offices": [
            {
                "office": str(o.office),
                "seats": o.seats,
                "valid_sections": o.valid_sections,
                "invalid_sections": o.invalid_sections,
                "threshold_votes": o.threshold_votes,
                "tallies": [
                    {
                        "person": t.person,
                        "name": name(t.person),
                        "votes": t.votes,
                        "carried": t.carried,
                        "meets_threshold": t.meets_threshold,
                        "standing": str(t.standing),
                    }
                    for t in o.tallies
                ],
                "elected": [
                    {
                        "person": e.person,
                        "name": name(e.person),
                        "votes": e.votes,
                        "reason": e.reason,
                    }
                    for e in o.elected
                ],
                "tie": None
                if o.tie is None
                else {
                    "persons": list(o.tie.persons),
                    "names": [name(p) for p in o.tie.persons],
                    "seats_left": o.tie.seats_left,
                    "reason": o.tie.reason,
                    "rule": o.tie.rule,
                    "source": o.tie.source,
                },
                "supplementary": None
                if o.supplementary is None
                else {
                    "seats_left": o.supplementary.seats_left,
                    "candidates": list(o.supplementary.candidates),
                    "names": [name(p) for p in o.supplementary.candidates],
                    "vacancies_allowed": o.supplementary.vacancies_allowed,
                    "reason": o.supplementary.reason,
                    "rule": o.supplementary.rule,
                    "source": o.supplementary.source,
                },
                "deferred": None if o.deferred is None else {"reason": o.deferred.reason},
                "reason": o.reason,
                "rule": o.rule,
                "source": o.source,
            }
            for o in outcome.offices
        ],
        "women": None
        if outcome.women is None
        else {
            "reason": outcome.women.reason,
            "proposal": outcome.women.proposal,
            "rule": outcome.women.rule,
            "source": outcome.women.source,
        },
    }


@dataclass(frozen=True)
class CountSummary:
    """What the count decided: valid or void, complete or which rounds follow."""

    election_id: int
    valid: bool
    complete: bool
    reason: str
    digest: str
    rounds: tuple[int, ...]  # elections created for a runoff / supplementary round


def _bilingual(english: Any, chinese: Any, key: str = "") -> Any:
    """Merge the same outcome document decided in English and in Chinese: every text that
    differs (a reason, a proposal) becomes ``{"en": …, "zh_CN": …}``; the rest is shared."""
    if isinstance(english, dict):
        return {k: _bilingual(v, chinese[k], k) for k, v in english.items()}
    if isinstance(english, list):
        return [_bilingual(a, b, key) for a, b in zip(english, chinese, strict=True)]
    if isinstance(english, str) and english != chinese:
        return {"en": english, "zh_CN": chinese}
    return english


def in_language(value: Any) -> Any:
    """A stored text in the current language (a plain value is returned as it is)."""
    if isinstance(value, dict) and set(value) == {"en", "zh_CN"}:
        return value["zh_CN" if is_chinese() else "en"]
    return value


def count_election(
    db: Database,
    *,
    election_id: int | None = None,
    community: str | None = None,
    all_in: bool = False,
    operator: str,
) -> CountSummary:
    """Count the entered ballots under the pinned charter and store the outcome.

    The ballots returned are those found when the boxes were opened (``open_box``). Refused
    (``StateError``) before the poll is closed, while a box is not opened (naming it), and
    while fewer ballots are entered than were found — a count is final, and a turnout below
    the quorum voids the election. ``all_in`` is accepted for older scripts and changes
    nothing: the box opening records what was returned. A void election names its rule; a
    tie at the last seat or unfilled seats create the next round. Every reason is stored in
    English and in Chinese, so that the result sheet prints in either.
    """
    del all_in  # the box totals say what was returned (issue 11)
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "polling", action=_("count the ballots"))
        require_poll_closed(session, election, _("count the ballots"))
        unopened = [a.box for a in box_accounts(session, election) if a.found is None]
        if unopened:
            raise StateError(
                _(
                    "Box {boxes} has not been opened: record the ballots found in each box "
                    "first (juwei count open)."
                ).format(boxes="、".join(unopened))
            )
        assert election.id is not None
        # issue 5, double entry: refused while the two clerks' entries disagree
        from juwei.elections.double_entry import require_reconciled

        require_reconciled(session, election)
        r = _resolver(session, election)
        counts = gather_counts(session, election, r)
        from juwei.elections.tally import counted_by_tally

        # ballot by ballot, or by tally sheets (whose ballots are then the ones counted)
        tallied = counted_by_tally(session, election)
        entered = counts.ballots_returned if tallied else record_count(session, election)
        found = found_total(session, election)
        if entered < found:
            raise StateError(
                _(
                    "{found} ballots were found when the boxes were opened but only {entered} "
                    "are entered. Enter the rest first (the count is final)."
                ).format(found=found, entered=entered)
            )
        names = {f"v{vid}": name for vid, name in r.voter_names.items()}
        if election.kind == "recall":  # ---- recall vote: decided by juwei.rules.recall
            from juwei.elections.recall import count_recall

            return count_recall(session, election, r.charter, counts, names, operator=operator)
        outcome, document, digest = decided_document(election, r, counts)
        session.add(
            CountResult(
                election_id=election.id,
                computed_at=datetime.now(UTC),
                outcome=canonical_json(document),
                digest=digest,
            )
        )
        rounds: list[int] = []
        if outcome.valid:
            election.state = "counted"
            rounds = _next_rounds(session, election, outcome, r)
        else:
            election.state = "void"
            election.void_rule = outcome.rule
            election.void_reason = f"{outcome.reason} ({outcome.source})"
        session.add(election)
        append_event(
            session,
            "count.result",
            {
                "election": election.id,
                "digest": digest,
                "valid": outcome.valid,
                "rounds": rounds,
                "method": counting_method(session, election),
            },
            operator=operator,
            community_id=election.community_id,
        )
        return CountSummary(
            election.id,
            outcome.valid,
            outcome.complete,
            in_language(document["reason"]),
            digest,
            tuple(rounds),
        )


def decided_document(
    election: Election, r: _Resolver, counts: ElectionCounts
) -> tuple[Outcome, dict[str, Any], str]:
    """Decide ``counts`` under the pinned charter as the count does: the outcome, the stored
    document (every reason in English and Chinese) and its SHA-256. Used by the count and by
    ``audit verify`` for an election counted by tally sheets."""
    decide = {"supplementary": decide_supplementary, "runoff": decide_runoff}.get(
        election.kind, decide_outcome
    )
    names = {f"v{vid}": name for vid, name in r.voter_names.items()}
    current = current_language()
    try:
        set_language("en")
        outcome = decide(r.charter, counts)
        english = _outcome_json(outcome, counts, names)
        set_language("zh_CN")
        chinese = _outcome_json(decide(r.charter, counts), counts, names)
    finally:
        set_language(current)
    document = _bilingual(english, chinese)
    digest = hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()
    return outcome, document, digest


ROUND_SUFFIXES = {"runoff": "（平票重选）", "supplementary": "（另行选举）"}


def round_title(parent: str, kind: str) -> str:
    """The title of a round held after ``parent``'s count: the election's own title (the
    parent's without any round suffix) and this round's suffix (（平票重选） or （另行选举）),
    which it then says once — a supplementary round of a supplementary round, or of its
    runoff, is titled like the first one."""
    trimmed = True
    while trimmed:
        trimmed = False
        for suffix in ROUND_SUFFIXES.values():
            if parent.endswith(suffix):
                parent, trimmed = parent[: -len(suffix)], True
    return parent + ROUND_SUFFIXES[kind]


def _next_rounds(session: Session, election: Election, outcome: Outcome, r: _Resolver) -> list[int]:
    """Create the tie runoff and/or supplementary round elections this outcome calls for."""
    created: list[int] = []
    plans: list[tuple[str, list[tuple[Office, int, tuple[str, ...]]]]] = []
    runoff = [
        (o, x.tie.seats_left, x.tie.persons)
        for o in r.offices
        for x in outcome.offices
        if x.office.value == o.key and x.tie is not None
    ]
    supplementary = [
        (o, x.supplementary.seats_left, x.supplementary.candidates)
        for o in r.offices
        for x in outcome.offices
        if x.office.value == o.key and x.supplementary is not None
    ]
    if runoff:
        plans.append(("runoff", runoff))
    if supplementary:
        plans.append(("supplementary", supplementary))
    for kind, offices in plans:
        prefix = next_serial_prefix(session, election.community_id)
        title = round_title(election.title, kind)
        child = Election(
            community_id=election.community_id,
            charter_id=election.charter_id,
            parent_id=election.id,
            kind=kind,
            mode=ElectionMode(election.mode),
            title=title,
            day=election.day,
            state="slate_confirmed",
            serial_prefix=prefix,
            created_at=datetime.now(UTC),
            group_id=election.group_id,
        )
        session.add(child)
        session.flush()
        assert child.id is not None
        for position, (office, seats, persons) in enumerate(offices, start=1):
            new_office = Office(
                election_id=child.id,
                key=office.key,
                title=office.title,
                seats=seats,
                position=position,
                # as many write-in boxes as this round has seats (none in a runoff)
                write_ins=0 if kind == "runoff" or not office.write_ins else seats,
            )
            session.add(new_office)
            session.flush()
            assert new_office.id is not None
            voters = [int(p[1:]) for p in persons if p.startswith("v")]
            people = sorted(voters, key=lambda v: r.voter_names.get(v, ""))
            from juwei.rules.slate import order_candidates

            ordered = order_candidates(r.charter, people, lambda v: r.voter_names.get(v, ""))
            for number, voter_id in enumerate(ordered.ordered, start=1):
                session.add(
                    Candidate(
                        election_id=child.id,
                        office_id=new_office.id,
                        voter_id=voter_id,
                        ballot_number=number,
                    )
                )
        created.append(child.id)
    return created


# ------------------------------------------------------------------------------ results


def result_sheet(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> ResultSheet:
    """The result sheet read-model (计票结果报告单) of the latest count of an election; it
    carries the event log's head as of its making (``head``, printed on every sheet)."""
    with db.read() as session:
        election = find_election(session, community, election_id)
        if election_id is None:  # the newest election that has been counted
            counted = session.exec(
                select(Election)
                .join(CountResult, col(CountResult.election_id) == col(Election.id))
                .where(Election.community_id == election.community_id)
                .order_by(col(Election.id).desc())
            ).first()
            election = counted or election
        assert election.id is not None
        result = _latest_result(session, election.id)
        if result is None:
            require_state(election, "counted", "certified", "void", action=_("show results"))
            raise StateError(_("Election {id} has not been counted.").format(id=election.id))
        comm = session.get(Community, election.community_id)
        assert comm is not None
        data = json.loads(result.outcome)
        offices = {
            o.key: o
            for o in session.exec(select(Office).where(Office.election_id == election.id)).all()
        }
        cand_persons = {
            f"v{voter_id}"
            for voter_id in session.exec(
                select(Candidate.voter_id).where(Candidate.election_id == election.id)
            ).all()
        }
        printed = int(
            session.exec(
                select(func.count())
                .select_from(BallotSerial)
                .where(BallotSerial.election_id == election.id)
            ).one()
        )
        invalid = int(
            session.exec(
                select(func.count())
                .select_from(BallotRecord)
                .where(BallotRecord.election_id == election.id, col(BallotRecord.valid).is_(False))
            ).one()
        )
        blank = int(
            session.exec(
                select(func.count())
                .select_from(BallotRecord)
                .where(
                    BallotRecord.election_id == election.id,
                    col(BallotRecord.blank).is_(True),
                    col(BallotRecord.valid).is_(True),
                )
            ).one()
        )
        sheet_offices = []
        for o in data["offices"]:
            office = offices[o["office"]]
            elected = {e["person"] for e in o["elected"]}
            results = tuple(
                CandidateResult(
                    name=t["name"],
                    votes=t["votes"],
                    on_ballot=t["person"] in cand_persons,
                    elected=t["person"] in elected,
                    note=_standing_note(t["standing"]),
                )
                for t in o["tallies"]
            )
            decision = in_language(o["reason"])  # it already says the tie / next round once
            sources = [str(o["source"])]  # the rule keys stay in --json and the log
            rules = [str(o["rule"])]
            for extra in ("tie", "supplementary"):
                if o.get(extra):
                    sources.append(str(o[extra]["source"]))
                    rules.append(str(o[extra]["rule"]))
            threshold = o["threshold_votes"]
            sheet_offices.append(
                OfficeResult(
                    title=office.title,
                    seats=o["seats"],
                    valid_sections=o["valid_sections"],
                    invalid_sections=o["invalid_sections"],
                    threshold_words=(
                        _("at least {n} votes").format(n=threshold) if threshold is not None else ""
                    ),
                    results=results,
                    decision=cited(decision, *sources),
                    rules=tuple(rules),
                )
            )
        return ResultSheet(
            community=comm.name,
            election_title=election.title,
            election_day=election.day,
            registered_voters=data["registered_voters"],
            ballots_printed=printed,
            ballots_issued=data["ballots_issued"],
            ballots_returned=data["ballots_returned"],
            ballots_valid=data["ballots_returned"] - invalid,
            ballots_invalid=invalid,
            ballots_blank=blank,
            valid=data["valid"],
            validity_reason=cited(in_language(data["reason"]), str(data["source"])),
            offices=tuple(sheet_offices),
            digest=result.digest,
            women_note=(
                ""
                if not data.get("women")
                else cited(
                    f"{in_language(data['women']['reason'])} "
                    f"{in_language(data['women']['proposal'])}",
                    str(data["women"]["source"]),
                )
            ),
            # a group's election of representatives and its rounds print as such
            kind="representatives" if election.group_id is not None else election.kind,
            recalls=_recall_results(election, data, offices),
            head=str(chain_head(session) or ""),
            counting=counting_words(session, election),
            **_electorate(election, data["registered_voters"]),
        )


def _electorate(election: Election, registered: int) -> dict[str, Any]:
    """The base of the mode's validity rule (``election.modes.<mode>.quorum``, P5, S1 art 8):
    households in household mode, the serving representatives in representative mode."""
    if election.mode == "household":
        return {"electorate_kind": "households", "electorate": election.households or 0}
    if election.mode == "representative":
        return {"electorate_kind": "representatives", "electorate": election.representatives or 0}
    return {"electorate_kind": "registered_voters", "electorate": registered}


def counting_method(session: Session, election: Election) -> str:
    """How the ballots of ``election`` were counted: ``"tally"`` (tally sheets of counting
    tables), ``"double_entry"`` (entered one by one, and again by a second clerk) or
    ``"ballots"`` (entered one by one)."""
    from juwei.elections.models import BallotEntryPass
    from juwei.elections.tally import counted_by_tally

    if counted_by_tally(session, election):
        return "tally"
    second = session.exec(
        select(BallotEntryPass.id).where(BallotEntryPass.election_id == election.id).limit(1)
    ).first()
    return "double_entry" if second is not None else "ballots"


def counting_words(session: Session, election: Election) -> str:
    """The result sheet's sentence on how the ballots were counted, with the counting tables
    and their counters when counted by tally (issue 14 §4)."""
    method = counting_method(session, election)
    if method == "tally":
        from juwei.elections.tally import tally_totals

        totals = tally_totals(session, election, _resolver(session, election))
        assert totals is not None
        tables = "；".join(
            _("table {table}: {ballots} ballots, counted by {counters}").format(
                table=table, ballots=ballots, counters=counters
            )
            for table, counters, ballots in totals.tables
        )
        return _("Counted by tally sheets (计票统计表) of the counting tables: {tables}.").format(
            tables=tables
        )
    tables = "；".join(
        _("table {table}, counted by {counters}").format(table=table, counters=counters)
        for table, counters in counting_tables(session, election)
    )
    if method == "double_entry":
        words = _("Ballots entered one by one, and again by a second clerk (double entry).")
    else:
        words = _("Ballots entered one by one.")
    if tables:
        words += " " + _("Counting tables: {tables}.").format(tables=tables)
    return words


def counting_tables(session: Session, election: Election) -> list[tuple[str, str]]:
    """The counting tables (计票组) that entered ballots of ``election`` and who counted at
    each, as recorded by ``count.table`` events (``juwei count screen --table --counters``),
    in the order recorded: ``[(table, counters joined by 、), …]``."""
    found: list[tuple[str, str]] = []
    for payload in session.exec(
        select(Event.payload)
        .where(Event.kind == "count.table", Event.community_id == election.community_id)
        .order_by(col(Event.seq))
    ).all():
        data = json.loads(payload)
        pair = (str(data.get("table", "")), str(data.get("counters", "")))
        if data.get("election") == election.id and pair not in found:
            found.append(pair)
    return found


def _recall_results(
    election: Election, data: dict[str, Any], offices: dict[str, Office]
) -> tuple[RecallResult, ...]:
    """A recall vote's results for its sheet (empty for any other kind of election)."""
    if election.kind != "recall" or not data["offices"]:
        return ()
    from juwei.elections.recall import recall_results

    return recall_results(data, offices[data["offices"][0]["office"]].title)


def _standing_note(standing: str) -> str:
    return {
        "elected": _("elected"),
        "tied": _("tie at the last seat: runoff"),
        "not_elected": _("not elected"),
        "elected_higher": _("elected to a higher office"),
        "not_in_runoff": _("not in the runoff"),
        "pending": _("waiting for a higher office's runoff"),
    }.get(standing, standing)


@dataclass(frozen=True)
class SeatedMember:
    """A member seated by certification, with the term (任期)."""

    name: str
    office: str
    term_start: date
    term_end: date


def certify(
    db: Database,
    *,
    on: date,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> list[SeatedMember]:
    """Lock the count and seat the elected members with their term from the charter.

    The term runs ``term.years`` from the election day (3 years under the seed charters); a
    round's members serve until the end of its parent's term. A by-election's members (and its
    rounds') fill the open vacancies and serve until the end of the current term
    (``juwei.elections.vacancies.fill_vacancies``, S4 art 19). Raises ``StateError`` unless
    the election is counted, or when an elected write-in cannot be matched to exactly one
    voter on the roll (the committee must resolve it first).
    """
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "counted", action=_("certify the result"))
        if on < election.day:
            raise StateError(
                _(
                    "{on} is before the election day {day}: a result is certified after the vote."
                ).format(on=on.isoformat(), day=election.day.isoformat())
            )
        assert election.id is not None
        r = _resolver(session, election)
        result = _latest_result(session, election.id)
        assert result is not None
        data = json.loads(result.outcome)
        if election.kind == "recall":  # ---- recall: end the membership or start the bar
            from juwei.elections.recall import certify_recall

            certify_recall(session, election, data, on=on, operator=operator)
        root = election
        while root.parent_id is not None:
            parent = session.get(Election, root.parent_id)
            assert parent is not None
            root = parent
        start = root.day
        end = add_months(start, 12 * r.charter.term.years)
        seated: list[SeatedMember] = []
        titles = {o.key: o.title for o in r.offices}
        # a by-election (补选) and its rounds seat their members in the vacancies, for the rest
        # of the current term (S4 art 19): see juwei.elections.vacancies.fill_vacancies
        by_elected: list[tuple[str, int, str]] = []
        for office in data["offices"]:
            for person in office["elected"]:
                if not person["person"].startswith("v"):
                    raise StateError(
                        _(
                            "{name} was elected as a write-in but the name matches several or no "
                            "voters on the roll; the committee must identify the person."
                        ).format(name=person["name"])
                    )
                if root.kind == "by_election":
                    by_elected.append((office["office"], int(person["person"][1:]), person["name"]))
                    continue
                if root.kind == "representatives":  # a group's representatives (居民代表)
                    seated.append(
                        _seat_representative(
                            session, election, root, int(person["person"][1:]), person["name"], on
                        )
                    )
                    continue
                session.add(
                    Member(
                        community_id=election.community_id,
                        voter_id=int(person["person"][1:]),
                        election_id=election.id,
                        office_key=office["office"],
                        office_title=titles[office["office"]],
                        term_start=start,
                        term_end=end,
                    )
                )
                seated.append(SeatedMember(person["name"], titles[office["office"]], start, end))
        if by_elected:
            from juwei.elections.vacancies import fill_vacancies

            members = fill_vacancies(
                session, election, root, [(k, v) for k, v, _n in by_elected], titles, operator
            )
            for member, (_k, _v, name) in zip(members, by_elected, strict=True):
                seated.append(
                    SeatedMember(name, member.office_title, member.term_start, member.term_end)
                )
        result.certified = True
        session.add(result)
        election.state = "certified"
        election.certified_at = datetime.now(UTC)
        session.add(election)
        append_event(
            session,
            "count.certify",
            {
                "election": election.id,
                "digest": result.digest,
                "on": on.isoformat(),
                "members": [[m.name, m.office] for m in seated],
            },
            operator=operator,
            community_id=election.community_id,
        )
        return seated


def _seat_representative(
    session: Session, election: Election, root: Election, voter_id: int, name: str, on: date
) -> SeatedMember:
    """Seat a residents' representative elected by ``root``'s group: method ``elected``, the
    term from the election day of ``root`` (as the committee's, whose term also runs from its
    election day) for ``[representatives].term_years`` (else the committee's ``[term].years``;
    SEED 钱牌 第十条: 3 years); a representative by-elected while others of the group serve
    ends with them (the group's current term, when ``[by_election].term_ends_with_current``,
    S4 art 19 by analogy). Raises ``StateError`` when the person serves as a representative
    on the certification day ``on``, or the group would exceed ``per_group.max``."""
    from juwei.elections.models import Representative
    from juwei.elections.representatives import group_serving, serving_voter_ids, term_years

    charter = election_charter(session, election)
    if voter_id in serving_voter_ids(session, election.community_id, on=on):
        raise StateError(
            _("{name} is already a serving representative: end that term first.").format(name=name)
        )
    assert root.group_id is not None
    start = root.day
    end = add_months(start, 12 * term_years(charter))
    serving = group_serving(session, root.group_id, after=start)
    rule = charter.representatives
    if len(serving) >= rule.per_group.max:
        raise StateError(
            _(
                "The group already has {n} representatives, the charter's maximum ({source}): "
                "end a term first."
            ).format(n=len(serving), source=rule.source)
        )
    if serving and charter.by_election.term_ends_with_current:
        # by-elected into the group's current term (S4 art 19 by analogy, [by_election])
        end = max(r.term_end for r in serving)
    session.add(
        Representative(
            community_id=election.community_id,
            group_id=root.group_id,
            voter_id=voter_id,
            method="elected",
            election_id=election.id,
            term_start=start,
            term_end=end,
            created_at=datetime.now(UTC),
        )
    )
    session.flush()
    office = charter.office("representative")
    return SeatedMember(name, office.title, start, end)


def find_record(session: Session, election: Election, ballot: str) -> BallotRecord:
    """The stored record of ``ballot`` (``"12-37"``). Raises ``InputError`` when none."""
    record = session.exec(
        select(BallotRecord).where(
            BallotRecord.election_id == election.id, BallotRecord.ballot == ballot
        )
    ).first()
    if record is None:
        raise InputError(
            _("no ballot {ballot} has been entered").format(ballot=ballot), column="ballot"
        )
    return record


def take_back(session: Session, record: BallotRecord) -> None:
    """Delete a ballot record with its sections and marks (the caller logs why)."""
    for mark in session.exec(select(Mark).where(Mark.record_id == record.id)).all():
        session.delete(mark)
    for section in session.exec(
        select(SectionRecord).where(SectionRecord.record_id == record.id)
    ).all():
        session.delete(section)
    session.flush()
    session.delete(record)
    session.flush()


def undo_ballot(
    db: Database,
    ballot: str,
    *,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> str:
    """Take back a ballot entered by mistake (before the count), by identity (``"12-37"``);
    logged (``count.undo``).

    Raises ``InputError`` when no such ballot was entered, ``StateError`` after the count.
    """
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "polling", action=_("undo a ballot"))
        take_back(session, find_record(session, election, ballot))
        append_event(
            session,
            "count.undo",
            {"election": election.id, "ballot": ballot},
            operator=operator,
            community_id=election.community_id,
        )
        return ballot


@dataclass(frozen=True)
class Correction:
    """A recorded ballot corrected: its identity, the reading before and after (canonical
    readings, ``double_entry.Reading``), and whether it is valid now."""

    ballot: str
    old: dict[str, Any]
    new: dict[str, Any]
    valid: bool


def correct_ballot(
    db: Database,
    entry: BallotEntry,
    *,
    reason: str,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> Correction:
    """Correct a recorded ballot (``entry``: its bundle and position and what the paper
    shows) before the count is final (issue 12 §4): the record is taken back and entered
    again as the paper shows, judged like any ballot; the ``count.correct`` event keeps the
    reason, the operator, the old and the new reading and the new ballot digest.

    Raises ``InputError`` for an empty reason or a ballot never entered, ``RollRejected`` for
    a reading that cannot be entered (a name not on the ballot …), ``StateError`` after the
    count (a counted result is changed only by a recorded reopening).
    """
    if not reason.strip():
        raise InputError(_("a correction needs its reason (--reason)"), column="--reason")
    from juwei.elections.double_entry import candidate_numbers, reading_of_entry, reading_of_record

    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "polling", action=_("correct a ballot"))
        assert election.id is not None
        ballot = entry.ballot
        record = find_record(session, election, ballot)
        old = reading_of_record(session, election.id, record)
        r = _resolver(session, election)
        try:
            new = reading_of_entry(r, entry, candidate_numbers(session, election.id))
        except ValueError as error:
            raise RollRejected(
                ballot, [InputError(str(error), file=entry.file, row=entry.row)], skip_hint=False
            ) from None
        take_back(session, record)
        batch = _Batch(session, election, r)
        batch.add([entry])
        if batch.errors:
            raise RollRejected(ballot, batch.errors, skip_hint=False)
        append_event(
            session,
            "count.correct",
            {
                "election": election.id,
                "ballot": ballot,
                "reason": reason.strip(),
                "old": old,
                "new": new,
                "ballot_digests": batch.ballot_digests,
            },
            operator=operator,
            community_id=election.community_id,
        )
        return Correction(ballot, old, new, batch.valid == 1)


def certified_term(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> tuple[date, date] | None:
    """The term (start, end) of the members a certified election seated; None if not yet."""
    with db.read() as session:
        election = find_election(session, community, election_id)
        member = session.exec(select(Member).where(Member.election_id == election.id)).first()
        return None if member is None else (member.term_start, member.term_end)
