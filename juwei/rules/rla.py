"""Risk-limiting audits of the paper ballots (风险限制审计): pure math, no DB, no I/O.

Two methods, as VotingWorks Arlo implements them:

* **Ballot polling, BRAVO** (Lindeman, Stark and Yates, "BRAVO: Ballot-polling Risk-limiting
  Audits to Verify Outcomes", EVT/WOTE 2012). For each reported winner ``w`` and loser ``l``
  of an office, the sequential probability ratio test of "``w`` really got more votes than
  ``l``": every sampled ballot that shows ``w`` and not ``l`` multiplies the test statistic
  ``T`` by ``s/(1/2)``, every ballot that shows ``l`` and not ``w`` by ``(1-s)/(1/2)``, where
  ``s = v_w / (v_w + v_l)`` is ``w``'s reported share of the pair; a ballot showing both or
  neither is neutral. The measured risk is ``min(1, 1/T)``; the assertion is confirmed when
  it is at most the risk limit. The expected sample size (ASN) is the paper's
  ``(ln(1/α) + z_w/2) / (p_w z_w + p_l z_l)`` with ``z_w = ln 2s``, ``z_l = ln(2 - 2s)`` and
  ``p_w``, ``p_l`` the vote shares of all ballots (Arlo ``bravo.get_expected_sample_sizes``):
  119 for 60/40 at 10 %, 154 at 5 % (BRAVO Table 1).
* **Ballot comparison, "super-simple"** (Stark, "Super-simple simultaneous single-ballot
  risk-limiting audits", EVT/WOTE 2010; the Kaplan–Markov P-value of Lindeman and Stark, "A
  gentle introduction to risk-limiting audits", 2012) with γ = 1.03905 as in Stark's tools,
  Colorado's RLA tool and Arlo. Each sampled paper ballot is compared with its recorded
  entry (its cast vote record): the overstatement ``ω`` of an assertion is how much the record
  overstates its margin on that ballot; the taint is ``max ω_a / V_a`` over the assertions
  (``V_a`` the margin in votes); with ``μ`` the smallest diluted margin (``min V_a / N``) the
  risk is ``Π (1 - μ/(2γ)) / (1 - taint · μN/(2γ))``. Sample size: Arlo's
  ``supersimple.get_sample_sizes`` (one-vote over- and understatements expected at 1 in
  1,000, rounded up, two-vote at 1 in 10,000): 27 for 60,000 vs 40,000 of 100,000 at 10 %,
  54 for 30,000 vs 24,000 of 60,000.

Assertions (what must be true for the reported outcome of one office to be right):

* ``pair`` — every reported winner has more votes than every reported loser;
* ``above`` — where the round has a threshold (当选票数, e.g. 过半数), every winner has at
  least ``t`` votes: ballot-polling tests "share of ballots for ``w`` > (t-1)/N";
* ``below`` — where seats were left unfilled, every loser has fewer than ``t`` votes.

A share assertion ``(s, q)`` is tested like a pair with null share ``q`` instead of 1/2: a
supporting ballot multiplies ``T`` by ``s/q``, an opposing one by ``(1-s)/(1-q)``.

Counts are ints and shares exact ``Fraction``; sample sizes are computed in ``Decimal`` (as
Arlo does); floats appear only in the measured risk itself.

The sampler (``draw_sample``) is Rivest's 2011 reference sampler: the serials are sorted
(code point order), and draw ``i = 1, 2, …`` picks position ``int(SHA-256(seed + "," + i),
16) mod N``. With replacement (the default, which BRAVO and Kaplan–Markov assume) a serial
may be drawn more than once and is then counted once per draw; without replacement a repeat
is skipped. Anyone can recompute the draws in a few lines of any language from the seed the
committee picked in public (e.g. 20 rolls of a ten-sided die) and the list of serials.
"""

import hashlib
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from statistics import NormalDist

