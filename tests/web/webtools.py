"""Helpers of the web UI tests: logging in through the form, CSRF tokens, screenshots."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from liaison.demo import world

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def password_of(name: str) -> str:
    """The password the `passwords` fixture gives a tenants user."""
    return f"pw-{name}-for-tests"


def csrf_in(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field in the page"
    return found.group(1)


@dataclass
class WebClient:
    """A logged-in browser session against the in-process application."""

    http: TestClient
    csrf: str

    def get(self, path: str, **kw):
        return self.http.get(path, **kw)

    def post(self, path: str, data: dict | None = None, **kw):
        """POST a form with the session's CSRF token."""
        return self.http.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kw)


def form_login(http: TestClient, name: str, password: str, next_path: str = "/"):
    """Log in through the login form; return the response to the form's POST (not followed)."""
    page = http.get("/login")
    return http.post(
        "/login",
        data={"username": name, "password": password, "next": next_path, "csrf_token": csrf_in(page.text)},
        follow_redirects=False,
    )


def demo_password(name: str) -> str:
    return next(u["password"] for u in world.USERS if u["name"] == name)


def login(page, base_url: str, name: str, password: str | None = None) -> None:
    """Log a Playwright `page` in as demo user `name` through the login form."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password or demo_password(name))
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/screens/<name>.png."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
