"""``juwei audit verify``: replay an election from what is stored and say, check by check,
what was found (核查).

Checks, for an election and every round that follows it (supplementary round, tie runoff):

1. **event chain** — every event's SHA-256 recomputed (``audit.verify_chain``); names the
   first event changed, removed or reordered;
2. **charter** — the charter pinned to the election: the SHA-256 of its canonical JSON equals
   its stored digest and the digest recorded in the election's ``election.new`` event (or, for
   an election created before that was recorded, the ``community.init`` event);
3. **ballot accounting** (选票核对) — printed = issued + spoiled + unused (unused ≥ 0), returned
   ≤ issued, every returned serial printed and not spoiled, and the same figures in the log
   (``ballots.print`` copies, ``poll.issue`` / ``poll.issue_sheet``, ``poll.spoil``);
4. **ballot records** — each stored ballot (serial, box, marks, illegible sections) has the
   digest its ``count.record`` event recorded (``audit.ballot_digest``); names every serial
   changed, added or missing;
5. **stored result** — the SHA-256 of the stored outcome equals its digest and the digest of
   the ``count.result`` (and ``count.certify``) events;
6. **re-tally** (复核计票) — every stored ballot judged again and counted under the charter
   pinned to the election, not the community's current one (``retally``); every number and
   decision must equal the stored result; names the office and person that differ;
7. **result sheet PDFs** (optional) — the text of each PDF carries the result digest, and its
   QR code draws exactly the modules of the QR code of that digest (``Verification.digests``
   handed to ``juwei.ballots.verify_pdf`` by the command: printing is a layer above).

Nothing here writes: verification is read-only and appends no event.
"""

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from juwei.elections.audit import BallotMark, ballot_digest, verify_chain
from juwei.elections.ballot_id import label_order
from juwei.elections.db import Database
from juwei.elections.election import find_election
from juwei.elections.models import (
    BallotRecord,
    BallotSerial,
    Candidate,
    CharterPin,
    CountResult,
    Election,
    Event,
    Issuance,
    LegacyBallotBox,
    Mark,
    Office,
    PollBox,
    SectionRecord,
    Voter,
)
from juwei.elections.readmodels import Check
from juwei.elections.retally import (
    TallyBallot,
    TallyCandidate,
    TallyElection,
    TallyOffice,
    compare_outcomes,
    retally,
)
from juwei.errors import CharterError
from juwei.i18n import _, is_chinese
from juwei.rules.charter import Charter
from juwei.rules.counting import write_in_person

SHOWN = 10  # names listed per failed check (the count of the rest is given)


def _SEP() -> str:  # noqa: N802 - reads as a constant
    """The separator of clauses in a finding: "；" in Chinese, "; " in English."""
    return "；" if is_chinese() else "; "


@dataclass
class Verification:
    """Every check of one verification; ``ok`` only when all passed."""

    election_id: int | None
    checks: list[Check] = field(default_factory=list)
    digests: dict[int, str] = field(default_factory=dict)  # election → result digest

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return all(c.ok for c in self.checks)


def _named(items: Sequence[str]) -> tuple[str, ...]:
    if len(items) <= SHOWN:
        return tuple(items)
    return (*items[:SHOWN], _("… and {n} more").format(n=len(items) - SHOWN))


# ------------------------------------------------------------------------- plain event rows


@dataclass(frozen=True)
class LoggedEvent:
    """An event as the checks read it: sequence, kind and parsed payload."""

    seq: int
    kind: str
    payload: Mapping[str, Any]


def election_events(events: Sequence[LoggedEvent], election_id: int) -> list[LoggedEvent]:
    """The events whose payload names ``election_id``, in sequence order."""
    return [e for e in events if e.payload.get("election") == election_id]


def logged_ballots(
    events: Sequence[LoggedEvent],
) -> tuple[dict[str, tuple[str, int]], list[int]]:
    """Ballot (``"12-37"``, or an older serial) → (ballot digest, event seq) as the log leaves
    it: ``count.record`` (and any later event carrying ``ballot_digests``, such as
    ``count.correct``) add or replace, ``count.undo`` removes. Also the sequence numbers of
    ``count.record`` events without per-ballot digests (older juwei)."""
    digests: dict[str, tuple[str, int]] = {}
    older: list[int] = []
    for event in events:
        table = event.payload.get("ballot_digests")
        if isinstance(table, dict):
            for ballot, digest in table.items():
                digests[str(ballot)] = (str(digest), event.seq)
        elif event.kind == "count.record":
            older.append(event.seq)
        if event.kind == "count.undo":
            digests.pop(str(event.payload.get("ballot", event.payload.get("serial"))), None)
    return digests, older


