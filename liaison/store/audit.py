"""The audit log's rows: the hash chain's head, appending, and reading back (`liaison/audit.py`
computes the hashes and checks the chain).

Principal-free by design: the log is the host's record of who did what; it is read by the CLI on
the host and by tests, and the chain head only to link the next entry."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, select

from liaison.db.tables import audit_event
from liaison.store.stamps import take_write_lock


def chain_head(conn: Connection) -> str | None:
    """The newest entry's hash (None for an empty log), read under the instance-wide write lock,
    held until the transaction ends, so entries are chained in commit order."""
    take_write_lock(conn)
    return conn.execute(select(audit_event.c.hash).order_by(audit_event.c.id.desc()).limit(1)).scalar()


def append(
    conn: Connection, *, at: str, actor: str, action: str, target: str | None, detail: str, prev_hash: str, digest: str
) -> None:
    conn.execute(
        audit_event.insert().values(
            at=at, actor=actor, action=action, target=target, detail=detail, prev_hash=prev_hash, hash=digest
        )
    )


def newest(conn: Connection, action: str | None = None, limit: int = 1000) -> list:
    """The newest entries first (of one action, when given)."""
    statement = select(audit_event).order_by(audit_event.c.id.desc()).limit(limit)
    if action:
        statement = statement.where(audit_event.c.action == action)
    return conn.execute(statement).all()


def in_order(conn: Connection) -> Iterator:
    """Every entry, oldest first."""
    yield from conn.execute(select(audit_event).order_by(audit_event.c.id))
