"""A user's alerts: listed, counted and marked read only while the user may still see the version
each is about (store.watchlists joins the predicate at every read), so an alert raised before an
audience narrowed disappears with it. The daily digest is the same read over one day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from liaison.access.principal import Action, Principal
from liaison.alerts import watchlists
from liaison.errors import InvalidInput
from liaison.intel import naming
from liaison.stix.timestamps import format_ts
from liaison.stix.validate import is_type_name
from liaison.store import watchlists as store

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    watchlist_id: str
    watchlist: str
    kind: str
    reason: str
    raised_at: str
    read: bool
    object_id: str
    object_type: str
    object_name: str
    modified: str | None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "watchlist": {"id": self.watchlist_id, "shown": self.watchlist},
            "kind": self.kind,
            "reason": self.reason,
            "raised_at": self.raised_at,
            "read": self.read,
            "object": {
                "id": self.object_id,
                "type": self.object_type,
                "name": self.object_name,
                "modified": self.modified,
                "link": f"/api/v1/objects/{self.object_id}",
            },
        }


@dataclass(frozen=True, slots=True)
class Page:
    total: int
    limit: int
    offset: int
    alerts: list[Alert]


def _alert(row, named: dict[str, str]) -> Alert:
    return Alert(
        row.id,
        row.watchlist_id,
        named.get(row.watchlist_id, row.shown),
        row.kind,
        row.reason,
        row.raised_at,
        row.read_at is not None,
        row.stix_id,
        row.type,
        naming.display_name(row.type, row.name, row.raw),
        row.modified,
    )


def list_alerts(
    conn: Connection,
    principal: Principal,
    *,
    unread: bool = False,
    watchlist_id: str | None = None,
    types: list[str] | tuple[str, ...] = (),
    since: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page:
    principal.require(Action.READ)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"'limit' must be between 1 and {MAX_PAGE}", parameter="limit")
    if offset < 0:
        raise InvalidInput("'offset' must not be negative", parameter="offset")
    types = tuple(t for t in types if t)
    for type_ in types:
        if not is_type_name(type_):
            raise InvalidInput(f"'{type_}' is not a STIX type name", parameter="type")
    if watchlist_id and not watchlists.UUID.match(watchlist_id):
        return Page(0, limit, offset, [])  # no watchlist of that shape: no alert either
    rows, total = store.alerts(
        conn,
        principal,
        unread=unread,
        watchlist_id=watchlist_id or None,
        types=types,
        since=since,
        limit=limit,
        offset=offset,
    )
    named = watchlists.labels(conn, principal, list({(r.watchlist_id, r.watch_kind, r.target) for r in rows}))
    return Page(total, limit, offset, [_alert(row, named) for row in rows])


def unread_count(conn: Connection, principal: Principal) -> int:
    if principal.user_id is None or not principal.may(Action.READ):
        return 0
    return store.unread_count(conn, principal)


def mark_read(conn: Connection, principal: Principal, alert_ids: list[str] | None = None) -> int:
    """Mark alerts read (all the user's, when `alert_ids` is None); how many were unread."""
    principal.require(Action.READ)
    if alert_ids is not None:  # ids are random UUIDs: anything else is no alert
        alert_ids = [a for a in alert_ids if isinstance(a, str) and watchlists.UUID.match(a)]
    return store.mark_read(conn, principal, alert_ids)


@dataclass(frozen=True, slots=True)
class Digest:
    since: str
    total: int
    by_watchlist: list[tuple[str, str, list[Alert]]]  # (watchlist id, shown, alerts)


def digest(conn: Connection, principal: Principal, *, hours: int = 24, per_watchlist: int = 20) -> Digest:
    """The alerts of the last `hours` the user may still see, grouped by watchlist."""
    principal.require(Action.READ)
    since = format_ts(datetime.now(UTC) - timedelta(hours=hours))
    page = list_alerts(conn, principal, since=since, limit=MAX_PAGE)
    groups: dict[str, tuple[str, list[Alert]]] = {}
    for item in page.alerts:
        groups.setdefault(item.watchlist_id, (item.watchlist, []))[1].append(item)
    return Digest(
        since,
        page.total,
        [(wid, shown, items[:per_watchlist]) for wid, (shown, items) in sorted(groups.items(), key=lambda g: g[1][0])],
    )
