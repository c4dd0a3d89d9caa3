"""Nominations (提名), withdrawals, and confirming the formal candidates (确定正式候选人).

A nominee is a listed voter of the community, eligible on the election day; one office per
person per election. Methods, from the charter's ``nomination`` rules: self-nomination (自荐),
joint nomination by voters (联名提名: at least ``nomination.joint.min_voters`` supporters, each a
listed voter, nobody supporting twice for the same office), nomination by a residents' group.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from juwei.elections.audit import append_event
from juwei.elections.community import election_charter
from juwei.elections.db import Database
from juwei.elections.election import find_election, require_on_time, require_state
from juwei.elections.models import (
    Candidate,
    Community,
    Election,
    Nomination,
    Office,
    ResidentsGroup,
    Supporter,
    Voter,
)
from juwei.errors import EligibilityError, InputError, NotFoundError, StateError
from juwei.i18n import _
from juwei.rules.charter import Charter
from juwei.rules.eligibility import Registration, check_eligibility
from juwei.rules.identity import IdNumberError, mask_id, parse_id_number
from juwei.rules.slate import check_slate, order_candidates
from juwei.rules.timetable import StepKey

METHODS = ("self", "joint", "group")


def find_voter(session: Session, community_id: int, id_number: str, what: str) -> Voter:
    """The listed voter with this ID number; ``InputError``/``NotFoundError`` (masked) if not."""
    try:
        number = parse_id_number(id_number).number
    except IdNumberError as error:
        raise InputError(error.reason, column=what) from None
    voter = session.exec(
        select(Voter).where(Voter.community_id == community_id, Voter.id_number == number)
    ).first()
    if voter is None or not voter.listed:
        raise NotFoundError(
            _("{what}: {masked} is not on this community's roll.").format(
                what=what, masked=mask_id(number)
            )
        )
    return voter


def _require_eligible(charter: Charter, voter: Voter, day: date, what: str) -> None:
    verdict = check_eligibility(
        charter,
        birth_date=voter.birth_date,
        on=day,
        deprived=False,
        registration=Registration(voter.registration),
        residence_since=voter.residence_since,
        consent=voter.consent,
    )
    if not verdict.eligible:
        failure = verdict.failures[0]
        raise EligibilityError(
            _("{what} {name} ({masked}) is not eligible on {day}: {reason} ({source})").format(
                what=what,
                name=voter.name,
                masked=mask_id(voter.id_number),
                day=day.isoformat(),
                reason=failure.reason,
                source=failure.source,
            )
        )


def _office(session: Session, election: Election, key: str) -> Office:
    """The office of ``election`` whose key (``director``) or title (``主任``) is ``key``."""
    offices = session.exec(select(Office).where(Office.election_id == election.id)).all()
    office = next((o for o in offices if key in (o.key, o.title)), None)
    if office is None:
        raise InputError(
            _("no office {key} in this election (offices: {keys})").format(
                key=key, keys="、".join(f"{o.title}（{o.key}）" for o in offices)
            ),
            column="--office",
        )
    return office


@dataclass(frozen=True)
class NominationInfo:
    """A nomination as the CLI shows it (ID masked)."""

    office: str
    name: str
    id_masked: str
    method: str
    supporters: int
    withdrawn: bool


def nominate(
    db: Database,
    *,
    office_key: str,
    nominee: str,
    method: str,
    supporters: Sequence[str] = (),
    group: str | None = None,
    on: date,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> NominationInfo:
    """Record the nomination of the voter with ID number ``nominee`` for ``office_key``.

    ``method``: ``self`` | ``joint`` (``supporters``: their ID numbers) | ``group`` (``group``:
    the residents' group's name). Raises ``InputError`` (unknown office/method/group, too few
    supporters, a supporter twice or already supporting another nominee for this office),
    ``NotFoundError`` (not on the roll), ``EligibilityError`` (not eligible on the day, not a
    resident of the electing group), ``StateError`` (already nominated, the election is past
    nominations, the charter does not allow the method).
    Source: charter ``nomination.joint``, ``nomination.methods``, ``eligibility``.
    """
    if method not in METHODS:
        raise InputError(
            _("unknown nomination method {method} (self, joint or group)").format(method=method),
            column="--method",
        )
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "nominating", action=_("record a nomination"))
        comm = session.get(Community, election.community_id)
        assert comm is not None and comm.id is not None and election.id is not None
        charter = election_charter(session, election)
        methods = charter.nomination.methods
        allowed = {
            "self": methods.self_nomination,
            "joint": True,
            "group": methods.residents_group,
        }[method]
        if not allowed:
            raise StateError(
                _("The charter does not allow nomination by {method} ({source}).").format(
                    method=method, source=methods.source
                )
            )
        office = _office(session, election, office_key)
        voter = find_voter(session, comm.id, nominee, _("nominee"))
        _require_eligible(charter, voter, election.day, _("The nominee"))
        if election.group_id is not None and voter.group_id != election.group_id:
            # a group's election of its representatives: its own residents only
            raise EligibilityError(
                _(
                    "{name} ({masked}) is not a resident of the group {group}: a group "
                    "chooses its representatives among its own residents."
                ).format(
                    name=voter.name,
                    masked=mask_id(voter.id_number),
                    group=_group_name(session, election.group_id),
                )
            )
        earlier = session.exec(
            select(Nomination).where(
                Nomination.election_id == election.id, Nomination.voter_id == voter.id
            )
        ).first()
        if earlier is not None:
            raise StateError(
                _(
                    "{name} ({masked}) is already nominated in this election: one office per "
                    "person."
                ).format(name=voter.name, masked=mask_id(voter.id_number))
            )
        group_id = None
        backers: list[Voter] = []
        if method == "group":
            if not group:
                raise InputError(
                    _("nomination by a residents' group needs --group"), column="--group"
                )
            found = session.exec(
                select(ResidentsGroup).where(
                    ResidentsGroup.community_id == comm.id, ResidentsGroup.name == group
                )
            ).first()
            if found is None:
                raise InputError(
                    _("no residents' group {group}").format(group=group), column="--group"
                )
            group_id = found.id
        if method == "joint":
            backers = _check_supporters(session, charter, comm.id, election, office, supporters)
        assert office.id is not None and voter.id is not None
        nomination = Nomination(
            election_id=election.id,
            office_id=office.id,
            voter_id=voter.id,
            method=method,
            group_id=group_id,
            nominated_on=on,
        )
        session.add(nomination)
        session.flush()
        assert nomination.id is not None
        for backer in backers:
            assert backer.id is not None
            session.add(Supporter(nomination_id=nomination.id, voter_id=backer.id))
        append_event(
            session,
            "nomination.add",
            {
                "election": election.id,
                "office": office.key,
                "nominee": voter.id,
                "method": method,
                "supporters": len(backers),
                "on": on.isoformat(),
            },
            operator=operator,
            community_id=comm.id,
        )
        return NominationInfo(
            office.title, voter.name, mask_id(voter.id_number), method, len(backers), False
        )


def _group_name(session: Session, group_id: int) -> str:
    group = session.get(ResidentsGroup, group_id)
    return "?" if group is None else group.name


def _check_supporters(
    session: Session,
    charter: Charter,
    community_id: int,
    election: Election,
    office: Office,
    supporters: Sequence[str],
) -> list[Voter]:
    rule = charter.nomination.joint
    backers: list[Voter] = []
    seen: set[int] = set()
    for number in supporters:
        backer = find_voter(session, community_id, number, _("supporter"))
        if backer.id in seen:
            raise InputError(
                _("supporter {masked} is listed twice").format(masked=mask_id(backer.id_number)),
                column="--supporters",
            )
        assert backer.id is not None
        seen.add(backer.id)
        _require_eligible(charter, backer, election.day, _("Supporter"))
        if election.group_id is not None and backer.group_id != election.group_id:
            raise InputError(
                _("supporter {masked} is not a voter of the group {group}").format(
                    masked=mask_id(backer.id_number),
                    group=_group_name(session, election.group_id),
                ),
                column="--supporters",
            )
        backers.append(backer)
    if len(backers) < rule.min_voters:
        raise InputError(
            _("a joint nomination needs at least {n} supporters; {got} given ({source})").format(
                n=rule.min_voters, got=len(backers), source=rule.source
            ),
            column="--supporters",
        )
    twice = session.exec(
        select(Voter)
        .join(Supporter, col(Supporter.voter_id) == col(Voter.id))
        .join(Nomination, col(Nomination.id) == col(Supporter.nomination_id))
        .where(
            Nomination.office_id == office.id,
            col(Nomination.withdrawn_on).is_(None),
            col(Voter.id).in_(seen),
        )
    ).first()
    if twice is not None:
        raise InputError(
            _("supporter {masked} already supports another nominee for {office}").format(
                masked=mask_id(twice.id_number), office=office.title
            ),
            column="--supporters",
        )
    return backers


def withdraw(
    db: Database,
    *,
    nominee: str,
    reason: str,
    on: date,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> NominationInfo:
    """Record that a nominee withdrew (退出). Raises ``NotFoundError``/``StateError``."""
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "nominating", action=_("record a withdrawal"))
        voter = find_voter(session, election.community_id, nominee, _("nominee"))
        nomination = session.exec(
            select(Nomination).where(
                Nomination.election_id == election.id, Nomination.voter_id == voter.id
            )
        ).first()
        if nomination is None or nomination.withdrawn_on is not None:
            raise NotFoundError(
                _("{name} ({masked}) has no standing nomination in this election.").format(
                    name=voter.name, masked=mask_id(voter.id_number)
                )
            )
        nomination.withdrawn_on = on
        nomination.withdraw_reason = reason
        session.add(nomination)
        office = session.get(Office, nomination.office_id)
        assert office is not None
        append_event(
            session,
            "nomination.withdraw",
            {"election": election.id, "nominee": voter.id, "on": on.isoformat()},
            operator=operator,
            community_id=election.community_id,
        )
        return NominationInfo(
            office.title, voter.name, mask_id(voter.id_number), nomination.method, 0, True
        )


def list_nominations(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> list[NominationInfo]:
    """Every nomination of the election, by office then nomination order.

    A tie runoff or a supplementary round (另行选举) has no nominations: its candidates come
    from the count of the round before; they are listed in ballot order, with the kind of
    round as the method and no supporters.
    """
    with db.read() as session:
        election = find_election(session, community, election_id)
        if election.kind in ("runoff", "supplementary"):
            return [
                NominationInfo(
                    office.title, voter.name, mask_id(voter.id_number), election.kind, 0, False
                )
                for _cand, voter, office in session.exec(
                    select(Candidate, Voter, Office)
                    .join(Voter, col(Voter.id) == col(Candidate.voter_id))
                    .join(Office, col(Office.id) == col(Candidate.office_id))
                    .where(Candidate.election_id == election.id)
                    .order_by(col(Office.position), col(Candidate.ballot_number))
                ).all()
            ]
        rows = session.exec(
            select(Nomination, Voter, Office)
            .join(Voter, col(Voter.id) == col(Nomination.voter_id))
            .join(Office, col(Office.id) == col(Nomination.office_id))
            .where(Nomination.election_id == election.id)
            .order_by(col(Office.position), col(Nomination.id))
        ).all()
        out = []
        for nomination, voter, office in rows:
            count = len(
                session.exec(
                    select(Supporter.id).where(Supporter.nomination_id == nomination.id)
                ).all()
            )
            out.append(
                NominationInfo(
                    office.title,
                    voter.name,
                    mask_id(voter.id_number),
                    nomination.method,
                    count,
                    nomination.withdrawn_on is not None,
                )
            )
        return out


@dataclass(frozen=True)
class SlateOffice:
    """The confirmed candidates of one office, in ballot order, with the slate decision."""

    title: str
    seats: int
    kind: str  # competitive | uncontested
    names: tuple[str, ...]
    lots: tuple[tuple[str, ...], ...]  # groups with equal ordering keys: draw lots
    decision: str


def confirm_candidates(
    db: Database,
    *,
    on: date,
    election_id: int | None = None,
    community: str | None = None,
    late_reason: str | None = None,
    operator: str,
) -> list[SlateOffice]:
    """Check every office's slate against the charter and fix the formal candidates.

    Refuses (``StateError``, nothing written) naming the office, the numbers and the rule
    when any office's slate is not allowed (差额/等额, charter ``slate.competition``).
    Candidates are numbered in the charter's order (``slate.ordering``: surname strokes);
    equal keys are reported for the committee to draw lots, never broken silently.
    """
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "nominating", action=_("confirm the candidates"))
        comm = session.get(Community, election.community_id)
        assert comm is not None
        charter = election_charter(session, election)
        timing = require_on_time(charter, StepKey.CANDIDATE_LIST, on, election.day, late_reason)
        offices = session.exec(
            select(Office).where(Office.election_id == election.id).order_by(col(Office.position))
        ).all()
        refusals: list[str] = []
        plan: list[tuple[Office, list[Voter], str, str]] = []
        for office in offices:
            voters = list(
                session.exec(
                    select(Voter)
                    .join(Nomination, col(Nomination.voter_id) == col(Voter.id))
                    .where(
                        Nomination.office_id == office.id,
                        col(Nomination.withdrawn_on).is_(None),
                    )
                ).all()
            )
            decision = check_slate(charter, office.key, office.seats, len(voters))
            text = f"{decision.reason} ({decision.rule}; {decision.source})"
            if not decision.ok:
                refusals.append(text)
            plan.append((office, voters, str(decision.kind or ""), text))
        if refusals:
            raise StateError(_("Cannot confirm the candidates:") + "\n  " + "\n  ".join(refusals))
        result: list[SlateOffice] = []
        for office, voters, kind, text in plan:
            ordered = order_candidates(charter, voters, lambda v: v.name)
            tied = {v.id for group in (*ordered.ties, *ordered.unresolved) for v in group}
            for number, voter in enumerate(ordered.ordered, start=1):
                assert office.id is not None and voter.id is not None
                session.add(
                    Candidate(
                        election_id=office.election_id,
                        office_id=office.id,
                        voter_id=voter.id,
                        ballot_number=number,
                        tie_flag=voter.id in tied,
                    )
                )
            result.append(
                SlateOffice(
                    title=office.title,
                    seats=office.seats,
                    kind=kind,
                    names=tuple(v.name for v in ordered.ordered),
                    lots=tuple(
                        tuple(v.name for v in g) for g in (*ordered.ties, *ordered.unresolved)
                    ),
                    decision=text,
                )
            )
        election.state = "slate_confirmed"
        session.add(election)
        append_event(
            session,
            "candidates.confirm",
            {
                "election": election.id,
                "on": on.isoformat(),
                "offices": {o.title: list(o.names) for o in result},
                "late": None
                if timing.on_time
                else {"days": timing.days_late, "reason": late_reason},
            },
            operator=operator,
            community_id=election.community_id,
        )
        return result


def candidates_confirmed_on(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> date | None:
    """The day the formal candidates were confirmed (``--on`` of ``candidates confirm``)."""
    import json

    from juwei.elections.models import Event

    with db.read() as session:
        election = find_election(session, community, election_id)
        for event in session.exec(
            select(Event)
            .where(Event.community_id == election.community_id, Event.kind == "candidates.confirm")
            .order_by(col(Event.seq).desc())
        ).all():
            payload = json.loads(event.payload)
            if payload.get("election") == election.id:
                return date.fromisoformat(payload["on"])
        return None