GAMMA = Decimal("1.03905")
"""Stark's γ, as in Arlo, AGI and Colorado's CORLA."""
EXPECTED_ONE_VOTE = Decimal("0.001")
"""Expected rate of one-vote over- and understatements (Arlo's o1, u1)."""
EXPECTED_TWO_VOTE = Decimal("0.0001")
"""Expected rate of two-vote over- and understatements (Arlo's o2, u2)."""
MIN_SEED_DIGITS = 20
"""A seed is at least 20 decimal digits (20 rolls of a ten-sided die: about 66 bits)."""


class Kind(StrEnum):
    """What an assertion claims."""

    PAIR = "pair"
    """A winner has more votes than a loser."""
    ABOVE = "above"
    """A winner reached the threshold (at least ``t`` votes)."""
    BELOW = "below"
    """A loser stayed under the threshold (fewer than ``t`` votes)."""


@dataclass(frozen=True)
class Assertion:
    """One claim the reported outcome rests on.

    ``winner``/``loser``: persons (``loser`` is empty for ``above``, ``winner`` for
    ``below``); ``share``: the reported share ``s`` (of the pair's votes for ``pair``, of all
    ballots for ``above``/``below`` — for ``below`` the share of ballots *not* for the
    loser); ``null``: the share under the hypothesis that the outcome is wrong (1/2 for a
    pair); ``margin``: the margin in votes (``v_w - v_l``; ``v_w - (t-1)``; ``t - v_l``); a
    margin of 0 or less cannot be audited (full hand count); ``supporting``/``opposing``:
    the reported number of ballots that support / oppose it (``v_w``/``v_l`` for a pair;
    ``v_w``/``N - v_w`` for ``above``; ``N - v_l``/``v_l`` for ``below``).
    """

    kind: Kind
    winner: str
    loser: str
    share: Fraction
    null: Fraction
    margin: int
    supporting: int
    opposing: int

    def side(self, votes: frozenset[str]) -> int:
        """How a ballot voting for ``votes`` (persons, one office) bears on the assertion:
        +1 supports it, -1 opposes it, 0 is neutral (a pair's ballot showing both or
        neither)."""
        if self.kind is Kind.PAIR:
            return (self.winner in votes) - (self.loser in votes)
        if self.kind is Kind.ABOVE:
            return 1 if self.winner in votes else -1
        return -1 if self.loser in votes else 1

    def score(self, votes: frozenset[str]) -> int:
        """The ballot's contribution to the assertion's margin, in votes (for comparison)."""
        if self.kind is Kind.PAIR:
            return (self.winner in votes) - (self.loser in votes)
        if self.kind is Kind.ABOVE:
            return 1 if self.winner in votes else 0
        return 0 if self.loser in votes else 1

    def label(self) -> str:
        """A short readable name: ``A > B``, ``A ≥ t``, ``B < t``."""
        if self.kind is Kind.PAIR:
            return f"{self.winner} > {self.loser}"
        if self.kind is Kind.ABOVE:
            return f"{self.winner} ≥ threshold"
        return f"{self.loser} < threshold"


@dataclass(frozen=True)
class Contest:
    """One office as reported: ``ballots`` N (ballots cast, returned), ``votes`` per person,
    ``winners`` (reported elected), ``losers`` (reported not elected and still in the
    contest), ``threshold``: the minimum votes to be elected (当选票数) or None, ``unfilled``:
    seats left unfilled (then losers must stay under the threshold)."""

    ballots: int
    votes: Mapping[str, int]
    winners: frozenset[str]
    losers: frozenset[str]
    threshold: int | None = None
    unfilled: int = 0

    def __post_init__(self) -> None:
        if self.ballots < 0 or any(v < 0 for v in self.votes.values()):
            raise ValueError("ballots and votes must not be negative")
        if self.winners & self.losers:
            raise ValueError("a person cannot both win and lose")


