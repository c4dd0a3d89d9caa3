"""By-election (补选) rules and evaluation (考评) rules: decision tables at the edges."""

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from juwei.rules.by_election import (
    EXEMPTION_RULE,
    TRIGGERS_RULE,
    Vacancy,
    by_elected_term,
    decide_by_election,
)
from juwei.rules.charter import ByElectionRule, ByElectionTrigger, Charter, OfficeKey, load_charter
from juwei.rules.evaluation import (
    REPRESENTATIVES_RULE,
    SATISFACTION_RULE,
    RepresentativesVerdicts,
    ResidentsBallots,
    decide_representatives,
    decide_residents,
)

QIANPAI = load_charter("qianpai")  # committee of exactly 7
URBAN = load_charter("urban-2018")  # 5 to 9
TERM_END = date(2029, 12, 20)


def with_rule(charter: Charter, **rule: Any) -> Charter:
    """``charter`` with its ``[by_election]`` replaced (validated)."""
    values: dict[str, Any] = {"term_ends_with_current": True, "source": "LOCAL"} | rule
    return charter.model_copy(update={"by_election": ByElectionRule(**values)})


def vacancy(office: str = "member", since: date = date(2028, 3, 1)) -> Vacancy:
    return Vacancy(OfficeKey(office), since, TERM_END)


# (charter rule, vacancy, serving, director vacant) → (required, deadline, rule key)
CASES = [
    # by_election.triggers = always (SEED 钱牌 第四条 "缺额应依法补选"): every vacancy
    pytest.param({"triggers": ["always"]}, vacancy(), 6, False, (True, None, TRIGGERS_RULE),
                 id="always-promptly"),
    pytest.param({"triggers": ["always"], "deadline_days": 30}, vacancy(), 6, False,
                 (True, date(2028, 3, 31), TRIGGERS_RULE), id="always-within-30-days-of-vacancy"),
    # by_election.triggers = below_min_size (committee.size.min): urban-2018 minimum 5
    pytest.param({"triggers": ["below_min_size"]}, vacancy(), 5, False,
                 (False, None, TRIGGERS_RULE), id="below-min-size-exactly-min-serving"),
    pytest.param({"triggers": ["below_min_size"]}, vacancy(), 4, False,
                 (True, None, TRIGGERS_RULE), id="below-min-size-one-fewer"),
    # by_election.triggers = director_vacant: the director's seat only
    pytest.param({"triggers": ["director_vacant"]}, vacancy("director"), 6, True,
                 (True, None, TRIGGERS_RULE), id="director-vacant-director-seat"),
    pytest.param({"triggers": ["director_vacant"]}, vacancy("member"), 6, True,
                 (False, None, TRIGGERS_RULE), id="director-vacant-member-seat-not-required"),
    pytest.param({"triggers": ["director_vacant", "below_min_size"]}, vacancy("member"), 4, True,
                 (True, None, TRIGGERS_RULE), id="any-trigger-is-enough"),
    # by_election.not_within_months_of_term_end = 6 (不足6个月: 6 months exactly is not exempt)
    pytest.param({"triggers": ["always"], "not_within_months_of_term_end": 6},
                 vacancy(since=date(2029, 6, 20)), 6, False, (True, None, TRIGGERS_RULE),
                 id="exactly-6-months-left-still-by-elected"),
    pytest.param({"triggers": ["always"], "not_within_months_of_term_end": 6},
                 vacancy(since=date(2029, 6, 21)), 6, False, (False, None, EXEMPTION_RULE),
                 id="one-day-less-than-6-months-exempt"),
    pytest.param({"triggers": ["always"], "not_within_months_of_term_end": 6},
                 vacancy(since=TERM_END), 6, False, (False, None, EXEMPTION_RULE),
                 id="last-day-of-term-exempt"),
    pytest.param({"triggers": ["always"], "not_within_months_of_term_end": 6,
                  "deadline_days": 60}, vacancy(since=date(2029, 6, 20)), 6, False,
                 (True, date(2029, 8, 19), TRIGGERS_RULE), id="deadline-counts-from-the-day-after"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "vac", "serving", "director_vacant", "expected"), CASES)
def test_by_election_decision_table(
    rule: dict[str, Any],
    vac: Vacancy,
    serving: int,
    director_vacant: bool,
    expected: tuple[bool, date | None, str],
) -> None:
    charter = with_rule(URBAN, **rule)
    decision = decide_by_election(charter, vac, serving=serving, director_vacant=director_vacant)
    assert (decision.required, decision.deadline, decision.rule) == expected
    assert decision.source == "LOCAL"
    assert decision.reason


def test_the_seed_charter_always_by_elects_promptly() -> None:
    decision = decide_by_election(QIANPAI, vacancy(), serving=6, director_vacant=False)
    assert decision.required and decision.trigger is ByElectionTrigger.ALWAYS
    assert decision.deadline is None and "promptly" in decision.reason
    assert decision.source.startswith("SEED 钱牌 第四条")


