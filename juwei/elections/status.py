"""The committee now (``juwei status``): members, term (任期), the next general election
(换届) due, open vacancies (缺额) and recall petitions with their deadlines.

The term is the charter's ``[term].years`` from the general election day (3 years under the
seed charters, 5 under urban-2018); the next general election is due when it ends
(``Term.end``). Re-election is the charter's ``[term].reelection`` (all built-in charters:
allowed).
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from juwei.elections.community import community_charter, find_community
from juwei.elections.db import Database
from juwei.elections.models import Election, VacancyFill, Voter
from juwei.elections.recall import petition_deadlines
from juwei.elections.representatives import serving_count
from juwei.elections.vacancies import (
    Term,
    VacancyInfo,
    committee_members,
    current_term,
    open_vacancies,
)


@dataclass(frozen=True)
class StatusMember:
    """A serving member: id, name, office key and title, term; ``by_elected``: seated by a
    by-election (补选) in a vacancy."""

    id: int
    name: str
    office_key: str
    office: str
    term_start: date
    term_end: date
    by_elected: bool


@dataclass(frozen=True)
class PetitionLine:
    """An open recall petition: id, member, state in words, vote deadline, days left."""

    petition_id: int
    member: str
    office: str
    state: str
    vote_deadline: date | None
    days_left: int | None


@dataclass(frozen=True)
class OpenElection:
    """An election not yet certified or void: id, kind, title, day, state."""

    id: int
    kind: str
    title: str
    day: date
    state: str


@dataclass(frozen=True)
class CommitteeStatus:
    """The committee on ``on``.

    ``term``: the current term (None before any certified general election);
    ``days_to_general``: days from ``on`` to the term's end, when the next general election
    is due (negative: overdue); ``seats``: the charter's default committee size;
    ``representatives``: residents' representatives serving on ``on`` (groups and units);
    ``petitions``: open recall petitions (``juwei.elections.recall.petition_deadlines``).
    """

    community: str
    charter: str
    on: date
    term: Term | None
    term_years: int
    reelection: bool
    term_source: str
    days_to_general: int | None
    seats: int
    members: tuple[StatusMember, ...]
    vacancies: tuple[VacancyInfo, ...]
    petitions: tuple[PetitionLine, ...]
    representatives: int
    open_elections: tuple[OpenElection, ...]


def committee_status(db: Database, *, on: date, community: str | None = None) -> CommitteeStatus:
    """The committee's status on ``on`` (see ``CommitteeStatus``). Raises ``NotFoundError``
    for an unknown community."""
    with db.read() as session:
        comm = find_community(session, community)
        assert comm.id is not None
        charter = community_charter(session, comm)
        term = current_term(session, comm)
        members: list[StatusMember] = []
        if term is not None:
            rows = committee_members(session, comm, term)
            filled_by = set(
                session.exec(
                    select(VacancyFill.member_id).where(
                        col(VacancyFill.member_id).in_([m.id for m in rows])
                    )
                ).all()
            )
            rank = {str(k): k.rank for k in charter.committee.offices}
            for m in rows:
                if m.term_start > on or (m.ended_on is not None and m.ended_on <= on):
                    continue
                voter = session.get(Voter, m.voter_id)
                assert voter is not None and m.id is not None
                members.append(
                    StatusMember(
                        m.id,
                        voter.name,
                        m.office_key,
                        m.office_title,
                        m.term_start,
                        m.term_end,
                        m.id in filled_by,
                    )
                )
            members.sort(key=lambda s: (rank.get(s.office_key, 9), s.id))
        vacancies = open_vacancies(session, comm, charter, on=on)
        petitions = tuple(
            PetitionLine(
                p.petition_id, p.member, p.office, p.state_words, p.vote_deadline, p.days_left
            )
            for p in petition_deadlines(session, comm.id, on)
        )
        open_elections = tuple(
            OpenElection(e.id or 0, e.kind, e.title, e.day, e.state)
            for e in session.exec(
                select(Election)
                .where(
                    Election.community_id == comm.id,
                    col(Election.state).not_in(("certified", "void")),
                )
                .order_by(col(Election.id))
            ).all()
        )
        return CommitteeStatus(
            community=comm.name,
            charter=charter.name,
            on=on,
            term=term,
            term_years=charter.term.years,
            reelection=charter.term.reelection,
            term_source=charter.term.source,
            days_to_general=None if term is None else (term.end - on).days,
            seats=charter.committee.default_size,
            members=tuple(members),
            vacancies=tuple(vacancies),
            petitions=petitions,
            representatives=serving_count(session, comm, on=on),
            open_elections=open_elections,
        )
