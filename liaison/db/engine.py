"""Engine creation and migrations for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest migration. Every command checks the schema; comparing with this constant spares it
#: loading the migration scripts when nothing is to do (tests check it is Alembic's head).
HEAD = "0012"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL (readers never wait for the writer), and a page cache of up to 64 MiB per connection
    instead of SQLite's 2 MiB: an import writes into indexes keyed by value (postings, names), and
    with the default cache every batch read their pages back from the file (200,000 observables
    took about a third longer to import)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _begin_before_savepoint(conn, _name) -> None:
    """SQLite's Python driver begins a transaction only before a data change. A SAVEPOINT issued
    first would itself become the transaction, and releasing it would commit what the request's
    transaction must still be able to roll back; so begin explicitly before it."""
    driver = conn.connection.driver_connection
    if not driver.in_transaction:
        driver.execute("BEGIN")


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL mode, foreign keys, a busy timeout and savepoints
    that stay inside the caller's transaction."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _begin_before_savepoint)
        return engine
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    # JIT compilation pays off for long analytical queries; here it only adds latency to short ones.
    return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c jit=off"})


def current_revision(engine: Engine) -> str | None:
    """The schema's Alembic revision, or None for a database without one."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    if current_revision(engine) == HEAD:
        return
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        # SQLite rebuilds a table to change its constraints; with foreign keys on, dropping the old
        # table would cascade to every row referring to it. The pragma only acts outside a
        # transaction, so it is set before the migration's and restored after.
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
