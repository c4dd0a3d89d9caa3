"""Surname-stroke order (姓氏笔画排序, GF 3003-1999): rules, data, fallbacks, properties."""

import functools
import random
from collections import Counter
from collections.abc import Sequence
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from juwei.errors import JuweiError
from juwei.rules.collation import (
    StrokeDataError,
    StrokeOrder,
    sort_by_strokes,
    stroke_key,
    unknown_characters,
)

BIANG = chr(0x30EDE)  # 𰻞 biáng, Extension G: no stroke data at all
COUNT_ONLY_2 = "㐅"  # Extension A, 2 strokes per Unihan, order unknown


def names_in_order(names: Sequence[str]) -> list[str]:
    return sort_by_strokes(names, key=str).ordered


def data_lines(filename: str) -> list[str]:
    text = resources.files("juwei.rules").joinpath("data", filename).read_text("utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@functools.cache
def stroke_table() -> dict[str, str]:
    """The shipped stroke classes, read independently of the module under test."""
    return dict(line.split("\t") for line in data_lines("strokes.tsv"))


# --- decision table: the ordering rules ---------------------------------------------------

ORDERED_PAIRS = [
    # GF 3003-1999 rule 1: fewer strokes first (丁 2 < 王 4 < 李 7 < 欧 8)
    pytest.param("丁一", "王小明", id="count-丁2-before-王4"),
    pytest.param("王小明", "李四", id="count-王4-before-李7"),
    pytest.param("张三", "欧阳娜娜", id="count-张7-before-欧8"),
    pytest.param("司马光", "欧阳修", id="count-compound-司5-before-欧8"),
    pytest.param("王五", "司马光", id="count-single-王4-before-compound-司5"),
    # rule 2: same count, first stroke 横 1 竖 2 撇 3 点 4 折 5
    pytest.param("李四", "张三", id="first-stroke-李横-before-张折"),
    pytest.param("王一", "毛一", id="first-stroke-王横-before-毛撇"),
    pytest.param("毛一", "文一", id="first-stroke-毛撇-before-文点"),
    pytest.param("文一", "孔一", id="first-stroke-文点-before-孔折"),
    # rule 3: same first stroke, then the second, third ... stroke
    pytest.param("王一", "车一", id="second-stroke-王1121-before-车1512"),
    pytest.param("文一", "方一", id="third-stroke-文4134-before-方4153"),
    # rule 5: same character, then the next character of the name
    pytest.param("张一", "张三", id="next-char-一1-before-三3"),
    pytest.param("王", "王小明", id="next-char-prefix-first"),
    pytest.param("欧阳娜娜", "欧阳娜娜娜", id="next-char-longer-name-after"),
    # data: 达 has 6 strokes (一ノ丶丶㇋㇏), after 5-stroke 司 and before 7-stroke 李
    pytest.param("司一", "达一", id="data-达6-after-司5"),
    pytest.param("达一", "李一", id="data-达6-before-李7"),
    # characters outside the data: count-only after known of that count; none: after all
    pytest.param("丁一", COUNT_ONLY_2 + "一", id="fallback-count-only-after-known-same-count"),
    pytest.param(COUNT_ONLY_2 + "一", "于一", id="fallback-count-only-before-more-strokes"),
    pytest.param("龘一", BIANG + "一", id="fallback-no-data-after-every-ideograph"),
    # letters of other scripts after every ideograph at the same position
    pytest.param("王" + BIANG, "王A", id="other-script-after-ideographs"),
    pytest.param("王A", "王B", id="other-script-by-code-point"),
]


@pytest.mark.parametrize(("first", "second"), ORDERED_PAIRS)
def test_ordered_pairs(first: str, second: str) -> None:
    assert stroke_key(first) < stroke_key(second)
    assert names_in_order([second, first]) == [first, second]


EQUAL_KEYS = [
    # punctuation and spaces are ignored: the 间隔号 in minority names
    pytest.param("阿依古丽·买买提", "阿依古丽买买提", id="ignore-middle-dot"),
    pytest.param("阿依古丽•买买提", "阿依古丽 买买提", id="ignore-bullet-and-space"),
    # NFKC: full-width Latin, compatibility ideographs, Kangxi radicals
    pytest.param("王Ａ", "王A", id="nfkc-full-width-latin"),
    pytest.param("\u2f00二", "一二", id="nfkc-kangxi-radical"),
    pytest.param("\uf900", "\u8c48", id="nfkc-compatibility-ideograph"),
]


@pytest.mark.parametrize(("a", "b"), EQUAL_KEYS)
def test_equal_keys(a: str, b: str) -> None:
    assert stroke_key(a) == stroke_key(b)


def test_the_expected_official_order() -> None:
    expected = ["丁一", "王小明", "李四", "张三", "欧阳娜娜"]
    for seed in range(5):
        shuffled = expected[:]
        random.Random(seed).shuffle(shuffled)
        result = sort_by_strokes(shuffled, key=str)
        assert result.ordered == expected
        assert result.ties == result.unresolved == result.unknown_characters == []


def test_li_and_zhang_both_have_seven_strokes() -> None:
    ((_, li_count, li_classes, _),) = stroke_key("李")
    ((_, zhang_count, zhang_classes, _),) = stroke_key("张")
    assert (li_count, li_classes) == (7, "1234521")
    assert (zhang_count, zhang_classes) == (7, "5153154")


def test_same_count_ordered_by_first_stroke() -> None:
    four_strokes = ["孔", "方", "文", "毛", "车", "王", "尹"]
    assert {len(stroke_table()[c]) for c in four_strokes} == {4}
    assert names_in_order(four_strokes) == ["王", "车", "毛", "文", "方", "尹", "孔"]


def test_compound_surnames_compare_character_by_character() -> None:
    names = ["欧阳娜娜", "司马光", "诸葛亮", "王五", "欧文", "上官婉儿", "长孙无忌"]
    # 上3 < 王4 = 长4 (王 横 before 长 撇) < 司5 < 欧8 (欧文: 文4 before 阳6) < 诸10
    assert names_in_order(names) == [
        "上官婉儿",
        "王五",
        "长孙无忌",
        "司马光",
        "欧文",
        "欧阳娜娜",
        "诸葛亮",
    ]


def test_identical_names_are_a_tie_in_input_order() -> None:
    voters = [("李四", 1), ("张三", 2), ("李四", 3), ("王五", 4), ("李四", 5), ("张三", 6)]
    result = sort_by_strokes(voters, key=lambda v: v[0])
    assert result.ordered == [
        ("王五", 4),
        ("李四", 1),
        ("李四", 3),
        ("李四", 5),
        ("张三", 2),
        ("张三", 6),
    ]
    assert result.ties == [[("李四", 1), ("李四", 3), ("李四", 5)], [("张三", 2), ("张三", 6)]]
    assert result.unresolved == []


def test_names_equal_but_for_punctuation_are_a_tie() -> None:
    result = sort_by_strokes(["阿依古丽·买买提", "阿依古丽买买提"], key=str)
    assert result.ties == [["阿依古丽·买买提", "阿依古丽买买提"]]


def test_same_strokes_different_characters_are_unresolved_not_tied() -> None:
    # 于 and 干 both 112: GF 3003-1999 then uses the shape, which the data lacks.
    assert stroke_table()["于"] == stroke_table()["干"] == "112"
    result = sort_by_strokes(["干明", "于红", "王一", "于亮"], key=str)
    assert result.ties == []
    assert result.ordered == ["于红", "于亮", "干明", "王一"]  # 于 before 干: provisional
    assert result.unresolved == [["于红", "于亮", "干明"]]  # 红 6 < 亮 9: settled within 于


def test_a_name_that_is_the_common_prefix_is_not_unresolved() -> None:
    result = sort_by_strokes(["王干", "王", "王于"], key=str)
    assert result.ordered == ["王", "王于", "王干"]
    assert result.unresolved == [["王于", "王干"]]


def test_unknown_characters_are_listed_and_their_names_unresolved() -> None:
    names = ["丁一", COUNT_ONLY_2 + "二", "乂三", "王" + BIANG, "王小明"]
    result = sort_by_strokes(names, key=str)
    assert result.unknown_characters == [COUNT_ONLY_2, BIANG]
    # 2-stroke block: 丁 12 < 乂 34 (known), 㐅 after them, its place open among all three
    assert result.ordered == ["丁一", "乂三", COUNT_ONLY_2 + "二", "王小明", "王" + BIANG]
    assert result.unresolved == [["丁一", "乂三", COUNT_ONLY_2 + "二"], ["王小明", "王" + BIANG]]
    assert unknown_characters("王" + BIANG + COUNT_ONLY_2 + BIANG) == [BIANG, COUNT_ONLY_2]
    assert unknown_characters("阿依古丽·买买提 Ali") == []


def test_extra_stroke_data_resolves_an_unknown_character() -> None:
    extra = {COUNT_ONLY_2: "53"}  # 2 strokes; made-up classes for the test
    result = sort_by_strokes(["丁一", COUNT_ONLY_2 + "二", "乂三"], key=str, extra=extra)
    assert result.ordered == ["丁一", "乂三", COUNT_ONLY_2 + "二"]
    assert result.unresolved == result.unknown_characters == []
    assert unknown_characters(BIANG, extra={BIANG: "1" * 58}) == []
    assert stroke_key(BIANG, extra={BIANG: "1" * 58}) > stroke_key("龘")  # 48 strokes


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        pytest.param({"王五": "1121"}, "'王五' is not a single character", id="two-chars"),
        pytest.param({"王": "11216"}, "王: '11216' is not a sequence", id="class-6"),
        pytest.param({"王": ""}, "王: '' is not a sequence", id="empty"),
    ],
)
def test_malformed_extra_is_refused(extra: dict[str, str], fragment: str) -> None:
    with pytest.raises(StrokeDataError, match=fragment) as caught:
        sort_by_strokes(["王"], key=str, extra=extra)
    assert isinstance(caught.value, JuweiError)
    assert caught.value.exit_code == 3


