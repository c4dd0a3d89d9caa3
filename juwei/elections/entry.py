"""The entry form of the count room (唱票录入): a ballot paper as a counting table keys it in.

``load_form`` reads once what a screen needs to judge a ballot while it is typed: the offices
as printed (candidates by ballot number, with the person each one is), the pinned charter,
and the names on the roll for completing write-ins. ``FormBallot.judge`` judges the marks with
the count's own rule (``juwei.rules.counting.judge_ballot``), so an over-voted section shows
invalid the moment it is typed; ``FormBallot.entry`` turns the marks into the
``BallotEntry`` that ``juwei.elections.count.record_ballots`` saves (one transaction).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, func, select

from juwei.elections.audit import append_event
from juwei.elections.ballot_id import MAX_POSITION, ballot_label, parse_ballot_label
from juwei.elections.count import BallotEntry, _resolver, counting_tables, find_record
from juwei.elections.db import Database
from juwei.elections.double_entry import reading_of_record
from juwei.elections.election import find_election, require_state
from juwei.elections.models import (
    BallotEntryPass,
    BallotRecord,
    Candidate,
    Event,
    Mark,
    Office,
    SectionRecord,
    Voter,
)
from juwei.elections.readmodels import EntryTally, EntryTallyOffice
from juwei.errors import InputError
from juwei.i18n import _
from juwei.rules.charter import Charter, OfficeKey
from juwei.rules.counting import (
    BallotJudgement,
    OfficeSeats,
    Section,
    judge_ballot,
    void_mark,
    write_in_person,
)


@dataclass(frozen=True)
class FormCandidate:
    """A candidate as printed: ``number`` (ballot number), ``name``, ``person`` (the key the
    count credits, the same for the same voter in every office)."""

    number: int
    name: str
    person: str


@dataclass(frozen=True)
class FormOffice:
    """One section of the paper: office ``key`` and ``title``, ``seats``, the candidates in
    ballot-number order, and whether names may be written in."""

    key: str
    title: str
    seats: int
    candidates: tuple[FormCandidate, ...]
    write_ins: bool

    def candidate(self, number: int) -> FormCandidate | None:
        """The candidate printed with ballot ``number`` (None when there is none)."""
        return next((c for c in self.candidates if c.number == number), None)

    def void(self, name: str, roll: Mapping[str, tuple[int, ...]]) -> bool:
        """Whether ``name`` written in counts for nobody (not a voter here, or illegible)."""
        if self.candidate_named(name) is not None:
            return False
        return void_mark(write_in_person(name, roll.get(name, ()))) is not None

    def candidate_named(self, name: str) -> FormCandidate | None:
        """The candidate printed with this name (None when there is none)."""
        return next((c for c in self.candidates if c.name == name), None)


@dataclass(frozen=True)
class EntryForm:
    """What a counting table needs to key in ballots of one election (read once)."""

    election_id: int
    election_title: str
    offices: tuple[FormOffice, ...]
    charter: Charter
    roll: Mapping[str, tuple[int, ...]]  # name on the roll → voter ids (for write-ins)

    def roll_names(self) -> list[str]:
        """Every name on the roll, sorted (write-in completion)."""
        return sorted(self.roll)


@dataclass
class FormMarks:
    """The marks of one section as typed: ballot numbers marked 同意 (``for_``) and 不同意
    (``against``), names written in, and whether the section was ruled illegible."""

    for_: set[int] = field(default_factory=set)
    against: set[int] = field(default_factory=set)
    write_ins: list[str] = field(default_factory=list)
    illegible: bool = False

    @property
    def empty(self) -> bool:
        """No mark at all."""
        return not (self.for_ or self.against or self.write_ins or self.illegible)


@dataclass
class FormBallot:
    """One ballot being keyed in: its identity and the marks per office (by office key)."""

    form: EntryForm
    identity: str = ""
    marks: dict[str, FormMarks] = field(default_factory=dict)

    def section(self, key: str) -> FormMarks:
        """The marks of office ``key`` (created empty on first use)."""
        return self.marks.setdefault(key, FormMarks())

    def _person(self, office: FormOffice, name: str) -> str:
        on_paper = next((c for c in office.candidates if c.name == name), None)
        if on_paper is not None:
            return on_paper.person
        return write_in_person(name, self.form.roll.get(name, ()))

    def judge(self) -> BallotJudgement:
        """The ballot as the count will judge it (``judge_ballot`` under the pinned charter):
        valid or not, per section with its reason and rule. Pure; raises nothing for marks the
        screen can type."""
        sections: dict[str, Section] = {}
        for office in self.form.offices:
            marks = self.marks.get(office.key)
            if marks is None or marks.empty:
                continue
            person = {c.number: c.person for c in office.candidates}
            sections[office.key] = Section(
                for_=tuple(person[n] for n in sorted(marks.for_)),
                against=tuple(person[n] for n in sorted(marks.against)),
                write_in=tuple(self._person(office, name) for name in marks.write_ins),
                illegible=marks.illegible,
            )
        seats = [OfficeSeats(OfficeKey(o.key), o.seats) for o in self.form.offices]
        return judge_ballot(self.form.charter, seats, sections)

    def entry(self) -> BallotEntry:
        """The ``BallotEntry`` ``record_ballots`` saves: names as printed, by office title.
        Raises ``InputError`` when the identity is not bundle-number (``12-37``)."""
        try:
            bundle, position = parse_ballot_label(self.identity)
        except ValueError as error:
            raise InputError(str(error), column="identity") from None
        sections: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}
        illegible: list[str] = []
        for office in self.form.offices:
            marks = self.marks.get(office.key)
            if marks is None or marks.empty:
                continue
            names = {c.number: c.name for c in office.candidates}
            sections[office.title] = (
                tuple(names[n] for n in sorted(marks.for_)),
                tuple(names[n] for n in sorted(marks.against)),
                tuple(marks.write_ins),
            )
            if marks.illegible:
                illegible.append(office.title)
        return BallotEntry(bundle, position, sections, tuple(illegible))


def load_form(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> EntryForm:
    """The entry form of an election whose ballots are being counted.

    Raises ``NotFoundError`` for no such election, ``StateError`` unless ballots can be
    entered (printed or polling).
    """
    with db.read() as session:
        election = find_election(session, community, election_id)
        require_state(election, "ballots_printed", "polling", action=_("record ballots"))
        assert election.id is not None
        r = _resolver(session, election)
        numbers = {
            cid: (office_id, number)
            for cid, office_id, number in session.exec(
                select(Candidate.id, Candidate.office_id, Candidate.ballot_number).where(
                    Candidate.election_id == election.id
                )
            ).all()
        }
        offices = []
        for office in r.offices:
            assert office.id is not None
            seen: dict[int, FormCandidate] = {}
            for cand in r.candidates[office.id].values():
                _office_id, number = numbers[cand.id]
                seen[number] = FormCandidate(number, r.voter_names[cand.voter], f"v{cand.voter}")
            offices.append(
                FormOffice(
                    office.key,
                    office.title,
                    office.seats,
                    tuple(seen[n] for n in sorted(seen)),
                    bool(office.write_ins) and r.charter.ballot.form.write_ins,
                )
            )
        roll: dict[str, list[int]] = {}
        for vid, name in session.exec(
            select(Voter.id, Voter.name).where(
                Voter.community_id == election.community_id, col(Voter.listed).is_(True)
            )
        ).all():
            assert vid is not None
            roll.setdefault(name, []).append(vid)
        return EntryForm(
            election.id,
            election.title,
            tuple(offices),
            r.charter,
            {name: tuple(ids) for name, ids in roll.items()},
        )


def recorded_ballot(db: Database, form: EntryForm, identity: str) -> FormBallot:
    """An entered ballot called back to the screen for correction (``correct_ballot``):
    its marks as stored, by ballot number, names written in as written, illegible sections.

    Raises ``InputError`` when no ballot ``identity`` has been entered."""
    with db.read() as session:
        election = find_election(session, None, form.election_id)
        reading = reading_of_record(
            session, form.election_id, find_record(session, election, identity)
        )
    ballot = FormBallot(form, identity)
    for office in form.offices:
        marks = reading["sections"].get(office.key)
        if marks is not None:
            section = ballot.section(office.key)
            section.for_.update(marks["for"])
            section.against.update(marks["against"])
            for written in marks["write_in"]:  # a printed candidate written in: its name
                cand = office.candidate(written) if isinstance(written, int) else None
                section.write_ins.append(cand.name if cand is not None else str(written))
        if office.key in reading["illegible"]:
            ballot.section(office.key).illegible = True
    return ballot


def register_table(
    db: Database,
    *,
    table: str,
    counters: tuple[str, ...],
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> bool:
    """Record a counting table (计票组) and who counts at it (唱票、计票、监票人), for the
    result sheet's list of tables (issue 14 §4): one ``count.table`` event, not repeated
    when the same table with the same counters is recorded again (returns False then).

    Raises ``InputError`` when the table or the counters are not named, ``StateError``
    unless the election's ballots are being counted."""
    names = tuple(c.strip() for c in counters if c.strip())
    if not table.strip() or not names:
        raise InputError(
            _("a counting table is named (--table) with its counters (--counters)"),
            column="--counters",
        )
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "ballots_printed", "polling", action=_("record ballots"))
        pair = (table.strip(), "、".join(names))
        if pair in counting_tables(session, election):
            return False
        append_event(
            session,
            "count.table",
            {"election": election.id, "table": pair[0], "counters": pair[1]},
            operator=operator,
            community_id=election.community_id,
        )
        return True


