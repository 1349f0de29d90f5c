"""Failed authentications per key ('user:<name>', 'addr:<address>') and the lock-outs they led to."""

from __future__ import annotations

from sqlalchemy import Connection, case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from liaison.db.tables import auth_failure


def get(conn: Connection, keys: list[str]):
    """The rows of these keys."""
    return conn.execute(select(auth_failure).where(auth_failure.c.key.in_(keys))).all()


def count(conn: Connection, key: str, now: str, window_start: str) -> int:
    """Count one failure of `key` (starting a new window when the last began before `window_start`);
    return the failures in the window."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    fresh = auth_failure.c.first_at < window_start
    statement = insert(auth_failure).values(key=key, failures=1, first_at=now)
    statement = statement.on_conflict_do_update(index_elements=[auth_failure.c.key], set_={
        "failures": case((fresh, 1), else_=auth_failure.c.failures + 1),
        "first_at": case((fresh, now), else_=auth_failure.c.first_at),
    })
    conn.execute(statement)
    return conn.execute(select(auth_failure.c.failures).where(auth_failure.c.key == key)).scalar_one()


def lock(conn: Connection, key: str, until: str) -> None:
    conn.execute(update(auth_failure).where(auth_failure.c.key == key).values(locked_until=until))


def clear(conn: Connection, key: str) -> bool:
    """Forget a key's failures and lock-out; False when there were none."""
    return conn.execute(delete(auth_failure).where(auth_failure.c.key == key)).rowcount > 0


def locked(conn: Connection, now: str, prefix: str) -> list:
    """Keys starting with `prefix` locked out at `now`, with their rows."""
    return conn.execute(select(auth_failure).where(auth_failure.c.key.startswith(prefix, autoescape=True),
                                                   auth_failure.c.locked_until > now)
                        .order_by(auth_failure.c.key)).all()
