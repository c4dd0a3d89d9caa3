"""Voter eligibility (选民资格): age on the election day, political rights, registration kind.

Sources (legal-sources.md): residents aged 18 or more on the election day who are not
deprived of political rights may vote and stand (S1 art 8; age counted as of the election
day, P7, P9); registration here by hukou (户籍), or by residence (居住) for ≥6 months (P9) or
≥1 year (P8) on application, or community workers (工作) with consent (P9). The charter says
which kinds it accepts, the residence period and whether consent is needed
(``[eligibility.*]`` in a charter file, see ``juwei.rules.charter.EligibilityRules``).

29 February birthdays (juwei convention, source code JUWEI): in a year without 29 February
the birthday is taken to be 1 March (``LeapDay.MARCH_1``, the default), so someone born on
2008-02-29 is 17 on 2026-02-28 and 18 on 2026-03-01. A charter may choose 28 February
(``LeapDay.FEB_28``) instead.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from juwei.i18n import _

if TYPE_CHECKING:
    from juwei.rules.charter import Charter, EligibilityRules


_REGISTRATION_ZH = {"hukou": "户籍", "residence": "居住", "work": "工作"}


class Registration(StrEnum):
    """How a voter is registered in the community (登记类别).

    ``hukou`` 户籍 (household registration here), ``residence`` 居住 (lives here without
    hukou), ``work`` 工作 (works here, e.g. a community worker).
    """

    HUKOU = "hukou"
    RESIDENCE = "residence"
    WORK = "work"

    @property
    def chinese(self) -> str:
        """The Chinese label: 户籍, 居住 or 工作."""
        return _REGISTRATION_ZH[self.value]

    @classmethod
    def parse(cls, text: str) -> Registration:
        """Read a registration kind from English (``"hukou"``) or Chinese (``"户籍"``).

        Surrounding blanks are ignored; raises ``ValueError`` for anything else.
        """
        value = text.strip()
        for member in cls:
            if value.lower() == member.value or value == member.chinese:
                return member
        raise ValueError(f"unknown registration kind: {text!r}")


class LeapDay(StrEnum):
    """Which day counts as the birthday of someone born on 29 February, in other years."""

    MARCH_1 = "march_1"
    FEB_28 = "feb_28"


def birthday_in(birth: date, year: int, leap_day: LeapDay = LeapDay.MARCH_1) -> date:
    """The day in ``year`` on which someone born on ``birth`` has their birthday.

    A 29 February birth in a year without 29 February gives 1 March (``MARCH_1``) or
    28 February (``FEB_28``). Source: juwei convention (JUWEI).
    """
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1) if leap_day is LeapDay.MARCH_1 else date(year, 2, 28)
    return birth.replace(year=year)


def age_on(birth: date, day: date, leap_day: LeapDay = LeapDay.MARCH_1) -> int:
    """Age in whole years (周岁) on ``day``: a birthday counts on the day itself.

    Born 2008-02-29 → 17 on 2026-02-28 and 18 on 2026-03-01 (``LeapDay.MARCH_1``).
    Raises ``ValueError`` when ``day`` is before ``birth``. Source: S1 art 8 (年满十八周岁),
    age counted on the election day (P7, P9); 29 February rule: JUWEI.
    """
    if day < birth:
        raise ValueError(f"{day.isoformat()} is before the birth date {birth.isoformat()}")
    years = day.year - birth.year
    if day < birthday_in(birth, day.year, leap_day):
        years -= 1
    return years


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months; a day past the month's end becomes its last.

    2025-08-31 + 6 months → 2026-02-28. Raises ``ValueError`` for negative ``months``.
    """
    if months < 0:
        raise ValueError(f"months cannot be negative: {months}")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Failure:
    """One eligibility rule that is not met: ``rule`` key (e.g. ``"eligibility.age"``),
    a translated ``reason``, the legal ``source`` of the rule, and the ``field`` of the
    person's record at fault (``birth_date``, ``deprived``, ``registration``,
    ``residence_since`` or ``consent``), so that a roll error can name its column."""

    rule: str
    reason: str
    source: str
    field: str = "birth_date"


