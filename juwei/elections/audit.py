"""The append-only event log (审计日志): every change appends one SHA-256-chained event.

``append_event`` is called inside the same transaction as the change it records. The hash of
an event is ``sha256(prev_hash + canonical_json(record))`` where ``record`` holds the event's
seq, UTC time (ISO 8601), operator, kind, community id and payload. The first event chains
from 64 zeros. Payloads must never hold a full ID number or anything that links a voter to
a ballot.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from juwei.elections.models import Event

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
