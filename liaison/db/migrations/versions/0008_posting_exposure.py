"""postings by audience; edges by target and relationship type

posting_exposure: each posting (kind, key, version) once per audience a live holding shares the
version with, keyed (kind, audience, key, version) so that a correlation read walks only the
postings of the reader's own audiences: its work, and so its time, no longer grows with what
others hold of a value out of the reader's sight. Backfilled from the postings and live holdings.

The edges' target index gains the relationship type, so an entity's `duplicate-of` merges are
found without walking every object that refers to it (a country, an organisation's identity).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posting_exposure",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("version_pk", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audience_id"], ["audience.id"], ondelete="CASCADE", name=op.f("fk_posting_exposure_audience_id_audience")
        ),
        sa.ForeignKeyConstraint(
            ["version_pk"],
            ["object_version.pk"],
            ondelete="CASCADE",
            name=op.f("fk_posting_exposure_version_pk_object_version"),
        ),
        sa.PrimaryKeyConstraint("kind", "audience_id", "key", "version_pk", name=op.f("pk_posting_exposure")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_posting_exposure_version_pk", "posting_exposure", ["version_pk"], unique=False)
    op.drop_index("ix_edge_target", table_name="edge")
    op.create_index("ix_edge_target_type", "edge", ["target_id", "relationship_type"], unique=False)
    op.execute(
        "INSERT INTO posting_exposure (kind, audience_id, key, version_pk)"
        " SELECT DISTINCT p.kind, h.audience_id, p.key, p.version_pk FROM posting p"
        " JOIN holding h ON h.version_pk = p.version_pk AND h.superseded_at IS NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_edge_target_type", table_name="edge")
    op.create_index("ix_edge_target", "edge", ["target_id"], unique=False)
    op.drop_index("ix_posting_exposure_version_pk", table_name="posting_exposure")
    op.drop_table("posting_exposure")
