"""Hit/no-hit queries and requests for information in the web UI (the REST routes of api/rest/hits.py,
for people): ask whether partners hold values and read the answers (hit or no hit, who holds it, an
opaque reference; never what matched), ask a holder for what matched, and answer the requests the
organisation received. Admins set the organisation's default discoverability on the requests page.
The rules, and the audit of every step, live in liaison.intel.hits, requests and discovery."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from liaison.access.principal import Action, Principal
from liaison.config import Settings
from liaison.errors import InvalidInput, LiaisonError
from liaison.federation import hits as federated
from liaison.http.deps import Conn, SettingsDep, attempt, no_sooner_than
from liaison.intel import discovery, hits, requests
from liaison.web import changes, discoverable
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter()

#: (type, label) of the query form's type select; '' reads each value by its shape.
TYPES = (
    ("", "any (recognised by its shape)"),
    ("ipv4-addr", "IPv4 address or network"),
    ("ipv6-addr", "IPv6 address or network"),
    ("domain-name", "domain name"),
    ("url", "URL"),
    ("email-addr", "e-mail address"),
    ("phone-number", "phone number"),
    ("bank-account", "bank account (IBAN)"),
    ("cryptocurrency-wallet", "cryptocurrency wallet"),
    ("file", "file hash (any)"),
    ("md5", "MD5"),
    ("sha1", "SHA-1"),
    ("sha256", "SHA-256"),
    ("sha512", "SHA-512"),
    (hits.ENTITY, "entity (a STIX id you can see)"),
)
#: Queries of the history shown under the form.
HISTORY = 50


def per_window(seconds: int) -> str:
    """A rate-limit window in words: 'hour', '2 hours', '15 minutes', '90 seconds'."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return unit if count == 1 else f"{count} {unit}s"
    return f"{seconds} seconds"


def _error(exc: LiaisonError) -> dict:
    """What a page shows of a refusal: the message and, for the rate limit, when to try again."""
    return {"error": exc.message, "retry_after": exc.details.get("retry_after")}


# --- hit queries ------------------------------------------------------------------------------


def _hits_page(
    request: Request,
    conn: Connection,
    principal: Principal,
    settings: Settings,
    status_code: int = 200,
    **extra,
) -> Response:
    context = {
        "queries": hits.history(conn, principal, HISTORY),
        "types": TYPES,
        "max_values": hits.MAX_VALUES,
        "limit": settings.hit_values_per_window,
        "window": per_window(settings.hit_window_seconds),
        "deadline_hours": settings.request_deadline_hours,
        "can_request": principal.may(Action.WRITE),
        "form": {"values": "", "type": ""},
        "request_form": None,
        **extra,
    }
    return render(request, "hits.html", principal, status_code=status_code, **context)


@router.get("/hits")
def hits_page(request: Request, conn: Conn, settings: SettingsDep, principal: Principal = Depends(web_principal)):
    return _hits_page(request, conn, principal, settings)


@router.post("/hits")
def ask(
    request: Request,
    conn: Conn,
    settings: SettingsDep,
    values: str = Form(""),
    type: str = Form(""),
    principal: Principal = Depends(csrf_protect),
):
    """Ask about the values typed, one per line; the answer is the newest entry of the history."""
    asked = [hits.Asked(line.strip(), type.strip() or None) for line in values.splitlines() if line.strip()]
    with attempt(conn) as tried, no_sooner_than(conn, settings.hit_answer_floor):
        if not asked:
            raise InvalidInput("type at least one value, one per line", parameter="values")
        answer = hits.ask(conn, principal, asked, limits=hits.Limits.of(settings), remote=federated.asker(conn))
    if tried.error:
        return _hits_page(
            request,
            conn,
            principal,
            settings,
            tried.error.status,
            form={"values": values, "type": type},
            **_error(tried.error),
        )
    return RedirectResponse(f"/hits#query-{answer.query_id}", status_code=303)


# --- requests for information ---------------------------------------------------------------------


