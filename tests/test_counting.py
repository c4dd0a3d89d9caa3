"""The count: ballot validity, election validity, who is elected, ties, supplementary rounds.

Decision tables name the rule and the article in each row's id; the Hypothesis properties
check ``decide_outcome`` against an independent plain recount of random ballots.
"""

import dataclasses
import random
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from juwei.rules.charter import Charter, ElectionMode, OfficeKey, load_charter
from juwei.rules.counting import (
    ElectionCounts,
    OfficeCounts,
    OfficeSeats,
    Outcome,
    RoundKind,
    Section,
    Standing,
    decide_outcome,
    decide_runoff,
    decide_supplementary,
    judge_ballot,
)
from tests.conftest import examples
from tests.strategies import Poll, election_counts, polls, variant

D, DEP, M = OfficeKey.DIRECTOR, OfficeKey.DEPUTY, OfficeKey.MEMBER
QIANPAI = load_charter("qianpai")
ROOT = Path(__file__).resolve().parent.parent


def office(
    key: OfficeKey,
    seats: int,
    votes: Mapping[str, int],
    *,
    valid: int | None = None,
    invalid: int = 0,
    on_ballot: Sequence[str] | None = None,
    women: Sequence[str] = (),
) -> OfficeCounts:
    return OfficeCounts(
        key=key,
        seats=seats,
        valid_sections=valid if valid is not None else 100 - invalid,
        invalid_sections=invalid,
        votes=votes,
        on_ballot=frozenset(on_ballot if on_ballot is not None else votes),
        women=frozenset(women),
    )


def counts(
    *offices: OfficeCounts,
    returned: int = 100,
    issued: int | None = None,
    registered: int = 150,
    mode: str = "direct",
    households: int = 0,
    representatives: int = 0,
    elected_before: int = 0,
    women_before: int = 0,
) -> ElectionCounts:
    return ElectionCounts(
        mode=ElectionMode(mode),
        registered_voters=registered,
        households=households,
        representatives=representatives,
        ballots_issued=returned if issued is None else issued,
        ballots_returned=returned,
        offices=offices,
        elected_before=elected_before,
        women_elected_before=women_before,
    )


def elected(outcome: Outcome, key: OfficeKey) -> list[str]:
    return [e.person for e in outcome.office(key).elected]


# --- ballot validity ---------------------------------------------------------------------------

SEATS = (OfficeSeats(D, 1), OfficeSeats(DEP, 1), OfficeSeats(M, 5))
FIVE = ("e1", "e2", "e3", "e4", "e5")


def ballot_row(
    sections: dict[str, Section],
    expected: dict[OfficeKey, tuple[bool, tuple[str, ...]]],
    ballot_valid: bool,
    rule: str,
    why: str,
    **changes: Any,
) -> Any:
    return pytest.param(sections, expected, ballot_valid, rule, changes, id=why)


OK: tuple[bool, tuple[str, ...]] = (True, ())
BAD: tuple[bool, tuple[str, ...]] = (False, ())

BALLOTS = [
    # overvote: more names than seats (V1; V2; V3)
    ballot_row(
        {"member": Section(FIVE)},
        {D: OK, DEP: OK, M: (True, FIVE)},
        True,
        "ballot.overvote",
        "overvote: exactly the seats is valid V1",
    ),
    ballot_row(
        {"member": Section((*FIVE, "e6")), "director": Section(("a",))},
        {D: (True, ("a",)), DEP: OK, M: BAD},
        True,
        "ballot.overvote",
        "overvote: seats+1 invalidates the section V1",
    ),
    ballot_row(
        {"member": Section(FIVE[:4], write_in=("w1", "w2"))},
        {D: OK, DEP: OK, M: BAD},
        True,
        "ballot.overvote",
        "overvote: write-ins count with the marks V1",
    ),
    ballot_row(
        {"member": Section((*FIVE, "e6")), "director": Section(("a",))},
        {D: BAD, DEP: BAD, M: BAD},
        False,
        "ballot.overvote",
        "overvote: the whole ballot when the charter says so V1",
        **{"ballot.overvote.invalidates": "ballot"},
    ),
    ballot_row(
        {"member": Section(("e1",), write_in=("e1",))},
        {D: OK, DEP: OK, M: (True, ("e1",))},
        True,
        "ballot.overvote",
        "a person marked twice counts once JUWEI",
    ),
    # illegible part (V4)
    ballot_row(
        {"deputy": Section(("b",), illegible=True), "director": Section(("a",))},
        {D: (True, ("a",)), DEP: BAD, M: OK},
        True,
        "ballot.illegible",
        "illegible: that section only V4",
    ),
    # the same person for and against in one section (JUWEI, V4 by analogy)
    ballot_row(
        {"member": Section(("e1", "e2"), against=("e2",))},
        {D: OK, DEP: OK, M: BAD},
        True,
        "ballot.contradictory",
        "for and against the same person: section invalid JUWEI",
    ),
    ballot_row(
        {"member": Section(("e1",), against=("e2", "e3"))},
        {D: OK, DEP: OK, M: (True, ("e1",))},
        True,
        "ballot.overvote",
        "against marks are not votes",
    ),
    # the same person voted for in two offices (V1)
    ballot_row(
        {"director": Section(("a",)), "member": Section(("a", "e1"))},
        {D: BAD, DEP: BAD, M: BAD},
        False,
        "ballot.same_person",
        "same person two offices: whole ballot V1",
    ),
    ballot_row(
        {"director": Section(("a",)), "deputy": Section(("b",)), "member": Section(("a", "e1"))},
        {D: BAD, DEP: (True, ("b",)), M: BAD},
        True,
        "ballot.same_person",
        "same person two offices: those sections (charter option)",
        **{"ballot.same_person.policy": "sections"},
    ),
    ballot_row(
        {"director": Section(("a",)), "member": Section(("a", "e1"))},
        {D: (True, ("a",)), DEP: OK, M: (True, ("e1",))},
        True,
        "ballot.same_person",
        "same person two offices: highest office counts (charter option)",
        **{"ballot.same_person.policy": "highest_office"},
    ),
    ballot_row(
        {"director": Section(("a",)), "member": Section(("a", *FIVE))},
        {D: (True, ("a",)), DEP: OK, M: BAD},
        True,
        "ballot.overvote",
        "same person in an invalid section is no vote JUWEI",
    ),
    # blank ballot: returned and counted, no votes (P5; S4 art 15)
    ballot_row({}, {D: OK, DEP: OK, M: OK}, True, "count.elected", "blank ballot P5"),
    ballot_row(
        {"member": Section(), "director": Section()},
        {D: OK, DEP: OK, M: OK},
        True,
        "count.elected",
        "blank ballot with empty sections P5",
    ),
]


