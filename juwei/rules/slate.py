"""The slate of formal candidates (正式候选人): competitive or uncontested, and its order.

Competitive (差额): more candidates than seats, by the number the charter sets per office in
``[slate.competition].extra_candidates`` (主任, 副主任 one more; 委员 one to three more, P12;
generally one or two more, P1). Uncontested (等额): exactly as many candidates as seats, where
the charter allows it (``uncontested_allowed``; P1, P2, P5; SEED 钱牌 第四条). Anything else
(fewer candidates than seats, too many, or too few extra for a competitive slate) is refused
with the office, the numbers and the rule.

Order on the ballot and the candidate list (``[slate.ordering]``): by surname strokes
(姓氏笔画, GF 3003-1999, see ``juwei.rules.collation``) or by votes in a primary (预选,
descending). Equal keys are never broken silently: they come back as tie groups for the
committee to draw lots (抽签), and stroke orders the data cannot fix come back as
``unresolved`` groups for a person to decide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from juwei.i18n import _, is_chinese
from juwei.rules.charter import Charter, Office, OfficeKey, Ordering
from juwei.rules.collation import sort_by_strokes

T = TypeVar("T")

COMPETITION_RULE = "slate.competition"
ORDERING_RULE = "slate.ordering"


class SlateKind(StrEnum):
    """Competitive (差额: more candidates than seats) or uncontested (等额: as many as seats)."""

    COMPETITIVE = "competitive"
    UNCONTESTED = "uncontested"


def office_name(office: Office) -> str:
    """The office's title in the current language (``主任`` or ``director``)."""
    return office.title if is_chinese() else office.title_en


@dataclass(frozen=True)
class SlateDecision:
    """Whether ``candidates`` formal candidates for ``seats`` seats of ``office`` are allowed.

    ``kind``: competitive (more candidates than seats) or uncontested (as many); ``None`` when
    there are fewer candidates than seats. ``ok``: the slate may be confirmed.
    ``min_candidates``..``max_candidates``: the whole allowed range; ``competitive_min``..
    ``max_candidates`` is the competitive part and ``uncontested_allowed`` says whether
    ``seats`` itself is allowed (the range may have a gap when the charter's smallest extra
    is 2 or more). ``reason`` (translated), ``rule`` (``"slate.competition"``), ``source``.
    """

    office: OfficeKey
    seats: int
    candidates: int
    kind: SlateKind | None
    ok: bool
    min_candidates: int
    max_candidates: int
    competitive_min: int
    uncontested_allowed: bool
    reason: str
    rule: str
    source: str


def slate_range(charter: Charter, office_key: OfficeKey | str, seats: int) -> tuple[int, int]:
    """The competitive range of candidates for ``seats`` seats: ``(seats + extra.min,
    seats + extra.max)`` from ``[slate.competition].extra_candidates`` (the representative:
    ``[representatives_election].extra_candidates``, see ``Charter.extra_candidates``)."""
    key = OfficeKey(office_key)
    extra = charter.extra_candidates(key)
    return seats + extra.min, seats + extra.max


def check_slate(
    charter: Charter, office_key: OfficeKey | str, seats: int, candidates: int
) -> SlateDecision:
    """Decide whether ``candidates`` formal candidates for ``seats`` seats are allowed.

    qianpai: director, 1 seat: 2 candidates competitive, 1 uncontested (allowed), 3 refused;
    member, 5 seats: 6 to 8 competitive, 5 uncontested. Raises ``ValueError`` for
    ``seats < 1`` or ``candidates < 0`` and ``KeyError`` for an office the charter does not
    have. Pure function.
    """
    key = OfficeKey(office_key)
    office = charter.office(key)
    if seats < 1:
        raise ValueError(f"seats must be at least 1, not {seats}")
    if candidates < 0:
        raise ValueError(f"candidates cannot be negative: {candidates}")
    rule = charter.slate.competition
    low, high = slate_range(charter, key, seats)
    uncontested = rule.uncontested_allowed
    minimum = seats if uncontested else low
    name = office_name(office)
    allowed = str(low) if low == high else _("{low} to {high}").format(low=low, high=high)
    numbers = {
        "office": name,
        "candidates": candidates,
        "seats": seats,
        "allowed": allowed,
        "high": high,
    }

    rule_key, source = COMPETITION_RULE, rule.source
    if key is OfficeKey.REPRESENTATIVE and charter.representatives_election is not None:
        # the extra candidates are the representatives' own; 等额 as the committee's
        rule_key = "representatives_election.more_candidates"
        source = f"{charter.representatives_election.source}; {rule.source}"
    kind: SlateKind | None
    if candidates < seats:
        kind, ok = None, False
        reason = _(
            "{office}: {candidates} candidate(s) for {seats} seat(s) is fewer than the seats; "
            "at least {minimum} needed"
        ).format(minimum=minimum, **numbers)
    elif candidates == seats:
        kind, ok = SlateKind.UNCONTESTED, uncontested
        if uncontested:
            reason = _(
                "{office}: {candidates} candidate(s) for {seats} seat(s): uncontested (等额), "
                "which the charter allows"
            ).format(**numbers)
        else:
            reason = _(
                "{office}: {candidates} candidate(s) for {seats} seat(s): uncontested (等额) is "
                "not allowed by the charter; a competitive slate needs {allowed} candidates"
            ).format(**numbers)
    else:
        kind = SlateKind.COMPETITIVE
        ok = low <= candidates <= high
        if ok:
            reason = _(
                "{office}: {candidates} candidates for {seats} seat(s): competitive (差额), "
                "the charter allows {allowed}"
            ).format(**numbers)
        elif candidates > high:
            reason = _(
                "{office}: {candidates} candidates for {seats} seat(s) is more than the {high} "
                "the charter allows (competitive: {allowed})"
            ).format(**numbers)
        else:
            reason = _(
                "{office}: {candidates} candidates for {seats} seat(s) is too few for a "
                "competitive slate ({allowed})"
            ).format(**numbers)
    return SlateDecision(
        office=key,
        seats=seats,
        candidates=candidates,
        kind=kind,
        ok=ok,
        min_candidates=minimum,
        max_candidates=high,
        competitive_min=low,
        uncontested_allowed=uncontested,
        reason=reason,
        rule=rule_key,
        source=source,
    )


