"""Charter (章程): every rule of a community's elections and recalls, as validated data.

A charter is a TOML file (a built-in profile in ``juwei/rules/profiles/`` or a community's
own file). It is loaded into a frozen, validated ``Charter``; anything unknown or impossible
is refused at load time with a ``CharterError`` naming the file, the line and the key, never
at count time. Each rule is a small table that carries its ``source``: a source code from
legal-sources.md (S1–S5, P1–P12, V1–V4, SEED) and the article, ``LOCAL`` for a community's own
decision, or ``JUWEI`` for a convention of this program where no source says anything.

An election pins the charter it ran under by its canonical JSON (``Charter.canonical_json``:
sorted keys, no whitespace, fractions as ``"1/5"``, dates ISO, UTF-8, Chinese unescaped) and
its SHA-256 (``Charter.digest``); ``Charter.from_canonical_json`` reads it back exactly.

Schema (tables; every leaf table has ``source``)::

    schema_version = 1
    [charter]            name, title, title_en, effective (date, optional), source
    [community]          residents_groups (optional table)
    [committee.size]     min, max, odd
    [committee.offices.<director|deputy|member>]  title, title_en, seats, min_seats, max_seats
    [committee.women]    required, separate_seat
    [committee.minorities] required_in_multiethnic_areas
    [term]               years, reelection
    [eligibility.age]    minimum, counted_on = "election_day", leap_day = "march_1"|"feb_28"
    [eligibility.deprived] excluded
    [eligibility.registrations.<hukou|residence|work>] accepted, min_months, consent_required
    [eligibility.double_registration] allowed
    [timetable.voter_list] days_before, objection_days, decision_days
    [timetable.candidate_list] days_before
    [timetable.late_steps] policy = "refuse"|"allow_with_reason"
    [nomination.joint]   min_voters, min_household_reps
    [nomination.methods] residents_group, self_nomination, recommendation, recruitment
    [slate.competition]  uncontested_allowed, extra_candidates = {office = {min, max}}
    [slate.ordering]     order = "strokes"|"primary_votes"
    [ballot.form]        combined, write_ins
    [ballot.overvote]    invalidates = "section"|"ballot"
    [ballot.illegible]   invalidates = "section"|"ballot"
    [ballot.contradictory] invalidates = "section"|"ballot"
    [ballot.same_person] policy = "ballot"|"sections"|"highest_office"
    [ballot.carry_over]  enabled (包含法)
    [election.modes.<direct|household|representative>] quorum = Threshold
    [election.rerun]     within_days;  [election.objections] answer_within_days
    [election.handover]  within_days;  [election.mobile_box] min_staff, scrutineers
    [count.elected]      threshold
    [count.supplementary] threshold, within_days, vacancies_allowed_from
    [count.tie]          resolution = "runoff"
    [count.reconciliation] void_if_returned_exceeds_issued
    [proxy]              allowed, max_per_holder, close_relatives_only, candidates_may_hold,
                         filed_days_before, list_published
    [election_committee] recusal, runs_handover (optional; 居民选举委员会, S3)
    [recall.initiation]  any_of = [Threshold, …], reasons_required
    [recall.vote]        within_days
    [recall.passage]     turnout = Threshold (optional), approval = Threshold
    [recall.bar]         years;  [recall.resignation] ends_recall;  [recall.defence] allowed
    [evaluation]         satisfaction_below, representatives_dissatisfied (optional table)
    [termination]        causes, unfit_ratings_in_a_row
    [by_election]        triggers, not_within_months_of_term_end, deadline_days,
                         term_ends_with_current
    [representatives]    per_group = {min, max}, term_years
    [representatives_election] votes_needed = Threshold, more_candidates = {min, max} (optional)
    [assembly]           attendance = Threshold, majority = Threshold (optional)

Every leaf table may also carry ``confidence`` (high … low) and ``provisional`` (the official
wording is not confirmed; see ``Rule``).

A Threshold is an inline table ``{ word = "at_least", fraction = "1/5", base = "households" }``
(see ``juwei.rules.thresholds``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from juwei.errors import CharterError
from juwei.i18n import _
from juwei.rules.eligibility import LeapDay, Registration
from juwei.rules.thresholds import Base, Threshold, Word, Words

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
CANONICAL_FILE = "<canonical JSON>"

# ---------------------------------------------------------------------------------------------
# Field types


_SOURCE_CODE = re.compile(r"^(?:S[1-5]|P(?:1[0-2]|[1-9])|V[1-4]|SEED|LOCAL|JUWEI)(?![0-9A-Za-z])")


def _check_source(value: str) -> str:
    parts = [part.strip() for part in value.split(";")]
    if not value.strip() or not all(_SOURCE_CODE.match(part) for part in parts):
        raise PydanticCustomError(
            "source_code",
            "{reason}",
            {
                "reason": _(
                    "each part of a source (separated by ;) must start with a source code: "
                    "S1-S5, P1-P12, V1-V4, SEED, LOCAL (the community's own decision) or "
                    "JUWEI (a convention of juwei)"
                )
            },
        )
    return value


def _check_rising(value: Threshold) -> Threshold:
    if value.word is Word.LESS_THAN:
        raise PydanticCustomError(
            "threshold_word",
            "{reason}",
            {"reason": _('this threshold must use "at_least" or "more_than"')},
        )
    return value


def _check_falling(value: Threshold) -> Threshold:
    if value.word is not Word.LESS_THAN:
        raise PydanticCustomError(
            "threshold_word",
            "{reason}",
            {"reason": _('this threshold must use "less_than"')},
        )
    return value


Source = Annotated[str, Strict(), AfterValidator(_check_source)]
Text = Annotated[str, Strict(), Field(min_length=1)]
Flag = Annotated[bool, Strict()]
NonNegative = Annotated[int, Strict(), Field(ge=0)]
Positive = Annotated[int, Strict(), Field(ge=1)]
Years = Annotated[int, Strict(), Field(ge=1, le=10)]
RisingThreshold = Annotated[Threshold, AfterValidator(_check_rising)]
"""A threshold that is met by large enough counts (``at_least`` / ``more_than``)."""
FallingThreshold = Annotated[Threshold, AfterValidator(_check_falling)]
"""A threshold that is met by small enough counts (``less_than``)."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Confidence(StrEnum):
    """How sure a rule's reading of its source is (law-2025.md's scale): ``high`` (a clean
    copy of the law, or two independent clean sources), ``medium`` (exact wording from a
    scrambled copy plus a clean paraphrase or a provincial mirror), ``low`` (a scrambled
    fragment only, or an analogy only), and the two steps between."""

    HIGH = "high"
    MEDIUM_HIGH = "medium-high"
    MEDIUM = "medium"
    MEDIUM_LOW = "medium-low"
    LOW = "low"


class Rule(_Model):
    """One rule of the charter with its legal ``source`` (e.g. ``"S1 art 8"``).

    ``confidence`` (optional): how sure the reading of the source is. ``provisional``: the
    official wording of the rule is not confirmed (临时规则): ``charter show`` and ``charter
    check`` list it, and every sheet or screen that applies it says so, so that the committee
    checks it against its province's 选举办法 before relying on it. Neither key appears in the
    canonical JSON while unset, so the digests of charters that do not use them are unchanged.
    """

    source: Source
    confidence: Confidence | None = None
    provisional: Flag = False

    def words(self) -> Words:
        """The rule's value in English and Chinese words (for ``juwei charter show``)."""
        raise NotImplementedError


def _yes_no(flag: bool, yes: Words, no: Words) -> Words:
    return yes if flag else no


def _join(parts: Iterable[Words], en_sep: str = "; ", zh_sep: str = "；") -> Words:
    items = list(parts)
    return Words(en_sep.join(w.en for w in items), zh_sep.join(w.zh for w in items))


def _days(n: int) -> Words:
    return Words(f"{n} day" + ("" if n == 1 else "s"), f"{n}日")


# ---------------------------------------------------------------------------------------------
# Enumerations