def entered(db: Database, election_id: int, identity: str, *, second_pass: bool = False) -> bool:
    """Whether a ballot with this identity is already entered (by the second clerk when
    ``second_pass``): one indexed query."""
    with db.read() as session:
        if second_pass:
            stmt: Any = select(BallotEntryPass.id).where(
                BallotEntryPass.election_id == election_id,
                BallotEntryPass.ballot == identity,
                BallotEntryPass.pass_no == 2,
            )
        else:
            stmt = select(BallotRecord.id).where(
                BallotRecord.election_id == election_id, BallotRecord.ballot == identity
            )
        return session.exec(stmt).first() is not None


def next_identity(
    db: Database, election_id: int, after: str = "", *, second_pass: bool = False
) -> str:
    """The next ballot identity of the bundle being keyed in that is not entered yet: after
    ``after`` (``"12-37"`` → ``"12-38"``, skipping any entered), or the first free place of
    bundle 1 when ``after`` is empty or not a bundle-number. The screen proposes it so that a
    table keying a bundle in order types no identity at all (a ballot has no identity before
    the count: bundle and position are given as the counting team bundles the mixed ballots).
    """
    return next_free(after, bundle_taken(db, election_id, bundle_of(after), second_pass))


def bundle_of(label: str) -> int:
    """The bundle of a bundle-number identity (1 when ``label`` is empty or not one)."""
    try:
        return parse_ballot_label(label)[0]
    except ValueError:
        return 1