@dataclass(frozen=True)
class Ordered(Generic[T]):
    """Candidates in ballot order (``order_candidates``).

    ``ordered``: every candidate, deterministic; equal keys keep their input order.
    ``ties``: groups of 2+ candidates with equal keys (same stroke key, or same primary votes),
    in ``ordered`` order: the committee draws lots among each. ``unresolved``: groups whose
    stroke order the data cannot fix (see ``juwei.rules.collation``); a person decides.
    ``unknown_characters``: characters without stroke data. ``order``: which order was used.
    ``reason`` (translated), ``rule`` (``"slate.ordering"``), ``source``.
    """

    ordered: tuple[T, ...]
    ties: tuple[tuple[T, ...], ...]
    unresolved: tuple[tuple[T, ...], ...]
    unknown_characters: tuple[str, ...]
    order: Ordering
    reason: str
    rule: str
    source: str

    @property
    def needs_lots(self) -> bool:
        """Whether the committee must draw lots (or decide) before the list is final."""
        return bool(self.ties or self.unresolved)


def order_candidates(
    charter: Charter,
    candidates: Sequence[T],
    key_name: Callable[[T], str],
    primary_votes: Callable[[T], int] | None = None,
) -> Ordered[T]:
    """Order ``candidates`` as the charter's ``[slate.ordering]`` says.

    ``key_name(candidate)`` gives the name for surname-stroke order; ``primary_votes(candidate)``
    the votes in the primary (预选), needed when the charter orders by primary votes (more
    votes first). Raises ``ValueError`` when the charter orders by primary votes and
    ``primary_votes`` is not given, or a primary vote count is negative.
    """
    rule = charter.slate.ordering
    if rule.order is Ordering.STROKES:
        result = sort_by_strokes(candidates, key_name)
        ties = tuple(tuple(group) for group in result.ties)
        unresolved = tuple(tuple(group) for group in result.unresolved)
        reason = _("ordered by surname strokes (姓氏笔画)")
        return Ordered(
            ordered=tuple(result.ordered),
            ties=ties,
            unresolved=unresolved,
            unknown_characters=tuple(result.unknown_characters),
            order=rule.order,
            reason=_with_ties(reason, ties, unresolved),
            rule=ORDERING_RULE,
            source=rule.source,
        )
    if primary_votes is None:
        raise ValueError("the charter orders candidates by primary votes: give primary_votes")
    votes = [primary_votes(candidate) for candidate in candidates]
    if any(v < 0 for v in votes):
        raise ValueError("primary votes cannot be negative")
    order = sorted(range(len(candidates)), key=lambda i: -votes[i])  # stable: input order kept
    ordered = tuple(candidates[i] for i in order)
    groups: list[tuple[T, ...]] = []
    start = 0
    for j in range(1, len(order) + 1):
        if j == len(order) or votes[order[j]] != votes[order[start]]:
            if j - start > 1:
                groups.append(ordered[start:j])
            start = j
    ties = tuple(groups)
    reason = _("ordered by votes in the primary (预选), most votes first")
    return Ordered(
        ordered=ordered,
        ties=ties,
        unresolved=(),
        unknown_characters=(),
        order=rule.order,
        reason=_with_ties(reason, ties, ()),
        rule=ORDERING_RULE,
        source=rule.source,
    )


def _with_ties(
    reason: str, ties: tuple[tuple[T, ...], ...], unresolved: tuple[tuple[T, ...], ...]
) -> str:
    if ties:
        reason += _("; {n} group(s) with equal keys: the committee draws lots").format(n=len(ties))
    if unresolved:
        reason += _("; {n} group(s) the stroke data cannot order: the committee decides").format(
            n=len(unresolved)
        )
    return reason
