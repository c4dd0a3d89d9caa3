"""Members (成员) of the residents' committee and how a membership ends.

A membership ends by recall (罢免), resignation (辞职, accepted by the committee), or
termination (终止: criminal sentence, loss of capacity, death, or grounds the charter adds).
Every way goes through ``end_membership``: it sets ``member.ended_on`` / ``member.end_reason``
(a vacancy is a member whose ``ended_on`` is before ``term_end``), keeps the written reason in
``membership_end`` and appends a ``member.end`` event, all in the caller's transaction.

A membership that ends before the recall vote day while a recall petition against the member
is still open also ends that petition (charter ``recall.resignation.ends_recall``: a member who
resigns before the vote ends the recall; a member who died or was removed otherwise cannot be
recalled either). On or after the vote day the recall goes on to its result; a passed recall
of a member who has already left changes nothing more.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from juwei.elections.audit import append_event
from juwei.elections.community import community_charter, find_community
from juwei.elections.db import Database
from juwei.elections.models import (
    Community,
    Election,
    Member,
    MembershipEnd,
    RecallPetition,
    Voter,
)
from juwei.errors import InputError, NotFoundError, StateError
from juwei.i18n import _

OPEN_PETITION_STATES = ("filed", "sufficient")
"""Petition states in which a recall is still under way (not decided against, not voted)."""


class EndCause(StrEnum):
    """Why a membership ended (``member.end_reason``)."""

    RECALLED = "recalled"
    """罢免: a recall vote passed."""
    RESIGNED = "resigned"
    """辞职: the member resigned and the committee accepted it."""
    TERMINATED_SENTENCE = "terminated_sentence"
    """被判处刑罚 (charter ``termination.causes``: criminal_sentence)."""
    TERMINATED_CAPACITY = "terminated_capacity"
    """丧失行为能力 (loss_of_capacity)."""
    DECEASED = "deceased"
    """死亡 (death)."""
    TERMINATED_UNFIT = "terminated_unfit"
    """连续两次考核不称职 (unfit_ratings)."""
    TERMINATED_OTHER = "terminated_other"
    """Other grounds the charter adds."""


def cause_label(cause: str) -> str:
    """The cause in words, for the terminal and PDFs."""
    labels: dict[str, str] = {
        EndCause.RECALLED: _("recalled"),
        EndCause.RESIGNED: _("resigned"),
        EndCause.TERMINATED_SENTENCE: _("terminated: criminal sentence"),
        EndCause.TERMINATED_CAPACITY: _("terminated: loss of capacity"),
        EndCause.DECEASED: _("deceased"),
        EndCause.TERMINATED_UNFIT: _("terminated: unfit ratings"),
        EndCause.TERMINATED_OTHER: _("terminated: other grounds"),
    }
    return labels.get(cause, cause)


@dataclass(frozen=True)
class MemberInfo:
    """A member as listed: id, name, office, term and, when ended, the date and cause."""

    id: int
    name: str
    office_key: str
    office: str
    term_start: date
    term_end: date
    ended_on: date | None
    end_reason: str | None

    @property
    def serving(self) -> bool:
        """True when the membership has not ended."""
        return self.ended_on is None


def member_info(session: Session, member: Member) -> MemberInfo:
    """The listing view of one member."""
    voter = session.get(Voter, member.voter_id)
    assert voter is not None and member.id is not None
    return MemberInfo(
        id=member.id,
        name=voter.name,
        office_key=member.office_key,
        office=member.office_title,
        term_start=member.term_start,
        term_end=member.term_end,
        ended_on=member.ended_on,
        end_reason=member.end_reason,
    )


def member_name(session: Session, member: Member) -> str:
    """The member's name from the roll."""
    voter = session.get(Voter, member.voter_id)
    assert voter is not None
    return voter.name


def find_member(session: Session, community: Community, spec: str) -> Member:
    """The member named by ``spec``: a member id (digits) or a name.

    A name must match exactly one serving member, or, when no serving member has that name,
    exactly one former member (so that acting on a former member gives a clear error later).
    Raises ``NotFoundError`` when nothing matches, ``InputError`` when a name is ambiguous.
    """
    text = spec.strip()
    if text.isdigit():
        member = session.get(Member, int(text))
        if member is None or member.community_id != community.id:
            raise NotFoundError(_("No member {id} in this community.").format(id=text))
        return member
    rows = session.exec(
        select(Member)
        .join(Voter, col(Voter.id) == col(Member.voter_id))
        .where(Member.community_id == community.id, Voter.name == text)
        .order_by(col(Member.id))
    ).all()
    if not rows:
        raise NotFoundError(_("No member named {name} in this community.").format(name=text))
    serving = [m for m in rows if m.ended_on is None]
    pool = serving or list(rows)
    if len(pool) > 1:
        raise InputError(
            _("Several members are named {name}: give the member id ({ids}).").format(
                name=text, ids=", ".join(str(m.id) for m in pool)
            ),
            column="MEMBER",
        )
    return pool[0]


