"""Recall (罢免) as pure law: petition sufficiency, the vote's deadline and result, the bar
period after a failed recall, and resignation. Exact integers only; no database, no I/O.

Sufficiency (``decide_sufficiency``, charter ``[recall.initiation]``): a petition is sufficient
when ANY ONE alternative of ``any_of`` is met (S4 art 16, P6 art 9, SEED 钱牌 第四条), e.g.
at least 1/5 of registered voters (以上: exactly one fifth is enough), at least 1/5 of
households, at least 1/3 of residents' groups, at least 1/3 of representatives. The caller
gives, for each base, the count that joined the petition and the size of the base; a base
with no count given (``None``) is reported as not recorded and is not met. Signatures are
counted as a set of distinct signers, so their order and any duplicates never change the
decision (``distinct_signers``).

The vote (``decide_recall_vote``, ``[recall.passage]``): the recall passes when the turnout
threshold (if the charter has one, e.g. urban-2018: more than half of registered voters take
part) is met by the ballots returned AND the approval threshold (过半数: strictly more than
half of the ballots returned; exactly half fails) is met by the votes for recall.

Deadline (``vote_deadline``, ``[recall.vote].within_days``): the vote is held within N days
of the filing (以内 includes the last day): the last allowed day is ``filed_on + N days``.

Bar (``bar_last_day`` / ``check_bar``, ``[recall.bar].years``): after a failed recall vote a
petition on the same grounds is refused for ``years`` years. Civil Code art 201 (S5): the day
of the vote is not counted and the period ends on the corresponding day of the last year, so
the last barred day is ``vote_day + years`` (Feb 29 → Feb 28). JUWEI reading of "the same
grounds" (同一理由), since reasons are free text: a new petition against the same member is
presumed to raise the same grounds; the committee may find that it raises new grounds and
say so explicitly (``new_grounds=True``, recorded), which lifts the bar.

Resignation (``resignation_ends_recall``, ``[recall.resignation].ends_recall``): a member who
resigns before the vote ends the recall (V1).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from juwei.i18n import _
from juwei.rules.charter import Charter
from juwei.rules.eligibility import add_months
from juwei.rules.thresholds import Base, Threshold

T = TypeVar("T")


def distinct_signers(signers: Iterable[T]) -> frozenset[T]:
    """The distinct signers of a petition: order and duplicates never matter."""
    return frozenset(signers)


@dataclass(frozen=True)
class Alternative:
    """One alternative of ``[recall.initiation].any_of`` applied to a petition.

    ``count``: how many of the base joined (signers, households …; None = not recorded);
    ``base``: the size of the base (registered voters, households …); ``minimum``: the
    smallest count that meets the threshold (None when the base is empty or not recorded);
    ``met``; ``rule``: ``"recall.initiation.any_of[i]"``; ``words``: the threshold in words.
    """

    rule: str
    base_kind: str
    count: int | None
    base: int | None
    minimum: int | None
    met: bool
    words: str


@dataclass(frozen=True)
class Sufficiency:
    """The sufficiency decision (罢免要求是否成立): sufficient when any alternative is met.

    ``rule`` names the first alternative met (or ``"recall.initiation"`` when none is);
    ``source`` is the charter's legal source.
    """

    sufficient: bool
    alternatives: tuple[Alternative, ...]
    rule: str
    source: str
    reason: str


def decide_sufficiency(
    charter: Charter,
    counts: Mapping[str, int | None],
    bases: Mapping[str, int | None],
) -> Sufficiency:
    """Apply ``[recall.initiation].any_of`` to a petition.

    ``counts`` / ``bases``: base name (``registered_voters``, ``households``,
    ``residents_groups``, ``representatives``) → the count that joined / the size of the base,
    both non-negative ints, or None (absent) when not recorded. Raises ``ValueError`` when a
    count exceeds its base (a broken roll, never silently met).
    """
    rule = charter.recall.initiation
    alternatives: list[Alternative] = []
    for i, threshold in enumerate(rule.any_of):
        kind = threshold.base.value
        count, size = counts.get(kind), bases.get(kind)
        key = f"recall.initiation.any_of[{i}]"
        words = threshold.describe().localized()
        if count is None or size is None:
            alternatives.append(Alternative(key, kind, count, size, None, False, words))
            continue
        met = threshold.met(count, size)
        minimum = threshold.minimum(size) if size > 0 else None
        alternatives.append(Alternative(key, kind, count, size, minimum, met, words))
    first = next((a for a in alternatives if a.met), None)
    if first is not None:
        reason = _("{count} of {base} {kind} joined; {words} is needed ({minimum}).").format(
            count=first.count,
            base=first.base,
            kind=Base(first.base_kind).words().localized(),
            words=first.words,
            minimum=first.minimum,
        )
        return Sufficiency(True, tuple(alternatives), first.rule, rule.source, reason)
    parts = []
    for a in alternatives:
        if a.count is None or a.base is None:
            continue
        parts.append(
            _("{count} of {base} {kind} (needs {minimum})").format(
                count=a.count,
                base=a.base,
                kind=Base(a.base_kind).words().localized(),
                minimum="—" if a.minimum is None else a.minimum,
            )
        )
    reason = _("No alternative is met: {parts}.").format(parts="; ".join(parts) or "—")
    return Sufficiency(False, tuple(alternatives), "recall.initiation", rule.source, reason)


def vote_deadline(charter: Charter, filed_on: date) -> date:
    """The last day the recall vote may be held: ``filed_on + [recall.vote].within_days``
    (以内 includes the last day; V1 art 35)."""
    return filed_on + timedelta(days=charter.recall.vote.within_days)


@dataclass(frozen=True)
class ThresholdCheck:
    """One threshold applied: count, base, minimum needed, met, the rule and its words."""

    rule: str
    count: int
    base: int
    minimum: int | None
    met: bool
    words: str


@dataclass(frozen=True)
class RecallVoteResult:
    """The recall vote's result (罢免表决结果) for one member.

    ``passed``; ``turnout`` (None when the charter has no turnout threshold); ``approval``
    (None when the vote failed on turnout before approval could be judged meaningfully — it
    is still computed when the turnout is met); ``rule``: the deciding rule key
    (``recall.passage.turnout`` or ``recall.passage.approval``); ``source``; ``reason``.
    """

    passed: bool
    votes_for: int
    votes_against: int
    abstentions: int
    turnout: ThresholdCheck | None
    approval: ThresholdCheck
    rule: str
    source: str
    reason: str


def _check(rule: str, threshold: Threshold, count: int, base: int) -> ThresholdCheck:
    met = threshold.met(count, base)
    minimum = threshold.minimum(base) if base > 0 else None
    return ThresholdCheck(rule, count, base, minimum, met, threshold.describe().localized())


MODE_BASES = {
    "direct": Base.REGISTERED_VOTERS,
    "household": Base.HOUSEHOLDS,
    "representative": Base.REPRESENTATIVES,
}
"""The electorate of each election mode (``election.modes``, S1 art 8): who takes part in a
recall vote held in that mode, and the base its turnout is taken of."""


def decide_recall_vote(
    charter: Charter,
    *,
    registered_voters: int,
    ballots_returned: int,
    valid_ballots: int,
    votes_for: int,
    votes_against: int,
    mode: str = "direct",
    households: int = 0,
    representatives: int = 0,
) -> RecallVoteResult:
    """Decide a recall vote under ``[recall.passage]`` (S4 art 16; SEED 钱牌 第四条).

    ``mode``: who votes — the mode the member was elected by (S1 art 8: all voters,
    ``household`` representatives or group ``representative``s), with that mode's base
    (S1 art 9: a residents' meeting is valid when more than half of ITS base attend):
    a turnout threshold of registered voters is taken of ``households`` in household mode
    and of the serving ``representatives`` in representative mode; a threshold the charter
    writes of households or representatives is taken of them in any mode.

    All arguments are non-negative ints: ``registered_voters`` (the electorate frozen when
    the poll opened), ``ballots_returned`` (参加投票: blank and invalid included),
    ``valid_ballots`` (ballots whose recall section is valid), ``votes_for`` (赞成罢免) and
    ``votes_against`` (不赞成罢免) from valid ballots; abstentions are the rest of the valid
    ballots. The approval threshold's base is ``ballots_returned`` (the seed charters),
    ``valid_ballots`` or ``votes_cast`` (for + against). Raises ``ValueError`` on inconsistent
    counts (more votes than valid ballots, more returned than registered …).
    """
    for name, value in (
        ("registered_voters", registered_voters),
        ("ballots_returned", ballots_returned),
        ("valid_ballots", valid_ballots),
        ("votes_for", votes_for),
        ("votes_against", votes_against),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int")
        if value < 0:
            raise ValueError(f"{name} cannot be negative: {value}")
    if votes_for + votes_against > valid_ballots:
        raise ValueError("more votes than valid ballots")
    if valid_ballots > ballots_returned:
        raise ValueError("more valid ballots than ballots returned")
    if mode not in MODE_BASES:
        raise ValueError(f"unknown election mode: {mode}")
    electorate = {
        Base.REGISTERED_VOTERS: registered_voters,
        Base.HOUSEHOLDS: households,
        Base.REPRESENTATIVES: representatives,
    }
    if ballots_returned > electorate[MODE_BASES[mode]]:
        raise ValueError(f"more ballots returned than {MODE_BASES[mode].value}")
    passage = charter.recall.passage
    abstentions = valid_ballots - votes_for - votes_against
    turnout = None
    turnout_of = MODE_BASES[mode]
    if passage.turnout is not None:
        if passage.turnout.base is not Base.REGISTERED_VOTERS:
            turnout_of = passage.turnout.base
        base = electorate.get(turnout_of)
        if base is None:
            raise ValueError(f"a recall turnout cannot be taken of {passage.turnout.base.value}")
        turnout = _check("recall.passage.turnout", passage.turnout, ballots_returned, base)
    approval_base = {
        Base.BALLOTS_RETURNED: ballots_returned,
        Base.VALID_BALLOTS: valid_ballots,
        Base.VOTES_CAST: votes_for + votes_against,
        Base.REGISTERED_VOTERS: registered_voters,
    }.get(passage.approval.base)
    if approval_base is None:
        raise ValueError(f"a recall approval cannot be taken of {passage.approval.base.value}")
    approval = _check("recall.passage.approval", passage.approval, votes_for, approval_base)
    fields = {"for": votes_for, "base": approval_base, "words": approval.words}
    if turnout is not None and not turnout.met:
        took_part = {
            Base.REGISTERED_VOTERS: _(
                "{count} of {base} registered voters took part; a recall vote needs {words}: "
                "the recall fails."
            ),
            Base.HOUSEHOLDS: _(
                "{count} of {base} households took part; a recall vote needs {words}: "
                "the recall fails."
            ),
            Base.REPRESENTATIVES: _(
                "{count} of {base} residents' representatives took part; a recall vote needs "
                "{words}: the recall fails."
            ),
        }[turnout_of]
        reason = took_part.format(count=turnout.count, base=turnout.base, words=turnout.words)
        return RecallVoteResult(
            False,
            votes_for,
            votes_against,
            abstentions,
            turnout,
            approval,
            turnout.rule,
            passage.source,
            reason,
        )
    if approval.met:
        reason = _("{for} votes for recall of {base}; {words} is needed: the recall passes.")
    else:
        reason = _("{for} votes for recall of {base}; {words} is needed: the recall fails.")
    return RecallVoteResult(
        approval.met,
        votes_for,
        votes_against,
        abstentions,
        turnout,
        approval,
        approval.rule,
        passage.source,
        reason.format(**fields),
    )


def bar_last_day(charter: Charter, failed_vote_day: date) -> date:
    """The last day on which a petition on the same grounds is refused after a failed recall
    vote held on ``failed_vote_day``: the corresponding day ``[recall.bar].years`` later
    (Civil Code art 201; V1)."""
    return add_months(failed_vote_day, 12 * charter.recall.bar.years)


@dataclass(frozen=True)
class BarCheck:
    """Whether a new petition is barred: ``barred``, the bar's ``last_day`` (None when no
    failed recall of the member), ``rule`` (``recall.bar``), ``source`` and ``reason``."""

    barred: bool
    last_day: date | None
    rule: str
    source: str
    reason: str


def check_bar(
    charter: Charter,
    *,
    failed_vote_days: Iterable[date],
    on: date,
    new_grounds: bool = False,
) -> BarCheck:
    """Whether a petition filed ``on`` against a member is barred by an earlier failed recall.

    ``failed_vote_days``: the days of the member's failed recall votes. Barred when ``on`` is
    on or before the last day of any of their bars, unless the committee found that the
    petition raises new grounds (``new_grounds``; see the module docstring).
    """
    bar = charter.recall.bar
    last_days = [bar_last_day(charter, d) for d in failed_vote_days]
    active = [d for d in last_days if on <= d]
    if not active:
        return BarCheck(False, max(last_days, default=None), "recall.bar", bar.source, "")
    last = max(active)
    if new_grounds:
        reason = _(
            "A recall of this member failed; the bar on the same grounds runs until {last}, "
            "but the committee found new grounds."
        ).format(last=last.isoformat())
        return BarCheck(False, last, "recall.bar", bar.source, reason)
    reason = _(
        "A recall of this member failed; a petition on the same grounds is refused until "
        "{last} inclusive ({words}; {source}). If the petition raises new grounds, the "
        "committee may say so with --new-grounds."
    ).format(last=last.isoformat(), words=bar.words().localized(), source=bar.source)
    return BarCheck(True, last, "recall.bar", bar.source, reason)


def resignation_ends_recall(charter: Charter, *, resigned_on: date, vote_day: date | None) -> bool:
    """Whether a resignation on ``resigned_on`` ends a recall whose vote is on ``vote_day``
    (None: no vote fixed yet): ``[recall.resignation].ends_recall`` and the resignation comes
    before the vote day (V1)."""
    if not charter.recall.resignation.ends_recall:
        return False
    return vote_day is None or resigned_on < vote_day
