"""The count (计票): which parts of a ballot are valid, whether the election is valid, who is
elected, and which tie runoff or supplementary round (另行选举) follows. Exact integers only.

Ballot validity (``judge_ballot``), per section (one office on the paper):

* a blank ballot (no marks at all) is returned and counted: it is in the base of every
  threshold taken of the ballots returned, and gives no votes;
* a section the scrutineers ruled illegible is invalid (``[ballot.illegible]``, V4);
* the same person marked both for and against in one section: invalid
  (``[ballot.contradictory]``, JUWEI by analogy with V4);
* more names (for + write-in) than seats: invalid (``[ballot.overvote]``, V1–V3);
* each of these invalidates the section or, if the charter says ``"ballot"``, the whole ballot;
* the same person voted for in two or more otherwise valid sections: the whole ballot, those
  sections, or only the highest office's mark counts (``[ballot.same_person]``, V1).

A valid section gives one vote to each person in ``for_`` and ``write_in``. JUWEI conventions
where no source speaks: a person named twice in one section (a box ticked and the same name
written in) counts once, and the names are counted once for the overvote check too; marks in
a section that is already invalid are not votes, so they do not make a "same person" case.

Outcome (``decide_outcome``, general election), in this order:

1. validity (the election is void, naming the rule): more ballots returned than issued
   (``[count.reconciliation]``, P10 art 34, V1–V4); more returned than the electorate of the
   mode (V1–V4: ballots cast > voters); turnout below the mode's quorum
   (``[election.modes.<mode>].quorum``: direct and household more than half, representative
   at least 2/3; P5, S4 art 15);
2. per office, highest first (主任 → 副主任 → 委员): persons whose tally meets
   ``[count.elected].threshold`` (of the ballots returned: blank and invalid ballots included;
   P5, S4 art 15; for a residents' group's election of its representatives, the office
   ``representative``: ``[representatives_election].votes_needed``, by analogy, see
   ``Charter.elected_threshold``) are elected in descending order until the seats are filled.
   A person elected to a higher office is out of the lower ones. With ``[ballot.carry_over]``
   (包含法, V4 art 27) a person's tally in an office adds the votes for them in every higher office;
3. equal tallies that cannot all be seated → ``Tie`` (a runoff among exactly the tied,
   ``[count.tie]``; V1 art 28, V2 art 20, V3 art 29), never broken by order or chance;
4. seats left over → ``Supplementary``: a supplementary round for the seats left among the
   unelected with most votes (S4 art 15): as many as the seats left plus the charter's smallest
   extra for the office (``[slate.competition]``), with everyone tied at the cut-off; it notes
   whether seats may stay empty (``[count.supplementary].vacancies_allowed_from``: once that
   many members are elected, V1–V3).

``decide_supplementary`` decides a supplementary round (most votes win, with at least
``[count.supplementary].threshold`` of the ballots returned: ≥1/3, S4 art 15, V1, V3);
``decide_runoff`` a tie runoff (most votes among the tied, no threshold, V1 art 28). A round is
itself an election: its validity (reconciliation and quorum) is checked the same way
(JUWEI reading of "选举有效" in P5 and S4 art 15).

Ties across offices (JUWEI): while a higher office has a tie, a lower office whose result
involves one of the tied (elected or tied there, or taken out of it as elected higher) is
``Deferred``, and so is, in turn, any office below a deferred one that involves a person of the
deferred office's tally. A supplementary candidate list that names someone in a pending runoff
is marked ``provisional``. After the runoff, decide again with the winners in ``settled``
(office → persons who won a runoff for it); the outcome then seats them.

Women (``[committee.women]``, P9, P10): when a woman member is required and nobody elected (in
this round or before, ``ElectionCounts.women_elected_before``) is a woman, the outcome carries
a ``WomenFlag``. No source says what happens then (legal-sources.md), so juwei only flags it
and lists the unelected women with most votes: the committee decides, and the flag's
``proposal`` is marked as juwei's convention (JUWEI), not law. The rule is the committee's:
a count of representatives only (office ``representative``) never raises it. A separate women's seat
(``separate_seat``, V1 arts 21, 29) is not modelled as an office here.

Every decision carries ``reason`` (translated at run time), ``rule`` (the charter key) and
``source`` (that rule's source). Order of persons in results: tallies by votes (descending),
then by the person's key; this order is presentation only, never a tie-break.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from juwei.i18n import _, is_chinese
from juwei.rules.charter import (
    Charter,
    ElectionMode,
    Invalidates,
    InvalidationRule,
    OfficeKey,
    SamePerson,
)
from juwei.rules.slate import office_name
from juwei.rules.thresholds import Base, Threshold

# ---------------------------------------------------------------------------------------------
# Ballots


def _names(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        raise TypeError("give a tuple of person keys, not a single string")
    names = tuple(value)
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a person key must be a non-empty string, not {name!r}")
    return names


ILLEGIBLE_WRITE_INS = frozenset({"?", "？", "无法辨认"})
"""What the data entry types for a written-in name the scrutineers cannot read."""

NOBODY_PREFIX = "x:"
"""Person keys that count for nobody: ``x:illegible`` (无法辨认) and ``x:<name>`` (a name
of no voter of the community, 非本社区选民, which is also what a misspelt name is)."""


class VoidMark(StrEnum):
    """Why a written-in mark counts for nobody (the rest of the ballot counts)."""

    NOT_A_VOTER = "not_a_voter"
    """非本社区选民: no voter on the community's roll has that name (or it is misspelt)."""
    ILLEGIBLE = "illegible"
    """无法辨认: the scrutineers cannot read the name."""


def write_in_person(name: str, roll_ids: Sequence[int]) -> str:
    """The person key of a name written in (另选他人), given the ids of the listed voters of the
    community who bear exactly that name: ``v<id>`` for exactly one; ``w:<name>`` for several
    (a homonym the committee must identify); ``x:<name>`` for none (非本社区选民: it counts for
    nobody); ``x:illegible`` for a name typed as ``?`` / ``无法辨认``. Pure."""
    if name.strip() in ILLEGIBLE_WRITE_INS:
        return NOBODY_PREFIX + VoidMark.ILLEGIBLE.value
    if not roll_ids:
        return NOBODY_PREFIX + name
    if len(roll_ids) == 1:
        return f"v{roll_ids[0]}"
    return f"w:{name}"


