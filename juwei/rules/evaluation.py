"""Evaluation (考评) of a committee member: does it start the recall procedure?

SEED 钱牌 第二十一条: "对居民满意率低于60%，或三分之二以上居民代表不满意的社区居委会的成员……
由居民会议按照法定程序进行罢免或撤换". The charter's ``[evaluation]`` encodes both limbs:

* ``satisfaction_below`` (a ``less_than`` threshold of ``evaluation_responses``): the
  residents' satisfaction rate (满意率) is below 60%. "低于" excludes the number (Civil Code
  art. 1259): exactly 60% does not trigger.
* ``representatives_dissatisfied`` (an ``at_least`` threshold of ``representatives``):
  two thirds or more (三分之二以上, the number included) of the residents' representatives
  are dissatisfied: exactly 2/3 triggers.

满意率 (satisfaction rate) — juwei's reading, since the charter does not define it (JUWEI):
a resident's satisfaction ballot answers 满意 (satisfied), 基本满意 (basically satisfied) or
不满意 (dissatisfied); the rate is ``(satisfied + basically satisfied) / responses`` where
``responses`` is every answered ballot (the three together). This is the usual reading of
满意率 in 民主评议 and the one least likely to start a recall by a reading of the words; the
counts of all three answers are recorded, so the committee can see the alternative.
Exact integer arithmetic only (``juwei.rules.thresholds``).

Pure: no database, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from juwei.i18n import _
from juwei.rules.charter import Charter

SATISFACTION_RULE = "evaluation.satisfaction_below"
REPRESENTATIVES_RULE = "evaluation.representatives_dissatisfied"
SATISFACTION_CONVENTION = "JUWEI (满意率 = (满意 + 基本满意) / 参加考评)"


@dataclass(frozen=True)
class ResidentsBallots:
    """Residents' satisfaction ballots (满意度测评票) for one member: counts of people."""

    satisfied: int
    basically: int
    dissatisfied: int

    @property
    def responses(self) -> int:
        """Every answered ballot: the base ``evaluation_responses``."""
        return self.satisfied + self.basically + self.dissatisfied

    @property
    def satisfied_total(self) -> int:
        """满意 + 基本满意: the numerator of the satisfaction rate (see module docstring)."""
        return self.satisfied + self.basically


@dataclass(frozen=True)
class RepresentativesVerdicts:
    """Representatives' verdicts: ``dissatisfied`` of ``representatives`` (people)."""

    dissatisfied: int
    representatives: int


@dataclass(frozen=True)
class EvaluationDecision:
    """Whether an evaluation starts the recall procedure for the member.

    ``triggered``: the recall procedure starts; ``count`` / ``base``: the figures compared
    (people); ``reason``: translated words with the figures; ``rule``: the charter key;
    ``source``: the rule's source (with juwei's convention for 满意率 where it applies).
    """

    triggered: bool
    count: int
    base: int
    reason: str
    rule: str
    source: str


def _check(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} cannot be negative: {value}")


def decide_residents(charter: Charter, ballots: ResidentsBallots) -> EvaluationDecision:
    """Decide residents' satisfaction ballots under ``[evaluation].satisfaction_below``.

    Raises ``ValueError`` when the charter has no ``[evaluation]`` rule, for negative counts
    or when no ballot was answered (a rate of nobody decides nothing); ``TypeError`` for a
    non-int count.
    """
    rule = charter.evaluation
    if rule is None:
        raise ValueError("the charter has no [evaluation] rule")
    for name in ("satisfied", "basically", "dissatisfied"):
        _check(name, getattr(ballots, name))
    if ballots.responses == 0:
        raise ValueError("no satisfaction ballot was answered")
    threshold = rule.satisfaction_below
    triggered = threshold.met(ballots.satisfied_total, ballots.responses)
    figures = _(
        "{satisfied} of {responses} residents satisfied or basically satisfied; "
        "the limit is {limit}"
    ).format(
        satisfied=ballots.satisfied_total,
        responses=ballots.responses,
        limit=threshold.describe().localized(),
    )
    if triggered:
        reason = _("satisfaction is below the charter's limit ({figures}): recall procedure starts")
    else:
        reason = _("satisfaction is not below the charter's limit ({figures})")
    return EvaluationDecision(
        triggered,
        ballots.satisfied_total,
        ballots.responses,
        reason.format(figures=figures),
        SATISFACTION_RULE,
        f"{rule.source}; {SATISFACTION_CONVENTION}",
    )


def decide_representatives(
    charter: Charter, verdicts: RepresentativesVerdicts
) -> EvaluationDecision:
    """Decide representatives' verdicts under ``[evaluation].representatives_dissatisfied``.

    Raises ``ValueError`` when the charter has no such rule, for negative counts, more
    dissatisfied than representatives, or no representatives; ``TypeError`` for a non-int.
    """
    rule = charter.evaluation
    if rule is None or rule.representatives_dissatisfied is None:
        raise ValueError("the charter has no [evaluation].representatives_dissatisfied rule")
    _check("dissatisfied", verdicts.dissatisfied)
    _check("representatives", verdicts.representatives)
    if verdicts.representatives == 0:
        raise ValueError("no representatives gave a verdict")
    if verdicts.dissatisfied > verdicts.representatives:
        raise ValueError("more dissatisfied representatives than representatives")
    threshold = rule.representatives_dissatisfied
    triggered = threshold.met(verdicts.dissatisfied, verdicts.representatives)
    figures = _(
        "{dissatisfied} of {representatives} representatives dissatisfied; the limit is {limit}"
    ).format(
        dissatisfied=verdicts.dissatisfied,
        representatives=verdicts.representatives,
        limit=threshold.describe().localized(),
    )
    if triggered:
        reason = _(
            "representatives' dissatisfaction reaches the charter's limit ({figures}): "
            "recall procedure starts"
        )
    else:
        reason = _(
            "representatives' dissatisfaction does not reach the charter's limit ({figures})"
        )
    return EvaluationDecision(
        triggered,
        verdicts.dissatisfied,
        verdicts.representatives,
        reason.format(figures=figures),
        REPRESENTATIVES_RULE,
        rule.source,
    )