@pytest.mark.parametrize(("sections", "expected", "ballot_valid", "rule", "changes"), BALLOTS)
def test_judge_ballot(
    sections: dict[str, Section],
    expected: dict[OfficeKey, tuple[bool, tuple[str, ...]]],
    ballot_valid: bool,
    rule: str,
    changes: dict[str, Any],
) -> None:
    charter = variant(QIANPAI, **changes) if changes else QIANPAI
    judgement = judge_ballot(charter, SEATS, sections)
    assert {s.office: (s.valid, s.votes) for s in judgement.sections} == expected
    assert judgement.valid is ballot_valid
    rules = {judgement.rule} | {s.rule for s in judgement.sections}
    assert rule in rules
    for s in judgement.sections:
        assert s.reason and s.source


def test_blank_ballot_is_flagged_and_sourced() -> None:
    judgement = judge_ballot(QIANPAI, SEATS, {})
    assert judgement.blank and judgement.valid
    assert judgement.reason == "blank ballot: counted as returned, with no votes"
    assert judgement.source == QIANPAI.count.elected.source


def test_judge_ballot_reasons() -> None:
    judgement = judge_ballot(QIANPAI, SEATS, {"member": Section((*FIVE, "e6"))})
    assert judgement.section(M).reason == (
        "member: 6 names marked for 5 seat(s), more than the seats: this section is invalid"
    )
    assert judgement.section(M).source == "V1; V2; V3"
    assert judgement.reason == "ballot counted; invalid section(s): member"
    same = judge_ballot(QIANPAI, SEATS, {"director": Section(("a",)), "member": Section(("a",))})
    assert same.reason == (
        "a voted for in more than one office (director, member): the whole ballot is invalid"
    )
    assert (same.rule, same.source) == ("ballot.same_person", "V1")


@pytest.mark.parametrize(
    "sections",
    [
        pytest.param({"treasurer": Section()}, id="unknown office"),
        pytest.param({"deputy": Section(("b",))}, id="office not on this paper"),
    ],
)
def test_judge_ballot_refuses_sections_not_on_the_paper(sections: dict[str, Section]) -> None:
    with pytest.raises(ValueError):
        judge_ballot(QIANPAI, (OfficeSeats(D, 1), OfficeSeats(M, 5)), sections)


def test_write_ins_refused_where_the_charter_has_none() -> None:
    charter = variant(QIANPAI, **{"ballot.form.write_ins": False})
    with pytest.raises(ValueError, match="write-ins"):
        judge_ballot(charter, SEATS, {"member": Section(write_in=("w",))})


# --- election validity -------------------------------------------------------------------------


def validity_row(
    mode: str, returned: int, issued: int, base: int, valid: bool, rule: str, why: str
) -> Any:
    return pytest.param(mode, returned, issued, base, valid, rule, id=why)


