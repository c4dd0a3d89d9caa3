"""The slate: competitive (差额) or uncontested (等额) per office, and the ballot order."""

from typing import Any

import pytest

from juwei.rules.charter import Charter, OfficeKey, Ordering, load_charter
from juwei.rules.slate import SlateKind, check_slate, order_candidates
from tests.strategies import variant

D, DEP, M = OfficeKey.DIRECTOR, OfficeKey.DEPUTY, OfficeKey.MEMBER
C, U = SlateKind.COMPETITIVE, SlateKind.UNCONTESTED


def row(
    profile: str, office: OfficeKey, seats: int, n: int, ok: bool, kind: SlateKind | None, why: str
) -> Any:
    return pytest.param(profile, office, seats, n, ok, kind, id=f"{profile} {office}: {why}")


# One row per case. 差额: 主任/副主任 +1, 委员 +1..+3 (P12; P1); 等额 allowed (P1, P2, P5;
# SEED 钱牌 第四条).
SLATES = [
    # --- 钱牌: 主任 1, 副主任 1, 委员 5 (SEED 钱牌 第四条; P12) ---
    row("qianpai", D, 1, 0, False, None, "no candidate P12"),
    row("qianpai", D, 1, 1, True, U, "1 for 1 等额 allowed SEED 第四条"),
    row("qianpai", D, 1, 2, True, C, "2 for 1 差额 +1 P12"),
    row("qianpai", D, 1, 3, False, C, "3 for 1 is +2, over P12"),
    row("qianpai", DEP, 1, 1, True, U, "deputy 1 for 1 等额"),
    row("qianpai", DEP, 1, 2, True, C, "deputy 2 for 1 差额 P12"),
    row("qianpai", DEP, 1, 3, False, C, "deputy 3 for 1 over P12"),
    row("qianpai", M, 5, 4, False, None, "member 4 for 5: fewer than seats"),
    row("qianpai", M, 5, 5, True, U, "member 5 for 5 等额"),
    row("qianpai", M, 5, 6, True, C, "member 6 for 5 差额 +1 P12"),
    row("qianpai", M, 5, 7, True, C, "member 7 for 5 差额 +2 P12"),
    row("qianpai", M, 5, 8, True, C, "member 8 for 5 差额 +3 P12"),
    row("qianpai", M, 5, 9, False, C, "member 9 for 5 is +4, over P12"),
    # --- 南厂宅: 主任 + 委员 2 (SEED 南厂宅 第十条; P12) ---
    row("nanchangzhai", D, 1, 2, True, C, "2 for 1 差额 P12"),
    row("nanchangzhai", D, 1, 3, False, C, "3 for 1 over P12"),
    row("nanchangzhai", M, 2, 2, True, U, "member 2 for 2 等额 P1"),
    row("nanchangzhai", M, 2, 5, True, C, "member 5 for 2 差额 +3 P12"),
    row("nanchangzhai", M, 2, 6, False, C, "member 6 for 2 over P12"),
    # --- urban-2018: seats within the office's range (S1 art 7) ---
    row("urban-2018", DEP, 2, 3, True, C, "deputy 3 for 2 差额 P12"),
    row("urban-2018", DEP, 2, 4, False, C, "deputy 4 for 2 over P12"),
    row("urban-2018", M, 7, 10, True, C, "member 10 for 7 差额 +3 P12"),
    row("urban-2018", M, 7, 11, False, C, "member 11 for 7 over P12"),
    row("urban-2018", M, 3, 3, True, U, "member 3 for 3 等额 P2; P5"),
]


