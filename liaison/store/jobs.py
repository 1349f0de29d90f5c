"""The job queue's table: enqueue, claim with a lease, finish, retry. A claim takes one due job
(queued and due, or running with its lease run out: its worker died) and holds it by the lease; on
PostgreSQL the claim skips rows other workers are claiming (FOR UPDATE SKIP LOCKED), on SQLite the
write lock serialises claims. So a job survives a restart and runs once across workers: a second
run happens only after a worker died mid-job, and handlers are written to be repeated safely."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import orjson
from sqlalchemy import Connection, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from liaison import clock
from liaison.db.tables import job
from liaison.stix.timestamps import format_ts, parse_ts
from liaison.store.stamps import take_write_lock

J = job


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    kind: str
    payload: dict
    attempts: int  # this run included


def enqueue(
    conn: Connection, kind: str, payload: dict, *, delay: float = 0.0, key: str | None = None, lane: str | None = None
) -> int | None:
    """Queue a job in the caller's transaction (it runs only if that commits); None when a job of
    `key` was queued before (keys make a job once-only: a day's digest). Jobs of one `lane` run one
    at a time."""
    now = clock.now()
    values = {
        "kind": kind,
        "payload": orjson.dumps(payload).decode(),
        "key": key,
        "lane": lane,
        "state": "queued",
        "attempts": 0,
        "run_at": _later(now, delay),
        "created_at": now,
    }
    try:
        with conn.begin_nested():
            return conn.execute(insert(J).values(**values).returning(J.c.id)).scalar_one()
    except IntegrityError:
        if key is None:
            raise
        return None


def _later(stamp: str, seconds: float) -> str:
    return format_ts(parse_ts(stamp) + timedelta(seconds=seconds)) if seconds else stamp


def claim(conn: Connection, lease: float) -> Claimed | None:
    """Take the next due job for `lease` seconds, or None. Commit at once: the claim is what keeps
    other workers off the job while it runs."""
    now = clock.now()
    busy = J.alias("busy")
    lane_free = or_(
        J.c.lane.is_(None),
        ~exists(
            select(1).where(
                busy.c.lane == J.c.lane, busy.c.state == "running", busy.c.locked_until >= now, busy.c.id != J.c.id
            )
        ),
    )
    due = and_(
        or_(and_(J.c.state == "queued", J.c.run_at <= now), and_(J.c.state == "running", J.c.locked_until < now)),
        lane_free,
    )
    stmt = select(J.c.id, J.c.kind, J.c.payload, J.c.attempts).where(due).order_by(J.c.run_at, J.c.id).limit(1)
    if conn.execute(select(J.c.id).where(due).limit(1)).first() is None:
        return None  # nothing due: no lock taken (an idle worker must not stall writers)
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    else:
        take_write_lock(conn)
    row = conn.execute(stmt).first()
    if row is None:
        return None
    conn.execute(
        update(J)
        .where(J.c.id == row.id)
        .values(state="running", attempts=row.attempts + 1, locked_until=_later(now, lease))
    )
    return Claimed(row.id, row.kind, orjson.loads(row.payload), row.attempts + 1)


def finish(conn: Connection, job_id: int) -> None:
    conn.execute(
        update(J)
        .where(J.c.id == job_id)
        .values(state="done", locked_until=None, finished_at=clock.now(), last_error=None)
    )


def retry(conn: Connection, job_id: int, error: str, delay: float) -> None:
    """Queue the job again after `delay` seconds, keeping why it failed."""
    now = clock.now()
    conn.execute(
        update(J)
        .where(J.c.id == job_id)
        .values(state="queued", locked_until=None, run_at=_later(now, delay), last_error=error)
    )


def fail(conn: Connection, job_id: int, error: str) -> None:
    conn.execute(
        update(J)
        .where(J.c.id == job_id)
        .values(state="failed", locked_until=None, finished_at=clock.now(), last_error=error)
    )


def states(conn: Connection) -> dict[str, int]:
    """How many jobs are in each state."""
    return dict(conn.execute(select(J.c.state, func.count()).group_by(J.c.state)).all())


def recent(conn: Connection, limit: int = 50, state: str | None = None):
    """Rows of (id, kind, state, attempts, run_at, last_error, created_at, finished_at), newest first
    (the operator's view of the queue; payloads hold only ids)."""
    stmt = select(
        J.c.id, J.c.kind, J.c.state, J.c.attempts, J.c.run_at, J.c.last_error, J.c.created_at, J.c.finished_at
    )
    if state:
        stmt = stmt.where(J.c.state == state)
    return conn.execute(stmt.order_by(J.c.id.desc()).limit(limit)).all()


def purge(conn: Connection, before: str) -> int:
    """Delete finished jobs (done or failed) older than `before`; how many."""
    return conn.execute(delete(J).where(J.c.state.in_(("done", "failed")), J.c.finished_at < before)).rowcount
