"""Charter loading, validation with file/line/key, canonical JSON and digest, rule listing."""

import hashlib
import json
import re
import tomllib
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from juwei.errors import CharterError
from juwei.rules.charter import (
    CANONICAL_FILE,
    Charter,
    OfficeKey,
    format_key,
    index_toml,
    list_profiles,
    load_charter,
    locate_key,
    parse_charter,
    profile_path,
)
from juwei.rules.thresholds import Base, Threshold, Word

PROFILES = ("nanchangzhai", "qianpai", "urban-2018", "urban-2025")


def line_of(text: str, fragment: str) -> int:
    """The 1-based line on which the only occurrence of ``fragment`` starts."""
    assert text.count(fragment) == 1, f"{fragment!r} occurs {text.count(fragment)} times"
    return text[: text.index(fragment)].count("\n") + 1


def variant(tmp_path: Path, profile: str, old: str, new: str) -> tuple[Path, str]:
    """Write ``profile`` with the first ``old`` replaced by ``new``; return (path, text)."""
    text = profile_path(profile).read_text(encoding="utf-8")
    assert old in text, old
    changed = text.replace(old, new, 1)
    path = tmp_path / f"{profile}-variant.toml"
    path.write_text(changed, encoding="utf-8")
    return path, changed


# --- profiles ---------------------------------------------------------------------------------


def test_list_profiles() -> None:
    assert list_profiles() == list(PROFILES)


@pytest.mark.parametrize("name", PROFILES)
def test_profile_loads_and_names_itself(name: str) -> None:
    charter = load_charter(name)
    assert charter.name == name
    assert load_charter(profile_path(name)) == charter


def test_qianpai_facts() -> None:
    c = load_charter("qianpai")
    assert [(k.value, o.title, o.seats) for k, o in c.committee.offices.items()] == [
        ("director", "主任", 1),
        ("deputy", "副主任", 1),
        ("member", "委员", 5),
    ]
    assert (c.committee.size.min, c.committee.size.max, c.committee.default_size) == (7, 7, 7)
    assert c.term.years == 3 and c.term.reelection
    assert c.recall.initiation.any_of == [
        Threshold(word=Word.AT_LEAST, fraction=Fraction(1, 5), base=Base.REGISTERED_VOTERS)
    ]
    # the recall goes to the 居民会议, valid only when more than half attend (S1 art 9)
    assert c.recall.passage.turnout == Threshold(
        word=Word.MORE_THAN, fraction=Fraction(1, 2), base=Base.REGISTERED_VOTERS
    )
    assert c.recall.passage.approval.describe().zh == "参加投票选民的过半数"
    assert c.evaluation is not None
    assert c.evaluation.satisfaction_below.fraction == Fraction(3, 5)
    assert c.representatives.term_years == 3
    assert c.charter.effective is None


def test_nanchangzhai_facts() -> None:
    c = load_charter("nanchangzhai")
    assert {k: o.seats for k, o in c.committee.offices.items()} == {
        OfficeKey.DIRECTOR: 1,
        OfficeKey.MEMBER: 2,
    }
    assert c.committee.default_size == 3
    assert c.term.years == 3
    assert c.community is not None and c.community.residents_groups == 16
    assert list(c.election.modes) == ["direct"]
    assert c.nomination.methods.self_nomination and c.nomination.methods.recruitment
    assert c.evaluation is None


def test_urban_2018_facts() -> None:
    c = load_charter("urban-2018")
    assert (c.committee.size.min, c.committee.size.max) == (5, 9)
    assert c.term.years == 5
    assert c.charter.effective is not None and c.charter.effective.isoformat() == "2018-12-29"
    assert [t.base for t in c.recall.initiation.any_of] == [
        Base.REGISTERED_VOTERS,
        Base.HOUSEHOLDS,
        Base.RESIDENTS_GROUPS,
        Base.REPRESENTATIVES,
    ]
    assert c.recall.passage.turnout is not None
    assert c.recall.passage.turnout.base is Base.REGISTERED_VOTERS
    assert c.proxy.max_per_holder == 3
    assert c.count.supplementary.vacancies_allowed_from == 3
    assert c.office("deputy").max_seats == 2


# --- loader errors: file, line, key ------------------------------------------------------------


