"""The one error handler. Every failure — a domain error, an invalid request, an HTTP error, an
unexpected exception — is answered in the form the request asked for: TAXII's error message under
/taxii2, Liaison's JSON document {"error": {"code", "message", ...}} under /api, and an HTML page
(rendered by the page function the composition root passes in) for the browser everywhere else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from liaison.errors import LiaisonError, LoginRequired
from liaison.stix.media import TAXII as TAXII_MEDIA

#: Renders an error page for the browser: (request, status, message) -> response.
PageRenderer = Callable[[Request, int, str], Awaitable[Response]]
#: Answers a browser that must log in first: (request, where to come back) -> response.
LoginRedirect = Callable[[Request, str], Response]

_MACHINE_PREFIXES = ("/api/", "/taxii2")
_SERVER_ERROR = "something went wrong on the server; the error has been logged"


def wants_html(request: Request) -> bool:
    """Whether the request came from the web UI (every path outside the API and TAXII)."""
    return not request.url.path.startswith(_MACHINE_PREFIXES)


def error_response(status: int, code: str, message: str, request: Request | None = None, **details) -> Response:
    """The machine-readable error document: TAXII's error message under /taxii2, Liaison's own
    elsewhere."""
    headers = {"WWW-Authenticate": 'Bearer realm="liaison", Basic realm="liaison"'} if status == 401 else None
    if status == 429 and "retry_after" in details:
        headers = {"Retry-After": str(details["retry_after"])}
    if request is not None and request.url.path.startswith("/taxii2"):
        body = {"title": code.replace("-", " "), "description": message, "http_status": str(status), "error_code": code}
        if details:
            body["details"] = details
        return Response(orjson.dumps(body), status_code=status, media_type=TAXII_MEDIA, headers=headers)
    body = orjson.dumps({"error": {"code": code, "message": message, **details}})
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _described(exc: Exception) -> tuple[int, str, str, dict]:
    """(status, code, message, details) of any exception."""
    if isinstance(exc, LiaisonError):
        return exc.status, exc.code, exc.message, exc.details
    if isinstance(exc, RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        return 422, "invalid-request", problems, {}
    if isinstance(exc, HTTPException):
        code = "unauthorized" if exc.status_code == 401 else "http-error"
        return exc.status_code, code, str(exc.detail), {}
    return 500, "server-error", _SERVER_ERROR, {}


def install(app: FastAPI, *, page: PageRenderer, login_redirect: LoginRedirect) -> None:
    """Register the handler for every exception type the application answers."""

    async def handle(request: Request, exc: Exception) -> Response:
        if isinstance(exc, LoginRequired):
            return login_redirect(request, exc.next_url)
        status, code, message, details = _described(exc)
        if wants_html(request):
            if isinstance(exc, HTTPException) and status == 404:
                message = "no such page"
            response = await page(request, status, message)
        else:
            response = error_response(status, code, message, request, **details)
        if isinstance(exc, HTTPException) and exc.headers:  # e.g. the Allow header of a 405
            for name, value in exc.headers.items():  # ours first: one WWW-Authenticate for both schemes
                response.headers.setdefault(name, value)
        return response

    # Starlette logs an unexpected exception and re-raises it after this answer is sent.
    for kind in (LoginRequired, LiaisonError, RequestValidationError, HTTPException, Exception):
        app.add_exception_handler(kind, handle)
