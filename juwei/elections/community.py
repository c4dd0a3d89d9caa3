"""Communities (社区) and the charters they are pinned to.

``init_community`` creates a community under a charter profile or file, pinning the charter's
canonical JSON by SHA-256 so that later counts and audits use the rules then in force.
"""

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlmodel import Session, select

from juwei.elections.audit import append_event
from juwei.elections.db import Database
from juwei.elections.models import CharterPin, Community, Election
from juwei.errors import InputError, NotFoundError, StateError
from juwei.i18n import _
from juwei.rules.charter import Charter, load_charter


@dataclass(frozen=True)
class CommunityInfo:
    """A community as the CLI shows it."""

    id: int
    name: str
    charter_name: str
    charter_digest: str


def pin_charter(session: Session, charter: Charter) -> CharterPin:
    """Store ``charter`` by digest (once; an identical charter reuses its pin)."""
    digest = charter.digest()
    pin = session.exec(select(CharterPin).where(CharterPin.digest == digest)).first()
    if pin is None:
        pin = CharterPin(
            digest=digest,
            name=charter.name,
            canonical_json=charter.canonical_json(),
            pinned_at=datetime.now(UTC),
        )
        session.add(pin)
        session.flush()
    return pin


def init_community(db: Database, name: str, charter_spec: str, *, operator: str) -> CommunityInfo:
    """Create the community ``name`` under the charter ``charter_spec`` (profile or file).

    Raises ``InputError`` for an empty name, ``CharterError`` for a charter that does not load,
    ``StateError`` when a community of that name exists.
    """
    clean = community_name(name)
    if not clean:
        raise InputError(_("The community name is empty."))
    if len(clean) > 100:
        raise InputError(_("The community name is longer than 100 characters."))
    if not clean.isprintable():
        raise InputError(_("The community name contains an invisible or control character."))
    charter = load_charter(charter_spec)
    with db.write() as session:
        if session.exec(select(Community).where(Community.name == clean)).first() is not None:
            raise StateError(_("The community {name} already exists.").format(name=clean))
        pin = pin_charter(session, charter)
        assert pin.id is not None
        community = Community(name=clean, charter_id=pin.id, created_at=datetime.now(UTC))
        session.add(community)
        session.flush()
        assert community.id is not None
        append_event(
            session,
            "community.init",
            {"name": clean, "charter": charter.name, "charter_digest": pin.digest},
            operator=operator,
            community_id=community.id,
        )
        return CommunityInfo(community.id, clean, charter.name, pin.digest)


def community_name(name: str) -> str:
    """A community name as stored and looked up: NFKC-normalised, outer blanks removed."""
    return unicodedata.normalize("NFKC", name).strip()


def find_community(session: Session, name: str | None) -> Community:
    """The community named ``name``, or the only one when ``name`` is None.

    Raises ``NotFoundError`` when there is none, the name is unknown, or several exist and no
    name was given.
    """
    if name is not None:
        name = community_name(name)
        found = session.exec(select(Community).where(Community.name == name)).first()
        if found is None:
            raise NotFoundError(_("No community named {name}.").format(name=name))
        return found
    communities = list(session.exec(select(Community).limit(2)))
    if not communities:
        raise NotFoundError(
            _(
                "This database has no community yet. "
                "Create one with: juwei init NAME --charter PROFILE"
            )
        )
    if len(communities) > 1:
        raise NotFoundError(
            _("This database holds several communities: name one with --community.")
        )
    return communities[0]


def community_charter(session: Session, community: Community) -> Charter:
    """The charter pinned to ``community`` (rebuilt from its canonical JSON)."""
    pin = session.get(CharterPin, community.charter_id)
    assert pin is not None
    return Charter.from_canonical_json(pin.canonical_json)


def election_charter(session: Session, election: Election) -> Charter:
    """The charter pinned to ``election`` when it was created (``election.charter_id``).

    Every step of an election — nominations, ballots, the poll, the count — runs under this
    charter, not the community's current one, so that a tally can be re-run years later under
    the rules it was held under (issue 5, audit verify).
    """
    pin = session.get(CharterPin, election.charter_id)
    assert pin is not None
    return _pinned_charter(pin.canonical_json)


@lru_cache(maxsize=16)
def _pinned_charter(text: str) -> Charter:
    """A pinned charter read once per process (charters are frozen; validating one costs
    milliseconds, and the count room's screen saves one ballot at a time)."""
    return Charter.from_canonical_json(text)
