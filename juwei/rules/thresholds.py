"""Legal counting words (计数用语) as exact integer thresholds.

Civil Code art. 1259 (S5): 以上, 以下, 以内, 届满, 不少于 include the number itself; 超过, 不满,
多于, 少于, 不足 exclude it; 过半数 is strictly more than half. So

* 以上 / 不少于 (``Word.AT_LEAST``):   ``fraction * base <= count``
* 超过 / 过半数 (``Word.MORE_THAN``):  ``fraction * base <  count``
* 不足 / 低于 / 少于 (``Word.LESS_THAN``): ``count < fraction * base``

Every comparison is done on integers (``q * count`` against ``p * base`` for a fraction
``p/q``); no float is ever involved (legal-sources.md, "Counting words").

An empty base (``base_size == 0``) decides nothing: ``met(…, 0)`` is ``False`` for every word
(no quorum of nobody, no recall by nobody, no dissatisfaction without responses), and
``minimum(0)`` / ``maximum(0)`` raise ``ValueError`` because no count meets the threshold.
A count larger than its base (more ballots returned than registered voters, …) is a broken
reconciliation, not a threshold question: it raises ``ValueError`` so that it is never
silently counted as met.
"""

import re
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, NamedTuple, Self

from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator, model_validator
from pydantic_core import PydanticCustomError

from juwei.i18n import _, is_chinese


class Words(NamedTuple):
    """A rule or threshold in words: English ``en`` and Simplified Chinese ``zh`` (data)."""

    en: str
    zh: str

    def localized(self) -> str:
        """The form for the current language (``zh`` when juwei speaks Chinese, else ``en``)."""
        return self.zh if is_chinese() else self.en


class Word(StrEnum):
    """Which legal counting word a threshold encodes (Civil Code art. 1259, S5)."""

    AT_LEAST = "at_least"
    """以上 / 不少于: the number itself is included (``>=``)."""
    MORE_THAN = "more_than"
    """超过 / 过半数: strictly more (``>``)."""
    LESS_THAN = "less_than"
    """不足 / 低于 / 少于: strictly less (``<``); used for "satisfaction below 60%"."""


_BASE_WORDS: dict[str, Words] = {
    "registered_voters": Words("registered voters", "登记选民"),
    "households": Words("households", "户数"),
    "residents_groups": Words("residents' groups", "居民小组"),
    "representatives": Words("residents' representatives", "居民代表"),
    "ballots_returned": Words("ballots returned", "参加投票选民"),
    "valid_ballots": Words("valid ballots", "有效选票"),
    "votes_cast": Words("votes cast", "所投票数"),
    "evaluation_responses": Words("residents taking part in the evaluation", "参加考评居民"),
    "present": Words("representatives present", "到会人员"),
}


class Base(StrEnum):
    """What a threshold's fraction is taken of (the denominator).

    ``registered_voters`` 登记选民, ``households`` 户, ``residents_groups`` 居民小组,
    ``representatives`` 居民代表, ``ballots_returned`` 参加投票 (ballots returned = voters
    taking part), ``valid_ballots`` 有效选票, ``votes_cast`` 所投票数 (for + against in one
    section), ``evaluation_responses`` 参加考评 (residents who answered an evaluation, 考评).
    """

    REGISTERED_VOTERS = "registered_voters"
    HOUSEHOLDS = "households"
    RESIDENTS_GROUPS = "residents_groups"
    REPRESENTATIVES = "representatives"
    BALLOTS_RETURNED = "ballots_returned"
    VALID_BALLOTS = "valid_ballots"
    VOTES_CAST = "votes_cast"
    EVALUATION_RESPONSES = "evaluation_responses"
    PRESENT = "present"
    """到会人员: the representatives present at a sitting of the assembly (S4 art 26)."""

    def words(self) -> Words:
        """The base in English and Chinese words, e.g. ``Words("households", "户数")``."""
        return _BASE_WORDS[self.value]


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """Write ``0 <= n < 10000`` in Chinese numerals (``60`` → ``六十``, ``105`` → ``一百零五``).

    Larger numbers are written with Arabic digits. Raises ``ValueError`` for negatives.
    """
    if n < 0:
        raise ValueError(f"cannot write a negative number in words: {n}")
    if n >= 10000:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    out = ""
    zero_pending = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = (n // value) % 10
        if digit == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out += "零"
            zero_pending = False
        out += _DIGITS[digit] + unit
    return out


def fraction_text(value: Fraction) -> str:
    """The canonical text of a fraction: ``"1/5"``, ``"1/1"`` (always numerator/denominator)."""
    return f"{value.numerator}/{value.denominator}"


_FRACTION_RE = r"^\s*(\d+)\s*/\s*(\d+)\s*$"
_PERCENT_RE = r"^\s*(\d+)\s*%\s*$"


def parse_fraction(value: object) -> Fraction:
    """Parse a threshold fraction: ``"1/5"``, ``"60%"`` or a ``Fraction``; must be in (0, 1].

    Floats and decimal strings are refused on purpose (never a float in a legal count).
    Raises ``PydanticCustomError`` (a ``ValueError`` inside pydantic validation) with a
    translated reason.
    """
    if isinstance(value, Fraction):
        result = value
    elif isinstance(value, str) and (m := re.match(_FRACTION_RE, value)):
        if int(m.group(2)) == 0:
            raise PydanticCustomError(
                "fraction_zero_denominator",
                "{reason}",
                {"reason": _("a fraction cannot have 0 as its denominator")},
            )
        result = Fraction(int(m.group(1)), int(m.group(2)))
    elif isinstance(value, str) and (m := re.match(_PERCENT_RE, value)):
        result = Fraction(int(m.group(1)), 100)
    else:
        raise PydanticCustomError(
            "fraction_type",
            "{reason}",
            {
                "reason": _(
                    'write a fraction as a quoted string such as "1/5" or "60%", '
                    "never as a decimal number"
                )
            },
        )
    if not 0 < result <= 1:
        raise PydanticCustomError(
            "fraction_range",
            "{reason}",
            {
                "reason": _("the fraction {value} must be more than 0 and at most 1").format(
                    value=fraction_text(result)
                )
            },
        )
    return result


FractionValue = Annotated[
    Fraction,
    PlainValidator(parse_fraction),
    PlainSerializer(fraction_text, return_type=str),
]
"""A fraction in (0, 1]: read from ``"p/q"`` or ``"NN%"``, written as ``"p/q"``."""


def _check_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} cannot be negative: {value}")
    return value


