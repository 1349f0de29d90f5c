"""Failed authentications per key ('user:<name>', 'addr:<address>'), counted over a sliding
window, and the lock-outs they led to."""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select, update

from liaison.db.bulk import upsert
from liaison.db.tables import auth_failure, auth_lock


def serialise(conn: Connection, key: str) -> None:
    """Write the key's lock row (creating it), so concurrent attempts on one key wait for each
    other's transaction instead of counting past each other."""
    statement = upsert(conn, auth_lock).values(key=key, failures=0)
    conn.execute(
        statement.on_conflict_do_update(index_elements=[auth_lock.c.key], set_={"key": statement.excluded.key})
    )


def locked_until(conn: Connection, keys: list[str]) -> list[str]:
    """The lock-out ends recorded for these keys (past ones included)."""
    return list(
        conn.execute(
            select(auth_lock.c.locked_until).where(auth_lock.c.key.in_(keys), auth_lock.c.locked_until.is_not(None))
        ).scalars()
    )


def record(conn: Connection, key: str, at: str, window_start: str) -> tuple[int, int]:
    """Record one failure of `key` at `at`, forgetting those before `window_start`; return its id
    and how many the window now holds."""
    conn.execute(delete(auth_failure).where(auth_failure.c.key == key, auth_failure.c.at < window_start))
    event = conn.execute(insert(auth_failure).values(key=key, at=at).returning(auth_failure.c.id)).scalar_one()
    count = conn.execute(select(func.count()).select_from(auth_failure).where(auth_failure.c.key == key)).scalar_one()
    return event, count


def forget(conn: Connection, event_ids: list[int]) -> None:
    conn.execute(delete(auth_failure).where(auth_failure.c.id.in_(event_ids)))


def lock(conn: Connection, key: str, failures: int, until: str) -> None:
    conn.execute(update(auth_lock).where(auth_lock.c.key == key).values(failures=failures, locked_until=until))


def clear(conn: Connection, key: str) -> bool:
    """Forget a key's failures and lock-out; whether it was locked out."""
    conn.execute(delete(auth_failure).where(auth_failure.c.key == key))
    return (
        conn.execute(delete(auth_lock).where(auth_lock.c.key == key, auth_lock.c.locked_until.is_not(None))).rowcount
        > 0
    )


def failures(conn: Connection, keys: list[str]) -> dict[str, int]:
    """How many failures each key has on record."""
    return dict(
        conn.execute(
            select(auth_failure.c.key, func.count()).where(auth_failure.c.key.in_(keys)).group_by(auth_failure.c.key)
        ).all()
    )


def locked(conn: Connection, now: str, prefix: str) -> list:
    """Lock rows (key, failures, locked_until) of keys starting with `prefix` locked out at `now`."""
    return conn.execute(
        select(auth_lock)
        .where(auth_lock.c.key.startswith(prefix, autoescape=True), auth_lock.c.locked_until > now)
        .order_by(auth_lock.c.key)
    ).all()
