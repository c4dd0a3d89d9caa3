"""The charter's timetable: latest days before the election day, and late steps."""

from datetime import date
from typing import Any

import pytest

from juwei.rules.charter import LatePolicy, load_charter
from juwei.rules.timetable import StepKey, check_step, timetable
from tests.strategies import variant

DAY = date(2026, 12, 20)


def row(step: str, on: date, since: date | None, on_time: bool, late: int, why: str) -> Any:
    return pytest.param(step, on, since, on_time, late, id=f"{step}: {why}")


# One row per case; "N日以前" includes the N-th day (Civil Code art. 1259, S5).
CHECKS = [
    # voter list published at least 20 days before (P7)
    row("voter_list", date(2026, 11, 30), None, True, 0, "exactly 20 days before P7"),
    row("voter_list", date(2026, 11, 1), None, True, 0, "earlier is on time P7"),
    row("voter_list", date(2026, 12, 1), None, False, 1, "19 days before is late P7"),
    # objections within 5 days of publication (S4 art 14)
    row("objections", date(2026, 11, 25), date(2026, 11, 20), True, 0, "5th day S4 art 14"),
    row("objections", date(2026, 11, 26), date(2026, 11, 20), False, 1, "6th day S4 art 14"),
    # objections decided within 3 days (S4 art 14)
    row("objection_decisions", date(2026, 11, 28), date(2026, 11, 25), True, 0, "3rd day S4"),
    row("objection_decisions", date(2026, 11, 29), date(2026, 11, 25), False, 1, "4th day S4"),
    # formal candidate list at least 5 days before (P6)
    row("candidate_list", date(2026, 12, 15), None, True, 0, "exactly 5 days before P6"),
    row("candidate_list", date(2026, 12, 16), None, False, 1, "4 days before is late P6"),
    row("candidate_list", date(2026, 12, 20), None, False, 5, "on the election day P6"),
    # written proxies filed 3 days before (V1; V2)
    row("proxies", date(2026, 12, 17), None, True, 0, "exactly 3 days before V1"),
    row("proxies", date(2026, 12, 18), None, False, 1, "2 days before is late V1"),
]


@pytest.mark.parametrize(("step", "on", "since", "on_time", "late"), CHECKS)
def test_check_step(step: str, on: date, since: date | None, on_time: bool, late: int) -> None:
    charter = load_charter("qianpai")
    check = check_step(charter, step, on, DAY, since=since)
    assert (check.on_time, check.days_late) == (on_time, late)
    assert check.step.key == step
    assert check.rule == check.step.rule and check.source == check.step.source
    if on_time:
        assert (check.policy, check.policy_rule, check.policy_source) == (None, None, None)
        assert not check.refused
    else:
        assert check.policy is LatePolicy.REFUSE  # qianpai: refuse (JUWEI)
        assert (check.policy_rule, check.policy_source) == ("timetable.late_steps", "JUWEI")
        assert check.refused


def test_late_step_allowed_with_reason_when_the_charter_says_so() -> None:
    charter = variant(
        load_charter("qianpai"), **{"timetable.late_steps.policy": "allow_with_reason"}
    )
    check = check_step(charter, "voter_list", date(2026, 12, 1), DAY)
    assert (check.on_time, check.policy, check.refused) == (
        False,
        LatePolicy.ALLOW_WITH_REASON,
        False,
    )
    assert check.reason == (
        "voter list published on 2026-12-01 is 1 day(s) late: the latest day is 2026-11-30 "
        "(at least 20 days before the election day); the charter allows it with a recorded reason"
    )


def test_check_step_names_rule_and_source() -> None:
    check = check_step(load_charter("qianpai"), StepKey.VOTER_LIST, date(2026, 11, 30), DAY)
    assert (check.rule, check.source) == ("timetable.voter_list", "P7; S4 art 14")
    assert check.reason == (
        "voter list published on 2026-11-30: on time (by 2026-11-30; "
        "at least 20 days before the election day)"
    )


def test_timetable_in_procedure_order() -> None:
    steps = timetable(load_charter("qianpai"), DAY)
    assert [(s.key.value, s.latest) for s in steps] == [
        ("voter_list", date(2026, 11, 30)),
        ("objections", date(2026, 12, 5)),
        ("objection_decisions", date(2026, 12, 8)),
        ("candidate_list", date(2026, 12, 15)),
        ("proxies", date(2026, 12, 17)),
    ]
    by_key = {s.key: s for s in steps}
    assert by_key[StepKey.VOTER_LIST].label == "voter list published"
    assert by_key[StepKey.VOTER_LIST].source == "P7; S4 art 14"
    assert by_key[StepKey.CANDIDATE_LIST].rule == "timetable.candidate_list"
    assert by_key[StepKey.CANDIDATE_LIST].source == "P6"
    assert by_key[StepKey.PROXIES].rule == "proxy"
    assert by_key[StepKey.OBJECTIONS].counts_from is StepKey.VOTER_LIST


def test_objection_periods_count_from_the_actual_publication() -> None:
    steps = timetable(load_charter("qianpai"), DAY, voter_list_published=date(2026, 11, 10))
    by_key = {s.key: s.latest for s in steps}
    assert by_key[StepKey.OBJECTIONS] == date(2026, 11, 15)
    assert by_key[StepKey.OBJECTION_DECISIONS] == date(2026, 11, 18)
    assert [s.key for s in steps][0] is StepKey.VOTER_LIST


def test_no_proxy_step_when_proxies_are_not_allowed() -> None:
    charter = variant(load_charter("qianpai"), **{"proxy.allowed": False})
    assert StepKey.PROXIES not in {s.key for s in timetable(charter, DAY)}
    with pytest.raises(ValueError, match="no 'proxies' step"):
        check_step(charter, "proxies", DAY, DAY)


@pytest.mark.parametrize(
    ("step", "since"),
    [
        pytest.param("objections", None, id="objections need the publication day"),
        pytest.param("voter_list", date(2026, 11, 1), id="voter list counts from the election day"),
        pytest.param("ballot_printing", None, id="unknown step"),
    ],
)
def test_check_step_refuses_wrong_arguments(step: str, since: date | None) -> None:
    with pytest.raises(ValueError):
        check_step(load_charter("qianpai"), step, DAY, DAY, since=since)


@pytest.mark.parametrize("profile", ["qianpai", "nanchangzhai", "urban-2018"])
def test_every_profile_has_a_voter_list_20_days_and_candidates_5_days_before(profile: str) -> None:
    steps = {s.key: s for s in timetable(load_charter(profile), DAY)}
    assert steps[StepKey.VOTER_LIST].latest == date(2026, 11, 30)
    assert steps[StepKey.CANDIDATE_LIST].latest == date(2026, 12, 15)
