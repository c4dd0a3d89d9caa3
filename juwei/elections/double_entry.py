"""Double entry of the paper ballots (两人分别录入): a second clerk, a reconciliation.

Pass 1 is the ordinary entry (``count.record_ballots``: ``ballot_record``, ``mark``): it is
what the count counts. Pass 2 is a second clerk entering the same paper ballots
independently (``juwei count enter|import --pass 2``); it is stored in ``ballot_entry_pass``
as a canonical *reading* and never changes what is counted.

A reading is what a clerk read off one paper ballot, with names resolved, so that "张三" and
"3" (the number printed beside 张三) are the same mark::

    {"sections": {"member": {"for": [1, 3], "against": [2], "write_in": ["钱七"]}},
     "illegible": ["deputy"]}

(office keys; candidate ballot numbers, sorted; write-in names, sorted; an office with no
marks is left out).

``juwei count reconcile`` lists every serial whose two readings differ and every serial
entered in one pass only. Each is resolved by re-reading the paper ballot: the committee says
which pass read it right (``--accept 1|2``) or enters what the paper shows (``--paper``). When
the paper differs from pass 1, the counted record is corrected (taken back and entered again
as the paper shows) in the same transaction, and the resolution records who resolved it and
what the paper showed. Once a second pass exists for an election, ``juwei count run`` is
refused while any difference is unresolved.

Secrecy: serials and marks only; nothing here names a voter.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from juwei.elections.audit import append_event, canonical_json
from juwei.elections.count import (
    BallotEntry,
    _Batch,
    _resolve,
    _Resolver,
    _resolver,
)
from juwei.elections.db import Database
from juwei.elections.election import find_election, require_state
from juwei.elections.models import (
    BallotEntryPass,
    BallotEntryResolution,
    BallotRecord,
    BallotSerial,
    Candidate,
    Election,
    Mark,
    Office,
    SectionRecord,
)
from juwei.elections.roll import RollRejected
from juwei.errors import InputError, StateError
from juwei.i18n import _

Reading = dict[str, Any]


# ------------------------------------------------------------------------------ readings


def _empty() -> dict[str, list[Any]]:
    return {"for": [], "against": [], "write_in": []}


def _finish(sections: dict[str, dict[str, list[Any]]], illegible: Iterable[str]) -> Reading:
    kept = {
        key: {kind: sorted(values) for kind, values in marks.items()}
        for key, marks in sections.items()
        if any(marks.values())
    }
    return {"sections": kept, "illegible": sorted(set(illegible))}


def reading_of_entry(r: _Resolver, entry: BallotEntry, numbers: dict[int, int]) -> Reading:
    """The canonical reading of one entered ballot (names resolved to ballot numbers).

    ``numbers``: candidate id → ballot number. Raises ``ValueError`` (with the reason) for an
    office not on the ballot or a name that is neither a candidate nor anyone on the roll.
    """
    _sections, marks = _resolve(r, entry)
    keys = {o.id: o.key for o in r.offices}
    sections: dict[str, dict[str, list[Any]]] = {}
    for mark in marks:
        target = sections.setdefault(keys[mark["office_id"]], _empty())
        if mark["candidate_id"] is not None:
            target[mark["kind"]].append(numbers[mark["candidate_id"]])
        else:
            target["write_in"].append(mark["write_in"])
    illegible = [r.by_label[label].key for label in entry.illegible]
    return _finish(sections, illegible)


def readings_of_records(session: Session, election_id: int) -> dict[str, Reading]:
    """Pass 1: the canonical reading of every entered (counted) ballot of the election, by
    serial, rebuilt from ``ballot_record``/``section_record``/``mark`` (a few queries over
    the whole election: no list of ids is sent, so any number of ballots works)."""
    serial_of = dict(
        session.exec(
            select(BallotRecord.id, BallotRecord.serial).where(
                BallotRecord.election_id == election_id
            )
        ).all()
    )
    if not serial_of:
        return {}
    keys = dict(
        session.exec(select(Office.id, Office.key).where(Office.election_id == election_id)).all()
    )
    numbers = candidate_numbers(session, election_id)
    sections: dict[str, dict[str, dict[str, list[Any]]]] = {s: {} for s in serial_of.values()}
    illegible: dict[str, list[str]] = {s: [] for s in serial_of.values()}
    for record_id, office_id, kind, cand_id in session.exec(
        select(Mark.record_id, Mark.office_id, Mark.kind, Mark.candidate_id).where(
            Mark.election_id == election_id, col(Mark.candidate_id).is_not(None)
        )
    ).all():
        ballot = sections[serial_of[record_id]]
        key = keys[office_id]
        target = ballot.get(key) or ballot.setdefault(key, _empty())
        assert cand_id is not None
        target[kind].append(numbers[cand_id])
    for record_id, office_id, write_in in session.exec(
        select(Mark.record_id, Mark.office_id, Mark.write_in).where(
            Mark.election_id == election_id, col(Mark.candidate_id).is_(None)
        )
    ).all():
        ballot = sections[serial_of[record_id]]
        key = keys[office_id]
        target = ballot.get(key) or ballot.setdefault(key, _empty())
        target["write_in"].append(write_in)
    for record_id, office_id in session.exec(
        select(SectionRecord.record_id, SectionRecord.office_id)
        .join(BallotRecord, col(BallotRecord.id) == col(SectionRecord.record_id))
        .where(BallotRecord.election_id == election_id, col(SectionRecord.illegible).is_(True))
    ).all():
        illegible[serial_of[record_id]].append(keys[office_id])
    return {s: _finish(sections[s], illegible[s]) for s in serial_of.values()}


def readings_of_pass(session: Session, election_id: int, pass_no: int = 2) -> dict[str, Reading]:
    """The stored readings of a second pass, by serial."""
    return {
        serial: json.loads(reading)
        for serial, reading in session.exec(
            select(BallotEntryPass.serial, BallotEntryPass.reading).where(
                BallotEntryPass.election_id == election_id, BallotEntryPass.pass_no == pass_no
            )
        ).all()
    }


def candidate_numbers(session: Session, election_id: int) -> dict[int, int]:
    """Candidate id → the ballot number printed beside the name."""
    return {
        cid: number
        for cid, number in session.exec(
            select(Candidate.id, Candidate.ballot_number).where(
                Candidate.election_id == election_id
            )
        ).all()
        if cid is not None
    }


# ------------------------------------------------------------------------------- pass 2


@dataclass(frozen=True)
class PassSummary:
    """Ballots entered in one batch of the second pass."""

    entered: int


def record_second_pass(
    db: Database,
    entries: Iterable[BallotEntry | InputError],
    *,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> PassSummary:
    """Store ballots as read by the second clerk (pass 2), all or nothing; counts nothing.

    Refused with every reason (``RollRejected``, exit 3): a malformed line, a serial never
    printed or spoiled, a serial already entered in pass 2 or twice in the batch, a name
    that is neither a candidate nor anyone on the roll, an office not on the ballot.
    ``StateError`` outside the count (the election must be in ballots printed or polling).
    """
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "ballots_printed", "polling", action=_("record ballots"))
        assert election.id is not None
        r = _resolver(session, election)
        numbers = candidate_numbers(session, election.id)
        printed = dict(
            session.exec(
                select(BallotSerial.serial, BallotSerial.state).where(
                    BallotSerial.election_id == election.id
                )
            ).all()
        )
        already = set(readings_of_pass(session, election.id))
        errors: list[InputError] = []
        rows: list[BallotEntryPass] = []
        seen: dict[str, int | None] = {}
        label = "ballots"
        digest = hashlib.sha256()
        now = datetime.now(UTC)
        for item in entries:
            if isinstance(item, InputError):
                errors.append(item)
                label = item.file or label
                continue
            label = item.file or label

            def fail(reason: str, entry: BallotEntry = item) -> None:
                errors.append(
                    InputError(
                        reason, file=entry.file, row=entry.row, column=entry.serial or "serial"
                    )
                )

            state = printed.get(item.serial)
            if state is None:
                fail(
                    _("serial {serial} was never printed for this election").format(
                        serial=item.serial
                    )
                )
                continue
            if state == "spoiled":
                fail(_("ballot {serial} was recorded as spoiled").format(serial=item.serial))
                continue
            if item.serial in already:
                fail(
                    _("ballot {serial} is already entered in the second pass").format(
                        serial=item.serial
                    )
                )
                continue
            if item.serial in seen:
                fail(
                    _("ballot {serial} appears twice (also at row {row})").format(
                        serial=item.serial, row=seen[item.serial]
                    )
                )
                continue
            seen[item.serial] = item.row
            try:
                reading = reading_of_entry(r, item, numbers)
            except ValueError as error:
                fail(str(error))
                continue
            text = canonical_json(reading)
            digest.update(canonical_json([item.serial, reading]).encode("utf-8"))
            rows.append(
                BallotEntryPass(
                    election_id=election.id,
                    serial=item.serial,
                    pass_no=2,
                    reading=text,
                    entered_at=now,
                    operator=operator,
                )
            )
        if errors:
            errors.sort(key=lambda e: e.row or 0)
            raise RollRejected(label, errors, skip_hint=False)
        session.add_all(rows)
        append_event(
            session,
            "count.record_pass2",
            {
                "election": election.id,
                "ballots": [row.serial for row in rows] if len(rows) <= 50 else len(rows),
                "digest": digest.hexdigest(),
            },
            operator=operator,
            community_id=election.community_id,
        )
        return PassSummary(len(rows))


def undo_second_pass(
    db: Database,
    serial: str,
    *,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> str:
    """Take back a second-pass entry made by mistake (before the count), by serial; logged.

    Raises ``InputError`` when the serial has no second-pass entry, ``StateError`` after the
    count.
    """
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "ballots_printed", "polling", action=_("undo a ballot"))
        row = session.exec(
            select(BallotEntryPass).where(
                BallotEntryPass.election_id == election.id,
                BallotEntryPass.serial == serial,
                BallotEntryPass.pass_no == 2,
            )
        ).first()
        if row is None:
            raise InputError(
                _("no ballot {serial} has been entered in the second pass").format(serial=serial),
                column="serial",
            )
        session.delete(row)
        append_event(
            session,
            "count.undo_pass2",
            {"election": election.id, "serial": serial},
            operator=operator,
            community_id=election.community_id,
        )
        return serial


# ------------------------------------------------------------------------------ reconcile


@dataclass(frozen=True)
class Difference:
    """One serial whose two entries differ, or that only one pass entered (the other
    reading is None); ``resolved``: the paper has been re-read and the count agrees."""

    serial: str
    first: Reading | None
    second: Reading | None
    resolved: bool


@dataclass(frozen=True)
class Reconciliation:
    """Both passes compared: ``first``/``second`` ballots entered in each, ``agreeing``
    serials read the same, ``differences`` (resolved and not), ``unresolved`` count."""

    second_pass: bool
    first: int
    second: int
    agreeing: int
    differences: tuple[Difference, ...]

    @property
    def unresolved(self) -> int:
        """How many differences still need the paper re-read."""
        return sum(1 for d in self.differences if not d.resolved)


def _resolutions(session: Session, election_id: int) -> dict[str, str]:
    """serial → the reading (canonical JSON) of its latest resolution."""
    latest: dict[str, str] = {}
    for serial, reading in session.exec(
        select(BallotEntryResolution.serial, BallotEntryResolution.reading)
        .where(BallotEntryResolution.election_id == election_id)
        .order_by(col(BallotEntryResolution.id))
    ).all():
        latest[serial] = reading
    return latest


def compare(session: Session, election: Election) -> Reconciliation:
    """Compare pass 1 (the counted records) with pass 2 for ``election``.

    A difference is resolved when its latest resolution's reading equals what pass 1 now
    holds (so a later change of the counted record reopens it).
    """
    assert election.id is not None
    second = readings_of_pass(session, election.id)
    if not second:
        first_n = int(
            session.exec(
                select(func.count())
                .select_from(BallotRecord)
                .where(BallotRecord.election_id == election.id)
            ).one()
        )
        return Reconciliation(False, first_n, 0, 0, ())
    first = readings_of_records(session, election.id)
    resolved = _resolutions(session, election.id)
    differences: list[Difference] = []
    agreeing = 0
    for serial in sorted(set(first) | set(second)):
        a, b = first.get(serial), second.get(serial)
        if a is not None and a == b:
            agreeing += 1
            continue
        done = a is not None and resolved.get(serial) == canonical_json(a)
        differences.append(Difference(serial, a, b, done))
    return Reconciliation(True, len(first), len(second), agreeing, tuple(differences))


def reconcile(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> Reconciliation:
    """The double-entry comparison of an election (read only)."""
    with db.read() as session:
        election = find_election(session, community, election_id)
        return compare(session, election)


def require_reconciled(session: Session, election: Election) -> None:
    """Refuse the count while a double-entry difference is unresolved (only once a second
    pass exists for the election). Raises ``StateError`` (exit 6) naming how many."""
    result = compare(session, election)
    if result.second_pass and result.unresolved:
        raise StateError(
            _(
                "{n} ballots were read differently by the two clerks or entered by only one of "
                "them, and are not resolved. Re-read those paper ballots and resolve each "
                "(juwei count reconcile) before counting."
            ).format(n=result.unresolved)
        )


def _entry_from_reading(serial: str, box: str, reading: Reading) -> BallotEntry:
    sections = {
        key: (
            tuple(str(n) for n in marks["for"]),
            tuple(str(n) for n in marks["against"]),
            tuple(str(n) for n in marks["write_in"]),
        )
        for key, marks in reading["sections"].items()
    }
    return BallotEntry(serial, box, sections, tuple(reading["illegible"]), "reconcile", 1)


def _take_back(session: Session, record: BallotRecord) -> None:
    for mark in session.exec(select(Mark).where(Mark.record_id == record.id)).all():
        session.delete(mark)
    for section in session.exec(
        select(SectionRecord).where(SectionRecord.record_id == record.id)
    ).all():
        session.delete(section)
    session.flush()
    session.delete(record)
    session.flush()


@dataclass(frozen=True)
class Resolution:
    """A resolved difference: the paper's reading, which pass it agreed with (0: neither),
    and whether the counted record was corrected."""

    serial: str
    reading: Reading
    accepted_pass: int
    corrected: bool


def resolve(
    db: Database,
    serial: str,
    *,
    accept: int | None = None,
    paper: BallotEntry | None = None,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> Resolution:
    """Resolve one double-entry difference after the paper ballot was re-read.

    Give exactly one of ``accept`` (1 or 2: that clerk read the paper right) or ``paper``
    (what the paper shows, when neither did). When the paper differs from pass 1 the counted
    record is taken back and entered again as the paper shows (judged under the pinned
    charter like any ballot). Raises ``InputError`` for a serial that is not a difference, a
    pass that has no entry for it, or a paper reading that cannot be entered;
    ``StateError`` after the count.
    """
    if (accept is None) == (paper is None):
        raise InputError(_("give either --accept 1|2 or --paper, not both or neither"))
    if accept is not None and accept not in (1, 2):
        raise InputError(_("--accept must be 1 or 2"), column="accept")
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "ballots_printed", "polling", action=_("resolve a difference"))
        assert election.id is not None
        result = compare(session, election)
        found = next((d for d in result.differences if d.serial == serial), None)
        if found is None:
            raise InputError(
                _("ballot {serial} is not a difference between the two entries").format(
                    serial=serial
                ),
                column="serial",
            )
        if accept is not None:
            chosen = found.first if accept == 1 else found.second
            if chosen is None:
                raise InputError(
                    _("pass {n} has no entry for ballot {serial}").format(n=accept, serial=serial),
                    column="accept",
                )
            reading = chosen
        else:
            assert paper is not None
            r = _resolver(session, election)
            try:
                reading = reading_of_entry(r, paper, candidate_numbers(session, election.id))
            except ValueError as error:
                raise InputError(str(error), column="paper") from None
        agreed = 1 if reading == found.first else 2 if reading == found.second else 0
        corrected = reading != found.first
        digests: dict[str, str] = {}
        if corrected:
            record = session.exec(
                select(BallotRecord).where(
                    BallotRecord.election_id == election.id, BallotRecord.serial == serial
                )
            ).first()
            box = paper.box if paper is not None and paper.box else ""
            if record is not None:
                box = box or record.box
                _take_back(session, record)
            batch = _Batch(session, election, _resolver(session, election))
            batch.add([_entry_from_reading(serial, box, reading)])
            if batch.errors:
                raise RollRejected(serial, batch.errors, skip_hint=False)
            digests = dict(getattr(batch, "ballot_digests", {}))
        session.add(
            BallotEntryResolution(
                election_id=election.id,
                serial=serial,
                reading=canonical_json(reading),
                accepted_pass=agreed,
                resolved_at=datetime.now(UTC),
                operator=operator,
            )
        )
        append_event(
            session,
            "count.reconcile",
            {
                "election": election.id,
                "serial": serial,
                "paper": reading,
                "accepted_pass": agreed,
                "corrected": corrected,
                # a corrected ballot replaces the counted record (like count.undo then
                # count.record): its new per-ballot digest, for audit verify
                "ballot_digests": digests,
            },
            operator=operator,
            community_id=election.community_id,
        )
        return Resolution(serial, reading, agreed, corrected)


def describe(
    reading: Reading | None, names: dict[str, dict[int, str]], titles: dict[str, str]
) -> Iterator[str]:
    """Lines describing a reading for people: ``委员: for 1 张三, 3 王五; against …``.

    ``names``: office key → ballot number → name; ``titles``: office key → title. Yields
    nothing for a blank ballot.
    """
    if reading is None:
        return
    order = list(titles)
    for key, marks in sorted(
        reading["sections"].items(),
        key=lambda item: order.index(item[0]) if item[0] in order else len(order),
    ):
        parts = []
        for kind, word in (("for", _("for")), ("against", _("against"))):
            if marks[kind]:
                shown = ", ".join(f"{n} {names.get(key, {}).get(n, '?')}" for n in marks[kind])
                parts.append(f"{word} {shown}")
        if marks["write_in"]:
            parts.append(_("write-in") + " " + ", ".join(marks["write_in"]))
        yield f"{titles.get(key, key)}: " + "; ".join(parts)
    for key in reading["illegible"]:
        yield _("{office}: illegible").format(office=titles.get(key, key))


def candidate_names(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> tuple[dict[str, dict[int, str]], dict[str, str]]:
    """(office key → ballot number → candidate name, office key → title in ballot order),
    for ``describe``."""
    from juwei.elections.models import Voter

    with db.read() as session:
        election = find_election(session, community, election_id)
        titles = dict(
            session.exec(
                select(Office.key, Office.title)
                .where(Office.election_id == election.id)
                .order_by(col(Office.position))
            ).all()
        )
        found: dict[str, dict[int, str]] = {}
        for key, number, name in session.exec(
            select(Office.key, Candidate.ballot_number, Voter.name)
            .join(Office, col(Office.id) == col(Candidate.office_id))
            .join(Voter, col(Voter.id) == col(Candidate.voter_id))
            .where(Candidate.election_id == election.id)
        ).all():
            found.setdefault(key, {})[number] = name
        return found, titles