def bundle_taken(
    db: Database, election_id: int, bundle: int, second_pass: bool = False
) -> set[str]:
    """The identities entered in ``bundle`` (``{"12-1", "12-2", …}``; by the second clerk
    when ``second_pass``): one indexed query."""
    with db.read() as session:
        if second_pass:
            stmt: Any = select(BallotEntryPass.ballot).where(
                BallotEntryPass.election_id == election_id,
                BallotEntryPass.pass_no == 2,
                col(BallotEntryPass.ballot).startswith(f"{bundle}-"),
            )
        else:
            stmt = select(BallotRecord.ballot).where(
                BallotRecord.election_id == election_id,
                col(BallotRecord.ballot).startswith(f"{bundle}-"),
            )
        return set(session.exec(stmt).all())


def next_free(after: str, taken: set[str]) -> str:
    """The place after ``after`` in its bundle not in ``taken`` (see ``next_identity``)."""
    try:
        bundle, position = parse_ballot_label(after)
    except ValueError:
        bundle, position = 1, 0
    position += 1
    while ballot_label(bundle, position) in taken and position < MAX_POSITION:
        position += 1
    return ballot_label(bundle, position)


@dataclass
class RunningTotals:
    """The running totals a counting table's screen keeps (唱票计票): what the count credits,
    equal to ``juwei.elections.count.entry_tally`` whenever ``mark`` is the log's head.

    Loaded whole once (``load_totals``) and then kept by adding each ballot this screen
    saves (``add_saved``: one small read of that ballot's stored sections and counted
    marks), so a save never re-reads the election; when another terminal wrote in between
    (the log moved by more than the one save), the caller loads them whole again.
    ``votes``: office id → person key → votes; ``sections``: (office id, valid) → count;
    ``mark``: the audit log's last sequence number these totals are at.
    """

    offices: tuple[tuple[int, str], ...]  # (office id, title) in ballot order
    names: dict[int, str]  # candidate id → person key (v<voter id>)
    person_names: dict[str, str]  # person key → name as shown
    roll: Mapping[str, tuple[int, ...]]
    mark: int = 0
    recorded: int = 0
    valid: int = 0
    blank: int = 0
    votes: dict[int, dict[str, int]] = field(default_factory=dict)
    sections: dict[tuple[int, bool], int] = field(default_factory=dict)

    def _add(self, session: Session, election_id: int, identity: str | None) -> None:
        """Add the stored ballots (all of the election, or the one ``identity``)."""
        records, marks, sections = _tally_statements(identity is not None)
        params = {"eid": election_id, "ballot": identity}
        for valid, blank, n in session.exec(records, params=params).all():
            self.recorded += n
            self.valid += n if valid else 0
            self.blank += n if blank else 0
        for office_id, cand_id, write_in, n in session.exec(marks, params=params).all():
            if cand_id is not None:
                person = self.names[cand_id]
            else:
                person = write_in_person(write_in or "", self.roll.get(write_in or "", ()))
                self.person_names.setdefault(person, write_in or "")
            office = self.votes.setdefault(office_id, {})
            office[person] = office.get(person, 0) + int(n)
        for office_id, valid, n in session.exec(sections, params=params).all():
            key = (office_id, bool(valid))
            self.sections[key] = self.sections.get(key, 0) + int(n)

    def tally(self) -> EntryTally:
        """The totals in the shape of ``entry_tally`` (most votes first, then by name)."""

        def ordered(votes: dict[str, int]) -> tuple[tuple[str, int], ...]:
            named = [(self.person_names[p], n) for p, n in votes.items() if n]
            return tuple(sorted(named, key=lambda pair: (-pair[1], pair[0])))

        return EntryTally(
            recorded=self.recorded,
            valid=self.valid,
            blank=self.blank,
            invalid=self.recorded - self.valid,
            offices=tuple(
                EntryTallyOffice(
                    title=title,
                    valid_sections=self.sections.get((office_id, True), 0),
                    invalid_sections=self.sections.get((office_id, False), 0),
                    votes=ordered(self.votes.get(office_id, {})),
                )
                for office_id, title in self.offices
            ),
        )


