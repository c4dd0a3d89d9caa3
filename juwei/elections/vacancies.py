"""Vacancies (缺额) of the residents' committee and the by-elections (补选) that fill them.

The current term (本届任期) is the term of the newest certified general election (换届选举):
from its election day for ``[term].years``. The current committee is every member seated in
that term: by the general election and its rounds, or later by a by-election.

A vacancy is a membership of the current committee that ended before its ``term_end`` (any
cause: recalled, resigned, terminated, deceased …; ``member.ended_on`` set by
``juwei.elections.members.end_membership``) and that no member seated by a certified
by-election has filled yet (``vacancy_fill``). Whether it calls for a by-election, and by when,
is decided by ``juwei.rules.by_election`` under the charter's ``[by_election]``.

Certifying a by-election (``fill_vacancies``) seats each elected person in the oldest open
vacancy of the same office, for the rest of the current term (S4 art 19,
``by_election.term_ends_with_current``).
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from juwei.elections.audit import append_event
from juwei.elections.community import community_charter, find_community
from juwei.elections.db import Database
from juwei.elections.models import Community, Election, Member, Office, VacancyFill, Voter
from juwei.errors import InputError, StateError
from juwei.i18n import _
from juwei.rules.by_election import (
    EXEMPTION_RULE,
    ByElectionDecision,
    Vacancy,
    by_elected_term,
    decide_by_election,
)
from juwei.rules.charter import Charter, OfficeKey


@dataclass(frozen=True)
class Term:
    """The current term (本届任期): ``start`` (the general election day) to ``end``, and the
    general election that opened it."""

    election_id: int
    start: date
    end: date


@dataclass(frozen=True)
class VacancyInfo:
    """An open vacancy: the seat ``office_key`` / ``office`` (title) left by ``member_id``
    (``name``) on ``since`` for ``cause`` (``member.end_reason``), in a term ending
    ``term_end``; ``decision``: whether a by-election is required and by when;
    ``by_election_id``: an open (not yet certified or void) by-election with a seat of this
    office, if any."""

    member_id: int
    office_key: str
    office: str
    name: str
    cause: str
    since: date
    term_end: date
    decision: ByElectionDecision
    by_election_id: int | None = None


def current_term(session: Session, community: Community) -> Term | None:
    """The term of the newest certified general election of ``community``; None when no
    general election has been certified yet."""
    general = session.exec(
        select(Election)
        .where(
            Election.community_id == community.id,
            Election.kind == "general",
            col(Election.parent_id).is_(None),
            Election.state == "certified",
        )
        .order_by(col(Election.day).desc(), col(Election.id).desc())
    ).first()
    if general is None:
        return None
    assert general.id is not None
    member = session.exec(
        select(Member)
        .where(Member.community_id == community.id, Member.term_start == general.day)
        .order_by(col(Member.id))
    ).first()
    if member is None:
        return None
    return Term(general.id, member.term_start, member.term_end)


def committee_members(session: Session, community: Community, term: Term) -> list[Member]:
    """Every member seated in ``term`` (serving or not), oldest first."""
    return list(
        session.exec(
            select(Member)
            .where(
                Member.community_id == community.id,
                col(Member.term_start) >= term.start,
                col(Member.term_start) <= term.end,
            )
            .order_by(col(Member.id))
        ).all()
    )


def _filled(session: Session, member_ids: list[int]) -> set[int]:
    if not member_ids:
        return set()
    return set(
        session.exec(
            select(VacancyFill.vacated_member_id).where(
                col(VacancyFill.vacated_member_id).in_(member_ids)
            )
        ).all()
    )


def open_vacancies(
    session: Session, community: Community, charter: Charter, *, on: date
) -> list[VacancyInfo]:
    """The open vacancies of the current committee on ``on`` (ended on or before ``on``),
    oldest first, each with its by-election decision. Empty without a current term."""
    term = current_term(session, community)
    if term is None:
        return []
    members = committee_members(session, community, term)
    ids = [m.id for m in members if m.id is not None]
    filled = _filled(session, ids)
    serving = sum(
        1 for m in members if m.term_start <= on and (m.ended_on is None or m.ended_on > on)
    )
    ended = sorted(
        (
            m
            for m in members
            if m.ended_on is not None
            and m.ended_on <= on
            and m.ended_on < m.term_end
            and m.id not in filled
        ),
        key=lambda m: (m.ended_on or on, m.id or 0),
    )
    director_vacant = any(m.office_key == OfficeKey.DIRECTOR for m in ended)
    under_way: dict[str, int] = {}
    for election_id, key in session.exec(
        select(Election.id, Office.key)
        .join(Office, col(Office.election_id) == col(Election.id))
        .where(
            Election.community_id == community.id,
            Election.kind == "by_election",
            col(Election.state).not_in(("certified", "void")),
        )
    ).all():
        assert election_id is not None
        under_way.setdefault(key, election_id)
    out: list[VacancyInfo] = []
    for m in ended:
        assert m.id is not None and m.ended_on is not None
        voter = session.get(Voter, m.voter_id)
        assert voter is not None
        decision = decide_by_election(
            charter,
            Vacancy(OfficeKey(m.office_key), m.ended_on, m.term_end),
            serving=serving,
            director_vacant=director_vacant,
        )
        out.append(
            VacancyInfo(
                member_id=m.id,
                office_key=m.office_key,
                office=m.office_title,
                name=voter.name,
                cause=m.end_reason or "",
                since=m.ended_on,
                term_end=m.term_end,
                decision=decision,
                by_election_id=under_way.get(m.office_key),
            )
        )
    return out


def list_vacancies(db: Database, *, on: date, community: str | None = None) -> list[VacancyInfo]:
    """The open vacancies of the community's committee on ``on`` (see ``open_vacancies``)."""
    with db.read() as session:
        comm = find_community(session, community)
        return open_vacancies(session, comm, community_charter(session, comm), on=on)


