"""Plain read-models that the engine hands to printing (``ballots/``) and to the CLI.

They are frozen dataclasses of plain values: no session, no ORM object escapes the engine.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class VoterListRow:
    """One voter on the published voter list (选民榜): public paper, so no ID number, no birth
    date, no household code and no address (issue 11)."""

    name: str
    sex: str  # "M" or "F", from the ID number
    age: int  # whole years on the election day / as-of date
    registration: str  # "hukou" | "residence" | "work"


@dataclass(frozen=True)
class VoterListGroup:
    """One residents' group (居民小组) with its voters ordered by surname strokes."""

    group: str
    rows: tuple[VoterListRow, ...]


@dataclass(frozen=True)
class VoterListing:
    """The whole published voter list of one community as of one date."""

    community: str
    as_of: date  # eligibility (age) is counted on this day (the election day when known)
    printed_on: date
    groups: tuple[VoterListGroup, ...]

    @property
    def total(self) -> int:
        """Number of voters on the list."""
        return sum(len(g.rows) for g in self.groups)


# --------------------------------------------------------------------------- elections


@dataclass(frozen=True)
class CandidateLine:
    """One candidate as printed on a ballot or the formal candidate list (候选人名单)."""

    number: int  # the ballot number printed beside the name (1, 2, …, per office)
    name: str
    sex: str  # "M" | "F"
    age: int
    group: str  # residents' group
    tie_flag: bool = False  # equal ordering key: the committee drew lots (候选人名单 notes it)


@dataclass(frozen=True)
class OfficeOnBallot:
    """One office (section) of a ballot paper: title, seats (应选 N 名), candidates."""

    key: str  # "director" | "deputy" | "member" | recall: the member's key
    title: str  # 主任 / 副主任 / 委员
    seats: int
    candidates: tuple[CandidateLine, ...]
    write_ins: int  # number of 另选他人 columns (0 when the charter forbids write-ins)


@dataclass(frozen=True)
class BallotPaper:
    """Everything a printed ballot (选票) shows except its serial number."""

    community: str
    election_title: str  # e.g. 钱牌社区第十二届居民委员会换届选举
    election_day: date
    kind: str  # "general" | "by_election" | "supplementary" | "runoff" | "recall"
    offices: tuple[OfficeOnBallot, ...]
    instructions: tuple[str, ...]  # marking rules generated from the charter, one per line
    serial_prefix: str  # distinguishes rounds: "A" general, "B" first supplementary round …
    election_id: int = 0  # named in the scan code (QR) of every page (issue 16)


@dataclass(frozen=True)
class CandidateResult:
    """Votes of one person in one office, and what the count decided for them."""

    name: str
    votes: int
    on_ballot: bool  # False for a write-in (另选他人)
    elected: bool
    note: str  # e.g. "elected", "tie at the last seat: runoff", "below the threshold"


@dataclass(frozen=True)
class OfficeResult:
    """The count of one office: seats, sections valid/invalid, candidates by votes."""

    title: str
    seats: int
    valid_sections: int
    invalid_sections: int
    threshold_words: str  # e.g. "参加投票选民的过半数（≥ 1,501 票）"
    results: tuple[CandidateResult, ...]
    decision: str  # reason and sources of the outcome of this office, as read
    rules: tuple[str, ...] = ()  # the rule keys behind it (--json and the log, not paper)


@dataclass(frozen=True)
class ResultSheet:
    """The result sheet (计票结果报告单) of one election round."""

    community: str
    election_title: str
    election_day: date
    registered_voters: int
    ballots_printed: int
    ballots_issued: int
    ballots_returned: int
    ballots_valid: int
    ballots_invalid: int
    valid: bool  # False: the election is void
    validity_reason: str  # with its source
    offices: tuple[OfficeResult, ...]
    digest: str  # SHA-256 of the canonical result, printed as text and QR code
    women_note: str = ""  # committee.women: no woman elected where the charter requires one
    kind: str = "general"  # the election's kind; "recall": a recall vote (no one is elected)
    recalls: tuple["RecallResult", ...] = ()  # recall vote: one per member named (罢免对象)
    head: str = ""  # the event log's head (SEQ:HASH) when the sheet was made (issue 11)
    counting: str = ""  # how the ballots were counted (issue 14 §4), with the counting tables
    # the base the validity rule of the election's mode uses (election.modes.<mode>.quorum):
    # registered voters (direct), households (household) or the serving residents'
    # representatives (representative); every turnout figure on the sheet is taken of it
    electorate_kind: str = "registered_voters"
    electorate: int | None = None  # None: registered_voters
    ballots_blank: int = 0  # valid ballots with no mark at all (空白票), among ballots_valid


# --------------------------------------------------------------------------- recall


@dataclass(frozen=True)
class RecallThreshold:
    """One threshold a recall vote was judged by (charter ``[recall.passage]``).

    ``rule``: ``"recall.passage.turnout"`` (参加投票人数) or ``"recall.passage.approval"``
    (赞成罢免票数); ``count`` and ``base`` in voters / votes / ballots; ``minimum``: the
    least count that meets it (None when the base is 0); ``words``: the threshold in words
    in the current language, e.g. "more than half of ballots returned" / "参加投票选民的过半数".
    """

    rule: str
    count: int
    base: int
    minimum: int | None
    met: bool
    words: str


@dataclass(frozen=True)
class RecallResult:
    """The recall vote's result (罢免表决结果) for one member named, as the sheet prints it.

    Votes from valid ballots: ``votes_for`` (赞成罢免), ``votes_against`` (不赞成罢免),
    ``abstentions`` (弃权); ``turnout`` is None when the charter sets no turnout threshold;
    ``decision``: the reason in the current language with its rule and source.
    """

    name: str
    office: str  # 主任 / 副主任 / 委员
    votes_for: int
    votes_against: int
    abstentions: int
    valid_sections: int
    invalid_sections: int
    turnout: RecallThreshold | None
    approval: RecallThreshold
    passed: bool  # 罢免通过 / 罢免未通过
    rule: str  # the deciding rule: recall.passage.turnout | recall.passage.approval
    source: str
    decision: str


@dataclass(frozen=True)
class PetitionForm:
    """The recall petition form (罢免联名书) to be signed by hand."""

    community: str
    petition_id: int
    member: str
    office: str  # 主任 / 副主任 / 委员
    term_start: date
    term_end: date
    reasons: str
    filed_on: date
    rule: str  # the initiation rule in words (charter ``recall.initiation``)
    source: str
    registered_voters: int  # on the filing date
    needed: int | None  # signatures needed under the registered-voter alternative
    lines: int  # numbered signature lines to print


@dataclass(frozen=True)
class EntryTallyOffice:
    """One office in the running totals of ``count enter``: what the count would credit.

    ``votes``: (name as on paper, votes) from valid sections, most votes first;
    ``valid_sections`` / ``invalid_sections``: this office's sections judged so far.
    """

    title: str
    valid_sections: int
    invalid_sections: int
    votes: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class EntryTally:
    """The running totals of the ballots entered so far (唱票计票), from the engine's tally.

    ``recorded``: ballots entered; ``valid`` / ``blank`` / ``invalid``: ballots so judged.
    """

    recorded: int
    valid: int
    blank: int
    invalid: int
    offices: tuple[EntryTallyOffice, ...]


@dataclass(frozen=True)
class Check:
    """One check of a verification (``audit verify``, a printed sheet's PDF): its name,
    whether it passed, what was found, and what is wrong, named (event, serial, office and
    person …)."""

    name: str
    ok: bool
    found: str
    named: tuple[str, ...] = ()