def void_mark(person: str) -> VoidMark | None:
    """Why the person key ``person`` counts for nobody, or None for a person who can be voted
    for (a voter, or a homonym still to identify)."""
    if not person.startswith(NOBODY_PREFIX):
        return None
    if person == NOBODY_PREFIX + VoidMark.ILLEGIBLE.value:
        return VoidMark.ILLEGIBLE
    return VoidMark.NOT_A_VOTER


@dataclass(frozen=True)
class Section:
    """The marks in one office's section of a ballot paper.

    ``for_``: persons marked 同意 (candidates); ``against``: marked 不同意; ``write_in``:
    persons written in (另选他人). Persons are opaque keys the engine resolved (the same key
    for the same person, whether printed or written in). ``illegible``: the scrutineers ruled
    the section unreadable. A person with no mark abstains (弃权).
    """

    for_: tuple[str, ...] = ()
    against: tuple[str, ...] = ()
    write_in: tuple[str, ...] = ()
    illegible: bool = False
    _marked: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "for_", _names(self.for_))
        object.__setattr__(self, "against", _names(self.against))
        object.__setattr__(self, "write_in", _names(self.write_in))
        object.__setattr__(self, "_marked", tuple(dict.fromkeys(self.for_ + self.write_in)))

    @property
    def blank(self) -> bool:
        """No mark at all (and not ruled illegible)."""
        return not (self.for_ or self.against or self.write_in or self.illegible)

    @property
    def marked(self) -> tuple[str, ...]:
        """The persons voted for (``for_`` then ``write_in``), each once, in order."""
        return self._marked


@dataclass(frozen=True)
class OfficeSeats:
    """An office on the ballot and its seats (应选名额) in this election or round."""

    key: OfficeKey
    seats: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", OfficeKey(self.key))
        if self.seats < 1:
            raise ValueError(f"{self.key.value}: seats must be at least 1, not {self.seats}")


@dataclass(frozen=True)
class SectionJudgement:
    """One section of a judged ballot: ``valid``; ``blank`` (no marks); ``votes``: the persons
    who get one vote each (empty when invalid); ``reason``, ``rule``, ``source``."""

    office: OfficeKey
    valid: bool
    blank: bool
    votes: tuple[str, ...]
    reason: str
    rule: str
    source: str


@dataclass(frozen=True)
class BallotJudgement:
    """A judged ballot: ``valid`` is false only when the whole ballot is invalid; ``blank``: no
    marks at all (returned, counted, no votes); ``sections``: one per office, highest office
    first; ``reason``, ``rule``, ``source`` for the ballot as a whole."""

    valid: bool
    blank: bool
    sections: tuple[SectionJudgement, ...]
    reason: str
    rule: str
    source: str

    def section(self, office: OfficeKey | str) -> SectionJudgement:
        """The judgement of ``office``'s section (``KeyError`` if not on this ballot)."""
        key = OfficeKey(office)
        for judged in self.sections:
            if judged.office is key:
                return judged
        raise KeyError(key.value)


@dataclass(frozen=True)
class _Defect:
    reason: str
    rule: str
    source: str
    whole_ballot: bool


def _semicolon() -> str:
    return "；" if is_chinese() else "; "


def _join(persons: Iterable[str]) -> str:
    return ("、" if is_chinese() else ", ").join(persons)


def _named(names: Mapping[str, str], persons: Iterable[str]) -> str:
    """Persons by name for a reason (``names``; a write-in ``w:name`` or ``x:name`` by the
    name as written; a person not in ``names`` by the key)."""
    return _join(names.get(p, p[2:] if p[:2] in ("w:", NOBODY_PREFIX) else p) for p in persons)


def _people(counts: ElectionCounts, persons: Iterable[str]) -> str:
    """Persons by name for a decision (``counts.names``)."""
    return _named(counts.names, persons)


def _defect(
    rule_key: str, rule: InvalidationRule, section_reason: str, ballot_reason: str
) -> _Defect:
    whole = rule.invalidates is Invalidates.BALLOT
    return _Defect(ballot_reason if whole else section_reason, rule_key, rule.source, whole)