def by_election_seats(
    session: Session,
    community: Community,
    charter: Charter,
    *,
    day: date,
    offices: list[str] | None,
) -> dict[str, int]:
    """The seats of a by-election held on ``day``: office key → open vacancies of that office
    (all vacant offices, or those in ``offices``), in the charter's office order.

    Raises ``StateError`` when there is no certified committee, no open vacancy, a named
    office has no vacancy, every vacancy of an office is exempt (``by_election.
    not_within_months_of_term_end``), or ``day`` is after the current term's end;
    ``InputError`` for an office the charter does not have.
    """
    term = current_term(session, community)
    if term is None:
        raise StateError(
            _("No committee has been elected yet: a by-election fills a vacancy of a committee.")
        )
    if day > term.end:
        raise StateError(
            _(
                "{day} is after the end of the current term ({end}): hold a general election "
                "(换届选举) instead."
            ).format(day=day.isoformat(), end=term.end.isoformat())
        )
    vacancies = open_vacancies(session, community, charter, on=day)
    wanted = list(offices or [])
    for key in wanted:
        if key not in {str(k) for k in charter.committee.offices}:
            raise InputError(
                _("the charter has no office {key} (it has: {keys})").format(
                    key=key, keys=", ".join(str(k) for k in charter.committee.offices)
                ),
                column="--office",
            )
    if not vacancies:
        raise StateError(
            _("The committee has no vacancy on {day}: there is no seat to by-elect.").format(
                day=day.isoformat()
            )
        )
    seats: dict[str, int] = {}
    for key in charter.committee.offices:
        if wanted and str(key) not in wanted:
            continue
        of_office = [v for v in vacancies if v.office_key == str(key)]
        title = charter.office(key).title
        if not of_office:
            if wanted:
                raise StateError(
                    _(
                        "The office {title} ({key}) has no vacancy: a by-election is only for "
                        "vacant seats."
                    ).format(title=title, key=key)
                )
            continue
        open_ones = [v for v in of_office if v.decision.rule != EXEMPTION_RULE]
        if not open_ones:
            first = of_office[0].decision
            raise StateError(
                _("No by-election for {title}: {reason} ({rule}; {source}).").format(
                    title=title, reason=first.reason, rule=first.rule, source=first.source
                )
            )
        seats[str(key)] = len(open_ones)
    if not seats:
        raise StateError(_("None of the vacancies can be by-elected."))
    return seats


