"""Who is using the browser: the session cookie turned into a Principal, and CSRF checks.

`web_principal` is the dependency of every page; without a live session a browser is sent to
/login (htmx requests get an HX-Redirect). `csrf_protect` guards every state-changing request: the
form field `csrf_token` or the header `X-CSRF-Token` must carry the session's token.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request

from liaison import accounts
from liaison.access.principal import Principal
from liaison.errors import Forbidden, LoginRequired
from liaison.http.deps import Conn

SESSION_COOKIE = "liaison_session"
#: Double-submit token of the login form, before a session exists.
LOGIN_CSRF_COOKIE = "liaison_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def safe_next(target: str | None) -> str:
    """A local path to return to after login; anything else (other hosts, schemes) becomes '/'."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_url(next_url: str) -> str:
    return "/login" if next_url == "/" else f"/login?next={quote(next_url, safe='/')}"


def _return_path(request: Request) -> str:
    """Where to go after login: the page shown (htmx requests), the page asked for (GET), or home."""
    current = request.headers.get("HX-Current-URL") if request.headers.get("HX-Request") else None
    if current:
        parts = urlsplit(current)
        return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    if request.method != "GET":
        return "/"
    return safe_next(request.url.path + (f"?{request.url.query}" if request.url.query else ""))


def web_principal(request: Request, conn: Conn) -> Principal:
    """The logged-in user's Principal; LoginRequired without a live session. The session is read
    in the request's transaction (the same `Conn` the page gets), so a page holds one connection."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    found = accounts.session_principal(conn, token) if token else None
    if found is None:
        raise LoginRequired(_return_path(request))
    request.state.principal, request.state.csrf_token = found
    return found[0]


async def submitted_csrf(request: Request) -> str:
    """The CSRF token a request carries: the header, or else the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def csrf_protect(request: Request, principal: Principal = Depends(web_principal)) -> Principal:
    """Refuse a state-changing request whose CSRF token is not the session's; return the Principal."""
    if not secrets.compare_digest((await submitted_csrf(request)).encode(), request.state.csrf_token.encode()):
        raise Forbidden("the form has expired or did not come from this site; reload the page and try again")
    return principal


def login_nonce(request: Request) -> str:
    """The login form's cookie value: the browser's own, or a fresh one (set by the login page).
    The form's token is a server MAC over it (accounts.login_form_token), so a pair the client
    chose never passes."""
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    return nonce
