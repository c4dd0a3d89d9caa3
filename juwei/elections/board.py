"""The public count board (计票公示): what the projector in the counting room shows.

A read-model of the running count of one election, built from the same tallies as the count
itself (``juwei.elections.count.gather_counts``) and the same threshold rule
(``juwei.rules.counting.office_threshold``), so that the board never shows a number the
count would not. It holds no personal data beyond what is read aloud in the room: names of
candidates and of persons written in, and vote totals (no ID number, age, household, box,
serial or time).

``change_mark`` is a cheap counter that moves with every change to the database (the audit
chain's last sequence number: every saved ballot, tally or count appends one event), so a
server can poll it several times a second and rebuild the board only when it moved.
"""

import json
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from juwei.elections.count import (
    _latest_result,
    _resolver,
    box_accounts,
    gather_counts,
    record_count,
)
from juwei.elections.db import Database
from juwei.elections.election import find_election
from juwei.elections.models import BallotRecord, Candidate, Community, Election, Event, Issuance
from juwei.rules.counting import RoundKind, office_threshold, void_mark

_KINDS = {"supplementary": RoundKind.SUPPLEMENTARY, "runoff": RoundKind.RUNOFF}


@dataclass(frozen=True)
class BoardLine:
    """One person's running total in one office. ``number``: the ballot number printed
    beside a candidate (None for a name written in); ``elected``: after the count, whether
    the count elected them (None before the count)."""

    number: int | None
    name: str
    votes: int
    elected: bool | None = None


@dataclass(frozen=True)
class BoardOffice:
    """One office on the board: candidates as printed (by ballot number), then names written
    in (most votes first); ``threshold_words``: the rule in Chinese words, e.g.
    ``当选须得参加投票选民的过半数：至少 1,199 票``; ``threshold_votes``: that minimum (exact,
    from ``juwei.rules``), None where no threshold applies (a runoff) or on an empty base;
    ``decision``: after the count, what it decided for the office (Chinese)."""

    title: str
    seats: int
    lines: tuple[BoardLine, ...]
    valid_sections: int
    invalid_sections: int
    threshold_words: str
    threshold_votes: int | None
    decision: str | None