def test_empty_input_and_empty_names() -> None:
    assert sort_by_strokes([], key=str) == StrokeOrder([], [], [], [])
    result = sort_by_strokes(["王", "", "·"], key=str)
    assert result.ordered == ["", "·", "王"]
    assert result.ties == [["", "·"]]


# --- the data files -----------------------------------------------------------------------


def gb2312_hanzi() -> set[str]:
    chars = set()
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def test_every_gb2312_character_has_a_stroke_order() -> None:
    hanzi = gb2312_hanzi()
    assert len(hanzi) == 6763
    assert sorted(hanzi - set(stroke_table())) == []


def test_stroke_data_is_well_formed() -> None:
    table = stroke_table()
    assert len(table) >= 6763
    assert all(len(c) == 1 and s and set(s) <= set("12345") for c, s in table.items())
    counted = "".join(line.split("\t")[1] for line in data_lines("stroke_counts.tsv"))
    assert len(counted) == len(set(counted)) > 20_000
    assert not set(counted) & set(table)


@pytest.mark.parametrize(
    ("char", "classes"),
    [
        ("丁", "12"),  # 竖钩 counts as 竖
        ("小", "234"),
        ("子", "521"),
        ("戈", "1534"),  # 斜钩 counts as 折
        ("心", "4544"),  # 卧钩 counts as 折
        ("犭", "353"),  # 弯钩 counts as 折
        ("王", "1121"),
        ("达", "134454"),  # 6 strokes; some data sets say 5
        ("皙", "1234331232511"),  # 13; cnchar 3.2.6 drops a stroke of 白
        ("氵", "441"),  # radical, added to cover GB 2312
        ("䶮", "135341134"),  # composed: 龙 + 天
        ("黄", "12212512134"),
        ("谢", "453251113124"),
    ],
)
def test_known_stroke_orders(char: str, classes: str) -> None:
    assert stroke_table()[char] == classes


