"""Thresholds: the legal counting words (Civil Code art. 1259) as exact integer decisions."""

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from juwei.rules.charter import Charter, load_charter
from juwei.rules.thresholds import Base, Threshold, Word, Words, chinese_number

PROFILES = ("qianpai", "nanchangzhai", "urban-2018")


def threshold_at(charter: Charter, key: str) -> Threshold:
    """The threshold at a dotted key such as ``recall.initiation.any_of[1]``."""
    value: Any = charter
    for part in key.split("."):
        name, _, index = part.partition("[")
        value = value[name] if isinstance(value, dict) else getattr(value, name)
        if index:
            value = value[int(index.rstrip("]"))]
    assert isinstance(value, Threshold), key
    return value


def all_thresholds(value: object, prefix: str = "") -> dict[str, Threshold]:
    """Every threshold in a charter, by dotted key."""
    found: dict[str, Threshold] = {}
    if isinstance(value, Threshold):
        found[prefix] = value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found |= all_thresholds(getattr(value, name), f"{prefix}.{name}" if prefix else name)
    elif isinstance(value, dict):
        for key, item in value.items():
            found |= all_thresholds(item, f"{prefix}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found |= all_thresholds(item, f"{prefix}[{index}]")
    return found


def row(profile: str, key: str, count: int, base: int, expected: bool, why: str) -> Any:
    return pytest.param(profile, key, count, base, expected, id=f"{profile} {key}: {why}")


# One row per case. "以上/不少于" include the number; "过半数/超过" and "不足/低于" exclude it.
DECISIONS = [
    # --- 钱牌 (SEED 钱牌 第四条, 第二十一条; fallbacks P5, S4 art 15, V1, V3) ---
    # recall initiation: 五分之一以上有选举权的居民 (SEED 钱牌 第四条)
    row("qianpai", "recall.initiation.any_of[0]", 20, 100, True, "exactly 1/5 (以上 includes)"),
    row("qianpai", "recall.initiation.any_of[0]", 19, 100, False, "one short of 1/5"),
    row("qianpai", "recall.initiation.any_of[0]", 20, 101, False, "20 of 101 is below 1/5"),
    row("qianpai", "recall.initiation.any_of[0]", 21, 101, True, "21 of 101 rounds up"),
    # recall passage: 投票表决过半数通过 (SEED 钱牌 第四条)
    row("qianpai", "recall.passage.approval", 50, 100, False, "exactly half is not 过半数"),
    row("qianpai", "recall.passage.approval", 51, 100, True, "51 of 100 is 过半数"),
    row("qianpai", "recall.passage.approval", 50, 99, True, "50 of 99 is 过半数"),
    row("qianpai", "recall.passage.approval", 49, 99, False, "49 of 99 is not"),
    # recall turnout: the 居民会议 sits only when 过半数 attend (SEED 钱牌 第四条; S1 art 9)
    row("qianpai", "recall.passage.turnout", 5, 240, False, "5 of 240 is void S1 art 9"),
    row("qianpai", "recall.passage.turnout", 120, 240, False, "exactly half S1 art 9"),
    row("qianpai", "recall.passage.turnout", 121, 240, True, "121 of 240 S1 art 9"),
    # evaluation: 居民满意率低于60% (SEED 钱牌 第二十一条): 低于 excludes
    row("qianpai", "evaluation.satisfaction_below", 59, 100, True, "59% is below 60%"),
    row("qianpai", "evaluation.satisfaction_below", 60, 100, False, "exactly 60% is not below"),
    row("qianpai", "evaluation.satisfaction_below", 2, 5, True, "2 of 5 is below 60%"),
    row("qianpai", "evaluation.satisfaction_below", 3, 5, False, "3 of 5 is 60%"),
    # evaluation: 三分之二以上居民代表不满意 (SEED 钱牌 第二十一条)
    row("qianpai", "evaluation.representatives_dissatisfied", 20, 30, True, "exactly 2/3"),
    row("qianpai", "evaluation.representatives_dissatisfied", 19, 30, False, "one short"),
    row("qianpai", "evaluation.representatives_dissatisfied", 14, 20, True, "14 of 20 ≥ 2/3"),
    row("qianpai", "evaluation.representatives_dissatisfied", 13, 20, False, "13 of 20 < 2/3"),
    # election validity (P5; S1 art 9)
    row("qianpai", "election.modes.direct.quorum", 50, 100, False, "half of voters P5"),
    row("qianpai", "election.modes.direct.quorum", 51, 100, True, "more than half P5"),
    row("qianpai", "election.modes.household.quorum", 40, 80, False, "half of households P5"),
    row("qianpai", "election.modes.household.quorum", 41, 80, True, "more than half P5"),
    row("qianpai", "election.modes.representative.quorum", 20, 30, True, "exactly 2/3 P5"),
    row("qianpai", "election.modes.representative.quorum", 19, 30, False, "below 2/3 P5"),
    # elected: more than half of ballots returned (P5, S4 art 15)
    row("qianpai", "count.elected.threshold", 150, 300, False, "exactly half P5"),
    row("qianpai", "count.elected.threshold", 151, 300, True, "more than half P5"),
    # supplementary round: not less than 1/3 of ballots returned (S4 art 15, V1, V3)
    row("qianpai", "count.supplementary.threshold", 100, 300, True, "exactly 1/3 S4 art 15"),
    row("qianpai", "count.supplementary.threshold", 99, 300, False, "below 1/3 S4 art 15"),
    row("qianpai", "count.supplementary.threshold", 34, 100, True, "34 of 100 ≥ 1/3"),
    row("qianpai", "count.supplementary.threshold", 33, 100, False, "33 of 100 < 1/3"),
    # --- 南厂宅 (SEED 南厂宅 第九条 direct election; fallbacks S4 art 16, P6 art 9, P5) ---
    row("nanchangzhai", "election.modes.direct.quorum", 500, 1000, False, "half SEED 第九条"),
    row("nanchangzhai", "election.modes.direct.quorum", 501, 1000, True, "more than half"),
    row("nanchangzhai", "count.elected.threshold", 300, 600, False, "exactly half P5"),
    row("nanchangzhai", "count.elected.threshold", 301, 600, True, "more than half P5"),
    row("nanchangzhai", "count.supplementary.threshold", 200, 600, True, "exactly 1/3 V1"),
    row("nanchangzhai", "count.supplementary.threshold", 199, 600, False, "below 1/3 V1"),
    row("nanchangzhai", "recall.initiation.any_of[0]", 200, 1000, True, "1/5 voters P6 art 9"),
    row("nanchangzhai", "recall.initiation.any_of[0]", 199, 1000, False, "below 1/5 voters"),
    row("nanchangzhai", "recall.initiation.any_of[1]", 80, 400, True, "1/5 households P6 art 9"),
    row("nanchangzhai", "recall.initiation.any_of[1]", 79, 400, False, "below 1/5 households"),
    row("nanchangzhai", "recall.initiation.any_of[2]", 6, 16, True, "6 of 16 groups ≥ 1/3"),
    row("nanchangzhai", "recall.initiation.any_of[2]", 5, 16, False, "5 of 16 groups < 1/3"),
    row("nanchangzhai", "recall.initiation.any_of[3]", 11, 32, True, "11 of 32 reps ≥ 1/3"),
    row("nanchangzhai", "recall.initiation.any_of[3]", 10, 32, False, "10 of 32 reps < 1/3"),
    row("nanchangzhai", "recall.passage.turnout", 500, 1000, False, "half turnout S4 art 16"),
    row("nanchangzhai", "recall.passage.turnout", 501, 1000, True, "turnout more than half"),
    row("nanchangzhai", "recall.passage.approval", 250, 501, False, "250 of 501 is not 过半数"),
    row("nanchangzhai", "recall.passage.approval", 251, 501, True, "251 of 501 S4 art 16"),
    row("nanchangzhai", "recall.passage.approval", 250, 500, False, "exactly half S4 art 16"),
    # --- urban-2018 (S1, S2; P5, P6 art 9, S4 arts 15-16, V1, V3) ---
    row("urban-2018", "election.modes.direct.quorum", 1000, 2000, False, "half S4 art 15"),
    row("urban-2018", "election.modes.direct.quorum", 1001, 2000, True, "more than half S4"),
    row("urban-2018", "election.modes.household.quorum", 300, 600, False, "half of households"),
    row("urban-2018", "election.modes.household.quorum", 301, 600, True, "more than half P5"),
    row("urban-2018", "election.modes.representative.quorum", 40, 60, True, "exactly 2/3 P5"),
    row("urban-2018", "election.modes.representative.quorum", 39, 60, False, "below 2/3"),
    row("urban-2018", "election.modes.representative.quorum", 27, 40, True, "27 of 40 ≥ 2/3"),
    row("urban-2018", "election.modes.representative.quorum", 26, 40, False, "26 of 40 < 2/3"),
    row("urban-2018", "count.elected.threshold", 1, 1, True, "1 of 1 ballot"),
    row("urban-2018", "count.elected.threshold", 1, 2, False, "1 of 2 is only half"),
    row("urban-2018", "count.supplementary.threshold", 1, 3, True, "1 of 3 ≥ 1/3 V3"),
    row("urban-2018", "count.supplementary.threshold", 1, 4, False, "1 of 4 < 1/3 V3"),
    row("urban-2018", "recall.initiation.any_of[0]", 400, 2000, True, "1/5 voters S4 art 16"),
    row("urban-2018", "recall.initiation.any_of[0]", 399, 2000, False, "below 1/5 voters"),
    row("urban-2018", "recall.initiation.any_of[1]", 120, 600, True, "1/5 households P6 art 9"),
    row("urban-2018", "recall.initiation.any_of[1]", 119, 600, False, "below 1/5 households"),
    row("urban-2018", "recall.initiation.any_of[2]", 4, 12, True, "1/3 groups P6 art 9"),
    row("urban-2018", "recall.initiation.any_of[2]", 3, 12, False, "below 1/3 groups"),
    row("urban-2018", "recall.initiation.any_of[3]", 10, 30, True, "1/3 reps S4 art 16"),
    row("urban-2018", "recall.initiation.any_of[3]", 9, 30, False, "below 1/3 reps"),
    row("urban-2018", "recall.passage.turnout", 1000, 2000, False, "half turnout S4 art 16"),
    row("urban-2018", "recall.passage.turnout", 1001, 2000, True, "turnout more than half"),
    row("urban-2018", "recall.passage.approval", 500, 1000, False, "half approve S4 art 16"),
    row("urban-2018", "recall.passage.approval", 501, 1000, True, "more than half approve"),
    # --- every profile: a group's representatives' election (JUWEI, by analogy with
    # count.elected: 过半数 of ballots returned, S4 art 15, P5) and the representatives'
    # assembly (S4 art 26 by analogy: 三分之二以上 present, 以上 includes the number (S5 art
    # 1259); decisions by 过半数 of those present) ---
    *(
        r
        for name in ("qianpai", "nanchangzhai", "urban-2018")
        for r in (
            row(name, "representatives_election.votes_needed", 60, 120, False, "exactly half"),
            row(name, "representatives_election.votes_needed", 61, 120, True, "more than half"),
            row(name, "assembly.attendance", 20, 30, True, "exactly 2/3 present S4 art 26"),
            row(name, "assembly.attendance", 19, 30, False, "below 2/3 present"),
            row(name, "assembly.attendance", 21, 31, True, "21 of 31 ≥ 2/3"),
            row(name, "assembly.attendance", 20, 31, False, "20 of 31 < 2/3"),
            row(name, "assembly.attendance", 2, 3, True, "2 of 3: exactly 2/3"),
            row(name, "assembly.majority", 10, 20, False, "half of present is not 过半数"),
            row(name, "assembly.majority", 11, 20, True, "11 of 20 present"),
            row(name, "assembly.majority", 11, 21, True, "11 of 21 present"),
            row(name, "assembly.majority", 10, 21, False, "10 of 21 present"),
        )
    ),
]


@pytest.fixture(scope="module")
def charters() -> dict[str, Charter]:
    return {name: load_charter(name) for name in PROFILES}


@pytest.mark.parametrize(("profile", "key", "count", "base", "expected"), DECISIONS)
def test_profile_thresholds(
    charters: dict[str, Charter], profile: str, key: str, count: int, base: int, expected: bool
) -> None:
    assert threshold_at(charters[profile], key).met(count, base) is expected


@pytest.mark.parametrize("profile", PROFILES)
def test_every_profile_threshold_has_a_met_and_an_unmet_row(
    charters: dict[str, Charter], profile: str
) -> None:
    keys = set(all_thresholds(charters[profile]))
    assert keys, "a profile without thresholds"
    for key in keys:
        outcomes = {p.values[4] for p in DECISIONS if p.values[:2] == (profile, key)}
        assert outcomes == {True, False}, f"{profile} {key} lacks a met or an unmet row"


# --- describe(): the words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "fraction", "base", "en", "zh"),
    [
        pytest.param(
            "at_least", "1/5", "registered_voters",
            "at least 1/5 of registered voters", "登记选民的五分之一以上",
            id="以上: 五分之一以上 (SEED 钱牌 第四条)",
        ),
        pytest.param(
            "more_than", "1/2", "ballots_returned",
            "more than half of ballots returned", "参加投票选民的过半数",
            id="过半数 (S4 art 15)",
        ),
        pytest.param(
            "at_least", "2/3", "representatives",
            "at least 2/3 of residents' representatives", "居民代表的三分之二以上",
            id="三分之二以上 (P5)",
        ),
        pytest.param(
            "less_than", "60%", "evaluation_responses",
            "less than 3/5 of residents taking part in the evaluation",
            "不足参加考评居民的五分之三",
            id="低于60% (SEED 钱牌 第二十一条)",
        ),
        pytest.param(
            "more_than", "1/3", "households",
            "more than 1/3 of households", "超过户数的三分之一", id="超过 three",
        ),
        pytest.param(
            "at_least", "1/1", "residents_groups",
            "all residents' groups", "全体居民小组", id="all of the base",
        ),
    ],
)  # fmt: skip
def test_describe(word: str, fraction: str, base: str, en: str, zh: str) -> None:
    threshold = Threshold.model_validate({"word": word, "fraction": fraction, "base": base})
    assert threshold.describe() == Words(en, zh)
    assert str(threshold) == en


