"""The Alembic migrations build exactly the schema the code declares, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from liaison.db.engine import migrate
from liaison.db.tables import metadata, modelled


def test_migrated_schema_matches_the_tables(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": modelled}), metadata)
    assert diff == []
    assert {t.name for t in metadata.sorted_tables} <= set(inspect(engine).get_table_names())


def test_migrating_twice_changes_nothing(engine):
    migrate(engine)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn, opts={"include_name": modelled}).get_current_revision() is not None
        assert compare_metadata(MigrationContext.configure(conn, opts={"include_name": modelled}), metadata) == []


def test_the_head_constant_is_alembics_head(engine):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from liaison.db.engine import HEAD, MIGRATIONS, current_revision

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD == current_revision(engine)
