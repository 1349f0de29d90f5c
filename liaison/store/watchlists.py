"""Watchlists, alerts and alert settings: a user's own (access.predicate.users_own), and an alert
is read only while its user may still see the version it is about (access.predicate.visible)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from liaison import clock
from liaison.access.predicate import event_told, users_own, visible
from liaison.access.principal import Principal
from liaison.db.bulk import insert_rows
from liaison.db.tables import alert, alert_settings, event, object_version, outbox_cursor, user, watchlist
from liaison.errors import Conflict
from liaison.store.stamps import take_write_lock

W, A, V = watchlist, alert, object_version
_WATCH_COLUMNS = (W.c.id, W.c.kind, W.c.target, W.c.shown, W.c.created_at)


def list_watchlists(conn: Connection, principal: Principal):
    """Rows of (id, kind, target, shown, created_at) of the principal's watchlists, oldest first."""
    return conn.execute(select(*_WATCH_COLUMNS).where(users_own(principal, W)).order_by(W.c.created_at, W.c.id)).all()


def get_watchlist(conn: Connection, principal: Principal, watchlist_id: str):
    return conn.execute(select(*_WATCH_COLUMNS).where(W.c.id == watchlist_id, users_own(principal, W))).first()


def watchlist_of(conn: Connection, principal: Principal, kind: str, target: str) -> str | None:
    """The id of the principal's watchlist of `kind` on `target` (as stored), or None."""
    return conn.execute(select(W.c.id).where(users_own(principal, W), W.c.kind == kind, W.c.target == target)).scalar()


def insert_watchlist(conn: Connection, principal: Principal, kind: str, target: str, shown: str) -> str:
    """A new watchlist of the principal's user (a random id); Conflict when it already watches that."""
    watchlist_id = str(uuid.uuid4())
    try:
        with conn.begin_nested():
            conn.execute(
                insert(W).values(
                    id=watchlist_id,
                    user_id=principal.user_id,
                    kind=kind,
                    target=target,
                    shown=shown,
                    created_at=clock.now(),
                )
            )
    except IntegrityError:
        raise Conflict(f"you already watch {shown}") from None
    return watchlist_id


def delete_watchlist(conn: Connection, principal: Principal, watchlist_id: str) -> bool:
    """Delete the principal's watchlist (and its alerts); False when it has none of that id."""
    return conn.execute(delete(W).where(W.c.id == watchlist_id, users_own(principal, W))).rowcount > 0


# -- the evaluator's side: every watchlist, events after a position --------------------------


def all_watchlists(conn: Connection):
    """Rows of (id, user_id, kind, target, created_at) of enabled users' watchlists: what the
    evaluator matches changes against (never returned to a caller)."""
    return conn.execute(
        select(W.c.id, W.c.user_id, W.c.kind, W.c.target, W.c.created_at)
        .join(user, user.c.id == W.c.user_id)
        .where(user.c.disabled.is_(False))
        .order_by(W.c.user_id, W.c.id)
    ).all()


def any_watchlist(conn: Connection) -> bool:
    return conn.execute(select(W.c.id).limit(1)).first() is not None


def lock_position(conn: Connection, name: str) -> int:
    """Where reader `name` of the outbox has got to, locked until the transaction ends so that
    two workers never read the same events at once (a new reader starts at the beginning)."""
    take_write_lock(conn)
    position = conn.execute(select(outbox_cursor.c.position).where(outbox_cursor.c.name == name)).scalar()
    if position is None:
        conn.execute(insert(outbox_cursor).values(name=name, position=0))
        return 0
    return position


def unread_events(conn: Connection, name: str) -> bool:
    """Whether the outbox holds events after reader `name`'s position (read without a lock)."""
    position = conn.execute(select(outbox_cursor.c.position).where(outbox_cursor.c.name == name)).scalar() or 0
    return conn.execute(select(event.c.id).where(event.c.id > position).limit(1)).first() is not None


def move_position(conn: Connection, name: str, position: int) -> None:
    conn.execute(update(outbox_cursor).where(outbox_cursor.c.name == name).values(position=position))


def events_after(conn: Connection, after: int, limit: int):
    """Rows of (id, at, kind, version_pk, stix_id, type, revoked, raw) of the next events, oldest
    first (for the evaluator, which checks per user what each tells it)."""
    return conn.execute(
        select(event.c.id, event.c.at, event.c.kind, event.c.version_pk, V.c.stix_id, V.c.type, V.c.revoked, V.c.raw)
        .join(V, V.c.pk == event.c.version_pk)
        .where(event.c.id > after)
        .order_by(event.c.id)
        .limit(limit)
    ).all()