def logged_accounting(events: Sequence[LoggedEvent]) -> tuple[int, int, int]:
    """(printed, issued, spoiled) ballots as the log records them for one election."""
    printed = issued = spoiled = 0
    for event in events:
        if event.kind == "ballots.print":
            printed += int(event.payload.get("copies", 0))
        elif event.kind == "poll.issue":
            issued += 1 + len(event.payload.get("proxies") or [])
        elif event.kind == "poll.issue_sheet":
            issued += int(event.payload.get("issued", 0))
        elif event.kind == "poll.spoil":  # a count per box; one serial before juwei 0.9
            spoiled += int(event.payload.get("count", 1))
    return printed, issued, spoiled


def last_digest(events: Sequence[LoggedEvent], kind: str) -> str | None:
    """The ``digest`` of the last event of ``kind`` (None when there is none)."""
    found = [e for e in events if e.kind == kind]
    return None if not found else str(found[-1].payload.get("digest"))


# ------------------------------------------------------------------------- shared checks


@dataclass
class ElectionFacts:
    """What the store says about one round, read from the database or from a package."""

    id: int
    title: str
    charter_name: str
    charter_json: str
    charter_digest: str  # as stored beside the charter
    charter_recorded: str | None  # as recorded in the log when the election was created
    printed: int
    spoiled: int
    issued: int
    returned: int
    unprinted_returns: list[str]  # older elections: returned serials never printed or spoiled
    tally: TallyElection
    outcome: str | None  # the stored outcome (canonical JSON) of the latest count
    outcome_digest: str | None
    certified: bool
    titles: dict[str, str]  # office key → title


def check_charter(facts: ElectionFacts) -> tuple[Check, Charter | None]:
    """The pinned charter is intact; returns the check and the charter (None if unreadable)."""
    name = _("charter")
    recomputed = hashlib.sha256(facts.charter_json.encode("utf-8")).hexdigest()
    which = _("charter {name} pinned to election {id}").format(name=facts.charter_name, id=facts.id)
    problems = []
    if recomputed != facts.charter_digest:
        problems.append(
            _("{which}: its text has SHA-256 {got}, not its digest {stored}").format(
                which=which, got=recomputed[:16], stored=facts.charter_digest[:16]
            )
        )
    if facts.charter_recorded is None:
        problems.append(_("{which}: no digest recorded in the log").format(which=which))
    elif facts.charter_recorded != recomputed:
        problems.append(
            _("{which}: the log recorded {logged} when the election was created").format(
                which=which, logged=facts.charter_recorded[:16]
            )
        )
    charter: Charter | None = None
    try:
        charter = Charter.from_canonical_json(facts.charter_json)
    except CharterError as error:
        problems.append(
            _("{which}: it no longer loads: {reason}").format(which=which, reason=error)
        )
    if problems:
        return Check(name, False, problems[0], _named(problems)), charter
    return (
        Check(
            name,
            True,
            _("{which} is intact: SHA-256 {digest}, as recorded in the log").format(
                which=which, digest=recomputed[:16]
            ),
        ),
        charter,
    )


def check_accounting(facts: ElectionFacts, events: Sequence[LoggedEvent]) -> Check:
    """Printed = issued + spoiled + unused; returned ≤ issued; returns printed; log agrees."""
    name = _("ballot accounting")
    unused = facts.printed - facts.issued - facts.spoiled
    problems = []
    if unused < 0:
        problems.append(
            _("{issued} issued and {spoiled} spoiled, but only {printed} printed").format(
                issued=facts.issued, spoiled=facts.spoiled, printed=facts.printed
            )
        )
    if facts.returned > facts.issued:
        problems.append(
            _("{returned} ballots returned, more than the {issued} issued").format(
                returned=facts.returned, issued=facts.issued
            )
        )
    for ballot in facts.unprinted_returns:
        problems.append(
            _("ballot {serial} was returned but never printed, or was spoiled").format(
                serial=ballot
            )
        )
    printed, issued, spoiled = logged_accounting(events)
    for what, stored, logged in (
        (_("printed"), facts.printed, printed),
        (_("issued"), facts.issued, issued),
        (_("spoiled"), facts.spoiled, spoiled),
    ):
        if stored != logged:
            problems.append(
                _("{what}: {stored} stored, {logged} in the log").format(
                    what=what, stored=stored, logged=logged
                )
            )
    summary = _(
        "printed {printed} = issued {issued} + spoiled {spoiled} + unused {unused}; "
        "returned {returned} ≤ issued {issued}"
    ).format(
        printed=facts.printed,
        issued=facts.issued,
        spoiled=facts.spoiled,
        unused=unused,
        returned=facts.returned,
    )
    if problems:
        return Check(name, False, problems[0], _named(problems))
    return Check(
        name,
        True,
        summary + _SEP() + _("the log agrees"),
    )


