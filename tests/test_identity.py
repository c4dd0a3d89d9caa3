"""公民身份号码 (GB 11643-1999): decision table, then properties of the check character."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from juwei.errors import JuweiError
from juwei.rules.identity import (
    IdNumber,
    IdNumberError,
    check_character,
    mask_id,
    normalise_id,
    parse_id_number,
)

TODAY = date(2026, 12, 20)
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def make(body: str) -> str:
    """A valid number: 17 digits plus their check character."""
    return body + ric.calc_check_digit(body + "0")


def digit_other_than(c: str, k: int) -> str:
    return str((int(c) + k) % 10)


# --- decision table -------------------------------------------------------------------

# (raw, expected number, birth date, sex, region_known)
VALID = [
    # GB 11643-1999: the standard's own example, female (17th digit 2), check character X
    pytest.param(
        "11010519491231002X",
        "11010519491231002X",
        date(1949, 12, 31),
        "F",
        True,
        id="gb11643-example-check-X",
    ),
    pytest.param(
        "360426199101010071",
        "360426199101010071",
        date(1991, 1, 1),
        "M",
        True,
        id="odd-17th-digit-is-male",
    ),
    # normalisation: lower-case x, full-width digits, spaces, ideographic space
    pytest.param(
        "11010519491231002x",
        "11010519491231002X",
        date(1949, 12, 31),
        "F",
        True,
        id="normalise-lowercase-x",
    ),
    pytest.param(
        "１１０１０５１９４９１２３１００２Ｘ",
        "11010519491231002X",
        date(1949, 12, 31),
        "F",
        True,
        id="normalise-full-width",
    ),
    pytest.param(
        " 110105 19491231 002X\t",
        "11010519491231002X",
        date(1949, 12, 31),
        "F",
        True,
        id="normalise-spaces",
    ),
    pytest.param(
        "110105\u300019491231002X",
        "11010519491231002X",
        date(1949, 12, 31),
        "F",
        True,
        id="normalise-ideographic-space",
    ),
    # region codes: a warning at most, never a rejection
    pytest.param(
        make("34140020150101001"),
        make("34140020150101001"),
        date(2015, 1, 1),
        "M",
        True,
        id="region-abolished-before-birth-still-accepted",
    ),
    pytest.param(
        make("00000019900101001"),
        make("00000019900101001"),
        date(1990, 1, 1),
        "M",
        False,
        id="region-unknown-is-only-a-warning",
    ),
    pytest.param(
        make("81000019900101002"),
        make("81000019900101002"),
        date(1990, 1, 1),
        "F",
        True,
        id="region-81-hong-kong-residence-permit",
    ),
    pytest.param(
        make("82000019900101001"),
        make("82000019900101001"),
        date(1990, 1, 1),
        "M",
        True,
        id="region-82-macao-residence-permit",
    ),
    pytest.param(
        make("83000019900101001"),
        make("83000019900101001"),
        date(1990, 1, 1),
        "M",
        True,
        id="region-83-taiwan-residence-permit",
    ),
    # birth date: leap day, and born on "today" itself
    pytest.param(
        make("11010520240229002"),
        make("11010520240229002"),
        date(2024, 2, 29),
        "F",
        True,
        id="date-leap-day-2024",
    ),
    pytest.param(
        make("11010520261220001"),
        make("11010520261220001"),
        TODAY,
        "M",
        True,
        id="date-born-today-allowed",
    ),
]


@pytest.mark.parametrize(("raw", "number", "birth", "sex", "known"), VALID)
def test_valid(raw: str, number: str, birth: date, sex: str, known: bool) -> None:
    parsed = parse_id_number(raw, today=TODAY)
    assert parsed == IdNumber(number, birth, sex, number[:6], known)


OLD = "This is an old 15-digit identity number; the 18-digit number on the current identity card is required."  # noqa: E501
LENGTH = "An identity number has 18 characters; this one has {}."
CHARS = "An identity number may contain only digits, and X as the last character."
DATE = "The birth date in the identity number is not a real date."
FUTURE = "The birth date in the identity number is in the future."
CHECK = "The check digit of the identity number does not match; a digit was probably mistyped."
EMPTY = "The identity number is empty."

INVALID = [
    # length: 18 characters; the old 15-digit number is named as such
    pytest.param("110105491231002", OLD, id="length-old-15-digit"),
    pytest.param("11010519491231002", LENGTH.format(17), id="length-17"),
    pytest.param("11010519491231002X1", LENGTH.format(19), id="length-19"),
    pytest.param("", EMPTY, id="length-empty"),
    pytest.param("   ", EMPTY, id="length-only-spaces"),
    # characters: digits, X only as the check character
    pytest.param("1101051949123100A2", CHARS, id="chars-letter"),
    pytest.param("X10105194912310021", CHARS, id="chars-x-not-last"),
    pytest.param("110105-19491231-02", CHARS, id="chars-hyphen"),
    pytest.param("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X", CHARS, id="chars-arabic-indic-digits"),
    pytest.param("11010519491231002Y", CHARS, id="chars-check-not-digit-or-x"),
    # birth date: a real calendar date, not after today
    pytest.param(make("11010519490230001"), DATE, id="date-february-30"),
    pytest.param(make("11010519491301001"), DATE, id="date-month-13"),
    pytest.param(make("11010520230229001"), DATE, id="date-no-leap-day-2023"),
    pytest.param(make("11010500000101001"), DATE, id="date-year-zero"),
    pytest.param(make("11010520261221001"), FUTURE, id="date-future-tomorrow"),
    # check character: ISO 7064 MOD 11-2
    pytest.param("110105194912310021", CHECK, id="check-wrong-digit"),
    pytest.param("360426199101010072", CHECK, id="check-off-by-one"),
    pytest.param("36042619910101007X", CHECK, id="check-x-where-digit-due"),
]


@pytest.mark.parametrize(("raw", "message"), INVALID)
def test_invalid(raw: str, message: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(raw, today=TODAY)
    assert str(caught.value) == message
    assert caught.value.reason == message
    assert isinstance(caught.value, JuweiError)


def test_check_message_does_not_reveal_the_right_digit() -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number("110105194912310021", today=TODAY)
    assert not any(ch.isdigit() or ch == "X" for ch in str(caught.value))


def test_today_defaults_to_the_system_date() -> None:
    assert parse_id_number("11010519491231002X").birth_date == date(1949, 12, 31)
    with pytest.raises(IdNumberError):
        parse_id_number(make("11010530000101001"))


def test_repr_masks_the_number() -> None:
    parsed = parse_id_number("11010519491231002X", today=TODAY)
    assert "19491231002" not in repr(parsed)
    assert "**************002X" in repr(parsed) and "110105" not in repr(parsed)
    assert parsed.masked == "**************002X"


def test_messages_are_translated() -> None:
    from juwei import i18n

    class Catalog:
        def gettext(self, message: str) -> str:
            return "译:" + message

    saved = i18n._current
    i18n._current = Catalog()  # type: ignore[assignment]
    try:
        with pytest.raises(IdNumberError, match="^译:The check digit"):
            parse_id_number("110105194912310021", today=TODAY)
    finally:
        i18n._current = saved


# --- mask_id ----------------------------------------------------------------------------

MASKS = [
    pytest.param("11010519491231002X", "**************002X", id="18-keeps-last-4"),
    pytest.param("11010519491231002x", "**************002X", id="18-normalised-x"),
    pytest.param("１１０１０５１９４９１２３１００２Ｘ", "**************002X", id="18-full-width"),
    pytest.param("110105491231002", "***********1002", id="15-only-last-4"),
    pytest.param("12345", "*2345", id="short-only-last-4"),
    pytest.param("1234", "****", id="4-or-fewer-all-hidden"),
    pytest.param("", "", id="empty"),
]


@pytest.mark.parametrize(("raw", "masked"), MASKS)
def test_mask_id(raw: str, masked: str) -> None:
    assert mask_id(raw) == masked


def test_mask_id_odd_input_does_not_raise() -> None:
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("no text")

    assert mask_id(Broken()) == "****"  # type: ignore[arg-type]
    assert mask_id(None) == "****"  # type: ignore[arg-type]
    assert mask_id(110105194912310021) == "**************0021"  # type: ignore[arg-type]


@given(st.text())
def test_mask_id_never_raises_and_shows_at_most_the_last_four(raw: str) -> None:
    masked = mask_id(raw)
    text = normalise_id(raw)
    assert len(masked) == len(text)
    assert set(masked[:-4]) <= {"*"}
    assert sum(ch != "*" for ch in masked) <= 4


# --- properties -------------------------------------------------------------------------

valid_bodies = st.builds(
    lambda region, born, seq: f"{region:06d}{born:%Y%m%d}{seq:03d}",
    st.integers(0, 999_999),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)


@given(valid_bodies)
def test_any_valid_number_round_trips(body: str) -> None:
    number = make(body)
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.number == number
    assert f"{parsed.birth_date:%Y%m%d}" == body[6:14]
    assert parsed.sex == ("M" if int(body[16]) % 2 else "F")
    assert parsed.region == body[:6]


@given(valid_bodies, st.integers(0, 17), st.integers(1, 10))
def test_any_single_character_change_is_rejected(body: str, pos: int, k: int) -> None:
    number = make(body)
    if pos == 17:  # the check character: any other of 0-9, X
        alphabet = "0123456789X"
        new = alphabet[(alphabet.index(number[17]) + k) % 11]
    else:
        new = digit_other_than(number[pos], k % 10 or 1)
    changed = number[:pos] + new + number[pos + 1 :]
    assert changed != number
    with pytest.raises(IdNumberError):
        parse_id_number(changed, today=TODAY)


@given(valid_bodies, st.integers(0, 15))
def test_swapping_two_different_adjacent_digits_is_rejected(body: str, pos: int) -> None:
    number = make(body)
    if number[pos] == number[pos + 1]:
        return
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :]
    with pytest.raises(IdNumberError):
        parse_id_number(swapped, today=TODAY)


@given(valid_bodies, st.booleans())
def test_full_width_input_equals_half_width(body: str, lower: bool) -> None:
    number = make(body)
    raw = (number.lower() if lower else number).translate(FULL_WIDTH)
    assert parse_id_number(raw, today=TODAY) == parse_id_number(number, today=TODAY)


# --- the check character itself ---------------------------------------------------------

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]  # 2**(17-i) mod 11


def oracle_check(body: str) -> str:
    """GB 11643-1999 written out: (12 - sum(a_i * W_i) mod 11) mod 11, 10 written as X."""
    r = (12 - sum(int(a) * w for a, w in zip(body, WEIGHTS, strict=True)) % 11) % 11
    return "X" if r == 10 else str(r)


@given(valid_bodies)
def test_check_character_matches_the_standard_formula(body: str) -> None:
    assert check_character(body) == oracle_check(body)


def test_check_character_examples_and_misuse() -> None:
    assert check_character("11010519491231002") == "X"  # the standard's example
    assert check_character("36042619910101007") == "1"
    for bad in ("1101051949123100", "110105194912310021", "1101051949123100X"):
        with pytest.raises(ValueError):
            check_character(bad)