@cache
def _tally_statements(one: bool) -> tuple[Any, Any, Any]:
    """The three GROUP BY queries of the running totals (ballots by validity, counted marks
    by person, sections by validity) over an election (``:eid``), or over its one ballot
    ``:ballot`` when ``one``; built once (a save runs them without building them again)."""
    eid: Any = bindparam("eid")
    records: Any = select(BallotRecord.valid, col(BallotRecord.blank), func.count()).where(
        BallotRecord.election_id == eid
    )
    marks: Any = select(Mark.office_id, Mark.candidate_id, Mark.write_in, func.count()).where(
        Mark.election_id == eid, col(Mark.counted).is_(True)
    )
    sections: Any = (
        select(SectionRecord.office_id, SectionRecord.valid, func.count())
        .join(BallotRecord, col(BallotRecord.id) == col(SectionRecord.record_id))
        .where(BallotRecord.election_id == eid)
    )
    if one:
        ballot: Any = bindparam("ballot")
        record_id = (
            select(BallotRecord.id)
            .where(BallotRecord.election_id == eid, BallotRecord.ballot == ballot)
            .scalar_subquery()
        )
        records = records.where(BallotRecord.ballot == ballot)
        marks = select(Mark.office_id, Mark.candidate_id, Mark.write_in, func.count()).where(
            Mark.record_id == record_id, col(Mark.counted).is_(True)
        )
        sections = select(SectionRecord.office_id, SectionRecord.valid, func.count()).where(
            SectionRecord.record_id == record_id
        )  # by the record's index alone (a join would scan the election's ballots)
    return (
        records.group_by(col(BallotRecord.valid), col(BallotRecord.blank)),
        marks.group_by(col(Mark.office_id), col(Mark.candidate_id), col(Mark.write_in)),
        sections.group_by(col(SectionRecord.office_id), col(SectionRecord.valid)),
    )


_HEAD = select(func.max(Event.seq))


def _head(session: Session) -> int:
    return int(session.exec(_HEAD).one() or 0)


def load_totals(db: Database, form: EntryForm) -> RunningTotals:
    """The running totals of ``form``'s election, read whole in one snapshot with the log's
    head (``RunningTotals.mark``)."""
    with db.read() as session:
        mark = _head(session)
        offices = tuple(
            (office_id, title)
            for office_id, title in session.exec(
                select(Office.id, Office.title)
                .where(Office.election_id == form.election_id)
                .order_by(col(Office.position))
            ).all()
            if office_id is not None
        )
        names: dict[int, str] = {}
        person_names: dict[str, str] = {}
        for cand_id, voter_id, name in session.exec(
            select(Candidate.id, Candidate.voter_id, Voter.name)
            .join(Voter, col(Voter.id) == col(Candidate.voter_id))
            .where(Candidate.election_id == form.election_id)
        ).all():
            assert cand_id is not None
            names[cand_id] = f"v{voter_id}"
            person_names[f"v{voter_id}"] = name
        totals = RunningTotals(offices, names, person_names, form.roll, mark=mark)
        totals._add(session, form.election_id, None)
        return totals


def add_saved(db: Database, totals: RunningTotals, election_id: int, identity: str) -> bool:
    """Add the ballot this screen has just saved as ``identity`` to ``totals`` (one small
    read) when the log moved by exactly that save since ``totals.mark``; otherwise (another
    terminal wrote) change nothing and return False: the caller
    loads the totals whole again (``load_totals``)."""
    with db.read() as session:
        mark = _head(session)
        if mark != totals.mark + 1:
            return False
        totals._add(session, election_id, identity)
        totals.mark = mark
        return True
