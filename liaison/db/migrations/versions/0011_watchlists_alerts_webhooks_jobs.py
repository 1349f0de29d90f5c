"""watchlists, alerts, webhooks and the job queue

watchlist and alert: what a user watches and what matched it; alert_settings: the digest's
address; outbox_cursor: where the alert evaluator has read the outbox to; webhook and
webhook_delivery: an organisation's receivers and the delivery log; job: the job queue.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str | None = "CASCADE") -> sa.ForeignKeyConstraint:
    ref_table, ref_column = target.split(".")
    return sa.ForeignKeyConstraint([column], [target], ondelete=ondelete, name=op.f(f"fk_{table}_{column}_{ref_table}"))


def upgrade() -> None:
    op.create_table(
        "watchlist",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("shown", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        _fk("watchlist", "user_id", "user_account.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist")),
        sa.UniqueConstraint("user_id", "kind", "target", name=op.f("uq_watchlist_user_id_kind_target")),
    )
    op.create_table(
        "alert",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("watchlist_id", sa.String(length=36), nullable=False),
        sa.Column("version_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.String(length=32), nullable=False),
        sa.Column("read_at", sa.String(length=32), nullable=True),
        _fk("alert", "user_id", "user_account.id"),
        _fk("alert", "watchlist_id", "watchlist.id"),
        _fk("alert", "version_pk", "object_version.pk"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sa.UniqueConstraint("watchlist_id", "version_pk", name=op.f("uq_alert_watchlist_id_version_pk")),
    )
    op.create_index("ix_alert_user_raised", "alert", ["user_id", "raised_at"], unique=False)
    op.create_table(
        "alert_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest_email", sa.String(length=254), nullable=True),
        sa.Column("digest_sent_at", sa.String(length=32), nullable=True),
        _fk("alert_settings", "user_id", "user_account.id"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_alert_settings")),
    )
    op.create_table(
        "outbox_cursor",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_outbox_cursor")),
    )
    op.create_table(
        "webhook",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _fk("webhook", "org_id", "organization.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook")),
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("webhook_id", sa.String(length=36), nullable=False),
        sa.Column("alert_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("finished_at", sa.String(length=32), nullable=True),
        _fk("webhook_delivery", "webhook_id", "webhook.id"),
        _fk("webhook_delivery", "alert_id", "alert.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
        sa.UniqueConstraint("webhook_id", "alert_id", name=op.f("uq_webhook_delivery_webhook_id_alert_id")),
    )
    op.create_index(
        "ix_webhook_delivery_webhook_created", "webhook_delivery", ["webhook_id", "created_at"], unique=False
    )
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=True),
        sa.Column("lane", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.String(length=32), nullable=False),
        sa.Column("locked_until", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("finished_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_job_known_job_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
        sa.UniqueConstraint("key", name=op.f("uq_job_key")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_job_state_run_at", "job", ["state", "run_at"], unique=False)
    op.create_index("ix_job_lane_state", "job", ["lane", "state"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_job_lane_state", table_name="job")
    op.drop_index("ix_job_state_run_at", table_name="job")
    op.drop_table("job")
    op.drop_index("ix_webhook_delivery_webhook_created", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_table("webhook")
    op.drop_table("outbox_cursor")
    op.drop_table("alert_settings")
    op.drop_index("ix_alert_user_raised", table_name="alert")
    op.drop_table("alert")
    op.drop_table("watchlist")
