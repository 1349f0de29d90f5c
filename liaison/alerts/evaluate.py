"""Alert evaluation: reads the outbox after its position, matches each changed version against
every watchlist, and raises an alert for a watchlist's user only for versions that user is told of
(its holding shared with an audience the user belongs to, live now). Visibility is checked per
user once per batch, whatever the number of events. New alerts are queued for the webhooks of the
user's organisation. One evaluator runs at a time (the position is taken under the write lock)."""

from __future__ import annotations

import time
from collections import defaultdict

import orjson
from sqlalchemy import Connection, Engine

from liaison.alerts.matching import View, facts, match
from liaison.alerts.webhooks import DELIVER, lane
from liaison.store import events, jobs, tenancy, webhooks
from liaison.store import watchlists as store

#: The outbox reader's name, and how many events one step reads.
READER, BATCH = "alerts", 500
#: With no watchlist at all, the position is moved to the newest event at most this often
#: (seconds): no write lock is taken every half second during imports for nothing. Events from
#: before a watchlist was made are not news to it, so nothing is missed meanwhile.
IDLE_MOVE = 30.0
_idle_moved = [float("-inf")]


def step(conn: Connection, *, batch: int = BATCH) -> int:
    """Evaluate the next batch of events in the caller's transaction; how many events were read."""
    if not store.unread_events(conn, READER):
        return 0
    if not store.any_watchlist(conn):
        if time.monotonic() - _idle_moved[0] >= IDLE_MOVE:
            _idle_moved[0] = time.monotonic()
            store.lock_position(conn, READER)
            store.move_position(conn, READER, events.newest_id(conn))
        return 0
    position = store.lock_position(conn, READER)
    rows = store.events_after(conn, position, batch)
    if not rows:
        return 0
    store.move_position(conn, READER, rows[-1].id)
    watched = store.all_watchlists(conn)
    if not watched:
        return len(rows)
    seen, revoked = {}, set()
    for row in rows:
        if row.version_pk not in seen:
            seen[row.version_pk] = facts(row.version_pk, row.stix_id, row.type, row.raw)
            if row.revoked:
                revoked.add(row.version_pk)
    pks = list(seen)
    changed = {row.version_pk: row.at for row in rows if not row.revoked}
    event_ids = [row.id for row in rows]
    by_user = defaultdict(list)
    for w in watched:
        by_user[w.user_id].append(w)
    raised: list[tuple[int, str, int, str, str]] = []
    for user_id, lists in by_user.items():
        principal = tenancy.principal_for_user(conn, user_id)
        told = store.told(conn, principal, event_ids)  # version pk -> (when, kind) first told
        if not told:
            continue
        view = View(conn, principal, [pk for pk in pks if pk in told], changed)
        for w in lists:
            target = orjson.loads(w.target)
            for pk in view.pks:
                at, kind = told[pk]
                if at < w.created_at:
                    continue  # changes from before the watchlist existed are not news to it
                reason = match(w.kind, target, seen[pk], view)
                if reason:
                    if w.kind == "correlation":
                        kind = "correlated"
                    elif pk in revoked and kind == "version":
                        kind = "revoked"
                    raised.append((user_id, w.id, pk, kind, reason))
    made = store.raise_alerts(conn, raised)
    _queue_deliveries(conn, made)
    return len(rows)


def _queue_deliveries(conn: Connection, made: list[tuple[str, int]]) -> None:
    if not made:
        return
    hooks = webhooks.active_of_users(conn, {user_id for _, user_id in made})
    for alert_id, user_id in made:
        for webhook_id, org_id in hooks.get(user_id, ()):
            delivery_id = webhooks.insert_delivery(conn, webhook_id, alert_id)
            jobs.enqueue(conn, DELIVER, {"delivery": delivery_id}, lane=lane(org_id))


def run(engine: Engine, *, batch: int = BATCH) -> int:
    """Evaluate until the outbox is read to its end, a transaction per batch; events read."""
    total = 0
    while True:
        with engine.begin() as conn:
            read = step(conn, batch=batch)
        total += read
        if read < batch:
            return total