class OfficeKey(StrEnum):
    """An office of the committee, in rank order: 主任, 副主任, 委员; and the residents'
    representative (居民代表), the one office of a residents' group's own election (S1 art 8,
    SEED 钱牌 第六条). The representative is not a committee office: its seats come from
    ``[representatives].per_group`` and its threshold from ``[representatives_election]``."""

    DIRECTOR = "director"
    DEPUTY = "deputy"
    MEMBER = "member"
    REPRESENTATIVE = "representative"

    @property
    def is_committee(self) -> bool:
        """True for 主任, 副主任, 委员; False for the residents' representative."""
        return self is not OfficeKey.REPRESENTATIVE

    @property
    def rank(self) -> int:
        """0 for the director, 1 for a deputy, 2 for a member (carry-over order, 包含法)."""
        return _OFFICE_RANK[self]


_OFFICE_RANK = {key: rank for rank, key in enumerate(OfficeKey)}


def _committee_key(value: Any) -> Any:
    """A committee office key (主任, 副主任, 委员): the representative is not one."""
    if isinstance(value, str) and value in {k.value for k in OfficeKey if k.is_committee}:
        return value
    found = _("(found {value})").format(value=json.dumps(value, ensure_ascii=False, default=str))
    raise PydanticCustomError(
        "enum",
        "{reason}",
        {
            "reason": _("must be one of: {expected}").format(
                expected="'director', 'deputy' or 'member'"
            )
            + " "
            + found
        },
    )


CommitteeKey = Annotated[OfficeKey, BeforeValidator(_committee_key)]
"""An ``OfficeKey`` of the committee only (the keys of ``[committee.offices]`` and of
``[slate.competition].extra_candidates``)."""


class ElectionMode(StrEnum):
    """Who elects (S1 art 8): all voters 直接选举, one per household 户代表, or 2–3
    representatives per residents' group 居民小组代表."""

    DIRECT = "direct"
    HOUSEHOLD = "household"
    REPRESENTATIVE = "representative"


class LatePolicy(StrEnum):
    """What to do when a step comes later than the timetable allows."""

    REFUSE = "refuse"
    ALLOW_WITH_REASON = "allow_with_reason"


class Ordering(StrEnum):
    """Order of candidates on the ballot: surname strokes 姓氏笔画, or primary votes 预选得票."""

    STROKES = "strokes"
    PRIMARY_VOTES = "primary_votes"


class Invalidates(StrEnum):
    """How much of a ballot a defect voids: the ``section`` (one office) or the ``ballot``."""

    SECTION = "section"
    BALLOT = "ballot"


class SamePerson(StrEnum):
    """A ballot that marks the same person for two or more offices (V1)."""

    BALLOT = "ballot"
    """The whole ballot is invalid."""
    SECTIONS = "sections"
    """The sections that name the person are invalid."""
    HIGHEST_OFFICE = "highest_office"
    """Only the mark for the highest office counts."""


class TerminationCause(StrEnum):
    """Why a membership ends by itself (S4 art 18, 33; V2 art 26)."""

    LOSS_OF_CAPACITY = "loss_of_capacity"
    CRIMINAL_SENTENCE = "criminal_sentence"
    DEATH = "death"
    UNFIT_RATINGS = "unfit_ratings"


class ByElectionTrigger(StrEnum):
    """When a vacancy calls for a by-election (补选)."""

    ALWAYS = "always"
    BELOW_MIN_SIZE = "below_min_size"
    DIRECTOR_VACANT = "director_vacant"


_MODE_BASE = {
    ElectionMode.DIRECT: Base.REGISTERED_VOTERS,
    ElectionMode.HOUSEHOLD: Base.HOUSEHOLDS,
    ElectionMode.REPRESENTATIVE: Base.REPRESENTATIVES,
}

# ---------------------------------------------------------------------------------------------
# Rules


