"""Citizen identity numbers (公民身份号码), GB 11643-1999.

An 18-character number: 6-digit region code (行政区划代码, GB/T 2260), 8-digit birth date
YYYYMMDD, 3-digit sequence (odd for men, even for women), and an ISO 7064 MOD 11-2 check
character (0-9 or X). The same layout is used by residence permits for residents of Hong
Kong, Macao and Taiwan (region 810000 / 820000 / 830000).

The check character comes from python-stdnum (``stdnum.cn.ric.calc_check_digit``) and the
birth date is read as its ``get_birth_date`` reads it; its ``validate`` is not used: it
rejects region codes that did not exist in the birth year (older voters) and the 81/82/83
residence permits, accepts future birth dates and rejects full-width digits. Here an unknown
region is only reported (``region_known=False``) for the caller to warn about; it is never
a reason to reject.

Error messages never repeat the number: they end up in logs and on screens.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from stdnum import numdb
from stdnum.cn import ric

from juwei.errors import JuweiError
from juwei.i18n import _

ID_LENGTH = 18
OLD_ID_LENGTH = 15
_DIGITS = frozenset("0123456789")
# Residence permits for residents of Hong Kong, Macao and Taiwan (港澳台居民居住证).
_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})


class IdNumberError(JuweiError):
    """An identity number that is not valid; ``reason`` is translated and names no digits."""

    exit_code = 3

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class IdNumber:
    """A checked identity number (GB 11643-1999).

    ``number``: normalised, 18 characters (ASCII digits, last one may be ``X``);
    ``birth_date``; ``sex``: ``"M"`` when the 17th digit is odd, else ``"F"``;
    ``region``: the first 6 digits; ``region_known``: whether the region code is in
    python-stdnum's GB/T 2260 table (any year) or is a residence-permit code. ``repr`` shows
    only the masked number and the sex (never the birth date or the region).
    """

    number: str = field(repr=False)
    birth_date: date
    sex: str
    region: str
    region_known: bool

    @property
    def masked(self) -> str:
        """The number with all but its last four characters hidden, see :func:`mask_id`."""
        return mask_id(self.number)

    def __repr__(self) -> str:
        return f"IdNumber(masked={self.masked!r}, sex={self.sex!r})"


def normalise_id(raw: str) -> str:
    """Return ``raw`` in NFKC (full-width digits become ASCII), without whitespace, X upper."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(text.split()).upper()


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Check and split an identity number (GB 11643-1999).

    ``raw`` may use full-width digits, spaces and a lower-case ``x``. ``today`` (default:
    the system date) is the day a birth date may not be after. Returns an :class:`IdNumber`.
    Raises :class:`IdNumberError` for: the old 15-digit number; a length other than 18;
    characters other than digits (and X as the last one); an impossible birth date; a birth
    date after ``today``; a check character that does not match. An unknown region code is
    not an error (see ``IdNumber.region_known``).
    """
    number = normalise_id(raw)
    if not number:
        raise IdNumberError(_("The identity number is empty."))
    if len(number) == OLD_ID_LENGTH and set(number) <= _DIGITS:
        raise IdNumberError(
            _(
                "This is an old 15-digit identity number; the 18-digit number on the "
                "current identity card is required."
            )
        )
    if len(number) != ID_LENGTH:
        raise IdNumberError(
            _("An identity number has 18 characters; this one has {count}.").format(
                count=len(number)
            )
        )
    if not set(number[:-1]) <= _DIGITS or not (number[-1] in _DIGITS or number[-1] == "X"):
        raise IdNumberError(
            _("An identity number may contain only digits, and X as the last character.")
        )
    try:  # as stdnum.cn.ric.get_birth_date, without its slow re-cleaning of the input
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as error:  # February 30, month 13, year 0 ...
        raise IdNumberError(
            _("The birth date in the identity number is not a real date.")
        ) from error
    if birth_date > (today if today is not None else date.today()):
        raise IdNumberError(_("The birth date in the identity number is in the future."))
    if check_character(number[:17]) != number[-1]:
        raise IdNumberError(
            _(
                "The check digit of the identity number does not match; a digit was "
                "probably mistyped."
            )
        )
    region = number[:6]
    return IdNumber(
        number=number,
        birth_date=birth_date,
        sex="M" if int(number[16]) % 2 == 1 else "F",
        region=region,
        region_known=_region_known(region),
    )


def check_character(body: str) -> str:
    """Return the check character (``"0"``-``"9"`` or ``"X"``) for 17 ASCII digits.

    ISO 7064 MOD 11-2 as in GB 11643-1999: ``check_character("11010519491231002") == "X"``.
    Use this rather than ``stdnum.cn.ric.calc_check_digit(body)``: that function expects the
    full 18 characters and ignores the last one, so given 17 digits it silently computes
    the check over only 16 of them. Raises ``ValueError`` unless ``body`` is 17 digits.
    """
    if len(body) != ID_LENGTH - 1 or not set(body) <= _DIGITS:
        raise ValueError("check_character needs exactly 17 ASCII digits")
    return str(ric.calc_check_digit(body + "0"))  # the appended character is ignored


@functools.lru_cache(maxsize=8192)
def _region_known(region: str) -> bool:
    if region in _PERMIT_REGIONS:
        return True
    parts = numdb.get("cn/loc").info(region)
    return any("county" in props for _part, props in parts)


def mask_id(number: str) -> str:
    """Hide all but the last four characters of an identity number: ``**************002X``.

    The one mask of every output of juwei (issue 11): the last four characters (three
    sequence digits and the check character) are all it shows, so that no other output
    (age, sex, residents' group) can be combined with it to restore the region or the birth
    date. Input is normalised like :func:`parse_id_number` first; 4 or fewer characters are
    hidden entirely. Never raises.
    """
    try:
        text = normalise_id(number if isinstance(number, str) else str(number))
    except Exception:  # a display helper must not fail on odd input
        return "****"
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]