def assertions(contest: Contest) -> tuple[Assertion, ...]:
    """Every assertion of ``contest``, in a fixed order (winners then losers, sorted).

    Shares are exact fractions. A pair whose two tallies are both 0 gets share 1/2 and margin
    0 (a tie). ``above``/``below`` only when ``contest.threshold`` is given and N > 0.
    """
    found: list[Assertion] = []
    n = contest.ballots
    votes = contest.votes
    for w in sorted(contest.winners):
        for loser in sorted(contest.losers):
            vw, vl = votes.get(w, 0), votes.get(loser, 0)
            share = Fraction(vw, vw + vl) if vw + vl else Fraction(1, 2)
            found.append(Assertion(Kind.PAIR, w, loser, share, Fraction(1, 2), vw - vl, vw, vl))
    t = contest.threshold
    if t is not None and n > 0:
        for w in sorted(contest.winners):
            vw = votes.get(w, 0)
            found.append(
                Assertion(
                    Kind.ABOVE,
                    w,
                    "",
                    Fraction(vw, n),
                    Fraction(max(t - 1, 0), n),
                    vw - t + 1,
                    vw,
                    n - vw,
                )
            )
        if contest.unfilled > 0:
            for loser in sorted(contest.losers):
                vl = votes.get(loser, 0)
                found.append(
                    Assertion(
                        Kind.BELOW,
                        "",
                        loser,
                        Fraction(n - vl, n),
                        Fraction(max(n - t, 0), n),
                        t - vl,
                        n - vl,
                        vl,
                    )
                )
    return tuple(found)


# ------------------------------------------------------------------------------- decisions


class Rule(StrEnum):
    """Why an office is audited as it is (each decision names one)."""

    SAMPLE = "rla.sample"
    """The margins allow a sample: audit it."""
    NOTHING_TO_AUDIT = "rla.nothing_to_audit"
    """No assertion: nobody lost and no threshold applies (e.g. no candidate)."""
    TIED = "rla.tied"
    """A margin of 0 or less (a tie, or a winner short of the threshold): full hand count."""
    SAMPLE_EXCEEDS_BALLOTS = "rla.sample_exceeds_ballots"
    """The margin is so small that the sample would be all the ballots: full hand count."""


@dataclass(frozen=True)
class SampleSizes:
    """Sample sizes of one office: ``polling`` (BRAVO ASN) and ``comparison`` (super-simple),
    None when the office goes to a full hand count or needs no audit; ``rule`` names why;
    ``diluted_margin``: the smallest margin over N (exact)."""

    polling: int | None
    comparison: int | None
    rule: Rule
    diluted_margin: Fraction | None

    @property
    def full_hand_count(self) -> bool:
        """True when this office must be counted again by hand, every ballot."""
        return self.rule in (Rule.TIED, Rule.SAMPLE_EXCEEDS_BALLOTS)


def _alpha(risk_limit: Fraction) -> Decimal:
    if not 0 < risk_limit < 1:
        raise ValueError("the risk limit must be between 0 and 1")
    return Decimal(risk_limit.numerator) / Decimal(risk_limit.denominator)


