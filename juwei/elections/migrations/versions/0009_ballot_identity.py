"""ballot secrecy: ballot records identified by bundle and position given at the count
(``ballot``), never by a printed serial or a box; boxes accounted as a whole (``poll_box``:
spoiled count, closing, ballots found at opening); the poll's closing day.

Older elections keep what they stored: a ballot recorded by serial keeps the serial as its
``ballot``, and its box moves to ``legacy_ballot_box`` so that ``audit verify`` still
recomputes the digest its ``count.record`` event logged.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rename(table: str, old_uq: str | None, new_uq: str | None, columns: list[str]) -> None:
    """Rename the column ``serial`` of ``table`` to ``ballot`` (and its unique constraint)."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        if old_uq is not None:
            batch_op.drop_constraint(old_uq, type_="unique")
        batch_op.alter_column(
            "serial",
            new_column_name="ballot",
            existing_type=sa.String(length=20),
            existing_nullable=False,
        )
    if new_uq is not None:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_unique_constraint(new_uq, columns)


def upgrade() -> None:
    op.create_table(
        "legacy_ballot_box",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("box", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["ballot_record.id"], name="fk_legacy_ballot_box_record_id_ballot_record"
        ),
        sa.PrimaryKeyConstraint("record_id", name="pk_legacy_ballot_box"),
    )
    op.execute("INSERT INTO legacy_ballot_box (record_id, box) SELECT id, box FROM ballot_record")
    with op.batch_alter_table("ballot_record", schema=None) as batch_op:
        batch_op.drop_column("box")
    _rename(
        "ballot_record",
        "uq_ballot_record_election_serial",
        "uq_ballot_record_election_ballot",
        ["election_id", "ballot"],
    )
    _rename(
        "ballot_entry_pass",
        "uq_ballot_entry_pass_serial",
        "uq_ballot_entry_pass_ballot",
        ["election_id", "ballot", "pass_no"],
    )
    _rename("ballot_entry_resolution", None, None, [])
    _rename("rla_draw", None, None, [])
    _rename("rla_reading", "uq_rla_reading_serial", "uq_rla_reading_ballot", ["audit_id", "ballot"])
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.add_column(sa.Column("poll_closed_on", sa.Date(), nullable=True))
    op.create_table(
        "poll_box",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("box", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("spoiled", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("found", sa.Integer(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name="fk_poll_box_election_id_election"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_poll_box"),
        sa.UniqueConstraint("election_id", "box", name="uq_poll_box_election_box"),
    )
    with op.batch_alter_table("poll_box", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_box_election_id"), ["election_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("poll_box", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_box_election_id"))
    op.drop_table("poll_box")
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.drop_column("poll_closed_on")
    for table, new_uq, old_uq, columns in (
        ("rla_reading", "uq_rla_reading_ballot", "uq_rla_reading_serial", ["audit_id", "serial"]),
        ("rla_draw", None, None, []),
        ("ballot_entry_resolution", None, None, []),
        (
            "ballot_entry_pass",
            "uq_ballot_entry_pass_ballot",
            "uq_ballot_entry_pass_serial",
            ["election_id", "serial", "pass_no"],
        ),
        (
            "ballot_record",
            "uq_ballot_record_election_ballot",
            "uq_ballot_record_election_serial",
            ["election_id", "serial"],
        ),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if new_uq is not None:
                batch_op.drop_constraint(new_uq, type_="unique")
            batch_op.alter_column(
                "ballot",
                new_column_name="serial",
                existing_type=sa.String(length=20),
                existing_nullable=False,
            )
        if old_uq is not None:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.create_unique_constraint(old_uq, columns)
    with op.batch_alter_table("ballot_record", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "box",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="",
            )
        )
    op.execute(
        "UPDATE ballot_record SET box = (SELECT box FROM legacy_ballot_box "
        "WHERE legacy_ballot_box.record_id = ballot_record.id) "
        "WHERE id IN (SELECT record_id FROM legacy_ballot_box)"
    )
    op.drop_table("legacy_ballot_box")