LOADER_ERRORS = [
    pytest.param(
        "qianpai", "reasons_required = true", "reasons_required = true\nreason_required = true",
        "reason_required = true", "recall.initiation.reason_required", "unknown key",
        id="unknown key",
    ),
    pytest.param(
        "urban-2018",
        '{ word = "at_least", fraction = "1/5", base = "households" }',
        '{ word = "at_least", fraction = "6/5", base = "households" }',
        '"6/5"', "recall.initiation.any_of[1].fraction",
        "the fraction 6/5 must be more than 0 and at most 1",
        id="fraction 6/5 in a multi-line array",
    ),
    pytest.param(
        "qianpai", 'title_en = "member"\nseats = 5', 'title_en = "member"\nseats = 12',
        "seats = 12", "committee.offices.member.seats",
        "12 seats for member is outside the committee size of 7 to 7",
        id="seats outside the committee size",
    ),
    pytest.param(
        "qianpai", "years = 3\nreelection", "years = 0\nreelection",
        "years = 0", "term.years", "must be at least 1 (found 0)",
        id="term of 0 years",
    ),
    pytest.param(
        "qianpai", 'title_en = "member"\nseats = 5', 'title_en = "member"\nseats = 6',
        "[committee.offices.director]", "committee.offices",
        "the default seats add up to 8, outside the committee size of 7 to 7",
        id="sum of default seats outside the size",
    ),
    pytest.param(
        "urban-2018", 'min_seats = 3\nmax_seats = 7', 'min_seats = 3\nmax_seats = 4',
        "seats = 5", "committee.offices.member.seats",
        "seats 5 is outside min_seats 3 to max_seats 4",
        id="seats outside the office's own range",
    ),
    pytest.param(
        "urban-2018",
        'threshold = { word = "more_than", fraction = "1/2", base = "ballots_returned" }',
        'threshold = { word = "more_than", fraction = "1/2", base = "ballots_returned", x = 1 }',
        "returned\", x = 1 }", "count.elected.threshold.x", "unknown key",
        id="unknown key in an inline table",
    ),
    pytest.param(
        "qianpai", 'approval = { word = "more_than"', '# approval = { word = "more_than"',
        "[recall.passage]", "recall.passage.approval", "required key is missing",
        id="missing key points at its table",
    ),
    pytest.param(
        "qianpai", "min_months = 6", 'min_months = "6"',
        'min_months = "6"', "eligibility.registrations.residence.min_months",
        'must be a whole number (found "6")',
        id="string for a number",
    ),
    pytest.param(
        "qianpai", "years = 3\nreelection", "years = true\nreelection",
        "years = true", "term.years", "must be a whole number (found true)",
        id="boolean for a number",
    ),
    pytest.param(
        "qianpai", 'source = "V1 art 35"', 'source = "village law"',
        '"village law"', "recall.vote.source",
        "each part of a source (separated by ;) must start with a source code: S1-S5, P1-P12, "
        "V1-V4, SEED, LOCAL (the community's own decision) or JUWEI (a convention of juwei)",
        id="source without a source code",
    ),
    pytest.param(
        "qianpai", "[committee.offices.deputy]", "[committee.offices.vice]",
        "[committee.offices.vice]", "committee.offices.vice",
        "must be one of: 'director', 'deputy' or 'member' (found \"vice\")",
        id="unknown office",
    ),
    pytest.param(
        "urban-2018",
        'quorum = { word = "more_than", fraction = "1/2", base = "registered_voters" }',
        'quorum = { word = "less_than", fraction = "1/2", base = "registered_voters" }',
        '"less_than"', "election.modes.direct.quorum",
        'this threshold must use "at_least" or "more_than"',
        id="less_than as a quorum",
    ),
    pytest.param(
        "urban-2018",
        'quorum = { word = "more_than", fraction = "1/2", base = "registered_voters" }',
        'quorum = { word = "more_than", fraction = "1/2", base = "households" }',
        'base = "households" }\nsource = "S4', "election.modes.direct.quorum.base",
        "the quorum of the direct mode must be taken of registered_voters",
        id="quorum of the wrong base",
    ),
    pytest.param(
        "urban-2018",
        'threshold = { word = "at_least", fraction = "1/3", base = "ballots_returned" }',
        'threshold = { word = "at_least", fraction = 0.333, base = "ballots_returned" }',
        "0.333", "count.supplementary.threshold.fraction",
        'write a fraction as a quoted string such as "1/5" or "60%", never as a decimal number',
        id="float fraction",
    ),
    pytest.param(
        "nanchangzhai",
        "extra_candidates = { director = { min = 1, max = 1 }, member",
        "extra_candidates = { director = { min = 1, max = 1 }, deputy = { min = 1, max = 1 }, "
        "member",
        "extra_candidates", "slate.competition.extra_candidates.deputy",
        "the committee has no deputy office",
        id="extra candidates for an office the committee lacks",
    ),
    pytest.param(
        "urban-2018", "member = { min = 1, max = 3 }", "member = { min = 3, max = 1 }",
        "extra_candidates", "slate.competition.extra_candidates.member.max",
        "max 1 is less than min 3",
        id="range with max below min",
    ),
    pytest.param(
        "qianpai", "[by_election]", "[extra]\nx = 1\n\n[by_election]",
        "[extra]", "extra", "unknown key",
        id="unknown table",
    ),
    pytest.param(
        "qianpai", 'leap_day = "march_1"', 'leap_day = "feb_29"',
        'leap_day = "feb_29"', "eligibility.age.leap_day",
        "must be one of: 'march_1' or 'feb_28' (found \"feb_29\")",
        id="unknown enumeration value",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("profile", "old", "new", "at", "key", "reason"), LOADER_ERRORS)
def test_loader_errors_name_file_line_and_key(
    tmp_path: Path, profile: str, old: str, new: str, at: str, key: str, reason: str
) -> None:
    path, text = variant(tmp_path, profile, old, new)
    with pytest.raises(CharterError) as info:
        load_charter(path)
    error = info.value
    assert (error.file, error.line, error.key, error.reason) == (
        str(path),
        line_of(text, at),
        key,
        reason,
    )
    assert str(error) == f"{path}:{line_of(text, at)}: {key}: {reason}"
    assert error.exit_code == 3


def test_malformed_toml_gives_the_line(tmp_path: Path) -> None:
    path, text = variant(tmp_path, "qianpai", "max = 7", "max = = 7")
    with pytest.raises(CharterError) as info:
        load_charter(str(path))
    assert info.value.line == line_of(text, "max = = 7")
    assert info.value.key is None
    assert info.value.reason.startswith("malformed TOML: Invalid value")
    assert "(at line" not in info.value.reason


def test_parse_charter_from_text() -> None:
    text = profile_path("qianpai").read_text(encoding="utf-8")
    assert parse_charter(text) == load_charter("qianpai")
    with pytest.raises(CharterError) as info:
        parse_charter(text.replace("max = 7", "max = 5"), file="<pasted>")
    assert str(info.value) == (
        f"<pasted>:{line_of(text, 'max = 7')}: committee.size.max: "
        "the maximum size 5 is below the minimum size 7"
    )


def test_missing_file_and_unknown_profile(tmp_path: Path) -> None:
    with pytest.raises(CharterError) as info:
        load_charter(tmp_path / "nope.toml")
    assert info.value.reason == (
        "no such file or charter profile (profiles: nanchangzhai, qianpai, urban-2018, urban-2025)"
    )
    assert (info.value.file, info.value.line, info.value.key) == (
        str(tmp_path / "nope.toml"),
        None,
        None,
    )
    with pytest.raises(CharterError, match="no such file or charter profile"):
        load_charter("qianpai-2030")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes('schema_version = 1\n[charter]\ntitle = "钱牌"\n'.encode("gb18030"))
    with pytest.raises(CharterError) as info:
        load_charter(path)
    assert info.value.line == 3
    assert info.value.reason.startswith("the file is not UTF-8 text")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + profile_path("qianpai").read_bytes())
    assert load_charter(path) == load_charter("qianpai")