def test_words_localized_follows_the_language() -> None:
    from juwei.i18n import set_language

    words = Words("more than half", "过半数")
    try:
        set_language("zh_CN")
        assert words.localized() == "过半数"
        set_language("en")
        assert words.localized() == "more than half"
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "零"), (1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (60, "六十"), (100, "一百"),
     (105, "一百零五"), (110, "一百一十"), (1001, "一千零一"), (9999, "九千九百九十九"),
     (10000, "10000")],
)  # fmt: skip
def test_chinese_number(n: int, text: str) -> None:
    assert chinese_number(n) == text


# --- construction and argument checks ---------------------------------------------------------


def make(word: Word, fraction: Fraction, base: Base = Base.REGISTERED_VOTERS) -> Threshold:
    return Threshold(word=word, fraction=fraction, base=base)


@pytest.mark.parametrize(
    ("fraction", "error_type"),
    [
        pytest.param("6/5", "fraction_range", id="6/5 above 1"),
        pytest.param("0/3", "fraction_range", id="zero"),
        pytest.param("1/0", "fraction_zero_denominator", id="zero denominator"),
        pytest.param(0.2, "fraction_type", id="float refused"),
        pytest.param("0.2", "fraction_type", id="decimal string refused"),
        pytest.param(1, "fraction_type", id="bare int refused"),
        pytest.param("101%", "fraction_range", id="percent above 100"),
    ],
)
def test_bad_fractions(fraction: object, error_type: str) -> None:
    with pytest.raises(ValidationError) as info:
        Threshold.model_validate({"word": "at_least", "fraction": fraction, "base": "households"})
    assert info.value.errors()[0]["type"] == error_type
    assert info.value.errors()[0]["loc"] == ("fraction",)


