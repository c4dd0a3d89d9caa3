"""No two ballot papers of one community carry the same serial: every election and round of a
community gets its own serial prefix (A, B … Z, AA, AB …)."""

from datetime import UTC, date, datetime

from sqlmodel import select

from juwei.elections.db import Database
from juwei.elections.election import next_serial_prefix
from juwei.elections.models import Community, Election


def test_prefixes_run_a_to_z_then_two_letters(db: Database) -> None:
    seen = []
    with db.write() as session:
        comm = session.exec(select(Community)).one()
        for _n in range(29):
            prefix = next_serial_prefix(session, comm.id)
            seen.append(prefix)
            session.add(
                Election(
                    community_id=comm.id,
                    charter_id=comm.charter_id,
                    kind="general",
                    mode="direct",
                    title="t",
                    day=date(2026, 12, 20),
                    state="certified",
                    serial_prefix=prefix,
                    created_at=datetime.now(UTC),
                )
            )
            session.flush()
    assert seen[:3] == ["A", "B", "C"]
    assert seen[25:] == ["Z", "AA", "AB", "AC"]
    assert len(set(seen)) == len(seen)
