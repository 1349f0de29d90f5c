"""Errors as HTML pages for the browser (JSON documents stay for /api and /taxii2), and the
redirect to the login page."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from liaison import accounts
from liaison.api.errors import error_response
from liaison.errors import LiaisonError
from liaison.web.auth import SESSION_COOKIE, LoginRequired, login_url
from liaison.web.templating import render

_MACHINE_PREFIXES = ("/api/", "/taxii2")
_TITLES = {400: "Bad request", 401: "Not logged in", 403: "Not allowed", 404: "Not found",
           405: "Not allowed", 409: "Conflict", 413: "Too large", 422: "Invalid input", 500: "Server error"}


def is_browser_path(request: Request) -> bool:
    return not request.url.path.startswith(_MACHINE_PREFIXES)


async def _principal(request: Request):
    """The logged-in user, when there is one, so error pages keep the header and navigation."""
    if getattr(request.state, "principal", None) is not None:
        return request.state.principal
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    found = await run_in_threadpool(accounts.session_principal, request.app.state.engine, token)
    if found is None:
        return None
    request.state.principal, request.state.csrf_token = found
    return found[0]


async def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", await _principal(request), status_code=status,
                  status=status, title=_TITLES.get(status, "Error"), message=message)


def install(app: FastAPI) -> None:
    """Register the browser-facing handlers; they defer to the JSON ones outside the web UI."""

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired):
        target = login_url(exc.next_url)
        if request.headers.get("HX-Request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(LiaisonError)
    async def domain_error(request: Request, exc: LiaisonError):
        if is_browser_path(request):
            return await error_page(request, exc.status, exc.message)
        return error_response(exc.status, exc.code, exc.message, request, **exc.details)

    @app.exception_handler(RequestValidationError)
    async def request_error(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        if is_browser_path(request):
            return await error_page(request, 422, problems)
        return error_response(422, "invalid-request", problems, request)

    @app.exception_handler(Exception)
    async def server_error(request: Request, _exc: Exception):
        # Starlette still logs the exception and re-raises it after this answer is sent.
        message = "something went wrong on the server; the error has been logged"
        if is_browser_path(request):
            return await error_page(request, 500, message)
        return error_response(500, "server-error", message, request)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if is_browser_path(request):
            message = "no such page" if exc.status_code == 404 else str(exc.detail)
            return await error_page(request, exc.status_code, message)
        code = "unauthorized" if exc.status_code == 401 else "http-error"
        return error_response(exc.status_code, code, str(exc.detail), request)