VALIDITY = [
    # reconciliation: more ballots returned than issued voids (P10 art 34; V1-V4)
    validity_row(
        "direct", 101, 100, 200, False, "count.reconciliation", "returned > issued P10 art 34"
    ),
    validity_row(
        "direct", 100, 100, 199, True, "election.modes.direct", "returned = issued P10 art 34"
    ),
    validity_row("direct", 101, 101, 100, False, "count.reconciliation", "returned > voters V1"),
    # direct: more than half of registered voters (P5; S4 art 15)
    validity_row("direct", 50, 50, 100, False, "election.modes.direct", "exactly half void P5"),
    validity_row("direct", 51, 51, 100, True, "election.modes.direct", "half+1 valid P5"),
    validity_row("direct", 50, 50, 99, True, "election.modes.direct", "50 of 99 valid P5"),
    # household: more than half of households (P5)
    validity_row(
        "household", 40, 40, 80, False, "election.modes.household", "half of households P5"
    ),
    validity_row("household", 41, 41, 80, True, "election.modes.household", "half+1 households P5"),
    # representative: at least 2/3 of representatives (P5)
    validity_row(
        "representative", 20, 20, 30, True, "election.modes.representative", "exactly 2/3 P5"
    ),
    validity_row(
        "representative", 19, 19, 30, False, "election.modes.representative", "below 2/3 P5"
    ),
]


@pytest.mark.parametrize(("mode", "returned", "issued", "base", "valid", "rule"), VALIDITY)
def test_election_validity(
    mode: str, returned: int, issued: int, base: int, valid: bool, rule: str
) -> None:
    c = counts(
        office(D, 1, {"a": returned}, valid=returned),
        returned=returned,
        issued=issued,
        mode=mode,
        registered=base if mode == "direct" else 1000,
        households=base if mode == "household" else 0,
        representatives=base if mode == "representative" else 0,
    )
    outcome = decide_outcome(QIANPAI, c)
    assert (outcome.valid, outcome.rule) == (valid, rule)
    expected_source = (
        QIANPAI.count.reconciliation.source
        if rule == "count.reconciliation"
        else QIANPAI.election.modes[ElectionMode(mode)].source
    )
    assert outcome.source == expected_source
    assert outcome.offices == () if not valid else len(outcome.offices) == 1


def test_void_reasons() -> None:
    over = decide_outcome(
        QIANPAI, counts(office(D, 1, {}), returned=101, issued=100, registered=200)
    )
    assert over.reason == "101 ballots returned but only 100 issued: the election is void"
    low = decide_outcome(QIANPAI, counts(office(D, 1, {}), returned=100, registered=200))
    assert low.reason == (
        "100 of 200 registered voters took part; the election needs more than half of "
        "registered voters: the election is void"
    )
    assert not low.complete


def test_a_mode_the_charter_does_not_allow_raises() -> None:
    c = counts(office(D, 1, {"a": 60}), mode="household", households=120)
    with pytest.raises(ValueError, match="household"):
        decide_outcome(load_charter("nanchangzhai"), c)


# --- elected: threshold of the ballots returned --------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "returned", "valid", "is_elected"),
    [
        pytest.param(50, 100, 100, False, id="exactly half of returned: not elected P5"),
        pytest.param(51, 100, 100, True, id="half+1 of returned: elected P5"),
        pytest.param(50, 99, 99, True, id="50 of 99 returned: elected S4 art 15"),
        pytest.param(40, 100, 60, False, id="base includes invalid ballots P5"),
    ],
)
def test_elected_threshold(votes: int, returned: int, valid: int, is_elected: bool) -> None:
    c = counts(
        office(D, 1, {"a": votes}, valid=valid, invalid=returned - valid, on_ballot=["a", "b"]),
        returned=returned,
    )
    outcome = decide_outcome(QIANPAI, c)
    director = outcome.office(D)
    assert (elected(outcome, D) == ["a"]) is is_elected
    assert director.threshold_votes == returned // 2 + 1
    if is_elected:
        e = director.elected[0]
        assert (e.rule, e.source) == ("count.elected", "S4 art 15; P5")
        assert outcome.complete
    else:
        assert director.supplementary is not None
        assert director.supplementary.candidates == ("a", "b")
        assert not outcome.complete


def test_elected_reason_names_the_threshold() -> None:
    outcome = decide_outcome(QIANPAI, counts(office(D, 1, {"a": 51})))
    assert outcome.office(D).elected[0].reason == (
        "elected with 51 votes; the threshold is more than half of ballots returned "
        "(51 or more of 100)"
    )
    assert outcome.reason == (
        "100 of 150 registered voters took part, more than half of registered voters: "
        "the election is valid"
    )
    assert (outcome.rule, outcome.source) == (
        "election.modes.direct",
        QIANPAI.election.modes[ElectionMode.DIRECT].source,
    )


def test_seats_filled_in_descending_order() -> None:
    votes = {"e1": 90, "e2": 80, "e3": 70, "e4": 60, "e5": 55, "e6": 54, "e7": 30}
    outcome = decide_outcome(QIANPAI, counts(office(M, 5, votes)))
    assert elected(outcome, M) == ["e1", "e2", "e3", "e4", "e5"]
    member = outcome.office(M)
    assert member.filled and member.tie is None and member.supplementary is None
    standing = {t.person: t.standing for t in member.tallies}
    assert standing["e6"] is Standing.NOT_ELECTED  # meets the threshold, outranked
    assert [t.person for t in member.tallies] == list(votes)


