"""juwei.rules.recall: sufficiency, the recall vote, the deadline and the bar, at their edges.

Decision tables: one row per case, the row id names the rule. Hypothesis: sufficiency is
monotone in signatures and independent of their order and duplicates.
"""

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from juwei.rules.charter import Charter, load_charter
from juwei.rules.recall import (
    bar_last_day,
    check_bar,
    decide_recall_vote,
    decide_sufficiency,
    distinct_signers,
    resignation_ends_recall,
    vote_deadline,
)
from tests.strategies import variant

QIANPAI = load_charter("qianpai")
URBAN = load_charter("urban-2018")
NANCHANGZHAI = load_charter("nanchangzhai")


def bases(voters: int, households: int = 0) -> dict[str, int | None]:
    return {"registered_voters": voters, "households": households}


# ------------------------------------------------------------------ sufficiency


@pytest.mark.parametrize(
    ("charter", "signers", "voters", "households_joined", "households", "sufficient", "rule"),
    [
        pytest.param(
            QIANPAI,
            200,
            1000,
            0,
            0,
            True,
            "recall.initiation.any_of[0]",
            id="any_of[0]-exactly-one-fifth-is-enough",
        ),
        pytest.param(
            QIANPAI, 199, 1000, 0, 0, False, "recall.initiation", id="any_of[0]-one-fewer-is-not"
        ),
        pytest.param(
            QIANPAI,
            201,
            1001,
            0,
            0,
            True,
            "recall.initiation.any_of[0]",
            id="any_of[0]-ceil-of-a-fifth-201-of-1001",
        ),
        pytest.param(
            QIANPAI,
            200,
            1001,
            0,
            0,
            False,
            "recall.initiation",
            id="any_of[0]-200-of-1001-is-short",
        ),
        pytest.param(
            QIANPAI,
            0,
            0,
            0,
            0,
            False,
            "recall.initiation",
            id="any_of[0]-empty-roll-never-sufficient",
        ),
        pytest.param(
            URBAN,
            150,
            1000,
            120,
            600,
            True,
            "recall.initiation.any_of[1]",
            id="any_of[1]-one-fifth-of-households-suffices-alone",
        ),
        pytest.param(
            URBAN,
            150,
            1000,
            119,
            600,
            False,
            "recall.initiation",
            id="any_of[1]-one-household-short",
        ),
        pytest.param(
            QIANPAI,
            150,
            1000,
            300,
            600,
            False,
            "recall.initiation",
            id="qianpai-has-no-household-alternative",
        ),
    ],
)
def test_sufficiency_table(
    charter: Charter,
    signers: int,
    voters: int,
    households_joined: int,
    households: int,
    sufficient: bool,
    rule: str,
) -> None:
    decision = decide_sufficiency(
        charter,
        {"registered_voters": signers, "households": households_joined},
        bases(voters, households),
    )
    assert decision.sufficient is sufficient
    assert decision.rule == rule
    assert decision.source == charter.recall.initiation.source
    first = decision.alternatives[0]
    assert (first.count, first.base) == (signers, voters)
    if voters:
        assert first.minimum == -(-voters // 5)


def test_alternatives_without_counts_are_shown_not_met() -> None:
    decision = decide_sufficiency(URBAN, {"registered_voters": 10}, bases(100, 40))
    groups, representatives = decision.alternatives[2], decision.alternatives[3]
    assert (groups.base_kind, groups.count, groups.met) == ("residents_groups", None, False)
    assert (representatives.base_kind, representatives.met) == ("representatives", False)
    assert decision.sufficient is False


def test_more_signers_than_voters_is_an_error_not_a_recall() -> None:
    with pytest.raises(ValueError, match="exceeds its base"):
        decide_sufficiency(QIANPAI, {"registered_voters": 11}, bases(10))


@given(
    voters=st.integers(min_value=1, max_value=3000),
    a=st.integers(min_value=0, max_value=3000),
    b=st.integers(min_value=0, max_value=3000),
)
def test_sufficiency_is_monotone_in_signatures(voters: int, a: int, b: int) -> None:
    low, high = sorted((min(a, voters), min(b, voters)))
    d_low = decide_sufficiency(QIANPAI, {"registered_voters": low}, bases(voters))
    d_high = decide_sufficiency(QIANPAI, {"registered_voters": high}, bases(voters))
    assert not d_low.sufficient or d_high.sufficient
    # and the threshold is exactly the minimum shown
    assert d_low.sufficient == (low >= d_low.alternatives[0].minimum)  # type: ignore[operator]


@given(
    signers=st.lists(st.integers(min_value=0, max_value=59), max_size=80),
    order=st.randoms(use_true_random=False),
)
def test_sufficiency_ignores_order_and_duplicates(signers: list[int], order: random.Random) -> None:
    shuffled = list(signers) + list(signers[: len(signers) // 2])  # duplicates
    order.shuffle(shuffled)

    def decide(people: list[int]) -> bool:
        count = len(distinct_signers(people))
        return decide_sufficiency(QIANPAI, {"registered_voters": count}, bases(60)).sufficient

    assert decide(signers) == decide(shuffled)
    assert decide(signers) == (len(set(signers)) >= 12)


# ------------------------------------------------------------------ the vote


@pytest.mark.parametrize(
    ("charter", "registered", "returned", "valid", "for_", "against", "passed", "rule"),
    [
        pytest.param(
            QIANPAI,
            70,
            40,
            40,
            20,
            20,
            False,
            "recall.passage.approval",
            id="approval-exactly-half-fails",
        ),
        pytest.param(
            QIANPAI,
            70,
            40,
            40,
            21,
            19,
            True,
            "recall.passage.approval",
            id="approval-one-more-than-half-passes",
        ),
        pytest.param(
            QIANPAI,
            70,
            40,
            36,
            20,
            10,
            False,
            "recall.passage.approval",
            id="approval-base-is-ballots-returned-not-valid",
        ),
        pytest.param(
            QIANPAI,
            70,
            40,
            40,
            21,
            0,
            True,
            "recall.passage.approval",
            id="abstentions-count-in-the-base",
        ),
        pytest.param(
            URBAN,
            100,
            50,
            50,
            50,
            0,
            False,
            "recall.passage.turnout",
            id="turnout-exactly-half-of-registered-fails",
        ),
        pytest.param(
            URBAN,
            100,
            51,
            51,
            26,
            25,
            True,
            "recall.passage.approval",
            id="turnout-one-more-than-half-then-approval",
        ),
        pytest.param(
            URBAN,
            100,
            51,
            51,
            25,
            26,
            False,
            "recall.passage.approval",
            id="turnout-met-approval-short",
        ),
        pytest.param(
            QIANPAI,
            240,
            5,
            5,
            4,
            1,
            False,
            "recall.passage.turnout",
            id="qianpai-5-of-240-void-居民会议-needs-过半数-SEED-第四条-S1-art-9",
        ),
        pytest.param(
            QIANPAI,
            240,
            121,
            121,
            61,
            60,
            True,
            "recall.passage.approval",
            id="qianpai-121-of-240-sit-then-过半数-approve",
        ),
    ],
)
def test_recall_vote_table(
    charter: Charter,
    registered: int,
    returned: int,
    valid: int,
    for_: int,
    against: int,
    passed: bool,
    rule: str,
) -> None:
    result = decide_recall_vote(
        charter,
        registered_voters=registered,
        ballots_returned=returned,
        valid_ballots=valid,
        votes_for=for_,
        votes_against=against,
    )
    assert result.passed is passed
    assert result.rule == rule
    assert result.source == charter.recall.passage.source
    assert result.abstentions == valid - for_ - against
    assert ("passes" if passed else "fails") in result.reason


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param(
            {
                "registered_voters": 10,
                "ballots_returned": 11,
                "valid_ballots": 11,
                "votes_for": 1,
                "votes_against": 0,
            },
            id="more-returned-than-registered",
        ),
        pytest.param(
            {
                "registered_voters": 10,
                "ballots_returned": 5,
                "valid_ballots": 6,
                "votes_for": 1,
                "votes_against": 0,
            },
            id="more-valid-than-returned",
        ),
        pytest.param(
            {
                "registered_voters": 10,
                "ballots_returned": 5,
                "valid_ballots": 5,
                "votes_for": 3,
                "votes_against": 3,
            },
            id="more-votes-than-valid",
        ),
        pytest.param(
            {
                "registered_voters": 10,
                "ballots_returned": 5,
                "valid_ballots": 5,
                "votes_for": -1,
                "votes_against": 0,
            },
            id="negative",
        ),
    ],
)
def test_recall_vote_refuses_broken_counts(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        decide_recall_vote(QIANPAI, **kwargs)


@pytest.mark.parametrize(
    ("mode", "returned", "met", "words"),
    [
        # recall.passage.turnout taken of the mode's base (S1 art 8, art 9): more than half
        pytest.param("direct", 61, True, "61 of 120 registered voters", id="direct-61-of-120"),
        pytest.param("direct", 60, False, "60 of 120 registered voters", id="direct-60-of-120"),
        pytest.param("household", 46, True, "46 of 91 households", id="household-46-of-91"),
        pytest.param("household", 45, False, "45 of 91 households", id="household-45-of-91"),
        pytest.param("representative", 5, True, "5 of 9 residents'", id="representative-5-of-9"),
        pytest.param("representative", 4, False, "4 of 9 residents'", id="representative-4-of-9"),
    ],
)
def test_recall_turnout_is_taken_of_the_mode_base(
    mode: str, returned: int, met: bool, words: str
) -> None:
    result = decide_recall_vote(
        URBAN,
        registered_voters=120,
        households=91,
        representatives=9,
        mode=mode,
        ballots_returned=returned,
        valid_ballots=returned,
        votes_for=returned,
        votes_against=0,
    )
    assert result.turnout is not None and result.turnout.met is met
    assert result.turnout.base == {"direct": 120, "household": 91, "representative": 9}[mode]
    assert result.passed is met
    if not met:
        assert result.rule == "recall.passage.turnout" and words in result.reason


def test_recall_in_a_mode_refuses_more_returned_than_its_base() -> None:
    with pytest.raises(ValueError, match="more ballots returned than representatives"):
        decide_recall_vote(
            URBAN,
            registered_voters=120,
            representatives=9,
            mode="representative",
            ballots_returned=10,
            valid_ballots=10,
            votes_for=10,
            votes_against=0,
        )


# ------------------------------------------------------------------ deadline, bar, resignation


@pytest.mark.parametrize(
    ("filed", "deadline"),
    [
        pytest.param(date(2027, 1, 10), date(2027, 2, 9), id="recall.vote.within_days-30"),
        pytest.param(date(2027, 2, 15), date(2027, 3, 17), id="recall.vote-across-february"),
    ],
)
def test_vote_deadline(filed: date, deadline: date) -> None:
    assert vote_deadline(QIANPAI, filed) == deadline


@pytest.mark.parametrize(
    ("vote_day", "on", "new_grounds", "barred"),
    [
        pytest.param(
            date(2027, 1, 30), date(2028, 1, 30), False, True, id="recall.bar-last-day-is-barred"
        ),
        pytest.param(
            date(2027, 1, 30), date(2028, 1, 31), False, False, id="recall.bar-day-after-is-free"
        ),
        pytest.param(
            date(2027, 1, 30), date(2027, 1, 30), False, True, id="recall.bar-vote-day-itself"
        ),
        pytest.param(
            date(2027, 1, 30), date(2027, 6, 1), True, False, id="recall.bar-new-grounds-lift-it"
        ),
        pytest.param(
            date(2028, 2, 29), date(2029, 2, 28), False, True, id="recall.bar-leap-day-ends-feb-28"
        ),
        pytest.param(
            date(2028, 2, 29), date(2029, 3, 1), False, False, id="recall.bar-leap-day-free-march-1"
        ),
    ],
)
def test_bar_table(vote_day: date, on: date, new_grounds: bool, barred: bool) -> None:
    check = check_bar(QIANPAI, failed_vote_days=[vote_day], on=on, new_grounds=new_grounds)
    assert check.barred is barred
    assert check.last_day == bar_last_day(QIANPAI, vote_day)
    assert check.rule == "recall.bar"


def test_no_failed_recall_no_bar() -> None:
    check = check_bar(QIANPAI, failed_vote_days=[], on=date(2027, 1, 1))
    assert (check.barred, check.last_day) == (False, None)


def test_bar_years_from_the_charter() -> None:
    two = variant(QIANPAI, **{"recall.bar.years": 2})
    assert bar_last_day(two, date(2027, 1, 30)) == date(2029, 1, 30)


@pytest.mark.parametrize(
    ("ends", "resigned", "vote_day", "ended"),
    [
        pytest.param(True, date(2027, 1, 20), None, True, id="recall.resignation-before-any-vote"),
        pytest.param(
            True,
            date(2027, 1, 20),
            date(2027, 1, 25),
            True,
            id="recall.resignation-before-the-vote-day",
        ),
        pytest.param(
            True,
            date(2027, 1, 25),
            date(2027, 1, 25),
            False,
            id="recall.resignation-on-the-vote-day-does-not",
        ),
        pytest.param(
            False, date(2027, 1, 20), None, False, id="recall.resignation-charter-says-it-goes-on"
        ),
    ],
)
def test_resignation_table(ends: bool, resigned: date, vote_day: date | None, ended: bool) -> None:
    charter = variant(QIANPAI, **{"recall.resignation.ends_recall": ends})
    assert resignation_ends_recall(charter, resigned_on=resigned, vote_day=vote_day) is ended