def test_a_membership_ending_after_its_term_is_no_vacancy() -> None:
    with pytest.raises(ValueError, match="leaves no vacancy"):
        decide_by_election(
            QIANPAI,
            Vacancy(OfficeKey.MEMBER, TERM_END + timedelta(days=1), TERM_END),
            serving=6,
            director_vacant=False,
        )


@given(
    since=st.dates(min_value=date(2026, 12, 20), max_value=TERM_END),
    months=st.integers(min_value=1, max_value=36),
    serving=st.integers(min_value=0, max_value=9),
)
def test_exemption_is_monotone_in_the_vacancy_day(since: date, months: int, serving: int) -> None:
    """Once a vacancy is exempt, every later vacancy in the same term is exempt too; a vacancy
    that is by-elected has its deadline after (or on) its own day."""
    charter = with_rule(
        URBAN, triggers=["always"], not_within_months_of_term_end=months, deadline_days=30
    )
    first = decide_by_election(
        charter, Vacancy(OfficeKey.MEMBER, since, TERM_END), serving=serving, director_vacant=False
    )
    later = min(since + timedelta(days=1), TERM_END)
    second = decide_by_election(
        charter, Vacancy(OfficeKey.MEMBER, later, TERM_END), serving=serving, director_vacant=False
    )
    if not first.required:
        assert not second.required and second.rule == EXEMPTION_RULE
    if first.required:
        assert first.deadline == since + timedelta(days=30)


def test_a_by_elected_member_serves_until_the_end_of_the_current_term() -> None:
    day = date(2028, 5, 10)
    assert by_elected_term(QIANPAI, day=day, current_term_end=TERM_END) == (day, TERM_END)
    full = with_rule(QIANPAI, triggers=["always"], term_ends_with_current=False)
    assert by_elected_term(full, day=day, current_term_end=TERM_END) == (day, date(2031, 5, 10))
    with pytest.raises(ValueError, match="after the term's end"):
        by_elected_term(QIANPAI, day=TERM_END + timedelta(days=1), current_term_end=TERM_END)


# ----------------------------------------------------------------------------- evaluation

RESIDENT_CASES = [
    # evaluation.satisfaction_below = less than 60% (低于60%: exactly 60% does not trigger);
    # 满意率 = (满意 + 基本满意) / responses (JUWEI)
    pytest.param(ResidentsBallots(60, 0, 40), False, id="exactly-60-percent-does-not-trigger"),
    pytest.param(ResidentsBallots(59, 0, 41), True, id="59-percent-triggers"),
    pytest.param(ResidentsBallots(30, 30, 40), False, id="basically-satisfied-counts-as-satisfied"),
    pytest.param(ResidentsBallots(3, 0, 2), False, id="3-of-5-exactly-60"),
    pytest.param(ResidentsBallots(2, 0, 1), False, id="2-of-3-above-60"),
    pytest.param(ResidentsBallots(1, 0, 1), True, id="1-of-2-below-60"),
    pytest.param(ResidentsBallots(0, 0, 1), True, id="nobody-satisfied"),
    pytest.param(ResidentsBallots(299, 1, 200), False, id="300-of-500-exactly-60"),
    pytest.param(ResidentsBallots(299, 0, 201), True, id="299-of-500"),
]


@pytest.mark.parametrize(("ballots", "triggered"), RESIDENT_CASES)
def test_residents_evaluation_table(ballots: ResidentsBallots, triggered: bool) -> None:
    decision = decide_residents(QIANPAI, ballots)
    assert decision.triggered is triggered
    assert (decision.count, decision.base) == (ballots.satisfied_total, ballots.responses)
    assert decision.rule == SATISFACTION_RULE
    assert "SEED 钱牌 第二十一条" in decision.source and "JUWEI" in decision.source


REPRESENTATIVE_CASES = [
    # evaluation.representatives_dissatisfied = at least 2/3 (三分之二以上: 2/3 triggers)
    pytest.param(RepresentativesVerdicts(20, 30), True, id="exactly-two-thirds-triggers"),
    pytest.param(RepresentativesVerdicts(19, 30), False, id="one-fewer-does-not"),
    pytest.param(RepresentativesVerdicts(21, 31), True, id="21-of-31-above-two-thirds"),
    pytest.param(RepresentativesVerdicts(20, 31), False, id="20-of-31-below-two-thirds"),
    pytest.param(RepresentativesVerdicts(2, 3), True, id="2-of-3"),
    pytest.param(RepresentativesVerdicts(0, 3), False, id="none-dissatisfied"),
]


@pytest.mark.parametrize(("verdicts", "triggered"), REPRESENTATIVE_CASES)
def test_representatives_evaluation_table(
    verdicts: RepresentativesVerdicts, triggered: bool
) -> None:
    decision = decide_representatives(QIANPAI, verdicts)
    assert decision.triggered is triggered
    assert decision.rule == REPRESENTATIVES_RULE


