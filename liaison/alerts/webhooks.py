"""Webhooks: an organisation's admin registers a receiver (to a host the operator allows); each
alert of a member of the organisation is POSTed there as JSON carrying ids, types and links, never
content, signed `X-Liaison-Signature: sha256=<HMAC-SHA256 of the body, keyed by the webhook's
secret>`. A delivery checks, when it is sent, that the alert's user may still see the version:
if not, nothing is sent and the log says "withheld" and nothing more. Failed attempts are retried
with a doubling back-off (liaison.jobs); the delivery log keeps each outcome."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import orjson
from sqlalchemy import Connection, Engine

from liaison import clock
from liaison.access.principal import Action, Principal
from liaison.errors import Forbidden, InvalidInput, NotFound
from liaison.jobs import Retry
from liaison.store import jobs, tenancy
from liaison.store import watchlists as alerts_store
from liaison.store import webhooks as store

DELIVER = "webhook.deliver"
SIGNATURE = "X-Liaison-Signature"
TIMEOUT = 10.0
MAX_URL = 2000


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    url: str
    created_at: str
    active: bool

    def as_dict(self) -> dict:
        return {"id": self.id, "url": self.url, "created_at": self.created_at, "active": self.active}


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    alert_id: str | None
    state: str
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: str
    finished_at: str | None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "alert": self.alert_id,
            "test": self.alert_id is None,
            "state": self.state,
            "attempts": self.attempts,
            "last_status": self.last_status,
            "last_error": self.last_error,
            "created_at": self.created_at,
            "finished_at": self.finished_at,
        }


def allowed(url: str, hosts: str) -> bool:
    """Whether `url` is http(s) to a host the operator allows (`hosts`: the setting webhook_hosts)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return False
    for entry in (e.strip().lower() for e in hosts.split(",")):
        if entry and (host == entry or (entry.startswith(".") and host.endswith(entry))):
            return True
    return False


def require_admin(principal: Principal) -> None:
    """Webhooks are an organisation admin's: refused to others, the operator included."""
    principal.require(Action.ADMINISTER)
    if principal.org_id is None:
        raise Forbidden("webhooks belong to an organisation; the operator has none")


def register(conn: Connection, principal: Principal, url: str, hosts: str) -> tuple[Webhook, str]:
    """Register a webhook for the admin's organisation; the webhook and its secret (shown once)."""
    require_admin(principal)
    url = (url or "").strip()
    if not url or len(url) > MAX_URL:
        raise InvalidInput("a webhook needs its receiver's URL", parameter="url")
    if not allowed(url, hosts):
        raise InvalidInput(
            "this instance's operator does not allow webhooks to that address (http or https, to a host "
            "in LIAISON_WEBHOOK_HOSTS)",
            parameter="url",
        )
    secret = secrets.token_urlsafe(32)
    webhook_id = store.insert_webhook(conn, principal, url, secret)
    return get(conn, principal, webhook_id), secret


def list_webhooks(conn: Connection, principal: Principal) -> list[Webhook]:
    require_admin(principal)
    return [Webhook(*row) for row in store.list_webhooks(conn, principal)]


def get(conn: Connection, principal: Principal, webhook_id: str) -> Webhook:
    require_admin(principal)
    row = store.get_webhook(conn, principal, webhook_id)
    if row is None:
        raise NotFound(f"no webhook {webhook_id}")
    return Webhook(*row)


def deactivate(conn: Connection, principal: Principal, webhook_id: str) -> None:
    require_admin(principal)
    get(conn, principal, webhook_id)
    store.deactivate(conn, principal, webhook_id)


def test(conn: Connection, principal: Principal, webhook_id: str) -> str:
    """Queue a test delivery (no alert, no object) to a webhook; its delivery id."""
    hook = get(conn, principal, webhook_id)
    if not hook.active:
        raise InvalidInput("this webhook is stopped")
    delivery_id = store.insert_delivery(conn, webhook_id, None)
    jobs.enqueue(conn, DELIVER, {"delivery": delivery_id})
    return delivery_id


def deliveries(conn: Connection, principal: Principal, webhook_id: str, limit: int = 50) -> list[Delivery]:
    get(conn, principal, webhook_id)
    return [Delivery(*row) for row in store.deliveries(conn, principal, webhook_id, limit)]


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _body(conn: Connection, row, base_url: str) -> bytes | None:
    """The JSON to send for a delivery, or None when it must not be sent (the alert's user is
    disabled or may no longer see the version)."""
    sent = {"delivery": row.id, "sent_at": clock.now()}
    if row.alert_id is None:
        return orjson.dumps({**sent, "event": "test", "webhook": row.webhook_id})
    found = alerts_store.alert_for_delivery(conn, row.alert_id)
    if found is None or not alerts_store.user_enabled(conn, found.user_id):
        return None
    principal = tenancy.principal_for_user(conn, found.user_id)
    if principal.org_id != row.org_id or not alerts_store.still_visible(conn, principal, found.version_pk):
        return None
    return orjson.dumps(
        {
            **sent,
            "event": "alert",
            "alert": {
                "id": row.alert_id,
                "kind": found.kind,
                "raised_at": found.raised_at,
                "watchlist": found.watchlist_id,
            },
            "object": {
                "id": found.stix_id,
                "type": found.type,
                "modified": found.modified,
                "link": f"{base_url}/objects/{found.stix_id}",
                "api": f"{base_url}/api/v1/objects/{found.stix_id}",
            },
        }
    )


def deliver(engine: Engine, delivery_id: str, *, base_url: str, hosts: str, attempts: int) -> None:
    """Send one delivery (a job): checks what may be sent now, POSTs it, logs the outcome; raises
    Retry for a failure worth retrying while attempts remain. Safe to repeat: a delivery that is no
    longer pending is left alone."""
    with engine.begin() as conn:
        row = store.delivery(conn, delivery_id)
        if row is None or row.state != "pending":
            return
        if not row.active or not allowed(row.url, hosts):
            store.record_attempt(
                conn,
                delivery_id,
                "cancelled",
                None,
                "the webhook was stopped or its host is no longer allowed",
                attempted=False,
            )
            return
        body = _body(conn, row, base_url)
        if body is None:
            store.record_attempt(conn, delivery_id, "withheld", None, None, attempted=False)
            return
    headers = {
        "Content-Type": "application/json",
        SIGNATURE: sign(row.secret, body),
        "X-Liaison-Delivery": delivery_id,
        "User-Agent": "Liaison-Webhook/1",
    }
    status, error = None, None
    try:
        response = httpx.post(row.url, content=body, headers=headers, timeout=TIMEOUT, follow_redirects=False)
        status = response.status_code
        if not 200 <= status < 300:
            error = f"the receiver answered {status}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    tried = row.attempts + 1
    state = "delivered" if error is None else ("pending" if tried < attempts else "failed")
    with engine.begin() as conn:
        store.record_attempt(conn, delivery_id, state, status, error)
    if state == "pending":
        raise Retry(error)