def check_ballots(
    observed: Mapping[str, str], events: Sequence[LoggedEvent], election_id: int
) -> Check:
    """Each stored ballot's digest equals the one its recording event holds."""
    name = _("ballot records")
    logged, older = logged_ballots(events)
    problems = []
    for ballot, digest in observed.items():
        entry = logged.get(ballot)
        if entry is None:
            problems.append(
                _("ballot {ballot} is stored but no event recorded it").format(ballot=ballot)
            )
        elif entry[0] != digest:
            problems.append(
                _("ballot {ballot}: its marks differ from what event {seq} recorded").format(
                    ballot=ballot, seq=entry[1]
                )
            )
    for ballot, (_digest, seq) in logged.items():
        if ballot not in observed:
            problems.append(
                _("ballot {ballot} was recorded by event {seq} but is missing").format(
                    ballot=ballot, seq=seq
                )
            )
    for seq in older:
        problems.append(
            _("event {seq} recorded ballots without a digest each (older juwei)").format(seq=seq)
        )
    if problems:
        return Check(name, False, problems[0], _named(problems))
    return Check(
        name,
        True,
        _("{n} ballots of election {id}, each as its count.record event recorded it").format(
            n=len(observed), id=election_id
        ),
    )


def check_result(facts: ElectionFacts, events: Sequence[LoggedEvent]) -> Check:
    """The stored outcome hashes to its digest and to the digest in the log."""
    name = _("stored result")
    if facts.outcome is None or facts.outcome_digest is None:
        return Check(name, True, _("election {id} has not been counted").format(id=facts.id))
    recomputed = hashlib.sha256(facts.outcome.encode("utf-8")).hexdigest()
    problems = []
    if recomputed != facts.outcome_digest:
        problems.append(
            _(
                "the stored result of election {id} was changed: its SHA-256 is {got}, "
                "its digest {stored}"
            ).format(id=facts.id, got=recomputed[:16], stored=facts.outcome_digest[:16])
        )
    logged = last_digest(events, "count.result")
    if logged != facts.outcome_digest:
        problems.append(
            _("the count.result event recorded {logged}, the stored digest is {stored}").format(
                logged=(logged or "—")[:16], stored=facts.outcome_digest[:16]
            )
        )
    if facts.certified:
        certified = last_digest(events, "count.certify")
        if certified != facts.outcome_digest:
            problems.append(
                _(
                    "the count.certify event recorded {logged}, the stored digest is {stored}"
                ).format(logged=(certified or "—")[:16], stored=facts.outcome_digest[:16])
            )
    if problems:
        return Check(name, False, problems[0], _named(problems))
    return Check(
        name,
        True,
        _("digest {digest} {state}, as the log recorded").format(
            digest=recomputed,
            state=_("certified") if facts.certified else _("counted"),
        ),
    )


