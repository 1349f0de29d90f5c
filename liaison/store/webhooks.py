"""Webhooks and their delivery log: an organisation's own (access.predicate.orgs_own); the delivery
side reads by id (a job's payload names only a delivery) and never answers a caller."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, and_, insert, select, update

from liaison import clock
from liaison.access.predicate import orgs_own
from liaison.access.principal import Principal
from liaison.db.tables import user, webhook, webhook_delivery

H, D = webhook, webhook_delivery


def list_webhooks(conn: Connection, principal: Principal):
    """Rows of (id, url, created_at, active) of the principal's organisation's webhooks."""
    return conn.execute(
        select(H.c.id, H.c.url, H.c.created_at, H.c.active).where(orgs_own(principal, H)).order_by(H.c.created_at)
    ).all()


def get_webhook(conn: Connection, principal: Principal, webhook_id: str):
    return conn.execute(
        select(H.c.id, H.c.url, H.c.created_at, H.c.active).where(H.c.id == webhook_id, orgs_own(principal, H))
    ).first()


def insert_webhook(conn: Connection, principal: Principal, url: str, secret: str) -> str:
    webhook_id = str(uuid.uuid4())
    conn.execute(
        insert(H).values(
            id=webhook_id, org_id=principal.org_id, url=url, secret=secret, created_at=clock.now(), active=True
        )
    )
    return webhook_id


def deactivate(conn: Connection, principal: Principal, webhook_id: str) -> bool:
    """Stop a webhook of the principal's organisation (its log is kept); False when it has none."""
    return (
        conn.execute(
            update(H).where(H.c.id == webhook_id, orgs_own(principal, H), H.c.active.is_(True)).values(active=False)
        ).rowcount
        > 0
    )


def deliveries(conn: Connection, principal: Principal, webhook_id: str, limit: int = 50):
    """Rows of (id, alert_id, state, attempts, last_status, last_error, created_at, finished_at) of
    a webhook of the principal's organisation, newest first."""
    return conn.execute(
        select(
            D.c.id,
            D.c.alert_id,
            D.c.state,
            D.c.attempts,
            D.c.last_status,
            D.c.last_error,
            D.c.created_at,
            D.c.finished_at,
        )
        .join(H, H.c.id == D.c.webhook_id)
        .where(D.c.webhook_id == webhook_id, orgs_own(principal, H))
        .order_by(D.c.created_at.desc(), D.c.id)
        .limit(limit)
    ).all()


# -- the delivery side -----------------------------------------------------------------------


def active_of_users(conn: Connection, user_ids: set[int]) -> dict[int, list[tuple[str, int]]]:
    """The active webhooks of each user's organisation: user id -> [(webhook id, organisation id)]."""
    found: dict[int, list[tuple[str, int]]] = {}
    rows = conn.execute(
        select(user.c.id, H.c.id, H.c.org_id)
        .join(H, and_(H.c.org_id == user.c.org_id, H.c.active.is_(True)))
        .where(user.c.id.in_(sorted(user_ids)))
    )
    for user_id, webhook_id, org_id in rows:
        found.setdefault(user_id, []).append((webhook_id, org_id))
    return found


def insert_delivery(conn: Connection, webhook_id: str, alert_id: str | None) -> str:
    delivery_id = str(uuid.uuid4())
    conn.execute(
        insert(D).values(
            id=delivery_id,
            webhook_id=webhook_id,
            alert_id=alert_id,
            state="pending",
            attempts=0,
            created_at=clock.now(),
        )
    )
    return delivery_id


def pending_test(conn: Connection, webhook_id: str) -> bool:
    """Whether a test delivery to the webhook is still pending (one at a time)."""
    return (
        conn.execute(
            select(D.c.id).where(D.c.webhook_id == webhook_id, D.c.alert_id.is_(None), D.c.state == "pending").limit(1)
        ).first()
        is not None
    )


def delivery(conn: Connection, delivery_id: str):
    """(id, alert_id, state, attempts, webhook_id, url, secret, active, org_id) of a delivery."""
    return conn.execute(
        select(
            D.c.id,
            D.c.alert_id,
            D.c.state,
            D.c.attempts,
            H.c.id.label("webhook_id"),
            H.c.url,
            H.c.secret,
            H.c.active,
            H.c.org_id,
        )
        .join(H, H.c.id == D.c.webhook_id)
        .where(D.c.id == delivery_id)
    ).first()


def record_attempt(
    conn: Connection, delivery_id: str, state: str, status: int | None, error: str | None, *, attempted: bool = True
) -> None:
    """Log an attempt's outcome; `state` pending (to be retried), delivered, failed or withheld."""
    values: dict = {"state": state, "last_status": status, "last_error": error}
    if attempted:
        values["attempts"] = D.c.attempts + 1
    if state != "pending":
        values["finished_at"] = clock.now()
    conn.execute(update(D).where(D.c.id == delivery_id).values(**values))
