"""The event outbox: written with each change to holdings, read by the live stream through the
access predicate (an event reaches a reader only if it may see the version, when it is read)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, func, select

from liaison import clock
from liaison.access.predicate import event_live, event_told
from liaison.access.principal import Principal
from liaison.db.bulk import insert_rows
from liaison.db.tables import event, object_version
from liaison.store.stamps import take_write_lock

V = object_version
#: What a holding made live says (a revocation is a version that revokes). Unshares and TAXII
#: withdrawals are not told: whom to tell would name an audience the reader may not see.
#: A correlation hit is not an event of its own: it is read from these, per reader
#: (alerts.stream.with_hits), so nothing is written for it and nothing depends on what others hold.
KINDS = ("version", "corrected", "shared")
#: The PostgreSQL channel a commit with events is announced on (store.listen).
CHANNEL = "liaison_events"
#: The mark a transaction that wrote events leaves in its connection's info (store.listen.Committed).
WROTE = "liaison_wrote_events"


def record(conn: Connection, changes: Iterable[tuple[str, int, int]], org_id: int | None) -> None:
    """Write (kind, version pk, audience id) events of organisation `org_id`'s new live holdings in
    the caller's transaction, under the write lock: ids then increase in commit order, so a reader
    resuming after one misses none."""
    rows = list(dict.fromkeys(changes))
    if not rows:
        return
    take_write_lock(conn)
    conn.info[WROTE] = True
    if conn.dialect.name == "postgresql":  # delivered at commit, to every process listening
        conn.execute(select(func.pg_notify(CHANNEL, "")))
    now = clock.now()
    insert_rows(
        conn,
        event,
        ("at", "kind", "version_pk", "org_id", "audience_id"),
        ((now, kind, pk, org_id, audience_id) for kind, pk, audience_id in rows),
    )


def newest_id(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(event.c.id), 0))).scalar_one()


def since(
    conn: Connection,
    principal: Principal,
    after: int,
    *,
    types: tuple[str, ...] = (),
    audience_id: int | None = None,
    limit: int = 500,
):
    """Events after id `after` that `principal` is told, oldest first: those of holdings shared
    with an audience it belongs to (`audience_id` alone, when given), still live now (another
    organisation's holding of the same content, or one narrowed since, tells it nothing). Rows of
    (id, at, kind, audience_id, version_pk, stix_id, type, modified, revoked), and the last id read (told or
    not), for the reader to move past."""
    scanned = conn.execute(select(event.c.id).where(event.c.id > after).order_by(event.c.id).limit(limit)).scalars()
    scanned = list(scanned)
    if not scanned:
        return [], after
    query = (
        select(
            event.c.id,
            event.c.at,
            event.c.kind,
            event.c.audience_id,
            event.c.version_pk,
            V.c.stix_id,
            V.c.type,
            V.c.modified,
            V.c.revoked,
        )
        .join(V, V.c.pk == event.c.version_pk)
        .where(event.c.id > after, event.c.id <= scanned[-1], event_told(principal, event))
        .order_by(event.c.id)
    )
    if types:
        query = query.where(V.c.type.in_(types))
    if audience_id is not None:
        query = query.where(event.c.audience_id == audience_id)
    return conn.execute(query).all(), scanned[-1]


def batch(conn: Connection, after: int, limit: int):
    """The next events after id `after`, for the live stream's fan-out, which judges them per set of
    audiences (access.predicate.told): rows of (id, at, kind, audience_id, version_pk, live, stix_id,
    type, modified, revoked), oldest first. Never returned to a caller as such."""
    return conn.execute(
        select(
            event.c.id,
            event.c.at,
            event.c.kind,
            event.c.audience_id,
            event.c.version_pk,
            event_live(event).label("live"),
            V.c.stix_id,
            V.c.type,
            V.c.modified,
            V.c.revoked,
        )
        .join(V, V.c.pk == event.c.version_pk)
        .where(event.c.id > after)
        .order_by(event.c.id)
        .limit(limit)
    ).all()


def purge(conn: Connection, before: str) -> int:
    """Delete events older than the stamp `before` (the retention period); how many."""
    return conn.execute(event.delete().where(event.c.at < before)).rowcount
