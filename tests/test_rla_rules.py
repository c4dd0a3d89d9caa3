"""Risk-limiting audit math (juwei.rules.rla) against published values, and the sampler."""

import hashlib
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from juwei.rules import rla
from juwei.rules.rla import Contest, Kind, Rule
from tests.conftest import examples

TEN = Fraction(1, 10)
FIVE = Fraction(1, 20)
SEED = "12345678901234567890"


def contest(votes: dict[str, int], ballots: int, winners: str, **extra: int) -> Contest:
    return Contest(
        ballots, votes, frozenset(winners), frozenset(set(votes) - set(winners)), **extra
    )


# ------------------------------------------------------------------ published sample sizes


@pytest.mark.parametrize(
    ("votes", "ballots", "limit", "polling", "comparison"),
    [
        # BRAVO paper (Lindeman, Stark, Yates 2012), Table 1: 60 % vs 40 % → ASN 119 at 10 %
        pytest.param(
            {"a": 60_000, "b": 40_000}, 100_000, TEN, 119, 27, id="bravo-table1-60-40-10pct"
        ),
        # … and 154 at 5 %
        pytest.param(
            {"a": 60_000, "b": 40_000}, 100_000, FIVE, 154, None, id="bravo-table1-60-40-5pct"
        ),
        # Arlo test value: 600/200/100 of 900 at 10 % → ASN 22
        pytest.param({"a": 600, "b": 200, "c": 100}, 900, TEN, 22, None, id="arlo-600-200-100"),
        # super-simple (Arlo): 30,000 vs 24,000 of 60,000 at 10 % → 54
        pytest.param({"a": 30_000, "b": 24_000}, 60_000, TEN, None, 54, id="supersimple-30k-24k"),
    ],
)
def test_published_sample_sizes(
    votes: dict[str, int],
    ballots: int,
    limit: Fraction,
    polling: int | None,
    comparison: int | None,
) -> None:
    sizes = rla.sample_sizes(contest(votes, ballots, "a"), limit)
    assert sizes.rule is Rule.SAMPLE
    if polling is not None:
        assert sizes.polling == polling
    if comparison is not None:
        assert sizes.comparison == comparison


def test_comparison_size_from_diluted_margin() -> None:
    assert rla.comparison_size(Fraction(1, 5), TEN) == 27  # 60,000 vs 40,000 of 100,000
    assert rla.comparison_size(Fraction(1, 10), TEN) == 54  # 30,000 vs 24,000 of 60,000


# ---------------------------------------------------------------------- decision table


@pytest.mark.parametrize(
    ("votes", "ballots", "winners", "extra", "rule"),
    [
        # rla.tied: a tie between the last winner and the best loser — full hand count
        pytest.param({"a": 50, "b": 50}, 100, "a", {}, Rule.TIED, id="rla.tied-pair"),
        # rla.tied: a reported winner short of the threshold (60 votes, needs 61): no margin
        pytest.param(
            {"a": 60, "b": 40},
            100,
            "a",
            {"threshold": 61},
            Rule.TIED,
            id="rla.tied-winner-below-threshold",
        ),
        # rla.sample_exceeds_ballots: one vote in 100 — both methods would pull every ballot
        pytest.param(
            {"a": 50, "b": 49},
            100,
            "a",
            {},
            Rule.SAMPLE_EXCEEDS_BALLOTS,
            id="rla.sample_exceeds_ballots",
        ),
        # rla.nothing_to_audit: nobody lost and no threshold
        pytest.param({"a": 70}, 100, "a", {}, Rule.NOTHING_TO_AUDIT, id="rla.nothing_to_audit"),
        # rla.sample: an uncontested seat with a threshold is audited on the threshold
        pytest.param(
            {"a": 700},
            1000,
            "a",
            {"threshold": 501},
            Rule.SAMPLE,
            id="rla.sample-uncontested-threshold",
        ),
        # rla.sample: a clear margin
        pytest.param({"a": 600, "b": 300}, 1000, "a", {}, Rule.SAMPLE, id="rla.sample"),
    ],
)
def test_decision_table(
    votes: dict[str, int], ballots: int, winners: str, extra: dict[str, int], rule: Rule
) -> None:
    sizes = rla.sample_sizes(contest(votes, ballots, winners, **extra), FIVE)
    assert sizes.rule is rule
    assert sizes.full_hand_count == (rule in (Rule.TIED, Rule.SAMPLE_EXCEEDS_BALLOTS))


def test_uncontested_threshold_below_majority_needs_sample() -> None:
    # 等额: a got 700 of 1,000 ballots and needed 501: audited as "share of a > 500/1000"
    sizes = rla.sample_sizes(contest({"a": 700}, 1000, "a", threshold=501), FIVE)
    (only,) = rla.assertions(contest({"a": 700}, 1000, "a", threshold=501))
    assert only.kind is Kind.ABOVE and only.margin == 200 and only.null == Fraction(1, 2)
    assert sizes.polling is not None and 0 < sizes.polling < 1000


