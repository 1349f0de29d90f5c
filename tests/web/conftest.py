"""Web UI fixtures.

In-process (both databases): `web(user)` gives a TestClient of the real application logged in as
one of the `tenants` users through the login form, with its CSRF token at hand.

Browser (SQLite): one real `liaison serve` over a demo-world database (`live_server`, with `.url`),
one headless Chromium driven by Playwright (`browser`), and `page_as(user)` for a logged-in page
(helpers such as `login` and `screenshot` are in webtools.py).
"""

from __future__ import annotations

import functools
import subprocess

import pytest
from fastapi.testclient import TestClient
from servers import LIAISON, LiveServer
from sqlalchemy import update
from webtools import CHROMIUM_ARGS, DESKTOP, WebClient, csrf_in, form_login, login, password_of

from liaison.access.credentials import hash_password
from liaison.db.tables import user


@functools.cache
def _password_hash(name: str) -> str:
    return hash_password(password_of(name))


@pytest.fixture
def passwords(tenants):
    """Every tenants user gets a password: password_of(name)."""
    with tenants.engine.begin() as conn:
        for name in tenants.tokens:
            conn.execute(update(user).where(user.c.name == name).values(password_hash=_password_hash(name)))
    return password_of


@pytest.fixture
def web(client, passwords):
    """web(name) -> a WebClient logged in as that tenants user."""
    opened: list[TestClient] = []

    def log_in(name: str) -> WebClient:
        http = TestClient(client.app)
        opened.append(http)
        response = form_login(http, name, passwords(name))
        assert response.status_code == 303, response.text
        return WebClient(http, csrf_in(http.get("/").text))

    yield log_in
    for http in opened:
        http.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """`liaison serve` over a SQLite file holding the demo world."""
    workdir = tmp_path_factory.mktemp("web-live")
    server = LiveServer(
        f"sqlite:///{workdir / 'liaison.db'}", workdir, LIAISON_SYNC_INTERVAL="0", LIAISON_WEBHOOK_HOSTS="127.0.0.1:*"
    )
    subprocess.run([LIAISON, "init", "--demo"], env=server.env, cwd=workdir, check=True, capture_output=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_as(browser, live_server):
    """page_as(user=None, viewport=DESKTOP) -> a fresh page (logged in as that demo user when given),
    closed after the test. `page.server_errors` collects every 5xx answer the page received."""
    contexts = []

    def open_page(name: str | None = None, viewport: dict = DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.server_errors = []
        page.on("response", lambda r: page.server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
        if name:
            login(page, live_server.url, name)
        return page

    yield open_page
    for context in contexts:
        context.close()
