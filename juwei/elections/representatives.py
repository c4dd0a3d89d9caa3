"""Residents' representatives (居民代表): who they are, for which group or unit, and their terms.

Each residents' group (居民小组) has the charter's number of representatives
(``[representatives].per_group``: 2–3, S1 art 8), chosen by the group (推选; SEED 钱牌 第六条);
units based in the community (驻社区单位) send representatives by nomination, recorded with
the unit. A representative must be a listed voter, eligible on the day (18 or older, SEED 钱牌
第十条); an elected one must live in the group that chose them. The term is
``[representatives].term_years`` (钱牌: 3 years), or the committee's ``[term].years`` when the
charter does not say. A group with fewer serving representatives than ``per_group.min`` has
vacancies, filled by the group (or the unit) the same way.

juwei records the group's choice here (``add_representative``), or runs the group's vote as a
juwei election (``election new --kind representatives --group``, the group's voters as the
roll; certification seats them, ``juwei.elections.count``). The serving representatives
are the roll of a committee election in representative mode (``serving_voter_ids``, used by
``juwei.elections.poll``: ballots go only to them, and their number is the quorum base).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from juwei.elections.audit import append_event
from juwei.elections.community import community_charter, find_community
from juwei.elections.db import Database
from juwei.elections.models import Community, Representative, ResidentsGroup, Voter
from juwei.elections.nomination import find_voter
from juwei.errors import EligibilityError, InputError, NotFoundError, StateError
from juwei.i18n import _
from juwei.rules.charter import Charter
from juwei.rules.eligibility import Registration, add_months, check_eligibility
from juwei.rules.identity import mask_id

METHODS = ("elected", "unit_nominated")


@dataclass(frozen=True)
class RepresentativeInfo:
    """A representative as listed: id, name, masked ID number, group name or unit, method,
    term, and when ended, the day and reason."""

    id: int
    name: str
    masked_id: str
    group: str | None
    unit: str | None
    method: str
    term_start: date
    term_end: date
    ended_on: date | None
    end_reason: str | None

    def serving_on(self, day: date) -> bool:
        """True when the representative serves on ``day``."""
        return self.term_start <= day <= self.term_end and (
            self.ended_on is None or self.ended_on > day
        )


@dataclass(frozen=True)
class GroupSeats:
    """A residents' group's representatives on a day: ``serving`` of ``minimum``..``maximum``
    (``[representatives].per_group``); ``vacancies`` = seats below the minimum."""

    group: str
    serving: int
    minimum: int
    maximum: int

    @property
    def vacancies(self) -> int:
        """Seats to fill to reach the charter's minimum (0 when it is reached)."""
        return max(0, self.minimum - self.serving)


def term_years(charter: Charter) -> int:
    """A representative's term in years: ``[representatives].term_years``, else ``[term].years``."""
    return charter.representatives.term_years or charter.term.years


def _serving(stmt_day: date) -> tuple[object, ...]:
    return (
        col(Representative.term_start) <= stmt_day,
        col(Representative.term_end) >= stmt_day,
        (col(Representative.ended_on).is_(None)) | (col(Representative.ended_on) > stmt_day),
    )


def serving_count(session: Session, community: Community, *, on: date) -> int:
    """How many representatives (groups and units) serve on ``on``."""
    return len(
        session.exec(
            select(Representative.id).where(
                Representative.community_id == community.id,
                *_serving(on),  # type: ignore[arg-type]
            )
        ).all()
    )


def serving_voter_ids(session: Session, community_id: int, *, on: date) -> set[int]:
    """Voter ids of the representatives (groups and units) serving on ``on``: the roll of a
    committee election in representative mode (S1 art 8)."""
    return set(
        session.exec(
            select(Representative.voter_id).where(
                Representative.community_id == community_id,
                *_serving(on),  # type: ignore[arg-type]
            )
        ).all()
    )