# --- properties ---------------------------------------------------------------------------

KNOWN = sorted(stroke_table())
SURNAMES = list("王李张刘陈杨黄赵吴周于干丁十土士工甲申由欧阳司马上官") + [COUNT_ONLY_2, BIANG]
name_chars = st.sampled_from(SURNAMES + KNOWN[:300] + ["·", "A", "b", " "])
names = st.text(name_chars, min_size=0, max_size=4)
name_lists = st.lists(names, max_size=40)


def naive_compare(a: str, b: str) -> int:
    """Oracle: GF 3003-1999 rules 1-3 and 5, written out plainly, for known characters only.

    Returns -1/1 when the rules order a and b, 0 when they do not (equal, or a character
    without stroke order decides).
    """
    table = stroke_table()
    for x, y in zip(a, b, strict=False):
        if x == y:
            continue
        if x not in table or y not in table:
            return 0
        sx, sy = table[x], table[y]
        if len(sx) != len(sy):
            return -1 if len(sx) < len(sy) else 1
        if sx != sy:
            return -1 if sx < sy else 1
        return 0  # same strokes, different characters: the shape rule
    return -1 if len(a) < len(b) else (1 if len(a) > len(b) else 0)


@given(st.lists(st.text(st.sampled_from(KNOWN[:2000] + SURNAMES), max_size=4), max_size=40))
def test_agrees_with_a_plain_oracle(items: list[str]) -> None:
    ordered = sort_by_strokes(items, key=str).ordered
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            assert naive_compare(a, b) <= 0, (a, b)


