"""Voter eligibility: age on the election day (29 February included), rights, registration."""

import tomllib
from datetime import date

import pytest

from juwei.rules.charter import Charter, load_charter, profile_path
from juwei.rules.eligibility import (
    Eligibility,
    LeapDay,
    Registration,
    add_months,
    age_on,
    birthday_in,
    check_eligibility,
)

ELECTION_DAY = date(2026, 3, 1)


@pytest.fixture(scope="module")
def qianpai() -> Charter:
    return load_charter("qianpai")


# --- age_on ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        pytest.param(date(2008, 2, 29), date(2026, 2, 28), 17, id="29 Feb: 17 on 28 Feb (JUWEI)"),
        pytest.param(date(2008, 2, 29), date(2026, 3, 1), 18, id="29 Feb: 18 on 1 Mar (JUWEI)"),
        pytest.param(date(2008, 2, 29), date(2028, 2, 28), 19, id="29 Feb: leap year, day before"),
        pytest.param(date(2008, 2, 29), date(2028, 2, 29), 20, id="29 Feb: leap year birthday"),
        pytest.param(
            date(2008, 3, 1), date(2026, 3, 1), 18, id="birthday itself counts (S1 art 8)"
        ),
        pytest.param(date(2008, 3, 2), date(2026, 3, 1), 17, id="one day before the birthday"),
        pytest.param(date(2008, 12, 31), date(2026, 1, 1), 17, id="year boundary"),
        pytest.param(date(2026, 3, 1), date(2026, 3, 1), 0, id="born on the day"),
        pytest.param(date(1926, 3, 1), date(2026, 3, 1), 100, id="a hundred"),
    ],
)
def test_age_on(birth: date, day: date, age: int) -> None:
    assert age_on(birth, day) == age


def test_age_on_feb_28_rule() -> None:
    assert age_on(date(2008, 2, 29), date(2026, 2, 28), LeapDay.FEB_28) == 18
    assert age_on(date(2008, 2, 29), date(2026, 2, 27), LeapDay.FEB_28) == 17


def test_age_on_refuses_a_day_before_birth() -> None:
    with pytest.raises(ValueError, match="before the birth date"):
        age_on(date(2008, 3, 2), date(2008, 3, 1))


@pytest.mark.parametrize(
    ("year", "leap_day", "expected"),
    [
        (2026, LeapDay.MARCH_1, date(2026, 3, 1)),
        (2026, LeapDay.FEB_28, date(2026, 2, 28)),
        (2028, LeapDay.MARCH_1, date(2028, 2, 29)),
    ],
)
def test_birthday_in(year: int, leap_day: LeapDay, expected: date) -> None:
    assert birthday_in(date(2008, 2, 29), year, leap_day) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 9, 1), 6, date(2026, 3, 1)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 1, 31), 0, date(2025, 1, 31)),
        (date(2025, 3, 1), 12, date(2026, 3, 1)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_add_months_refuses_negative() -> None:
    with pytest.raises(ValueError):
        add_months(date(2025, 1, 1), -1)


# --- registration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hukou", Registration.HUKOU),
        ("户籍", Registration.HUKOU),
        (" 居住 ", Registration.RESIDENCE),
        ("Work", Registration.WORK),
        ("工作", Registration.WORK),
    ],
)
def test_registration_parse(text: str, kind: Registration) -> None:
    assert Registration.parse(text) is kind


def test_registration_labels() -> None:
    assert [r.chinese for r in Registration] == ["户籍", "居住", "工作"]
    with pytest.raises(ValueError, match="unknown registration kind"):
        Registration.parse("临时")


# --- check_eligibility: decision table ----------------------------------------------------------

ADULT = date(1990, 5, 5)


def case(
    rule: str | None,
    *,
    birth: date = ADULT,
    deprived: bool = False,
    registration: Registration = Registration.HUKOU,
    since: date | None = None,
    consent: bool | None = None,
    id: str,
) -> object:
    return pytest.param(birth, deprived, registration, since, consent, rule, id=id)