# --- ties at the last seat (V1 art 28; V2 art 20; V3 art 29) -----------------------------------


def test_tie_at_the_last_seats_goes_to_a_runoff_among_exactly_the_tied() -> None:
    votes = {"e1": 80, "e2": 80, "e3": 70, "e4": 60, "e5": 60, "e6": 60, "e7": 20}
    outcome = decide_outcome(QIANPAI, counts(office(M, 5, votes)))
    member = outcome.office(M)
    assert elected(outcome, M) == ["e1", "e2", "e3"]
    assert member.tie is not None
    assert (member.tie.persons, member.tie.seats_left, member.tie.votes) == (
        ("e4", "e5", "e6"),
        2,
        60,
    )
    assert (member.tie.rule, member.tie.source) == ("count.tie", "V1 art 28; V2 art 20; V3 art 29")
    assert member.tie.reason == (
        "member: e4, e5, e6 tie with 60 votes for the last 2 seat(s): a runoff among exactly them"
    )
    assert member.supplementary is None and not outcome.complete
    assert {t.person for t in member.tallies if t.standing is Standing.TIED} == {"e4", "e5", "e6"}


def test_equal_votes_that_all_fit_are_all_elected() -> None:
    votes = {"e1": 60, "e2": 60, "e3": 60, "e4": 60, "e5": 60, "e6": 20}
    outcome = decide_outcome(QIANPAI, counts(office(M, 5, votes)))
    assert elected(outcome, M) == ["e1", "e2", "e3", "e4", "e5"] and outcome.office(M).tie is None


def test_a_tie_below_the_threshold_is_no_tie_but_a_supplementary_round() -> None:
    votes = {"e1": 80, "e2": 80, "e3": 70, "e4": 40, "e5": 40, "e6": 40}
    member = decide_outcome(QIANPAI, counts(office(M, 5, votes))).office(M)
    assert member.tie is None
    assert member.supplementary is not None
    assert member.supplementary.seats_left == 2
    assert member.supplementary.candidates == ("e4", "e5", "e6")  # 2 + 1, ties included


def test_runoff_winners_are_seated_in_the_parent_outcome() -> None:
    votes = {"e1": 80, "e2": 80, "e3": 70, "e4": 60, "e5": 60, "e6": 60}
    c = counts(office(M, 5, votes))
    outcome = decide_outcome(QIANPAI, c, settled={"member": ["e6", "e4"]})
    assert elected(outcome, M) == ["e1", "e2", "e3", "e4", "e6"]
    assert outcome.complete
    won = outcome.office(M).elected[-1]
    assert (won.rule, won.reason) == (
        "count.tie",
        "elected: won the runoff among those tied with 60 votes",
    )
    partly = decide_outcome(QIANPAI, c, settled={"member": ["e5"]})
    tie = partly.office(M).tie
    assert tie is not None and (tie.persons, tie.seats_left) == (("e4", "e6"), 1)


@pytest.mark.parametrize(
    "settled",
    [
        pytest.param({"member": ["e1"]}, id="not among the tied"),
        pytest.param({"member": ["e4", "e5", "e6"]}, id="more winners than seats"),
        pytest.param({"director": ["a"]}, id="no tie for the office"),
    ],
)
def test_wrong_runoff_winners_raise(settled: dict[str, list[str]]) -> None:
    c = counts(
        office(D, 1, {"a": 70}),
        office(M, 5, {"e1": 80, "e2": 80, "e3": 70, "e4": 60, "e5": 60, "e6": 60}),
    )
    with pytest.raises(ValueError):
        decide_outcome(QIANPAI, c, settled=settled)


def test_a_lower_office_waits_for_a_higher_runoff_that_involves_its_persons() -> None:
    urban = load_charter("urban-2018")
    c = counts(
        office(D, 1, {"a": 70}),
        office(DEP, 2, {"b": 60, "c": 60, "d": 60}),
        office(M, 5, {"c": 70, "e1": 90, "e2": 90, "e3": 90, "e4": 90, "e5": 40}),
    )
    outcome = decide_outcome(urban, c)
    deputy, member = outcome.office(DEP), outcome.office(M)
    assert deputy.tie is not None and deputy.tie.persons == ("b", "c", "d")
    assert member.deferred is not None
    assert (member.deferred.waiting_for, member.deferred.persons) == ((DEP,), ("c",))
    assert member.elected == () and not member.filled
    assert {t.standing for t in member.tallies} == {Standing.PENDING}
    # c loses the runoff: member decided, c elected there
    after = decide_outcome(urban, c, settled={"deputy": ["b", "d"]})
    assert elected(after, DEP) == ["b", "d"]
    assert elected(after, M) == ["e1", "e2", "e3", "e4", "c"]
    # c wins the runoff: out of the member office, whose last seat stays unfilled
    won = decide_outcome(urban, c, settled={"deputy": ["b", "c"]})
    assert elected(won, M) == ["e1", "e2", "e3", "e4"]
    member_after = won.office(M)
    assert member_after.supplementary is not None
    assert {t.person: t.standing for t in member_after.tallies}["c"] is Standing.ELECTED_HIGHER


