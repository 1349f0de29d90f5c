"""Alerts, watchlists and the digest pages, and an organisation admin's webhooks; every change is
post/redirect/get, but a new webhook's secret, which is shown once, on the page that made it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlalchemy import Connection

from liaison import jobs
from liaison.access.principal import Action, Principal
from liaison.alerts import digest, inbox, watchlists, webhooks
from liaison.errors import LiaisonError
from liaison.http.deps import Conn, SettingsDep, attempt
from liaison.intel import saved_searches
from liaison.web import changes
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter()
PAGE_SIZE = 25
#: Where a watch form may send the analyst back to (its own pages only).
_BACK_PREFIXES = ("/objects/", "/search", "/watchlists", "/alerts")


def _back(back: str, fallback: str) -> str:
    return back if back.startswith(_BACK_PREFIXES) and "//" not in back and "\\" not in back else fallback


@router.get("/alerts")
def alerts_page(
    request: Request,
    conn: Conn,
    unread: bool = False,
    watchlist: str = "",
    type: str = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    principal: Principal = Depends(web_principal),
):
    params = {"unread": "1" if unread else "", "watchlist": watchlist, "type": type}
    context: dict = {"page": None, "error": None}
    try:
        context["page"] = inbox.list_alerts(
            conn,
            principal,
            unread=unread,
            watchlist_id=watchlist or None,
            types=[type] if type else [],
            limit=PAGE_SIZE,
            offset=offset,
        )
    except LiaisonError as exc:
        context["error"] = exc.message
    return render(
        request,
        "alerts.html",
        principal,
        params=params,
        watched=watchlists.list_watchlists(conn, principal),
        done=request.query_params.get("done"),
        **context,
    )


@router.post("/alerts/read")
async def mark_read(request: Request, conn: Conn, principal: Principal = Depends(csrf_protect)):
    form = await request.form()
    ids = form.getlist("id") or None
    back = _back(str(form.get("back") or ""), "/alerts")
    with attempt(conn) as tried:
        marked = inbox.mark_read(conn, principal, ids)
    if tried.error:
        return changes.redirect(back, tried.error.message, "alerts", key="refused")
    return changes.redirect(back, f"{marked} alert(s) marked read", "alerts")


@router.get("/alerts/digest")
def digest_page(request: Request, conn: Conn, settings: SettingsDep, principal: Principal = Depends(web_principal)):
    return render(
        request,
        "digest.html",
        principal,
        digest=inbox.digest(conn, principal),
        email=digest.email_of(conn, principal),
        emailed=bool(settings.smtp_server),
        done=request.query_params.get("done"),
        refused=request.query_params.get("refused"),
    )


@router.post("/alerts/digest")
def set_digest(request: Request, conn: Conn, email: str = Form(""), principal: Principal = Depends(csrf_protect)):
    with attempt(conn) as tried:
        digest.set_email(conn, principal, email)
    if tried.error:
        return changes.redirect("/alerts/digest", tried.error.message, "email", key="refused")
    return changes.redirect(
        "/alerts/digest", "Digest address saved" if email.strip() else "Digest by e-mail off", "email"
    )


@router.get("/watchlists")
def watchlists_page(request: Request, conn: Conn, principal: Principal = Depends(web_principal)):
    return render(
        request,
        "watchlists.html",
        principal,
        watched=watchlists.list_watchlists(conn, principal),
        saved=saved_searches.list_saved(conn, principal) if principal.may(Action.READ) else [],
        done=request.query_params.get("done"),
        refused=request.query_params.get("refused"),
    )


#: The form fields a watch may carry (watchlists.watch reads the kind's own).
_FIELDS = ("id", "value", "type", "country", "province", "latitude", "longitude", "radius_km", "saved_search_id")


@router.post("/watchlists")
async def add_watchlist(request: Request, conn: Conn, principal: Principal = Depends(csrf_protect)):
    form = await request.form()
    kind = str(form.get("kind") or "")
    spec = {name: str(form.get(name)).strip() for name in _FIELDS if str(form.get(name) or "").strip()}
    back = _back(str(form.get("back") or ""), "/watchlists")
    with attempt(conn) as tried:
        made = watchlists.watch(conn, principal, kind, spec)
    if tried.error:
        return changes.redirect(back, tried.error.message, "watch", key="refused")
    # The object page shows its own fixed words for a key, not text from its address.
    return changes.redirect(back, "watching" if back.startswith("/objects/") else f"Watching {made.shown}", "watch")


@router.post("/watchlists/{watchlist_id}/delete")
def delete_watchlist(
    request: Request, watchlist_id: str, conn: Conn, back: str = Form(""), principal: Principal = Depends(csrf_protect)
):
    back = _back(back, "/watchlists")
    with attempt(conn) as tried:
        watchlists.delete(conn, principal, watchlist_id)
    if tried.error:
        return changes.redirect(back, tried.error.message, "watch", key="refused")
    return changes.redirect(back, "unwatched" if back.startswith("/objects/") else "No longer watched", "watch")


# -- an organisation admin's webhooks ----------------------------------------------------------


def _webhooks_page(request: Request, conn: Connection, principal: Principal, status_code: int = 200, **extra):
    hooks = webhooks.list_webhooks(conn, principal)
    logs = {h.id: webhooks.deliveries(conn, principal, h.id, limit=10) for h in hooks}
    return render(
        request,
        "webhooks.html",
        principal,
        status_code=status_code,
        hooks=hooks,
        logs=logs,
        done=request.query_params.get("done"),
        **extra,
    )


@router.get("/admin/webhooks")
def webhooks_page(request: Request, conn: Conn, principal: Principal = Depends(web_principal)):
    return _webhooks_page(request, conn, principal)


@router.post("/admin/webhooks")
def add_webhook(
    request: Request,
    conn: Conn,
    settings: SettingsDep,
    url: str = Form(""),
    principal: Principal = Depends(csrf_protect),
):
    with attempt(conn) as tried:
        hook, secret = webhooks.register(conn, principal, url, settings.webhook_hosts)
    if tried.error:
        return _webhooks_page(request, conn, principal, tried.error.status, error=tried.error.message, url=url)
    # Shown once, here: a redirect would have to carry the secret in an address.
    return _webhooks_page(request, conn, principal, 201, new_secret={"url": hook.url, "secret": secret})


def _webhook_change(request: Request, conn: Connection, principal: Principal, webhook_id: str, change, done: str):
    """Apply a change to one of the organisation's webhooks, then back to its section of the page."""

    def refused(error: LiaisonError):
        return _webhooks_page(request, conn, principal, error.status, error=error.message)

    return changes.apply(
        conn,
        lambda: change(conn, principal, webhook_id),
        back="/admin/webhooks",
        done=done,
        section=f"hook-{webhook_id}",
        refused=refused,
    )


@router.post("/admin/webhooks/{webhook_id}/test")
def test_webhook(request: Request, webhook_id: str, conn: Conn, principal: Principal = Depends(csrf_protect)):
    done = "Test delivery queued: its outcome appears in the log below"
    return _webhook_change(request, conn, principal, webhook_id, webhooks.test, done)


@router.post("/admin/webhooks/{webhook_id}/stop")
def stop_webhook(request: Request, webhook_id: str, conn: Conn, principal: Principal = Depends(csrf_protect)):
    return _webhook_change(request, conn, principal, webhook_id, webhooks.deactivate, "Webhook stopped")


@router.get("/admin/jobs")
def jobs_page(request: Request, conn: Conn, state: str = "", principal: Principal = Depends(web_principal)):
    return render(
        request, "jobs.html", principal, queue=jobs.queue_state(conn, principal, state=state or None), state=state
    )