def _english_fraction(value: Fraction) -> str:
    if value == Fraction(1, 2):
        return "half"
    return fraction_text(value)


def _chinese_fraction(value: Fraction) -> str:
    if value == Fraction(1, 2):
        return "半数"
    return f"{chinese_number(value.denominator)}分之{chinese_number(value.numerator)}"


class Threshold(BaseModel):
    """A legal threshold: ``word`` (counting word) × ``fraction`` (in (0, 1]) × ``base``.

    In a charter file it is an inline table::

        { word = "at_least", fraction = "1/5", base = "registered_voters" }

    ``more_than`` with the fraction 1 ("more than all") can never be met and is refused.
    Source of the semantics: Civil Code art. 1259 (S5).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    word: Word
    fraction: FractionValue
    base: Base

    @model_validator(mode="after")
    def _possible(self) -> Self:
        if self.word is Word.MORE_THAN and self.fraction == 1:
            raise PydanticCustomError(
                "threshold_impossible",
                "{reason}",
                {"reason": _('"more than" the whole base can never be met')},
            )
        return self

    def _operands(self, count: int, base_size: int) -> tuple[int, int]:
        """``(q * count, p * base_size)`` after checking both arguments."""
        count = _check_int("count", count)
        base_size = _check_int("base_size", base_size)
        if count > base_size:
            raise ValueError(
                f"count {count} exceeds its base {base_size} ({self.base.value}): "
                "reconcile the counts before deciding a threshold"
            )
        return self.fraction.denominator * count, self.fraction.numerator * base_size

    def met(self, count: int, base_size: int) -> bool:
        """Whether ``count`` meets this threshold on a base of ``base_size``.

        Both are non-negative ``int`` (``bool`` refused: ``TypeError``); ``count`` may not
        exceed ``base_size`` (``ValueError``). An empty base (0) is never met (see module
        docstring). Integer arithmetic only.
        """
        left, right = self._operands(count, base_size)
        if base_size == 0:
            return False
        if self.word is Word.AT_LEAST:
            return left >= right
        if self.word is Word.MORE_THAN:
            return left > right
        return left < right

    def minimum(self, base_size: int) -> int:
        """The smallest count that meets an ``at_least``/``more_than`` threshold.

        ``at_least p/q`` of n → ``ceil(p*n/q)``; ``more_than p/q`` of n → ``floor(p*n/q) + 1``.
        Always ``<= base_size``. Raises ``ValueError`` for ``base_size == 0`` (nothing meets
        it) and for ``less_than`` (use ``maximum``); ``TypeError`` for a non-int.
        """
        base_size = _check_int("base_size", base_size)
        if self.word is Word.LESS_THAN:
            raise ValueError("a less_than threshold has a maximum, not a minimum")
        if base_size == 0:
            raise ValueError("no count meets a threshold on an empty base")
        product = self.fraction.numerator * base_size
        q = self.fraction.denominator
        if self.word is Word.AT_LEAST:
            return -(-product // q)
        return product // q + 1

    def maximum(self, base_size: int) -> int:
        """The largest count that meets a ``less_than`` threshold: ``ceil(p*n/q) - 1``.

        Raises ``ValueError`` for other words and for ``base_size == 0``.
        """
        base_size = _check_int("base_size", base_size)
        if self.word is not Word.LESS_THAN:
            raise ValueError(f"a {self.word.value} threshold has a minimum, not a maximum")
        if base_size == 0:
            raise ValueError("no count meets a threshold on an empty base")
        product = self.fraction.numerator * base_size
        return -(-product // self.fraction.denominator) - 1

    def describe(self) -> Words:
        """The threshold in words, English and Chinese (the Chinese legal wording is data).

        ``at_least 1/5 registered_voters`` → "at least 1/5 of registered voters" /
        "登记选民的五分之一以上"; ``more_than 1/2 ballots_returned`` → "more than half of
        ballots returned" / "参加投票选民的过半数".
        """
        base = self.base.words()
        if self.word is Word.AT_LEAST:
            if self.fraction == 1:
                return Words(f"all {base.en}", f"全体{base.zh}")
            return Words(
                f"at least {_english_fraction(self.fraction)} of {base.en}",
                f"{base.zh}的{_chinese_fraction(self.fraction)}以上",
            )
        if self.word is Word.MORE_THAN:
            zh = (
                f"{base.zh}的过半数"
                if self.fraction == Fraction(1, 2)
                else f"超过{base.zh}的{_chinese_fraction(self.fraction)}"
            )
            return Words(f"more than {_english_fraction(self.fraction)} of {base.en}", zh)
        return Words(
            f"less than {_english_fraction(self.fraction)} of {base.en}",
            f"不足{base.zh}的{_chinese_fraction(self.fraction)}",
        )

    def __str__(self) -> str:
        return self.describe().en