def check_retally(
    facts: ElectionFacts, charter: Charter | None, ballots: Iterator[TallyBallot]
) -> tuple[Check, str | None]:
    """Re-tally under the pinned charter and compare with the stored outcome; returns the
    check and the recomputed digest."""
    name = _("re-tally")
    if facts.outcome is None:
        for _ballot in ballots:
            pass
        return Check(name, True, _("not counted yet: nothing to compare")), None
    if charter is None:
        for _ballot in ballots:
            pass
        return Check(name, False, _("the pinned charter does not load: no re-tally")), None
    again = retally(charter, facts.tally, ballots)
    try:
        stored = json.loads(facts.outcome)
    except ValueError:
        stored = {}
    problems = [
        _("ballot {ballot}: {what}").format(ballot=ballot, what=what)
        for ballot, what in again.misjudged
    ]
    problems += compare_outcomes(stored, again.document, facts.titles)
    if problems:
        return Check(name, False, problems[0], _named(problems)), again.digest
    same = again.digest == facts.outcome_digest
    found = _(
        "{n} ballots judged and counted again under the pinned charter: every vote and "
        "decision equals the stored result"
    ).format(n=again.ballots)
    if same:
        found += _SEP() + _("same digest")
    else:
        found += _SEP() + _("only the wording of reasons differs")
    return Check(name, True, found), again.digest


BASE_NUMBERS = ("registered_voters", "households", "representatives")


def logged_base(events: Sequence[LoggedEvent]) -> Mapping[str, Any] | None:
    """The payload of the round's ``poll.open`` event (the frozen quorum base), if any."""
    found = [e for e in events if e.kind == "poll.open"]
    return found[-1].payload if found else None


def check_base(facts: ElectionFacts, events: Sequence[LoggedEvent]) -> Check:
    """The quorum base the count used (registered voters, households, representatives) is
    the one recorded in the chain when the poll opened (``poll.open``, issue 11)."""
    name = _("quorum base")
    logged = logged_base(events)
    used = {
        "registered_voters": facts.tally.registered_voters,
        "households": facts.tally.households,
        "representatives": facts.tally.representatives,
    }
    if logged is None:
        if facts.issued == 0:
            return Check(name, True, _("the poll has not opened; no base is fixed yet"))
        return Check(
            name,
            False,
            _("ballots were issued but the log holds no poll.open event fixing the base"),
            (_("election {id}").format(id=facts.id),),
        )
    wrong = [
        _("{what}: {used} used, {logged} recorded when the poll opened").format(
            what=key, used=used[key], logged=logged.get(key)
        )
        for key in BASE_NUMBERS
        if (logged.get(key) or 0) != used[key]
    ]
    if wrong:
        return Check(name, False, wrong[0], _named(wrong))
    return Check(
        name,
        True,
        _(
            "{voters} registered voters, {households} households, as recorded when the poll opened"
        ).format(voters=used["registered_voters"], households=used["households"]),
    )


def observing(ballots: Iterator[TallyBallot], observed: dict[str, str]) -> Iterator[TallyBallot]:
    """Pass the ballots through, keeping each one's ``ballot_digest`` in ``observed``."""
    for ballot in ballots:
        observed[ballot.ballot] = ballot_digest(
            ballot.ballot, list(ballot.marks), list(ballot.illegible), legacy_box=ballot.legacy_box
        )
        yield ballot


def verify_election(
    facts: ElectionFacts, ballots: Iterator[TallyBallot], events: Sequence[LoggedEvent]
) -> list[Check]:
    """Every check of one round except the chain and the PDFs (shared by the database and
    the package verifiers)."""
    mine = election_events(events, facts.id)
    charter_check, charter = check_charter(facts)
    observed: dict[str, str] = {}
    retally_check, _digest = check_retally(facts, charter, observing(ballots, observed))
    return [
        charter_check,
        check_accounting(facts, mine),
        check_ballots(observed, mine, facts.id),
        check_result(facts, mine),
        retally_check,
        check_base(facts, mine),
    ]


def prefixed(checks: list[Check], election_id: int, several: bool) -> list[Check]:
    """Name the election in each check when several rounds are verified together."""
    if not several:
        return checks
    return [
        Check(
            _("{check} (election {id})").format(check=c.name, id=election_id),
            c.ok,
            c.found,
            c.named,
        )
        for c in checks
    ]


# ------------------------------------------------------------------------- the database


def family(session: Session, election: Election) -> list[Election]:
    """The election's first round and every round that follows it, oldest first."""
    root = election
    while root.parent_id is not None:
        parent = session.get(Election, root.parent_id)
        assert parent is not None
        root = parent
    out = [root]
    frontier = [root.id]
    while frontier:
        children = list(
            session.exec(
                select(Election)
                .where(col(Election.parent_id).in_(frontier))
                .order_by(col(Election.id))
            ).all()
        )
        out += children
        frontier = [c.id for c in children]
    return out


