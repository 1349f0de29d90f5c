"""What the browser is shown when a request fails: an error page that keeps the header and
navigation of a logged-in user, and the redirect to the login page. The composition root hands
both to the one error handler (http/errors.py), which decides the form of every answer."""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from liaison import accounts
from liaison.web.auth import SESSION_COOKIE, login_url
from liaison.web.templating import render

_TITLES = {
    400: "Bad request",
    401: "Not logged in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Invalid input",
    500: "Server error",
}


async def _principal(request: Request):
    """The logged-in user, when there is one, so error pages keep the header and navigation."""
    if getattr(request.state, "principal", None) is not None:
        return request.state.principal
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    # The handler runs on the event loop; the session lookup is a database read.
    found = await run_in_threadpool(_session, request.app.state.engine, token)
    if found is None:
        return None
    request.state.principal, request.state.csrf_token = found
    return found[0]


def _session(engine, token: str):
    # The request's transaction has ended (or failed) by the time its error is answered.
    with engine.connect() as conn:
        return accounts.session_principal(conn, token)


async def error_page(request: Request, status: int, message: str) -> Response:
    return render(
        request,
        "error.html",
        await _principal(request),
        status_code=status,
        status=status,
        title=_TITLES.get(status, "Error"),
        message=message,
    )


def login_redirect(request: Request, next_url: str) -> Response:
    """To the login page, then back to `next_url`; htmx requests are told by HX-Redirect."""
    target = login_url(next_url)
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