def judge_ballot(
    charter: Charter,
    offices: Sequence[OfficeSeats],
    sections: Mapping[str, Section],
    *,
    person_names: Mapping[str, str] | None = None,
) -> BallotJudgement:
    """Judge one ballot paper: which sections are valid and whom they vote for.

    ``offices``: the offices on this paper with their seats; ``sections``: the marks, keyed by
    office key (``"director"``…); a missing section is blank; ``person_names``: person → name,
    so that a reason names people by name. Raises ``ValueError`` for a
    section of an office not on the paper, an office listed twice, or a write-in when the
    charter allows none (the engine refuses those when the ballot is entered). Pure.
    """
    seats = {o.key: o.seats for o in sorted(offices, key=lambda o: o.key.rank)}
    if len(seats) != len(offices):
        raise ValueError("an office is listed twice")
    marks: dict[OfficeKey, Section] = {}
    for raw_key, section in sections.items():
        key = OfficeKey(raw_key)
        if key not in seats:
            raise ValueError(f"the ballot has no {key.value!r} section")
        if section.write_in and not charter.ballot.form.write_ins:
            raise ValueError("the charter allows no write-ins")
        marks[key] = section
    ballot = charter.ballot
    names = {key: office_name(charter.office(key)) for key in seats}
    sheet = {key: marks.get(key, Section()) for key in seats}
    known = person_names or {}

    if all(section.blank for section in sheet.values()):
        judged = tuple(
            SectionJudgement(
                key,
                True,
                True,
                (),
                _("{office}: no names marked: valid, no votes").format(office=names[key]),
                "ballot.overvote",
                ballot.overvote.source,
            )
            for key in seats
        )
        return BallotJudgement(
            True,
            True,
            judged,
            _("blank ballot: counted as returned, with no votes"),
            "count.elected",
            charter.count.elected.source,
        )

    # 1. defects of a single section
    defects: dict[OfficeKey, _Defect] = {}
    for key, section in sheet.items():
        office = names[key]
        if section.illegible:
            defects[key] = _defect(
                "ballot.illegible",
                ballot.illegible,
                _("{office}: ruled illegible: this section is invalid").format(office=office),
                _("{office}: ruled illegible: the whole ballot is invalid").format(office=office),
            )
            continue
        both = [p for p in dict.fromkeys(section.against) if p in section.marked]
        if both:
            fields = {"office": office, "persons": _named(known, both)}
            defects[key] = _defect(
                "ballot.contradictory",
                ballot.contradictory,
                _(
                    "{office}: {persons} marked both for and against: this section is invalid"
                ).format(**fields),
                _(
                    "{office}: {persons} marked both for and against: the whole ballot is invalid"
                ).format(**fields),
            )
            continue
        n = len(section.marked)
        if n > seats[key]:
            fields2 = {"office": office, "n": n, "seats": seats[key]}
            defects[key] = _defect(
                "ballot.overvote",
                ballot.overvote,
                _(
                    "{office}: {n} names marked for {seats} seat(s), more than the seats: "
                    "this section is invalid"
                ).format(**fields2),
                _(
                    "{office}: {n} names marked for {seats} seat(s), more than the seats: "
                    "the whole ballot is invalid"
                ).format(**fields2),
            )
    whole = next((d for d in defects.values() if d.whole_ballot), None)
    if whole is not None:
        return _invalid_ballot(seats, sheet, whole)

    # 2. the same person voted for in two or more valid sections; a written-in name of no
    # voter of the community, or an illegible one, counts for nobody (but was a name marked)
    votes = {
        key: tuple(p for p in sheet[key].marked if void_mark(p) is None)
        for key in seats
        if key not in defects
    }
    offices_of: dict[str, list[OfficeKey]] = {}
    for key, voted in votes.items():
        for person in voted:
            offices_of.setdefault(person, []).append(key)
    repeated = {p: keys for p, keys in offices_of.items() if len(keys) > 1}
    notes: dict[OfficeKey, str] = {}
    if repeated:
        rule = ballot.same_person
        persons = _named(known, sorted(repeated))
        where = _join(sorted({names[k] for keys in repeated.values() for k in keys}))
        if rule.policy is SamePerson.BALLOT:
            reason = _(
                "{persons} voted for in more than one office ({offices}): "
                "the whole ballot is invalid"
            ).format(persons=persons, offices=where)
            return _invalid_ballot(
                seats, sheet, _Defect(reason, "ballot.same_person", rule.source, True)
            )
        if rule.policy is SamePerson.SECTIONS:
            for key in sorted({k for keys in repeated.values() for k in keys}, key=_rank):
                mine = _named(known, (p for p in sorted(repeated) if key in repeated[p]))
                defects[key] = _Defect(
                    _(
                        "{office}: {persons} also voted for in another office: "
                        "this section is invalid"
                    ).format(office=names[key], persons=mine),
                    "ballot.same_person",
                    rule.source,
                    False,
                )
                del votes[key]
        else:  # HIGHEST_OFFICE: only the mark for the highest office counts
            for person, keys in repeated.items():
                top = min(keys, key=_rank)
                for key in keys:
                    if key is not top:
                        votes[key] = tuple(p for p in votes[key] if p != person)
            for key in seats:
                dropped = sorted(p for p, keys in repeated.items() if key in keys[1:])
                if dropped:
                    notes[key] = _(
                        "{persons} also voted for in a higher office: only that mark counts"
                    ).format(persons=_named(known, dropped))

    judged_sections: list[SectionJudgement] = []
    for key in seats:
        section = sheet[key]
        if key in defects:
            d = defects[key]
            judged_sections.append(
                SectionJudgement(key, False, False, (), d.reason, d.rule, d.source)
            )
            continue
        n = len(section.marked)
        reason = (
            _("{office}: no names marked: valid, no votes").format(office=names[key])
            if not section.marked
            else _("{office}: {n} name(s) marked for {seats} seat(s): valid").format(
                office=names[key], n=n, seats=seats[key]
            )
        )
        twice = [p for p in section.marked if (section.for_ + section.write_in).count(p) > 1]
        if twice:
            reason += _("; {persons} marked more than once, counted once").format(
                persons=_named(known, twice)
            )
        void = [p for p in section.marked if void_mark(p) is not None]
        if void:
            reason += _semicolon() + _void_note(void)
        if key in notes:
            reason += _semicolon() + notes[key]
            rule_key, source = "ballot.same_person", ballot.same_person.source
        else:
            rule_key, source = "ballot.overvote", ballot.overvote.source
        judged_sections.append(
            SectionJudgement(key, True, section.blank, votes[key], reason, rule_key, source)
        )
    if defects:
        reason = _("ballot counted; invalid section(s): {offices}").format(
            offices=_join(names[k] for k in seats if k in defects)
        )
    else:
        reason = _("valid ballot")
    return BallotJudgement(
        True, False, tuple(judged_sections), reason, "ballot.overvote", ballot.overvote.source
    )


def _void_note(persons: Sequence[str]) -> str:
    """The note for written-in marks that count for nobody (their reasons, in order)."""
    parts = []
    strangers = [p[len(NOBODY_PREFIX) :] for p in persons if void_mark(p) is VoidMark.NOT_A_VOTER]
    if strangers:
        parts.append(
            _("{names}: not a voter of this community (非本社区选民), counts for nobody").format(
                names=_join(strangers)
            )
        )
    illegible = sum(1 for p in persons if void_mark(p) is VoidMark.ILLEGIBLE)
    if illegible:
        parts.append(
            _("{n} written-in name(s) cannot be read (无法辨认), counted for nobody").format(
                n=illegible
            )
        )
    return _semicolon().join(parts)


def _rank(key: OfficeKey) -> int:
    return key.rank


def _invalid_ballot(
    seats: Mapping[OfficeKey, int], sheet: Mapping[OfficeKey, Section], defect: _Defect
) -> BallotJudgement:
    sections = tuple(
        SectionJudgement(
            key, False, sheet[key].blank, (), defect.reason, defect.rule, defect.source
        )
        for key in seats
    )
    return BallotJudgement(False, False, sections, defect.reason, defect.rule, defect.source)


# ---------------------------------------------------------------------------------------------
# Counts (what the engine gathers)


def _count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} cannot be negative: {value}")
    return value