@given(name_lists)
def test_sort_is_a_permutation(items: list[str]) -> None:
    result = sort_by_strokes(items, key=str)
    assert Counter(result.ordered) == Counter(items)
    keys = [stroke_key(n) for n in result.ordered]
    assert keys == sorted(keys)


@given(name_lists)
def test_sort_is_deterministic_and_idempotent(items: list[str]) -> None:
    first = sort_by_strokes(items, key=str)
    assert sort_by_strokes(items, key=str) == first
    again = sort_by_strokes(first.ordered, key=str)
    assert again.ordered == first.ordered
    assert again.ties == first.ties
    assert again.unresolved == first.unresolved


@given(name_lists, st.randoms(use_true_random=False))
def test_input_order_matters_only_within_ties(items: list[str], rng: random.Random) -> None:
    tagged = list(enumerate(items))
    shuffled = tagged[:]
    rng.shuffle(shuffled)
    a = sort_by_strokes(tagged, key=lambda t: t[1])
    b = sort_by_strokes(shuffled, key=lambda t: t[1])
    assert [stroke_key(n) for _, n in a.ordered] == [stroke_key(n) for _, n in b.ordered]
    assert sorted(map(sorted, a.ties)) == sorted(map(sorted, b.ties))
    assert len(a.unresolved) == len(b.unresolved)
    # stable: inside a tie, input order is kept
    for group in a.ties:
        assert [i for i, _ in group] == sorted(i for i, _ in group)
    position = {item: k for k, item in enumerate(shuffled)}
    for group in b.ties:
        assert [position[t] for t in group] == sorted(position[t] for t in group)


@given(name_lists)
def test_ties_are_exactly_the_groups_of_equal_keys(items: list[str]) -> None:
    result = sort_by_strokes(items, key=str)
    counts = Counter(stroke_key(n) for n in items)
    assert sorted(len(g) for g in result.ties) == sorted(c for c in counts.values() if c > 1)
    for group in result.ties:
        assert len({stroke_key(n) for n in group}) == 1


@given(name_lists)
def test_unresolved_groups_are_contiguous_and_disjoint(items: list[str]) -> None:
    tagged = list(enumerate(items))
    result = sort_by_strokes(tagged, key=lambda t: t[1])
    index = {item: k for k, item in enumerate(result.ordered)}
    previous_end = -1
    for group in result.unresolved:
        positions = [index[item] for item in group]
        assert len(group) >= 2
        assert positions == list(range(positions[0], positions[0] + len(group)))
        assert positions[0] > previous_end
        previous_end = positions[-1]


# --- size ---------------------------------------------------------------------------------


def test_sorting_100k_names_orders_them_all() -> None:
    rng = random.Random(2026)
    common = KNOWN[:3500]
    names = [
        rng.choice(SURNAMES[:20]) + "".join(rng.choice(common) for _ in range(rng.choice((1, 2))))
        for _ in range(100_000)
    ]
    result = sort_by_strokes(names, key=str)
    assert len(result.ordered) == 100_000  # speed: bench/, never a timed test


def test_many_unknown_characters_do_not_go_quadratic() -> None:
    unknown = [chr(cp) for cp in range(0x3400, 0x4DB6)]  # Extension A, mostly count-only
    names = [c + "一" for c in unknown] * 2
    result = sort_by_strokes(names, key=str)
    assert len(result.unresolved) >= 1
