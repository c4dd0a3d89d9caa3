"""SQLModel tables of the engine.

Designed so that elections, ballots, members, petitions and the event log hang off the same
community without reshaping these tables:

- ``community`` (社区) pins the charter (章程) it runs under in ``charter_pin`` by SHA-256;
  an election will pin its own charter the same way.
- ``residents_group`` (居民小组) and ``household`` (户) belong to one community.
- ``voter`` (选民) is one registration of a person (by ID number) in one community. A voter
  who is no longer on the roll is kept with ``listed = False``: history is never deleted.
- ``roll_import`` records each import of the roll (选民登记) with its file digest and counts.
- ``event`` is the append-only audit log: canonical JSON payload, SHA-256 chained.

Model modules must not use ``from __future__ import annotations`` (SQLModel mapper).
Constraint names are explicit and stable (they appear in migrations).
"""

from datetime import date, datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Column, Field, SQLModel


class CharterPin(SQLModel, table=True):
    """A charter as it was pinned: its canonical JSON and SHA-256 digest (never changed)."""

    __tablename__ = "charter_pin"
    __table_args__ = (UniqueConstraint("digest", name="uq_charter_pin_digest"),)

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(max_length=64)
    name: str = Field(max_length=100)
    canonical_json: str = Field(sa_column=Column(Text, nullable=False))
    pinned_at: datetime


class Community(SQLModel, table=True):
    """A community (社区) with its residents' committee, run under one pinned charter."""

    __tablename__ = "community"
    __table_args__ = (UniqueConstraint("name", name="uq_community_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    charter_id: int = Field(foreign_key="charter_pin.id")
    created_at: datetime


class ResidentsGroup(SQLModel, table=True):
    """A residents' group (居民小组) of a community."""

    __tablename__ = "residents_group"
    __table_args__ = (UniqueConstraint("community_id", "name", name="uq_group_community_name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=100)


class Household(SQLModel, table=True):
    """A household (户), by its household number (户号) as the roll writes it."""

    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("community_id", "code", name="uq_household_community_code"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    group_id: int = Field(foreign_key="residents_group.id", index=True)
    code: str = Field(max_length=100)


class RollImport(SQLModel, table=True):
    """One import of the electoral roll (选民登记): file digest, as-of date and its counts."""

    __tablename__ = "roll_import"

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    file_name: str = Field(max_length=500)
    file_sha256: str = Field(max_length=64)
    as_of: date
    imported_at: datetime
    operator: str = Field(max_length=100)
    rows: int
    added: int
    updated: int
    unchanged: int
    delisted: int
    relisted: int
    rejected: int


class Voter(SQLModel, table=True):
    """A registered voter (选民) of one community, matched across imports by ID number.

    ``id_number`` is the full normalised 公民身份号码 (needed to match re-imports and sign-in
    sheets); it is never printed or logged unmasked.
    """

    __tablename__ = "voter"
    __table_args__ = (
        UniqueConstraint("community_id", "id_number", name="uq_voter_community_id_number"),
        Index("ix_voter_id_number", "id_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    id_number: str = Field(max_length=18)
    name: str = Field(max_length=100)
    sex: str = Field(max_length=1)  # "M" | "F", from the ID number
    birth_date: date
    group_id: int = Field(foreign_key="residents_group.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    address: str | None = Field(default=None, max_length=500)
    registration: str = Field(max_length=20)  # rules.eligibility.Registration value
    residence_since: date | None = None
    consent: bool | None = None
    listed: bool = True
    first_import_id: int = Field(foreign_key="roll_import.id")
    last_import_id: int = Field(foreign_key="roll_import.id")
    delisted_import_id: int | None = Field(default=None, foreign_key="roll_import.id")


class Event(SQLModel, table=True):
    """The append-only audit log: one event per change, SHA-256 chained to the previous one.

    ``payload`` is canonical JSON (sorted keys, no spaces, UTF-8). ``hash`` is the SHA-256 of
    ``prev_hash`` + the canonical JSON of (seq, at, operator, kind, community_id, payload).
    Events are written in the same transaction as the change they record; none is ever
    updated or deleted. No event links a voter to a ballot.
    """

    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("seq", name="uq_event_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    seq: int
    at: datetime
    operator: str = Field(max_length=100)
    kind: str = Field(max_length=60, index=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