def read_events(session: Session, community_id: int) -> list[LoggedEvent]:
    """The community's events with parsed payloads (an unreadable payload reads as empty)."""
    out = []
    for seq, kind, payload in session.execute(
        sa_select(Event.seq, Event.kind, Event.payload)  # type: ignore[call-overload]
        .where(Event.community_id == community_id)
        .order_by(Event.seq)
    ).all():
        try:
            parsed = json.loads(payload)
        except ValueError:
            parsed = {}
        out.append(LoggedEvent(seq, kind, parsed if isinstance(parsed, dict) else {}))
    return out


def recorded_charter(events: Sequence[LoggedEvent], root_id: int) -> str | None:
    """The charter digest the log recorded for the election ``root_id`` (``election.new``),
    else the community's (``community.init``)."""
    for event in events:
        if event.kind == "election.new" and event.payload.get("election") == root_id:
            if "charter_digest" in event.payload:
                return str(event.payload["charter_digest"])
    for event in events:
        if event.kind == "community.init":
            return str(event.payload.get("charter_digest"))
    return None


def _count(session: Session, stmt: Any) -> int:
    return int(session.execute(stmt).scalar_one())


def elected_before(session: Session, election: Election) -> tuple[int, int]:
    """Members (and women among them) elected by the earlier rounds' stored outcomes."""
    elected = women = 0
    parent_id = election.parent_id
    while parent_id is not None:
        parent = session.get(Election, parent_id)
        assert parent is not None
        result = latest_result(session, parent_id)
        if result is not None:
            try:
                data = json.loads(result.outcome)
            except ValueError:
                data = {"offices": []}
            for office in data.get("offices", []):
                for person in office.get("elected", []):
                    elected += 1
                    key = str(person.get("person", ""))
                    voter = session.get(Voter, int(key[1:])) if key.startswith("v") else None
                    women += 1 if voter is not None and voter.sex == "F" else 0
        parent_id = parent.parent_id
    return elected, women


def latest_result(session: Session, election_id: int) -> CountResult | None:
    """The latest stored count of ``election_id``."""
    return session.exec(
        select(CountResult)
        .where(CountResult.election_id == election_id)
        .order_by(col(CountResult.id).desc())
    ).first()


