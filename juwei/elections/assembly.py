"""Sittings of the residents' representatives' assembly (居民代表会议), recorded and decided.

A sitting on a day has as its base the representatives serving that day (groups and units,
``juwei.elections.representatives.serving_count``), frozen in the record. Whether it had its
quorum and whether the matter put to it (if any) was adopted is decided by
``juwei.rules.assembly.decide_sitting`` under the community's charter, ``[assembly]`` (the
profiles: S4 art 26 by analogy — two thirds or more present, more than half of those present
for a decision), and the charter is pinned to the record so that a later change of the
charter does not change what a past sitting decided.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from juwei.elections.audit import append_event
from juwei.elections.community import community_charter, find_community
from juwei.elections.db import Database
from juwei.elections.models import AssemblySitting, CharterPin
from juwei.elections.representatives import serving_count
from juwei.errors import InputError, NotFoundError, StateError
from juwei.i18n import _
from juwei.rules.assembly import MatterVotes, SittingDecision, decide_sitting
from juwei.rules.charter import Charter


@dataclass(frozen=True)
class SittingInfo:
    """A recorded sitting: ``id``, ``day``, ``serving`` (the base), ``present``, the
    ``matter`` and its ``votes`` (None when no matter was put), and the ``decision``."""

    id: int
    day: date
    serving: int
    present: int
    matter: str | None
    votes: MatterVotes | None
    decision: SittingDecision


def _check_count(value: int | None, option: str) -> None:
    if value is not None and value < 0:
        raise InputError(
            _("{option} cannot be negative: {n}").format(option=option, n=value), column=option
        )


def record_sitting(
    db: Database,
    *,
    on: date,
    present: int,
    matter: str | None = None,
    votes_for: int | None = None,
    votes_against: int | None = None,
    abstain: int | None = None,
    community: str | None = None,
    operator: str,
) -> SittingInfo:
    """Record a sitting of the representatives' assembly on ``on`` with ``present``
    representatives, and the matter put to it (``matter`` with ``votes_for`` and
    ``votes_against``; ``abstain`` defaults to 0); decide its quorum and resolution.

    Raises ``InputError`` for a negative count, more present than serving on the day, votes
    without a matter or a matter without votes, more votes than present, an empty matter;
    ``StateError`` when no representative serves on the day or the charter has no
    ``[assembly]`` rule. One transaction, one ``assembly.sit`` event.
    Source: ``[assembly]`` (profiles: S4 art 26 by analogy; S5 art 1259).
    """
    for value, option in (
        (present, "--present"),
        (votes_for, "--for"),
        (votes_against, "--against"),
        (abstain, "--abstain"),
    ):
        _check_count(value, option)
    has_votes = votes_for is not None or votes_against is not None or abstain is not None
    if matter is not None and not matter.strip():
        raise InputError(_("the matter is empty"), column="--matter")
    if has_votes and matter is None:
        raise InputError(
            _("votes were given without the matter they are on: add --matter TEXT"),
            column="--matter",
        )
    if matter is not None and (votes_for is None or votes_against is None):
        raise InputError(
            _("a matter needs its votes: --for N --against N [--abstain N]"), column="--for"
        )
    votes = (
        None if matter is None else MatterVotes(votes_for or 0, votes_against or 0, abstain or 0)
    )
    with db.write() as session:
        comm = find_community(session, community)
        assert comm.id is not None
        charter = community_charter(session, comm)
        if charter.assembly is None:
            raise StateError(
                _(
                    "The charter {name} has no [assembly] rule (quorum and majority of the "
                    "representatives' assembly): add it to the charter first."
                ).format(name=charter.name)
            )
        serving = serving_count(session, comm, on=on)
        if serving == 0:
            raise StateError(
                _(
                    "No residents' representative serves on {day}: the assembly cannot sit "
                    "(juwei representatives list)."
                ).format(day=on.isoformat())
            )
        if present > serving:
            raise InputError(
                _("{present} present, but only {serving} representatives serve on {day}").format(
                    present=present, serving=serving, day=on.isoformat()
                ),
                column="--present",
            )
        if votes is not None and votes.cast > present:
            raise InputError(
                _("{cast} votes (for, against, abstaining) but only {present} present").format(
                    cast=votes.cast, present=present
                ),
                column="--for",
            )
        decision = decide_sitting(charter, serving=serving, present=present, votes=votes)
        row = AssemblySitting(
            community_id=comm.id,
            charter_id=comm.charter_id,
            day=on,
            serving=serving,
            present=present,
            matter=None if matter is None else matter.strip(),
            votes_for=None if votes is None else votes.for_,
            votes_against=None if votes is None else votes.against,
            abstain=None if votes is None else votes.abstain,
            quorate=decision.quorate,
            resolution=None if decision.resolution is None else decision.resolution.value,
            rule=decision.rule,
            source=decision.source,
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        append_event(
            session,
            "assembly.sit",
            {
                "sitting": row.id,
                "on": on.isoformat(),
                "serving": serving,
                "present": present,
                "matter": row.matter,
                "votes": None
                if votes is None
                else {"for": votes.for_, "against": votes.against, "abstain": votes.abstain},
                "quorate": decision.quorate,
                "resolution": row.resolution,
                "rule": decision.rule,
            },
            operator=operator,
            community_id=comm.id,
        )
        return SittingInfo(row.id, on, serving, present, row.matter, votes, decision)


def _info(session: Session, row: AssemblySitting) -> SittingInfo:
    pin = session.get(CharterPin, row.charter_id)
    assert pin is not None and row.id is not None
    charter = Charter.from_canonical_json(pin.canonical_json)
    votes = (
        None
        if row.matter is None
        else MatterVotes(row.votes_for or 0, row.votes_against or 0, row.abstain or 0)
    )
    decision = decide_sitting(charter, serving=row.serving, present=row.present, votes=votes)
    return SittingInfo(row.id, row.day, row.serving, row.present, row.matter, votes, decision)


def list_sittings(db: Database, *, community: str | None = None) -> list[SittingInfo]:
    """Every recorded sitting of the community, oldest first, each decided again under the
    charter pinned to it (the same decision as when it was recorded)."""
    with db.read() as session:
        comm = find_community(session, community)
        rows = session.exec(
            select(AssemblySitting)
            .where(AssemblySitting.community_id == comm.id)
            .order_by(col(AssemblySitting.day), col(AssemblySitting.id))
        ).all()
        return [_info(session, row) for row in rows]


def find_sitting(db: Database, sitting_id: int, *, community: str | None = None) -> SittingInfo:
    """The recorded sitting ``sitting_id`` of the community (``NotFoundError`` if none): the
    sitting whose representatives' verdicts an evaluation (考评) takes, with its frozen base."""
    with db.read() as session:
        comm = find_community(session, community)
        row = session.get(AssemblySitting, sitting_id)
        if row is None or row.community_id != comm.id:
            raise NotFoundError(
                _("No sitting {id} of the representatives' assembly in this community.").format(
                    id=sitting_id
                )
            )
        return _info(session, row)
