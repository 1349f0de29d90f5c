"""The composition root and what http/ gives every adapter: settings passed down, one error handler
answering in the form each request asked for, and one transaction per request that a refusal
shown inline leaves uncommitted."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from liaison import accounts
from liaison.app import create_app
from liaison.config import Settings
from liaison.errors import Conflict
from liaison.http.deps import attempt
from liaison.store import tenancy


@pytest.fixture
def named(tenants):
    settings = Settings(instance_name="Border Agency Test Instance", sync_interval=0)
    with TestClient(create_app(settings, tenants.engine)) as client:
        yield client


def test_the_settings_given_to_create_app_are_the_ones_used(named, tenants):
    assert "Border Agency Test Instance" in named.get("/login").text
    discovery = named.get("/taxii2/", headers=tenants.headers("alice"))
    assert discovery.status_code == 200 and "Border Agency Test Instance" in discovery.json()["title"]


def test_one_handler_answers_in_the_form_each_request_asked_for(client, tenants):
    missing = "intrusion-set--00000000-0000-4000-8000-000000000000"
    api = client.get(f"/api/v1/objects/{missing}", headers=tenants.headers("alice"))
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"
    assert api.json()["error"]["code"] == "not-found"
    taxii = client.get(f"/taxii2/liaison/collections/{missing}/objects/", headers=tenants.headers("alice"))
    assert taxii.status_code == 404 and taxii.headers["content-type"].startswith("application/taxii+json")
    assert taxii.json()["http_status"] == "404"
    invalid = client.get("/api/v1/objects?limit=0", headers=tenants.headers("alice"))
    assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "invalid-request"
    page = client.get("/no/such/page", follow_redirects=False)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "no such page" in page.text
    login = client.get("/search", follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"] == "/login?next=/search"


def test_a_refusal_shown_inline_commits_nothing_the_change_wrote(tenants):
    """A route that renders a refusal instead of raising must not commit what the refused change
    wrote before it was refused (http.deps.attempt)."""
    with tenants.engine.connect() as conn:
        with attempt(conn) as tried:
            accounts.create_org(conn, "Ghost Agency")
            raise Conflict("refused after writing")
        conn.commit()  # what the request's transaction does when the route returns
    assert isinstance(tried.error, Conflict)
    with tenants.engine.connect() as conn:
        assert "Ghost Agency" not in {org.name for org in tenancy.list_orgs(conn)}


def test_an_http_error_keeps_its_headers(client, tenants):
    """A 405 says which methods the resource allows, in every form."""
    for path in ("/api/v1/objects", "/taxii2/", "/search"):
        answer = client.request("PATCH", path, headers=tenants.headers("alice"))
        assert answer.status_code == 405 and "GET" in answer.headers["allow"], path
