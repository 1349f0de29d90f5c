"""the event outbox

event: one row per holding a change made live (new version, correction, revocation, share), with
its organisation and audience, written in the transaction of the change under the write lock, so
that ids increase in commit order. The live stream tells members of the audience, while the
holding is live, when it delivers.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("version_pk", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_pk"], ["object_version.pk"], ondelete="CASCADE", name=op.f("fk_event_version_pk_object_version")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], ondelete="CASCADE", name=op.f("fk_event_org_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["audience_id"], ["audience.id"], ondelete="CASCADE", name=op.f("fk_event_audience_id_audience")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_event_at", "event", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_event_at", table_name="event")
    op.drop_table("event")