def test_a_tied_contest_has_no_sample_size() -> None:
    (pair,) = rla.assertions(contest({"a": 50, "b": 50}, 100, "a"))
    with pytest.raises(ValueError, match="tied"):
        rla.bravo_asn(pair, 100, TEN)
    with pytest.raises(ValueError, match="tied"):
        rla.comparison_size(Fraction(0), TEN)


def test_multi_seat_office_has_every_winner_loser_pair() -> None:
    c = contest({"a": 50, "b": 40, "c": 30, "d": 20}, 100, "ab", threshold=None)
    pairs = {(a.winner, a.loser) for a in rla.assertions(c)}
    assert pairs == {("a", "c"), ("a", "d"), ("b", "c"), ("b", "d")}
    # the hardest pair (b vs c, margin 10) decides the comparison margin
    assert rla.sample_sizes(c, TEN).diluted_margin == Fraction(10, 100)


def test_unfilled_seats_add_below_threshold_assertions() -> None:
    c = contest({"a": 60, "b": 30}, 100, "a", threshold=51, unfilled=1)
    kinds = sorted(a.kind.value for a in rla.assertions(c))
    assert kinds == ["above", "below", "pair"]
    below = next(a for a in rla.assertions(c) if a.kind is Kind.BELOW)
    assert below.margin == 21  # b needs 51 and has 30


@pytest.mark.parametrize("limit", [Fraction(0), Fraction(1), Fraction(-1, 10), Fraction(3, 2)])
def test_risk_limit_must_be_between_0_and_1(limit: Fraction) -> None:
    with pytest.raises(ValueError, match="risk limit"):
        rla.comparison_size(Fraction(1, 5), limit)


# -------------------------------------------------------------------------- BRAVO risk


def test_bravo_risk_by_hand() -> None:
    # 60/40: each ballot for a multiplies T by 1.2, for b by 0.8
    c = contest({"a": 60, "b": 40}, 100, "a")
    a, b = frozenset({"a"}), frozenset({"b"})
    measured = rla.bravo_risk(c, [a, a, a, b])
    assert measured.risk == pytest.approx(1 / (1.2**3 * 0.8))
    assert measured.draws == 4
    # neither / both: neutral
    assert rla.bravo_risk(c, [frozenset(), frozenset({"a", "b"})]).risk == 1.0


def test_bravo_confirms_at_the_sequential_threshold() -> None:
    # 1.2^n ≥ 10 needs n = 13 ballots for a in a row
    c = contest({"a": 60, "b": 40}, 100_000, "a")
    a = frozenset({"a"})
    assert not rla.bravo_risk(c, [a] * 12).confirmed(TEN)
    assert rla.bravo_risk(c, [a] * 13).confirmed(TEN)


winner_loser = st.tuples(st.integers(1, 10_000), st.integers(0, 10_000)).filter(
    lambda t: t[0] > t[1]
)


@settings(max_examples=examples(150), deadline=None)
@given(
    tallies=winner_loser,
    start=st.lists(st.sampled_from(["w", "l", "n", "wl"]), max_size=30),
)
def test_bravo_risk_never_rises_when_the_winner_gains(
    tallies: tuple[int, int], start: list[str]
) -> None:
    """Monotone: one more ballot for the winner never raises the measured risk, one more for
    the loser never lowers it."""
    vw, vl = tallies
    c = contest({"w": vw, "l": vl}, vw + vl + 5, "w")
    obs = [frozenset(x) - {"n"} for x in start]  # "wl": both, "n": neither
    base = rla.bravo_risk(c, obs).risk
    assert rla.bravo_risk(c, [*obs, frozenset({"w"})]).risk <= base
    assert rla.bravo_risk(c, [*obs, frozenset({"l"})]).risk >= base
    assert 0.0 <= base <= 1.0


# --------------------------------------------------------------------- comparison risk


def test_comparison_risk_without_discrepancies() -> None:
    c = contest({"a": 60_000, "b": 40_000}, 100_000, "a")
    same = (frozenset({"a"}), frozenset({"a"}))
    factor = 1 - 0.2 / (2 * 1.03905)
    assert rla.comparison_risk(c, [same] * 10).risk == pytest.approx(factor**10)
    # 27 clean ballots confirm the outcome at 10 %
    assert rla.comparison_risk(c, [same] * 27).confirmed(TEN)


@pytest.mark.parametrize(
    ("reported", "audited", "omega"),
    [
        # a one-vote overstatement: the record gave the winner a vote the paper does not show
        pytest.param({"a"}, set(), 1, id="one-vote-over"),
        # a two-vote overstatement: recorded for the winner, the paper votes for the loser
        pytest.param({"a"}, {"b"}, 2, id="two-vote-over"),
        # an understatement: the paper shows the winner, the record shows nobody
        pytest.param(set(), {"a"}, -1, id="one-vote-under"),
        pytest.param({"a"}, {"a"}, 0, id="agree"),
    ],
)
def test_overstatement(reported: set[str], audited: set[str], omega: int) -> None:
    c = contest({"a": 600, "b": 400}, 1000, "a")
    assert rla.overstatement(c, frozenset(reported), frozenset(audited)) == Fraction(omega, 200)


