"""The append-only event log (审计日志): every change appends one SHA-256-chained event.

``append_event`` is called inside the same transaction as the change it records. The hash of
an event is ``sha256(prev_hash + canonical_json(record))`` where ``record`` holds the event's
seq, UTC time (ISO 8601), operator, kind, community id and payload. The first event chains
from 64 zeros. Payloads must never hold a full ID number or anything that links a voter to
a ballot.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from juwei.elections.models import Event
from juwei.i18n import _

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no insignificant spaces, UTF-8 text (not ASCII-escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(
    prev_hash: str,
    *,
    seq: int,
    at: datetime,
    operator: str,
    kind: str,
    community_id: int | None,
    payload: str,
) -> str:
    """The SHA-256 (hex) that chains one event to ``prev_hash``."""
    record = {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(),
        "operator": operator,
        "kind": kind,
        "community_id": community_id,
        "payload": payload,
    }
    return hashlib.sha256((prev_hash + canonical_json(record)).encode("utf-8")).hexdigest()


def append_event(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    operator: str,
    community_id: int | None,
    at: datetime | None = None,
) -> Event:
    """Append one event to the log in ``session``'s transaction and return it (flushed).

    ``kind``: dotted name such as ``"roll.import"``; ``payload``: JSON-serialisable dict.
    """
    last = session.exec(select(Event).order_by(col(Event.seq).desc()).limit(1)).first()
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    when = (at or datetime.now(UTC)).astimezone(UTC)
    body = canonical_json(payload)
    digest = event_hash(
        prev,
        seq=seq,
        at=when,
        operator=operator,
        kind=kind,
        community_id=community_id,
        payload=body,
    )
    event = Event(
        seq=seq,
        at=when,
        operator=operator,
        kind=kind,
        community_id=community_id,
        payload=body,
        prev_hash=prev,
        hash=digest,
    )
    session.add(event)
    session.flush()
    return event


def event_count(session: Session) -> int:
    """Number of events in the log."""
    return int(session.exec(select(func.count()).select_from(Event)).one())


@dataclass(frozen=True)
class EventView:
    """One event as ``juwei audit log`` shows it (payload as canonical JSON text)."""

    seq: int
    at: datetime
    operator: str
    kind: str
    payload: str


def read_log(
    session: Session,
    *,
    community_id: int | None = None,
    election_id: int | None = None,
    kind: str | None = None,
) -> list[EventView]:
    """The events in sequence order, filtered by community, election (its payload's
    ``election``) and kind prefix (``"poll"`` matches ``poll.issue``)."""
    stmt = select(Event).order_by(col(Event.seq))
    if community_id is not None:
        stmt = stmt.where(Event.community_id == community_id)
    out: list[EventView] = []
    for event in session.exec(stmt).all():
        if kind is not None and not (event.kind == kind or event.kind.startswith(kind + ".")):
            continue
        if election_id is not None and json.loads(event.payload).get("election") != election_id:
            continue
        out.append(EventView(event.seq, event.at, event.operator, event.kind, event.payload))
    return out


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of checking the hash chain: ``ok``, events checked, and the first
    sequence number at which the chain breaks with what is wrong (``None`` when whole)."""

    ok: bool
    events: int
    broken_at: int | None
    problem: str | None


def verify_chain(session: Session) -> ChainCheck:
    """Recompute every event's SHA-256 from its content and the previous hash.

    Detects an event changed (its hash no longer matches), removed or reordered (a gap in
    the sequence, or a ``prev_hash`` that is not the previous event's hash).
    """
    previous = GENESIS
    expected_seq = 1
    count = 0
    for event in session.exec(select(Event).order_by(col(Event.seq))).all():
        count += 1
        if event.seq != expected_seq:
            return ChainCheck(
                False,
                count,
                event.seq,
                _("event {seq} follows event {before}: an event was removed or reordered").format(
                    seq=event.seq, before=expected_seq - 1
                ),
            )
        if event.prev_hash != previous:
            return ChainCheck(
                False,
                count,
                event.seq,
                _("event {seq} does not chain to the event before it").format(seq=event.seq),
            )
        digest = event_hash(
            event.prev_hash,
            seq=event.seq,
            at=event.at,
            operator=event.operator,
            kind=event.kind,
            community_id=event.community_id,
            payload=event.payload,
        )
        if digest != event.hash:
            return ChainCheck(
                False,
                count,
                event.seq,
                _("event {seq} ({kind}) was changed after it was written").format(
                    seq=event.seq, kind=event.kind
                ),
            )
        previous = event.hash
        expected_seq += 1
    return ChainCheck(True, count, None, None)


