"""The tamper-evident audit log: an append-only hash chain.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's own fields, so
changing or deleting any entry breaks every later link; `verify_chain` finds the first break.

An entry is written in the caller's transaction, so it stands or falls with what it records. Work
audited apart from the request (a lock-out, a sync run) opens its own transaction for it.
"""

from __future__ import annotations

import hashlib

import orjson
from sqlalchemy import Connection

from liaison import clock
from liaison.store import audit as log

GENESIS = "0" * 64


def _digest(prev_hash: str, at: str, actor: str, action: str, target: str | None, detail: str) -> str:
    material = orjson.dumps([prev_hash, at, actor, action, target, detail])
    return hashlib.sha256(material).hexdigest()


def record(conn: Connection, actor: str, action: str, target: str | None = None, **detail) -> str:
    """Append an entry inside the caller's transaction; returns its hash."""
    prev = log.chain_head(conn) or GENESIS
    at = clock.now()
    body = orjson.dumps(detail, option=orjson.OPT_SORT_KEYS).decode()
    digest = _digest(prev, at, actor, action, target, body)
    log.append(conn, at=at, actor=actor, action=action, target=target, detail=body, prev_hash=prev, digest=digest)
    return digest


def entries(conn: Connection, action: str | None = None, limit: int = 1000) -> list[dict]:
    """The newest entries first (of one action, when given), their detail decoded."""
    return [{**row._mapping, "detail": orjson.loads(row.detail)} for row in log.newest(conn, action, limit)]


def verify_chain(conn: Connection) -> int | None:
    """The id of the first entry whose link or content does not verify, or None when intact."""
    prev = GENESIS
    for row in log.in_order(conn):
        if row.prev_hash != prev or row.hash != _digest(prev, row.at, row.actor, row.action, row.target, row.detail):
            return row.id
        prev = row.hash
    return None