class CharterInfo(Rule):
    """``[charter]``: the charter's name (a profile name: lower case, digits, ``-``), Chinese
    ``title``, English ``title_en``, the ``effective`` date (None: not stated by the source)."""

    name: Annotated[str, Strict(), Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: Text
    title_en: Text
    effective: Annotated[date, Strict()] | None = None

    def words(self) -> Words:
        if self.effective is None:
            return Words(
                f"{self.title_en} (date of adoption not stated)", f"{self.title}（通过日期未载明）"
            )
        day = self.effective.isoformat()
        return Words(f"{self.title_en}, in force from {day}", f"{self.title}，自{day}起施行")


class Community(Rule):
    """``[community]``: facts the charter fixes about the community (居民小组 count)."""

    residents_groups: Positive | None = None

    def words(self) -> Words:
        if self.residents_groups is None:
            return Words("number of residents' groups not fixed", "居民小组数未规定")
        n = self.residents_groups
        return Words(f"{n} residents' groups", f"{n}个居民小组")


class SizeRule(Rule):
    """``[committee.size]``: members in total (S1 art 7: 5–9), ``odd``: an odd number (P7, P8)."""

    min: Positive
    max: Positive
    odd: Flag

    def words(self) -> Words:
        size = (
            Words(f"{self.min} members", f"{self.min}人")
            if self.min == self.max
            else Words(f"{self.min} to {self.max} members", f"{self.min}至{self.max}人")
        )
        if self.odd:
            return Words(size.en + ", an odd number", size.zh + "，人数为单数")
        return size


class Office(Rule):
    """``[committee.offices.<key>]``: an office (主任/副主任/委员) with its default ``seats``
    (应选名额) and the range an election may choose (``min_seats``..``max_seats``; both
    default to ``seats``)."""

    title: Text
    title_en: Text
    min_seats: NonNegative
    max_seats: Positive
    seats: Positive  # after min_seats and max_seats, so that its check can see them

    @model_validator(mode="before")
    @classmethod
    def _default_range(cls, data: Any) -> Any:
        if isinstance(data, dict) and "seats" in data:
            data = dict(data)
            data.setdefault("min_seats", data["seats"])
            data.setdefault("max_seats", data["seats"])
        return data

    @field_validator("seats")
    @classmethod
    def _in_range(cls, seats: int, info: ValidationInfo) -> int:
        low, high = info.data.get("min_seats"), info.data.get("max_seats")
        if low is not None and high is not None and not low <= seats <= high:
            raise PydanticCustomError(
                "seats_range",
                "{reason}",
                {
                    "reason": _(
                        "seats {seats} is outside min_seats {low} to max_seats {high}"
                    ).format(seats=seats, low=low, high=high)
                },
            )
        return seats

    def words(self) -> Words:
        en = f"{self.title_en} ({self.title}): {self.seats}"
        zh = f"{self.title}{self.seats}名"
        if (self.min_seats, self.max_seats) != (self.seats, self.seats):
            en += f" (may be {self.min_seats} to {self.max_seats})"
            zh += f"（可为{self.min_seats}至{self.max_seats}名）"
        return Words(en, zh)


class WomenRule(Rule):
    """``[committee.women]``: a woman member is ``required`` (P9, P10); ``separate_seat``: a
    separate women's seat on the ballot, kept in supplementary rounds until filled (V1 arts 21,
    29)."""

    required: Flag
    separate_seat: Flag = False

    def words(self) -> Words:
        base = _yes_no(
            self.required,
            Words("at least one woman member", "应当有妇女成员"),
            Words("no rule", "无规定"),
        )
        if self.separate_seat:
            return _join(
                [base, Words("a separate women's seat on the ballot", "选票上单设妇女成员职位")]
            )
        return base


class MinorityRule(Rule):
    """``[committee.minorities]``: in multi-ethnic areas a member of the smaller group(s)
    (S1 art 7)."""

    required_in_multiethnic_areas: Flag

    def words(self) -> Words:
        return _yes_no(
            self.required_in_multiethnic_areas,
            Words(
                "in multi-ethnic areas, a member of the smaller ethnic group(s)",
                "多民族居住地区应当有人数较少的民族的成员",
            ),
            Words("no rule", "无规定"),
        )


class Committee(_Model):
    """``[committee]``: size, offices, women and minority members (S1 art 7)."""

    size: SizeRule
    offices: dict[CommitteeKey, Office] = Field(min_length=1)
    women: WomenRule
    minorities: MinorityRule | None = None

    @field_validator("offices")
    @classmethod
    def _rank_order(cls, value: dict[OfficeKey, Office]) -> dict[OfficeKey, Office]:
        return dict(sorted(value.items(), key=lambda item: item[0].rank))

    @property
    def default_size(self) -> int:
        """The sum of the offices' default seats."""
        return sum(office.seats for office in self.offices.values())


class TermRule(Rule):
    """``[term]``: term of office in ``years`` (S1 art 8; 5 since S2), ``reelection`` allowed."""

    years: Years
    reelection: Flag

    def words(self) -> Words:
        y = self.years
        return _join(
            [
                Words(f"{y} years", f"每届任期{y}年"),
                _yes_no(
                    self.reelection,
                    Words("may be re-elected", "可以连选连任"),
                    Words("may not be re-elected", "不得连任"),
                ),
            ]
        )


class AgeRule(Rule):
    """``[eligibility.age]``: ``minimum`` age (18, S1 art 8), counted on the election day
    (P7, P9); ``leap_day``: the birthday of 29 February births in other years (JUWEI)."""

    minimum: Positive
    counted_on: Literal["election_day"] = "election_day"
    leap_day: LeapDay = LeapDay.MARCH_1

    def words(self) -> Words:
        leap = (
            Words("1 March", "3月1日")
            if self.leap_day is LeapDay.MARCH_1
            else Words("28 February", "2月28日")
        )
        return Words(
            f"aged {self.minimum} or more on the election day; "
            f"a 29 February birthday counts as {leap.en} in other years",
            f"选举日年满{self.minimum}周岁；2月29日出生者在平年以{leap.zh}为生日",
        )


class DeprivedRule(Rule):
    """``[eligibility.deprived]``: people deprived of political rights are ``excluded``
    (S1 art 8)."""

    excluded: Flag

    def words(self) -> Words:
        return _yes_no(
            self.excluded,
            Words("not deprived of political rights", "未被剥夺政治权利"),
            Words("no rule", "无规定"),
        )


class RegistrationRule(Rule):
    """``[eligibility.registrations.<kind>]``: whether the kind is ``accepted``, the
    ``min_months`` lived here first (居住 ≥6 months, P9; ≥1 year, P8), and whether the
    person's application and the election committee's consent are needed."""

    accepted: Flag
    min_months: NonNegative = 0
    consent_required: Flag = False

    def words(self) -> Words:
        if not self.accepted:
            return Words("not accepted", "不予登记")
        parts = [Words("accepted", "予以登记")]
        if self.min_months:
            m = self.min_months
            parts.append(Words(f"after {m} months or more here", f"在本社区{m}个月以上"))
        if self.consent_required:
            parts.append(
                Words("on application, with the election committee's consent", "本人申请并经同意")
            )
        return _join(parts, ", ", "，")


class Registrations(_Model):
    """``[eligibility.registrations]``: one rule per registration kind (户籍/居住/工作)."""

    hukou: RegistrationRule
    residence: RegistrationRule
    work: RegistrationRule

    def rule(self, kind: Registration) -> RegistrationRule:
        """The rule for ``kind``."""
        rule: RegistrationRule = getattr(self, Registration(kind).value)
        return rule


class DoubleRegistrationRule(Rule):
    """``[eligibility.double_registration]``: registering in two places (P8, P9: not allowed)."""

    allowed: Flag

    def words(self) -> Words:
        return _yes_no(
            self.allowed,
            Words("allowed", "允许"),
            Words("a voter is registered in one place only", "不得重复登记"),
        )


class EligibilityRules(_Model):
    """``[eligibility]``: who may vote and stand (see ``juwei.rules.eligibility``)."""

    age: AgeRule
    deprived: DeprivedRule
    registrations: Registrations
    double_registration: DoubleRegistrationRule


class VoterListRule(Rule):
    """``[timetable.voter_list]``: voter list published ``days_before`` the election day or
    earlier (P7: 20); objections within ``objection_days``, decided within ``decision_days``
    (S4 art 14: 5 and 3)."""

    days_before: Positive
    objection_days: Positive
    decision_days: Positive

    def words(self) -> Words:
        d, o, r = self.days_before, self.objection_days, self.decision_days
        return Words(
            f"published at least {d} days before the election day; objections within {o} days, "
            f"decided within {r} days",
            f"选举日{d}日以前公布；{o}日内提出申诉，{r}日内作出处理决定",
        )


class CandidateListRule(Rule):
    """``[timetable.candidate_list]``: formal candidates published ``days_before`` (P6: 5)."""

    days_before: Positive

    def words(self) -> Words:
        d = self.days_before
        return Words(
            f"formal candidates published at least {d} days before the election day",
            f"正式候选人名单于选举日{d}日以前公布",
        )


class LateStepRule(Rule):
    """``[timetable.late_steps]``: a step later than the timetable: ``refuse`` it, or
    ``allow_with_reason`` (recorded in the audit log)."""

    policy: LatePolicy

    def words(self) -> Words:
        if self.policy is LatePolicy.REFUSE:
            return Words("refused", "不予办理")
        return Words("allowed with a recorded reason", "说明理由并记录后办理")


class Timetable(_Model):
    """``[timetable]``: the deadlines before the election day."""

    voter_list: VoterListRule
    candidate_list: CandidateListRule
    late_steps: LateStepRule


class JointNominationRule(Rule):
    """``[nomination.joint]``: joint nomination by ``min_voters`` voters or
    ``min_household_reps`` household representatives (P1, P2, P6: 10 and 5)."""

    min_voters: Positive
    min_household_reps: Positive | None = None

    def words(self) -> Words:
        v = self.min_voters
        en, zh = f"{v} or more voters jointly", f"选民{v}人以上联名"
        if self.min_household_reps is not None:
            h = self.min_household_reps
            en += f", or {h} or more household representatives"
            zh += f"，或户代表{h}人以上联名"
        return Words(en, zh)


class NominationMethods(Rule):
    """``[nomination.methods]``: other ways to nominate: by a residents' group (P1, P2, P6),
    self-nomination (自荐), recommendation (推荐), recruitment (招聘) (SEED 南厂宅 第十条)."""

    residents_group: Flag
    self_nomination: Flag
    recommendation: Flag
    recruitment: Flag

    def words(self) -> Words:
        names = [
            (self.residents_group, Words("by a residents' group", "居民小组提名")),
            (self.self_nomination, Words("self-nomination", "自荐")),
            (self.recommendation, Words("recommendation", "推荐")),
            (self.recruitment, Words("recruitment", "招聘")),
        ]
        chosen = [w for flag, w in names if flag]
        if not chosen:
            return Words("none", "无")
        return _join(chosen, ", ", "、")


class Nomination(_Model):
    """``[nomination]``: who may nominate candidates (提名)."""

    joint: JointNominationRule
    methods: NominationMethods


class CountRange(_Model):
    """``{ min = a, max = b }`` with ``0 <= a <= b``."""

    min: NonNegative
    max: NonNegative

    @field_validator("max")
    @classmethod
    def _ordered(cls, high: int, info: ValidationInfo) -> int:
        low = info.data.get("min")
        if low is not None and low > high:
            raise PydanticCustomError(
                "range_order",
                "{reason}",
                {"reason": _("max {high} is less than min {low}").format(low=low, high=high)},
            )
        return high


class CompetitionRule(Rule):
    """``[slate.competition]``: candidates beyond the seats per office when competitive (差额:
    主任/副主任 +1, 委员 +1..+3, P12; 1–2 more, P1); ``uncontested_allowed``: 等额 allowed
    where nominees equal seats (P1, P2, P5; SEED 钱牌 第四条)."""

    uncontested_allowed: Flag
    extra_candidates: dict[CommitteeKey, CountRange] = Field(min_length=1)

    @field_validator("extra_candidates")
    @classmethod
    def _rank_order(cls, value: dict[OfficeKey, CountRange]) -> dict[OfficeKey, CountRange]:
        return dict(sorted(value.items(), key=lambda item: item[0].rank))

    def words(self) -> Words:
        parts = []
        for key, extra in self.extra_candidates.items():
            amount = f"+{extra.min}" if extra.min == extra.max else f"+{extra.min} to +{extra.max}"
            amount_zh = (
                f"多{extra.min}人" if extra.min == extra.max else f"多{extra.min}至{extra.max}人"
            )
            parts.append(Words(f"{key.value} {amount}", f"{_OFFICE_ZH[key]}{amount_zh}"))
        competitive = _join(parts, ", ", "，")
        return _join(
            [
                Words(f"competitive: {competitive.en}", f"差额：{competitive.zh}"),
                _yes_no(
                    self.uncontested_allowed,
                    Words("uncontested allowed", "允许等额"),
                    Words("uncontested not allowed", "不得等额"),
                ),
            ]
        )


_OFFICE_ZH = {OfficeKey.DIRECTOR: "主任", OfficeKey.DEPUTY: "副主任", OfficeKey.MEMBER: "委员"}


class OrderingRule(Rule):
    """``[slate.ordering]``: candidates in order of surname strokes or of primary votes."""

    order: Ordering

    def words(self) -> Words:
        if self.order is Ordering.STROKES:
            return Words("by surname strokes", "按姓氏笔画排列")
        return Words("by primary votes", "按预选得票多少排列")


class Slate(_Model):
    """``[slate]``: the list of formal candidates (正式候选人)."""

    competition: CompetitionRule
    ordering: OrderingRule


class BallotFormRule(Rule):
    """``[ballot.form]``: offices on ``combined`` ballot or separate ballots (P6);
    ``write_ins`` (另选他人) allowed."""

    combined: Flag
    write_ins: Flag

    def words(self) -> Words:
        return _join(
            [
                _yes_no(
                    self.combined,
                    Words("all offices on one ballot", "主任、副主任、委员合并在一张选票"),
                    Words("one ballot per office", "主任、副主任、委员分别印制选票"),
                ),
                _yes_no(
                    self.write_ins,
                    Words("write-ins allowed", "可以另选他人"),
                    Words("no write-ins", "不得另选他人"),
                ),
            ]
        )


class InvalidationRule(Rule):
    """``[ballot.overvote]`` (more names than seats, V1–V3), ``[ballot.illegible]`` (V4) and
    ``[ballot.contradictory]`` (the same person marked both for and against in one section;
    JUWEI, by analogy with V4): which part a defect ``invalidates``."""

    invalidates: Invalidates

    def words(self) -> Words:
        if self.invalidates is Invalidates.SECTION:
            return Words("that section is invalid", "该职位部分无效")
        return Words("the whole ballot is invalid", "整张选票无效")


class SamePersonRule(Rule):
    """``[ballot.same_person]``: the same person marked for two or more offices (V1)."""

    policy: SamePerson

    def words(self) -> Words:
        if self.policy is SamePerson.BALLOT:
            return Words("the whole ballot is invalid", "整张选票无效")
        if self.policy is SamePerson.SECTIONS:
            return Words("those sections are invalid", "相关职位部分无效")
        return Words("only the highest office counts", "只计最高职位")


class CarryOverRule(Rule):
    """``[ballot.carry_over]``: 包含法 on one combined ballot: votes for 主任 also count for
    副主任 and 委员, votes for 副主任 also for 委员 (V4 art 27)."""

    enabled: Flag

    def words(self) -> Words:
        return _yes_no(
            self.enabled,
            Words(
                "higher-office votes also count for lower offices (carry-over)",
                "包含法：高职位得票计入低职位",
            ),
            Words("not used", "不采用包含法"),
        )


class Ballot(_Model):
    """``[ballot]``: the paper and what makes it (partly) invalid."""

    form: BallotFormRule
    overvote: InvalidationRule
    illegible: InvalidationRule
    contradictory: InvalidationRule
    same_person: SamePersonRule
    carry_over: CarryOverRule


class ModeRule(Rule):
    """``[election.modes.<mode>]``: an election mode the charter allows, with its validity
    ``quorum`` (direct: more than half of registered voters; household: more than half of
    households; representative: at least 2/3 of representatives; P5, S4 art 15)."""

    quorum: RisingThreshold

    def words(self) -> Words:
        q = self.quorum.describe()
        return Words(f"valid when {q.en} take part", f"{q.zh}参加投票，选举有效")


class RerunRule(Rule):
    """``[election.rerun]``: a void election is re-run ``within_days`` (P10 art 35: 30)."""

    within_days: Positive

    def words(self) -> Words:
        d = _days(self.within_days)
        return Words(f"a void election is re-run within {d.en}", f"选举无效的，{d.zh}内重新选举")


class ObjectionRule(Rule):
    """``[election.objections]``: objections answered ``answer_within_days`` (P10 art 33)."""

    answer_within_days: Positive

    def words(self) -> Words:
        d = _days(self.answer_within_days)
        return Words(f"answered within {d.en}", f"{d.zh}内答复")


class HandoverRule(Rule):
    """``[election.handover]``: handover to the new committee ``within_days`` (P10 art 36)."""

    within_days: Positive

    def words(self) -> Words:
        d = _days(self.within_days)
        return Words(f"within {d.en} of the election", f"选举后{d.zh}内完成移交")


class MobileBoxRule(Rule):
    """``[election.mobile_box]``: a mobile ballot box has ``min_staff`` staff; the count has
    ``scrutineers`` scrutineers (P7)."""

    min_staff: Positive
    scrutineers: Positive

    def words(self) -> Words:
        s, c = self.min_staff, self.scrutineers
        return Words(
            f"at least {s} staff per mobile box; {c} scrutineers at the count",
            f"流动票箱工作人员不少于{s}人；计票监票人{c}人",
        )


class Election(_Model):
    """``[election]``: modes with quorums, re-run, objections, handover, mobile boxes."""

    modes: dict[ElectionMode, ModeRule] = Field(min_length=1)
    rerun: RerunRule
    objections: ObjectionRule
    handover: HandoverRule
    mobile_box: MobileBoxRule


class ElectedRule(Rule):
    """``[count.elected]``: votes needed to be elected (P5, S4 art 15: more than half of the
    ballots returned)."""

    threshold: RisingThreshold

    def words(self) -> Words:
        t = self.threshold.describe()
        return Words(f"elected with votes of {t.en}", f"获得{t.zh}的选票始得当选")


class SupplementaryRule(Rule):
    """``[count.supplementary]``: the supplementary round (另行选举) for unfilled seats: most
    votes wins but needs ``threshold`` (≥1/3 of ballots returned, S4, V1, V3), held within
    ``within_days`` (V1: 30); seats may stay empty once ``vacancies_allowed_from`` members are
    elected (V1–V3: 3)."""

    threshold: RisingThreshold
    within_days: Positive
    vacancies_allowed_from: Positive

    def words(self) -> Words:
        t = self.threshold.describe()
        d = _days(self.within_days)
        n = self.vacancies_allowed_from
        return Words(
            f"within {d.en}; most votes wins, needing the votes of {t.en}; "
            f"seats may stay empty once {n} are elected",
            f"{d.zh}内另行选举；得票多者当选，但得票须达到{t.zh}；已当选{n}人以上的，缺额可以暂缺",
        )


class TieRule(Rule):
    """``[count.tie]``: a tie for the last seat goes to a runoff among the tied (V1 art 28,
    V2 art 20, V3 art 29). Never broken by list order or chance."""

    resolution: Literal["runoff"]

    def words(self) -> Words:
        return Words("runoff among the tied candidates", "对票数相等的候选人再次投票")


class ReconciliationRule(Rule):
    """``[count.reconciliation]``: more ballots returned than issued voids the vote (P10
    art 34; V1–V4)."""

    void_if_returned_exceeds_issued: Flag

    def words(self) -> Words:
        return _yes_no(
            self.void_if_returned_exceeds_issued,
            Words(
                "more ballots returned than issued: the vote is void",
                "收回选票多于发出选票的，选举无效",
            ),
            Words("no rule", "无规定"),
        )


class CountRules(_Model):
    """``[count]``: who is elected, supplementary round, ties, reconciliation."""

    elected: ElectedRule
    supplementary: SupplementaryRule
    tie: TieRule
    reconciliation: ReconciliationRule


class ProxyRule(Rule):
    """``[proxy]``: written proxies (委托投票), at most ``max_per_holder`` per holder (V1–V4:
    3), close relatives only (V1–V3), not candidates (V3), filed ``filed_days_before`` (V1,
    V2: 3–5 days)."""

    allowed: Flag
    max_per_holder: Positive
    close_relatives_only: Flag
    candidates_may_hold: Flag
    filed_days_before: NonNegative
    list_published: Flag = False
    """S3 (2025): 居民选举委员会应当公布委托人和受托人的名单 — the list of voters and their
    proxies is published before the vote."""

    def words(self) -> Words:
        if not self.allowed:
            return Words("not allowed", "不得委托投票")
        parts = [
            Words("written, to another voter of the community", "书面委托本社区其他选民")
            if not self.close_relatives_only
            else Words("written", "书面委托"),
            Words(
                f"at most {self.max_per_holder} per holder",
                f"每人受托不得超过{self.max_per_holder}人",
            ),
        ]
        if self.close_relatives_only:
            parts.append(Words("close relatives only", "限近亲属"))
        if self.list_published:
            parts.append(
                Words(
                    "the list of voters and their proxies is published",
                    "公布委托人和受托人名单",
                )
            )
        if not self.candidates_may_hold:
            parts.append(Words("candidates may not hold proxies", "候选人不得接受委托"))
        if self.filed_days_before:
            d = self.filed_days_before
            parts.append(Words(f"filed {d} days before", f"选举日{d}日前办理"))
        return _join(parts)


class InitiationRule(Rule):
    """``[recall.initiation]``: a recall request needs ANY ONE of ``any_of`` (≥1/5 voters,
    ≥1/5 households, ≥1/3 residents' groups, ≥1/3 representatives; S4 art 16, P6 art 9,
    SEED 钱牌 第四条), jointly, with reasons when ``reasons_required``."""

    any_of: list[RisingThreshold] = Field(min_length=1)
    reasons_required: Flag

    def words(self) -> Words:
        alternatives = _join((t.describe() for t in self.any_of), ", or ", "，或者")
        if self.reasons_required:
            return Words(
                f"{alternatives.en}, jointly, stating the reasons",
                f"{alternatives.zh}联名，并说明罢免理由",
            )
        return Words(f"{alternatives.en}, jointly", f"{alternatives.zh}联名")


class RecallVoteRule(Rule):
    """``[recall.vote]``: the recall vote is held ``within_days`` of the request (V1 art 35)."""

    within_days: Positive

    def words(self) -> Words:
        d = _days(self.within_days)
        return Words(f"within {d.en} of the request", f"提出罢免要求后{d.zh}内表决")


class PassageRule(Rule):
    """``[recall.passage]``: a recall passes when ``turnout`` (if any) is met by the ballots
    returned AND ``approval`` is met by the votes for recall (S4 art 16: more than half of
    registered voters vote and more than half of those voting approve; SEED 钱牌: passed by
    more than half)."""

    turnout: RisingThreshold | None = None
    approval: RisingThreshold

    def words(self) -> Words:
        a = self.approval.describe()
        approval = Words(f"approved by {a.en}", f"经{a.zh}通过")
        if self.turnout is None:
            return approval
        t = self.turnout.describe()
        return Words(f"{t.en} vote, and {approval.en}", f"{t.zh}投票，并{approval.zh}")


class BarRule(Rule):
    """``[recall.bar]``: a failed recall bars the same grounds for ``years`` (V1: 1)."""

    years: Years

    def words(self) -> Words:
        y = self.years
        return Words(
            f"the same grounds may not be raised again for {y} year" + ("" if y == 1 else "s"),
            f"{y}年内不得以同一理由再次提出罢免",
        )


class ResignationRule(Rule):
    """``[recall.resignation]``: resigning before the vote ends the recall (V1)."""

    ends_recall: Flag

    def words(self) -> Words:
        return _yes_no(
            self.ends_recall,
            Words("resigning before the vote ends the recall", "表决前辞职的，罢免程序终止"),
            Words("the recall goes on", "罢免程序继续"),
        )


class DefenceRule(Rule):
    """``[recall.defence]``: the member may present a defence (申辩; S4 art 16, SEED 钱牌)."""

    allowed: Flag

    def words(self) -> Words:
        return _yes_no(
            self.allowed,
            Words("the member may present a defence", "被提出罢免的成员有权提出申辩意见"),
            Words("no defence", "无申辩"),
        )


class ElectionCommitteeRule(Rule):
    """``[election_committee]``: the residents' election committee (居民选举委员会, S3 2025)
    runs the election. ``recusal``: a member who is nominated as a candidate, or whose close
    relative (近亲属) is, leaves the election committee (退出), and the leaving is recorded.
    ``runs_handover``: it runs the handover (工作移交) to the new committee."""

    recusal: Flag
    runs_handover: Flag

    def words(self) -> Words:
        parts = [
            Words("the residents' election committee runs the election", "居民选举委员会主持选举")
        ]
        if self.recusal:
            parts.append(
                Words(
                    "a member nominated as a candidate, or whose close relative is, leaves it "
                    "(recorded)",
                    "成员或者其近亲属被提名为候选人的，应当退出居民选举委员会（记录在案）",
                )
            )
        if self.runs_handover:
            parts.append(Words("it runs the handover", "工作移交由居民选举委员会主持"))
        return _join(parts)


class Recall(_Model):
    """``[recall]``: recall (罢免) of a committee member."""

    initiation: InitiationRule
    vote: RecallVoteRule
    passage: PassageRule
    bar: BarRule
    resignation: ResignationRule
    defence: DefenceRule


class EvaluationRule(Rule):
    """``[evaluation]``: 考评 (SEED 钱牌 第二十一条): satisfaction below 60%
    (``satisfaction_below``, a ``less_than`` threshold), or at least 2/3 of representatives
    dissatisfied (``representatives_dissatisfied``) → recall or replacement by the legal
    procedure."""

    satisfaction_below: FallingThreshold
    representatives_dissatisfied: RisingThreshold | None = None

    def words(self) -> Words:
        s = self.satisfaction_below.describe()
        en, zh = f"satisfied residents are {s.en}", f"满意的居民{s.zh}"
        if self.representatives_dissatisfied is not None:
            r = self.representatives_dissatisfied.describe()
            en += f", or {r.en} are dissatisfied"
            zh += f"，或者{r.zh}不满意"
        return Words(
            f"{en}: recall or replacement by the legal procedure",
            f"{zh}的，按照法定程序罢免或者撤换",
        )


_CAUSE_WORDS = {
    TerminationCause.LOSS_OF_CAPACITY: Words("loss of capacity", "丧失行为能力"),
    TerminationCause.CRIMINAL_SENTENCE: Words("criminal sentence", "被判处刑罚"),
    TerminationCause.DEATH: Words("death", "死亡"),
    TerminationCause.UNFIT_RATINGS: Words("successive unfit ratings", "连续考核不称职"),
}


class TerminationRule(Rule):
    """``[termination]``: causes that end a membership by themselves (S4 art 18; V2 art 26;
    S4 art 33: two successive "unfit" ratings, ``unfit_ratings_in_a_row``)."""

    causes: list[TerminationCause]
    unfit_ratings_in_a_row: Positive | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        has_cause = TerminationCause.UNFIT_RATINGS in self.causes
        if has_cause != (self.unfit_ratings_in_a_row is not None):
            raise PydanticCustomError(
                "unfit_ratings",
                "{reason}",
                {
                    "reason": _(
                        'unfit_ratings_in_a_row is needed exactly when causes lists "unfit_ratings"'
                    )
                },
            )
        return self

    def words(self) -> Words:
        if not self.causes:
            return Words("none", "无")
        parts = []
        for cause in self.causes:
            w = _CAUSE_WORDS[cause]
            if cause is TerminationCause.UNFIT_RATINGS and self.unfit_ratings_in_a_row:
                n = self.unfit_ratings_in_a_row
                w = Words(f"{n} successive unfit ratings", f"连续{n}次考核不称职")
            parts.append(w)
        return _join(parts, ", ", "、")


_TRIGGER_WORDS = {
    ByElectionTrigger.ALWAYS: Words("a seat falls vacant", "出现缺额"),
    ByElectionTrigger.BELOW_MIN_SIZE: Words(
        "fewer members remain than the minimum size", "成员少于最低人数"
    ),
    ByElectionTrigger.DIRECTOR_VACANT: Words("the director's seat falls vacant", "主任职位空缺"),
}


class ByElectionRule(Rule):
    """``[by_election]``: when a vacancy calls for a by-election (补选; any of ``triggers``),
    not when fewer than ``not_within_months_of_term_end`` months of the term remain (None: no
    such exemption), held within ``deadline_days`` (None: "promptly", P2), by the normal
    procedure (P4, P6); the new member's term ends with the current term (S4 art 19)."""

    triggers: list[ByElectionTrigger] = Field(min_length=1)
    not_within_months_of_term_end: Positive | None = None
    deadline_days: Positive | None = None
    term_ends_with_current: Flag

    def words(self) -> Words:
        when = _join((_TRIGGER_WORDS[t] for t in self.triggers), " or ", "或")
        parts = [Words(f"when {when.en}", f"{when.zh}时补选")]
        if self.not_within_months_of_term_end is not None:
            m = self.not_within_months_of_term_end
            parts.append(
                Words(
                    f"not when less than {m} months of the term remain", f"任期不足{m}个月的不补选"
                )
            )
        if self.deadline_days is None:
            parts.append(Words("promptly", "及时补选"))
        else:
            d = _days(self.deadline_days)
            parts.append(Words(f"within {d.en}", f"{d.zh}内补选"))
        if self.term_ends_with_current:
            parts.append(Words("the term ends with the current term", "补选成员任期至本届任期届满"))
        return _join(parts)


class RepresentativesRule(Rule):
    """``[representatives]``: residents' representatives (居民代表): ``per_group`` elected by
    each residents' group (S1 art 8: 2–3), ``term_years`` (None: same as the committee; SEED
    钱牌 第十条: 3)."""

    per_group: CountRange
    term_years: Years | None = None

    def words(self) -> Words:
        lo, hi = self.per_group.min, self.per_group.max
        per = (
            Words(f"{lo} per residents' group", f"每个居民小组{lo}人")
            if lo == hi
            else Words(f"{lo} to {hi} per residents' group", f"每个居民小组{lo}至{hi}人")
        )
        if self.term_years is None:
            term = Words("term as the committee's", "任期与居民委员会相同")
        else:
            y = self.term_years
            term = Words(f"{y}-year term", f"每届任期{y}年")
        return _join([per, term])


class RepresentativesElectionRule(Rule):
    """``[representatives_election]``: a residents' group's election of its representatives
    (居民代表) through the election pipeline, the group's voters as the roll: votes needed to
    be elected (``votes_needed``; no source speaks, so the profiles take the committee election's
    rule by analogy: more than half of the ballots returned, P5, S4 art 15) and the extra
    candidates of a competitive slate (``more_candidates``, by analogy with 委员, P12). The
    women rule of the committee does not apply to representatives."""

    votes_needed: RisingThreshold
    more_candidates: CountRange

    def words(self) -> Words:
        t = self.votes_needed.describe()
        lo, hi = self.more_candidates.min, self.more_candidates.max
        return Words(
            f"elected with votes of {t.en}; {lo} to {hi} more candidates than seats",
            f"获得{t.zh}的选票始得当选；候选人多于应选名额{lo}至{hi}人",
        )


class AssemblyRule(Rule):
    """``[assembly]``: a sitting of the residents' representatives' assembly (居民代表会议)
    may proceed when ``attendance`` of the serving representatives are present (base
    ``representatives``) and a matter is adopted with ``majority`` of those present (base
    ``present``). The urban law does not say; the profiles take the village law by analogy (S4
    art 26: 三分之二以上的组成人员参加方可召开，所作决定应当经到会人员的过半数同意)."""

    attendance: RisingThreshold
    majority: RisingThreshold

    def words(self) -> Words:
        q, m = self.attendance.describe(), self.majority.describe()
        return Words(
            f"sits when {q.en} are present; adopts a matter with the votes of {m.en}",
            f"{q.zh}到会方可召开；所作决定经{m.zh}同意",
        )


class Charter(_Model):
    """A whole charter (章程): every rule the engine uses, each with its source.

    Build one with ``load_charter`` (profile or TOML file) or ``Charter.from_canonical_json``;
    construction validates everything (``pydantic.ValidationError`` when built directly).
    """

    schema_version: Literal[1] = 1
    charter: CharterInfo
    community: Community | None = None
    committee: Committee
    term: TermRule
    eligibility: EligibilityRules
    timetable: Timetable
    nomination: Nomination
    slate: Slate
    ballot: Ballot
    election: Election
    count: CountRules
    proxy: ProxyRule
    election_committee: ElectionCommitteeRule | None = None
    recall: Recall
    evaluation: EvaluationRule | None = None
    termination: TerminationRule
    by_election: ByElectionRule
    representatives: RepresentativesRule
    representatives_election: RepresentativesElectionRule | None = None
    assembly: AssemblyRule | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        problems = list(_coherence_problems(self))
        if problems:
            path, reason = problems[0]
            raise PydanticCustomError("charter_rule", "{reason}", {"reason": reason, "path": path})
        return self

    @property
    def name(self) -> str:
        """The charter's name (``[charter].name``)."""
        return self.charter.name

    def canonical_json(self) -> str:
        """Canonical JSON: sorted keys, no whitespace, fractions ``"p/q"``, ISO dates, Chinese
        unescaped. The digest is taken of its UTF-8 bytes.

        Keys added after the first pinned charters (``confidence``, ``provisional``,
        ``[proxy].list_published``, ``[election_committee]``) are left out while unset, so a
        charter that does not use them keeps the digest it was pinned with."""
        return json.dumps(
            _without_unset(self.model_dump(mode="json")),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def digest(self) -> str:
        """SHA-256 (64 lowercase hex digits) of the canonical JSON in UTF-8."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    @classmethod
    def from_canonical_json(cls, text: str) -> Charter:
        """Read back ``canonical_json()`` exactly (the charter an election pinned).

        Raises ``CharterError`` (file ``<canonical JSON>``, no line) when the text is not a
        valid charter.
        """
        try:
            return cls.model_validate_json(text)
        except ValidationError as error:
            raise _charter_error(error, file=CANONICAL_FILE, text=None) from error

    def rules(self) -> list[RuleRow]:
        """Every rule flattened, in schema order: key path (``"recall.initiation"``), value in
        English words, value in Chinese words, source, confidence and whether provisional."""
        rows: list[RuleRow] = []
        _flatten("", self, rows)
        return rows

    def provisional_rules(self) -> list[RuleRow]:
        """The rules whose official wording is not confirmed (``provisional = true``), in schema
        order: what the committee must check against its province's 选举办法."""
        return [row for row in self.rules() if row.provisional]

    def provisional_in(self, keys: Iterable[str]) -> list[RuleRow]:
        """The provisional rules among the key paths ``keys`` (a key names its rule or any
        table above it: ``"ballot"`` covers ``ballot.overvote``), in schema order: what a
        sheet or screen that applies them must say."""
        wanted = tuple(keys)
        return [
            row
            for row in self.rules()
            if row.provisional and any(row.key == k or row.key.startswith(k + ".") for k in wanted)
        ]

    def is_provisional(self, key: str) -> bool:
        """Whether the rule at key path ``key`` (``"recall.passage"``) is provisional; False
        for a key the charter does not have."""
        return any(row.key == key and row.provisional for row in self.rules())

    def office(self, key: OfficeKey | str) -> Office:
        """The office ``key`` (``KeyError`` if the charter has no such office).

        The representative office (居民代表) is made from ``[representatives]``: seats
        ``per_group.max`` (may be ``per_group.min`` to ``per_group.max``), that rule's source.
        """
        office_key = OfficeKey(key)
        if office_key is OfficeKey.REPRESENTATIVE:
            per_group = self.representatives.per_group
            return Office(
                title="居民代表",
                title_en="residents' representative",
                min_seats=max(per_group.min, 1),
                max_seats=max(per_group.max, 1),
                seats=max(per_group.max, 1),
                source=self.representatives.source,
            )
        return self.committee.offices[office_key]

    def elected_threshold(self, key: OfficeKey | str) -> tuple[Threshold, str, str]:
        """The votes needed to be elected to office ``key`` in the election itself:
        ``(threshold, charter key, source)``. Committee offices: ``[count.elected]``; the
        representative: ``[representatives_election].votes_needed``, and where the charter has no
        such table the committee's ``[count.elected]`` (juwei's reading by analogy).

        ``[representatives_election].votes_needed`` is the representative's rule."""
        if OfficeKey(key) is OfficeKey.REPRESENTATIVE and self.representatives_election:
            rule = self.representatives_election
            return rule.votes_needed, "representatives_election.votes_needed", rule.source
        return self.count.elected.threshold, "count.elected", self.count.elected.source

    def extra_candidates(self, key: OfficeKey | str) -> CountRange:
        """How many more candidates than seats a competitive slate (差额) of office ``key``
        has: ``[slate.competition].extra_candidates`` for committee offices; for the
        representative ``[representatives_election].more_candidates``, else the 委员's
        range (by analogy). ``KeyError`` for an office with neither."""
        office_key = OfficeKey(key)
        if office_key is OfficeKey.REPRESENTATIVE:
            if self.representatives_election is not None:
                return self.representatives_election.more_candidates
            office_key = OfficeKey.MEMBER
        return self.slate.competition.extra_candidates[office_key]


@dataclass(frozen=True)
class RuleRow:
    """One rule of a charter for display: ``key`` path, ``value_en``, ``value_zh``, ``source``."""

    key: str
    value_en: str
    value_zh: str
    source: str
    confidence: str | None = None
    provisional: bool = False


_UNSET_WHEN = {"confidence": None, "provisional": False, "list_published": False}


def _without_unset(value: Any, top: bool = True) -> Any:
    """``value`` (a JSON dump) without the later-added keys while they hold their default."""
    if isinstance(value, dict):
        out = {
            k: _without_unset(v, False)
            for k, v in value.items()
            if not (k in _UNSET_WHEN and v == _UNSET_WHEN[k])
        }
        if top and out.get("election_committee", 0) is None:
            del out["election_committee"]
        return out
    if isinstance(value, list):
        return [_without_unset(v, False) for v in value]
    return value


def _flatten(prefix: str, value: object, rows: list[RuleRow]) -> None:
    if value is None:
        return
    if isinstance(value, Rule):
        words = value.words()
        confidence = value.confidence.value if value.confidence else None
        rows.append(
            RuleRow(prefix, words.en, words.zh, value.source, confidence, value.provisional)
        )
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _flatten(f"{prefix}.{name}" if prefix else name, getattr(value, name), rows)
    elif isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}", item, rows)


def _coherence_problems(c: Charter) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """Cross-rule checks: (absolute key path, translated reason) for each problem."""
    size = c.committee.size
    if size.min > size.max:
        yield (
            ("committee", "size", "max"),
            _("the maximum size {high} is below the minimum size {low}").format(
                high=size.max, low=size.min
            ),
        )
        return
    offices = c.committee.offices
    if c.representatives.per_group.max < 1:
        yield (
            ("representatives", "per_group", "max"),
            _("a residents' group elects at least one representative"),
        )
    if c.assembly is not None:
        if c.assembly.attendance.base is not Base.REPRESENTATIVES:
            yield (
                ("assembly", "attendance", "base"),
                _("the attendance of the assembly must be taken of {base}").format(
                    base=Base.REPRESENTATIVES.value
                ),
            )
        if c.assembly.majority.base is not Base.PRESENT:
            yield (
                ("assembly", "majority", "base"),
                _("the majority of the assembly must be taken of {base}").format(
                    base=Base.PRESENT.value
                ),
            )
    if OfficeKey.DIRECTOR not in offices:
        yield (("committee", "offices"), _("the committee needs a director (主任) office"))
        return
    director = offices[OfficeKey.DIRECTOR]
    if (director.min_seats, director.seats, director.max_seats) != (1, 1, 1):
        yield (
            ("committee", "offices", "director", "seats"),
            _("the committee has exactly one director (主任)"),
        )
    for key, office in offices.items():
        for field in ("seats", "max_seats"):
            seats = getattr(office, field)
            if seats > size.max:
                yield (
                    ("committee", "offices", key.value, field),
                    _(
                        "{seats} seats for {office} is outside the committee size of "
                        "{low} to {high}"
                    ).format(seats=seats, office=office.title_en, low=size.min, high=size.max),
                )
    total = c.committee.default_size
    if not size.min <= total <= size.max:
        yield (
            ("committee", "offices"),
            _(
                "the default seats add up to {total}, outside the committee size of {low} to {high}"
            ).format(total=total, low=size.min, high=size.max),
        )
    elif size.odd and total % 2 == 0:
        yield (
            ("committee", "size", "odd"),
            _("the size must be odd, but the default seats add up to {total}").format(total=total),
        )
    if size.odd and size.min == size.max and size.min % 2 == 0:
        yield (
            ("committee", "size", "odd"),
            _("the size must be odd, but it is fixed at {size}").format(size=size.min),
        )
    if sum(o.min_seats for o in offices.values()) > size.max:
        yield (
            ("committee", "offices"),
            _("the minimum seats add up to more than the maximum size"),
        )
    if sum(o.max_seats for o in offices.values()) < size.min:
        yield (
            ("committee", "offices"),
            _("the maximum seats add up to less than the minimum size"),
        )
    if c.committee.women.separate_seat and not c.committee.women.required:
        yield (
            ("committee", "women", "separate_seat"),
            _("a separate women's seat needs required = true"),
        )
    for key in c.slate.competition.extra_candidates:
        if key not in offices:
            yield (
                ("slate", "competition", "extra_candidates", key.value),
                _("the committee has no {office} office").format(office=key.value),
            )
    for key in offices:
        if key not in c.slate.competition.extra_candidates:
            yield (
                ("slate", "competition", "extra_candidates"),
                _("extra candidates are not set for the {office} office").format(office=key.value),
            )
    for mode, rule in c.election.modes.items():
        if rule.quorum.base is not _MODE_BASE[mode]:
            yield (
                ("election", "modes", mode.value, "quorum", "base"),
                _("the quorum of the {mode} mode must be taken of {base}").format(
                    mode=mode.value, base=_MODE_BASE[mode].value
                ),
            )
    if c.count.supplementary.vacancies_allowed_from > size.max:
        yield (
            ("count", "supplementary", "vacancies_allowed_from"),
            _("{n} is more than the committee's maximum size {high}").format(
                n=c.count.supplementary.vacancies_allowed_from, high=size.max
            ),
        )
    if len(set(c.by_election.triggers)) != len(c.by_election.triggers):
        yield (("by_election", "triggers"), _("a trigger is listed twice"))
    if len(set(c.termination.causes)) != len(c.termination.causes):
        yield (("termination", "causes"), _("a cause is listed twice"))
    if (
        c.by_election.not_within_months_of_term_end is not None
        and c.by_election.not_within_months_of_term_end >= 12 * c.term.years
    ):
        yield (
            ("by_election", "not_within_months_of_term_end"),
            _("must be shorter than the term"),
        )


# ---------------------------------------------------------------------------------------------
# Loading


def list_profiles() -> list[str]:
    """Names of the built-in charter profiles (``juwei/rules/profiles/*.toml``), sorted."""
    return sorted(path.stem for path in PROFILES_DIR.glob("*.toml"))


def profile_path(name: str) -> Path:
    """The file of the built-in profile ``name`` (it may not exist)."""
    return PROFILES_DIR / f"{name}.toml"


def load_charter(name_or_path: str | Path) -> Charter:
    """Load a charter from a built-in profile name (see ``list_profiles``) or a TOML file.

    Raises ``CharterError`` naming the file, line and key: file missing or unreadable, not
    UTF-8, malformed TOML, unknown keys, wrong types, fractions outside (0, 1], seats outside
    the committee size, terms of 0 years, and the other checks of ``Charter``.
    """
    if isinstance(name_or_path, str) and name_or_path in list_profiles():
        path = profile_path(name_or_path)
        file = str(path)
    else:
        path = Path(name_or_path)
        file = str(name_or_path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CharterError(
            _("no such file or charter profile (profiles: {profiles})").format(
                profiles=", ".join(list_profiles())
            ),
            file=file,
            line=None,
            key=None,
        ) from None
    except OSError as error:
        raise CharterError(
            _("cannot read the file: {detail}").format(detail=error.strerror or error),
            file=file,
            line=None,
            key=None,
        ) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CharterError(
            _("the file is not UTF-8 text (byte {offset})").format(offset=error.start),
            file=file,
            line=raw[: error.start].count(b"\n") + 1,
            key=None,
        ) from error
    return parse_charter(text, file=file)


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")


def parse_charter(text: str, *, file: str = "<string>") -> Charter:
    """Parse and validate charter TOML ``text``; ``file`` names it in errors.

    Raises ``CharterError`` with the line of the offending key (see ``locate_key``).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line: int | None = None
        if match := _TOML_POSITION.search(message):
            line = int(match.group(1))
            message = message[: match.start()]
        elif match := _TOML_END.search(message):
            line = text.count("\n") + 1
            message = message[: match.start()]
        raise CharterError(
            _("malformed TOML: {detail}").format(detail=message), file=file, line=line, key=None
        ) from error
    try:
        return Charter.model_validate(data)
    except ValidationError as error:
        raise _charter_error(error, file=file, text=text) from error


# ---------------------------------------------------------------------------------------------
# Errors: from a pydantic error to file, line and key


Loc = Sequence[str | int]


def format_key(loc: Loc) -> str:
    """A dotted key from a pydantic location: ``("recall","initiation","any_of",0,"fraction")``
    → ``"recall.initiation.any_of[0].fraction"``. Pydantic's own markers (``"[key]"``,
    ``"function-after[…]"``) are left out."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in part or "(" in part:
            continue
        else:
            out += f".{part}" if out else part
    return out


def _shown(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str | date):
        return json.dumps(value, ensure_ascii=False, default=str)
    return None


def _reason(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if "reason" in ctx:
        return str(ctx["reason"])
    if kind == "extra_forbidden":
        return _("unknown key")
    if kind == "missing":
        return _("required key is missing")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        reason = _("must be a whole number")
    elif kind == "bool_type":
        reason = _("must be true or false")
    elif kind == "string_type":
        reason = _("must be a quoted string")
    elif kind.startswith("date"):
        reason = _("must be a date such as 2018-12-29")
    elif kind in ("enum", "literal_error"):
        reason = _("must be one of: {expected}").format(expected=ctx.get("expected", ""))
    elif kind == "greater_than_equal":
        reason = _("must be at least {limit}").format(limit=ctx.get("ge"))
    elif kind == "less_than_equal":
        reason = _("must be at most {limit}").format(limit=ctx.get("le"))
    elif kind == "too_short":
        reason = _("must not be empty")
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        reason = _("must be a table")
    elif kind == "list_type":
        reason = _("must be an array")
    elif kind == "string_pattern_mismatch":
        reason = _("must match the pattern {pattern}").format(pattern=ctx.get("pattern", ""))
    else:
        reason = str(error["msg"])
    shown = _shown(error.get("input"))
    if shown is not None:
        reason += " " + _("(found {value})").format(value=shown)
    return reason


def _charter_error(error: ValidationError, *, file: str, text: str | None) -> CharterError:
    """The one error to report: an unknown key before the missing key it probably misspells
    (with a "did you mean" hint), otherwise pydantic's first error."""
    errors = error.errors()
    first = min(errors, key=lambda e: e["type"] == "missing")
    ctx = first.get("ctx") or {}
    loc: Loc = ctx["path"] if "path" in ctx else first["loc"]
    reason = _reason(first)
    if first["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
        missing = [
            str(e["loc"][-1])
            for e in errors
            if e["type"] == "missing" and tuple(e["loc"][:-1]) == tuple(loc[:-1])
        ]
        if close := difflib.get_close_matches(loc[-1], missing, n=1):
            reason = _("unknown key (did you mean {key}?)").format(key=close[0])
    line = locate_key(text, loc) if text is not None else None
    return CharterError(reason, file=file, line=line, key=format_key(loc) or None)


def locate_key(text: str, loc: Loc) -> int | None:
    """The 1-based line in TOML ``text`` that defines the deepest known part of ``loc``.

    ``loc`` is a pydantic error location such as ``("recall", "initiation", "any_of", 0,
    "fraction")``; parts that do not occur in the file (a missing key, pydantic markers) are
    skipped, so a missing key points at its table's header. Handles ``[table]`` and
    ``[[array]]`` headers, dotted and quoted keys, inline tables and (multi-line) arrays.
    Returns ``None`` when nothing matches or the text cannot be scanned.
    """
    try:
        lines = index_toml(text)
    except (_ScanError, IndexError):
        return None
    path: tuple[str | int, ...] = ()
    found: int | None = None
    for part in loc:
        candidate = (*path, part)
        if candidate in lines:
            path = candidate
            found = lines[candidate]
    return found


class _ScanError(Exception):
    pass


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def index_toml(text: str) -> dict[tuple[str | int, ...], int]:
    """Map every key path defined in TOML ``text`` to the 1-based line defining it.

    Tables map to their header line (implicit parent tables to the first header under them),
    array-of-tables elements to their ``[[…]]`` line with an int index, array items to the
    line where each item starts. Expects text that ``tomllib`` accepts.
    """
    return _Scanner(text).run()


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[tuple[str | int, ...], int] = {}
        self.array_counts: dict[tuple[str | int, ...], int] = {}

    # -- low level
    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def advance(self, n: int = 1) -> None:
        for _i in range(n):
            if self.peek() == "\n":
                self.line += 1
            self.pos += 1

    def skip_blank(self, newlines: bool) -> None:
        while True:
            ch = self.peek()
            if ch in (" ", "\t", "\r") or (newlines and ch == "\n"):
                self.advance()
            elif ch == "#":
                while self.peek() not in ("\n", ""):
                    self.advance()
            else:
                return

    def record(self, path: tuple[str | int, ...], line: int) -> None:
        for end in range(1, len(path)):
            self.lines.setdefault(path[:end], line)
        self.lines[path] = line

    # -- grammar
    def run(self) -> dict[tuple[str | int, ...], int]:
        table: tuple[str | int, ...] = ()
        while True:
            self.skip_blank(newlines=True)
            ch = self.peek()
            if ch == "":
                return self.lines
            line = self.line
            if ch == "[" and self.peek(1) == "[":
                self.advance(2)
                key = self.key()
                self.expect("]")
                self.expect("]")
                index = self.array_counts.get(key, 0)
                self.array_counts[key] = index + 1
                table = (*key, index)
                self.record(table, line)
            elif ch == "[":
                self.advance()
                table = self.key()
                self.expect("]")
                self.record(table, line)
            else:
                key = self.key()
                self.expect("=")
                full = (*table, *key)
                self.record(full, line)
                self.value(full)

    def expect(self, ch: str) -> None:
        self.skip_blank(newlines=False)
        if self.peek() != ch:
            raise _ScanError(f"expected {ch!r} at line {self.line}")
        self.advance()

    def key(self) -> tuple[str, ...]:
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            ch = self.peek()
            if ch in ('"', "'"):
                parts.append(self.string())
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    raise _ScanError(f"expected a key at line {self.line}")
                parts.append(match.group(0))
                self.advance(len(match.group(0)))
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return tuple(parts)
            self.advance()

    def string(self) -> str:
        quote = self.peek()
        if self.text.startswith(quote * 3, self.pos):
            self.advance(3)
            end = self.text.find(quote * 3, self.pos)
            if end < 0:
                raise _ScanError("unterminated string")
            while self.peek(end - self.pos + 3) == quote:  # up to two quotes before the end
                end += 1
            body = self.text[self.pos : end]
            self.advance(end + 3 - self.pos)
            return body
        self.advance()
        chars: list[str] = []
        while True:
            ch = self.peek()
            if ch in ("", "\n"):
                raise _ScanError("unterminated string")
            if ch == quote:
                self.advance()
                return "".join(chars)
            if ch == "\\" and quote == '"':
                chars.append(self.peek(1))
                self.advance(2)
                continue
            chars.append(ch)
            self.advance()

    def value(self, path: tuple[str | int, ...]) -> None:
        self.skip_blank(newlines=False)
        ch = self.peek()
        if ch == "{":
            self.advance()
            while True:
                self.skip_blank(newlines=True)
                if self.peek() == "}":
                    self.advance()
                    return
                line = self.line
                key = self.key()
                self.expect("=")
                full = (*path, *key)
                self.record(full, line)
                self.value(full)
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.advance()
        elif ch == "[":
            self.advance()
            index = 0
            while True:
                self.skip_blank(newlines=True)
                if self.peek() == "]":
                    self.advance()
                    return
                self.record((*path, index), self.line)
                self.value((*path, index))
                index += 1
                self.skip_blank(newlines=True)
                if self.peek() == ",":
                    self.advance()
        elif ch in ('"', "'"):
            self.string()
        else:
            start = self.pos
            while self.peek() not in (",", "]", "}", "\n", "#", ""):
                self.advance()
            if self.pos == start:
                raise _ScanError(f"expected a value at line {self.line}")
