"""postings without foreign keys

posting and posting_exposure are derived data: a version's postings are read off its content, and
its postings by audience are those postings times the audiences of its live holdings. The store
writes both with the version and its holdings, and deletes a version's rows of both before the
version goes (store.collections.withdraw, the one path that deletes versions). Their foreign keys
only repeated those checks, once per row: on PostgreSQL a trigger query per row, which cost more
than writing the row (postings by audience: 13.9 µs per imported object with them, 6.2 without;
postings: 12.6 and 7.7).

PostgreSQL drops the constraints. SQLite cannot, so it makes both tables again and fills them:
posting from the old table, posting_exposure from the postings and live holdings, as 0008 did.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_FKS = {
    "posting": (("version_pk", "object_version.pk"),),
    "posting_exposure": (("audience_id", "audience.id"), ("version_pk", "object_version.pk")),
}
_EXPOSURE_FILL = (
    "INSERT INTO posting_exposure (kind, audience_id, key, version_pk)"
    " SELECT DISTINCT p.kind, h.audience_id, p.key, p.version_pk FROM posting p"
    " JOIN holding h ON h.version_pk = p.version_pk AND h.superseded_at IS NULL"
)


def _keys(*tables: str):
    """(table, column, referred table, referred column, constraint name) of the tables' keys."""
    for table in tables or _FKS:
        for column, target in _FKS[table]:
            referent, remote = target.split(".")
            yield table, column, referent, remote, op.f(f"fk_{table}_{column}_{referent}")


def _foreign_keys(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint([column], [f"{referent}.{remote}"], ondelete="CASCADE", name=name)
        for _table, column, referent, remote, name in _keys(table)
    ]


def _remake_sqlite(with_keys: bool) -> None:
    """Both tables again on SQLite, with or without their foreign keys, keeping their rows."""
    op.rename_table("posting", "posting_old")
    op.drop_index("ix_posting_kind_key", table_name="posting_old")
    op.create_table(
        "posting",
        sa.Column("version_pk", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        *(_foreign_keys("posting") if with_keys else ()),
        sa.PrimaryKeyConstraint("version_pk", "kind", "key", name=op.f("pk_posting")),
        sqlite_with_rowid=False,
    )
    op.execute("INSERT INTO posting (version_pk, kind, key) SELECT version_pk, kind, key FROM posting_old")
    op.drop_table("posting_old")
    op.create_index("ix_posting_kind_key", "posting", ["kind", "key"], unique=False)
    op.drop_index("ix_posting_exposure_version_pk", table_name="posting_exposure")
    op.drop_table("posting_exposure")
    op.create_table(
        "posting_exposure",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("version_pk", sa.Integer(), nullable=False),
        *(_foreign_keys("posting_exposure") if with_keys else ()),
        sa.PrimaryKeyConstraint("kind", "audience_id", "key", "version_pk", name=op.f("pk_posting_exposure")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_posting_exposure_version_pk", "posting_exposure", ["version_pk"], unique=False)
    op.execute(_EXPOSURE_FILL)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _remake_sqlite(with_keys=False)
        return
    for table, _column, _referent, _remote, name in _keys():
        op.drop_constraint(name, table, type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _remake_sqlite(with_keys=True)
        return
    for table, column, referent, remote, name in _keys():
        op.create_foreign_key(name, table, referent, [column], [remote], ondelete="CASCADE")
