"""Jinja2 templates of the web UI and `render`, which gives every page what the layout needs."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import SQLAlchemyError

from liaison.access.principal import Action, Principal
from liaison.alerts import inbox
from liaison.web import filters

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
templates = Jinja2Templates(directory=TEMPLATES)
filters.install(templates.env)

#: (label, path) of the navigation; Admin is added for admins; operators, who read no
#: intelligence, have Admin alone.
NAVIGATION = (
    ("Dashboard", "/"),
    ("Search", "/search"),
    ("Graph", "/graph"),
    ("Map", "/map"),
    ("Timeline", "/timeline"),
    ("Hits", "/hits"),
    ("Requests", "/requests"),
    ("Alerts", "/alerts"),
    ("Drafts", "/drafts"),
    ("Import", "/import"),
)


def navigation(path: str, principal: Principal | None) -> list[dict]:
    """The navigation entries for `principal`, the one holding `path` marked current."""
    if principal is None:
        return []
    entries = list(NAVIGATION) if principal.may(Action.READ) else []
    if principal.may(Action.WRITE):  # make an object from a form; a reader is not offered it
        entries.insert(entries.index(("Drafts", "/drafts")), ("New", "/objects/new"))
    if principal.may(Action.ADMINISTER):
        entries.append(("Admin", "/admin"))
    return [
        {
            "label": label,
            "href": href,
            "current": path == href if href == "/" else path == href or path.startswith(href + "/"),
        }
        for label, href in entries
    ]


def unread_alerts(request: Request, principal: Principal | None) -> int:
    """The header's count of the user's unread alerts (about objects it may still see)."""
    if principal is None or principal.user_id is None or not principal.may(Action.READ):
        return 0
    try:
        with request.app.state.engine.connect() as conn:
            return inbox.unread_count(conn, principal)
    except SQLAlchemyError:  # an error page about the database itself must still render
        return 0


def csrf_token(request: Request) -> str:
    """The CSRF token of this request: the session's, or the login form's before a session exists."""
    return getattr(request.state, "csrf_token", None) or getattr(request.state, "login_csrf", "")


def render(request: Request, name: str, principal: Principal | None, status_code: int = 200, **context) -> HTMLResponse:
    """Render template `name` with the principal, its CSRF token, the navigation and the instance name."""
    return templates.TemplateResponse(
        request,
        name,
        {
            "principal": principal,
            "csrf_token": csrf_token(request),
            "navigation": navigation(request.url.path, principal),
            "unread_alerts": unread_alerts(request, principal),
            "instance_name": request.app.state.settings.instance_name,
            **context,
        },
        status_code=status_code,
    )