# (profile qianpai; election day 2026-03-01; rules S1 art 8, P7, P9, JUWEI 29 Feb)
ELIGIBILITY = [
    case(None, id="hukou adult: eligible (S1 art 8)"),
    case(None, birth=date(2008, 3, 1), id="18 on the election day itself (P7, P9)"),
    case("eligibility.age", birth=date(2008, 3, 2), id="18 the day after the election (S1 art 8)"),
    case(None, birth=date(2008, 2, 29), id="born 29 Feb 2008: 18 on 1 Mar 2026 (JUWEI)"),
    case("eligibility.deprived", deprived=True, id="deprived of political rights (S1 art 8)"),
    case(
        None, registration=Registration.RESIDENCE, since=date(2025, 9, 1), consent=True,
        id="residence exactly 6 months, applied (P9: 以上 includes)",
    ),
    case(
        "eligibility.registrations.residence", registration=Registration.RESIDENCE,
        since=date(2025, 9, 2), consent=True, id="residence one day short of 6 months (P9)",
    ),
    case(
        "eligibility.registrations.residence", registration=Registration.RESIDENCE,
        since=None, consent=True, id="residence without its start date (P9)",
    ),
    case(
        "eligibility.registrations.residence", registration=Registration.RESIDENCE,
        since=date(2020, 1, 1), consent=None, id="residence without application (P9)",
    ),
    case(None, registration=Registration.WORK, consent=True, id="work with consent (P9)"),
    case(
        "eligibility.registrations.work", registration=Registration.WORK, consent=False,
        id="work with consent refused (P9)",
    ),
    case(
        "eligibility.registrations.work", registration=Registration.WORK, consent=None,
        id="work without consent (P9)",
    ),
    case(None, since=None, consent=None, id="hukou needs no date and no consent"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("birth", "deprived", "registration", "since", "consent", "failed_rule"), ELIGIBILITY
)
def test_eligibility_table(
    qianpai: Charter,
    birth: date,
    deprived: bool,
    registration: Registration,
    since: date | None,
    consent: bool | None,
    failed_rule: str | None,
) -> None:
    result = check_eligibility(
        qianpai,
        birth_date=birth,
        on=ELECTION_DAY,
        deprived=deprived,
        registration=registration,
        residence_since=since,
        consent=consent,
    )
    assert isinstance(result, Eligibility)
    assert result.eligible is (failed_rule is None)
    assert [f.rule for f in result.failures] == ([] if failed_rule is None else [failed_rule])
    for failure in result.failures:
        assert failure.reason and failure.source


def test_leap_day_birth_the_day_before(qianpai: Charter) -> None:
    result = check_eligibility(
        qianpai,
        birth_date=date(2008, 2, 29),
        on=date(2026, 2, 28),
        deprived=False,
        registration=Registration.HUKOU,
    )
    assert result.age == 17
    assert not result.eligible
    (failure,) = result.failures
    assert failure.rule == "eligibility.age"
    assert failure.reason == "aged 17 on 2026-02-28, under the minimum age of 18"
    assert failure.source == "S1 art 8; SEED 钱牌 第十条; P7; P9; JUWEI (29 February)"


def test_every_failure_is_reported(qianpai: Charter) -> None:
    result = check_eligibility(
        qianpai,
        birth_date=date(2010, 1, 1),
        on=ELECTION_DAY,
        deprived=True,
        registration=Registration.RESIDENCE,
        residence_since=date(2026, 1, 1),
        consent=False,
    )
    assert [(f.rule, f.reason) for f in result.failures] == [
        ("eligibility.age", "aged 16 on 2026-03-01, under the minimum age of 18"),
        ("eligibility.deprived", "deprived of political rights"),
        (
            "eligibility.registrations.residence",
            "living here since 2026-01-01: less than 6 months by 2026-03-01",
        ),
        (
            "eligibility.registrations.residence",
            "registration by residence (居住) needs the person's application and the election "
            "committee's consent",
        ),
    ]
    assert result.failures[1].source == "S1 art 8"
    assert result.failures[2].source == "P9"


def _variant(**changes: dict[str, object]) -> Charter:
    data = tomllib.loads(profile_path("urban-2018").read_text(encoding="utf-8"))
    for kind, values in changes.items():
        data["eligibility"]["registrations"][kind].update(values)
    return Charter.model_validate(data)


def test_kind_not_accepted_by_the_charter() -> None:
    charter = _variant(work={"accepted": False, "source": "LOCAL 2026 居民会议决定"})
    result = check_eligibility(
        charter.eligibility,  # the eligibility section alone is accepted too
        birth_date=ADULT,
        on=ELECTION_DAY,
        deprived=False,
        registration=Registration.WORK,
        consent=True,
    )
    assert [(f.rule, f.reason, f.source) for f in result.failures] == [
        (
            "eligibility.registrations.work",
            "registration by work (工作) is not accepted by this charter",
            "LOCAL 2026 居民会议决定",
        )
    ]


def test_one_year_residence_variant() -> None:
    charter = _variant(residence={"min_months": 12, "source": "P8"})

    def eligible(since: date) -> bool:
        return check_eligibility(
            charter,
            birth_date=ADULT,
            on=ELECTION_DAY,
            deprived=False,
            registration=Registration.RESIDENCE,
            residence_since=since,
            consent=True,
        ).eligible

    assert eligible(date(2025, 3, 1))  # exactly one year: 以上 includes
    assert not eligible(date(2025, 3, 2))


def test_born_after_the_election_day_is_an_error(qianpai: Charter) -> None:
    with pytest.raises(ValueError):
        check_eligibility(
            qianpai,
            birth_date=date(2026, 3, 2),
            on=ELECTION_DAY,
            deprived=False,
            registration=Registration.HUKOU,
        )


def test_registration_given_as_text_is_read(qianpai: Charter) -> None:
    result = check_eligibility(
        qianpai,
        birth_date=ADULT,
        on=ELECTION_DAY,
        deprived=False,
        registration="work",  # type: ignore[arg-type]
        consent=True,
    )
    assert result.eligible
