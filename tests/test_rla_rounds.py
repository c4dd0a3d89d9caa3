"""Further rounds of a risk-limiting audit (issue 12 §5), as Arlo escalates: a new sample size
from the risk measured so far, drawn with the same seeded sampler, before a full hand count.

Simulated with Rivest's sampler (``rla.draw_sample``) and fixed seeds: with further rounds,
few correct outcomes reach a full hand count (before: BRAVO's expected sample and then the
hand count, about half the time), and wrong outcomes are still confirmed no more often than
the risk limit allows.
"""

from collections.abc import Callable
from fractions import Fraction

import pytest

from juwei.rules import rla
from juwei.rules.rla import Contest

TEN = Fraction(1, 10)
W, L, NONE = frozenset({"w"}), frozenset({"l"}), frozenset[str]()
N = 1000
SERIALS = [f"A{i:06d}" for i in range(N)]
POSITION = {serial: i for i, serial in enumerate(SERIALS)}
REPORTED = Contest(N, {"w": 600, "l": 400}, frozenset({"w"}), frozenset({"l"}))


def audit(
    seed: str,
    first: int,
    measure: Callable[[list[int]], bool],
    next_size: Callable[[list[int]], int],
) -> str:
    """Run one audit by rounds: draw ``first`` ballots, then while the risk is above the limit
    the next round's size, extending the same seeded sample, until the cumulative sample
    would reach N (full hand count, as Arlo). Returns "confirmed" or "hand count"."""
    total = first
    drawn = [POSITION[d.serial] for d in rla.draw_sample(seed, SERIALS, total)]
    while not measure(drawn):
        more = next_size(drawn)
        assert more > 0
        if total + more >= N:
            return "hand count"
        extended = rla.draw_sample(seed, SERIALS, total + more)  # the same seeded sampler
        drawn += [POSITION[d.serial] for d in extended[total:]]
        total += more
    return "confirmed"


def polling_share(papers: list[frozenset[str]], runs: int, outcome: str) -> float:
    first = rla.sample_sizes(REPORTED, TEN).polling
    assert first == 119  # BRAVO Table 1, 60 % vs 40 % at 10 %
    results = [
        audit(
            f"2026120600000000{k:06d}",
            first,
            lambda drawn: rla.bravo_risk(REPORTED, [papers[i] for i in drawn]).confirmed(TEN),
            lambda drawn: rla.bravo_next_round(REPORTED, [papers[i] for i in drawn], TEN),
        )
        for k in range(runs)
    ]
    return results.count(outcome) / runs


def comparison_share(
    records: list[frozenset[str]], papers: list[frozenset[str]], runs: int, outcome: str
) -> float:
    first = rla.sample_sizes(REPORTED, TEN).comparison
    assert first == 27  # super-simple, diluted margin 1/5 at 10 %

    def seen(drawn: list[int]) -> list[tuple[frozenset[str], frozenset[str]]]:
        return [(records[i], papers[i]) for i in drawn]

    results = [
        audit(
            f"2026120611111111{k:06d}",
            first,
            lambda drawn: rla.comparison_risk(REPORTED, seen(drawn)).confirmed(TEN),
            lambda drawn: rla.comparison_next_round(REPORTED, seen(drawn), TEN),
        )
        for k in range(runs)
    ]
    return results.count(outcome) / runs


def test_ballot_polling_rounds_spare_correct_outcomes_the_hand_count() -> None:
    """60/40 reported and true: one round then a hand count did so in about half the audits;
    with further rounds fewer than 10 % of them reach a full hand count."""
    papers = [W] * 600 + [L] * 400
    assert polling_share(papers, 200, "hand count") < 0.10


def test_ballot_polling_rounds_keep_the_risk_limit_for_a_wrong_outcome() -> None:
    """60/40 reported, 50/50 on paper (the reported winner did not win): confirmed in at most
    10 % of the audits (the risk limit); the rest go to a full hand count."""
    papers = [W] * 500 + [L] * 500
    assert polling_share(papers, 200, "confirmed") <= 0.10


def test_comparison_rounds_spare_a_correct_outcome_with_a_few_errors() -> None:
    """1 % of the records overstate the winner by one vote (recorded for w, blank on paper):
    the first round's 27 ballots hold one about a quarter of the time, which went straight
    to a hand count; with further rounds fewer than 10 % of the audits do."""
    records = [W] * 600 + [L] * 400
    papers = [NONE] * 10 + records[10:]
    assert comparison_share(records, papers, 200, "hand count") < 0.10


