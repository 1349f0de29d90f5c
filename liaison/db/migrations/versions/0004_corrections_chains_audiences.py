"""corrections, ownership chains, several audiences per holding

partner_delivery: what partner instances received. object_version: a `digest` of its content, so the same (stix_id, modified) may carry several
contents (corrections), and `owner_org_id`, the local organisation owning the id. holding: keyed by
(version, organisation, audience), so an organisation shares a version with several audiences, and
`superseded_at` for the contents a correction replaced.

On SQLite the tables are rebuilt (batch mode) with foreign keys off, which liaison.db.engine.migrate
arranges; the full-text delete trigger is created again afterwards, and the insert trigger is gone
(the importer indexes new versions itself).

Revision ID: 0004
Revises: 0003
"""

import hashlib
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _search_module():
    """Migration 0003, for the SQL of its full-text triggers."""
    path = Path(__file__).with_name("0003_web_sessions_and_search.py")
    spec = importlib.util.spec_from_file_location("liaison_migration_0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _backfill(conn) -> None:
    """Digests of the stored contents, and each id's owner: the local organisation its first
    version's created_by_ref names (none when it names none)."""
    versions = sa.table(
        "object_version",
        sa.column("pk"),
        sa.column("stix_id"),
        sa.column("modified"),
        sa.column("raw"),
        sa.column("created_by_ref"),
        sa.column("digest"),
        sa.column("owner_org_id"),
    )
    orgs = dict(conn.execute(sa.text("SELECT identity_id, id FROM organization WHERE partner_id IS NULL")).all())
    owners: dict[str, int | None] = {}
    updates = []
    rows = conn.execute(
        sa.select(versions.c.pk, versions.c.stix_id, versions.c.raw, versions.c.created_by_ref).order_by(
            versions.c.stix_id, versions.c.modified, versions.c.pk
        )
    ).all()
    for pk, stix_id, raw, creator in rows:
        if stix_id not in owners:
            owners[stix_id] = orgs.get(creator)
        updates.append({"p": pk, "d": hashlib.sha256(raw.encode()).hexdigest(), "o": owners[stix_id]})
    if updates:
        conn.execute(
            sa.update(versions)
            .where(versions.c.pk == sa.bindparam("p"))
            .values(digest=sa.bindparam("d"), owner_org_id=sa.bindparam("o")),
            updates,
        )


def upgrade() -> None:
    conn = op.get_bind()
    op.create_table(
        "partner_delivery",
        sa.Column("partner_org_id", sa.Integer(), nullable=False),
        sa.Column("stix_id", sa.String(length=300), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.String(length=32), nullable=False),
        sa.Column("last_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_org_id"],
            ["organization.id"],
            ondelete="CASCADE",
            name=op.f("fk_partner_delivery_partner_org_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], ondelete="CASCADE", name=op.f("fk_partner_delivery_org_id_organization")
        ),
        sa.ForeignKeyConstraint(
            ["audience_id"], ["audience.id"], ondelete="CASCADE", name=op.f("fk_partner_delivery_audience_id_audience")
        ),
        sa.PrimaryKeyConstraint("partner_org_id", "stix_id", "org_id", "audience_id", name=op.f("pk_partner_delivery")),
    )
    with op.batch_alter_table("partner_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_partner_delivery_stix_id", ["stix_id"], unique=False)
    with op.batch_alter_table("object_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("owner_org_id", sa.Integer(), nullable=True))
    _backfill(conn)
    with op.batch_alter_table("object_version", schema=None) as batch_op:
        batch_op.alter_column("digest", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint("uq_object_version_stix_id_modified", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_object_version_stix_id_modified_digest"), ["stix_id", "modified", "digest"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_object_version_owner_org_id_organization"), "organization", ["owner_org_id"], ["id"]
        )
    with op.batch_alter_table("holding", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_at", sa.String(length=32), nullable=True))
        batch_op.drop_constraint("pk_holding", type_="primary")
        batch_op.create_primary_key("pk_holding", ["version_pk", "org_id", "audience_id"])
    search = _search_module()
    if conn.dialect.name == "postgresql":
        # The same text vector as 0003's SQL function, in PL/pgSQL: the JSON is cast once into a
        # variable instead of in a subquery that keeps the function from being inlined, which
        # made every insert (COPY included) pay about three times as much for the index.
        names = ", ".join(f"j ->> '{p}'" for p in search.NAME_PROPS)
        body = ", ".join(f"j ->> '{p}'" for p in search.BODY_PROPS)
        op.execute(
            "CREATE OR REPLACE FUNCTION liaison_search_vector(raw text) RETURNS tsvector "
            "LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$ "
            f"DECLARE j jsonb := {search._without_nul('raw')}::jsonb; BEGIN RETURN "
            f"setweight(pg_catalog.to_tsvector('simple'::regconfig, concat_ws(' ', {names})), 'A') || "
            f"setweight(pg_catalog.to_tsvector('simple'::regconfig, left(concat_ws(' ', {body}), "
            f"{search.BODY_CHARS})), 'B'); END $$"
        )
    else:
        # New versions are indexed by the importer (store.search.index_documents), several times
        # faster than the insert trigger; deletions still go through a trigger.
        op.execute("DROP TRIGGER IF EXISTS object_search_insert")
        op.execute("DROP TRIGGER IF EXISTS object_search_delete")
        op.execute(
            "CREATE TRIGGER object_search_delete AFTER DELETE ON object_version BEGIN "
            "INSERT INTO object_search (object_search, rowid, names, body) "
            f"SELECT 'delete', * FROM ({search._sqlite_rows('old')}); END"
        )


def downgrade() -> None:
    raise NotImplementedError("corrections and several audiences per holding cannot be folded back into 0003")
