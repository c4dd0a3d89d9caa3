"""Reusable Hypothesis strategies and helpers for the rules: charters, offices, ballots.

Ballots are drawn as a few distinct "templates", each cast several times, so that thresholds
are met, ties happen and overvotes, illegible and blank sections occur often enough to matter.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from juwei.rules.charter import Charter, ElectionMode, OfficeKey, load_charter
from juwei.rules.counting import ElectionCounts, OfficeCounts, OfficeSeats, Section

PROFILES = ("qianpai", "nanchangzhai", "urban-2018")
PERSONS = tuple(f"p{i:02d}" for i in range(24))


def variant(charter: Charter, **changes: Any) -> Charter:
    """``charter`` with rules changed by dotted key, validated again:
    ``variant(c, **{"ballot.overvote.invalidates": "ballot"})``."""
    data = charter.model_dump(mode="json")
    for dotted, value in changes.items():
        *path, last = dotted.split(".")
        node = data
        for part in path:
            node = node[part]
        node[last] = value
    return Charter.from_canonical_json(json.dumps(data, ensure_ascii=False))


@st.composite
def charters(draw: st.DrawFn) -> Charter:
    """A built-in profile, sometimes with another ballot policy or with carry-over (包含法)."""
    charter = load_charter(draw(st.sampled_from(PROFILES)))
    changes: dict[str, Any] = {}
    if draw(st.booleans()):
        changes["ballot.overvote.invalidates"] = draw(st.sampled_from(["section", "ballot"]))
        changes["ballot.illegible.invalidates"] = draw(st.sampled_from(["section", "ballot"]))
        changes["ballot.contradictory.invalidates"] = draw(st.sampled_from(["section", "ballot"]))
        changes["ballot.same_person.policy"] = draw(
            st.sampled_from(["ballot", "sections", "highest_office"])
        )
    if draw(st.booleans()):
        changes["ballot.carry_over.enabled"] = True
    return _variant(charter.name, tuple(sorted(changes.items()))) if changes else charter


@functools.cache
def _variant(profile: str, changes: tuple[tuple[str, Any], ...]) -> Charter:
    return variant(load_charter(profile), **dict(changes))


@st.composite
def offices(draw: st.DrawFn, charter: Charter) -> tuple[OfficeSeats, ...]:
    """The charter's offices (the director always), each with seats in its allowed range."""
    chosen = []
    for key, office in charter.committee.offices.items():
        if key is not OfficeKey.DIRECTOR and not draw(st.booleans()) and len(chosen) > 0:
            continue
        seats = draw(st.integers(max(1, office.min_seats), office.max_seats))
        chosen.append(OfficeSeats(key, seats))
    return tuple(chosen)


@st.composite
def sections(draw: st.DrawFn, seats: int, candidates: tuple[str, ...], write_ins: bool) -> Section:
    """Marks in one section: the first names of ``candidates`` (the voters' shared order, with
    two neighbours sometimes swapped, so that candidates reach thresholds and tie), usually
    within the seats, sometimes over; sometimes a random pick, an against mark for a name
    also marked for, write-ins, or an illegible ruling."""
    order = list(candidates)
    if len(order) > 1 and draw(st.booleans()):
        i = draw(st.integers(0, len(order) - 2))
        order[i], order[i + 1] = order[i + 1], order[i]
    kind = draw(st.integers(0, 9))
    n = 0 if kind == 0 else seats + 1 if kind == 1 else draw(st.integers(1, seats))
    if draw(st.integers(0, 2)) == 0:
        marked = draw(st.lists(st.sampled_from(candidates), max_size=n, unique=True))
    else:
        marked = order[:n]
    rest = [c for c in candidates if c not in marked]
    against = draw(st.lists(st.sampled_from(rest), unique=True)) if rest else []
    if draw(st.integers(0, 15)) == 0 and marked:
        against.append(marked[0])  # contradictory
    written: list[str] = []
    if write_ins and draw(st.integers(0, 7)) == 0:
        written = draw(st.lists(st.sampled_from(PERSONS), max_size=2))
    return Section(tuple(marked), tuple(against), tuple(written), draw(st.integers(0, 20)) == 0)