def _requests_page(request: Request, conn: Connection, principal: Principal, status_code: int = 200, **extra):
    administers = principal.may(Action.ADMINISTER) and principal.org_id is not None
    context = {
        "inbox": requests.listed(conn, principal, "inbox"),
        "sent": requests.listed(conn, principal, "sent"),
        "can_decide": principal.may(Action.WRITE),
        "administers": administers,
        "org_default": discovery.default(conn, principal) if administers else None,
        "groups": discoverable.group_choices(conn, principal) if administers else [],
        "done": request.query_params.get("done"),
        "decision": None,
        **extra,
    }
    return render(request, "requests.html", principal, status_code=status_code, **context)


@router.get("/requests")
def requests_page(request: Request, conn: Conn, principal: Principal = Depends(web_principal)):
    return _requests_page(request, conn, principal)


def _hours(text: str, default: int) -> int:
    text = text.strip()
    if not text:
        return default
    if not text.isdigit():
        raise InvalidInput("the deadline is a whole number of hours", parameter="hours")
    return int(text)


@router.post("/requests")
def request_info(
    request: Request,
    conn: Conn,
    settings: SettingsDep,
    reference: str = Form(""),
    reason: str = Form(""),
    hours: str = Form(""),
    principal: Principal = Depends(csrf_protect),
):
    """Ask the holder behind a hit's reference for what matched; refusals go back to the hits page
    with what was typed."""
    with attempt(conn) as tried:
        made = requests.ask(
            conn,
            principal,
            reference.strip(),
            reason,
            hours=_hours(hours, settings.request_deadline_hours),
            send=federated.sender(conn),
        )
    if tried.error:
        return _hits_page(
            request,
            conn,
            principal,
            settings,
            tried.error.status,
            request_form={"reference": reference, "reason": reason, "hours": hours},
            **_error(tried.error),
        )
    holder = made.holder if made.instance == "local" else f"{made.holder} ({made.instance})"
    return changes.redirect("/requests", f"Request sent to {holder} about {made.value}.", f"request-{made.id}")


def _decide(
    request: Request, conn: Connection, principal: Principal, request_id: str, *, approve: bool, message: str
) -> Response:
    with attempt(conn) as tried:
        made = requests.decide(
            conn, principal, request_id, approve=approve, message=message, notify=federated.notifier(conn)
        )
    if tried.error:
        # The form's message is kept for the request it was typed for (if it is in the inbox at all).
        decision = {"id": request_id, "message": message}
        return _requests_page(request, conn, principal, tried.error.status, decision=decision, **_error(tried.error))
    if approve:
        count = len(made.shared)
        done = f"Approved {made.requester}'s request about {made.value}: shared {count} object{'s' * (count != 1)}"
    else:
        done = f"Declined {made.requester}'s request about {made.value}"
    done += f', with the message "{made.message}"' if made.message else "."
    return changes.redirect("/requests", done, f"request-{made.id}")


#: Deciding needs the session's CSRF token; who may decide, liaison.intel.requests decides.
Decider = Depends(csrf_protect)


@router.post("/requests/{request_id}/approve")
def approve(request: Request, request_id: str, conn: Conn, message: str = Form(""), principal: Principal = Decider):
    return _decide(request, conn, principal, request_id, approve=True, message=message)


@router.post("/requests/{request_id}/decline")
def decline(request: Request, request_id: str, conn: Conn, message: str = Form(""), principal: Principal = Decider):
    return _decide(request, conn, principal, request_id, approve=False, message=message)


@router.post("/discoverability")
def set_default(
    request: Request,
    conn: Conn,
    mode: str = Form(""),
    scope: list[str] = Form([]),
    principal: Principal = Depends(csrf_protect),
):
    """An organisation admin sets what its objects with no rule of their own answer."""
    with attempt(conn) as tried:
        now = discovery.set_default(conn, principal, discoverable.specs(mode, scope, allow_default=False))
    if tried.error:
        return _requests_page(request, conn, principal, tried.error.status, **_error(tried.error))
    done = f"By default, {principal.org_name}'s holdings are now discoverable by {discoverable.describe(now)}."
    return changes.redirect("/requests", done, "discoverability")
