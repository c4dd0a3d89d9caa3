"""tally sheets of counting tables (tally_sheet): an election counted by hand on a 正-mark
board records each table's totals (issue 14 §2)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tally_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("counters", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("ballots", sa.Integer(), nullable=False),
        sa.Column("blank", sa.Integer(), nullable=False),
        sa.Column("invalid", sa.Integer(), nullable=False),
        sa.Column("offices", sa.Text(), nullable=False),
        sa.Column("entered_on", sa.Date(), nullable=False),
        sa.Column("operator", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name="fk_tally_sheet_election_id_election"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tally_sheet"),
        sa.UniqueConstraint("election_id", "table_name", name="uq_tally_sheet_election_table"),
    )
    with op.batch_alter_table("tally_sheet", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tally_sheet_election_id"), ["election_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tally_sheet", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tally_sheet_election_id"))
    op.drop_table("tally_sheet")