def test_direct_construction_validates() -> None:
    data = tomllib.loads(profile_path("qianpai").read_text(encoding="utf-8"))
    data["term"]["years"] = 0
    with pytest.raises(ValidationError):
        Charter.model_validate(data)


def test_charter_is_frozen() -> None:
    charter = load_charter("qianpai")
    with pytest.raises(ValidationError):
        charter.term = charter.term  # type: ignore[misc]


# --- the TOML locator -----------------------------------------------------------------------

LOCATOR_TEXT = """\
# a comment [not.a.table] key = 1
title = "a [b] # c = d"
[a]
x = 1
"quoted key".y = 2
[a.b.c]
z = { p = 1, q = { r = "}" } }
[[arr]]
k = 1
[[arr]]
k = [
  1,
  { m = 2 },  # comment ]
]
s = '''
multi [line] = 3
'''
after = 3
"""


def test_locator_accepts_what_tomllib_accepts() -> None:
    tomllib.loads(LOCATOR_TEXT)  # the sample is valid TOML


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("title",), 2),
        (("a",), 3),
        (("a", "x"), 4),
        (("a", "quoted key"), 5),
        (("a", "quoted key", "y"), 5),
        (("a", "b"), 6),
        (("a", "b", "c"), 6),
        (("a", "b", "c", "z", "q", "r"), 7),
        (("arr", 0), 8),
        (("arr", 0, "k"), 9),
        (("arr", 1), 10),
        (("arr", 1, "k"), 11),
        (("arr", 1, "k", 0), 12),
        (("arr", 1, "k", 1, "m"), 13),
        (("arr", 1, "s"), 15),
        (("arr", 1, "after"), 18),
    ],
)
def test_index_toml(path: tuple[str | int, ...], line: int) -> None:
    assert index_toml(LOCATOR_TEXT)[path] == line


