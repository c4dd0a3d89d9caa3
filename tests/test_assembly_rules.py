"""Rules of the representatives' assembly (居民代表会议) and of a group's election of its
representatives: decision tables, one row per case, the row id naming the rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from juwei.rules.assembly import MatterVotes, Resolution, decide_sitting
from juwei.rules.charter import Charter, OfficeKey, load_charter
from juwei.rules.counting import ElectionCounts, OfficeCounts, decide_outcome
from juwei.rules.slate import check_slate

QIANPAI = load_charter("qianpai")


def without_assembly(charter: Charter) -> Charter:
    data = charter.model_dump(mode="json")
    data.pop("assembly")
    data.pop("representatives_election")
    return Charter.model_validate(data)


# --- quorum: 三分之二以上的组成人员参加 (S4 art 26 by analogy; 以上 includes, S5 art 1259) ---
@pytest.mark.parametrize(
    ("serving", "present", "quorate", "needed"),
    [
        pytest.param(30, 20, True, 20, id="S4 art 26: exactly 2/3 present is a quorum (以上)"),
        pytest.param(30, 21, True, 20, id="S4 art 26: more than 2/3 present"),
        pytest.param(30, 19, False, 20, id="S4 art 26: one short of 2/3"),
        pytest.param(31, 20, False, 21, id="S4 art 26: 20 of 31 is below 2/3 (62/3 > 20)"),
        pytest.param(31, 21, True, 21, id="S4 art 26: 21 of 31 is at least 2/3"),
        pytest.param(3, 2, True, 2, id="S4 art 26: 2 of 3"),
        pytest.param(3, 1, False, 2, id="S4 art 26: 1 of 3"),
        pytest.param(1, 1, True, 1, id="S4 art 26: the only representative present"),
        pytest.param(30, 0, False, 20, id="S4 art 26: nobody present"),
        pytest.param(30, 30, True, 20, id="S4 art 26: everyone present"),
    ],
)
def test_quorum(serving: int, present: int, quorate: bool, needed: int) -> None:
    decision = decide_sitting(QIANPAI, serving=serving, present=present)
    assert decision.quorate is quorate
    assert decision.needed_present == needed
    assert decision.resolution is None
    assert decision.rule == "assembly.attendance"
    assert decision.source.startswith("S4 art 26")


# --- resolutions: 到会人员的过半数同意 (S4 art 26 by analogy; 过半数 excludes half) ---
@pytest.mark.parametrize(
    ("serving", "present", "votes", "resolution", "needed_for"),
    [
        pytest.param(30, 20, (11, 9, 0), Resolution.ADOPTED, 11, id="more than half of 20"),
        pytest.param(30, 20, (10, 10, 0), Resolution.REJECTED, 11, id="exactly half of 20"),
        pytest.param(30, 20, (10, 0, 10), Resolution.REJECTED, 11, id="abstentions in the base"),
        pytest.param(30, 21, (11, 0, 0), Resolution.ADOPTED, 11, id="11 of 21, others silent"),
        pytest.param(30, 21, (10, 2, 9), Resolution.REJECTED, 11, id="10 of 21 present"),
        pytest.param(30, 19, (19, 0, 0), Resolution.NOT_DECIDED, None, id="no quorum: no vote"),
        pytest.param(30, 30, (16, 14, 0), Resolution.ADOPTED, 16, id="16 of 30 present"),
        pytest.param(30, 30, (15, 15, 0), Resolution.REJECTED, 16, id="15 of 30: half only"),
    ],
)
def test_resolution(
    serving: int,
    present: int,
    votes: tuple[int, int, int],
    resolution: Resolution,
    needed_for: int | None,
) -> None:
    decision = decide_sitting(QIANPAI, serving=serving, present=present, votes=MatterVotes(*votes))
    assert decision.resolution is resolution
    assert decision.needed_for == needed_for
    expected_rule = "assembly.attendance" if needed_for is None else "assembly.majority"
    assert decision.rule == expected_rule


@pytest.mark.parametrize(
    ("serving", "present", "votes", "message"),
    [
        pytest.param(30, 31, None, "31 present but only 30", id="more present than serving"),
        pytest.param(0, 0, None, "no representative is serving", id="no representatives"),
        pytest.param(30, 20, (15, 6, 0), "21 votes but only 20 present", id="votes > present"),
        pytest.param(30, -1, None, "cannot be negative", id="negative present"),
    ],
)
def test_impossible_sittings_are_refused(
    serving: int, present: int, votes: tuple[int, int, int] | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        decide_sitting(
            QIANPAI,
            serving=serving,
            present=present,
            votes=MatterVotes(*votes) if votes else None,
        )


def test_a_charter_pinned_before_the_assembly_rule_cannot_decide_a_sitting() -> None:
    old = without_assembly(QIANPAI)
    assert old.assembly is None
    with pytest.raises(ValueError, match=r"no \[assembly\]"):
        decide_sitting(old, serving=30, present=25)


def test_attendance_must_be_taken_of_representatives() -> None:
    data = QIANPAI.model_dump(mode="json")
    data["assembly"]["attendance"]["base"] = "registered_voters"
    with pytest.raises(ValueError, match="attendance of the assembly must be taken of"):
        Charter.model_validate(data)


# --- the representative office (居民代表): seats, threshold, slate, no women rule ---


def test_representative_office_comes_from_per_group() -> None:
    office = QIANPAI.office(OfficeKey.REPRESENTATIVE)
    assert (office.min_seats, office.seats, office.max_seats) == (2, 3, 3)
    assert office.title == "居民代表"
    assert not OfficeKey.REPRESENTATIVE.is_committee
    assert OfficeKey.REPRESENTATIVE not in QIANPAI.committee.offices


def test_representative_threshold_is_the_charters_own_and_falls_back_by_analogy() -> None:
    threshold, rule, source = QIANPAI.elected_threshold(OfficeKey.REPRESENTATIVE)
    assert rule == "representatives_election.votes_needed"
    assert source.startswith("JUWEI")
    old = without_assembly(QIANPAI)
    assert old.elected_threshold(OfficeKey.REPRESENTATIVE)[1] == "count.elected"
    assert old.extra_candidates(OfficeKey.REPRESENTATIVE) == QIANPAI.extra_candidates("member")


def test_a_committee_charter_may_not_list_the_representative_as_an_office() -> None:
    data = QIANPAI.model_dump(mode="json")
    data["committee"]["offices"]["representative"] = data["committee"]["offices"]["member"]
    with pytest.raises(ValueError, match="must be one of: 'director', 'deputy' or 'member'"):
        Charter.model_validate(data)


@pytest.mark.parametrize(
    ("seats", "candidates", "ok"),
    [
        pytest.param(3, 4, True, id="差额: one more than 3 seats"),
        pytest.param(3, 6, True, id="差额: three more"),
        pytest.param(3, 7, False, id="差额: four more is too many"),
        pytest.param(3, 3, True, id="等额 allowed"),
        pytest.param(2, 2, True, id="等额 for 2 seats"),
    ],
)
def test_representative_slate(seats: int, candidates: int, ok: bool) -> None:
    decision = check_slate(QIANPAI, OfficeKey.REPRESENTATIVE, seats, candidates)
    assert decision.ok is ok
    assert decision.rule == "representatives_election.more_candidates"
    assert decision.source.startswith("JUWEI")


def _group_counts(votes: dict[str, int], returned: int, voters: int) -> ElectionCounts:
    return ElectionCounts(
        mode="direct",
        registered_voters=voters,
        ballots_issued=returned,
        ballots_returned=returned,
        offices=(
            OfficeCounts(
                key="representative",
                seats=3,
                votes=votes,
                on_ballot=frozenset(votes),
                valid_sections=returned,
                invalid_sections=0,
                women=frozenset(),
            ),
        ),
    )


@pytest.mark.parametrize(
    ("votes", "elected", "supplementary"),
    [
        pytest.param({"a": 61, "b": 61, "c": 61, "d": 40}, {"a", "b", "c"}, 0, id="3 of 3"),
        pytest.param({"a": 61, "b": 60, "c": 70, "d": 40}, {"a", "c"}, 1, id="exactly half fails"),
    ],
)
def test_group_election_outcome(
    votes: dict[str, int], elected: set[str], supplementary: int
) -> None:
    outcome = decide_outcome(QIANPAI, _group_counts(votes, 120, 200))
    assert outcome.valid
    assert {e.person for _k, e in outcome.elected} == elected
    office = outcome.office("representative")
    assert all(e.rule == "representatives_election.votes_needed" for e in office.elected)
    assert outcome.women is None  # the committee's women rule does not apply
    if supplementary:
        assert office.supplementary is not None
        assert office.supplementary.seats_left == supplementary
    else:
        assert office.supplementary is None


def test_group_election_below_quorum_is_void() -> None:
    outcome = decide_outcome(QIANPAI, _group_counts({"a": 100}, 100, 200))
    assert not outcome.valid


@given(
    serving=st.integers(min_value=1, max_value=400),
    data=st.data(),
)
def test_sitting_matches_a_plain_reading_of_s4_art_26(serving: int, data: st.DataObject) -> None:
    """Oracle: 三分之二以上 present (3·present ≥ 2·serving); 过半数 of those present for
    (2·for > present); without a quorum nothing is decided."""
    present = data.draw(st.integers(min_value=0, max_value=serving))
    for_ = data.draw(st.integers(min_value=0, max_value=present))
    against = data.draw(st.integers(min_value=0, max_value=present - for_))
    abstain = data.draw(st.integers(min_value=0, max_value=present - for_ - against))
    decision = decide_sitting(
        QIANPAI, serving=serving, present=present, votes=MatterVotes(for_, against, abstain)
    )
    quorate = 3 * present >= 2 * serving
    assert decision.quorate is quorate
    if not quorate:
        assert decision.resolution is Resolution.NOT_DECIDED
    elif 2 * for_ > present:
        assert decision.resolution is Resolution.ADOPTED
    else:
        assert decision.resolution is Resolution.REJECTED
