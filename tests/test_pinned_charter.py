"""An election runs under the charter pinned when it was created, not the current one."""

from datetime import date
from pathlib import Path

from sqlmodel import select

from juwei.elections.community import community_charter, election_charter, pin_charter
from juwei.elections.count import _resolver
from juwei.elections.db import Database
from juwei.elections.election import new_election
from juwei.elections.models import Community, Election
from juwei.rules.charter import load_charter
from tests.committee import roll


def test_a_charter_amended_after_the_election_began_does_not_change_its_rules(
    db: Database, tmp_path: Path
) -> None:
    roll(db, tmp_path, voters=40)
    info = new_election(db, day=date(2026, 12, 20), operator="tester")
    with db.write() as session:
        comm = session.exec(select(Community)).one()
        amended = pin_charter(session, load_charter("urban-2018"))
        comm.charter_id = amended.id  # the community adopts another charter
        session.add(comm)
    with db.read() as session:
        comm = session.exec(select(Community)).one()
        election = session.get(Election, info.id)
        assert election is not None
        pinned = election_charter(session, election)
        assert community_charter(session, comm).name == "urban-2018"
        assert pinned.name == "qianpai"
        assert _resolver(session, election).charter.digest() == pinned.digest()