def _dec(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def bravo_asn(assertion: Assertion, ballots: int, risk_limit: Fraction) -> int:
    """BRAVO's average sample number (ballots) for one assertion, before any draw.

    ``ballots``: N. Pair: ``p_w = v_w/N`` and ``p_l = v_l/N`` weight the two steps (Arlo);
    share assertions: ``s`` and ``1-s``. Raises ``ValueError`` for a margin ≤ 0 (a tied
    contest has no sample size) or N = 0.
    """
    if assertion.margin <= 0 or ballots <= 0:
        raise ValueError("Cannot compute a sample size for a tied contest")
    alpha = _alpha(risk_limit)
    with localcontext() as ctx:
        ctx.prec = 40
        s, q = _dec(assertion.share), _dec(assertion.null)
        p_plus = _dec(Fraction(assertion.supporting, ballots))
        p_minus = _dec(Fraction(assertion.opposing, ballots))
        if q == 0:  # "at least one vote": one supporting ballot refutes the null outright
            return int((1 / p_plus).to_integral_value(rounding=ROUND_CEILING))
        z_plus = (s / q).ln()
        z_minus = ((1 - s) / (1 - q)).ln() if s < 1 else Decimal(0)
        drift = p_plus * z_plus + p_minus * z_minus
        size = ((1 / alpha).ln() + z_plus / 2) / drift
        return int(size.to_integral_value(rounding=ROUND_CEILING))


def comparison_size(diluted_margin: Fraction, risk_limit: Fraction) -> int:
    """Super-simple ballot-comparison sample size (ballots), Arlo's formula.

    ``n0 = ceil(ln α / (ln(1 - μ/(2γ)) - Σ r ln(…)))`` with the expected error rates; then the
    one-vote counts ``ceil(r·n0)`` go into ``n = ceil(-2γ (ln α + Σ o ln(…)) / μ)``. Raises
    ``ValueError`` for ``μ ≤ 0``.
    """
    if diluted_margin <= 0:
        raise ValueError("Cannot compute a sample size for a tied contest")
    alpha = _alpha(risk_limit)
    with localcontext() as ctx:
        ctx.prec = 40
        mu = _dec(diluted_margin)
        g = GAMMA
        o1 = u1 = EXPECTED_ONE_VOTE
        o2 = u2 = EXPECTED_TWO_VOTE
        over1, over2 = (1 - 1 / (2 * g)).ln(), (1 - 1 / g).ln()
        under1, under2 = (1 + 1 / (2 * g)).ln(), (1 + 1 / g).ln()
        base = 1 - mu / (2 * g)
        if base <= 0:
            return 1
        denom = base.ln() - o1 * over1 - o2 * over2 - u1 * under1 - u2 * under2
        if denom >= 0:
            raise ValueError("the margin is too small for a comparison audit")
        n0 = (alpha.ln() / denom).to_integral_value(rounding=ROUND_CEILING)
        c1 = (o1 * n0).to_integral_value(rounding=ROUND_CEILING)
        d1 = (u1 * n0).to_integral_value(rounding=ROUND_CEILING)
        inner = alpha.ln() + c1 * over1 + o2 * over2 + d1 * under1 + u2 * under2
        n = (-2 * g * inner / mu).to_integral_value(rounding=ROUND_CEILING)
        return max(int(n), 1)


def sample_sizes(contest: Contest, risk_limit: Fraction) -> SampleSizes:
    """Both sample sizes of one office and the rule that decides how it is audited.

    Decision table: no assertion → ``rla.nothing_to_audit``; any margin ≤ 0 →
    ``rla.tied`` (full hand count); a size ≥ N for both methods → ``rla.sample_exceeds_ballots``
    (full hand count); else ``rla.sample``. A method whose size reaches N is reported as
    None (that method would pull every ballot).
    """
    found = assertions(contest)
    if not found:
        return SampleSizes(None, None, Rule.NOTHING_TO_AUDIT, None)
    if any(a.margin <= 0 for a in found) or contest.ballots <= 0:
        return SampleSizes(None, None, Rule.TIED, Fraction(0))
    n = contest.ballots
    mu = min(Fraction(a.margin, n) for a in found)
    polling: int | None = max(bravo_asn(a, n, risk_limit) for a in found)
    try:
        comparison: int | None = comparison_size(mu, risk_limit)
    except ValueError:
        comparison = None
    if polling is not None and polling >= n:
        polling = None
    if comparison is not None and comparison >= n:
        comparison = None
    if polling is None and comparison is None:
        return SampleSizes(None, None, Rule.SAMPLE_EXCEEDS_BALLOTS, mu)
    return SampleSizes(polling, comparison, Rule.SAMPLE, mu)


# ------------------------------------------------------------------------------ measuring


@dataclass(frozen=True)
class Measured:
    """The measured risk of one office: ``risk`` (the largest over its assertions, at most
    1), ``by_assertion`` (each assertion's risk, same order as ``assertions``), ``draws``:
    the observations used."""

    risk: float
    by_assertion: tuple[float, ...]
    draws: int

    def confirmed(self, risk_limit: Fraction) -> bool:
        """True when the measured risk is at most the limit (compared exactly)."""
        return Fraction(self.risk) <= risk_limit


def bravo_statistics(
    contest: Contest, observations: Iterable[frozenset[str]]
) -> tuple[tuple[float, ...], int]:
    """BRAVO's test statistics after ``observations``: ``ln T`` per assertion (same order as
    ``assertions``; ``inf`` when one ballot confirmed it outright, ``-inf`` when one ballot
    refuted it) and the number of draws. Raises ``ValueError`` for a margin ≤ 0."""
    found = assertions(contest)
    if any(a.margin <= 0 for a in found):
        raise ValueError("a tied contest cannot be audited by sampling")
    logs = [0.0] * len(found)
    steps = [
        (
            math.log(a.share / a.null) if a.null > 0 else math.inf,
            math.log((1 - a.share) / (1 - a.null)) if a.share < 1 else -math.inf,
        )
        for a in found
    ]
    draws = 0
    for votes in observations:
        draws += 1
        for i, a in enumerate(found):
            if logs[i] in (math.inf, -math.inf):
                continue  # refuted or confirmed outright: nothing can change it
            side = a.side(votes)
            if side > 0:
                logs[i] += steps[i][0]
            elif side < 0:
                logs[i] += steps[i][1]
    return tuple(logs), draws


def bravo_risk(contest: Contest, observations: Iterable[frozenset[str]]) -> Measured:
    """BRAVO's measured risk after ``observations`` (one per draw, in draw order: the persons
    the paper ballot votes for in this office; a ballot drawn twice appears twice).

    Per assertion ``T`` starts at 1; a supporting ballot multiplies it by ``s/q``, an
    opposing one by ``(1-s)/(1-q)``; risk ``min(1, 1/T)``. Computed in logarithms (float: the
    risk measure only). Raises ``ValueError`` for an assertion with margin ≤ 0.
    """
    logs, draws = bravo_statistics(contest, observations)
    risks = tuple(min(1.0, math.exp(-x)) if x != -math.inf else 1.0 for x in logs)
    return Measured(max(risks, default=0.0), risks, draws)


def overstatement(contest: Contest, reported: frozenset[str], audited: frozenset[str]) -> Fraction:
    """The taint of one ballot: ``max over assertions of ω/V`` where ``ω`` = (the record's
    score − the paper's score) for the assertion and ``V`` its margin (0 when none is
    overstated; negative when the record only understates). Exact."""
    found = assertions(contest)
    if not found:
        return Fraction(0)
    return max(Fraction(a.score(reported) - a.score(audited), a.margin) for a in found)


def comparison_risk(
    contest: Contest, observations: Iterable[tuple[frozenset[str], frozenset[str]]]
) -> Measured:
    """Kaplan–Markov risk of a ballot-comparison audit after ``observations`` (one per draw,
    in draw order: (the votes the count recorded, the votes the paper shows) for this office).

    ``risk = min(1, Π (1 - μ/(2γ)) / (1 - taint·μN/(2γ)))`` with ``μ`` the smallest diluted
    margin and N the ballots; an understatement (negative taint) counts as none
    (conservative, as Arlo). Raises ``ValueError`` for a margin ≤ 0.
    """
    found = assertions(contest)
    if any(a.margin <= 0 for a in found):
        raise ValueError("a tied contest cannot be audited by sampling")
    if not found:
        return Measured(0.0, (), 0)
    n = contest.ballots
    v = min(a.margin for a in found)
    mu = Fraction(v, n)
    gamma = Fraction(GAMMA)
    log_p = 0.0
    draws = 0
    for reported, audited in observations:
        draws += 1
        taint = max(overstatement(contest, reported, audited), Fraction(0))
        factor = (1 - mu / (2 * gamma)) / (1 - taint * v / (2 * gamma))
        log_p += math.log(factor)
    risk = min(1.0, math.exp(log_p))
    return Measured(risk, (risk,) * len(found), draws)


# ------------------------------------------------------------------------ further rounds

ROUND_COMPLETION = Fraction(9, 10)
"""The chance that the next round completes the audit if the reported outcome is right: Arlo
picks its "0.9" option automatically for every round after the first
(``api/sample_sizes.autoselect_sample_size``)."""


def _binomial_quantile(q: float, n: int, p: float) -> int:
    """The smallest ``k`` with P(X ≤ k) ≥ ``q`` for X ~ Binomial(``n``, ``p``) (scipy's
    ``binom.ppf``), summed in logarithms so that large ``n`` does not underflow."""
    if p >= 1:
        return n
    if p <= 0:
        return 0
    total = 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    head = math.lgamma(n + 1)
    for k in range(n + 1):
        total += math.exp(
            head - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q
        )
        if total >= q:
            return k
    return n


def _bravo_round(
    assertion: Assertion, log_t: float, ballots: int, alpha: float, completion: float
) -> int:
    """Ballots still to draw so that ``assertion`` is confirmed with chance ``completion`` if
    the reported shares are right: Lindeman's analytic calculation in Arlo
    (``bravo.bravo_sample_sizes``), generalised to a null share ``q`` (steps ``ln(s/q)`` and
    ``ln((1-s)/(1-q))``), starting from the statistic ``ln T`` measured so far.

    Among the ballots that bear on the assertion (a pair's ballots for either person, every
    ballot for a share assertion) ``x`` of ``m`` support it, x ~ Binomial(m, s); the smallest
    ``m`` whose ``(1 - completion)`` quantile of ``x`` reaches ``ln(1/α) - ln T`` is scaled up
    by the share of ballots that bear on it. 0 when already confirmed; capped at N.
    """
    threshold = math.log(1 / alpha) - log_t
    if threshold <= 0:
        return 0
    relevant = Fraction(assertion.supporting + assertion.opposing, ballots)
    if relevant <= 0:
        return ballots
    s = float(assertion.share)
    if assertion.null == 0:  # one supporting ballot confirms: P(none in m) ≤ 1 - completion
        m = 1 if s >= 1 else math.ceil(math.log(1 - completion) / math.log1p(-s))
        return min(math.ceil(m / relevant), ballots)
    plus = math.log(s / float(assertion.null))
    if s >= 1:  # every bearing ballot supports: ceil(threshold / plus) of them
        m = math.ceil(threshold / plus)
        return min(math.ceil(m / relevant), ballots)
    minus = math.log((1 - s) / (1 - float(assertion.null)))
    z = -NormalDist().inv_cdf(completion)
    d, f = s * (1 - s), threshold / (plus - minus)
    g = minus / (plus - minus) + s
    qa, qb, qc = g * g, -(z * z * d + 2 * f * g), f * f
    radical = math.sqrt(max(0.0, qb * qb - 4 * qa * qc))
    m = max(math.floor(((-qb + radical) if completion > 0.5 else (-qb - radical)) / (2 * qa)), 1)
    limit = math.floor(ballots * relevant)
    while m < limit:  # the estimate is close; make it sure (Lindeman's loop)
        x = _binomial_quantile(1 - completion, m, s)
        if x * plus + (m - x) * minus >= threshold:
            break
        m += 1
    return min(math.ceil(m / relevant), ballots)


def bravo_next_round(
    contest: Contest,
    observations: Iterable[frozenset[str]],
    risk_limit: Fraction,
    completion: Fraction = ROUND_COMPLETION,
) -> int:
    """The size of the next round of a ballot-polling audit (new draws, added to the sample):
    the largest over the assertions not yet confirmed of ``_bravo_round`` from the test
    statistic of ``observations`` (the draws so far, in draw order). 0 when every assertion
    is confirmed; N or more means a full hand count (Arlo: a cumulative sample of N ballots).
    Raises ``ValueError`` for a margin ≤ 0.
    """
    alpha = float(_alpha(risk_limit))
    logs, _draws = bravo_statistics(contest, observations)
    sizes = [
        _bravo_round(a, x, contest.ballots, alpha, float(completion))
        for a, x in zip(assertions(contest), logs, strict=True)
        if x != math.inf
    ]
    return max(sizes, default=0)


def comparison_next_round(
    contest: Contest,
    observations: Iterable[tuple[frozenset[str], frozenset[str]]],
    risk_limit: Fraction,
) -> int:
    """The size of the next round of a ballot-comparison audit (new draws), Arlo's
    ``supersimple.get_sample_sizes`` with the sample so far: the one- and two-vote
    overstatement rates observed (a taint up to one vote of the smallest margin, and above)
    replace the expected ones, understatements are ignored (conservative), ``n0`` and the
    expected counts give the total sample, and the draws already made are subtracted. At
    least 1 while the risk is above the limit; capped at N. Raises ``ValueError`` for a
    margin ≤ 0.
    """
    found = assertions(contest)
    if any(a.margin <= 0 for a in found):
        raise ValueError("a tied contest cannot be audited by sampling")
    if not found:
        return 0
    seen = list(observations)
    if comparison_risk(contest, seen).confirmed(risk_limit):
        return 0
    n, v = contest.ballots, min(a.margin for a in found)
    one = two = 0
    for reported, audited in seen:
        votes = overstatement(contest, reported, audited) * v  # in votes of the margin
        if votes > 1:
            two += 1
        elif votes > 0:
            one += 1
    alpha = _alpha(risk_limit)
    with localcontext() as ctx:
        ctx.prec = 40
        g, mu = GAMMA, _dec(Fraction(v, n))
        r1 = Decimal(one) / len(seen) if seen else EXPECTED_ONE_VOTE
        r2 = Decimal(two) / len(seen) if seen else EXPECTED_TWO_VOTE
        over1, over2 = (1 - 1 / (2 * g)).ln(), (1 - 1 / g).ln()
        base = 1 - mu / (2 * g)
        denom = (base.ln() if base > 0 else Decimal(-1)) - r1 * over1 - r2 * over2
        if denom >= 0:
            return n
        n0 = (alpha.ln() / denom).to_integral_value(rounding=ROUND_CEILING)
        o1 = (r1 * n0).to_integral_value(rounding=ROUND_CEILING)
        o2 = (r2 * n0).to_integral_value(rounding=ROUND_HALF_UP)
        total = (-2 * g * (alpha.ln() + o1 * over1 + o2 * over2) / mu).to_integral_value(
            rounding=ROUND_CEILING
        )
        stopping = min(max(int(total), int(o1 + o2)), n)
    return min(max(stopping - len(seen), 1), n)


# ------------------------------------------------------------------------------- sampling


@dataclass(frozen=True)
class Draw:
    """One draw of the sampler: ``ticket`` (the index ``i`` hashed), ``serial`` drawn."""

    ticket: int
    serial: str


def normalise_seed(seed: str) -> str:
    """The seed as decimal digits (NFKC: full-width digits accepted; spaces dropped).

    Raises ``ValueError`` unless it is at least ``MIN_SEED_DIGITS`` digits.
    """
    text = "".join(unicodedata.normalize("NFKC", seed).split())
    if not text.isascii() or not text.isdigit() or len(text) < MIN_SEED_DIGITS:
        raise ValueError(
            f"the seed must be at least {MIN_SEED_DIGITS} decimal digits (e.g. dice rolls)"
        )
    return text


def ticket_position(seed: str, ticket: int, population: int) -> int:
    """Rivest's sampler step: ``int(SHA-256(seed + "," + str(ticket)), 16) mod population``."""
    digest = hashlib.sha256(f"{seed},{ticket}".encode("ascii")).hexdigest()
    return int(digest, 16) % population


def draw_sample(
    seed: str, serials: Sequence[str], size: int, *, with_replacement: bool = True
) -> list[Draw]:
    """Draw ``size`` serials from ``serials`` reproducibly from ``seed`` (Rivest 2011).

    The population is ``sorted(set(serials))`` (code point order), so the order the serials
    are given in does not matter. Draw ``i = 1, 2, …`` takes the serial at
    ``ticket_position(seed, i, N)``; without replacement a serial already drawn is skipped
    (its ticket is used up). The first ``k`` draws of a larger sample are the sample of size
    ``k`` (a sample can be extended). Raises ``ValueError`` for a bad seed, a negative size,
    or (without replacement) a size above N.
    """
    seed = normalise_seed(seed)
    population = sorted(set(serials))
    if size < 0:
        raise ValueError("the sample size must not be negative")
    if size and not population:
        raise ValueError("there are no ballots to draw from")
    if not with_replacement and size > len(population):
        raise ValueError("cannot draw more ballots than there are without replacement")
    drawn: list[Draw] = []
    seen: set[int] = set()
    ticket = 0
    while len(drawn) < size:
        ticket += 1
        position = ticket_position(seed, ticket, len(population))
        if not with_replacement:
            if position in seen:
                continue
            seen.add(position)
        drawn.append(Draw(ticket, population[position]))
    return drawn