@dataclass(frozen=True, kw_only=True)
class OfficeCounts:
    """The aggregated count of one office in one round.

    ``seats``: seats to fill in this round; ``valid_sections`` / ``invalid_sections``: sections
    of this office judged valid (blank included) / invalid; ``votes``: person → votes from
    valid sections (before carry-over); ``on_ballot``: the persons printed on the ballot
    (candidates with no votes are still in the tally); ``women``: which of the persons in this
    office's tally are women (for ``[committee.women]``).
    """

    key: OfficeKey
    seats: int
    valid_sections: int
    invalid_sections: int
    votes: Mapping[str, int]
    on_ballot: frozenset[str] = frozenset()
    women: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", OfficeKey(self.key))
        if _count("seats", self.seats) < 1:
            raise ValueError(f"{self.key.value}: seats must be at least 1")
        _count("valid_sections", self.valid_sections)
        _count("invalid_sections", self.invalid_sections)
        votes = {p: _count(f"votes for {p!r}", v) for p, v in self.votes.items()}
        for person, n in votes.items():
            if n > self.valid_sections:
                raise ValueError(
                    f"{self.key.value}: {person!r} has {n} votes but there are only "
                    f"{self.valid_sections} valid sections"
                )
        if sum(votes.values()) > self.seats * self.valid_sections:
            raise ValueError(f"{self.key.value}: more votes than seats × valid sections")
        object.__setattr__(self, "votes", MappingProxyType(votes))
        object.__setattr__(self, "on_ballot", frozenset(_names(self.on_ballot)))
        object.__setattr__(self, "women", frozenset(_names(self.women)))


@dataclass(frozen=True, kw_only=True)
class ElectionCounts:
    """Everything the count decides on, for one round (general, supplementary or runoff).

    ``mode``: who elects; ``registered_voters`` / ``households`` / ``representatives``: the
    electorate of each mode (only the one of ``mode`` is used); ``ballots_issued`` and
    ``ballots_returned`` (参加投票: blank and invalid ballots included); ``offices``: one per
    office, kept highest first (the carry-over order, 主任 → 副主任 → 委员);
    ``elected_before`` / ``women_elected_before``: members (and women among them) already
    elected in earlier rounds of the same election, for the vacancies and women rules;
    ``names``: person → the name a decision prints (a decision names people by name, never
    by key; a person not in it is printed as the key).
    """

    mode: ElectionMode
    registered_voters: int
    households: int = 0
    representatives: int = 0
    ballots_issued: int
    ballots_returned: int
    offices: tuple[OfficeCounts, ...]
    elected_before: int = 0
    women_elected_before: int = 0
    names: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", ElectionMode(self.mode))
        for name in ("registered_voters", "households", "representatives"):
            _count(name, getattr(self, name))
        _count("ballots_issued", self.ballots_issued)
        _count("ballots_returned", self.ballots_returned)
        _count("elected_before", self.elected_before)
        if _count("women_elected_before", self.women_elected_before) > self.elected_before:
            raise ValueError("women_elected_before cannot exceed elected_before")
        offices = tuple(sorted(self.offices, key=lambda o: o.key.rank))
        if not offices:
            raise ValueError("no office to count")
        if len({o.key for o in offices}) != len(offices):
            raise ValueError("an office is counted twice")
        for office in offices:
            if office.valid_sections + office.invalid_sections > self.ballots_returned:
                raise ValueError(
                    f"{office.key.value}: more sections than ballots returned "
                    f"({office.valid_sections} + {office.invalid_sections} > "
                    f"{self.ballots_returned})"
                )
        object.__setattr__(self, "offices", offices)

    def office(self, key: OfficeKey | str) -> OfficeCounts:
        """The counts of office ``key`` (``KeyError`` if not counted)."""
        wanted = OfficeKey(key)
        for office in self.offices:
            if office.key is wanted:
                return office
        raise KeyError(wanted.value)


# ---------------------------------------------------------------------------------------------
# Outcome


class RoundKind(StrEnum):
    """Which kind of round was counted."""

    GENERAL = "general"
    """The election itself (换届选举 or by-election): the elected threshold applies."""
    SUPPLEMENTARY = "supplementary"
    """另行选举 for unfilled seats: most votes win, with the supplementary threshold."""
    RUNOFF = "runoff"
    """A re-vote among the tied (V1 art 28): most votes win."""


class Standing(StrEnum):
    """Where a person stands in one office's tally."""

    ELECTED = "elected"
    TIED = "tied"
    """In a tie for the last seat(s): goes to a runoff."""
    NOT_ELECTED = "not_elected"
    ELECTED_HIGHER = "elected_higher"
    """Elected to a higher office, so out of this one."""
    NOT_IN_RUNOFF = "not_in_runoff"
    """A runoff is among the tied only: votes for anyone else elect nobody."""
    PENDING = "pending"
    """The office is deferred until a higher office's runoff."""


@dataclass(frozen=True)
class Tally:
    """One person in one office: ``votes`` is the tally decided on (own votes plus
    ``carried`` votes from higher offices under 包含法); ``meets_threshold``: the tally meets
    the round's threshold (always true in a runoff, which has none)."""

    person: str
    votes: int
    carried: int
    meets_threshold: bool
    standing: Standing
    woman: bool


@dataclass(frozen=True)
class Elected:
    """A person elected to the office, with the tally and why."""

    person: str
    votes: int
    reason: str
    rule: str
    source: str


@dataclass(frozen=True)
class Tie:
    """Persons with equal tallies (``votes``) for the last ``seats_left`` seat(s): a runoff
    among exactly ``persons`` (``[count.tie]``)."""

    persons: tuple[str, ...]
    seats_left: int
    votes: int
    reason: str
    rule: str
    source: str


@dataclass(frozen=True)
class Supplementary:
    """``seats_left`` seats unfilled: a supplementary round (另行选举) within ``within_days``
    among ``candidates`` (most votes first). ``vacancies_allowed``: enough members are elected
    that the seats may stay empty (then the round is optional). ``provisional``: a candidate
    is still in a pending runoff elsewhere, so the list may change once it is decided."""

    seats_left: int
    candidates: tuple[str, ...]
    vacancies_allowed: bool
    within_days: int
    provisional: bool
    reason: str
    rule: str
    source: str


