"""A sitting of the residents' representatives' assembly (居民代表会议): quorum and resolutions.

The urban law (S1) says nothing about the quorum or the majority of the representatives'
assembly, and the seed charters only say how often it meets (SEED 钱牌 第六条: once or twice a
year). The profiles take the village law by analogy (S4 art 26: "村民代表会议有三分之二以上的
组成人员参加方可召开，所作决定应当经到会人员的过半数同意"); the charter's ``[assembly]``
holds both rules so that a community can change them:

* ``attendance`` (the quorum; base ``representatives``: those serving on the sitting's day):
  三分之二以上 includes the number (Civil Code art 1259, S5): exactly 2/3 present is enough;
* ``majority`` (base ``present``: the representatives present): 过半数 is strictly more than
  half of those present — abstentions and those who do not vote count in the base.

A sitting without a quorum decides nothing: its matters are not put to the vote (the result
of each is ``NOT_DECIDED``). Exact integers only (``juwei.rules.thresholds``). Pure: no
database, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from juwei.i18n import _
from juwei.rules.charter import AssemblyRule, Charter

QUORUM_RULE = "assembly.attendance"
MAJORITY_RULE = "assembly.majority"


class Resolution(StrEnum):
    """What a sitting decided on one matter."""

    ADOPTED = "adopted"
    """通过: more votes for than the majority needs."""
    REJECTED = "rejected"
    """未通过: the sitting had its quorum but the votes for fell short."""
    NOT_DECIDED = "not_decided"
    """未表决: the sitting had no quorum."""


@dataclass(frozen=True)
class MatterVotes:
    """The votes on one matter at a sitting: ``for_``, ``against``, ``abstain`` (people)."""

    for_: int
    against: int
    abstain: int

    @property
    def cast(self) -> int:
        """Every representative who answered (for + against + abstain)."""
        return self.for_ + self.against + self.abstain


@dataclass(frozen=True)
class SittingDecision:
    """Whether a sitting had its quorum and what it decided on its matter (if any).

    ``quorate``; ``needed_present``: the fewest present that make the quorum;
    ``resolution`` (None when no matter was put); ``needed_for``: the fewest votes for that
    adopt the matter (None without a matter or quorum); ``reason`` (translated), ``rule`` (the
    charter key of the deciding rule) and ``source``.
    """

    quorate: bool
    needed_present: int
    resolution: Resolution | None
    needed_for: int | None
    reason: str
    rule: str
    source: str


def _count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} cannot be negative: {value}")


def assembly_rule(charter: Charter) -> AssemblyRule:
    """The charter's ``[assembly]``; ``ValueError`` when the charter has none (a charter
    pinned before juwei knew the rule)."""
    if charter.assembly is None:
        raise ValueError("the charter has no [assembly] rule")
    return charter.assembly


def decide_sitting(
    charter: Charter, *, serving: int, present: int, votes: MatterVotes | None = None
) -> SittingDecision:
    """Decide a sitting of the representatives' assembly (居民代表会议).

    ``serving``: representatives serving on the day (the quorum base); ``present``: those
    present (the majority base); ``votes``: the matter put to the vote, if any. Raises
    ``ValueError`` when ``serving`` is 0, ``present > serving``, the votes cast exceed those
    present, a count is negative, or the charter has no ``[assembly]``; ``TypeError`` for a
    count that is not an int. Source: ``[assembly]`` (profiles: S4 art 26 by analogy).
    """
    rule = assembly_rule(charter)
    _count("serving", serving)
    _count("present", present)
    if serving == 0:
        raise ValueError("no representative is serving: the assembly cannot sit")
    if present > serving:
        raise ValueError(f"{present} present but only {serving} representatives serve")
    if votes is not None:
        _count("for", votes.for_)
        _count("against", votes.against)
        _count("abstain", votes.abstain)
        if votes.cast > present:
            raise ValueError(f"{votes.cast} votes but only {present} present")
    needed_present = rule.attendance.minimum(serving)
    fields = {
        "present": present,
        "serving": serving,
        "needed": needed_present,
        "threshold": rule.attendance.describe().localized(),
    }
    if not rule.attendance.met(present, serving):
        reason = _(
            "{present} of {serving} representatives present; the assembly needs {threshold} "
            "({needed} or more): no quorum, nothing is decided"
        ).format(**fields)
        return SittingDecision(
            False,
            needed_present,
            Resolution.NOT_DECIDED if votes is not None else None,
            None,
            reason,
            QUORUM_RULE,
            rule.source,
        )
    quorum_reason = _(
        "{present} of {serving} representatives present, at least {needed} needed ({threshold})"
    ).format(**fields)
    if votes is None:
        return SittingDecision(
            True, needed_present, None, None, quorum_reason, QUORUM_RULE, rule.source
        )
    needed_for = rule.majority.minimum(present)
    adopted = rule.majority.met(votes.for_, present)
    matter = {
        "for": votes.for_,
        "against": votes.against,
        "abstain": votes.abstain,
        "needed": needed_for,
        "threshold": rule.majority.describe().localized(),
    }
    if adopted:
        verdict = _(
            "adopted: {for} for, {against} against, {abstain} abstaining; "
            "{needed} needed ({threshold})"
        ).format(**matter)
    else:
        verdict = _(
            "not adopted: {for} for, {against} against, {abstain} abstaining; "
            "{needed} needed ({threshold})"
        ).format(**matter)
    return SittingDecision(
        True,
        needed_present,
        Resolution.ADOPTED if adopted else Resolution.REJECTED,
        needed_for,
        quorum_reason + "; " + verdict,
        MAJORITY_RULE,
        rule.source,
    )
