"""search by name: folded name keys per version; saved searches

name_key: each version's names and aliases folded as extraction folds them, one row per (key,
version, word position) with the key's skeleton, so that search finds a name by its start, a
surname, another transliteration or a typo, and ranks exact name matches first. Backfilled from
the stored versions.

saved_search: a user's named searches (the search page's query string).

Revision ID: 0009
Revises: 0008
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
_BATCH = 2000


def _backfill(conn) -> None:
    from liaison.stix.names import name_keys

    versions = sa.table("object_version", sa.column("pk"), sa.column("raw"))
    keys = sa.table("name_key", sa.column("key"), sa.column("version_pk"), sa.column("position"), sa.column("skeleton"))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(versions.c.pk, versions.c.raw).where(versions.c.pk > last).order_by(versions.c.pk).limit(_BATCH)
        ).all()
        if not rows:
            return
        found = [
            {"key": key, "version_pk": pk, "position": position, "skeleton": skeleton}
            for pk, raw in rows
            for key, position, skeleton in name_keys(json.loads(raw))
        ]
        if found:
            conn.execute(sa.insert(keys), found)
        last = rows[-1].pk


def upgrade() -> None:
    op.create_table(
        "name_key",
        sa.Column("key", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.Column("version_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("skeleton", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_pk"],
            ["object_version.pk"],
            ondelete="CASCADE",
            name=op.f("fk_name_key_version_pk_object_version"),
        ),
        sa.PrimaryKeyConstraint("key", "version_pk", "position", name=op.f("pk_name_key")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_name_key_version_pk", "name_key", ["version_pk"], unique=False)
    op.create_index("ix_name_key_skeleton", "name_key", ["skeleton"], unique=False)
    op.create_table(
        "saved_search",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], ondelete="CASCADE", name=op.f("fk_saved_search_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_search_user_id_name")),
    )
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("saved_search")
    op.drop_index("ix_name_key_skeleton", table_name="name_key")
    op.drop_index("ix_name_key_version_pk", table_name="name_key")
    op.drop_table("name_key")
