"""The law in force (现行法律) and a charter's conflicts with it.

The national urban law is a charter profile per text: ``urban-2018`` (S1 as amended
2018-12-29) and ``urban-2025`` (S3, revised 2025-10-28, in force 2026-01-01). The law in force
on a day is the text with the latest ``[charter].effective`` on or before that day.

A community's own charter (a seed charter, a local file) may still say what an older text
allowed. ``law_conflicts`` lists the points where it contradicts the law in force on the
election day, as codes and numbers (no prose): the committee is warned, naming both rules, and
decides. The charter stays runnable: the law does not silently replace it.

Pure: no database, no translation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from juwei.rules.charter import Charter, Rule, load_charter
from juwei.rules.thresholds import Words

NATIONAL_LAWS: tuple[str, ...] = ("urban-2018", "urban-2025")
"""The built-in profiles that are national law texts (not a community's charter)."""


def law_in_force(on: date) -> str:
    """The name of the national law profile in force on ``on``: the one of ``NATIONAL_LAWS``
    with the latest ``effective`` date on or before ``on`` (``urban-2025`` from 2026-01-01,
    ``urban-2018`` from 2018-12-29). Raises ``LookupError`` before the first of them."""
    dated = []
    for name in NATIONAL_LAWS:
        effective = load_charter(name).charter.effective
        if effective is not None and effective <= on:
            dated.append((effective, name))
    if not dated:
        raise LookupError(f"no national law profile is in force on {on.isoformat()}")
    return max(dated)[1]


class ConflictCode(StrEnum):
    """What a charter contradicts: ``term_years`` (a 3-year term against 5 years),
    ``committee_size`` (a size outside the law's 5–9), ``recall_turnout`` (a recall vote with
    no turnout floor where the law has one)."""

    TERM_YEARS = "term_years"
    COMMITTEE_SIZE = "committee_size"
    RECALL_TURNOUT = "recall_turnout"


@dataclass(frozen=True)
class LawConflict:
    """One conflict: the charter's rule (key path, value in words, source) against the law's
    rule (key path, value in words, source), the law's profile name, and whether the law's
    rule is provisional (its official wording not confirmed)."""

    code: ConflictCode
    charter_key: str
    charter_value: Words
    charter_source: str
    law_name: str
    law_key: str
    law_value: Words
    law_source: str
    law_provisional: bool


def law_conflicts(charter: Charter, law: Charter) -> list[LawConflict]:
    """The points where ``charter`` contradicts ``law`` (a profile of ``NATIONAL_LAWS``), in
    a fixed order: term years, committee size, recall turnout floor. Empty when ``charter``
    is ``law`` itself or agrees with it on these points."""
    if charter.canonical_json() == law.canonical_json():
        return []
    out: list[LawConflict] = []

    def add(code: ConflictCode, key: str, mine: object, theirs: object) -> None:
        assert isinstance(mine, Rule) and isinstance(theirs, Rule)
        out.append(
            LawConflict(
                code,
                key,
                mine.words(),
                mine.source,
                law.name,
                key,
                theirs.words(),
                theirs.source,
                theirs.provisional,
            )
        )

    if charter.term.years != law.term.years:
        add(ConflictCode.TERM_YEARS, "term", charter.term, law.term)
    mine, theirs = charter.committee.size, law.committee.size
    if mine.min < theirs.min or mine.max > theirs.max:
        add(ConflictCode.COMMITTEE_SIZE, "committee.size", mine, theirs)
    if charter.recall.passage.turnout is None and law.recall.passage.turnout is not None:
        add(
            ConflictCode.RECALL_TURNOUT,
            "recall.passage",
            charter.recall.passage,
            law.recall.passage,
        )
    return out


def conflicts_on(charter: Charter, day: date) -> list[LawConflict]:
    """``law_conflicts`` against the law in force on ``day`` (the election day)."""
    return law_conflicts(charter, load_charter(law_in_force(day)))


def count_rule_keys(mode: str) -> tuple[str, ...]:
    """The charter rules a count of an election in ``mode`` applies: the ballot rules, the
    mode's validity, the thresholds to be elected, the supplementary round and ties, the
    reconciliation and the women rule (for ``Charter.provisional_in``)."""
    return (
        "ballot",
        f"election.modes.{mode}",
        "count",
        "committee.women",
        "representatives_election",
    )