def test_percent_and_fraction_forms_are_the_same_threshold() -> None:
    a = Threshold.model_validate({"word": "less_than", "fraction": "60%", "base": "households"})
    b = Threshold.model_validate({"word": "less_than", "fraction": "3/5", "base": "households"})
    assert a == b
    assert a.model_dump(mode="json")["fraction"] == "3/5"


def test_more_than_everything_is_refused() -> None:
    with pytest.raises(ValidationError, match="can never be met"):
        make(Word.MORE_THAN, Fraction(1))


def test_threshold_is_frozen() -> None:
    threshold = make(Word.AT_LEAST, Fraction(1, 5))
    with pytest.raises(ValidationError):
        threshold.fraction = Fraction(1, 2)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("count", "base", "error"),
    [
        pytest.param(1.0, 10, TypeError, id="float count"),
        pytest.param(True, 10, TypeError, id="bool count"),
        pytest.param(1, 10.0, TypeError, id="float base"),
        pytest.param(Fraction(1), 10, TypeError, id="Fraction count"),
        pytest.param(-1, 10, ValueError, id="negative count"),
        pytest.param(0, -1, ValueError, id="negative base"),
        pytest.param(11, 10, ValueError, id="count above its base"),
    ],
)
def test_met_refuses_bad_arguments(count: object, base: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        make(Word.AT_LEAST, Fraction(1, 5)).met(count, base)  # type: ignore[arg-type]


@pytest.mark.parametrize("word", list(Word))
def test_empty_base_is_never_met(word: Word) -> None:
    threshold = make(word, Fraction(1, 2))
    assert threshold.met(0, 0) is False
    with pytest.raises(ValueError, match="empty base"):
        threshold.maximum(0) if word is Word.LESS_THAN else threshold.minimum(0)


def test_minimum_and_maximum_belong_to_their_words() -> None:
    with pytest.raises(ValueError, match="maximum, not a minimum"):
        make(Word.LESS_THAN, Fraction(3, 5)).minimum(10)
    with pytest.raises(ValueError, match="minimum, not a maximum"):
        make(Word.AT_LEAST, Fraction(3, 5)).maximum(10)
    with pytest.raises(TypeError):
        make(Word.AT_LEAST, Fraction(3, 5)).minimum(10.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("word", "fraction", "base", "minimum"),
    [
        pytest.param(Word.AT_LEAST, Fraction(1, 5), 100, 20, id="1/5 of 100 以上 → 20"),
        pytest.param(Word.AT_LEAST, Fraction(1, 5), 101, 21, id="1/5 of 101 以上 → 21"),
        pytest.param(Word.MORE_THAN, Fraction(1, 2), 100, 51, id="过半数 of 100 → 51"),
        pytest.param(Word.MORE_THAN, Fraction(1, 2), 101, 51, id="过半数 of 101 → 51"),
        pytest.param(Word.AT_LEAST, Fraction(2, 3), 10, 7, id="2/3 of 10 以上 → 7"),
        pytest.param(Word.AT_LEAST, Fraction(1), 7, 7, id="all of 7 → 7"),
        pytest.param(Word.MORE_THAN, Fraction(1, 2), 1, 1, id="过半数 of 1 → 1"),
    ],
)
def test_minimum_table(word: Word, fraction: Fraction, base: int, minimum: int) -> None:
    assert make(word, fraction).minimum(base) == minimum


def test_maximum_table() -> None:
    below_60 = make(Word.LESS_THAN, Fraction(3, 5))
    assert below_60.maximum(100) == 59
    assert below_60.maximum(5) == 2
    assert below_60.maximum(1) == 0


# --- properties ---------------------------------------------------------------------------------


@st.composite
def thresholds(draw: st.DrawFn) -> Threshold:
    word = draw(st.sampled_from(list(Word)))
    q = draw(st.integers(min_value=1, max_value=100))
    p = draw(st.integers(min_value=1, max_value=q - 1 if word is Word.MORE_THAN and q > 1 else q))
    if word is Word.MORE_THAN and p == q:  # q == 1: "more than all" is refused
        word = Word.AT_LEAST
    return make(word, Fraction(p, q), draw(st.sampled_from(list(Base))))


bases = st.integers(min_value=1, max_value=10**7)


def oracle(threshold: Threshold, count: int, base: int) -> bool:
    """An independent reading of the counting words with Fraction arithmetic."""
    share = Fraction(count, base)
    if threshold.word is Word.AT_LEAST:
        return share >= threshold.fraction
    if threshold.word is Word.MORE_THAN:
        return share > threshold.fraction
    return share < threshold.fraction


@given(thresholds(), bases)
def test_minimum_is_the_exact_edge(threshold: Threshold, n: int) -> None:
    if threshold.word is Word.LESS_THAN:
        top = threshold.maximum(n)
        assert 0 <= top < n
        assert threshold.met(top, n)
        assert not threshold.met(top + 1, n)
    else:
        low = threshold.minimum(n)
        assert 1 <= low <= n
        assert threshold.met(low, n)
        assert not threshold.met(low - 1, n)


@given(thresholds(), bases, st.data())
def test_met_is_monotone_in_count(threshold: Threshold, n: int, data: st.DataObject) -> None:
    a = data.draw(st.integers(min_value=0, max_value=n))
    b = data.draw(st.integers(min_value=a, max_value=n))
    if threshold.word is Word.LESS_THAN:
        assert threshold.met(a, n) >= threshold.met(b, n)
    else:
        assert threshold.met(a, n) <= threshold.met(b, n)


@given(thresholds(), bases, st.data())
def test_met_agrees_with_fraction_oracle(threshold: Threshold, n: int, data: st.DataObject) -> None:
    count = data.draw(st.integers(min_value=0, max_value=n))
    assert threshold.met(count, n) is oracle(threshold, count, n)


@given(thresholds())
def test_threshold_json_round_trip(threshold: Threshold) -> None:
    again = Threshold.model_validate_json(threshold.model_dump_json())
    assert again == threshold
    assert again.describe() == threshold.describe()