def test_index_toml_has_no_phantom_keys() -> None:
    keys = index_toml(LOCATOR_TEXT)
    assert ("not",) not in keys
    assert ("multi [line]",) not in keys
    assert ("arr", 1, "multi") not in keys


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("a", "missing"), 3),
        (("a", "b", "c", "function-after[check(), int]", "z"), 7),
        (("nothing",), None),
        ((), None),
    ],
)
def test_locate_key_skips_unknown_parts(loc: tuple[str | int, ...], line: int | None) -> None:
    assert locate_key(LOCATOR_TEXT, loc) == line


def test_locate_key_survives_text_it_cannot_scan() -> None:
    assert locate_key("a = [1,\n", ("a",)) is None


@pytest.mark.parametrize(
    ("loc", "key"),
    [
        (("recall", "initiation", "any_of", 0, "fraction"), "recall.initiation.any_of[0].fraction"),
        (("committee", "offices", "vice", "[key]"), "committee.offices.vice"),
        (("term", "function-after[_check(), int]", "years"), "term.years"),
        ((), ""),
    ],
)
def test_format_key(loc: tuple[str | int, ...], key: str) -> None:
    assert format_key(loc) == key


# --- canonical JSON and digest ----------------------------------------------------------------


@pytest.mark.parametrize("name", PROFILES)
def test_canonical_json_round_trips(name: str) -> None:
    charter = load_charter(name)
    text = charter.canonical_json()
    again = Charter.from_canonical_json(text)
    assert again == charter
    assert again.canonical_json() == text
    assert again.digest() == charter.digest()
    assert again.rules() == charter.rules()


@pytest.mark.parametrize("name", PROFILES)
def test_canonical_json_form(name: str) -> None:
    text = load_charter(name).canonical_json()
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    fractions = re.findall(r'"fraction":"([^"]*)"', text)
    assert fractions and all(re.fullmatch(r"\d+/\d+", f) for f in fractions)
    assert "\\u" not in text  # Chinese is not escaped
    assert data["schema_version"] == 1


def test_canonical_dates_and_fractions() -> None:
    urban = json.loads(load_charter("urban-2018").canonical_json())
    assert urban["charter"]["effective"] == "2018-12-29"
    assert urban["recall"]["initiation"]["any_of"][0] == {
        "base": "registered_voters",
        "fraction": "1/5",
        "word": "at_least",
    }
    qianpai = json.loads(load_charter("qianpai").canonical_json())
    assert qianpai["charter"]["effective"] is None
    assert qianpai["evaluation"]["satisfaction_below"]["fraction"] == "3/5"  # written "60%"


@pytest.mark.parametrize("name", PROFILES)
def test_digest_is_sha256_of_canonical_utf8(name: str) -> None:
    charter = load_charter(name)
    expected = hashlib.sha256(charter.canonical_json().encode("utf-8")).hexdigest()
    assert charter.digest() == expected
    assert re.fullmatch(r"[0-9a-f]{64}", expected)
    assert load_charter(name).digest() == expected  # stable across loads


# Pinned digests: an election stores these. If a profile or the canonical form changes on
# purpose, update them here and say so in the change note (old elections keep their copy).
PINNED = {
    "nanchangzhai": "dd41e21ad19f60f2990b9f2101879aee761db6413dd67dfef482f0ef69c38ea9",
    # qianpai changed on purpose: [recall.passage] gained the 居民会议's turnout floor (S1 art 9)
    "qianpai": "b0094e6c93171ebc379aa8ba184483c65076dc32e794cc1ba63cb97e50c79118",
    "urban-2018": "93c7696dab39c2d77b374d61008d455dcd08293053324a41c14839b4ac470987",
    "urban-2025": "3e6a4de76cf3b9c84498b145468b1f2ae4673fcc7273eb3a4ce988eb384208ac",
}


