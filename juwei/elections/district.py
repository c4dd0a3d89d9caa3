"""A district (街道/区) at a glance: every community of the database, its newest election,
registered voters, turnout and certification (issue 6).

One database may hold many communities (社区), each with its own charter, roll and elections;
every other engine function works on one community (``--community``). This read model is the
only one that looks across communities, and it shows counts only — no voter, no ID number.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from juwei.elections.db import Database
from juwei.elections.election import state_label
from juwei.elections.models import CharterPin, Community, Election, Issuance, Voter


@dataclass(frozen=True)
class CommunityStatus:
    """One community's line in ``juwei district status``.

    ``registered``: voters listed on the roll now (选民); ``ballots_issued``: ballots issued
    (发出选票) in the newest election (0 when none); turnout is ``ballots_issued / registered``
    as exact counts; ``turnout_percent`` is for display only (one decimal, rounded half up,
    ``None`` when nobody is registered). ``election_*`` are ``None`` when the community has
    no election yet.
    """

    community: str
    charter: str
    registered: int
    election_id: int | None
    election_title: str | None
    election_day: date | None
    state: str | None
    state_label: str | None
    ballots_issued: int
    turnout_percent: str | None
    certified: bool


def percent(part: int, whole: int) -> str | None:
    """``part / whole`` as a percentage with one decimal, rounded half up, in exact integer
    arithmetic (``percent(1, 3) == "33.3"``); ``None`` when ``whole`` is 0."""
    if whole <= 0:
        return None
    tenths = (part * 2000 + whole) // (2 * whole)  # round(part * 1000 / whole), half up
    return f"{tenths // 10}.{tenths % 10}"


def district_status(db: Database) -> list[CommunityStatus]:
    """Every community of the database, by name (code point order), with its newest election
    (a general election, by-election or recall — not a later round such as 另行选举, which
    ``juwei election list --community NAME`` shows).

    Four grouped queries, whatever the number of communities (a district: about 200).
    """
    with db.read() as session:
        communities = session.exec(
            select(Community, CharterPin.name)
            .join(CharterPin, col(CharterPin.id) == col(Community.charter_id))
            .order_by(col(Community.name))
        ).all()
        registered = dict(
            session.exec(
                select(Voter.community_id, func.count())
                .where(col(Voter.listed).is_(True))
                .group_by(col(Voter.community_id))
            ).all()
        )
        newest_ids = (
            select(func.max(Election.id))
            .where(col(Election.parent_id).is_(None))
            .group_by(col(Election.community_id))
            .scalar_subquery()
        )
        newest = {
            e.community_id: e
            for e in session.exec(select(Election).where(col(Election.id).in_(newest_ids))).all()
        }
        issued = dict(
            session.exec(
                select(Issuance.election_id, func.count())
                .where(col(Issuance.election_id).in_([e.id for e in newest.values()] or [-1]))
                .group_by(col(Issuance.election_id))
            ).all()
        )
    out = []
    for community, charter_name in communities:
        cid = community.id or 0
        voters = int(registered.get(cid, 0))
        election = newest.get(cid)
        given = int(issued.get(election.id or 0, 0)) if election is not None else 0
        out.append(
            CommunityStatus(
                community=community.name,
                charter=charter_name,
                registered=voters,
                election_id=election.id if election else None,
                election_title=election.title if election else None,
                election_day=election.day if election else None,
                state=election.state if election else None,
                state_label=state_label(election.state) if election else None,
                ballots_issued=given,
                turnout_percent=percent(given, voters) if election else None,
                certified=bool(election and election.certified_at is not None),
            )
        )
    return out