def election_facts(
    session: Session, election: Election, events: Sequence[LoggedEvent]
) -> ElectionFacts:
    """Read one round's facts from the database."""
    eid = election.id
    assert eid is not None
    pin = session.get(CharterPin, election.charter_id)
    assert pin is not None
    root = election
    while root.parent_id is not None:
        parent = session.get(Election, root.parent_id)
        assert parent is not None
        root = parent
    assert root.id is not None
    printed = _count(
        session,
        sa_select(func.count())
        .select_from(BallotSerial)
        .where(col(BallotSerial.election_id) == eid),
    )
    spoiled = _count(
        session,
        sa_select(func.count())
        .select_from(BallotSerial)
        .where(col(BallotSerial.election_id) == eid, col(BallotSerial.state) == "spoiled"),
    ) + _count(
        session,
        sa_select(func.coalesce(func.sum(PollBox.spoiled), 0)).where(
            col(PollBox.election_id) == eid
        ),
    )
    issued = _count(
        session,
        sa_select(func.count()).select_from(Issuance).where(col(Issuance.election_id) == eid),
    )
    returned = _count(
        session,
        sa_select(func.count())
        .select_from(BallotRecord)
        .where(col(BallotRecord.election_id) == eid),
    )
    serials: dict[str, str] = dict(
        session.execute(
            sa_select(BallotSerial.serial, BallotSerial.state).where(  # type: ignore[call-overload]
                col(BallotSerial.election_id) == eid
            )
        ).all()
    )
    unprinted = [  # an older election's ballots were recorded by their printed serial
        s
        for s in session.execute(
            sa_select(BallotRecord.ballot).where(col(BallotRecord.election_id) == eid)  # type: ignore[call-overload]
        ).scalars()
        if label_order(s)[2] and serials.get(s) != "printed"
    ]
    del serials
    offices = list(
        session.exec(
            select(Office).where(Office.election_id == eid).order_by(col(Office.position))
        ).all()
    )
    names: dict[str, str] = {}
    women: set[str] = set()
    tally_offices = []
    for office in offices:
        cands = []
        for cand, voter in session.exec(
            select(Candidate, Voter)
            .join(Voter, col(Voter.id) == col(Candidate.voter_id))
            .where(Candidate.office_id == office.id)
            .order_by(col(Candidate.ballot_number))
        ).all():
            person = f"v{voter.id}"
            names[person] = voter.name
            if voter.sex == "F":
                women.add(person)
            cands.append(TallyCandidate(person, cand.ballot_number, voter.name))
        tally_offices.append(TallyOffice(office.key, office.title, office.seats, tuple(cands)))
    write_ins: dict[str, str] = {}
    for (name,) in session.execute(
        sa_select(Mark.write_in)  # type: ignore[call-overload]
        .where(Mark.election_id == eid, col(Mark.write_in).is_not(None))
        .distinct()
    ).all():
        found = session.execute(
            sa_select(Voter.id, Voter.sex).where(  # type: ignore[call-overload]
                col(Voter.community_id) == election.community_id,
                col(Voter.listed).is_(True),
                Voter.name == name,
            )
        ).all()
        person = write_in_person(name, [int(row[0]) for row in found])
        if len(found) == 1:
            names.setdefault(person, name)
            if found[0][1] == "F":
                women.add(person)
        write_ins[name] = person
    before, women_before = elected_before(session, election)
    result = latest_result(session, eid)
    return ElectionFacts(
        id=eid,
        title=election.title,
        charter_name=pin.name,
        charter_json=pin.canonical_json,
        charter_digest=pin.digest,
        charter_recorded=recorded_charter(events, root.id),
        printed=printed,
        spoiled=spoiled,
        issued=issued,
        returned=returned,
        unprinted_returns=unprinted,
        tally=TallyElection(
            id=eid,
            kind=election.kind,
            mode=election.mode,
            registered_voters=election.registered_voters or 0,
            households=election.households or 0,
            representatives=election.representatives or 0,
            ballots_issued=issued,
            offices=tuple(tally_offices),
            women=frozenset(women),
            write_ins=write_ins,
            names=names,
            elected_before=before,
            women_elected_before=women_before,
        ),
        outcome=None if result is None else result.outcome,
        outcome_digest=None if result is None else result.digest,
        certified=False if result is None else result.certified,
        titles={o.key: o.title for o in offices},
    )


def _rows(result: Any) -> Iterator[Any]:
    """The rows of a streamed result, fetched a block at a time (less overhead per row)."""
    for block in result.partitions():
        yield from block


def stored_ballots(session: Session, election_id: int) -> Iterator[TallyBallot]:
    """Stream the stored ballots of a round, oldest first, with their marks and sections
    (three ordered queries merged by record id; memory stays flat). Core queries on the
    session's connection: no ORM rows are built."""
    conn = session.connection()
    office_key: dict[int, str] = dict(
        conn.execute(
            sa_select(Office.id, Office.key).where(Office.election_id == election_id)  # type: ignore[call-overload]
        ).all()
    )
    numbers: dict[int, int] = dict(
        conn.execute(
            sa_select(Candidate.id, Candidate.ballot_number).where(  # type: ignore[call-overload]
                Candidate.election_id == election_id
            )
        ).all()
    )
    records = _rows(
        conn.execute(
            sa_select(
                BallotRecord.id,
                BallotRecord.ballot,
                LegacyBallotBox.box,
                BallotRecord.valid,
                BallotRecord.blank,
            )  # type: ignore[call-overload]
            .outerjoin(LegacyBallotBox, LegacyBallotBox.record_id == BallotRecord.id)
            .where(col(BallotRecord.election_id) == election_id)
            .order_by(BallotRecord.id)
            .execution_options(yield_per=2000)
        )
    )
    sections = _rows(
        conn.execute(
            sa_select(
                SectionRecord.record_id,
                SectionRecord.office_id,
                SectionRecord.valid,
                SectionRecord.illegible,
            )  # type: ignore[call-overload]
            .join(BallotRecord, BallotRecord.id == SectionRecord.record_id)
            .where(col(BallotRecord.election_id) == election_id)
            .order_by(SectionRecord.record_id, SectionRecord.id)
            .execution_options(yield_per=5000)
        )
    )
    marks = _rows(
        conn.execute(
            sa_select(Mark.record_id, Mark.office_id, Mark.kind, Mark.candidate_id, Mark.write_in)  # type: ignore[call-overload]
            .where(Mark.election_id == election_id)
            .order_by(Mark.record_id, Mark.id)
            .execution_options(yield_per=10000)
        )
    )
    section = next(sections, None)
    mark = next(marks, None)
    for record_id, ballot, legacy_box, valid, blank in records:
        while section is not None and section[0] < record_id:
            section = next(sections, None)
        while mark is not None and mark[0] < record_id:
            mark = next(marks, None)
        valid_by: dict[str, bool] = {}
        illegible: list[str] = []
        while section is not None and section[0] == record_id:
            key = office_key.get(section[1], f"#{section[1]}")
            valid_by[key] = bool(section[2])
            if section[3]:
                illegible.append(key)
            section = next(sections, None)
        found: list[BallotMark] = []
        while mark is not None and mark[0] == record_id:
            _rid, office_id, kind, cand, write_in = mark
            found.append(
                (
                    office_key.get(office_id, f"#{office_id}"),
                    kind,
                    None if cand is None else numbers.get(cand, -1),
                    write_in,
                )
            )
            mark = next(marks, None)
        found.sort(key=lambda m: (m[0], m[1], -1 if m[2] is None else m[2], m[3] or ""))
        yield TallyBallot(
            ballot=ballot,
            legacy_box=legacy_box,
            marks=tuple(found),
            illegible=tuple(sorted(illegible)),
            valid=bool(valid),
            blank=bool(blank),
            sections_valid=valid_by,
        )