def group_serving(session: Session, group_id: int, *, after: date) -> list[Representative]:
    """The representatives elected by residents' group ``group_id`` whose term has begun by
    ``after`` and goes on after it (a term ending on ``after`` is over: its group elects
    anew), not ended early by then."""
    return list(
        session.exec(
            select(Representative).where(
                Representative.group_id == group_id,
                Representative.method == "elected",
                col(Representative.term_start) <= after,
                col(Representative.term_end) > after,
                (col(Representative.ended_on).is_(None)) | (col(Representative.ended_on) > after),
            )
        ).all()
    )


def _group(session: Session, community: Community, name: str) -> ResidentsGroup:
    group = session.exec(
        select(ResidentsGroup).where(
            ResidentsGroup.community_id == community.id, ResidentsGroup.name == name.strip()
        )
    ).first()
    if group is None:
        raise NotFoundError(_("No residents' group {name} in this community.").format(name=name))
    return group


def add_representative(
    db: Database,
    id_number: str,
    *,
    on: date,
    group: str | None = None,
    unit: str | None = None,
    community: str | None = None,
    operator: str,
) -> RepresentativeInfo:
    """Record a representative from ``on``: chosen by the residents' group ``group``
    (method ``elected``) or sent by the unit ``unit`` (``unit_nominated``); exactly one.

    Raises ``InputError`` for both or neither, a bad ID number, or an empty unit name;
    ``NotFoundError`` when the person is not on the roll or the group is unknown;
    ``EligibilityError`` when the person is not eligible on ``on`` or does not live in the
    group; ``StateError`` when already a serving representative, or the group already has
    ``per_group.max``.
    Source: ``[representatives]``, ``[eligibility]``.
    """
    if (group is None) == (unit is None):
        raise InputError(_("give either --group or --unit"), column="--group")
    if unit is not None and not unit.strip():
        raise InputError(_("the unit's name is empty"), column="--unit")
    with db.write() as session:
        comm = find_community(session, community)
        assert comm.id is not None
        charter = community_charter(session, comm)
        voter = find_voter(session, comm.id, id_number, _("representative"))
        assert voter.id is not None
        verdict = check_eligibility(
            charter,
            birth_date=voter.birth_date,
            on=on,
            deprived=False,
            registration=Registration(voter.registration),
            residence_since=voter.residence_since,
            consent=voter.consent,
        )
        if not verdict.eligible:
            failure = verdict.failures[0]
            raise EligibilityError(
                _("{name} ({masked}) is not eligible on {day}: {reason} ({source})").format(
                    name=voter.name,
                    masked=mask_id(voter.id_number),
                    day=on.isoformat(),
                    reason=failure.reason,
                    source=failure.source,
                )
            )
        already = session.exec(
            select(Representative).where(
                Representative.community_id == comm.id,
                Representative.voter_id == voter.id,
                *_serving(on),  # type: ignore[arg-type]
            )
        ).first()
        if already is not None:
            raise StateError(
                _("{name} ({masked}) is already a serving representative (#{id}).").format(
                    name=voter.name, masked=mask_id(voter.id_number), id=already.id
                )
            )
        group_row = None
        rule = charter.representatives
        if group is not None:
            group_row = _group(session, comm, group)
            if voter.group_id != group_row.id:
                raise EligibilityError(
                    _(
                        "{name} ({masked}) is not a resident of the group {group}: a group "
                        "chooses its representatives among its own residents."
                    ).format(name=voter.name, masked=mask_id(voter.id_number), group=group_row.name)
                )
            serving = session.exec(
                select(Representative.id).where(
                    Representative.group_id == group_row.id,
                    Representative.method == "elected",
                    *_serving(on),  # type: ignore[arg-type]
                )
            ).all()
            if len(serving) >= rule.per_group.max:
                raise StateError(
                    _(
                        "The group {group} already has {n} representatives, the charter's "
                        "maximum ({source})."
                    ).format(group=group_row.name, n=len(serving), source=rule.source)
                )
        end = add_months(on, 12 * term_years(charter))
        row = Representative(
            community_id=comm.id,
            group_id=None if group_row is None else group_row.id,
            unit=None if unit is None else unit.strip(),
            voter_id=voter.id,
            method="elected" if group is not None else "unit_nominated",
            term_start=on,
            term_end=end,
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        append_event(
            session,
            "representative.add",
            {
                "representative": row.id,
                "name": voter.name,
                "id": mask_id(voter.id_number),
                "group": None if group_row is None else group_row.name,
                "unit": row.unit,
                "method": row.method,
                "term": [on.isoformat(), end.isoformat()],
            },
            operator=operator,
            community_id=comm.id,
        )
        return _info(session, row)


def end_representative(
    db: Database,
    representative_id: int,
    *,
    on: date,
    reason: str,
    community: str | None = None,
    operator: str,
) -> RepresentativeInfo:
    """End representative ``representative_id``'s term early on ``on`` (resignation, moving
    away, death, recall …) with a written ``reason``; the seat becomes a vacancy of the group.

    Raises ``InputError`` without a reason; ``NotFoundError`` for an unknown id;
    ``StateError`` when already ended, or ``on`` is outside the term.
    """
    if not reason.strip():
        raise InputError(_("a written reason is required"), column="--reason")
    with db.write() as session:
        comm = find_community(session, community)
        row = session.get(Representative, representative_id)
        if row is None or row.community_id != comm.id:
            raise NotFoundError(
                _("No representative {id} in this community.").format(id=representative_id)
            )
        if row.ended_on is not None:
            raise StateError(
                _("Representative {id} already left on {day}.").format(
                    id=representative_id, day=row.ended_on.isoformat()
                )
            )
        if not row.term_start <= on <= row.term_end:
            raise StateError(
                _("{day} is outside the representative's term ({start} to {end}).").format(
                    day=on.isoformat(),
                    start=row.term_start.isoformat(),
                    end=row.term_end.isoformat(),
                )
            )
        row.ended_on = on
        row.end_reason = reason.strip()
        session.add(row)
        append_event(
            session,
            "representative.end",
            {"representative": row.id, "on": on.isoformat(), "reason": row.end_reason},
            operator=operator,
            community_id=comm.id,
        )
        return _info(session, row)


def _info(session: Session, row: Representative) -> RepresentativeInfo:
    voter = session.get(Voter, row.voter_id)
    assert voter is not None and row.id is not None
    group = None if row.group_id is None else session.get(ResidentsGroup, row.group_id)
    return RepresentativeInfo(
        id=row.id,
        name=voter.name,
        masked_id=mask_id(voter.id_number),
        group=None if group is None else group.name,
        unit=row.unit,
        method=row.method,
        term_start=row.term_start,
        term_end=row.term_end,
        ended_on=row.ended_on,
        end_reason=row.end_reason,
    )


def list_representatives(
    db: Database, *, on: date, include_former: bool = False, community: str | None = None
) -> tuple[list[RepresentativeInfo], list[GroupSeats]]:
    """The representatives (serving on ``on``, or all with ``include_former``), by group then
    unit, and each residents' group's seats against ``per_group`` (its vacancies)."""
    with db.read() as session:
        comm = find_community(session, community)
        charter = community_charter(session, comm)
        rows = session.exec(
            select(Representative)
            .where(Representative.community_id == comm.id)
            .order_by(col(Representative.id))
        ).all()
        infos = [_info(session, r) for r in rows]
        if not include_former:
            infos = [i for i in infos if i.serving_on(on)]
        infos.sort(key=lambda i: (i.group is None, i.group or i.unit or "", i.id))
        per = charter.representatives.per_group
        seats = []
        for group in session.exec(
            select(ResidentsGroup)
            .where(ResidentsGroup.community_id == comm.id)
            .order_by(col(ResidentsGroup.id))
        ).all():
            n = sum(
                1
                for r in rows
                if r.group_id == group.id
                and r.method == "elected"
                and _info(session, r).serving_on(on)
            )
            seats.append(GroupSeats(group.name, n, per.min, per.max))
        return infos, seats
