"""correlation postings

posting: each correlatable value a version carries (liaison.stix.values.postings), one row per
(version, kind, normalised key), indexed by (kind, key). Existing versions are backfilled in
batches: the observables (every type that is not a known SDO, SRO or meta object) and indicators,
whose patterns carry values. The normalisation is the store's current one (liaison.stix.values),
so a database upgraded later gets the postings of that later code.

Revision ID: 0006
Revises: 0005
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: Types that carry no value of their own (indicators do, in their patterns).
_NO_VALUES = (
    "attack-pattern",
    "campaign",
    "course-of-action",
    "grouping",
    "identity",
    "incident",
    "infrastructure",
    "intrusion-set",
    "location",
    "malware",
    "malware-analysis",
    "note",
    "opinion",
    "report",
    "threat-actor",
    "tool",
    "vulnerability",
    "relationship",
    "sighting",
    "marking-definition",
    "language-content",
    "extension-definition",
)
_BATCH = 2000


def _backfill(conn) -> None:
    from liaison.stix.values import postings

    versions = sa.table("object_version", sa.column("pk"), sa.column("type"), sa.column("raw"))
    posting = sa.table("posting", sa.column("version_pk"), sa.column("kind"), sa.column("key"))
    carriers = sa.and_(versions.c.type.not_in(_NO_VALUES), versions.c.type.not_like("x-mitre-%"))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(versions.c.pk, versions.c.raw)
            .where(carriers, versions.c.pk > last)
            .order_by(versions.c.pk)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        found = []
        for pk, raw in rows:
            keys = {(p.kind, p.key) for p in postings(json.loads(raw))}
            found += [{"version_pk": pk, "kind": kind, "key": key} for kind, key in sorted(keys)]
        if found:
            conn.execute(sa.insert(posting), found)
        last = rows[-1].pk


def upgrade() -> None:
    op.create_table(
        "posting",
        sa.Column("version_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_pk"], ["object_version.pk"], ondelete="CASCADE", name=op.f("fk_posting_version_pk_object_version")
        ),
        sa.PrimaryKeyConstraint("version_pk", "kind", "key", name=op.f("pk_posting")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_posting_kind_key", "posting", ["kind", "key"], unique=False)
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_posting_kind_key", table_name="posting")
    op.drop_table("posting")
