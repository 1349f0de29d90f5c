"""Logging in and out of the web UI."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from liaison import accounts
from liaison.access.principal import Principal
from liaison.errors import InvalidInput, PasswordChangeRequired, TooManyAttempts, Unauthorized
from liaison.http.deps import EngineDep, SettingsDep
from liaison.web.auth import LOGIN_CSRF_COOKIE, SESSION_COOKIE, csrf_protect, login_nonce, safe_next
from liaison.web.templating import render

router = APIRouter()


def _login_page(request: Request, status_code: int = 200, **context):
    nonce = login_nonce(request)
    request.state.login_csrf = accounts.login_form_token(request.app.state.engine, nonce)
    response = render(request, "login.html", None, status_code=status_code, **context)
    response.set_cookie(LOGIN_CSRF_COOKIE, nonce, httponly=True, samesite="strict", path="/login")
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/"):
    return _login_page(
        request,
        next=safe_next(next),
        notice="You have been logged out." if "logged_out" in request.query_params else None,
    )


@router.post("/login")
def login(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    csrf_token: str = Form(""),
    new_password: str = Form(""),
):
    """Log in; with `new_password`, replace the password too (required when an administrator chose it).
    Authentication commits apart from any request transaction (accounts, lockout), so it takes the
    engine: a failed attempt stays counted."""
    if not accounts.login_form_valid(engine, request.cookies.get(LOGIN_CSRF_COOKIE, ""), csrf_token):
        return _login_page(
            request, 403, next=safe_next(next), username=username, error="The login form expired; please try again."
        )
    address = request.client.host if request.client else None
    try:
        session = accounts.start_session(engine, username.strip(), password, address, new_password or None)
    except (Unauthorized, TooManyAttempts, PasswordChangeRequired, InvalidInput) as exc:
        change = isinstance(exc, (PasswordChangeRequired, InvalidInput))
        return _login_page(
            request,
            exc.status,
            next=safe_next(next),
            username=username,
            change=change,
            error=exc.message[0].upper() + exc.message[1:] + ".",
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        path="/",
        secure=settings.secure_cookies or request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, engine: EngineDep, _principal: Principal = Depends(csrf_protect)):
    """End the session (the CSRF check keeps other sites from logging the user out)."""
    accounts.end_session(engine, request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/login?logged_out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
