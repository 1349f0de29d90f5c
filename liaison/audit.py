"""The tamper-evident audit log: an append-only hash chain.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's own fields, so
changing or deleting any entry breaks every later link; `verify_chain` finds the first break.
"""

from __future__ import annotations

import hashlib

import orjson
from sqlalchemy import Connection, Engine, select

from liaison import clock
from liaison.db.tables import audit_event
from liaison.store.stamps import take_write_lock

GENESIS = "0" * 64


def _digest(prev_hash: str, at: str, actor: str, action: str, target: str | None, detail: str) -> str:
    material = orjson.dumps([prev_hash, at, actor, action, target, detail])
    return hashlib.sha256(material).hexdigest()


def record(conn: Connection, actor: str, action: str, target: str | None = None, **detail) -> str:
    """Append an entry inside the caller's transaction; returns its hash."""
    take_write_lock(conn)  # entries are chained in commit order
    prev = conn.execute(select(audit_event.c.hash).order_by(audit_event.c.id.desc()).limit(1)).scalar() or GENESIS
    at = clock.now()
    body = orjson.dumps(detail, option=orjson.OPT_SORT_KEYS).decode()
    digest = _digest(prev, at, actor, action, target, body)
    conn.execute(audit_event.insert().values(at=at, actor=actor, action=action, target=target, detail=body,
                                             prev_hash=prev, hash=digest))
    return digest


def record_now(engine: Engine, actor: str, action: str, target: str | None = None, **detail) -> str:
    """Append an entry in its own transaction (kept even when the caller's work rolls back)."""
    with engine.begin() as conn:
        return record(conn, actor, action, target, **detail)


def entries(conn: Connection, action: str | None = None, limit: int = 1000) -> list[dict]:
    statement = select(audit_event).order_by(audit_event.c.id.desc()).limit(limit)
    if action:
        statement = statement.where(audit_event.c.action == action)
    return [{**row._mapping, "detail": orjson.loads(row.detail)} for row in conn.execute(statement)]


def verify_chain(conn: Connection) -> int | None:
    """The id of the first entry whose link or content does not verify, or None when intact."""
    prev = GENESIS
    for row in conn.execute(select(audit_event).order_by(audit_event.c.id)):
        if row.prev_hash != prev or row.hash != _digest(prev, row.at, row.actor, row.action, row.target, row.detail):
            return row.id
        prev = row.hash
    return None
