"""SQLModel tables of the engine.

Designed so that elections, ballots, members, petitions and the event log hang off the same
community without reshaping these tables:

- ``community`` (社区) pins the charter (章程) it runs under in ``charter_pin`` by SHA-256;
  an election will pin its own charter the same way.
- ``residents_group`` (居民小组) and ``household`` (户) belong to one community.
- ``voter`` (选民) is one registration of a person (by ID number) in one community. A voter
  who is no longer on the roll is kept with ``listed = False``: history is never deleted.
- ``roll_import`` records each import of the roll (选民登记) with its file digest and counts.
- ``event`` is the append-only audit log: canonical JSON payload, SHA-256 chained.

Model modules must not use ``from __future__ import annotations`` (SQLModel mapper).
Constraint names are explicit and stable (they appear in migrations).
"""

from datetime import date, datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel


class CharterPin(SQLModel, table=True):
    """A charter as it was pinned: its canonical JSON and SHA-256 digest (never changed)."""

    __tablename__ = "charter_pin"
    __table_args__ = (UniqueConstraint("digest", name="uq_charter_pin_digest"),)

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64)
    name: str = Field(max_length=100)
    canonical_json: str = Field(sa_column=Column(Text, nullable=False))
    pinned_at: datetime


class Community(SQLModel, table=True):
    """A community (社区) with its residents' committee, run under one pinned charter."""

    __tablename__ = "community"
    __table_args__ = (UniqueConstraint("name", name="uq_community_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    charter_id: int = Field(foreign_key="charter_pin.id")
    created_at: datetime


class ResidentsGroup(SQLModel, table=True):
    """A residents' group (居民小组) of a community."""

    __tablename__ = "residents_group"
    __table_args__ = (UniqueConstraint("community_id", "name", name="uq_group_community_name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=100)


class Household(SQLModel, table=True):
    """A household (户), by its household number (户号) as the roll writes it."""

    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("community_id", "code", name="uq_household_community_code"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    group_id: int = Field(foreign_key="residents_group.id", index=True)
    code: str = Field(max_length=100)


class RollImport(SQLModel, table=True):
    """One import of the electoral roll (选民登记): file digest, as-of date and its counts."""

    __tablename__ = "roll_import"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    file_name: str = Field(max_length=500)
    file_sha256: str = Field(max_length=64)
    as_of: date
    imported_at: datetime
    operator: str = Field(max_length=100)
    rows: int
    added: int
    updated: int
    unchanged: int
    delisted: int
    relisted: int
    rejected: int


class Voter(SQLModel, table=True):
    """A registered voter (选民) of one community, matched across imports by ID number.

    ``id_number`` is the full normalised 公民身份号码 (needed to match re-imports and sign-in
    sheets); it is never printed or logged unmasked.
    """

    __tablename__ = "voter"
    __table_args__ = (
        UniqueConstraint("community_id", "id_number", name="uq_voter_community_id_number"),
        Index("ix_voter_id_number", "id_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # no index of its own: uq_voter_community_id_number starts with community_id
    community_id: int = Field(foreign_key="community.id")
    id_number: str = Field(max_length=18)
    name: str = Field(max_length=100)
    sex: str = Field(max_length=1)  # "M" | "F", from the ID number
    birth_date: date
    group_id: int = Field(foreign_key="residents_group.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    address: str | None = Field(default=None, max_length=500)
    registration: str = Field(max_length=20)  # rules.eligibility.Registration value
    residence_since: date | None = None
    consent: bool | None = None
    listed: bool = True
    first_import_id: int = Field(foreign_key="roll_import.id")
    last_import_id: int = Field(foreign_key="roll_import.id")
    delisted_import_id: int | None = Field(default=None, foreign_key="roll_import.id")


class Event(SQLModel, table=True):
    """The append-only audit log: one event per change, SHA-256 chained to the previous one.

    ``payload`` is canonical JSON (sorted keys, no spaces, UTF-8). ``hash`` is the SHA-256 of
    ``prev_hash`` + the canonical JSON of (seq, at, operator, kind, community_id, payload).
    Events are written in the same transaction as the change they record; none is ever
    updated or deleted. No event links a voter to a ballot.
    """

    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("seq", name="uq_event_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    seq: int
    at: datetime
    operator: str = Field(max_length=100)
    kind: str = Field(max_length=60, index=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


# --------------------------------------------------------------------------- elections


class Election(SQLModel, table=True):
    """An election (选举) or one of its rounds, run under a pinned charter.

    ``kind``: general (换届选举) | by_election (补选) | supplementary (另行选举) | runoff (tie
    runoff) | recall (罢免表决) | representatives (a residents' group electing its
    representatives, 居民代表; ``group_id`` names the group, whose voters are the roll). A
    round has ``parent_id`` (and the parent's ``group_id``) and its own ``serial_prefix`` so that
    its ballots cannot be confused with the parent's. ``state`` follows the state machine in
    ``juwei.elections.election``.
    """

    __tablename__ = "election"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    charter_id: int = Field(foreign_key="charter_pin.id")
    parent_id: int | None = Field(default=None, foreign_key="election.id")
    kind: str = Field(max_length=20)
    mode: str = Field(max_length=20)
    title: str = Field(max_length=200)
    day: date
    state: str = Field(max_length=20)
    serial_prefix: str = Field(max_length=4)
    created_at: datetime
    registered_voters: int | None = None  # frozen when the poll opens
    households: int | None = None
    representatives: int | None = None
    void_rule: str | None = Field(default=None, max_length=100)
    void_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    certified_at: datetime | None = None
    group_id: int | None = Field(default=None, foreign_key="residents_group.id", index=True)
    poll_closed_on: date | None = None  # juwei poll close: no more issuing; counting may start


class Office(SQLModel, table=True):
    """An office (职位) of one election with its seats (应选名额), in ballot order."""

    __tablename__ = "office"
    __table_args__ = (UniqueConstraint("election_id", "key", name="uq_office_election_key"),)

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    key: str = Field(max_length=40)
    title: str = Field(max_length=40)
    seats: int
    position: int
    write_ins: int


class Nomination(SQLModel, table=True):
    """A nomination (提名) of a registered voter for one office; one office per person."""

    __tablename__ = "nomination"
    __table_args__ = (
        UniqueConstraint("election_id", "voter_id", name="uq_nomination_election_voter"),
    )

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    voter_id: int = Field(foreign_key="voter.id")
    method: str = Field(max_length=20)  # self | joint | group
    group_id: int | None = Field(default=None, foreign_key="residents_group.id")
    nominated_on: date
    withdrawn_on: date | None = None
    withdraw_reason: str | None = Field(default=None, max_length=500)


class Supporter(SQLModel, table=True):
    """A voter supporting a joint nomination (联名提名)."""

    __tablename__ = "supporter"
    __table_args__ = (
        UniqueConstraint("nomination_id", "voter_id", name="uq_supporter_nomination_voter"),
    )

    id: int | None = Field(default=None, primary_key=True)
    nomination_id: int = Field(foreign_key="nomination.id", index=True)
    voter_id: int = Field(foreign_key="voter.id", index=True)


class Candidate(SQLModel, table=True):
    """A formal candidate (正式候选人) with the number printed beside the name on the ballot."""

    __tablename__ = "candidate"
    __table_args__ = (
        UniqueConstraint("office_id", "ballot_number", name="uq_candidate_office_number"),
        UniqueConstraint("election_id", "voter_id", name="uq_candidate_election_voter"),
    )

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    office_id: int = Field(foreign_key="office.id", index=True)
    voter_id: int = Field(foreign_key="voter.id")
    ballot_number: int
    tie_flag: bool = False


class BallotSerial(SQLModel, table=True):
    """A printed ballot's stub number (存根编号), for paper accounting only: it is printed on
    the counterfoil, which stays in the book, never on the ballot body. ``state``: printed
    (spoiled only in elections recorded before juwei 0.9, which spoiled by number).

    Nothing names a stub number when a ballot is issued or spoiled (spoiling is a count per
    box, ``poll_box.spoiled``): no voter can be linked to a stub.
    """

    __tablename__ = "ballot_serial"
    __table_args__ = (
        UniqueConstraint("election_id", "serial", name="uq_ballot_serial_election_serial"),
    )

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    serial: str = Field(max_length=20)
    state: str = Field(max_length=10)


class PollBox(SQLModel, table=True):
    """One ballot box (投票箱) of an election's poll, accounted as a whole (never attached to
    a ballot): spoiled ballots exchanged at it (a count, 作废票), the day it was closed, and at
    the box opening (开箱) the number of ballots found in it, with the day.

    The found totals are the returned ballots of the count: they reconcile against the
    ballots issued per box, and no entry may make the ballot records outnumber them.
    """

    __tablename__ = "poll_box"
    __table_args__ = (UniqueConstraint("election_id", "box", name="uq_poll_box_election_box"),)

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    box: str = Field(max_length=100)
    spoiled: int = 0
    closed_on: date | None = None
    found: int | None = None
    opened_on: date | None = None


class Issuance(SQLModel, table=True):
    """A ballot issued (发出) to a voter: which voter, where, when — never which serial.

    A proxy (委托投票) is recorded with the holder and the written authorisation.
    """

    __tablename__ = "issuance"
    __table_args__ = (
        UniqueConstraint("election_id", "voter_id", name="uq_issuance_election_voter"),
    )

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    voter_id: int = Field(foreign_key="voter.id")
    box: str = Field(max_length=100)
    proxy_holder_id: int | None = Field(default=None, foreign_key="voter.id", index=True)
    authorisation: str | None = Field(default=None, max_length=500)
    issued_on: date


class BallotRecord(SQLModel, table=True):
    """A returned ballot (收回的选票) as entered at the public count.

    ``ballot`` is the identity the counting team gave the paper ballot after the boxes were
    opened and their ballots mixed: its bundle and position, ``"12-37"`` (bundle 12, ballot
    37; ``juwei.elections.count.ballot_label``). Elections recorded before juwei 0.9 keep
    their printed serial here (``A000123``). No box, no entry time, and ``id`` is drawn at
    random (``count.random_ids``), so that nothing follows the order of entry.
    """

    __tablename__ = "ballot_record"
    __table_args__ = (
        UniqueConstraint("election_id", "ballot", name="uq_ballot_record_election_ballot"),
    )

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    ballot: str = Field(max_length=20)
    blank: bool
    valid: bool  # False: the whole ballot is invalid
    reason: str | None = Field(default=None, max_length=500)


class TallySheet(SQLModel, table=True):
    """One counting table's tally sheet (计票统计表) when the committee counts by hand on a
    正-mark board (issue 14 §2): the ballots counted at the table, blank and invalid ballots,
    and per office (canonical JSON ``offices``: office key → ``{"votes": {ballot number:
    n}, "write_ins": {name: n}, "invalid_sections": n}``), signed by its ``counters``
    (names, 、-separated). An election counted by tally has no ballot records, and the
    reverse: never a mixture. Entered on a day, not a time."""

    __tablename__ = "tally_sheet"
    __table_args__ = (
        UniqueConstraint("election_id", "table_name", name="uq_tally_sheet_election_table"),
    )

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    table_name: str = Field(max_length=50)
    counters: str = Field(max_length=200)
    ballots: int
    blank: int
    invalid: int
    offices: str = Field(sa_column=Column(Text, nullable=False))
    entered_on: date
    operator: str = Field(max_length=100)


class LegacyBallotBox(SQLModel, table=True):
    """The box of a ballot recorded before juwei 0.9 (moved here by migration 0009), kept
    only so that ``audit verify`` can recompute that ballot's logged digest. New ballots
    have no box."""

    __tablename__ = "legacy_ballot_box"

    record_id: int = Field(foreign_key="ballot_record.id", primary_key=True)
    box: str = Field(max_length=100)


class SectionRecord(SQLModel, table=True):
    """One office's section of a returned ballot: valid or invalid, with the rule."""

    __tablename__ = "section_record"
    __table_args__ = (UniqueConstraint("record_id", "office_id", name="uq_section_record_office"),)

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="ballot_record.id", index=True)
    office_id: int = Field(foreign_key="office.id")
    valid: bool
    illegible: bool
    rule: str | None = Field(default=None, max_length=100)


class Mark(SQLModel, table=True):
    """One mark on a returned ballot: for / against a candidate, or a write-in (另选他人).

    ``counted`` is true when its section is valid, so that the count is one GROUP BY.
    """

    __tablename__ = "mark"
    __table_args__ = (Index("ix_mark_count", "election_id", "counted", "office_id"),)

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id")
    record_id: int = Field(foreign_key="ballot_record.id", index=True)
    office_id: int = Field(foreign_key="office.id")
    kind: str = Field(max_length=10)  # for | against | write_in
    candidate_id: int | None = Field(default=None, foreign_key="candidate.id")
    write_in: str | None = Field(default=None, max_length=100)
    counted: bool


class CountResult(SQLModel, table=True):
    """The outcome of counting one election round (canonical JSON) and its SHA-256."""

    __tablename__ = "count_result"

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    computed_at: datetime
    outcome: str = Field(sa_column=Column(Text, nullable=False))
    digest: str = Field(max_length=64)
    certified: bool = False


class Member(SQLModel, table=True):
    """A member (成员) of the residents' committee seated by a certified election."""

    __tablename__ = "member"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    voter_id: int = Field(foreign_key="voter.id")
    election_id: int = Field(foreign_key="election.id")
    office_key: str = Field(max_length=40)
    office_title: str = Field(max_length=40)
    term_start: date
    term_end: date
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=40)


# --------------------------------------------------------------------------- recall
# Recall petitions (罢免要求), their signatures, the member's defence (申辩意见) and the record
# of how a membership ended. Owned by the recall work (juwei.elections.recall / members).


class RecallPetition(SQLModel, table=True):
    """A recall petition (罢免要求) against one serving member.

    ``origin``: residents (联名提出, needs signatures) | evaluation (考评结果, started by an
    evaluation decision, ``evaluation_ref`` names it; needs no signatures).
    ``state``: filed | sufficient | insufficient | ended | voted_passed | voted_failed.
    ``decision`` is the canonical JSON of the sufficiency decision when it was decided.
    """

    __tablename__ = "recall_petition"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    reasons: str = Field(sa_column=Column(Text, nullable=False))
    filed_on: date
    origin: str = Field(max_length=20)
    evaluation_ref: str | None = Field(default=None, max_length=100)
    state: str = Field(max_length=20)
    decided_on: date | None = None
    decision: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    vote_deadline: date | None = None
    vote_election_id: int | None = Field(default=None, foreign_key="election.id")
    late_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    ended_on: date | None = None
    end_note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime


class PetitionSignature(SQLModel, table=True):
    """One voter's signature on a recall petition; a withdrawal is kept, never deleted."""

    __tablename__ = "petition_signature"
    __table_args__ = (
        UniqueConstraint("petition_id", "voter_id", name="uq_petition_signature_voter"),
    )

    id: int | None = Field(default=None, primary_key=True)
    petition_id: int = Field(foreign_key="recall_petition.id", index=True)
    voter_id: int = Field(foreign_key="voter.id")
    signed_on: date
    withdrawn_on: date | None = None


class RecallDefence(SQLModel, table=True):
    """The member's defence (申辩意见) against a recall petition, printed on the ballot."""

    __tablename__ = "recall_defence"

    id: int | None = Field(default=None, primary_key=True)
    petition_id: int = Field(foreign_key="recall_petition.id", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    recorded_on: date
    created_at: datetime


class MembershipEnd(SQLModel, table=True):
    """How and why a membership ended (recalled, resigned, terminated …), one per member.

    ``member.ended_on`` / ``member.end_reason`` carry the date and cause; this row keeps the
    written reason and, for a recall, the petition.
    """

    __tablename__ = "membership_end"
    __table_args__ = (UniqueConstraint("member_id", name="uq_membership_end_member"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    cause: str = Field(max_length=40)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    effective_on: date
    petition_id: int | None = Field(default=None, foreign_key="recall_petition.id")
    recorded_at: datetime


# --------------------------------------------------------------------------- vacancies, evaluation
# By-elections filling vacancies (补选) and evaluations (考评). Owned by the vacancies work
# (juwei.elections.vacancies / evaluation).


class VacancyFill(SQLModel, table=True):
    """A vacancy (缺额) filled: ``member_id`` was seated by a certified by-election
    (``election_id``) in the seat that ``vacated_member_id`` left before the term's end."""

    __tablename__ = "vacancy_fill"
    __table_args__ = (
        UniqueConstraint("vacated_member_id", name="uq_vacancy_fill_vacated"),
        UniqueConstraint("member_id", name="uq_vacancy_fill_member"),
    )

    id: int | None = Field(default=None, primary_key=True)
    vacated_member_id: int = Field(foreign_key="member.id")
    member_id: int = Field(foreign_key="member.id")
    election_id: int = Field(foreign_key="election.id", index=True)
    filled_on: date


class Evaluation(SQLModel, table=True):
    """An evaluation (考评) of a committee member and its decision under ``[evaluation]``.

    ``kind``: residents (satisfaction ballots: ``satisfied`` / ``basically`` /
    ``dissatisfied``) | representatives (verdicts: ``dissatisfied`` of ``representatives``).
    ``triggered``: the recall procedure started (``petition_id``: the petition it filed).
    """

    __tablename__ = "evaluation"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    kind: str = Field(max_length=20)
    held_on: date
    satisfied: int | None = None
    basically: int | None = None
    dissatisfied: int
    representatives: int | None = None
    triggered: bool
    rule: str = Field(max_length=100)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    petition_id: int | None = Field(default=None, foreign_key="recall_petition.id")
    created_at: datetime


class Representative(SQLModel, table=True):
    """A residents' representative (居民代表): elected by a residents' group (``group_id``,
    ``method`` elected) or sent by a unit based in the community (驻社区单位, ``unit``,
    ``method`` unit_nominated). ``election_id``: the election that elected them, when juwei
    ran it. The term runs ``term_start`` to ``term_end``; ``ended_on`` / ``end_reason`` when
    it ended early. History is kept: an ended representative is never deleted."""

    __tablename__ = "representative"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="residents_group.id", index=True)
    unit: str | None = Field(default=None, max_length=200)
    voter_id: int = Field(foreign_key="voter.id", index=True)
    method: str = Field(max_length=20)
    election_id: int | None = Field(default=None, foreign_key="election.id")
    term_start: date
    term_end: date
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime


# --------------------------------------------------------------- audit (double entry, RLA)


class BallotEntryPass(SQLModel, table=True):
    """A ballot as entered by an independent second clerk (两人分别录入), by its bundle and
    position (``ballot``, as ``ballot_record.ballot``).

    ``reading``: canonical JSON of what the clerk read (office key → candidate ballot
    numbers for / against, write-in names; illegible offices). Never counted: the count
    uses ``ballot_record`` (pass 1) only. No voter is named; ``entered_at`` keeps the day
    only (midnight UTC), never the moment.
    """

    __tablename__ = "ballot_entry_pass"
    __table_args__ = (
        UniqueConstraint("election_id", "ballot", "pass_no", name="uq_ballot_entry_pass_ballot"),
    )

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    ballot: str = Field(max_length=20)
    pass_no: int
    reading: str = Field(sa_column=Column(Text, nullable=False))
    entered_at: datetime
    operator: str = Field(max_length=100)


class BallotEntryResolution(SQLModel, table=True):
    """A double-entry difference resolved by re-reading the paper ballot: what it showed
    (canonical reading), which pass it agreed with (1, 2 or 0 for neither), who and when."""

    __tablename__ = "ballot_entry_resolution"

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    ballot: str = Field(max_length=20)
    reading: str = Field(sa_column=Column(Text, nullable=False))
    accepted_pass: int
    resolved_at: datetime
    operator: str = Field(max_length=100)


class RlaAudit(SQLModel, table=True):
    """A risk-limiting audit (风险限制审计) of one counted election: the public seed, the risk
    limit (exact fraction as text, e.g. ``1/20``), the method the sample was sized for
    (``polling`` | ``comparison``), N ballots, and the plan per office (canonical JSON)."""

    __tablename__ = "rla_audit"
    __table_args__ = (UniqueConstraint("election_id", name="uq_rla_audit_election"),)

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id")
    seed: str = Field(max_length=200)
    risk_limit: str = Field(max_length=40)
    kind: str = Field(max_length=20)
    ballots: int
    sample_size: int
    plan: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    operator: str = Field(max_length=100)


class RlaDraw(SQLModel, table=True):
    """One draw of the audit's sample: position in draw order, the sampler's ticket, the
    ballot drawn (bundle and position, ``12-37``; a ballot drawn twice has two rows)."""

    __tablename__ = "rla_draw"
    __table_args__ = (UniqueConstraint("audit_id", "position", name="uq_rla_draw_position"),)

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="rla_audit.id", index=True)
    position: int
    ticket: int
    ballot: str = Field(max_length=20)


class RlaReading(SQLModel, table=True):
    """What a drawn paper ballot shows, as read by the audit team: canonical reading and the
    votes per office after judging the section (canonical JSON). Ballot and marks only."""

    __tablename__ = "rla_reading"
    __table_args__ = (UniqueConstraint("audit_id", "ballot", name="uq_rla_reading_ballot"),)

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="rla_audit.id", index=True)
    ballot: str = Field(max_length=20)
    reading: str = Field(sa_column=Column(Text, nullable=False))
    votes: str = Field(sa_column=Column(Text, nullable=False))
    recorded_at: datetime
    operator: str = Field(max_length=100)


class AssemblySitting(SQLModel, table=True):
    """A sitting of the residents' representatives' assembly (居民代表会议) on ``day``:
    ``serving`` representatives on the day (the quorum base, frozen), ``present``; when a
    matter was put, its text and the votes ``votes_for`` / ``votes_against`` / ``abstain``;
    what was decided (``quorate``, ``resolution``: adopted / rejected / not_decided) under
    the charter pinned as ``charter_id``, with ``rule`` and ``source``."""

    __tablename__ = "assembly_sitting"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    charter_id: int = Field(foreign_key="charter_pin.id")
    day: date
    serving: int
    present: int
    matter: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    votes_for: int | None = None
    votes_against: int | None = None
    abstain: int | None = None
    quorate: bool
    resolution: str | None = Field(default=None, max_length=20)
    rule: str = Field(max_length=100)
    source: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
