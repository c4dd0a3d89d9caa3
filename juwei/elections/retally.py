"""The re-tally (复核计票) of an election from plain data: no database, no I/O.

Both ``juwei audit verify`` (from the database) and ``juwei audit verify --package`` (from an
exported audit package, on another machine) hand this module the same plain values: the
pinned charter, the election's figures (mode, electorate, ballots issued, offices, seats,
candidates) and the stored ballots (identity, marks, illegible sections, stored validity).
Every ballot is judged again by ``juwei.rules.counting.judge_ballot`` under the pinned charter,
the votes of the valid sections are added up, and ``juwei.rules.counting`` decides the outcome
again; the outcome document is built exactly as the count built it (``count._outcome_json``,
English and Chinese), so that its SHA-256 can be compared with the certified digest.

``compare_outcomes`` names every number or decision that differs (office, person, field). The
wording of reasons is not compared, only reported: a later juwei whose messages were improved
must still verify an old election.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from juwei.elections.audit import BallotMark, canonical_json
from juwei.elections.count import _bilingual, _outcome_json
from juwei.i18n import _, current_language, set_language
from juwei.rules.charter import Charter, ElectionMode, OfficeKey
from juwei.rules.counting import (
    BallotJudgement,
    ElectionCounts,
    OfficeCounts,
    OfficeSeats,
    Section,
    decide_outcome,
    decide_runoff,
    decide_supplementary,
    judge_ballot,
)

JUDGEMENT_CACHE = 200_000  # distinct ballot patterns judged once (identical ballots are common)


@dataclass(frozen=True)
class TallyCandidate:
    """A candidate printed on the ballot: person key (``v<row>``), ballot number, name."""

    person: str
    number: int
    name: str


@dataclass(frozen=True)
class TallyOffice:
    """An office of the round, in ballot order: key, title as printed, seats, candidates."""

    key: str
    title: str
    seats: int
    candidates: tuple[TallyCandidate, ...]


@dataclass(frozen=True)
class TallyElection:
    """Everything but the ballots that the count decided on, for one round.

    ``kind``: general | by_election | supplementary | runoff; ``mode``: direct | household |
    representative; counts in voters, households, representatives and ballots; ``women``:
    person keys of women (candidates and written-in voters); ``write_ins``: written-in name →
    person key (``v<row>`` when exactly one listed voter had that name, else ``w:<name>``);
    ``names``: person key → name; ``elected_before`` / ``women_elected_before``: members
    elected in earlier rounds of the same election (rules.counting.ElectionCounts).
    """

    id: int
    kind: str
    mode: str
    registered_voters: int
    households: int
    representatives: int
    ballots_issued: int
    offices: tuple[TallyOffice, ...]
    women: frozenset[str]
    write_ins: Mapping[str, str]
    names: Mapping[str, str]
    elected_before: int = 0
    women_elected_before: int = 0


@dataclass(frozen=True)
class TallyBallot:
    """A stored returned ballot: its identity (``"12-37"``), marks (``audit.BallotMark``), the
    offices whose section is stored as illegible, and the stored validity (whole ballot,
    blank, and per office key). ``legacy_box``: the box of a ballot recorded before juwei 0.9
    (None for every ballot since: a ballot has no box)."""

    ballot: str
    marks: tuple[BallotMark, ...]
    illegible: tuple[str, ...]
    valid: bool
    blank: bool
    sections_valid: Mapping[str, bool]
    legacy_box: str | None = None


@dataclass
class Retally:
    """The re-tally of one round: the outcome document and its SHA-256, the ballots judged,
    and every ballot whose stored validity differs from the judgement (ballot, what)."""

    document: dict[str, Any]
    digest: str
    ballots: int = 0
    misjudged: list[tuple[str, str]] = field(default_factory=list)


def _sections(
    election: TallyElection, persons: dict[tuple[str, int], str], ballot: TallyBallot
) -> dict[str, Section]:
    grouped: dict[str, dict[str, list[str]]] = {}
    for office, kind, number, write_in in ballot.marks:
        slot = grouped.setdefault(office, {"for": [], "against": [], "write_in": []})
        if kind == "write_in":
            slot["write_in"].append(election.write_ins.get(write_in or "", f"w:{write_in}"))
        else:
            person = persons.get((office, number if number is not None else -1))
            if person is None:
                raise ValueError(
                    _("ballot {ballot}: {office} has no candidate number {number}").format(
                        ballot=ballot.ballot, office=office, number=number
                    )
                )
            slot[kind].append(person)
    sections = {
        key: Section(
            for_=tuple(marks["for"]),
            against=tuple(marks["against"]),
            write_in=tuple(marks["write_in"]),
            illegible=key in ballot.illegible,
        )
        for key, marks in grouped.items()
    }
    for key in ballot.illegible:
        sections.setdefault(key, Section(illegible=True))
    return sections


def retally(charter: Charter, election: TallyElection, ballots: Iterable[TallyBallot]) -> Retally:
    """Judge every ballot again under ``charter`` and decide the outcome again.

    Returns the outcome document (the same shape and canonical JSON as ``CountResult.outcome``)
    and its SHA-256. A ballot naming an office or candidate number that is not on the paper
    is reported in ``misjudged`` and counted as nothing. Pure apart from switching the message
    language while the reasons are written in English and Chinese.
    """
    seats = [OfficeSeats(OfficeKey(o.key), o.seats) for o in election.offices]
    known = {o.key for o in election.offices}
    persons = {(o.key, c.number): c.person for o in election.offices for c in o.candidates}
    votes: dict[str, dict[str, int]] = {o.key: defaultdict(int) for o in election.offices}
    sections_count: dict[tuple[str, bool], int] = defaultdict(int)
    against: dict[str, int] = defaultdict(int)
    cache: dict[tuple[tuple[BallotMark, ...], tuple[str, ...]], BallotJudgement] = {}
    out = Retally(document={}, digest="")
    for ballot in ballots:
        out.ballots += 1
        pattern = (ballot.marks, ballot.illegible)
        judgement = cache.get(pattern)
        if judgement is None:
            try:
                unknown = sorted({m[0] for m in ballot.marks} - known)
                if unknown:
                    raise ValueError(
                        _("ballot {ballot}: no office {office} on this ballot").format(
                            ballot=ballot.ballot, office=", ".join(unknown)
                        )
                    )
                judgement = judge_ballot(charter, seats, _sections(election, persons, ballot))
            except ValueError as error:
                out.misjudged.append((ballot.ballot, str(error)))
                continue
            if len(cache) < JUDGEMENT_CACHE:
                cache[pattern] = judgement
        stored_wrong = []
        if judgement.valid != ballot.valid:
            stored_wrong.append(
                _("stored as {stored}, judged {judged}").format(
                    stored=_("valid") if ballot.valid else _("invalid"),
                    judged=_("valid") if judgement.valid else _("invalid"),
                )
            )
        for sj in judgement.sections:
            key = sj.office.value
            sections_count[(key, sj.valid)] += 1
            if ballot.sections_valid.get(key) != sj.valid:
                stored_wrong.append(
                    _("section {office} stored as {stored}, judged {judged}").format(
                        office=key,
                        stored={True: _("valid"), False: _("invalid"), None: _("missing")}[
                            ballot.sections_valid.get(key)
                        ],
                        judged=_("valid") if sj.valid else _("invalid"),
                    )
                )
            if sj.valid:
                tally = votes[key]
                for person in sj.votes:
                    tally[person] += 1
                if election.kind == "recall":  # 不赞成罢免: marks against in a valid section
                    against[key] += sum(
                        1 for m in ballot.marks if m[0] == key and m[1] == "against"
                    )
        if stored_wrong:
            out.misjudged.append((ballot.ballot, "; ".join(stored_wrong)))
    offices = []
    for office in election.offices:
        on_ballot = frozenset(c.person for c in office.candidates)
        office_votes = dict(votes[office.key])
        offices.append(
            OfficeCounts(
                key=OfficeKey(office.key),
                seats=office.seats,
                valid_sections=sections_count[(office.key, True)],
                invalid_sections=sections_count[(office.key, False)],
                votes=office_votes,
                on_ballot=on_ballot,
                women=frozenset(p for p in (*office_votes, *on_ballot) if p in election.women),
            )
        )
    counts = ElectionCounts(
        names=dict(election.names),  # decisions name people as the count's did
        mode=ElectionMode(election.mode),
        registered_voters=election.registered_voters,
        households=election.households,
        representatives=election.representatives,
        ballots_issued=election.ballots_issued,
        ballots_returned=out.ballots,
        offices=tuple(offices),
        elected_before=election.elected_before,
        women_elected_before=election.women_elected_before,
    )
    decide = {"supplementary": decide_supplementary, "runoff": decide_runoff}.get(
        election.kind, decide_outcome
    )
    names = dict(election.names)
    current = current_language()
    try:
        set_language("en")
        english = _document(charter, election, counts, names, against, decide)
        set_language("zh_CN")
        chinese = _document(charter, election, counts, names, against, decide)
    finally:
        set_language(current)
    out.document = _bilingual(english, chinese)
    out.digest = hashlib.sha256(canonical_json(out.document).encode("utf-8")).hexdigest()
    return out


def _document(
    charter: Charter,
    election: TallyElection,
    counts: ElectionCounts,
    names: dict[str, str],
    against: Mapping[str, int],
    decide: Any,
) -> dict[str, Any]:
    """The outcome document in the current language, decided as ``count.count_election``
    decides it: a recall vote by ``juwei.rules.recall`` (``recall.recall_outcome``), any
    other round by ``rules.counting``."""
    if election.kind == "recall":
        from juwei.elections.recall import recall_outcome

        key = election.offices[0].key if election.offices else ""
        return recall_outcome(charter, counts, against.get(key, 0), names)
    document: dict[str, Any] = _outcome_json(decide(charter, counts), counts, names)
    return document


_TOP = ("round", "valid", "rule", "ballots_issued", "ballots_returned", "registered_voters")
_OFFICE = ("seats", "valid_sections", "invalid_sections", "threshold_votes", "rule")
_TALLY = ("votes", "carried", "meets_threshold", "standing")


def _persons(value: Any) -> Any:
    if isinstance(value, dict):
        return sorted(value.get("persons") or value.get("candidates") or [])
    return value


def compare_outcomes(
    stored: Mapping[str, Any], recomputed: Mapping[str, Any], titles: Mapping[str, str]
) -> list[str]:
    """Every number or decision in which two outcome documents differ, in words naming the
    office (title as printed) and the person: ``委员 王五: votes certified 120, re-tally 119``.

    Compared: validity, rule, round, ballots issued and returned, registered voters; per
    office the seats, valid and invalid sections, threshold, rule, each person's votes,
    carried votes, threshold met and standing, the elected, the tie and the supplementary
    round. Reasons in words are not compared. Empty when they agree.
    """
    found: list[str] = []

    def differ(where: str, what: str, a: Any, b: Any) -> None:
        found.append(
            _("{where}: {what} certified {stored}, re-tally {recomputed}").format(
                where=where, what=what, stored=a, recomputed=b
            )
        )

    for key in _TOP:
        if stored.get(key) != recomputed.get(key):
            differ(_("election"), key, stored.get(key), recomputed.get(key))
    ours = {o["office"]: o for o in recomputed.get("offices", [])}
    theirs = {o["office"]: o for o in stored.get("offices", [])}
    for key in sorted(
        set(ours) | set(theirs), key=lambda k: list(titles).index(k) if k in titles else 99
    ):
        title = titles.get(key, key)
        a, b = theirs.get(key), ours.get(key)
        if a is None or b is None:
            differ(title, _("office"), a is not None, b is not None)
            continue
        for name in _OFFICE:
            if a.get(name) != b.get(name):
                differ(title, name, a.get(name), b.get(name))
        ta = {t["person"]: t for t in a.get("tallies", [])}
        tb = {t["person"]: t for t in b.get("tallies", [])}
        for person in sorted(set(ta) | set(tb)):
            row_a, row_b = ta.get(person, {}), tb.get(person, {})
            who = "{title} {name}".format(
                title=title, name=row_a.get("name") or row_b.get("name") or person
            )
            for name in _TALLY:
                if row_a.get(name) != row_b.get(name):
                    differ(who, name, row_a.get(name), row_b.get(name))
        elected_a = sorted(e["person"] for e in a.get("elected", []))
        elected_b = sorted(e["person"] for e in b.get("elected", []))
        if elected_a != elected_b:
            differ(title, _("elected"), elected_a, elected_b)
        for extra in ("tie", "supplementary"):
            if _persons(a.get(extra)) != _persons(b.get(extra)):
                differ(title, extra, _persons(a.get(extra)), _persons(b.get(extra)))
    return found