@dataclass(frozen=True)
class Poll:
    """A drawn election: the charter, offices with seats, candidates per office, women among
    the persons, the ballots (office key → section; a missing key is a blank section), and
    the electorate size."""

    charter: Charter
    offices: tuple[OfficeSeats, ...]
    candidates: dict[OfficeKey, tuple[str, ...]]
    women: frozenset[str]
    ballots: tuple[dict[str, Section], ...]
    registered_voters: int


@st.composite
def polls(draw: st.DrawFn, charter: Charter | None = None) -> Poll:
    """A whole poll: 1–6 ballot templates, each cast 1–12 times (ties and thresholds)."""
    if charter is None:
        charter = draw(charters())
    chosen = draw(offices(charter))
    pool = list(draw(st.permutations(PERSONS)))
    candidates: dict[OfficeKey, tuple[str, ...]] = {}
    for office in chosen:
        n = draw(st.integers(office.seats, office.seats + 3))
        candidates[office.key], pool = tuple(pool[:n]), pool[n:]
        if not candidates[office.key]:
            candidates[office.key] = (PERSONS[0],)
    write_ins = charter.ballot.form.write_ins
    templates = []
    for _ in range(draw(st.integers(1, 6))):
        ballot: dict[str, Section] = {}
        for office in chosen:
            if draw(st.integers(0, 6)) == 0:
                continue  # blank section
            ballot[office.key.value] = draw(
                sections(office.seats, candidates[office.key], write_ins)
            )
        templates.append((ballot, draw(st.sampled_from([1, 2, 2, 3, 3, 4, 6, 12]))))
    ballots = tuple(ballot for ballot, times in templates for _ in range(times))
    women = frozenset(draw(st.lists(st.sampled_from(PERSONS), max_size=5)))
    registered = len(ballots) + draw(st.integers(0, len(ballots) + 2))
    return Poll(charter, chosen, candidates, women, ballots, registered)


@st.composite
def election_counts(
    draw: st.DrawFn, charter: Charter | None = None, *, runoff: bool = False
) -> tuple[Charter, ElectionCounts]:
    """Aggregated counts drawn directly, with votes on a few levels around the thresholds
    (1/3, 1/2, 2/3 of the valid sections), so that equal tallies, ties at the last seat and
    persons voted for in several offices are common. A person's votes over all offices never
    exceed the ballots returned (one vote per person per ballot). ``runoff``: every office has
    more persons on the ballot than seats."""
    if charter is None:
        charter = draw(charters())
    chosen = draw(offices(charter))
    returned = draw(st.integers(1, 60))
    registered = returned + draw(st.integers(0, returned))
    fresh = list(draw(st.permutations(PERSONS)))
    total: dict[str, int] = {}
    result = []
    for office in chosen:
        invalid = 0 if draw(st.booleans()) else draw(st.integers(0, returned // 4))
        valid = returned - invalid
        levels = sorted(
            {0, valid // 3, valid // 3 + 1, valid // 2, valid // 2 + 1, 2 * valid // 3, valid}
        )
        hot = draw(st.sampled_from(levels[len(levels) // 2 :]))  # many on one level: ties
        names: list[str] = []
        for _ in range(draw(st.integers(office.seats + 1 if runoff else 1, office.seats + 4))):
            if total and draw(st.integers(0, 3)) == 0:
                reuse = [p for p in sorted(total) if p not in names]
                if reuse:
                    names.append(draw(st.sampled_from(reuse)))
                    continue
            if fresh:
                names.append(fresh.pop())
        budget = office.seats * valid
        votes: dict[str, int] = {}
        for person in names:
            level = hot if draw(st.integers(0, 3)) else draw(st.sampled_from(levels))
            v = min(level, budget, returned - total.get(person, 0))
            budget -= v
            votes[person] = v
            total[person] = total.get(person, 0) + v
        women = frozenset(draw(st.lists(st.sampled_from(PERSONS), max_size=4)))
        result.append(
            OfficeCounts(
                key=office.key,
                seats=office.seats,
                valid_sections=valid,
                invalid_sections=invalid,
                votes=votes,
                on_ballot=frozenset(names if runoff else names[: draw(st.integers(0, len(names)))]),
                women=women,
            )
        )
    before = draw(st.integers(0, 4))
    counts = ElectionCounts(
        mode=ElectionMode.DIRECT,
        registered_voters=registered,
        ballots_issued=returned + draw(st.integers(0, 3)),
        ballots_returned=returned,
        offices=tuple(result),
        elected_before=before,
        women_elected_before=draw(st.integers(0, before)),
    )
    return charter, counts