def told(conn: Connection, principal: Principal, event_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Of the given events, those `principal` is told of now: version pk -> (time, kind) of the
    earliest of them (the kind of an event the principal was not told never reaches it)."""
    found: dict[int, tuple[str, str]] = {}
    rows = conn.execute(
        select(event.c.version_pk, event.c.at, event.c.kind)
        .where(event.c.id.in_(sorted(set(event_ids))), event_told(principal, event))
        .order_by(event.c.id)
    )
    for pk, at, kind in rows:
        found.setdefault(pk, (at, kind))
    return found


def raise_alerts(conn: Connection, rows: Iterable[tuple[int, str, int, str, str]]) -> list[tuple[str, int]]:
    """Insert alerts (user id, watchlist id, version pk, kind, reason), each (watchlist, version)
    once; the (alert id, user id) of those new. Those already raised are read in one query."""
    rows = list(rows)
    if not rows:
        return []
    raised = {
        (watchlist_id, version_pk)
        for watchlist_id, version_pk in conn.execute(
            select(A.c.watchlist_id, A.c.version_pk).where(
                A.c.watchlist_id.in_(sorted({r[1] for r in rows})), A.c.version_pk.in_(sorted({r[2] for r in rows}))
            )
        )
    }
    made, now, new_rows = [], clock.now(), []
    for user_id, watchlist_id, version_pk, kind, reason in rows:
        if (watchlist_id, version_pk) in raised:
            continue
        raised.add((watchlist_id, version_pk))
        alert_id = str(uuid.uuid4())
        new_rows.append((alert_id, user_id, watchlist_id, version_pk, kind, reason, now))
        made.append((alert_id, user_id))
    insert_rows(conn, A, ("id", "user_id", "watchlist_id", "version_pk", "kind", "reason", "raised_at"), new_rows)
    return made


# -- the reader's side -----------------------------------------------------------------------


def _shown(principal: Principal):
    """The principal's alerts about versions it may still see."""
    return and_(users_own(principal, A), visible(principal, A.c.version_pk))


def alerts(
    conn: Connection,
    principal: Principal,
    *,
    unread: bool = False,
    watchlist_id: str | None = None,
    types: tuple[str, ...] = (),
    since: str | None = None,
    limit: int = 50,
    offset: int = 0,
):
    """A page of the principal's alerts it may still see, newest first: rows of (id, watchlist_id,
    shown, watch_kind, target, kind, reason, raised_at, read_at, stix_id, type, modified, name,
    raw), and the total."""
    where = [_shown(principal)]
    if unread:
        where.append(A.c.read_at.is_(None))
    if watchlist_id:
        where.append(A.c.watchlist_id == watchlist_id)
    if types:
        where.append(V.c.type.in_(types))
    if since:
        where.append(A.c.raised_at >= since)
    base = select(A.c.id).join(V, V.c.pk == A.c.version_pk).where(*where)
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = conn.execute(
        select(
            A.c.id,
            A.c.watchlist_id,
            W.c.shown,
            W.c.kind.label("watch_kind"),
            W.c.target,
            A.c.kind,
            A.c.reason,
            A.c.raised_at,
            A.c.read_at,
            V.c.stix_id,
            V.c.type,
            V.c.modified,
            V.c.name,
            V.c.raw,
        )
        .join(V, V.c.pk == A.c.version_pk)
        .join(W, W.c.id == A.c.watchlist_id)
        .where(*where)
        .order_by(A.c.raised_at.desc(), A.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, total


def unread_count(conn: Connection, principal: Principal) -> int:
    return conn.execute(
        select(func.count()).select_from(A).where(_shown(principal), A.c.read_at.is_(None))
    ).scalar_one()


def mark_read(conn: Connection, principal: Principal, alert_ids: Iterable[str] | None) -> int:
    """Mark the principal's alerts read (all it may see, when `alert_ids` is None); how many."""
    where = [_shown(principal), A.c.read_at.is_(None)]
    if alert_ids is not None:
        where.append(A.c.id.in_(sorted(set(alert_ids))))
    return conn.execute(update(A).where(*where).values(read_at=clock.now())).rowcount


def alert_for_delivery(conn: Connection, alert_id: str):
    """(user_id, version_pk, watchlist_id, kind, raised_at, stix_id, type, modified) of an alert, for
    its delivery (which checks its user may still see the version before sending anything)."""
    return conn.execute(
        select(
            A.c.user_id, A.c.version_pk, A.c.watchlist_id, A.c.kind, A.c.raised_at, V.c.stix_id, V.c.type, V.c.modified
        )
        .join(V, V.c.pk == A.c.version_pk)
        .where(A.c.id == alert_id)
    ).first()


def contents(conn: Connection, principal: Principal, version_pks: Iterable[int]):
    """Rows of (pk, stix_id, type, raw) of the versions `principal` may see among `version_pks`."""
    return conn.execute(
        select(V.c.pk, V.c.stix_id, V.c.type, V.c.raw).where(
            V.c.pk.in_(sorted(set(version_pks))), visible(principal, V.c.pk)
        )
    ).all()


def still_visible(conn: Connection, principal: Principal, version_pk: int) -> bool:
    return conn.execute(select(V.c.pk).where(V.c.pk == version_pk, visible(principal, V.c.pk))).first() is not None


def user_enabled(conn: Connection, user_id: int) -> bool:
    return bool(conn.execute(select(user.c.id).where(user.c.id == user_id, user.c.disabled.is_(False))).first())


# -- settings (the digest) -------------------------------------------------------------------


def settings_of(conn: Connection, principal: Principal):
    """(digest_email, digest_sent_at) of the principal's user, or None."""
    S = alert_settings
    return conn.execute(select(S.c.digest_email, S.c.digest_sent_at).where(users_own(principal, S))).first()


def set_digest_email(conn: Connection, principal: Principal, email: str | None) -> None:
    S = alert_settings
    if conn.execute(select(S.c.user_id).where(users_own(principal, S))).first():
        conn.execute(update(S).where(users_own(principal, S)).values(digest_email=email))
    else:
        conn.execute(insert(S).values(user_id=principal.user_id, digest_email=email))


def digests_due(conn: Connection, before: str):
    """(user_id, digest_email) of enabled users whose e-mailed digest was last sent before `before`."""
    S = alert_settings
    return conn.execute(
        select(S.c.user_id, S.c.digest_email)
        .join(user, user.c.id == S.c.user_id)
        .where(
            S.c.digest_email.is_not(None),
            user.c.disabled.is_(False),
            (S.c.digest_sent_at.is_(None)) | (S.c.digest_sent_at < before),
        )
    ).all()


def digest_sent(conn: Connection, user_id: int, at: str) -> None:
    conn.execute(update(alert_settings).where(alert_settings.c.user_id == user_id).values(digest_sent_at=at))