def by_election_root(session: Session, election: Election) -> Election | None:
    """The by-election ``election`` belongs to (itself, or the root of its rounds), or None
    when it is not part of a by-election."""
    root = election
    while root.parent_id is not None:
        parent = session.get(Election, root.parent_id)
        assert parent is not None
        root = parent
    return root if root.kind == "by_election" else None


def serving_on_by_election_day(session: Session, election: Election) -> tuple[int, int]:
    """For a by-election (or one of its rounds): the members of the current committee
    serving on the by-election day, and the women among them (people); ``(0, 0)`` for any
    other election. Counted as elected before the by-election, so that the charter's women
    rule (``committee.women``) and seats-may-stay-empty rule (``count.supplementary``) look
    at the whole committee, not only at the seats being filled."""
    root = by_election_root(session, election)
    if root is None:
        return 0, 0
    comm = session.get(Community, election.community_id)
    assert comm is not None
    term = current_term(session, comm)
    if term is None:
        return 0, 0
    serving = [
        m
        for m in committee_members(session, comm, term)
        if m.term_start <= root.day and (m.ended_on is None or m.ended_on > root.day)
    ]
    women = 0
    for m in serving:
        voter = session.get(Voter, m.voter_id)
        women += 1 if voter is not None and voter.sex == "F" else 0
    return len(serving), women


def fill_vacancies(
    session: Session,
    election: Election,
    root: Election,
    elected: list[tuple[str, int]],
    titles: dict[str, str],
    operator: str,
) -> list[Member]:
    """Seat the persons a by-election elected (``elected``: office key, voter id, in result
    order) in the oldest open vacancies of their offices, for the rest of the current term
    (``by_elected_term``), and record each fill with a ``vacancy.fill`` event. In the
    caller's transaction (``count.certify``).

    Raises ``StateError`` when an office has more elected persons than open vacancies (a
    vacancy was filled meanwhile), the by-election day is after the vacancy's term, or an
    elected person still serves on the committee in another seat (one seat per person: the
    committee records the end of that membership first, which opens its own vacancy).
    """
    comm = session.get(Community, election.community_id)
    assert comm is not None and election.id is not None
    charter = community_charter(session, comm)
    vacancies = open_vacancies(session, comm, charter, on=root.day)
    term = current_term(session, comm)
    serving = {
        m.voter_id: m
        for m in ([] if term is None else committee_members(session, comm, term))
        if m.ended_on is None or m.ended_on > root.day
    }
    seated: list[Member] = []
    for office_key, voter_id in elected:
        if voter_id in serving:
            held = serving[voter_id]
            voter = session.get(Voter, voter_id)
            raise StateError(
                _(
                    "{name} was by-elected {title} but still serves as {held}: record the end "
                    "of that membership first (juwei members resign), then certify again. "
                    "Nothing was certified."
                ).format(
                    name=voter.name if voter else voter_id,
                    title=titles.get(office_key, office_key),
                    held=held.office_title,
                )
            )
        pool = [v for v in vacancies if v.office_key == office_key]
        if not pool:
            raise StateError(
                _(
                    "No open vacancy of {title} is left for the elected person: the seat was "
                    "filled meanwhile. Nothing was certified."
                ).format(title=titles.get(office_key, office_key))
            )
        vacancy = pool[0]
        vacancies.remove(vacancy)
        try:
            start, end = by_elected_term(charter, day=root.day, current_term_end=vacancy.term_end)
        except ValueError as error:
            raise StateError(str(error)) from None
        member = Member(
            community_id=election.community_id,
            voter_id=voter_id,
            election_id=election.id,
            office_key=office_key,
            office_title=titles.get(office_key, vacancy.office),
            term_start=start,
            term_end=end,
        )
        session.add(member)
        session.flush()
        assert member.id is not None
        session.add(
            VacancyFill(
                vacated_member_id=vacancy.member_id,
                member_id=member.id,
                election_id=election.id,
                filled_on=root.day,
            )
        )
        seated.append(member)
        append_event(
            session,
            "vacancy.fill",
            {
                "election": election.id,
                "vacated_member": vacancy.member_id,
                "member": member.id,
                "office": office_key,
                "term": [start.isoformat(), end.isoformat()],
            },
            operator=operator,
            community_id=election.community_id,
        )
    return seated