def test_a_lower_office_not_involved_in_the_higher_tie_is_decided() -> None:
    urban = load_charter("urban-2018")
    c = counts(
        office(D, 1, {"a": 70}),
        office(DEP, 2, {"b": 60, "c": 60, "d": 60}),
        office(M, 3, {"e1": 90, "e2": 90, "e3": 90, "c": 10}),
    )
    assert elected(decide_outcome(urban, c), M) == ["e1", "e2", "e3"]


# --- one person elected to a higher office leaves the lower ones; carry-over (V4 art 27) --------


def test_elected_to_a_higher_office_is_out_of_the_lower_ones() -> None:
    # separate papers per office (P6), so the same voters may mark a on both
    charter = variant(load_charter("nanchangzhai"), **{"ballot.form.combined": False})
    c = counts(office(D, 1, {"a": 60}), office(M, 2, {"a": 70, "e1": 65, "e2": 55, "e3": 10}))
    outcome = decide_outcome(charter, c)
    assert elected(outcome, D) == ["a"]
    assert elected(outcome, M) == ["e1", "e2"]
    standing = {t.person: t.standing for t in outcome.office(M).tallies}
    assert standing["a"] is Standing.ELECTED_HIGHER


def test_carry_over_adds_higher_office_votes_to_lower_tallies() -> None:
    """V4 art 27 (包含法): 委员 tally = 主任 + 副主任 + 委员 votes; 副主任 = 主任 + 副主任."""
    charter = variant(QIANPAI, **{"ballot.carry_over.enabled": True})
    c = counts(
        office(D, 1, {"a": 60, "b": 20, "d": 10}),
        office(DEP, 1, {"b": 35, "c": 45}),
        office(M, 5, {"d": 45, "e1": 90, "e2": 80, "e3": 70, "e4": 60, "e5": 50}),
    )
    plain = decide_outcome(QIANPAI, c)
    assert elected(plain, DEP) == []  # b 35, c 45: neither more than half
    assert elected(plain, M) == ["e1", "e2", "e3", "e4"]  # d 45 and e5 50 below 51
    outcome = decide_outcome(charter, c)
    assert elected(outcome, D) == ["a"]
    assert elected(outcome, DEP) == ["b"]  # 20 + 35 = 55
    deputy = {t.person: (t.votes, t.carried) for t in outcome.office(DEP).tallies}
    assert deputy == {"a": (60, 60), "b": (55, 20), "c": (45, 0), "d": (10, 10)}
    assert elected(outcome, M) == ["e1", "e2", "e3", "e4", "d"]  # d: 10 + 0 + 45 = 55
    d = outcome.office(M).elected[-1]
    assert d.votes == 55 and "10 of the votes carried over" in d.reason
    assert outcome.complete


# --- supplementary round (另行选举): S4 art 15; V1; V3 -------------------------------------------


@pytest.mark.parametrize(
    ("votes", "is_elected"),
    [
        pytest.param(33, True, id="exactly 1/3 of 99 returned: elected S4 art 15"),
        pytest.param(32, False, id="one fewer than 1/3: not elected S4 art 15"),
    ],
)
def test_supplementary_threshold(votes: int, is_elected: bool) -> None:
    c = counts(office(M, 1, {"x": votes, "y": 20}, valid=99), returned=99, elected_before=5)
    outcome = decide_supplementary(QIANPAI, c)
    assert outcome.round is RoundKind.SUPPLEMENTARY
    assert (elected(outcome, M) == ["x"]) is is_elected
    member = outcome.office(M)
    assert member.threshold_votes == 33
    if is_elected:
        e = member.elected[0]
        assert (e.rule, e.source) == ("count.supplementary", "S4 art 15; V1; V2; V3")
    else:
        assert member.supplementary is not None and member.supplementary.vacancies_allowed


def test_supplementary_most_votes_win() -> None:
    c = counts(office(M, 2, {"x": 40, "y": 38, "z": 35}), elected_before=5)
    assert elected(decide_supplementary(QIANPAI, c), M) == ["x", "y"]


def test_supplementary_tie_at_the_last_seat() -> None:
    c = counts(office(M, 1, {"x": 40, "y": 40, "z": 20}), elected_before=5)
    tie = decide_supplementary(QIANPAI, c).office(M).tie
    assert tie is not None and (tie.persons, tie.seats_left) == (("x", "y"), 1)


@pytest.mark.parametrize(
    ("elected_before", "allowed"),
    [
        pytest.param(1, False, id="1 + 1 elected: fewer than 3, the round is needed V1"),
        pytest.param(2, True, id="2 + 1 elected: 3, seats may stay empty V1"),
    ],
)
def test_vacancies_allowed_from_three(elected_before: int, allowed: bool) -> None:
    c = counts(office(M, 2, {"x": 40, "y": 20, "z": 10}), elected_before=elected_before)
    supplementary = decide_supplementary(QIANPAI, c).office(M).supplementary
    assert supplementary is not None
    assert (supplementary.seats_left, supplementary.vacancies_allowed) == (1, allowed)
    assert supplementary.candidates == ("y", "z")
    assert (supplementary.rule, supplementary.source) == (
        "count.supplementary",
        "S4 art 15; V1; V2; V3",
    )


