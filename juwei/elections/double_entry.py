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

Ballots are identified as at every step of the count by their bundle and position
(``"12-37"``, ``juwei.elections.ballot_id``), given after the boxes were opened and mixed.

``juwei count reconcile`` lists every ballot whose two readings differ and every ballot
entered in one pass only. Each is resolved by re-reading the paper ballot: the committee says
which pass read it right (``--accept 1|2``) or enters what the paper shows (``--paper``). When
the paper differs from pass 1, the counted record is corrected (taken back and entered again
as the paper shows) in the same transaction, and the resolution records who resolved it and
what the paper showed. Once a second pass exists for an election, ``juwei count run`` is
refused while any difference is unresolved.

Secrecy: ballot identities and marks only, times by the day; nothing here names a voter or
a box. Neither a second pass nor a resolution can make the records outnumber the ballots
found at the box opening.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from juwei.elections.audit import append_event, canonical_json
from juwei.elections.ballot_id import label_order, parse_ballot_label
from juwei.elections.count import (
    BallotEntry,
    _Batch,
    _resolve,
    _Resolver,
    _resolver,
    found_total,
    require_poll_closed,
    take_back,
)
from juwei.elections.db import Database
from juwei.elections.election import find_election, require_state
from juwei.elections.models import (
    BallotEntryPass,
    BallotEntryResolution,
    BallotRecord,
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


def today() -> datetime:
    """The time kept with a ballot-level entry: today at midnight UTC (the day only)."""
    return datetime.combine(datetime.now(UTC).date(), time(), UTC)


def reading_of_record(session: Session, election_id: int, record: BallotRecord) -> Reading:
    """The canonical reading of one stored (counted) ballot record."""
    keys = dict(
        session.exec(select(Office.id, Office.key).where(Office.election_id == election_id)).all()
    )
    numbers = candidate_numbers(session, election_id)
    sections: dict[str, dict[str, list[Any]]] = {}
    for office_id, kind, cand_id, write_in in session.exec(
        select(Mark.office_id, Mark.kind, Mark.candidate_id, Mark.write_in).where(
            Mark.record_id == record.id
        )
    ).all():
        target = sections.setdefault(keys[office_id], _empty())
        if cand_id is not None:
            target[kind].append(numbers[cand_id])
        else:
            target["write_in"].append(write_in)
    illegible = [
        keys[office_id]
        for office_id in session.exec(
            select(SectionRecord.office_id).where(
                SectionRecord.record_id == record.id, col(SectionRecord.illegible).is_(True)
            )
        ).all()
    ]
    return _finish(sections, illegible)


def readings_of_records(session: Session, election_id: int) -> dict[str, Reading]:
    """Pass 1: the canonical reading of every entered (counted) ballot of the election, by
    ballot (``"12-37"``), rebuilt from ``ballot_record``/``section_record``/``mark`` (a few
    queries over the whole election: no list of ids is sent, so any number of ballots works)."""
    ballot_of = dict(
        session.exec(
            select(BallotRecord.id, BallotRecord.ballot).where(
                BallotRecord.election_id == election_id
            )
        ).all()
    )
    if not ballot_of:
        return {}
    keys = dict(
        session.exec(select(Office.id, Office.key).where(Office.election_id == election_id)).all()
    )
    numbers = candidate_numbers(session, election_id)
    sections: dict[str, dict[str, dict[str, list[Any]]]] = {s: {} for s in ballot_of.values()}
    illegible: dict[str, list[str]] = {s: [] for s in ballot_of.values()}
    for record_id, office_id, kind, cand_id in session.exec(
        select(Mark.record_id, Mark.office_id, Mark.kind, Mark.candidate_id).where(
            Mark.election_id == election_id, col(Mark.candidate_id).is_not(None)
        )
    ).all():
        ballot = sections[ballot_of[record_id]]
        key = keys[office_id]
        target = ballot.get(key) or ballot.setdefault(key, _empty())
        assert cand_id is not None
        target[kind].append(numbers[cand_id])
    for record_id, office_id, write_in in session.exec(
        select(Mark.record_id, Mark.office_id, Mark.write_in).where(
            Mark.election_id == election_id, col(Mark.candidate_id).is_(None)
        )
    ).all():
        ballot = sections[ballot_of[record_id]]
        key = keys[office_id]
        target = ballot.get(key) or ballot.setdefault(key, _empty())
        target["write_in"].append(write_in)
    for record_id, office_id in session.exec(
        select(SectionRecord.record_id, SectionRecord.office_id)
        .join(BallotRecord, col(BallotRecord.id) == col(SectionRecord.record_id))
        .where(BallotRecord.election_id == election_id, col(SectionRecord.illegible).is_(True))
    ).all():
        illegible[ballot_of[record_id]].append(keys[office_id])
    return {s: _finish(sections[s], illegible[s]) for s in ballot_of.values()}


def readings_of_pass(session: Session, election_id: int, pass_no: int = 2) -> dict[str, Reading]:
    """The stored readings of a second pass, by ballot."""
    return {
        ballot: json.loads(reading)
        for ballot, reading in session.exec(
            select(BallotEntryPass.ballot, BallotEntryPass.reading).where(
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

    Refused with every reason (``RollRejected``, exit 3): a malformed line, a ballot (bundle
    and position) already entered in pass 2 or twice in the batch, a name that is neither a
    candidate nor anyone on the roll, an office not on the ballot. ``StateError`` outside the
    count, before the poll is closed, and when pass 2 would hold more ballots than were found
    at the box opening.
    """
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "ballots_printed", "polling", action=_("record ballots"))
        require_poll_closed(session, election, _("record ballots"))
        assert election.id is not None
        r = _resolver(session, election)
        numbers = candidate_numbers(session, election.id)
        already = set(readings_of_pass(session, election.id))
        errors: list[InputError] = []
        rows: list[BallotEntryPass] = []
        seen: dict[str, int | None] = {}
        label = "ballots"
        digest = hashlib.sha256()
        now = today()
        for item in entries:
            if isinstance(item, InputError):
                errors.append(item)
                label = item.file or label
                continue
            label = item.file or label

            try:
                ballot = item.ballot
            except ValueError as error:
                errors.append(InputError(str(error), file=item.file, row=item.row))
                continue

            def fail(reason: str, entry: BallotEntry = item, column: str = ballot) -> None:
                errors.append(InputError(reason, file=entry.file, row=entry.row, column=column))

            if ballot in already:
                fail(
                    _("ballot {ballot} is already entered in the second pass").format(ballot=ballot)
                )
                continue
            if ballot in seen:
                fail(
                    _("ballot {ballot} appears twice (also at row {row})").format(
                        ballot=ballot, row=seen[ballot]
                    )
                )
                continue
            seen[ballot] = item.row
            try:
                reading = reading_of_entry(r, item, numbers)
            except ValueError as error:
                fail(str(error))
                continue
            text = canonical_json(reading)
            digest.update(canonical_json([ballot, reading]).encode("utf-8"))
            rows.append(
                BallotEntryPass(
                    election_id=election.id,
                    ballot=ballot,
                    pass_no=2,
                    reading=text,
                    entered_at=now,
                    operator=operator,
                )
            )
        if errors:
            errors.sort(key=lambda e: e.row or 0)
            raise RollRejected(label, errors, skip_hint=False)
        found = found_total(session, election)
        if len(already) + len(rows) > found:
            raise StateError(
                _(
                    "The second pass would hold {total} ballots, more than the {found} ballots "
                    "found when the boxes were opened."
                ).format(total=len(already) + len(rows), found=found)
            )
        rows.sort(key=lambda row: label_order(row.ballot))  # stored in ballot order
        session.add_all(rows)
        append_event(
            session,
            "count.record_pass2",
            {
                "election": election.id,
                "ballots": [row.ballot for row in rows] if len(rows) <= 50 else len(rows),
                "digest": digest.hexdigest(),
            },
            operator=operator,
            community_id=election.community_id,
        )
        return PassSummary(len(rows))


def undo_second_pass(
    db: Database,
    ballot: str,
    *,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> str:
    """Take back a second-pass entry made by mistake (before the count), by ballot
    (``"12-37"``); logged.

    Raises ``InputError`` when the ballot has no second-pass entry, ``StateError`` after the
    count.
    """
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "ballots_printed", "polling", action=_("undo a ballot"))
        row = session.exec(
            select(BallotEntryPass).where(
                BallotEntryPass.election_id == election.id,
                BallotEntryPass.ballot == ballot,
                BallotEntryPass.pass_no == 2,
            )
        ).first()
        if row is None:
            raise InputError(
                _("no ballot {ballot} has been entered in the second pass").format(ballot=ballot),
                column="ballot",
            )
        session.delete(row)
        append_event(
            session,
            "count.undo_pass2",
            {"election": election.id, "ballot": ballot},
            operator=operator,
            community_id=election.community_id,
        )
        return ballot


# ------------------------------------------------------------------------------ reconcile


@dataclass(frozen=True)
class Difference:
    """One ballot whose two entries differ, or that only one pass entered (the other
    reading is None); ``resolved``: the paper has been re-read and the count agrees."""

    ballot: str
    first: Reading | None
    second: Reading | None
    resolved: bool


@dataclass(frozen=True)
class Reconciliation:
    """Both passes compared: ``first``/``second`` ballots entered in each, ``agreeing``
    ballots read the same, ``differences`` (resolved and not), ``unresolved`` count."""

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
    """ballot → the reading (canonical JSON) of its latest resolution."""
    latest: dict[str, str] = {}
    for ballot, reading in session.exec(
        select(BallotEntryResolution.ballot, BallotEntryResolution.reading)
        .where(BallotEntryResolution.election_id == election_id)
        .order_by(col(BallotEntryResolution.id))
    ).all():
        latest[ballot] = reading
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
    for ballot in sorted(set(first) | set(second), key=label_order):
        a, b = first.get(ballot), second.get(ballot)
        if a is not None and a == b:
            agreeing += 1
            continue
        done = a is not None and resolved.get(ballot) == canonical_json(a)
        differences.append(Difference(ballot, a, b, done))
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


def entry_from_reading(ballot: str, reading: Reading, file: str = "reconcile") -> BallotEntry:
    """The ``BallotEntry`` of a canonical reading of ballot ``"12-37"`` (``ValueError`` for
    a label that is not bundle-position)."""
    bundle, position = parse_ballot_label(ballot)
    sections = {
        key: (
            tuple(str(n) for n in marks["for"]),
            tuple(str(n) for n in marks["against"]),
            tuple(str(n) for n in marks["write_in"]),
        )
        for key, marks in reading["sections"].items()
    }
    return BallotEntry(bundle, position, sections, tuple(reading["illegible"]), file, 1)


@dataclass(frozen=True)
class Resolution:
    """A resolved difference: the paper's reading, which pass it agreed with (0: neither),
    and whether the counted record was corrected."""

    ballot: str
    reading: Reading
    accepted_pass: int
    corrected: bool


def resolve(
    db: Database,
    ballot: str,
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
    charter like any ballot). Raises ``InputError`` for a ballot that is not a difference, a
    pass that has no entry for it, or a paper reading that cannot be entered;
    ``StateError`` after the count, or when the resolution would make the records outnumber
    the ballots found at the box opening.
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
        found = next((d for d in result.differences if d.ballot == ballot), None)
        if found is None:
            raise InputError(
                _("ballot {ballot} is not a difference between the two entries").format(
                    ballot=ballot
                ),
                column="ballot",
            )
        if accept is not None:
            chosen = found.first if accept == 1 else found.second
            if chosen is None:
                raise InputError(
                    _("pass {n} has no entry for ballot {ballot}").format(n=accept, ballot=ballot),
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
                    BallotRecord.election_id == election.id, BallotRecord.ballot == ballot
                )
            ).first()
            if record is not None:
                take_back(session, record)
            batch = _Batch(session, election, _resolver(session, election))
            try:
                entry = entry_from_reading(ballot, reading)
            except ValueError as error:
                raise InputError(str(error), column="ballot") from None
            batch.add([entry])
            if batch.errors:
                raise RollRejected(ballot, batch.errors, skip_hint=False)
            digests = dict(getattr(batch, "ballot_digests", {}))
        session.add(
            BallotEntryResolution(
                election_id=election.id,
                ballot=ballot,
                reading=canonical_json(reading),
                accepted_pass=agreed,
                resolved_at=today(),
                operator=operator,
            )
        )
        append_event(
            session,
            "count.reconcile",
            {
                "election": election.id,
                "ballot": ballot,
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
        return Resolution(ballot, reading, agreed, corrected)


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
