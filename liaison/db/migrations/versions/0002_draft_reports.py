"""draft reports from open-source text

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_report",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("published", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("review", sa.Text(), nullable=False),
        sa.Column("report_id", sa.String(length=300), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'published', 'discarded')", name=op.f("ck_draft_report_known_status")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_draft_report_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], ondelete="CASCADE", name=op.f("fk_draft_report_org_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_report")),
    )
    with op.batch_alter_table("draft_report", schema=None) as batch_op:
        batch_op.create_index("ix_draft_report_org_status", ["org_id", "status", "updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("draft_report", schema=None) as batch_op:
        batch_op.drop_index("ix_draft_report_org_status")
    op.drop_table("draft_report")