@pytest.mark.parametrize(("profile", "office", "seats", "n", "ok", "kind"), SLATES)
def test_check_slate(
    profile: str, office: OfficeKey, seats: int, n: int, ok: bool, kind: SlateKind | None
) -> None:
    charter = load_charter(profile)
    decision = check_slate(charter, office, seats, n)
    assert (decision.ok, decision.kind) == (ok, kind)
    assert decision.rule == "slate.competition"
    assert decision.source == charter.slate.competition.source
    assert decision.reason.startswith(charter.office(office).title_en)
    extra = charter.slate.competition.extra_candidates[office]
    assert decision.max_candidates == seats + extra.max
    assert decision.min_candidates == seats  # every profile allows 等额


def test_slate_reasons_name_the_numbers() -> None:
    charter = load_charter("qianpai")
    assert check_slate(charter, "member", 5, 9).reason == (
        "member: 9 candidates for 5 seat(s) is more than the 8 the charter allows "
        "(competitive: 6 to 8)"
    )
    assert check_slate(charter, "director", 1, 2).reason == (
        "director: 2 candidates for 1 seat(s): competitive (差额), the charter allows 2"
    )


def test_uncontested_refused_where_the_charter_forbids_it() -> None:
    charter = variant(load_charter("qianpai"), **{"slate.competition.uncontested_allowed": False})
    decision = check_slate(charter, "director", 1, 1)
    assert (decision.ok, decision.kind, decision.min_candidates) == (False, U, 2)
    assert "not allowed" in decision.reason


def test_a_gap_between_uncontested_and_competitive() -> None:
    extras = {"director": {"min": 1, "max": 1}, "deputy": {"min": 1, "max": 1}}
    extras["member"] = {"min": 2, "max": 3}
    charter = variant(load_charter("qianpai"), **{"slate.competition.extra_candidates": extras})
    assert check_slate(charter, "member", 5, 5).ok
    too_few = check_slate(charter, "member", 5, 6)
    assert (too_few.ok, too_few.kind, too_few.competitive_min) == (False, C, 7)
    assert "too few" in too_few.reason
    assert check_slate(charter, "member", 5, 7).ok


@pytest.mark.parametrize(("seats", "n"), [(0, 1), (1, -1)])
def test_impossible_numbers_raise(seats: int, n: int) -> None:
    with pytest.raises(ValueError):
        check_slate(load_charter("qianpai"), "member", seats, n)


def test_unknown_office_raises() -> None:
    with pytest.raises(KeyError):
        check_slate(load_charter("nanchangzhai"), "deputy", 1, 2)


# --- order ------------------------------------------------------------------------------------


def test_order_by_strokes_reports_ties_for_lots() -> None:
    charter = load_charter("qianpai")
    result = order_candidates(charter, ["张三", "李四", "王五", "张三", "丁一"], lambda n: n)
    assert result.ordered == ("丁一", "王五", "李四", "张三", "张三")
    assert result.ties == (("张三", "张三"),)
    assert result.needs_lots
    assert (result.order, result.rule, result.source) == (
        Ordering.STROKES,
        "slate.ordering",
        "JUWEI",
    )
    assert "draws lots" in result.reason


def test_order_by_strokes_without_ties() -> None:
    result = order_candidates(load_charter("qianpai"), ["李四", "丁一"], lambda n: n)
    assert result.ordered == ("丁一", "李四")
    assert not result.needs_lots


def primary(charter: Charter) -> Charter:
    return variant(charter, **{"slate.ordering.order": "primary_votes"})


def test_order_by_primary_votes_most_first_ties_kept_in_input_order() -> None:
    charter = primary(load_charter("qianpai"))
    votes = {"甲": 10, "乙": 30, "丙": 10, "丁": 20}
    result = order_candidates(charter, list(votes), lambda n: n, votes.__getitem__)
    assert result.ordered == ("乙", "丁", "甲", "丙")
    assert result.ties == (("甲", "丙"),)
    assert result.order is Ordering.PRIMARY_VOTES
    assert result.unresolved == ()


def test_order_by_primary_votes_needs_the_votes() -> None:
    with pytest.raises(ValueError, match="primary_votes"):
        order_candidates(primary(load_charter("qianpai")), ["甲"], lambda n: n)