@dataclass(frozen=True)
class Eligibility:
    """The outcome of ``check_eligibility``: ``eligible`` is true exactly when ``failures`` is
    empty; ``age`` is the age in whole years on the day checked."""

    eligible: bool
    age: int
    failures: tuple[Failure, ...]


def _registration_label(kind: Registration) -> str:
    labels = {
        Registration.HUKOU: _("household registration (户籍)"),
        Registration.RESIDENCE: _("residence (居住)"),
        Registration.WORK: _("work (工作)"),
    }
    return labels[kind]


def check_eligibility(
    rules: Charter | EligibilityRules,
    *,
    birth_date: date,
    on: date,
    deprived: bool,
    registration: Registration,
    residence_since: date | None = None,
    consent: bool | None = None,
) -> Eligibility:
    """Decide whether a person may vote and stand (选民资格) on the day ``on``.

    ``rules`` is a ``Charter`` or its ``eligibility`` section. ``on`` is the election day
    (age is counted on it, P7, P9). ``deprived``: deprived of political rights (剥夺政治权利,
    S1 art 8). ``registration``: the person's registration kind. ``residence_since``: the day
    from which the person has been living (or registered) here, needed when the charter sets a
    minimum period for that kind (居住 ≥6 months, P9). ``consent``: the person applied and the
    election committee agreed (needed for kinds with ``consent_required``, e.g. 工作 and
    居住); ``None`` counts as not given.

    Returns an ``Eligibility`` listing every failed rule (not only the first). Raises
    ``ValueError`` when ``on`` is before ``birth_date``. Pure function.
    """
    from juwei.rules.charter import Charter

    el = rules.eligibility if isinstance(rules, Charter) else rules
    kind = Registration(registration)
    failures: list[Failure] = []

    age = age_on(birth_date, on, el.age.leap_day)
    if age < el.age.minimum:
        failures.append(
            Failure(
                "eligibility.age",
                _("aged {age} on {day}, under the minimum age of {minimum}").format(
                    age=age, day=on.isoformat(), minimum=el.age.minimum
                ),
                el.age.source,
            )
        )

    if deprived and el.deprived.excluded:
        failures.append(
            Failure(
                "eligibility.deprived",
                _("deprived of political rights"),
                el.deprived.source,
                "deprived",
            )
        )

    rule = el.registrations.rule(kind)
    key = f"eligibility.registrations.{kind.value}"
    if not rule.accepted:
        failures.append(
            Failure(
                key,
                _("registration by {kind} is not accepted by this charter").format(
                    kind=_registration_label(kind)
                ),
                rule.source,
                "registration",
            )
        )
    else:
        if rule.min_months > 0:
            if residence_since is None:
                failures.append(
                    Failure(
                        key,
                        _(
                            "registration by {kind} needs at least {months} months here, "
                            "but the date from which the person lives here is missing"
                        ).format(kind=_registration_label(kind), months=rule.min_months),
                        rule.source,
                        "residence_since",
                    )
                )
            elif add_months(residence_since, rule.min_months) > on:
                failures.append(
                    Failure(
                        key,
                        _("living here since {since}: less than {months} months by {day}").format(
                            since=residence_since.isoformat(),
                            months=rule.min_months,
                            day=on.isoformat(),
                        ),
                        rule.source,
                        "residence_since",
                    )
                )
        if rule.consent_required and consent is not True:
            failures.append(
                Failure(
                    key,
                    _(
                        "registration by {kind} needs the person's application and the "
                        "election committee's consent"
                    ).format(kind=_registration_label(kind)),
                    rule.source,
                    "consent",
                )
            )

    return Eligibility(eligible=not failures, age=age, failures=tuple(failures))
