"""Close the poll and open its boxes (开箱), as the committee does before the count."""

from collections.abc import Mapping
from datetime import date

from juwei.elections.count import box_accounts, open_box
from juwei.elections.db import Database
from juwei.elections.election import find_election
from juwei.elections.poll import close_poll


def close_and_open(
    db: Database,
    found: Mapping[str, int] | None = None,
    *,
    on: date | None = None,
    election_id: int | None = None,
    community: str | None = None,
) -> dict[str, int]:
    """Close the poll at every box, then open each box: ``found`` ballots in it (default: as
    many as were issued there). Returns box → ballots found."""
    close_poll(db, on=on, election_id=election_id, community=community, operator="t")
    with db.read() as session:
        election = find_election(session, community, election_id)
        issued = {a.box: a.issued for a in box_accounts(session, election)}
        eid = election.id
    opened = {box: (found or {}).get(box, n) for box, n in issued.items()}
    for box, n in opened.items():
        open_box(db, box, n, on=on, election_id=eid, community=community, operator="t")
    return opened
