"""The charter's timetable (选举日程): the latest day for each step before the election day.

Steps and their rules (``[timetable]`` and ``[proxy]`` of the charter):

* ``voter_list``: the voter list (选民名单) is published ``days_before`` the election day or
  earlier (P7: 20 days). "20日以前" includes the 20th day (Civil Code art. 1259, S5), so the
  latest day is ``election_day - 20`` and that day itself is on time; one day later is late.
* ``objections``: objections to the list (申诉) within ``objection_days`` of publication
  (S4 art 14: 5 days): latest ``published + 5``.
* ``objection_decisions``: each objection decided within ``decision_days`` of its filing
  (S4 art 14: 3 days): latest ``filed + 3`` (in the timetable: ``objections + 3``).
* ``candidate_list``: formal candidates (正式候选人名单) published ``days_before`` (P6: 5).
* ``proxies``: written proxies (委托投票) filed ``filed_days_before`` (V1, V2: 3–5), when the
  charter allows proxies and sets a period.

A period "within N days of X" starts the day after X (Civil Code art. 201), so its last day is
``X + N``. The objection steps count from an earlier event: without that event's date the
timetable shows them from the latest day of that event (``Step.counts_from`` names it), and
``check_step`` requires the date (``since``), never assuming it.

A step later than its latest day is late: the charter's ``[timetable.late_steps]`` policy says
whether it is refused or allowed with a recorded reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from juwei.i18n import _
from juwei.rules.charter import Charter, LatePolicy

LATE_RULE = "timetable.late_steps"


class StepKey(StrEnum):
    """A step of the timetable."""

    VOTER_LIST = "voter_list"
    """选民名单公布: the voter list is published."""
    OBJECTIONS = "objections"
    """对选民名单的申诉: last day for objections to the voter list."""
    OBJECTION_DECISIONS = "objection_decisions"
    """申诉处理决定: last day to decide an objection."""
    CANDIDATE_LIST = "candidate_list"
    """正式候选人名单公布: the formal candidate list is published."""
    PROXIES = "proxies"
    """委托投票手续: last day to file a written proxy."""


@dataclass(frozen=True)
class Step:
    """One step of the timetable.

    ``latest``: the last day on which the step is on time. ``days``: the charter's number of
    days. ``counts_from``: ``None`` when counted back from the election day, else the step
    whose date this one counts forward from (``since``: that step's date as used, the actual
    one if given, else its latest day). ``label`` and ``requirement`` are translated;
    ``rule`` is the charter key and ``source`` its source.
    """

    key: StepKey
    label: str
    requirement: str
    latest: date
    days: int
    counts_from: StepKey | None
    since: date | None
    rule: str
    source: str


@dataclass(frozen=True)
class StepCheck:
    """Whether a step taken ``on`` a day is on time (``check_step``).

    ``on_time``: ``on <= step.latest``; ``days_late``: 0 when on time. When late, ``policy``
    is the charter's ``[timetable.late_steps]`` policy (refuse, or allow with a recorded
    reason) with ``policy_rule`` and ``policy_source``; all three are ``None`` when on time.
    ``reason`` (translated); ``rule`` and ``source``: the step's rule.
    """

    step: Step
    on: date
    on_time: bool
    days_late: int
    policy: LatePolicy | None
    policy_rule: str | None
    policy_source: str | None
    reason: str
    rule: str
    source: str

    @property
    def refused(self) -> bool:
        """Late, and the charter refuses late steps."""
        return self.policy is LatePolicy.REFUSE


def _labels() -> dict[StepKey, str]:
    return {
        StepKey.VOTER_LIST: _("voter list published"),
        StepKey.OBJECTIONS: _("objections to the voter list"),
        StepKey.OBJECTION_DECISIONS: _("objections decided"),
        StepKey.CANDIDATE_LIST: _("formal candidate list published"),
        StepKey.PROXIES: _("written proxies filed"),
    }


def timetable(
    charter: Charter, election_day: date, *, voter_list_published: date | None = None
) -> tuple[Step, ...]:
    """Every step of the charter's timetable for ``election_day``, in the order of the procedure
    (voter list, objections, decisions, candidate list, proxies).

    ``voter_list_published``: the day the voter list was actually published, from which the
    objection periods count; without it they count from the latest allowed day. Pure.
    """
    steps: list[Step] = []
    objections_latest: date | None = None
    for key in _keys(charter):
        since: date | None = None
        if key is StepKey.OBJECTIONS:
            since = voter_list_published
        elif key is StepKey.OBJECTION_DECISIONS:
            since = objections_latest if voter_list_published is not None else None
        step = _step(charter, key, election_day, since)
        if key is StepKey.OBJECTIONS:
            objections_latest = step.latest
        steps.append(step)
    return tuple(steps)


def check_step(
    charter: Charter,
    step_key: StepKey | str,
    on: date,
    election_day: date,
    *,
    since: date | None = None,
) -> StepCheck:
    """Whether the step ``step_key`` taken ``on`` is on time for ``election_day``.

    ``since`` is needed for the steps that count forward from an earlier event: for
    ``objections`` the day the voter list was published, for ``objection_decisions`` the day
    the objection was filed (``ValueError`` without it). Raises ``ValueError`` for an unknown
    step or one this charter does not have (proxies when not allowed). Exactly ``days_before``
    days before the election day is on time (以前/以上 include the day itself).
    """
    try:
        key = StepKey(step_key)
    except ValueError:
        known = ", ".join(k.value for k in StepKey)
        raise ValueError(f"unknown timetable step {step_key!r}; known: {known}") from None
    if key not in _keys(charter):
        raise ValueError(f"the charter has no {key.value!r} step")
    if key in (StepKey.OBJECTIONS, StepKey.OBJECTION_DECISIONS) and since is None:
        raise ValueError(f"the {key.value!r} step counts from an earlier day: give since")
    if key not in (StepKey.OBJECTIONS, StepKey.OBJECTION_DECISIONS) and since is not None:
        raise ValueError(f"the {key.value!r} step counts back from the election day")
    step = _step(charter, key, election_day, since)
    days_late = max(0, (on - step.latest).days)
    numbers = {
        "step": step.label,
        "on": on.isoformat(),
        "latest": step.latest.isoformat(),
        "requirement": step.requirement,
    }
    if days_late == 0:
        return StepCheck(
            step=step,
            on=on,
            on_time=True,
            days_late=0,
            policy=None,
            policy_rule=None,
            policy_source=None,
            reason=_("{step} on {on}: on time (by {latest}; {requirement})").format(**numbers),
            rule=step.rule,
            source=step.source,
        )
    late = charter.timetable.late_steps
    if late.policy is LatePolicy.REFUSE:
        reason = _(
            "{step} on {on} is {days} day(s) late: the latest day is {latest} ({requirement}); "
            "the charter refuses late steps"
        ).format(days=days_late, **numbers)
    else:
        reason = _(
            "{step} on {on} is {days} day(s) late: the latest day is {latest} ({requirement}); "
            "the charter allows it with a recorded reason"
        ).format(days=days_late, **numbers)
    return StepCheck(
        step=step,
        on=on,
        on_time=False,
        days_late=days_late,
        policy=late.policy,
        policy_rule=LATE_RULE,
        policy_source=late.source,
        reason=reason,
        rule=step.rule,
        source=step.source,
    )


def _keys(charter: Charter) -> tuple[StepKey, ...]:
    keys = [
        StepKey.VOTER_LIST,
        StepKey.OBJECTIONS,
        StepKey.OBJECTION_DECISIONS,
        StepKey.CANDIDATE_LIST,
    ]
    if charter.proxy.allowed and charter.proxy.filed_days_before > 0:
        keys.append(StepKey.PROXIES)
    return tuple(keys)


def _step(charter: Charter, key: StepKey, election_day: date, since: date | None) -> Step:
    """The step ``key``; ``since``: the actual day it counts from (objection steps only)."""
    t = charter.timetable
    label = _labels()[key]
    if key is StepKey.VOTER_LIST:
        d = t.voter_list.days_before
        return Step(
            key=key,
            label=label,
            requirement=_("at least {days} days before the election day").format(days=d),
            latest=election_day - timedelta(days=d),
            days=d,
            counts_from=None,
            since=None,
            rule="timetable.voter_list",
            source=t.voter_list.source,
        )
    if key is StepKey.OBJECTIONS:
        d = t.voter_list.objection_days
        start = (
            since if since is not None else election_day - timedelta(days=t.voter_list.days_before)
        )
        return Step(
            key=key,
            label=label,
            requirement=_("within {days} days of the voter list's publication on {since}").format(
                days=d, since=start.isoformat()
            ),
            latest=start + timedelta(days=d),
            days=d,
            counts_from=StepKey.VOTER_LIST,
            since=start,
            rule="timetable.voter_list",
            source=t.voter_list.source,
        )
    if key is StepKey.OBJECTION_DECISIONS:
        d = t.voter_list.decision_days
        if since is None:
            start = _step(charter, StepKey.OBJECTIONS, election_day, None).latest
        else:
            start = since
        return Step(
            key=key,
            label=label,
            requirement=_("within {days} days of the objection filed on {since}").format(
                days=d, since=start.isoformat()
            ),
            latest=start + timedelta(days=d),
            days=d,
            counts_from=StepKey.OBJECTIONS,
            since=start,
            rule="timetable.voter_list",
            source=t.voter_list.source,
        )
    if key is StepKey.CANDIDATE_LIST:
        d = t.candidate_list.days_before
        return Step(
            key=key,
            label=label,
            requirement=_("at least {days} days before the election day").format(days=d),
            latest=election_day - timedelta(days=d),
            days=d,
            counts_from=None,
            since=None,
            rule="timetable.candidate_list",
            source=t.candidate_list.source,
        )
    d = charter.proxy.filed_days_before
    return Step(
        key=key,
        label=label,
        requirement=_("at least {days} days before the election day").format(days=d),
        latest=election_day - timedelta(days=d),
        days=d,
        counts_from=None,
        since=None,
        rule="proxy",
        source=charter.proxy.source,
    )
