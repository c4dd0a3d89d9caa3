"""By-elections (补选): whether a vacancy (缺额) calls for one, and by when.

A vacancy is a seat of the committee whose member's membership ended before the end of the
term (resignation, recall, termination, death …). The charter's ``[by_election]`` rule says:

* ``triggers`` (any of them is enough):

  - ``always``: every vacancy is filled by a by-election (SEED 钱牌 第四条 "缺额应依法补选";
    S1 art 10; P2; P4; P6);
  - ``below_min_size``: only when fewer members serve than the charter's minimum committee
    size (``[committee.size].min``); then every open vacancy is filled;
  - ``director_vacant``: when the director's (主任) seat is empty; this trigger calls for the
    director's seat only.

* ``not_within_months_of_term_end = N``: no by-election when less than N months of the term
  remain (不足N个月, Civil Code art. 1259: "不足" excludes the number). Measured from the day
  the vacancy opened: exempt exactly when ``vacancy_day + N months > term_end``, so a vacancy
  with exactly N months left is still by-elected.
* ``deadline_days = D``: the by-election is held within D days of the vacancy; a period
  "within D days of X" starts the day after X (Civil Code art. 201), so the last day is
  ``vacancy_day + D``. Without ``deadline_days`` the charter says "promptly" (及时, P2) and
  there is no fixed date (``deadline`` is None).
* ``term_ends_with_current``: the by-elected member serves until the end of the current term
  (S4 art 19; see ``by_elected_term``).

Pure: no database, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from juwei.i18n import _
from juwei.rules.charter import ByElectionTrigger, Charter, OfficeKey
from juwei.rules.eligibility import add_months

RULE = "by_election"
TRIGGERS_RULE = "by_election.triggers"
EXEMPTION_RULE = "by_election.not_within_months_of_term_end"
SIZE_RULE = "committee.size"


@dataclass(frozen=True)
class Vacancy:
    """The facts of one vacancy for ``decide_by_election``.

    ``office``: the vacant seat's office; ``since``: the day the membership ended (the seat
    is vacant from that day); ``term_end``: the end of the current term of that seat.
    """

    office: OfficeKey
    since: date
    term_end: date


@dataclass(frozen=True)
class ByElectionDecision:
    """Whether a vacancy must be filled by a by-election (补选), and by when.

    ``required``: a by-election must be held; ``deadline``: its last day (None when not
    required or when the charter sets no number of days, "promptly"); ``trigger``: the
    trigger that applied (None when none did); ``reason``: translated words; ``rule``: the
    charter key that decided (``by_election.triggers`` or
    ``by_election.not_within_months_of_term_end``); ``source``: the rule's legal source.
    """

    required: bool
    deadline: date | None
    trigger: ByElectionTrigger | None
    reason: str
    rule: str
    source: str


def exempt_near_term_end(charter: Charter, since: date, term_end: date) -> bool:
    """True when less than ``[by_election].not_within_months_of_term_end`` months of the
    term remain on ``since`` (``since + N months > term_end``; exactly N months is not
    exempt). False when the charter has no such exemption."""
    months = charter.by_election.not_within_months_of_term_end
    return months is not None and add_months(since, months) > term_end


def decide_by_election(
    charter: Charter,
    vacancy: Vacancy,
    *,
    serving: int,
    director_vacant: bool,
) -> ByElectionDecision:
    """Decide whether ``vacancy`` calls for a by-election under ``[by_election]``.

    ``serving``: members serving now (a count of people, after every vacancy so far);
    ``director_vacant``: whether the director's seat is empty now. Raises ``ValueError``
    for a negative ``serving`` or a vacancy that opened after its term's end (that is not a
    vacancy). Source: ``[by_election]`` and ``[committee.size]`` of the charter.
    """
    if serving < 0:
        raise ValueError(f"serving cannot be negative: {serving}")
    if vacancy.since > vacancy.term_end:
        raise ValueError(
            f"a membership ending on {vacancy.since} after its term's end "
            f"{vacancy.term_end} leaves no vacancy"
        )
    rule = charter.by_election
    months = rule.not_within_months_of_term_end
    if exempt_near_term_end(charter, vacancy.since, vacancy.term_end):
        return ByElectionDecision(
            required=False,
            deadline=None,
            trigger=None,
            reason=_(
                "no by-election: less than {months} months of the term remain "
                "(the term ends on {end})"
            ).format(months=months, end=vacancy.term_end.isoformat()),
            rule=EXEMPTION_RULE,
            source=rule.source,
        )
    size = charter.committee.size
    for trigger in rule.triggers:
        if trigger is ByElectionTrigger.ALWAYS:
            reason = _("a seat is vacant: the charter fills every vacancy by a by-election")
        elif trigger is ByElectionTrigger.BELOW_MIN_SIZE and serving < size.min:
            reason = _(
                "{serving} members serve, fewer than the committee's minimum of {min}"
            ).format(serving=serving, min=size.min)
        elif (
            trigger is ByElectionTrigger.DIRECTOR_VACANT
            and director_vacant
            and vacancy.office is OfficeKey.DIRECTOR
        ):
            reason = _("the director's seat is vacant")
        else:
            continue
        deadline = (
            None
            if rule.deadline_days is None
            else vacancy.since + timedelta(days=rule.deadline_days)
        )
        if deadline is None:
            reason += _("; to be held promptly (the charter sets no number of days)")
        else:
            reason += _("; to be held by {day} (within {days} days)").format(
                day=deadline.isoformat(), days=rule.deadline_days
            )
        return ByElectionDecision(True, deadline, trigger, reason, TRIGGERS_RULE, rule.source)
    return ByElectionDecision(
        required=False,
        deadline=None,
        trigger=None,
        reason=_(
            "no by-election required: {serving} members serve (minimum {min}) and no trigger "
            "of the charter applies"
        ).format(serving=serving, min=size.min),
        rule=TRIGGERS_RULE,
        source=rule.source,
    )


def by_elected_term(charter: Charter, *, day: date, current_term_end: date) -> tuple[date, date]:
    """The term (start, end) of a member seated by a by-election held on ``day``.

    With ``term_ends_with_current`` (S4 art 19) the member serves from ``day`` until the end
    of the current term, ``current_term_end``; otherwise a full term of ``[term].years``
    from ``day``. Raises ``ValueError`` when ``day`` is after ``current_term_end`` (the term
    the seat belongs to is over: hold a general election instead).
    """
    if day > current_term_end:
        raise ValueError(f"the by-election day {day} is after the term's end {current_term_end}")
    if charter.by_election.term_ends_with_current:
        return day, current_term_end
    return day, add_months(day, 12 * charter.term.years)
