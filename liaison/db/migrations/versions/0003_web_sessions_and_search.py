"""web UI sessions and full-text search over object versions

SQLite: an FTS5 table `object_search` (rowid = object_version.pk; columns `names` and `body`)
kept current by triggers on object_version. PostgreSQL: a GIN expression index over
`liaison_search_vector(raw)`, which every insert (COPY included) maintains. Both index the same
properties: names, values and aliases (weighted higher), and descriptions, note abstracts and
contents, opinion explanations, objectives and indicator patterns.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NAME_PROPS = ("name", "value", "aliases", "x_mitre_aliases")
BODY_PROPS = ("description", "abstract", "content", "explanation", "objective", "pattern")
#: PostgreSQL refuses tsvectors over 1 MB; longer texts are indexed up to this many characters.
BODY_CHARS = 100000


#: The object's JSON with escaped NUL characters (which JSON allows) turned into escaped spaces:
#: SQLite's JSON functions cut a text at NUL and PostgreSQL's jsonb refuses it. An escaped
#: backslash followed by 'u0000' becomes one followed by 'u0020', so the JSON stays valid.
def _without_nul(column: str) -> str:
    return f"replace({column}, '\\u0000', '\\u0020')"


def _sqlite_text(props: tuple[str, ...]) -> str:
    """The properties' text from `doc.j`; SQLite parses the same JSON once for all of them."""
    return " || ' ' || ".join(f"coalesce(json_extract(doc.j, '$.{p}'), '')" for p in props)


def _sqlite_rows(row: str, from_table: bool = False) -> str:
    """SELECT of (rowid, names, body) for `row`: a trigger's 'new' or 'old', or every row of the
    table of that name."""
    source = f" FROM {row}" if from_table else ""
    return (
        f"SELECT doc.pk, {_sqlite_text(NAME_PROPS)}, {_sqlite_text(BODY_PROPS)} "
        f"FROM (SELECT {row}.pk AS pk, {_without_nul(row + '.raw')} AS j{source}) AS doc"
    )


def _postgres_text(props: tuple[str, ...]) -> str:
    return "concat_ws(' ', " + ", ".join(f"doc.j ->> '{p}'" for p in props) + ")"


def _upgrade_sqlite() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE object_search USING fts5("
        "names, body, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER object_search_insert AFTER INSERT ON object_version BEGIN "
        f"INSERT INTO object_search (rowid, names, body) {_sqlite_rows('new')}; END"
    )
    # A contentless FTS5 table forgets a row when told the values it indexed.
    op.execute(
        "CREATE TRIGGER object_search_delete AFTER DELETE ON object_version BEGIN "
        "INSERT INTO object_search (object_search, rowid, names, body) "
        f"SELECT 'delete', * FROM ({_sqlite_rows('old')}); END"
    )
    op.execute(f"INSERT INTO object_search (rowid, names, body) {_sqlite_rows('object_version', from_table=True)}")


def _upgrade_postgresql() -> None:
    op.execute(
        "CREATE FUNCTION liaison_search_vector(raw text) RETURNS tsvector "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT "
        f"setweight(pg_catalog.to_tsvector('simple'::regconfig, {_postgres_text(NAME_PROPS)}), 'A') || "
        "setweight(pg_catalog.to_tsvector('simple'::regconfig, "
        f"left({_postgres_text(BODY_PROPS)}, {BODY_CHARS})), 'B') "
        f"FROM (SELECT ({_without_nul('raw')})::jsonb AS j) AS doc $$"
    )
    op.execute("CREATE INDEX ix_object_version_search ON object_version USING gin (liaison_search_vector(raw))")


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], ondelete="CASCADE", name=op.f("fk_web_session_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_session")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_web_session_user_id"), ["user_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_object_version_search")
        op.execute("DROP FUNCTION liaison_search_vector(text)")
    else:
        op.execute("DROP TRIGGER object_search_delete")
        op.execute("DROP TRIGGER object_search_insert")
        op.execute("DROP TABLE object_search")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_web_session_expires_at"))
    op.drop_table("web_session")
