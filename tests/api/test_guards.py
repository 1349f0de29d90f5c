"""The body limit holds before any route runs, for anyone; every answer carries the security headers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from liaison.app import create_app
from liaison.config import Settings


@pytest.fixture
def small_limit(tenants):
    with TestClient(create_app(Settings(max_upload_bytes=4096, sync_interval=0), tenants.engine)) as client:
        yield client


def test_an_anonymous_upload_is_refused_before_any_form_is_parsed(small_limit):
    big = {"file": ("big.txt", b"x" * 10_000)}
    for path in ("/import", "/drafts", "/api/v1/drafts", "/login"):
        response = small_limit.post(path, files=big)
        assert response.status_code == 413, path
        assert response.json()["error"]["code"] == "payload-too-large"


def test_a_streamed_body_is_cut_at_the_limit(small_limit, tenants):
    def chunks():
        for _ in range(10):
            yield b"y" * 1000

    response = small_limit.post(
        "/api/v1/drafts", content=chunks(), headers={**tenants.headers("alice"), "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert small_limit.get("/api/v1/drafts", headers=tenants.headers("alice")).json()["total"] == 0


def test_security_headers_and_no_caching_of_pages(client):
    page = client.get("/login")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    api = client.get("/api/v1/openapi.json")
    assert api.headers["x-frame-options"] == "DENY" and "cache-control" not in api.headers