@pytest.mark.parametrize(
    ("member_votes", "allowed"),
    [
        pytest.param({"e1": 60, "e2": 40}, False, id="director + 1 member: 2 elected V1"),
        pytest.param({"e1": 60, "e2": 60}, None, id="all filled: no round V1"),
    ],
)
def test_vacancies_in_the_general_round(member_votes: dict[str, int], allowed: bool | None) -> None:
    c = counts(office(D, 1, {"a": 60}), office(M, 2, member_votes))
    member = decide_outcome(load_charter("nanchangzhai"), c).office(M)
    if allowed is None:
        assert member.supplementary is None and member.filled
    else:
        assert member.supplementary is not None
        assert member.supplementary.vacancies_allowed is allowed
        assert "so a supplementary round (另行选举) is required" in member.supplementary.reason
        assert "may stay empty" not in member.supplementary.reason


@pytest.mark.parametrize(
    ("elected_before", "says", "never"),
    [
        pytest.param(
            1,
            "only 2 members are elected (fewer than 3), so a supplementary round (另行选举) is "
            "required within 30 days among 李四, 王五",
            "may stay empty",
            id="count.supplementary-required-V1",
        ),
        pytest.param(
            2,
            "3 members are elected (at least 3), so the seats may stay empty and a supplementary "
            "round (另行选举) is not required; if the committee holds one, it is within 30 days "
            "among 李四, 王五",
            "is required",
            id="count.supplementary-optional-V1",
        ),
    ],
)
def test_a_next_round_decision_says_which_applies_once_and_by_name(
    elected_before: int, says: str, never: str
) -> None:
    """Issue 12 §6, rule count.supplementary (S4 art 15; V1; V2; V3): one sentence says
    whether the round is required or the seats may stay empty, and why; people by name."""
    c = counts(office(M, 2, {"v1": 40, "v2": 20, "v3": 10}), elected_before=elected_before)
    c = dataclasses.replace(c, names={"v1": "张三", "v2": "李四", "v3": "王五"})
    supplementary = decide_supplementary(QIANPAI, c).office(M).supplementary
    assert supplementary is not None and (supplementary.rule, supplementary.source) == (
        "count.supplementary",
        "S4 art 15; V1; V2; V3",
    )
    assert says in supplementary.reason and never not in supplementary.reason
    assert supplementary.reason.count("另行选举") == 1
    assert not re.search(r"\bv\d", supplementary.reason)


def test_a_tie_and_a_ballot_defect_name_people_by_name() -> None:
    """Issue 12 §6: a tie (count.tie) and a ballot reason (ballot.contradictory) name people."""
    c = counts(office(M, 1, {"v1": 40, "v2": 40, "v3": 20}), elected_before=5)
    c = dataclasses.replace(c, names={"v1": "张三", "v2": "李四", "v3": "王五"})
    tie = decide_supplementary(QIANPAI, c).office(M).tie
    assert (
        tie is not None and tie.rule == "count.tie" and "张三, 李四 tie with 40 votes" in tie.reason
    )
    seats = [OfficeSeats(M, 2)]
    judged = judge_ballot(
        QIANPAI,
        seats,
        {"member": Section(for_=("v1",), against=("v1",))},
        person_names={"v1": "张三"},
    )
    assert "张三 marked both for and against" in judged.sections[0].reason


def test_supplementary_candidates_are_the_unelected_with_most_votes_ties_included() -> None:
    votes = {"e1": 90, "e2": 80, "e3": 70, "e4": 40, "e5": 30, "e6": 30, "e7": 5}
    member = decide_outcome(QIANPAI, counts(office(M, 5, votes))).office(M)
    assert member.supplementary is not None
    # 2 seats left + 1 extra (slate.competition: member min +1) = 3, and e6 tied with e5
    assert member.supplementary.candidates == ("e4", "e5", "e6")
    assert member.supplementary.within_days == 30
    assert member.supplementary.vacancies_allowed  # 3 elected (V1)


# --- tie runoff (V1 art 28) -------------------------------------------------------------------


def test_runoff_most_votes_among_the_tied() -> None:
    c = counts(office(M, 2, {"e4": 50, "e5": 30, "e6": 20, "w": 60}, on_ballot=["e4", "e5", "e6"]))
    outcome = decide_runoff(QIANPAI, c)
    assert outcome.round is RoundKind.RUNOFF
    assert elected(outcome, M) == ["e4", "e5"]
    e = outcome.office(M).elected[0]
    assert (e.rule, e.reason) == ("count.tie", "elected with 50 votes, the most among the tied")
    standing = {t.person: t.standing for t in outcome.office(M).tallies}
    assert standing["w"] is Standing.NOT_IN_RUNOFF


