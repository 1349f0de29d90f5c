"""Webhooks: an organisation's admin registers a receiver (to a host the operator allows); each
alert of a member of the organisation is POSTed there as JSON carrying ids, types and links, never
content, signed `X-Liaison-Signature: sha256=<HMAC-SHA256 of the body, keyed by the webhook's
secret>`. A delivery checks, when it is sent, that the alert's user may still see the version:
if not, nothing is sent and the log says "withheld" and nothing more. Failed attempts are retried
with a doubling back-off (liaison.jobs); the delivery log keeps each outcome."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import re
import secrets
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import orjson
from sqlalchemy import Connection, Engine

from liaison import clock
from liaison.access.principal import Action, Principal
from liaison.alerts.watchlists import UUID
from liaison.errors import Conflict, Forbidden, InvalidInput, NotFound
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


def _entries(hosts: str) -> list[tuple[str, str | None]]:
    """The operator's allowed hosts as (host, port): port None for the default ports (80, 443),
    '*' for any; "host:port" and "host:*" name them, "[v6]:port" for an IPv6 address."""
    found = []
    for entry in (e.strip().lower() for e in hosts.split(",")):
        if not entry:
            continue
        host, port = entry, None
        if entry.startswith("["):
            host, _, rest = entry[1:].partition("]")
            port = rest[1:] or None if rest.startswith(":") else None
        elif entry.count(":") == 1:
            host, port = entry.split(":")
        found.append((host.rstrip("."), port))
    return found


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


#: A URL character that no receiver's address needs (controls, spaces, NUL).
_ODD = re.compile(r"[\x00-\x20\x7f]")
#: Host names as DNS has them: labels of letters, digits and hyphens (IDNA in its ASCII form).
_NAME = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")
#: Seconds a receiver's name may take to resolve.
RESOLVE_TIMEOUT = 5.0
_RESOLVER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="liaison-resolve")


def allowed(url: str, hosts: str) -> bool:
    """Whether `url` is http(s), without credentials, to a host and port the operator allows
    (`hosts`: the setting webhook_hosts). Names are compared as written; whether a name resolves
    to an address on the operator's own networks is checked when a delivery is sent."""
    if _ODD.search(url):
        return False
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return False
    if _literal(host) is None and not _NAME.match(host):
        return False
    for entry, entry_port in _entries(hosts):
        if host == entry or (entry.startswith(".") and host.endswith(entry)):
            if entry_port == "*" or (entry_port is None and port in (None, 80, 443)) or entry_port == str(port):
                return True
    return False


def resolve(url: str, hosts: str) -> tuple[str | None, str | None]:
    """(the address to connect to, None), or (None, why a delivery to `url` must not go out now).
    A name must resolve, within RESOLVE_TIMEOUT, to public addresses only (a name an organisation
    controls must not lead to the operator's own networks); the delivery then connects to the
    address checked here, so a second, different answer (DNS rebinding) is never used. An address
    the operator listed itself is taken as listed."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if _literal(host) is not None:
        listed = any(_literal(entry) == _literal(host) for entry, _ in _entries(hosts))
        return (host, None) if listed else (None, "not allowed")
    try:
        infos = _RESOLVER.submit(socket.getaddrinfo, host, None, type=socket.SOCK_STREAM).result(RESOLVE_TIMEOUT)
    except FutureTimeout:
        return None, "the receiver's name did not resolve in time"
    except (OSError, UnicodeError, ValueError):
        return None, "the receiver's name does not resolve"
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses or any(not a.is_global for a in addresses):
        return None, "the receiver's name resolves to a private or reserved address"
    return str(addresses[0]), None


def _pinned(url: str, address: str) -> tuple[str, str, str]:
    """The URL with its host replaced by `address`; the Host header and the TLS server name to send."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    shown = f"[{address}]" if ":" in address else address
    netloc = f"{shown}:{parts.port}" if parts.port else shown
    host_header = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl(), host_header, host


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
    row = store.get_webhook(conn, principal, webhook_id) if UUID.match(webhook_id) else None
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
    if store.pending_test(conn, webhook_id):
        raise Conflict("a test delivery to this webhook is still pending; wait for its outcome in the log")
    delivery_id = store.insert_delivery(conn, webhook_id, None)
    jobs.enqueue(conn, DELIVER, {"delivery": delivery_id}, lane=lane(principal.org_id))
    return delivery_id


def deliveries(conn: Connection, principal: Principal, webhook_id: str, limit: int = 50) -> list[Delivery]:
    get(conn, principal, webhook_id)
    return [Delivery(*row) for row in store.deliveries(conn, principal, webhook_id, limit)]


def lane(org_id: int) -> str:
    """The job lane of an organisation's deliveries: one at a time, so that its receivers, however
    slow, hold one worker thread and never delay other organisations' deliveries."""
    return f"webhooks:{org_id}"


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


def deliver(
    engine: Engine, delivery_id: str, *, base_url: str, hosts: str, attempts: int, timeout: float = TIMEOUT
) -> None:
    """Send one delivery (a job): checks what may be sent now, POSTs it, logs the outcome; raises
    Retry for a failure worth retrying while attempts remain. Safe to repeat: a delivery that is no
    longer pending is left alone."""
    with engine.begin() as conn:
        row = store.delivery(conn, delivery_id)
        if row is None or row.state != "pending":
            return
        if not row.active or not allowed(row.url, hosts):
            why = "the webhook was stopped or its host is no longer allowed"
            store.record_attempt(conn, delivery_id, "cancelled", None, why, attempted=False)
            return
        body = _body(conn, row, base_url)
        if body is None:
            store.record_attempt(conn, delivery_id, "withheld", None, None, attempted=False)
            return
    status, error = None, None
    try:
        address, error = resolve(row.url, hosts)
        if address is not None:
            url, host, server_name = _pinned(row.url, address)
            headers = {
                "Host": host,
                "Content-Type": "application/json",
                SIGNATURE: sign(row.secret, body),
                "X-Liaison-Delivery": delivery_id,
                "User-Agent": "Liaison-Webhook/1",
            }
            status, error = asyncio.run(_post(url, body, headers, server_name, timeout))
    except Exception:  # whatever the receiver's address does, the log says the attempt failed
        status, error = None, "could not reach the receiver"
    tried = row.attempts + 1
    state = "delivered" if error is None else ("pending" if tried < attempts else "failed")
    with engine.begin() as conn:
        store.record_attempt(conn, delivery_id, state, status, error)
    if state == "pending":
        raise Retry(error)


async def _post(
    url: str, body: bytes, headers: dict, server_name: str, timeout: float
) -> tuple[int | None, str | None]:
    """POST within `timeout` seconds in all (a receiver that trickles its answer is cut off), reading
    the status only; (status, None) on 2xx, else (status or None, why, in general terms)."""
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            async with asyncio.timeout(timeout):
                async with client.stream(
                    "POST", url, content=body, headers=headers, extensions={"sni_hostname": server_name}
                ) as response:
                    status = response.status_code
    except TimeoutError:
        return None, "the receiver did not answer in time"
    except httpx.TimeoutException:
        return None, "the receiver did not answer in time"
    except (httpx.HTTPError, httpx.InvalidURL, ValueError):
        return None, "could not reach the receiver"
    return (status, None) if 200 <= status < 300 else (status, f"the receiver answered {status}")
