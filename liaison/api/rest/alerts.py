"""Watchlists, alerts, the daily digest and webhooks; the job queue's state for the operator."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from liaison import jobs
from liaison.access.principal import Principal
from liaison.alerts import digest, inbox, watchlists, webhooks
from liaison.http.deps import Caller, Conn, ReaderCaller, SettingsDep

router = APIRouter(tags=["alerts"])


def _admin(principal: Caller) -> Principal:
    webhooks.require_admin(principal)
    return principal


AdminCaller = Annotated[Principal, Depends(_admin)]


class WatchlistIn(BaseModel):
    """What to watch. entity: `id`; value: `value` (and `type`, to read it as one kind); place:
    `country` (ISO 3166 code or name, and optionally `province`), or `latitude`, `longitude` and
    `radius_km`; type: `type`; search: `saved_search_id`; correlation: `id` (what comes to share a
    value with that object) or nothing (with what your organisation holds)."""

    kind: Literal["entity", "value", "place", "type", "search", "correlation"]
    id: str | None = None
    value: str | None = None
    type: str | None = None
    country: str | None = None
    province: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float | None = None
    saved_search_id: str | None = None


@router.get("/watchlists", summary="Your watchlists")
def list_watchlists(principal: ReaderCaller, conn: Conn):
    return {"items": [w.as_dict() for w in watchlists.list_watchlists(conn, principal)]}


@router.post(
    "/watchlists", status_code=201, summary="Watch an entity, a value, a place, a type, a saved search or correlations"
)
def add_watchlist(body: WatchlistIn, principal: ReaderCaller, conn: Conn):
    """A new or changed object you may see that matches raises an alert (changes from before the
    watchlist are not news to it). Watching an object you may not see answers 404, as for an
    unknown one; 409 when you already watch the same thing. Watchlists are yours alone."""
    spec = body.model_dump(exclude={"kind"}, exclude_none=True)
    return watchlists.watch(conn, principal, body.kind, spec).as_dict()


@router.get("/watchlists/{watchlist_id}", summary="One of your watchlists")
def get_watchlist(watchlist_id: str, principal: ReaderCaller, conn: Conn):
    return watchlists.get_watchlist(conn, principal, watchlist_id).as_dict()


@router.delete("/watchlists/{watchlist_id}", status_code=204, summary="Stop watching (its alerts go with it)")
def delete_watchlist(watchlist_id: str, principal: ReaderCaller, conn: Conn):
    watchlists.delete(conn, principal, watchlist_id)
    return Response(status_code=204)


@router.get("/alerts", summary="Your alerts, newest first")
def list_alerts(
    principal: ReaderCaller,
    conn: Conn,
    unread: bool = False,
    watchlist: str | None = None,
    type: Annotated[list[str], Query(description="only alerts about objects of these types")] = [],
    limit: Annotated[int, Query(ge=1, le=inbox.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """Only alerts about objects you may still see: an alert whose object was withdrawn from
    you since it was raised is neither listed nor counted."""
    page = inbox.list_alerts(
        conn, principal, unread=unread, watchlist_id=watchlist, types=type, limit=limit, offset=offset
    )
    unread_total = inbox.unread_count(conn, principal)
    return {
        "total": page.total,
        "unread": unread_total,
        "limit": page.limit,
        "offset": page.offset,
        "items": [a.as_dict() for a in page.alerts],
    }


class MarkRead(BaseModel):
    """The alerts to mark read; all of yours when `ids` is left out."""

    ids: list[str] | None = None


@router.post("/alerts/read", summary="Mark alerts read")
def mark_read(body: MarkRead, principal: ReaderCaller, conn: Conn):
    return {"marked": inbox.mark_read(conn, principal, body.ids)}


@router.get("/alerts/digest", summary="The alerts of the last day, by watchlist")
def alert_digest(principal: ReaderCaller, conn: Conn, settings: SettingsDep):
    found = inbox.digest(conn, principal)
    return {
        "since": found.since,
        "total": found.total,
        "email": digest.email_of(conn, principal),
        "emailed": bool(settings.smtp_server),
        "watchlists": [
            {"id": wid, "shown": shown, "alerts": [a.as_dict() for a in alerts]}
            for wid, shown, alerts in found.by_watchlist
        ],
    }


class DigestSettings(BaseModel):
    """Where the daily digest is e-mailed (null: in the UI only)."""

    email: str | None = None


@router.put("/alerts/digest", summary="Where your daily digest is e-mailed")
def set_digest(body: DigestSettings, principal: ReaderCaller, conn: Conn):
    digest.set_email(conn, principal, body.email)
    return {"email": digest.email_of(conn, principal)}


class WebhookIn(BaseModel):
    url: str


@router.get("/webhooks", summary="Your organisation's webhooks (admins)")
def list_webhooks(principal: AdminCaller, conn: Conn):
    return {"items": [h.as_dict() for h in webhooks.list_webhooks(conn, principal)]}


@router.post("/webhooks", status_code=201, summary="Register a webhook for your organisation (admins)")
def add_webhook(body: WebhookIn, principal: AdminCaller, conn: Conn, settings: SettingsDep):
    """Alerts of your organisation's users are POSTed to `url` as JSON (ids, types and links,
    never content) with `X-Liaison-Signature: sha256=<HMAC-SHA256 of the body>` keyed by the
    secret answered here, once. Only to hosts this instance's operator allows."""
    hook, secret = webhooks.register(conn, principal, body.url, settings.webhook_hosts)
    return {**hook.as_dict(), "secret": secret}


@router.delete("/webhooks/{webhook_id}", status_code=204, summary="Stop a webhook (its log is kept)")
def stop_webhook(webhook_id: str, principal: AdminCaller, conn: Conn):
    webhooks.deactivate(conn, principal, webhook_id)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/test", status_code=202, summary="Send a test delivery")
def test_webhook(webhook_id: str, principal: AdminCaller, conn: Conn):
    return {"delivery": webhooks.test(conn, principal, webhook_id)}


@router.get("/webhooks/{webhook_id}/deliveries", summary="A webhook's delivery log, newest first")
def webhook_deliveries(
    webhook_id: str, principal: AdminCaller, conn: Conn, limit: Annotated[int, Query(ge=1, le=200)] = 50
):
    return {"items": [d.as_dict() for d in webhooks.deliveries(conn, principal, webhook_id, limit)]}


@router.get("/jobs", summary="The job queue: counts by state and the latest jobs (operator)")
def list_jobs(
    principal: Caller,
    conn: Conn,
    state: Literal["queued", "running", "done", "failed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
):
    """Payloads are not shown: they name deliveries and users, and the operator reads no intelligence."""
    return jobs.queue_state(conn, principal, state=state, limit=limit)
