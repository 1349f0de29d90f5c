"""Bad input gets a clear 4xx and writes nothing."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import func, select
from stixdata import actor, bundle, sdo
from txn import committed

from liaison.db.tables import holding, object_version


def stored(tenants) -> tuple[int, int]:
    with tenants.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(object_version)).scalar_one(),
            conn.execute(select(func.count()).select_from(holding)).scalar_one(),
        )


def post(client, tenants, body: bytes, user="alice", **params):
    return client.post("/api/v1/bundles", params=params, content=body, headers=tenants.headers(user))


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        (b"{not json", 422, "malformed JSON"),
        (b"", 422, "empty body"),
        (b"[1, 2]", 422, "top level must be a JSON object"),
        (b'{"type": "report", "objects": []}', 422, "'type' must be 'bundle'"),
        (b'{"type": "bundle", "objects": {}}', 422, "'objects' must be an array"),
        (orjson.dumps(bundle({"type": "intrusion-set"})), 422, "'id'"),
        (orjson.dumps(bundle(actor("ok"), sdo("intrusion-set", name=42))), 422, "object #1"),
        (orjson.dumps(bundle(actor("x", confidence="high"))), 422, "confidence"),
        (orjson.dumps(bundle(actor("x", created="yesterday"))), 422, "created"),
        (
            orjson.dumps(bundle(sdo("relationship", relationship_type="uses", source_ref="nobody", target_ref="x"))),
            422,
            "source_ref",
        ),
        (b'{"type": "bundle", "objects": [' + b"[" * 5000 + b"]" * 5000 + b"]}", 422, "nested too deeply"),
    ],
)
def test_malformed_bundles_are_refused_clearly(client, tenants, body, status, fragment):
    before = stored(tenants)
    response = post(client, tenants, body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert fragment in error["message"]
    assert stored(tenants) == before


def test_error_names_the_object_and_property(client, tenants):
    bad = sdo("indicator", name="lacks a pattern", pattern_type="stix", valid_from="2025-01-01T00:00:00Z")
    response = post(client, tenants, orjson.dumps(bundle(actor("fine"), bad)))
    error = response.json()["error"]
    assert (error["index"], error["object_id"], error["property"]) == (1, bad["id"], "pattern")


def test_deeply_nested_large_body_is_refused_while_streaming(client, tenants):
    """Past the whole-parse size the reader streams; hostile nesting is still caught early."""
    depth = 9 * 1024 * 1024
    body = b'{"type": "bundle", "objects": [' + b"[" * depth + b"]" * depth + b"]}"
    response = post(client, tenants, body)
    assert response.status_code == 422 and "nested too deeply" in response.json()["error"]["message"]


def test_a_200_mb_body_is_refused_before_it_is_read(client, tenants):
    body = b'{"type": "bundle", "objects": [' + b" " * (200 * 1024 * 1024) + b"]}"
    response = post(client, tenants, body)
    assert response.status_code == 413
    assert "liaison import" in response.json()["error"]["message"]
    assert stored(tenants)[0] == 3


def test_body_without_length_is_cut_at_the_limit(client, tenants, monkeypatch):
    monkeypatch.setattr(
        client.app.state, "settings", client.app.state.settings.model_copy(update={"max_upload_bytes": 1000})
    )
    chunks = (b'{"type": "bundle", "objects": [' if i == 0 else b" " * 500 for i in range(10))
    response = client.post("/api/v1/bundles", content=chunks, headers=tenants.headers("alice"))
    assert response.status_code == 413


def test_unknown_audience(client, tenants):
    response = post(client, tenants, orjson.dumps(bundle(actor("x"))), audience="group:elsewhere")
    assert response.status_code == 422
    assert "you can share with: org, org:<organisation>, instance, group:ab" in response.json()["error"]["message"]


def test_reader_cannot_import(client, tenants):
    response = post(client, tenants, orjson.dumps(bundle(actor("x"))), user="rita")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer lia_wrong",
        "Basic !!!",
        "Basic " + "YWxpY2U=",
        "Token abc",
    ],
)
def test_wrong_credentials_are_401_everywhere(client, header):
    headers = {"Authorization": header} if header else {}
    for method, path in (
        ("GET", "/api/v1/whoami"),
        ("GET", "/api/v1/objects"),
        ("POST", "/api/v1/bundles"),
        ("GET", "/api/v1/export"),
        ("GET", "/api/v1/objects/identity--00000000-0000-4000-8000-000000000000"),
    ):
        response = client.request(method, path, headers=headers)
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "unauthorized"
        assert "Bearer" in response.headers["www-authenticate"]


def test_revoked_token_stops_working(client, tenants):
    from liaison import accounts

    fresh = committed(tenants.engine, accounts.create_token, "alice", "laptop")
    assert client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    committed(tenants.engine, accounts.create_token, "alice", "laptop", replace=True)
    assert client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {fresh}"}).status_code == 401


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/objects/not-an-id", {}, 422),
        ("/api/v1/objects/intrusion-set--6b616fc1-1505-48e3-8b2c-0d19337bff38", {}, 404),
        ("/api/v1/objects/intrusion-set--6b616fc1-1505-48e3-8b2c-0d19337bff38/versions", {}, 404),
        ("/api/v1/objects", {"limit": 0}, 422),
        ("/api/v1/objects", {"limit": 5000}, 422),
        ("/api/v1/objects", {"modified_after": "last tuesday"}, 422),
        ("/api/v1/objects", {"owner": "Nobody Inc"}, 422),
        ("/api/v1/objects", {"include_revoked": "perhaps"}, 422),
    ],
)
def test_bad_queries(client, tenants, path, params, status):
    response = client.get(path, params=params, headers=tenants.headers("alice"))
    assert response.status_code == status, response.text
    assert response.json()["error"]["message"]