@dataclass(frozen=True)
class Deferred:
    """The office cannot be decided until the runoff(s) for ``waiting_for`` are held, because
    ``persons`` from them also matter here (JUWEI). Decide again with ``settled``."""

    waiting_for: tuple[OfficeKey, ...]
    persons: tuple[str, ...]
    reason: str
    rule: str
    source: str


@dataclass(frozen=True)
class OfficeOutcome:
    """The result of one office: ``elected`` (highest tally first), at most one of ``tie``,
    ``supplementary`` or ``deferred`` when not all seats are filled; ``threshold_votes``: the
    smallest tally that meets the round's threshold (``None`` in a runoff)."""

    office: OfficeKey
    seats: int
    valid_sections: int
    invalid_sections: int
    threshold_votes: int | None
    tallies: tuple[Tally, ...]
    elected: tuple[Elected, ...]
    tie: Tie | None
    supplementary: Supplementary | None
    deferred: Deferred | None
    reason: str
    rule: str
    source: str

    @property
    def filled(self) -> bool:
        """Every seat of the office is filled."""
        return len(self.elected) == self.seats


@dataclass(frozen=True)
class WomenFlag:
    """No woman among those elected where the charter requires a woman member.

    ``seats_pending``: seats are still to be decided (runoff, supplementary round, deferral).
    ``suggested``: the unelected women with the most votes in any office (all of them when
    tied). ``proposal``: what juwei suggests, marked as its own convention (JUWEI); the
    committee decides.
    """

    seats_pending: bool
    suggested: tuple[str, ...]
    proposal: str
    reason: str
    rule: str
    source: str


@dataclass(frozen=True)
class Outcome:
    """The result of counting one round.

    ``valid``: false when the election (round) is void; then ``offices`` is empty and
    ``reason``/``rule``/``source`` name the cause. Otherwise they name the validity rule met
    (the mode's quorum), and ``offices`` has one ``OfficeOutcome`` per office, highest first.
    ``women``: the women flag, if raised.
    """

    round: RoundKind
    valid: bool
    offices: tuple[OfficeOutcome, ...]
    women: WomenFlag | None
    reason: str
    rule: str
    source: str

    @property
    def complete(self) -> bool:
        """Valid, and every seat of every office is filled (no tie, round or deferral)."""
        return self.valid and all(o.filled for o in self.offices)

    @property
    def elected(self) -> tuple[tuple[OfficeKey, Elected], ...]:
        """Every person elected, with their office, highest office first."""
        return tuple((o.office, e) for o in self.offices for e in o.elected)

    def office(self, key: OfficeKey | str) -> OfficeOutcome:
        """The outcome of office ``key`` (``KeyError`` if not counted or void)."""
        wanted = OfficeKey(key)
        for office in self.offices:
            if office.office is wanted:
                return office
        raise KeyError(wanted.value)


def decide_outcome(
    charter: Charter,
    counts: ElectionCounts,
    *,
    settled: Mapping[str, Sequence[str]] | None = None,
) -> Outcome:
    """Decide a general election (or by-election): validity, then who is elected per office.

    ``settled``: office key → persons who won a tie runoff for that office (from
    ``decide_runoff``); each must be among the tied for that office (``ValueError`` if not).
    Raises ``ValueError`` for a mode the charter does not allow and for counts that cannot be
    (see ``ElectionCounts``). Pure.
    """
    return _decide(charter, counts, RoundKind.GENERAL, settled)


def decide_supplementary(
    charter: Charter,
    counts: ElectionCounts,
    *,
    settled: Mapping[str, Sequence[str]] | None = None,
) -> Outcome:
    """Decide a supplementary round (另行选举): most votes win, but only with at least
    ``[count.supplementary].threshold`` (≥1/3 of the ballots returned, S4 art 15); a tie at
    the last seat is a ``Tie``; seats still unfilled lead to a further ``Supplementary`` that
    notes whether they may stay empty (``counts.elected_before`` counts the members already
    elected). ``settled`` as in ``decide_outcome``."""
    return _decide(charter, counts, RoundKind.SUPPLEMENTARY, settled)


def decide_runoff(
    charter: Charter,
    counts: ElectionCounts,
    *,
    settled: Mapping[str, Sequence[str]] | None = None,
) -> Outcome:
    """Decide a tie runoff: per office, the most votes among ``on_ballot`` (exactly the tied)
    win the ``seats`` left; there is no threshold (V1 art 28: 以得票多的当选); a new tie stays
    a ``Tie``. Raises ``ValueError`` when an office has fewer persons on the ballot than
    seats. ``settled`` as in ``decide_outcome`` (for a runoff of a runoff)."""
    for office in counts.offices:
        if len(office.on_ballot) <= office.seats:
            raise ValueError(
                f"{office.key.value}: a runoff needs more persons on the ballot than seats"
            )
    return _decide(charter, counts, RoundKind.RUNOFF, settled)


# --- validity --------------------------------------------------------------------------------

_MODE_BASE = {
    ElectionMode.DIRECT: Base.REGISTERED_VOTERS,
    ElectionMode.HOUSEHOLD: Base.HOUSEHOLDS,
    ElectionMode.REPRESENTATIVE: Base.REPRESENTATIVES,
}


def _base_size(base: Base, counts: ElectionCounts, office: OfficeCounts | None) -> int:
    if base is Base.BALLOTS_RETURNED:
        return counts.ballots_returned
    if base is Base.REGISTERED_VOTERS:
        return counts.registered_voters
    if base is Base.HOUSEHOLDS:
        return counts.households
    if base is Base.REPRESENTATIVES:
        return counts.representatives
    if base is Base.VALID_BALLOTS and office is not None:
        return office.valid_sections
    raise ValueError(f"a count threshold cannot be taken of {base.value}")


def _void(kind: RoundKind, reason: str, rule: str, source: str) -> Outcome:
    return Outcome(kind, False, (), None, reason, rule, source)


