"""Table definitions (SQLAlchemy Core). The Alembic migrations create exactly these."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

organization = Table(
    "organization",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("identity_id", String(100), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
)

sharing_group = Table(
    "sharing_group",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("created_at", String(32), nullable=False),
)

group_member = Table(
    "group_member",
    metadata,
    Column("group_id", Integer, ForeignKey("sharing_group.id", ondelete="CASCADE"), primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True),
)

#: Who may see a holding: one row per organisation (kind org), per sharing group (kind group),
#: and one for the whole instance.
audience = Table(
    "audience",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("org_id", Integer, ForeignKey("organization.id", ondelete="CASCADE"), unique=True),
    Column("group_id", Integer, ForeignKey("sharing_group.id", ondelete="CASCADE"), unique=True),
    CheckConstraint(
        "(kind = 'org' AND org_id IS NOT NULL AND group_id IS NULL)"
        " OR (kind = 'group' AND group_id IS NOT NULL AND org_id IS NULL)"
        " OR (kind = 'instance' AND org_id IS NULL AND group_id IS NULL)",
        name="kind_matches_target",
    ),
)

user = Table(
    "user_account",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("org_id", Integer, ForeignKey("organization.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200)),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", String(32), nullable=False),
    CheckConstraint("role IN ('admin', 'analyst', 'reader', 'sync')", name="known_role"),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    Column("last_used_at", String(32)),
    Column("revoked_at", String(32)),
)

#: One row per STIX object version, keyed by (stix_id, modified). `raw` is the canonical JSON as
#: received; the other columns are derived from it for indexing.
object_version = Table(
    "object_version",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("stix_id", String(300), nullable=False),
    Column("modified", String(32), nullable=False),
    Column("type", String(250), nullable=False),
    Column("spec_version", String(8)),
    Column("created", String(32)),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("tlp", String(16)),
    Column("name", Text),
    Column("created_by_ref", String(300)),
    Column("raw", Text, nullable=False),
    UniqueConstraint("stix_id", "modified"),
    Index("ix_object_version_type_modified", "type", "modified"),
    Index("ix_object_version_modified", "modified"),
)

#: An organisation's holding of a version, shared with exactly one audience. The same STIX version
#: (public ATT&CK data, TLP marking definitions) can be held by several organisations, each with
#: its own audience, without one holding revealing the other.
holding = Table(
    "holding",
    metadata,
    Column("version_pk", Integer, ForeignKey("object_version.pk", ondelete="CASCADE"), primary_key=True),
    Column("org_id", Integer, ForeignKey("organization.id"), primary_key=True),
    Column("audience_id", Integer, ForeignKey("audience.id"), nullable=False),
    Column("added_at", String(32), nullable=False),
    Column("added_by", Integer, ForeignKey("user_account.id")),
    Index("ix_holding_audience_version", "audience_id", "version_pk"),
    Index("ix_holding_added_at", "added_at"),
)

object_label = Table(
    "object_label",
    metadata,
    Column("version_pk", Integer, ForeignKey("object_version.pk", ondelete="CASCADE"), primary_key=True),
    Column("label", String(250), primary_key=True),
    Index("ix_object_label_label", "label"),
)

#: References from a version to other objects: relationship endpoints (prop "source_ref"/"target_ref",
#: with the relationship type) and embedded refs (created_by_ref, object_refs, ...).
edge = Table(
    "edge",
    metadata,
    Column("version_pk", Integer, ForeignKey("object_version.pk", ondelete="CASCADE"), nullable=False),
    Column("prop", String(300), nullable=False),
    Column("target_id", String(300), nullable=False),
    Column("relationship_type", String(250)),
    Index("ix_edge_version", "version_pk"),
    Index("ix_edge_target", "target_id"),
)
