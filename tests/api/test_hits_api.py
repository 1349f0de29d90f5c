"""REST hit/no-hit queries, discoverability and requests for information, from the side of an agency
that wants to learn what it must not: a holding out of reach answers exactly as nothing held, and
another organisation's request, reference or holding exactly as one that does not exist."""

from __future__ import annotations

import time
import uuid

import orjson
import pytest
from fastapi.testclient import TestClient
from stixdata import bundle

from liaison.app import create_app
from liaison.config import Settings

FLOOR = 0.2


@pytest.fixture
def api(tenants):
    settings = Settings(hit_values_per_window=6, hit_answer_floor=FLOOR, sync_interval=0)
    with TestClient(create_app(settings, engine=tenants.engine)) as client:
        yield client


def domain(value: str) -> dict:
    return {"type": "domain-name", "spec_version": "2.1", "id": f"domain-name--{uuid.uuid4()}", "value": value}


def put(api, tenants, user: str, *objects: dict, **params) -> None:
    response = api.post(
        "/api/v1/bundles", params=params, content=orjson.dumps(bundle(*objects)), headers=tenants.headers(user)
    )
    assert response.status_code == 200, response.text


def ask(api, tenants, user: str, *values: str):
    return api.post("/api/v1/hits", json={"values": [{"value": v} for v in values]}, headers=tenants.headers(user))


def test_a_bundle_made_discoverable_on_import_answers_and_nothing_else_does(api, tenants):
    put(api, tenants, "bob", domain("open.example"), discoverable="instance")
    put(api, tenants, "bob", domain("kept.example"), audience="group:ab")  # Alpha may see it; not discover it
    started = time.perf_counter()
    response = ask(api, tenants, "alice", "open.example", "kept.example", "nobody.example")
    assert time.perf_counter() - started >= FLOOR
    assert response.status_code == 200, response.text
    assert (response.headers["X-RateLimit-Limit"], response.headers["X-RateLimit-Remaining"]) == ("6", "3")
    results = response.json()["results"]
    assert [[h["organisation"] for h in r["holders"]] for r in results] == [["Bravo"], [], []]
    kept, nobody = ({k: v for k, v in r.items() if k not in ("value", "normalised")} for r in results[1:])
    assert kept == nobody
    text = response.text
    assert "domain-name--" not in text and "Bravo" in text


def test_the_rate_limit_answers_429_with_retry_after(api, tenants):
    assert ask(api, tenants, "alice", *[f"v{i}.example" for i in range(5)]).status_code == 200
    refused = ask(api, tenants, "alice", "a.example", "b.example")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["error"]["code"] == "rate-limited"
    assert ask(api, tenants, "bob", "a.example").status_code == 200


def test_requests_and_references_of_others_answer_as_missing(api, tenants):
    put(api, tenants, "bob", held := domain("case.example"), discoverable="instance")
    [result] = ask(api, tenants, "alice", "case.example").json()["results"]
    reference = result["holders"][0]["reference"]

    stolen = api.post(
        "/api/v1/requests", json={"reference": reference, "reason": "x"}, headers=tenants.headers("carol")
    )
    invented = api.post("/api/v1/requests", json={"reference": "nope", "reason": "x"}, headers=tenants.headers("carol"))
    assert stolen.status_code == invented.status_code == 404 and stolen.content == invented.content

    made = api.post(
        "/api/v1/requests", json={"reference": reference, "reason": "case 41"}, headers=tenants.headers("alice")
    )
    assert made.status_code == 201, made.text
    request_id = made.json()["id"]
    for path in (f"/api/v1/requests/{request_id}", f"/api/v1/requests/{uuid.uuid4()}"):
        assert api.get(path, headers=tenants.headers("carol")).status_code == 404
    theirs = api.post(f"/api/v1/requests/{request_id}/approve", json={}, headers=tenants.headers("carol"))
    none = api.post(f"/api/v1/requests/{uuid.uuid4()}/approve", json={}, headers=tenants.headers("carol"))
    assert theirs.status_code == none.status_code == 404 and theirs.content == none.content
    reader = api.post(f"/api/v1/requests/{request_id}/approve", json={}, headers=tenants.headers("rita"))
    assert reader.status_code in (403, 404)

    inbox = api.get("/api/v1/requests", params={"box": "inbox"}, headers=tenants.headers("bob")).json()["requests"]
    assert [r["id"] for r in inbox] == [request_id]
    approved = api.post(
        f"/api/v1/requests/{request_id}/approve", json={"message": "see #41"}, headers=tenants.headers("bob")
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["shared"] == [held["id"]]
    seen = api.get(f"/api/v1/objects/{held['id']}", headers=tenants.headers("alice"))
    assert seen.status_code == 200
    assert api.get(f"/api/v1/objects/{held['id']}", headers=tenants.headers("carol")).status_code == 404


def test_discoverability_of_what_one_does_not_hold_answers_as_missing(api, tenants):
    put(api, tenants, "bob", seen := domain("seen.example"), audience="group:ab")
    path = f"/api/v1/objects/{seen['id']}/discoverability"
    mine = api.get(path, headers=tenants.headers("bob"))
    assert mine.json() == {"id": seen["id"], "own": ["default"], "effective": ["none"]}
    other = f"domain-name--{uuid.uuid4()}"
    for method in ("get", "put"):
        kwargs = {"json": {"discoverable": ["instance"]}} if method == "put" else {}
        visible = getattr(api, method)(path, headers=tenants.headers("alice"), **kwargs)
        missing = getattr(api, method)(
            f"/api/v1/objects/{other}/discoverability", headers=tenants.headers("alice"), **kwargs
        )
        assert visible.status_code == missing.status_code == 404
        assert visible.content.replace(seen["id"].encode(), b"") == missing.content.replace(other.encode(), b"")
    assert (
        api.put(
            "/api/v1/discoverability", json={"discoverable": ["instance"]}, headers=tenants.headers("bob")
        ).status_code
        == 403
    )
    done = api.put("/api/v1/discoverability", json={"discoverable": ["group:ab"]}, headers=tenants.headers("adam"))
    assert done.json() == {"discoverable": ["group:ab"]}


def test_hit_routes_are_in_the_openapi_document(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/hits",
        "/api/v1/requests",
        "/api/v1/requests/{request_id}/approve",
        "/api/v1/discoverability",
    ):
        assert path in paths