def _validity(charter: Charter, counts: ElectionCounts, kind: RoundKind) -> Outcome | None:
    """A void outcome, or None when the round is valid."""
    reconciliation = charter.count.reconciliation
    returned, issued = counts.ballots_returned, counts.ballots_issued
    if reconciliation.void_if_returned_exceeds_issued and returned > issued:
        return _void(
            kind,
            _("{returned} ballots returned but only {issued} issued: the election is void").format(
                returned=returned, issued=issued
            ),
            "count.reconciliation",
            reconciliation.source,
        )
    mode = charter.election.modes.get(counts.mode)
    if mode is None:
        raise ValueError(f"the charter does not allow the {counts.mode.value} mode")
    base = _MODE_BASE[counts.mode]
    size = _base_size(base, counts, None)
    fields = {
        "returned": returned,
        "size": size,
        "base": base.words().localized(),
        "threshold": mode.quorum.describe().localized(),
    }
    if returned > size:
        return _void(
            kind,
            _(
                "{returned} ballots returned, more than the {size} {base}: the election is void"
            ).format(**fields),
            "count.reconciliation",
            reconciliation.source,
        )
    if not mode.quorum.met(returned, size):
        return _void(
            kind,
            _(
                "{returned} of {size} {base} took part; the election needs {threshold}: "
                "the election is void"
            ).format(**fields),
            f"election.modes.{counts.mode.value}",
            mode.source,
        )
    return None


# --- one round -------------------------------------------------------------------------------


@dataclass
class _Office:
    """Working state of one office while deciding."""

    counts: OfficeCounts
    tally: dict[str, int]
    carried: dict[str, int]
    eligible: set[str]
    removed: set[str]  # elected to a higher office
    meets: dict[str, bool]
    threshold_votes: int | None
    elected: list[Elected] = field(default_factory=list)
    tie: Tie | None = None
    seats_left: int = 0
    deferred: Deferred | None = None
    supplementary: Supplementary | None = None


def _ranked(persons: Iterable[str], tally: Mapping[str, int]) -> list[str]:
    return sorted(persons, key=lambda p: (-tally[p], p))


def _round_threshold(
    charter: Charter, kind: RoundKind, office: OfficeKey = OfficeKey.DIRECTOR
) -> tuple[Threshold | None, str, str]:
    if kind is RoundKind.GENERAL:
        return charter.elected_threshold(office)
    if kind is RoundKind.SUPPLEMENTARY:
        rule = charter.count.supplementary
        return rule.threshold, "count.supplementary", rule.source
    return None, "count.tie", charter.count.tie.source


def _settled(
    counts: ElectionCounts, settled: Mapping[str, Sequence[str]] | None
) -> dict[OfficeKey, tuple[str, ...]]:
    result: dict[OfficeKey, tuple[str, ...]] = {}
    for raw_key, persons in (settled or {}).items():
        key = OfficeKey(raw_key)
        counts.office(key)  # KeyError if not counted
        names = _names(persons)
        if len(set(names)) != len(names):
            raise ValueError(f"{key.value}: a runoff winner is listed twice")
        result[key] = names
    return result


def _decide(
    charter: Charter,
    counts: ElectionCounts,
    kind: RoundKind,
    settled: Mapping[str, Sequence[str]] | None,
) -> Outcome:
    won_runoff = _settled(counts, settled)
    void = _validity(charter, counts, kind)
    if void is not None:
        return void
    tie_rule = charter.count.tie
    carry_over = charter.ballot.carry_over.enabled
    names = {o.key: office_name(charter.office(o.key)) for o in counts.offices}

    # 1. elect, highest office first
    work: list[_Office] = []
    elected_so_far: set[str] = set()
    carry: dict[str, int] = {}
    rules: dict[OfficeKey, tuple[str, str]] = {}
    for oc in counts.offices:
        threshold, rule_key, source = _round_threshold(charter, kind, oc.key)
        rules[oc.key] = (rule_key, source)
        own = dict(oc.votes)
        persons = set(own) | set(oc.on_ballot) | (set(carry) if carry_over else set())
        carried = {p: carry.get(p, 0) if carry_over else 0 for p in persons}
        tally = {p: own.get(p, 0) + carried[p] for p in persons}
        for person, n in own.items():
            carry[person] = carry.get(person, 0) + n
        removed = persons & elected_so_far
        eligible = persons - removed
        if kind is RoundKind.RUNOFF:
            eligible &= oc.on_ballot
        base = _base_size(threshold.base, counts, oc) if threshold is not None else 0
        meets = {p: threshold is None or threshold.met(tally[p], base) for p in sorted(persons)}
        minimum = _minimum(threshold, base)
        office = _Office(oc, tally, carried, eligible, removed, meets, minimum)
        _fill(
            office,
            won_runoff.get(oc.key, ()),
            kind,
            names[oc.key],
            threshold,
            base,
            charter,
            counts,
        )
        elected_so_far |= {e.person for e in office.elected}
        work.append(office)

    # 2. defer lower offices that depend on a pending runoff above them
    unsettled: dict[str, OfficeKey] = {}
    for office in work:
        involved = {e.person for e in office.elected} | office.removed
        if office.tie is not None:
            involved |= set(office.tie.persons)
        pending_persons = _ranked_set(involved & set(unsettled))
        if pending_persons:
            waiting = tuple(sorted({unsettled[p] for p in pending_persons}, key=_rank))
            office.deferred = Deferred(
                waiting,
                tuple(pending_persons),
                _(
                    "{office}: waits for the runoff for {higher}, because {persons} also stand here"
                ).format(
                    office=names[office.counts.key],
                    higher=_join(names[k] for k in waiting),
                    persons=_people(counts, pending_persons),
                ),
                "count.tie",
                tie_rule.source,
            )
            for person in office.tally:
                unsettled.setdefault(person, office.counts.key)
        elif office.tie is not None:
            for person in office.tie.persons:
                unsettled.setdefault(person, office.counts.key)

    # 3. supplementary rounds for seats left over, among the unelected
    final_elected = {e.person for office in work if office.deferred is None for e in office.elected}
    total = len(final_elected) + counts.elected_before
    supp = charter.count.supplementary
    vacancies_allowed = total >= supp.vacancies_allowed_from
    pending_anywhere = set(unsettled)
    listed: dict[str, OfficeKey] = {}  # person → the higher office whose round lists them
    for office in work:
        if office.deferred is not None or office.tie is not None or office.seats_left == 0:
            continue
        pool = [
            p
            for p in _ranked(office.tally, office.tally)
            if p not in final_elected and p not in office.removed
        ]
        if kind is RoundKind.RUNOFF:
            pool = [p for p in pool if p in office.eligible]
        extra = charter.extra_candidates(office.counts.key).min
        # one person, one office (``[ballot.same_person]``): a person already listed for a
        # higher office's supplementary round is not listed again here; the next in line is
        pool, elsewhere = _one_office_each(pool, office.tally, office.seats_left + extra, listed)
        candidates = _cut(pool, office.tally, office.seats_left + extra)
        for person in candidates:
            listed.setdefault(person, office.counts.key)
        provisional = any(p in pending_anywhere for p in candidates)
        fields = {
            "office": names[office.counts.key],
            "seats": office.seats_left,
            "days": supp.within_days,
            "candidates": _people(counts, candidates) if candidates else _("nobody"),
            "threshold": supp.threshold.describe().localized(),
            "total": total,
            "n": supp.vacancies_allowed_from,
        }
        # one sentence that says which applies and why: the round is required, or the seats
        # may stay empty and the round is the committee's choice
        if vacancies_allowed:
            reason = _(
                "{office}: {seats} seat(s) unfilled; {total} members are elected (at least {n}), "
                "so the seats may stay empty and a supplementary round (另行选举) is not "
                "required; if the committee holds one, it is within {days} days among "
                "{candidates}, and the most votes win if they reach {threshold}"
            ).format(**fields)
        else:
            reason = _(
                "{office}: {seats} seat(s) unfilled; only {total} members are elected (fewer "
                "than {n}), so a supplementary round (另行选举) is required within {days} days "
                "among {candidates}; the most votes win if they reach {threshold}"
            ).format(**fields)
        needed = office.seats_left + extra
        if len(candidates) < needed:
            reason += _(
                "; only {k} unelected person(s) to choose from, fewer than {needed}: "
                "the committee decides how to complete the list"
            ).format(k=len(candidates), needed=needed)
        if elsewhere:
            reason += _(
                "; {persons} already stand(s) for {higher} in this round: one person stands "
                "for one office, the higher first ({rule}; {source})"
            ).format(
                persons=_people(counts, elsewhere),
                higher=_join(names[k] for k in sorted({listed[p] for p in elsewhere}, key=_rank)),
                rule="ballot.same_person",
                source=charter.ballot.same_person.source,
            )
        if provisional:
            reason += _("; the list may change once the pending runoff is decided")
        office.supplementary = Supplementary(
            office.seats_left,
            tuple(candidates),
            vacancies_allowed,
            supp.within_days,
            provisional,
            reason,
            "count.supplementary",
            supp.source,
        )

    offices = tuple(_office_outcome(o, names[o.counts.key], *rules[o.counts.key]) for o in work)
    women = _women(charter, counts, work, final_elected)
    reason, rule, validity_source = _valid_reason(charter, counts)
    return Outcome(kind, True, offices, women, reason, rule, validity_source)