# ------------------------------------------------------------------ per-ballot digests (issue 5)

BallotMark = tuple[str, str, int | None, str | None]
"""One mark of a returned ballot as the log records it: (office key, kind ``for`` | ``against``
| ``write_in``, the candidate's ballot number or None, the written-in name or None)."""


def ballot_digest(
    ballot: str, marks: list[BallotMark], illegible: list[str], *, legacy_box: str | None = None
) -> str:
    """The digest the ``count.record`` event keeps of one returned ballot (16 hex digits).

    ``sha256(canonical_json([ballot, sorted marks, sorted illegible office keys]))``, first
    16 hex digits; ``ballot`` is the identity given at the count (``"12-37"``); a mark is
    ``[office_key, kind, number_or_null, write_in_or_null]`` and marks sort by (office key,
    kind, number or -1, write-in or ""). It holds the ballot and the marks only — never the
    voter, never a box — so that ``juwei audit verify`` can name a ballot whose stored marks
    were changed. ``illegible``: the offices whose section is stored as ruled illegible.
    ``legacy_box``: for a ballot recorded before juwei 0.9 by serial and box, whose digest was
    ``canonical_json([serial, box, marks, illegible])``.
    """
    ordered = sorted(marks, key=lambda m: (m[0], m[1], -1 if m[2] is None else m[2], m[3] or ""))
    listed = [list(m) for m in ordered]
    body = canonical_json(
        [ballot, listed, sorted(illegible)]
        if legacy_box is None
        else [ballot, legacy_box, listed, sorted(illegible)]
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------ the published head (issue 11)


@dataclass(frozen=True)
class Head:
    """The head of the event chain: the newest event's sequence number and SHA-256 (hex).

    Written ``SEQ:HASH``. The committee publishes it with the announcement and gives it to
    the street office; ``juwei audit verify --head SEQ:HASH`` later proves that the log
    still holds that event and, through the chain, everything before it, unchanged.
    """

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def chain_head(session: Session) -> Head | None:
    """The newest event of the log as a :class:`Head`; None for an empty log."""
    last = session.exec(select(Event).order_by(col(Event.seq).desc()).limit(1)).first()
    return None if last is None else Head(last.seq, last.hash)


def parse_head(text: str) -> Head:
    """Read ``SEQ:HASH`` (a positive sequence number, 64 hex digits, any case).

    Raises ``InputError`` naming ``--head`` and what is wrong.
    """
    from juwei.errors import InputError

    seq, sep, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if (
        not sep
        or not seq.strip().isdigit()
        or len(seq.strip()) > 18
        or int(seq) < 1
        or len(digest) != 64
        or any(ch not in "0123456789abcdef" for ch in digest)
    ):
        raise InputError(
            _(
                "--head: expected SEQ:HASH as juwei audit head prints it (an event number, "
                "a colon and 64 hexadecimal digits)"
            )
        )
    return Head(int(seq), digest)


def head_problem(chain: Iterable[tuple[int, str]], head: Head) -> str | None:
    """Why the log ``chain`` (``(seq, hash)`` in sequence order) does not hold ``head``;
    None when it holds it. The chain itself is checked elsewhere (``verify_chain``): a
    whole chain that holds the head's event with the head's hash holds, unchanged, every
    event before it."""
    last = 0
    for seq, digest in chain:
        last = seq
        if seq == head.seq:
            if digest == head.hash:
                return None
            return _(
                "the published head {head} is missing: event {seq} now has the hash {found}; "
                "the log was rewritten"
            ).format(head=head, seq=seq, found=digest[:16] + "…")
    return _(
        "the published head {head} is missing: the log ends at event {last}; events were removed"
    ).format(head=head, last=last)


def chain_hashes(session: Session) -> list[tuple[int, str]]:
    """Every event's ``(seq, hash)`` in sequence order."""
    return [
        (int(seq), str(digest))
        for seq, digest in session.execute(
            select(Event.seq, Event.hash).order_by(col(Event.seq))
        ).all()
    ]


def package_hashes(events_jsonl: Path) -> list[tuple[int, str]]:
    """``(seq, hash)`` of every line of an audit package's ``events.jsonl`` that carries
    both (lines that do not are left to the package's chain check to name)."""
    out: list[tuple[int, str]] = []
    try:
        lines = events_jsonl.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return out
    for line in lines:
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(record, dict):
            seq, digest = record.get("seq"), record.get("hash")
            if isinstance(seq, int) and isinstance(digest, str):
                out.append((seq, digest))
    return out