def check_base_roll(session: Session, election: Election, events: Sequence[LoggedEvent]) -> Check:
    """Recompute the logged quorum base from the roll as it stood when the poll opened:
    the voters imported by then (``first_import_id`` up to the ``poll.open`` event's
    ``roll_import``) and not delisted by then (issue 11); in representative mode also the
    representatives serving on the election day (居民代表, S1 art 8), from their own term
    records, so that a representative added or ended afterwards with a term covering that
    day is caught. A voter delisted by then and listed again later reads as listed, which
    the message names."""
    name = _("quorum base from the roll")
    logged = logged_base(events)
    if logged is None:
        return Check(name, True, _("nothing to recompute"))
    last = logged.get("roll_import")
    vt = Voter.__table__  # type: ignore[attr-defined]
    when = vt.c.community_id == election.community_id
    if isinstance(last, int):
        when = (
            when
            & (vt.c.first_import_id <= last)
            & ((vt.c.delisted_import_id.is_(None)) | (vt.c.delisted_import_id > last))
        )
    else:
        when = when & vt.c.id.is_(None)  # no roll imported when the poll opened: nobody
    if election.group_id is not None:
        when = when & (vt.c.group_id == election.group_id)
    voters = _count(session, sa_select(func.count()).select_from(vt).where(when))
    households = _count(
        session, sa_select(func.count(func.distinct(vt.c.household_id))).where(when)
    )
    wrong = [
        _("{what}: the roll gives {roll}, the log recorded {logged}").format(
            what=key, roll=roll, logged=logged.get(key)
        )
        for key, roll in (("registered_voters", voters), ("households", households))
        if logged.get(key) != roll
    ]
    if election.mode == "representative":
        from juwei.elections.representatives import serving_voter_ids

        serving = len(serving_voter_ids(session, election.community_id, on=election.day))
        if logged.get("representatives") != serving:
            wrong.append(
                _(
                    "representatives: {serving} serve on the election day by their term "
                    "records, the log recorded {logged}"
                ).format(serving=serving, logged=logged.get("representatives"))
            )
    if wrong:
        return Check(name, False, wrong[0], _named(wrong))
    return Check(
        name,
        True,
        _(
            "the roll as of import {n} gives the recorded {voters} voters and "
            "{households} households"
        ).format(n=last, voters=voters, households=households),
    )