def _one_office_each(
    pool: list[str], tally: Mapping[str, int], wanted: int, listed: Mapping[str, OfficeKey]
) -> tuple[list[str], list[str]]:
    """The supplementary ``pool`` (most votes first) without the persons ``listed`` for a
    higher office's round, and those of them who would have made this office's list of
    ``wanted`` (to be named in the reason).

    The rule of one person, one office (``[ballot.same_person]``, V1: a ballot may not seat
    one person in two offices, whatever the policy for the marks) applied to the candidates
    of one supplementary round: offices are taken highest first, so a person stands for the
    highest office whose list they reach (JUWEI reading; the crash of a person listed twice
    in one round is what it prevents)."""
    would_be = _cut(pool, tally, wanted)
    elsewhere = [p for p in would_be if p in listed]
    return [p for p in pool if p not in listed], elsewhere


def _ranked_set(persons: set[str]) -> list[str]:
    return sorted(persons)


def _minimum(threshold: Threshold | None, base: int) -> int | None:
    if threshold is None or base == 0:
        return None
    return threshold.minimum(base)


def office_threshold(
    charter: Charter,
    counts: ElectionCounts,
    key: OfficeKey | str,
    kind: RoundKind = RoundKind.GENERAL,
) -> tuple[Threshold | None, int | None]:
    """The threshold office ``key`` must meet in a round of ``kind`` and the fewest votes that
    meet it on ``counts`` (exact integers): ``(None, None)`` in a runoff (most votes win);
    ``(threshold, None)`` on an empty base. The same rule and base ``decide_outcome`` uses
    (``[count.elected]``, ``[count.supplementary]``; P5, S4 art 15), so a running count (the
    public board) can draw the line before the count is run. ``KeyError`` for an office not
    in ``counts``. Pure.
    """
    office = counts.office(key)
    threshold, _rule, _source = _round_threshold(charter, kind, office.key)
    if threshold is None:
        return None, None
    return threshold, _minimum(threshold, _base_size(threshold.base, counts, office))


def _cut(pool: list[str], tally: Mapping[str, int], n: int) -> list[str]:
    """The first ``n`` of ``pool`` (ranked), plus everyone tied with the n-th."""
    if len(pool) <= n:
        return list(pool)
    cut = pool[:n]
    last = tally[pool[n - 1]]
    cut.extend(p for p in pool[n:] if tally[p] == last)
    return cut


