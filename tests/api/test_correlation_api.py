"""REST correlation: the object's correlations and the value lookup, and nothing out of sight."""

from __future__ import annotations

import uuid

import orjson
from stixdata import bundle, sdo

ADDRESS = "203.0.113.9"


def _import(client, tenants, user, *objects, audience="group:ab"):
    response = client.post(
        "/api/v1/bundles",
        params={"audience": audience},
        content=orjson.dumps(bundle(*objects)),
        headers=tenants.headers(user),
    )
    assert response.status_code == 200, response.text


def _sco(value: str) -> dict:
    return {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": value}


def test_object_and_value_correlations(client, tenants):
    watch = sdo(
        "indicator", pattern=f"[ipv4-addr:value = '{ADDRESS}']", pattern_type="stix", valid_from="2025-01-01T00:00:00Z"
    )
    seen = _sco(ADDRESS)
    _import(client, tenants, "alice", watch)
    _import(client, tenants, "bob", seen)

    response = client.get(f"/api/v1/objects/{watch['id']}/correlations", headers=tenants.headers("alice"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (1, 100, 0)
    assert body["values"][0]["value"] == ADDRESS and not body["values"][0]["common"]
    hit = body["hits"][0]
    assert (hit["id"], hit["held_by"], hit["matched"]) == (seen["id"], "Bravo", ADDRESS)

    found = client.get(
        "/api/v1/correlations", params={"value": ADDRESS, "type": "ipv4", "limit": 1}, headers=tenants.headers("bob")
    ).json()
    assert found["total"] == 2 and len(found["hits"]) == 1
    bad = client.get("/api/v1/correlations", params={"value": "x", "type": "ipv4"}, headers=tenants.headers("bob"))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid-input"
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/objects/{stix_id}/correlations", "/api/v1/correlations"} <= set(schema["paths"])


def test_an_outsider_gets_the_answers_of_nothing(client, tenants):
    private = _sco(ADDRESS)
    _import(client, tenants, "alice", private)
    headers = tenants.headers("carol")
    missing = f"ipv4-addr--{uuid.uuid4()}"
    hidden = client.get(f"/api/v1/objects/{private['id']}/correlations", headers=headers)
    absent = client.get(f"/api/v1/objects/{missing}/correlations", headers=headers)
    assert hidden.status_code == absent.status_code == 404
    assert hidden.content.replace(private["id"].encode(), b"ID") == absent.content.replace(missing.encode(), b"ID")
    held = client.get("/api/v1/correlations", params={"value": ADDRESS}, headers=headers)
    unheld = client.get("/api/v1/correlations", params={"value": "192.0.2.77"}, headers=headers)
    assert held.status_code == unheld.status_code == 200
    assert held.content.replace(ADDRESS.encode(), b"V") == unheld.content.replace(b"192.0.2.77", b"V")
    assert held.json()["total"] == 0