def test_runoff_new_tie_stays_a_tie() -> None:
    c = counts(office(M, 2, {"e4": 50, "e5": 30, "e6": 30}))
    member = decide_runoff(QIANPAI, c).office(M)
    assert [e.person for e in member.elected] == ["e4"]
    assert member.tie is not None and (member.tie.persons, member.tie.seats_left) == (
        ("e5", "e6"),
        1,
    )


def test_runoff_with_nobody_voting_is_still_a_tie() -> None:
    c = counts(office(D, 1, {}, on_ballot=["a", "b"]))
    tie = decide_runoff(QIANPAI, c).office(D).tie
    assert tie is not None and (tie.persons, tie.votes) == (("a", "b"), 0)


def test_runoff_needs_more_persons_than_seats() -> None:
    with pytest.raises(ValueError):
        decide_runoff(QIANPAI, counts(office(M, 2, {"e4": 50, "e5": 30})))


def test_a_round_is_void_like_an_election() -> None:
    c = counts(office(M, 1, {"x": 40}, valid=50), returned=50, registered=100, elected_before=5)
    outcome = decide_supplementary(QIANPAI, c)
    assert (outcome.valid, outcome.rule) == (False, "election.modes.direct")


# --- women (P9; P10): flagged, committee decides (JUWEI) ---------------------------------------


def test_no_woman_elected_is_flagged_with_rule_and_source() -> None:
    c = counts(
        office(D, 1, {"a": 60}),
        office(
            M,
            5,
            {"e1": 90, "e2": 80, "e3": 70, "e4": 60, "e5": 55, "w1": 40, "w2": 40},
            women=["w1", "w2"],
        ),
    )
    flag = decide_outcome(QIANPAI, c).women
    assert flag is not None
    assert (flag.rule, flag.source) == ("committee.women", "P9; P10")
    assert flag.reason == "no woman is elected, and the charter requires a woman member"
    assert flag.suggested == ("w1", "w2") and not flag.seats_pending
    assert "JUWEI" in flag.proposal


@pytest.mark.parametrize(
    ("women", "before", "flagged"),
    [
        pytest.param(["e5"], 0, False, id="a woman elected: no flag P9"),
        pytest.param([], 1, False, id="a woman elected in an earlier round P9"),
        pytest.param([], 0, True, id="no woman: flag P9; P10"),
    ],
)
def test_women_flag(women: list[str], before: int, flagged: bool) -> None:
    votes = {"e1": 90, "e2": 80, "e3": 70, "e4": 60, "e5": 55}
    c = counts(office(M, 5, votes, women=women), elected_before=before, women_before=before)
    assert (decide_outcome(QIANPAI, c).women is not None) is flagged


def test_no_women_rule_no_flag() -> None:
    charter = variant(QIANPAI, **{"committee.women.required": False})
    c = counts(office(M, 5, {"e1": 90, "e2": 80, "e3": 70, "e4": 60, "e5": 55}))
    assert decide_outcome(charter, c).women is None


# --- counts that cannot be ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: office(D, 1, {"a": 101}), id="more votes than valid sections"),
        pytest.param(lambda: office(M, 1, {"a": 60, "b": 60}), id="more votes than seats allow"),
        pytest.param(lambda: office(D, 0, {}), id="no seats"),
        pytest.param(lambda: office(D, 1, {"a": -1}), id="negative votes"),
        pytest.param(
            lambda: counts(office(D, 1, {}, valid=90, invalid=20)), id="sections > ballots"
        ),
        pytest.param(lambda: counts(office(D, 1, {}), office(D, 1, {})), id="office twice"),
        pytest.param(lambda: counts(office(D, 1, {}), women_before=1), id="women before > before"),
    ],
)
def test_impossible_counts_raise(build: Any) -> None:
    with pytest.raises(ValueError):
        build()


# --- properties against an independent plain recount -----------------------------------------


def recount(poll: Poll, ballots: Sequence[dict[str, Section]]) -> ElectionCounts:
    """Add up judged ballots by hand: valid/invalid sections and one vote per person."""
    valid = {o.key: 0 for o in poll.offices}
    invalid = {o.key: 0 for o in poll.offices}
    votes: dict[OfficeKey, dict[str, int]] = {o.key: {} for o in poll.offices}
    for ballot in ballots:
        for section in judge_ballot(poll.charter, poll.offices, ballot).sections:
            if section.valid:
                valid[section.office] += 1
                for person in section.votes:
                    votes[section.office][person] = votes[section.office].get(person, 0) + 1
            else:
                invalid[section.office] += 1
    return ElectionCounts(
        mode=ElectionMode.DIRECT,
        registered_voters=poll.registered_voters,
        ballots_issued=len(ballots),
        ballots_returned=len(ballots),
        offices=tuple(
            OfficeCounts(
                key=o.key,
                seats=o.seats,
                valid_sections=valid[o.key],
                invalid_sections=invalid[o.key],
                votes=votes[o.key],
                on_ballot=frozenset(poll.candidates[o.key]),
                women=poll.women,
            )
            for o in poll.offices
        ),
    )