def _fill(
    office: _Office,
    winners: tuple[str, ...],
    kind: RoundKind,
    name: str,
    threshold: Threshold | None,
    base: int,
    charter: Charter,
    counts: ElectionCounts,
) -> None:
    """Elect by descending tally among the eligible who meet the threshold; stop at a tie."""
    tally = office.tally
    seats_left = office.counts.seats
    qualifying = [p for p in office.eligible if office.meets[p]]
    levels = sorted({tally[p] for p in qualifying}, reverse=True)
    tie_seen = False
    for level in levels:
        if seats_left == 0:
            break
        group = sorted(p for p in qualifying if tally[p] == level)
        if len(group) <= seats_left:
            for person in group:
                office.elected.append(_elected(person, office, kind, threshold, base, charter))
            seats_left -= len(group)
            continue
        tie_seen = True
        unknown = [p for p in winners if p not in group]
        if unknown or len(winners) > seats_left:
            raise ValueError(
                f"{office.counts.key.value}: runoff winners {list(winners)} are not "
                f"{seats_left} or fewer of the tied {group}"
            )
        for person in sorted(winners):
            office.elected.append(
                Elected(
                    person,
                    tally[person],
                    _("elected: won the runoff among those tied with {votes} votes").format(
                        votes=level
                    ),
                    "count.tie",
                    charter.count.tie.source,
                )
            )
        seats_left -= len(winners)
        rest = tuple(p for p in group if p not in winners)
        if seats_left > 0:
            office.tie = Tie(
                rest,
                seats_left,
                level,
                _(
                    "{office}: {persons} tie with {votes} votes for the last {seats} seat(s): "
                    "a runoff among exactly them"
                ).format(office=name, persons=_people(counts, rest), votes=level, seats=seats_left),
                "count.tie",
                charter.count.tie.source,
            )
        break
    if winners and not tie_seen:
        raise ValueError(f"{office.counts.key.value}: runoff winners given, but there is no tie")
    office.seats_left = seats_left if office.tie is None else 0


def _elected(
    person: str,
    office: _Office,
    kind: RoundKind,
    threshold: Threshold | None,
    base: int,
    charter: Charter,
) -> Elected:
    votes = office.tally[person]
    if kind is RoundKind.RUNOFF:
        reason = _("elected with {votes} votes, the most among the tied").format(votes=votes)
        rule, source = "count.tie", charter.count.tie.source
    else:
        assert threshold is not None
        fields = {
            "votes": votes,
            "threshold": threshold.describe().localized(),
            "minimum": threshold.minimum(base),
            "base": base,
        }
        if kind is RoundKind.GENERAL:
            reason = _(
                "elected with {votes} votes; the threshold is {threshold} "
                "({minimum} or more of {base})"
            ).format(**fields)
            _t, rule, source = charter.elected_threshold(office.counts.key)
        else:
            reason = _(
                "elected with {votes} votes, among the most, reaching {threshold} "
                "({minimum} or more of {base})"
            ).format(**fields)
            rule, source = "count.supplementary", charter.count.supplementary.source
    if office.carried[person]:
        reason += _("; {carried} of the votes carried over from higher offices (包含法)").format(
            carried=office.carried[person]
        )
    return Elected(person, votes, reason, rule, source)


def _office_outcome(office: _Office, name: str, rule_key: str, source: str) -> OfficeOutcome:
    elected = {e.person for e in office.elected}
    tied = set(office.tie.persons) if office.tie is not None else set()
    tallies = []
    for person in _ranked(office.tally, office.tally):
        if office.deferred is not None:
            standing = Standing.PENDING
        elif person in office.removed:
            standing = Standing.ELECTED_HIGHER
        elif person in elected:
            standing = Standing.ELECTED
        elif person in tied:
            standing = Standing.TIED
        elif person not in office.eligible:
            standing = Standing.NOT_IN_RUNOFF
        else:
            standing = Standing.NOT_ELECTED
        tallies.append(
            Tally(
                person,
                office.tally[person],
                office.carried[person],
                office.meets[person],
                standing,
                person in office.counts.women,
            )
        )
    seats = office.counts.seats
    if office.deferred is not None:
        return OfficeOutcome(
            office.counts.key,
            seats,
            office.counts.valid_sections,
            office.counts.invalid_sections,
            office.threshold_votes,
            tuple(tallies),
            (),
            None,
            None,
            office.deferred,
            office.deferred.reason,
            office.deferred.rule,
            office.deferred.source,
        )
    n = len(office.elected)
    reason = _("{office}: {n} of {seats} seat(s) filled").format(office=name, n=n, seats=seats)
    if office.tie is not None:
        reason += _semicolon() + office.tie.reason
    if office.supplementary is not None:
        reason += _semicolon() + office.supplementary.reason
    ordered = tuple(sorted(office.elected, key=lambda e: (-e.votes, e.person)))
    return OfficeOutcome(
        office.counts.key,
        seats,
        office.counts.valid_sections,
        office.counts.invalid_sections,
        office.threshold_votes,
        tuple(tallies),
        ordered,
        office.tie,
        office.supplementary,
        None,
        reason,
        rule_key,
        source,
    )


def _valid_reason(charter: Charter, counts: ElectionCounts) -> tuple[str, str, str]:
    mode = charter.election.modes[counts.mode]
    base = _MODE_BASE[counts.mode]
    size = _base_size(base, counts, None)
    reason = _("{returned} of {size} {base} took part, {threshold}: the election is valid").format(
        returned=counts.ballots_returned,
        size=size,
        base=base.words().localized(),
        threshold=mode.quorum.describe().localized(),
    )
    return reason, f"election.modes.{counts.mode.value}", mode.source


def _women(
    charter: Charter, counts: ElectionCounts, work: list[_Office], final_elected: set[str]
) -> WomenFlag | None:
    rule = charter.committee.women
    if not rule.required or counts.women_elected_before > 0:
        return None
    if not any(o.counts.key.is_committee for o in work):
        return None  # the women rule is the committee's, not the representatives' (P9, P10)
    for office in work:
        if office.deferred is None and any(e.person in office.counts.women for e in office.elected):
            return None
    pending = any(
        o.deferred is not None or o.tie is not None or o.supplementary is not None for o in work
    )
    best: dict[str, int] = {}
    for office in work:
        for person in office.counts.women:
            if person in office.tally and person not in final_elected:
                best[person] = max(best.get(person, 0), office.tally[person])
    ranked = _ranked(best, best)
    suggested = tuple(p for p in ranked if best[p] == best[ranked[0]]) if ranked else ()
    if pending:
        reason = _("no woman is elected so far, and the charter requires a woman member")
    else:
        reason = _("no woman is elected, and the charter requires a woman member")
    proposal = _(
        "No source says what happens then. juwei's convention (JUWEI), for the committee to "
        "decide: if seats remain, add the woman with most votes ({persons}) to the candidates "
        "of the next round; if all seats are filled, record the committee's decision before "
        "certification."
    ).format(persons=_people(counts, suggested) if suggested else _("nobody"))
    return WomenFlag(pending, suggested, proposal, reason, "committee.women", rule.source)