def test_an_overstatement_raises_the_comparison_risk() -> None:
    c = contest({"a": 600, "b": 400}, 1000, "a")
    clean = [(frozenset({"a"}), frozenset({"a"}))] * 20
    over = [*clean[:-1], (frozenset({"a"}), frozenset({"b"}))]
    assert rla.comparison_risk(c, over).risk > rla.comparison_risk(c, clean).risk


# ----------------------------------------------------------------------------- sampler


def test_sampler_matches_rivest_by_hand() -> None:
    serials = ["A000003", "A000001", "A000002"]
    drawn = rla.draw_sample(SEED, serials, 5)
    population = sorted(serials)
    for i, draw in enumerate(drawn, start=1):
        digest = hashlib.sha256(f"{SEED},{i}".encode()).hexdigest()
        assert draw.ticket == i
        assert draw.serial == population[int(digest, 16) % 3]


serial_lists = st.lists(
    st.text("ABC0123456789", min_size=1, max_size=8), min_size=1, max_size=60, unique=True
)
seeds = st.text("0123456789", min_size=20, max_size=30)


@settings(max_examples=examples(150), deadline=None)
@given(serials=serial_lists, seed=seeds, size=st.integers(0, 80), data=st.data())
def test_same_seed_same_serials_in_any_order(
    serials: list[str], seed: str, size: int, data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(serials))
    first = rla.draw_sample(seed, serials, size)
    assert first == rla.draw_sample(seed, list(shuffled), size)
    assert len(first) == size
    assert {d.serial for d in first} <= set(serials)
    # a sample extends: the first k draws of a larger sample are the sample of size k
    assert rla.draw_sample(seed, serials, size + 5)[:size] == first


@settings(max_examples=examples(100), deadline=None)
@given(serials=serial_lists, seed=seeds, data=st.data())
def test_without_replacement_never_repeats(
    serials: list[str], seed: str, data: st.DataObject
) -> None:
    size = data.draw(st.integers(0, len(serials)))
    drawn = rla.draw_sample(seed, serials, size, with_replacement=False)
    assert len({d.serial for d in drawn}) == size


def test_different_seeds_draw_differently() -> None:
    serials = [f"A{n:06d}" for n in range(1, 1001)]
    a = [d.serial for d in rla.draw_sample(SEED, serials, 20)]
    b = [d.serial for d in rla.draw_sample("98765432109876543210", serials, 20)]
    assert a != b


@pytest.mark.parametrize(
    "seed",
    [
        pytest.param("1234", id="too-short"),
        pytest.param("abcdefghijabcdefghij", id="not-digits"),
        pytest.param("", id="empty"),
    ],
)
def test_bad_seed_is_refused(seed: str) -> None:
    with pytest.raises(ValueError, match="20 decimal digits"):
        rla.draw_sample(seed, ["A1"], 1)


def test_full_width_seed_digits_are_accepted() -> None:
    assert rla.normalise_seed("１２３４５ ６７８９０ 1234567890") == "12345678901234567890"


def test_more_than_n_without_replacement_is_refused() -> None:
    with pytest.raises(ValueError, match="without replacement"):
        rla.draw_sample(SEED, ["a", "b"], 3, with_replacement=False)


@settings(max_examples=examples(150), deadline=None)
@given(
    tallies=winner_loser,
    history=st.lists(st.sampled_from(["agree", "over1", "over2", "under1"]), max_size=40),
)
def test_comparison_risk_falls_with_each_agreeing_ballot(
    tallies: tuple[int, int], history: list[str]
) -> None:
    """Kaplan–Markov: a ballot whose paper agrees with its record never raises the risk; an
    overstatement never lowers it; an understatement counts as an agreeing ballot."""
    vw, vl = tallies
    c = contest({"w": vw, "l": vl}, vw + vl + 10, "w")
    pairs = {
        "agree": (frozenset({"w"}), frozenset({"w"})),
        "over1": (frozenset({"w"}), frozenset()),
        "over2": (frozenset({"w"}), frozenset({"l"})),
        "under1": (frozenset(), frozenset({"w"})),
    }
    obs = [pairs[h] for h in history]
    base = rla.comparison_risk(c, obs).risk
    assert 0.0 <= base <= 1.0
    assert rla.comparison_risk(c, [*obs, pairs["agree"]]).risk <= base
    assert rla.comparison_risk(c, [*obs, pairs["over2"]]).risk >= base
    assert rla.comparison_risk(c, [*obs, pairs["under1"]]).risk == pytest.approx(
        rla.comparison_risk(c, [*obs, pairs["agree"]]).risk
    )


def test_threshold_of_one_vote() -> None:
    """A threshold of 1 vote (null share 0): one ballot for the winner confirms it outright."""
    c = contest({"a": 2}, 3, "a", threshold=1)
    (above,) = rla.assertions(c)
    assert above.null == 0
    assert rla.bravo_asn(above, 3, TEN) == 2  # expected draws until a ballot for a: 3/2
    assert rla.bravo_risk(c, [frozenset(), frozenset({"a"}), frozenset()]).risk == 0.0
    assert rla.bravo_risk(c, [frozenset()]).risk == 1.0