@given(
    satisfied=st.integers(0, 400), basically=st.integers(0, 400), dissatisfied=st.integers(0, 400)
)
def test_residents_evaluation_matches_exact_fractions(
    satisfied: int, basically: int, dissatisfied: int
) -> None:
    """The decision equals (satisfied + basically) / total < 3/5, in exact integers."""
    total = satisfied + basically + dissatisfied
    if total == 0:
        with pytest.raises(ValueError, match="no satisfaction ballot"):
            decide_residents(QIANPAI, ResidentsBallots(satisfied, basically, dissatisfied))
        return
    decision = decide_residents(QIANPAI, ResidentsBallots(satisfied, basically, dissatisfied))
    assert decision.triggered is (5 * (satisfied + basically) < 3 * total)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda: decide_residents(URBAN, ResidentsBallots(1, 0, 1)),
            "no \\[evaluation\\] rule",
            id="charter-without-evaluation",
        ),
        pytest.param(
            lambda: decide_residents(QIANPAI, ResidentsBallots(-1, 0, 1)),
            "cannot be negative",
            id="negative-count",
        ),
        pytest.param(
            lambda: decide_representatives(QIANPAI, RepresentativesVerdicts(4, 3)),
            "more dissatisfied",
            id="more-dissatisfied-than-representatives",
        ),
        pytest.param(
            lambda: decide_representatives(QIANPAI, RepresentativesVerdicts(0, 0)),
            "no representatives",
            id="no-representatives",
        ),
    ],
)
def test_impossible_evaluations_are_refused(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@given(
    triggers=st.lists(st.sampled_from(list(ByElectionTrigger)), min_size=1, max_size=3),
    office=st.sampled_from(list(OfficeKey)),
    serving=st.integers(min_value=0, max_value=9),
    director_vacant=st.booleans(),
    months=st.one_of(st.none(), st.integers(min_value=1, max_value=24)),
    days=st.one_of(st.none(), st.integers(min_value=1, max_value=90)),
    since=st.dates(min_value=date(2026, 12, 20), max_value=TERM_END),
)
def test_by_election_decision_matches_a_plain_reading_of_the_rule(
    triggers: list[ByElectionTrigger],
    office: OfficeKey,
    serving: int,
    director_vacant: bool,
    months: int | None,
    days: int | None,
    since: date,
) -> None:
    """Oracle: required exactly when the term is not nearly over and some trigger holds; the
    deadline is the vacancy day plus the charter's days. (The term ends on the 20th, so the
    month-end rule of add_months never matters here; see the month-end table below.)"""
    charter = with_rule(
        URBAN, triggers=triggers, not_within_months_of_term_end=months, deadline_days=days
    )
    decision = decide_by_election(
        charter, Vacancy(office, since, TERM_END), serving=serving, director_vacant=director_vacant
    )
    nearly_over = (
        months is not None
        and (TERM_END.year - since.year) * 12
        + (TERM_END.month - since.month)
        - (1 if TERM_END.day < since.day else 0)
        < months
    )
    holds = {
        ByElectionTrigger.ALWAYS: True,
        ByElectionTrigger.BELOW_MIN_SIZE: serving < 5,
        ByElectionTrigger.DIRECTOR_VACANT: director_vacant and office is OfficeKey.DIRECTOR,
    }
    assert decision.required is (not nearly_over and any(holds[t] for t in triggers))
    if decision.required:
        assert decision.deadline == (None if days is None else since + timedelta(days=days))
    else:
        assert decision.deadline is None


@pytest.mark.parametrize(
    ("since", "term_end", "exempt"),
    [
        # Civil Code art 201-203: a period of months ends on the same day of the last month, or
        # on that month's last day when it has no such day: 31 August + 6 months = 28 February
        pytest.param(date(2028, 8, 31), date(2029, 2, 28), False, id="aug-31-to-feb-28-is-6"),
        pytest.param(date(2028, 9, 1), date(2029, 2, 28), True, id="sep-1-to-feb-28-is-less"),
        pytest.param(date(2027, 8, 31), date(2028, 2, 29), False, id="leap-year-feb-29"),
        pytest.param(date(2027, 8, 31), date(2028, 2, 28), True, id="one-day-short-in-leap-year"),
    ],
)
def test_six_months_at_the_end_of_a_month(since: date, term_end: date, exempt: bool) -> None:
    charter = with_rule(URBAN, triggers=["always"], not_within_months_of_term_end=6)
    decision = decide_by_election(
        charter, Vacancy(OfficeKey.MEMBER, since, term_end), serving=6, director_vacant=False
    )
    assert decision.required is not exempt
    assert decision.rule == (EXEMPTION_RULE if exempt else TRIGGERS_RULE)