def test_comparison_rounds_keep_the_risk_limit_for_a_wrong_outcome() -> None:
    """100 records for w are for l on paper: a 500/500 tie, the outcome is not confirmed by
    the paper; confirmed in at most 10 % of the audits."""
    records = [W] * 600 + [L] * 400
    papers = [L] * 100 + records[100:]
    assert comparison_share(records, papers, 200, "confirmed") <= 0.10


# ---------------------------------------------------------------- next-round decision table


@pytest.mark.parametrize(
    ("observed", "expected"),
    [
        # rla.bravo_next_round: T reached 1/α → nothing more to draw
        pytest.param([W] * 13, 0, id="confirmed-no-next-round"),
        # nothing seen yet: the size that completes 90 % of the time, well above the ASN 119
        pytest.param([], 351, id="nothing-seen-90pct-size"),
        # after a sample that went badly (60 vs 59), a larger round
        pytest.param([W] * 60 + [L] * 59, 510, id="even-sample-larger-round"),
        # T = 1.2^11 just short of 10: still enough draws that the drift beats the noise
        pytest.param([W] * 11, 189, id="nearly-confirmed"),
    ],
)
def test_bravo_next_round_sizes(observed: list[frozenset[str]], expected: int) -> None:
    """Arlo bravo.bravo_sample_sizes (Lindeman), probability of completion 0.9."""
    assert rla.bravo_next_round(REPORTED, observed, TEN) == expected


@pytest.mark.parametrize(
    ("observed", "expected"),
    [
        # rla.comparison_next_round: no discrepancy in 27 → confirmed, 0
        pytest.param([(W, W)] * 27, 0, id="clean-first-round-confirmed"),
        # one one-vote overstatement in 27: Arlo's rates → stopping size 38, 11 more
        pytest.param([(W, NONE)] + [(W, W)] * 26, 11, id="one-overstatement-11-more"),
        # a two-vote overstatement in 27: at that rate the test cannot converge (Arlo: the
        # denominator is ≥ 0) → N, a full hand count
        pytest.param([(W, L)] + [(W, W)] * 26, 1000, id="two-vote-rate-hand-count"),
        # … one in 40 (risk 0.46) can still be outgrown: n0 121, 3 expected, total 127
        pytest.param([(W, L)] + [(W, W)] * 39, 87, id="two-vote-in-40-more"),
    ],
)
def test_comparison_next_round_sizes(
    observed: list[tuple[frozenset[str], frozenset[str]]], expected: int
) -> None:
    """Arlo supersimple.get_sample_sizes with the observed discrepancy rates."""
    assert rla.comparison_next_round(REPORTED, observed, TEN) == expected


@pytest.mark.parametrize(
    ("winner", "runner_up", "completion", "expected"),
    [
        pytest.param(4000, 3200, 0.9, 1599, id="arlo-40-32-p90"),
        pytest.param(3600, 3200, 0.9, 6067, id="arlo-36-32-p90"),
        pytest.param(5200, 4700, 0.9, 5657, id="arlo-52-47-p90"),
        pytest.param(4000, 3200, 0.4, 409, id="arlo-40-32-p40"),
        # Arlo's Decimal(0.36) + Decimal(0.32) floats round one ballot higher: 2476
        pytest.param(3600, 3200, 0.6, 2475, id="arlo-36-32-p60-within-one"),
    ],
)
def test_round_size_matches_arlos_published_values(
    winner: int, runner_up: int, completion: float, expected: int
) -> None:
    """Arlo tests/audit_math/test_bravo.py::test_bravo_sample_sizes (N = 10,000, α = 10 %)."""
    votes = {"w": winner, "l": runner_up, "o": 10_000 - winner - runner_up}
    contest = Contest(10_000, votes, frozenset({"w"}), frozenset({"l", "o"}))
    pair = next(a for a in rla.assertions(contest) if a.loser == "l")
    assert rla._bravo_round(pair, 0.0, 10_000, 0.1, completion) == expected


def test_next_round_of_a_tied_contest_is_refused() -> None:
    tied = Contest(10, {"w": 5, "l": 5}, frozenset({"w"}), frozenset({"l"}))
    with pytest.raises(ValueError, match="tied"):
        rla.bravo_next_round(tied, [], TEN)
    with pytest.raises(ValueError, match="tied"):
        rla.comparison_next_round(tied, [], TEN)


def test_a_further_round_extends_the_same_draws() -> None:
    """Round 2 continues the tickets of round 1: its first draws are round 1's."""
    first = rla.draw_sample("20261206000000000000", SERIALS, 119)
    both = rla.draw_sample("20261206000000000000", SERIALS, 119 + 351)
    assert both[:119] == first and [d.ticket for d in both[119:]] == list(range(120, 471))
