"""Plain read-models that the engine hands to printing (``ballots/``) and to the CLI.

They are frozen dataclasses of plain values: no session, no ORM object escapes the engine.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class VoterListRow:
    """One voter on the published voter list (选民榜). The ID number is already masked."""

    name: str
    sex: str  # "M" or "F", from the ID number
    birth_date: date
    age: int  # whole years on the election day / as-of date
    id_masked: str  # e.g. 110105********002X
    household: str  # 户号 as written on the roll
    address: str | None
    registration: str  # "hukou" | "residence" | "work"


@dataclass(frozen=True)
class VoterListGroup:
    """One residents' group (居民小组) with its voters ordered by surname strokes."""

    group: str
    rows: tuple[VoterListRow, ...]


@dataclass(frozen=True)
class VoterListing:
    """The whole published voter list of one community as of one date."""

    community: str
    as_of: date  # eligibility (age) is counted on this day (the election day when known)
    printed_on: date
    groups: tuple[VoterListGroup, ...]

    @property
    def total(self) -> int:
        """Number of voters on the list."""
        return sum(len(g.rows) for g in self.groups)