@pytest.mark.parametrize("name", PROFILES)
def test_pinned_digests(name: str) -> None:
    assert load_charter(name).digest() == PINNED[name]


def test_digest_ignores_toml_layout_but_not_rules(tmp_path: Path) -> None:
    original = load_charter("qianpai")
    path, _ = variant(
        tmp_path, "qianpai", "years = 3\nreelection", "years   =   3 # 三年\nreelection"
    )
    assert load_charter(path).digest() == original.digest()
    path, _ = variant(tmp_path, "qianpai", "years = 3\nreelection", "years = 5\nreelection")
    assert load_charter(path).digest() != original.digest()


def test_from_canonical_json_errors() -> None:
    with pytest.raises(CharterError) as info:
        Charter.from_canonical_json("{}")
    assert (info.value.file, info.value.line, info.value.key) == (CANONICAL_FILE, None, "charter")
    assert info.value.reason == "required key is missing"
    with pytest.raises(CharterError) as info:
        Charter.from_canonical_json("not json")
    assert info.value.file == CANONICAL_FILE


def _qianpai_data() -> dict[str, Any]:
    return tomllib.loads(profile_path("qianpai").read_text(encoding="utf-8"))


@settings(max_examples=50, deadline=None)
@given(
    years=st.integers(min_value=1, max_value=10),
    q=st.integers(min_value=1, max_value=50),
    data=st.data(),
    turnout=st.booleans(),
    extra=st.integers(min_value=0, max_value=5),
)
def test_round_trip_property(
    years: int, q: int, data: st.DataObject, turnout: bool, extra: int
) -> None:
    p = data.draw(st.integers(min_value=1, max_value=q))
    raw = _qianpai_data()
    raw["term"]["years"] = years
    raw["recall"]["initiation"]["any_of"][0]["fraction"] = f"{p}/{q}"
    raw["slate"]["competition"]["extra_candidates"]["member"]["max"] = extra + 1
    if turnout:
        raw["recall"]["passage"]["turnout"] = {
            "word": "more_than",
            "fraction": "1/2",
            "base": "registered_voters",
        }
    charter = Charter.model_validate(raw)
    text = charter.canonical_json()
    again = Charter.from_canonical_json(text)
    assert again == charter
    assert again.canonical_json() == text
    assert again.digest() == hashlib.sha256(text.encode()).hexdigest()
    assert again.recall.initiation.any_of[0].fraction == Fraction(p, q)


# --- rules() ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PROFILES)
def test_rules_are_complete_and_sourced(name: str) -> None:
    rows = load_charter(name).rules()
    keys = [r.key for r in rows]
    assert len(keys) == len(set(keys))
    for required in (
        "charter",
        "committee.size",
        "committee.offices.director",
        "term",
        "eligibility.age",
        "timetable.voter_list",
        "nomination.joint",
        "slate.competition",
        "ballot.overvote",
        "election.modes.direct",
        "count.elected",
        "count.supplementary",
        "count.tie",
        "proxy",
        "recall.initiation",
        "recall.passage",
        "by_election",
        "representatives",
    ):
        assert required in keys, required
    for r in rows:
        assert r.value_en and r.value_zh and r.source, r


def test_qianpai_rule_rows() -> None:
    rows = {r.key: r for r in load_charter("qianpai").rules()}
    initiation = rows["recall.initiation"]
    assert initiation.value_en == "at least 1/5 of registered voters, jointly, stating the reasons"
    assert initiation.value_zh == "登记选民的五分之一以上联名，并说明罢免理由"
    assert initiation.source == "SEED 钱牌 第四条"
    assert rows["recall.passage"].value_zh == "登记选民的过半数投票，并经参加投票选民的过半数通过"
    assert rows["committee.size"].value_en == "7 members"
    assert rows["term"].value_zh == "每届任期3年；可以连选连任"
    assert rows["evaluation"].source == "SEED 钱牌 第二十一条"


def test_urban_rule_rows() -> None:
    rows = {r.key: r for r in load_charter("urban-2018").rules()}
    assert rows["recall.passage"].value_en == (
        "more than half of registered voters vote, and approved by more than half of "
        "ballots returned"
    )
    assert rows["committee.size"].value_zh == "5至9人"
    assert rows["election.modes.representative"].value_zh == (
        "居民代表的三分之二以上参加投票，选举有效"
    )
    assert "evaluation" not in rows
