"""The API's documentation page works offline: Swagger UI comes from the platform's own front-end
packages, every operation of the OpenAPI document is listed, and the page asks no other host for
anything (FastAPI's default page loads Swagger UI from a CDN, telling a third party who reads it)."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from webtools import screenshot


def test_the_api_docs_load_from_the_platform_alone(page_as, live_server):
    page = page_as()
    hosts: list[str] = []
    page.on("request", lambda request: hosts.append(urlsplit(request.url).netloc))
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=20000)
    spec = httpx.get(f"{live_server.url}/api/v1/openapi.json").json()
    operations = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    shown = page.eval_on_selector_all(
        ".opblock",
        """blocks => blocks.map(b => [
            b.querySelector('.opblock-summary-method').textContent,
            b.querySelector('.opblock-summary-path').dataset.path])""",
    )
    assert {tuple(op) for op in shown} == operations  # an operation with two tags shows under both
    assert set(hosts) == {urlsplit(live_server.url).netloc}, hosts
    assert page.locator('link[rel="shortcut icon"]').get_attribute("href") == "/static/img/favicon.svg"
    icon = page.request.get("/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
    screenshot(page, "api-docs")