@dataclass(frozen=True)
class BoardState:
    """The whole board: ``counted`` ballots entered so far against ``expected`` (the ballots
    the count must reach: returned ballots found at opening, else ballots issued), what
    ``expected`` is (``expected_label``), invalid and blank ballots so far, the offices, and
    after the count its decision (``decision``, Chinese) and ``valid``. ``mark`` is the
    ``change_mark`` the state was built at."""

    community: str
    election_id: int
    election: str
    counted: int
    expected: int
    expected_label: str
    invalid_ballots: int
    blank_ballots: int
    offices: tuple[BoardOffice, ...]
    decision: str | None
    valid: bool | None
    mark: int

    def to_json(self) -> str:
        """The state as one JSON document (UTF-8 text, Chinese kept as is)."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))


def change_mark(db: Database) -> int:
    """The audit chain's last sequence number (0 for an empty log): it moves with every
    saved ballot, tally, count or other change. One indexed query."""
    with db.read() as session:
        return int(session.exec(select(func.max(Event.seq))).one() or 0)


def _zh(value: Any) -> str:
    """A stored text in Chinese (counts store every reason in English and Chinese)."""
    if isinstance(value, dict):
        return str(value.get("zh_CN", value.get("en", "")))
    return str(value)


def _count(session: Session, stmt: Any) -> int:
    return int(session.exec(stmt).one() or 0)


def board_state(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> BoardState:
    """The board of ``election_id`` (the community's newest election when None).

    Raises ``NotFoundError`` when there is no such election. Read-only (one snapshot).
    """
    with db.read() as session:
        mark = int(session.exec(select(func.max(Event.seq))).one() or 0)
        election = find_election(session, community, election_id)
        comm = session.get(Community, election.community_id)
        assert comm is not None and election.id is not None
        return _build(session, election, comm.name, mark)


def _build(session: Session, election: Election, community: str, mark: int) -> BoardState:
    eid = election.id
    assert eid is not None
    r = _resolver(session, election)
    counts = gather_counts(session, election, r)
    issued = _count(
        session, select(func.count()).select_from(Issuance).where(Issuance.election_id == eid)
    )
    expected, label = issued, "发出选票"
    found = [a.found for a in box_accounts(session, election) if a.found is not None]
    if found:  # the boxes opened (开箱): the count must reach the ballots found in them
        expected, label = sum(found), "开箱选票"
    counted = record_count(session, election)
    invalid = _count(
        session,
        select(func.count())
        .select_from(BallotRecord)
        .where(BallotRecord.election_id == eid, col(BallotRecord.valid).is_(False)),
    )
    blank = _count(
        session,
        select(func.count())
        .select_from(BallotRecord)
        .where(BallotRecord.election_id == eid, col(BallotRecord.blank).is_(True)),
    )
    # the line is drawn on the ballots the count will reach, not on those entered so far
    base = replace(counts, ballots_returned=max(expected, counted))
    kind = _KINDS.get(election.kind, RoundKind.GENERAL)
    result = _latest_result(session, eid)
    outcome = json.loads(result.outcome) if result is not None else None
    decided = {o["office"]: o for o in outcome["offices"]} if outcome else {}
    numbers: dict[int, dict[int, int]] = {}  # office id → voter id → ballot number
    for office_id, voter_id, number in session.exec(
        select(Candidate.office_id, Candidate.voter_id, Candidate.ballot_number).where(
            Candidate.election_id == eid
        )
    ).all():
        numbers.setdefault(office_id, {})[voter_id] = number
    offices: list[BoardOffice] = []
    by_key = {oc.key.value: oc for oc in counts.offices}
    for office in r.offices:
        assert office.id is not None
        oc = by_key[office.key]
        printed = numbers.get(office.id, {})
        lines = [
            BoardLine(number, r.voter_names.get(vid, ""), oc.votes.get(f"v{vid}", 0))
            for vid, number in sorted(printed.items(), key=lambda item: item[1])
        ]
        on_ballot = {f"v{vid}" for vid in printed}
        others = sorted(
            ((p, n) for p, n in oc.votes.items() if p not in on_ballot),
            key=lambda item: (-item[1], item[0]),
        )
        for person, n in others:
            if void_mark(person) is not None:  # counts for nobody: not on the board
                continue
            name = person[2:] if person.startswith("w:") else r.voter_names.get(int(person[1:]), "")
            lines.append(BoardLine(None, name, n))
        threshold, minimum = None, None
        if election.kind != "recall":
            threshold, minimum = office_threshold(r.charter, base, oc.key, kind)
        decision: str | None = None
        if office.key in decided:
            o = decided[office.key]
            elected_names = {e["name"] for e in o["elected"]}
            lines = [replace(line, elected=line.name in elected_names) for line in lines]
            decision = _zh(o["reason"])
            for extra in ("tie", "supplementary"):
                if o.get(extra):
                    decision += "；" + _zh(o[extra]["reason"])
            minimum = o["threshold_votes"]  # on the ballots the count found
        words = ""  # a recall vote's rule is the recall's (juwei.rules.recall), not a line
        if election.kind == "recall":
            pass
        elif threshold is None:
            words = "得票多者当选"
        elif minimum is not None:
            words = f"当选须得{threshold.describe().zh}：至少 {minimum:,} 票"
        else:
            words = f"当选须得{threshold.describe().zh}"
        offices.append(
            BoardOffice(
                title=office.title,
                seats=office.seats,
                lines=tuple(lines),
                valid_sections=oc.valid_sections,
                invalid_sections=oc.invalid_sections,
                threshold_words=words,
                threshold_votes=minimum,
                decision=decision,
            )
        )
    return BoardState(
        community=community,
        election_id=eid,
        election=election.title,
        counted=counted,
        expected=expected,
        expected_label=label,
        invalid_ballots=invalid,
        blank_ballots=blank,
        offices=tuple(offices),
        decision=None if outcome is None else _zh(outcome["reason"]),
        valid=None if outcome is None else bool(outcome["valid"]),
        mark=mark,
    )
