"""Date-added stamps: strictly increasing across the instance and in commit order.

TAXII readers page with `added_after`; a row committed later with an earlier stamp would be
skipped. Writers of holdings therefore take one instance-wide write lock for the rest of their
transaction (an advisory lock on PostgreSQL; SQLite's single writer lock) before stamping, and
stamp after the newest stamp already stored.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select, text, update

from liaison import clock
from liaison.db.tables import holding, instance_key

_LOCK_KEY = 0x4C494149  # "LIAI"


def take_write_lock(conn: Connection) -> None:
    """Hold the instance-wide write lock until the transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    else:  # any write statement makes SQLite take its (single) writer lock
        conn.execute(update(instance_key).where(instance_key.c.id == -1).values(id=-1))


def date_added_stamps(conn: Connection, count: int) -> list[str]:
    """`count` date-added stamps later than every stored one, under the write lock."""
    take_write_lock(conn)
    newest = conn.execute(select(func.max(holding.c.added_at))).scalar()
    return clock.reserve(count, after=newest)