def require_serving(session: Session, member: Member, *, on: date) -> None:
    """Raise ``StateError`` unless ``member`` is serving on ``on`` (term started, not ended)."""
    name = member_name(session, member)
    if member.ended_on is not None:
        raise StateError(
            _("{name} is a former member: the membership ended on {day} ({cause}).").format(
                name=name,
                day=member.ended_on.isoformat(),
                cause=cause_label(member.end_reason or ""),
            )
        )
    if on < member.term_start:
        raise StateError(
            _("{on} is before {name}'s term began on {start}.").format(
                on=on.isoformat(), name=name, start=member.term_start.isoformat()
            )
        )
    if on > member.term_end:
        raise StateError(
            _("{name}'s term ended on {end}: {name} is not a serving member on {on}.").format(
                name=name, end=member.term_end.isoformat(), on=on.isoformat()
            )
        )


def end_membership(
    session: Session,
    member: Member,
    *,
    on: date,
    cause: str,
    reason: str,
    operator: str,
    petition_id: int | None = None,
) -> Member:
    """End ``member``'s membership on ``on`` (the day it takes effect) for ``cause``.

    ``cause`` is an ``EndCause`` value; ``reason`` the written reason (required). Sets
    ``ended_on`` / ``end_reason``, records a ``membership_end`` row, ends any open recall
    petition against the member (except the one that recalled them) and appends a
    ``member.end`` event, in ``session``'s transaction. Raises ``InputError`` for an unknown
    cause or an empty reason; ``StateError`` when the member already left or ``on`` is before
    the term began or after it ended.
    """
    if cause not in {c.value for c in EndCause}:
        raise InputError(_("unknown cause {cause}").format(cause=cause), column="cause")
    if not reason.strip():
        raise InputError(_("a written reason is required"), column="reason")
    require_serving(session, member, on=on)
    assert member.id is not None
    _require_not_before_open_petition(session, member, on=on, petition_id=petition_id)
    member.ended_on = on
    member.end_reason = cause
    session.add(member)
    session.add(
        MembershipEnd(
            member_id=member.id,
            cause=cause,
            reason=reason.strip(),
            effective_on=on,
            petition_id=petition_id,
            recorded_at=datetime.now(UTC),
        )
    )
    ended_petitions: list[int] = []
    for petition in session.exec(
        select(RecallPetition).where(
            RecallPetition.member_id == member.id,
            col(RecallPetition.state).in_(OPEN_PETITION_STATES),
        )
    ).all():
        if petition.id == petition_id:
            continue
        assert petition.id is not None
        if not _ends_recall(session, member, petition, on=on, cause=cause):
            continue
        petition.state = "ended"
        petition.ended_on = on
        petition.end_note = cause
        session.add(petition)
        ended_petitions.append(petition.id)
    append_event(
        session,
        "member.end",
        {
            "member": member.id,
            "name": member_name(session, member),
            "office": member.office_key,
            "on": on.isoformat(),
            "cause": cause,
            "reason": reason.strip(),
            "petition": petition_id,
            "petitions_ended": ended_petitions,
        },
        operator=operator,
        community_id=member.community_id,
    )
    session.flush()
    return member


def _require_not_before_open_petition(
    session: Session, member: Member, *, on: date, petition_id: int | None
) -> None:
    """Raise ``InputError`` (``--on``) when ``on`` is before the filing day of an open recall
    petition against ``member`` (other than ``petition_id``, the recall ending it): the
    petition was filed against a serving member, so the membership cannot have ended before."""
    earliest = session.exec(
        select(RecallPetition)
        .where(
            RecallPetition.member_id == member.id,
            col(RecallPetition.state).in_(OPEN_PETITION_STATES),
            RecallPetition.filed_on > on,
            col(RecallPetition.id) != petition_id,
        )
        .order_by(col(RecallPetition.filed_on))
    ).first()
    if earliest is None:
        return
    raise InputError(
        _(
            "{on} is before recall petition {id} against {name} was filed on {filed}: a "
            "membership cannot end before an open petition against it was filed"
        ).format(
            on=on.isoformat(),
            id=earliest.id,
            name=member_name(session, member),
            filed=earliest.filed_on.isoformat(),
        ),
        column="--on",
    )