def check_tally(
    session: Session, election: Election, events: Sequence[LoggedEvent], facts: ElectionFacts
) -> Check | None:
    """For an election counted by tally sheets (issue 14 §2): each table's sheet as its
    ``count.tally`` event recorded it; the tables' ballots add up (blank + invalid ≤ ballots
    at each table; all tables = the ballots the stored result counted, ≤ issued); and the
    sum of the tables decided again under the pinned charter gives the stored result's
    digest. None for an election counted ballot by ballot."""
    from juwei.elections.count import _resolver, decided_document, gather_counts
    from juwei.elections.models import TallySheet

    sheets = session.exec(
        select(TallySheet)
        .where(TallySheet.election_id == election.id)
        .order_by(col(TallySheet.table_name))
    ).all()
    if not sheets:
        return None
    name = _("tally sheets")
    logged = {e.payload.get("table"): (e.payload, e.seq) for e in events if e.kind == "count.tally"}
    problems: list[str] = []
    for sheet in sheets:
        entry = logged.pop(sheet.table_name, None)
        sheet_digest = hashlib.sha256(sheet.offices.encode("utf-8")).hexdigest()
        if entry is None:
            problems.append(
                _("the tally sheet of table {table} is stored but no event recorded it").format(
                    table=sheet.table_name
                )
            )
        elif tuple(entry[0].get(k) for k in ("digest", "ballots", "blank", "invalid")) != (
            sheet_digest,
            sheet.ballots,
            sheet.blank,
            sheet.invalid,
        ):
            problems.append(
                _("the tally sheet of table {table} differs from what event {seq} recorded").format(
                    table=sheet.table_name, seq=entry[1]
                )
            )
        if sheet.blank + sheet.invalid > sheet.ballots:
            problems.append(
                _("table {table}: blank and invalid ballots exceed its ballots").format(
                    table=sheet.table_name
                )
            )
    for table, (_payload, seq) in logged.items():
        problems.append(
            _("the tally sheet of table {table} was recorded by event {seq} but is missing").format(
                table=table, seq=seq
            )
        )
    total = sum(sheet.ballots for sheet in sheets)
    if total > facts.issued:
        problems.append(
            _("the tables counted {n} ballots, more than the {issued} issued").format(
                n=total, issued=facts.issued
            )
        )
    digest: str | None = None
    if facts.outcome is not None:
        stored = json.loads(facts.outcome)
        if stored.get("ballots_returned") != total:
            problems.append(
                _("the tables counted {n} ballots, the result {m}").format(
                    n=total, m=stored.get("ballots_returned")
                )
            )
        r = _resolver(session, election)
        _outcome, _document, digest = decided_document(
            election, r, gather_counts(session, election, r)
        )
        if digest != facts.outcome_digest:
            problems.append(_("the sum of the tables decides differently from the stored result"))
    if problems:
        return Check(name, False, problems[0], _named(problems))
    found = _("{tables} tables, {n} ballots, each sheet as its event recorded it").format(
        tables=len(sheets), n=total
    )
    if digest is not None:
        found += _SEP() + _("the sum of the tables decides the stored result again (same digest)")
    return Check(name, True, found)


def verify_database(
    db: Database,
    *,
    election_id: int | None = None,
    community: str | None = None,
) -> Verification:
    """Verify an election (the newest when ``election_id`` is None) and its rounds from the
    database; read-only. ``digests`` holds each counted round's recomputed result digest, for
    the PDF check (``juwei.ballots.verify_pdf``). Raises ``NotFoundError`` for an unknown
    community or election."""
    with db.read() as session:
        election = find_election(session, community, election_id)
        assert election.id is not None
        out = Verification(election.id)
        chain = verify_chain(session)
        if chain.ok:
            out.checks.append(
                Check(
                    _("event chain"),
                    True,
                    _("{n} events, each chained to the one before").format(n=chain.events),
                )
            )
        else:
            out.checks.append(
                Check(
                    _("event chain"),
                    False,
                    chain.problem or "",
                    (_("event {seq}").format(seq=chain.broken_at),),
                )
            )
        events = read_events(session, election.community_id)
        rounds = family(session, election)
        for one in rounds:
            assert one.id is not None
            facts = election_facts(session, one, events)
            checks = verify_election(facts, stored_ballots(session, one.id), events)
            tallied = check_tally(session, one, election_events(events, one.id), facts)
            if tallied is not None:  # counted by tally sheets: re-add the tables instead
                checks = [c for c in checks if c.name != _("re-tally")] + [tallied]
            checks.append(check_base_roll(session, one, election_events(events, one.id)))
            out.checks += prefixed(checks, one.id, len(rounds) > 1)
            if facts.outcome_digest is not None:
                out.digests[one.id] = hashlib.sha256(
                    (facts.outcome or "").encode("utf-8")
                ).hexdigest()
    return out