PROPERTY = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY
@given(poll=polls(), seed=st.integers(0, 2**32 - 1))
def test_outcome_is_independent_of_ballot_order(poll: Poll, seed: int) -> None:
    shuffled = list(poll.ballots)
    random.Random(seed).shuffle(shuffled)
    assert decide_outcome(poll.charter, recount(poll, shuffled)) == decide_outcome(
        poll.charter, recount(poll, poll.ballots)
    )


def assert_invariants(charter: Charter, c: ElectionCounts, outcome: Outcome) -> None:
    """(b): never more elected than seats; every elected person meets the round's threshold;
    nobody with more votes than an elected person is left out unless a tie is reported."""
    if not outcome.valid:
        assert outcome.offices == () and outcome.reason and outcome.source
        return
    threshold = {
        RoundKind.GENERAL: charter.count.elected.threshold,
        RoundKind.SUPPLEMENTARY: charter.count.supplementary.threshold,
        RoundKind.RUNOFF: None,
    }[outcome.round]
    everyone = [e.person for _, e in outcome.elected]
    assert len(everyone) == len(set(everyone))  # one office per person
    for result in outcome.offices:
        assert len(result.elected) <= result.seats
        assert result.reason and result.rule and result.source
        if result.deferred is not None:
            assert result.elected == () and result.tie is None and result.supplementary is None
            continue
        open_seats = result.seats - len(result.elected)
        if result.tie is not None:
            assert result.tie.seats_left == open_seats < len(result.tie.persons)
            assert threshold is None or threshold.met(result.tie.votes, c.ballots_returned)
        elif result.supplementary is not None:
            assert result.supplementary.seats_left == open_seats > 0
        else:
            assert open_seats == 0
        for e in result.elected:
            assert threshold is None or threshold.met(e.votes, c.ballots_returned)
            assert e.votes >= (result.threshold_votes or 0)
            if outcome.round is RoundKind.RUNOFF:
                assert e.person in c.office(result.office).on_ballot
        lowest = min((e.votes for e in result.elected), default=None)
        for t in result.tallies:
            if t.standing is not Standing.NOT_ELECTED:
                continue
            if lowest is not None:
                lost_runoff = any(
                    e.rule == "count.tie" and e.votes == t.votes for e in result.elected
                )
                assert t.votes < lowest or lost_runoff, (t, result)
            if result.tie is not None:
                assert t.votes < result.tie.votes
            if t.meets_threshold:
                assert result.tie is not None or open_seats == 0


@PROPERTY
@given(poll=polls())
def test_outcome_invariants_on_a_recount(poll: Poll) -> None:
    c = recount(poll, poll.ballots)
    assert_invariants(poll.charter, c, decide_outcome(poll.charter, c))


@PROPERTY
@given(drawn=election_counts())
def test_outcome_invariants_on_tie_prone_counts(drawn: tuple[Charter, ElectionCounts]) -> None:
    charter, c = drawn
    assert_invariants(charter, c, decide_outcome(charter, c))
    assert_invariants(charter, c, decide_supplementary(charter, c))


@PROPERTY
@given(drawn=election_counts(runoff=True))
def test_runoff_invariants(drawn: tuple[Charter, ElectionCounts]) -> None:
    charter, c = drawn
    assert_invariants(charter, c, decide_runoff(charter, c))


@PROPERTY
@given(drawn=election_counts())
def test_settling_every_tie_ends_in_a_decided_outcome(
    drawn: tuple[Charter, ElectionCounts],
) -> None:
    """Runoff winners fed back through ``settled`` seat them, and lower offices deferred for
    them are then decided: after at most one runoff per office nothing is tied or deferred."""
    charter, c = drawn
    settled: dict[str, list[str]] = {}
    for _ in range(len(c.offices) + 1):
        outcome = decide_outcome(charter, c, settled=settled)
        assert_invariants(charter, c, outcome)
        tied = [o for o in outcome.offices if o.tie is not None]
        if not tied:
            break
        tie = tied[0].tie
        assert tie is not None
        settled.setdefault(tied[0].office.value, []).extend(tie.persons[: tie.seats_left])
    assert all(o.tie is None and o.deferred is None for o in outcome.offices)


@PROPERTY
@given(poll=polls())
def test_a_valid_section_never_has_more_votes_than_seats(poll: Poll) -> None:
    seats = {o.key: o.seats for o in poll.offices}
    for ballot in poll.ballots:
        judgement = judge_ballot(poll.charter, poll.offices, ballot)
        assert [s.office for s in judgement.sections] == sorted(seats, key=lambda k: k.rank)
        for section in judgement.sections:
            assert section.reason and section.rule and section.source
            if section.valid:
                assert len(section.votes) <= seats[section.office]
                assert len(set(section.votes)) == len(section.votes)
            else:
                assert section.votes == ()
        if not judgement.valid:
            assert not any(s.valid for s in judgement.sections)