def _ends_recall(
    session: Session, member: Member, petition: RecallPetition, *, on: date, cause: str
) -> bool:
    """Whether a membership ending on ``on`` ends the open recall ``petition``: only before
    the recall vote is held; a resignation only as ``[recall.resignation]`` says (V1)."""
    from juwei.rules.recall import resignation_ends_recall

    vote_day = None
    if petition.vote_election_id is not None:
        vote = session.get(Election, petition.vote_election_id)
        if vote is not None and vote.state != "void":
            vote_day = vote.day
    if cause == EndCause.RESIGNED:
        comm = session.get(Community, member.community_id)
        assert comm is not None
        charter = community_charter(session, comm)
        return resignation_ends_recall(charter, resigned_on=on, vote_day=vote_day)
    return vote_day is None or on < vote_day


def list_members(
    db: Database, *, community: str | None = None, include_former: bool = True
) -> list[MemberInfo]:
    """The community's members, serving first (by office rank, then id), then former ones."""
    rank = {"director": 0, "deputy": 1, "member": 2}
    with db.read() as session:
        comm = find_community(session, community)
        rows = session.exec(
            select(Member).where(Member.community_id == comm.id).order_by(col(Member.id))
        ).all()
        infos = [member_info(session, m) for m in rows]
    if not include_former:
        infos = [i for i in infos if i.serving]
    return sorted(infos, key=lambda i: (not i.serving, rank.get(i.office_key, 9), i.id))


TERMINATE_CAUSES = {
    "sentence": EndCause.TERMINATED_SENTENCE,
    "capacity": EndCause.TERMINATED_CAPACITY,
    "death": EndCause.DECEASED,
    "unfit": EndCause.TERMINATED_UNFIT,
    "other": EndCause.TERMINATED_OTHER,
}
"""``juwei members terminate --cause`` words → ``EndCause``."""

_CHARTER_CAUSE = {
    "sentence": "criminal_sentence",
    "capacity": "loss_of_capacity",
    "death": "death",
    "unfit": "unfit_ratings",
}


def resign(
    db: Database,
    spec: str,
    *,
    on: date,
    reason: str,
    community: str | None = None,
    operator: str,
) -> MemberInfo:
    """Record a resignation (辞职) accepted by the committee, effective ``on``.

    An open recall against the member ends (charter ``recall.resignation.ends_recall``); when
    the charter says the recall goes on, the resignation is refused while a recall is open
    (``StateError``). Errors as ``end_membership``.
    """
    with db.write() as session:
        comm = find_community(session, community)
        member = find_member(session, comm, spec)
        charter = community_charter(session, comm)
        if not charter.recall.resignation.ends_recall:
            open_petition = session.exec(
                select(RecallPetition).where(
                    RecallPetition.member_id == member.id,
                    col(RecallPetition.state).in_(OPEN_PETITION_STATES),
                )
            ).first()
            if open_petition is not None:
                raise StateError(
                    _(
                        "A recall of this member is under way (petition {id}) and the charter "
                        "says a resignation does not end it ({source})."
                    ).format(id=open_petition.id, source=charter.recall.resignation.source)
                )
        end_membership(
            session, member, on=on, cause=EndCause.RESIGNED, reason=reason, operator=operator
        )
        return member_info(session, member)


def terminate(
    db: Database,
    spec: str,
    *,
    on: date,
    cause: str,
    reason: str,
    community: str | None = None,
    operator: str,
) -> MemberInfo:
    """Record that a membership terminated by itself (终止) on ``on``.

    ``cause``: sentence | capacity | death | unfit | other (a key of ``TERMINATE_CAUSES``).
    A cause the charter lists (``termination.causes``) or ``other`` with a written reason is
    accepted; ``unfit`` only when the charter lists unfit ratings. Raises ``InputError`` for an
    unknown cause, errors as ``end_membership`` otherwise.
    """
    if cause not in TERMINATE_CAUSES:
        raise InputError(
            _("unknown cause {cause}: use one of {causes}").format(
                cause=cause, causes=", ".join(TERMINATE_CAUSES)
            ),
            column="--cause",
        )
    with db.write() as session:
        comm = find_community(session, community)
        member = find_member(session, comm, spec)
        charter = community_charter(session, comm)
        listed = {c.value for c in charter.termination.causes}
        if cause == "unfit" and _CHARTER_CAUSE[cause] not in listed:
            raise InputError(
                _("this charter does not end a membership for unfit ratings ({source})").format(
                    source=charter.termination.source
                ),
                column="--cause",
            )
        end_membership(
            session,
            member,
            on=on,
            cause=TERMINATE_CAUSES[cause],
            reason=reason,
            operator=operator,
        )
        return member_info(session, member)
