"""a residents' group's election of its representatives (election.group_id); sittings of
the representatives' assembly (assembly_sitting)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_election_group_id"), ["group_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_election_group_id_residents_group", "residents_group", ["group_id"], ["id"]
        )
    op.create_table(
        "assembly_sitting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("charter_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("serving", sa.Integer(), nullable=False),
        sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("matter", sa.Text(), nullable=True),
        sa.Column("votes_for", sa.Integer(), nullable=True),
        sa.Column("votes_against", sa.Integer(), nullable=True),
        sa.Column("abstain", sa.Integer(), nullable=True),
        sa.Column("quorate", sa.Boolean(), nullable=False),
        sa.Column("resolution", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["charter_id"], ["charter_pin.id"], name="fk_assembly_sitting_charter_id_charter_pin"
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name="fk_assembly_sitting_community_id_community"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_assembly_sitting"),
    )
    with op.batch_alter_table("assembly_sitting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assembly_sitting_community_id"), ["community_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assembly_sitting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assembly_sitting_community_id"))
    op.drop_table("assembly_sitting")
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.drop_constraint("fk_election_group_id_residents_group", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_election_group_id"))
        batch_op.drop_column("group_id")
