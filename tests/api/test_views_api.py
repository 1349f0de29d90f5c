"""REST: /objects/{id}/neighbourhood, /map and /timeline — shape, errors, and access."""

from __future__ import annotations

import pytest
import vizworld

NEVER = "intrusion-set--00000000-0000-4000-8000-000000000000"


@pytest.fixture
def world(tenants):
    return vizworld.build(tenants)


def test_neighbourhood_shape_and_filter(client, tenants, world):
    url = f"/api/v1/objects/{world.actor['id']}/neighbourhood"
    body = client.get(url, headers=tenants.headers("bob")).json()
    assert set(body) == {"centre", "nodes", "edges", "truncated"} and body["centre"] == world.actor["id"]
    centre = next(n for n in body["nodes"] if n["centre"])
    assert centre == {
        "id": world.actor["id"],
        "type": "intrusion-set",
        "name": "Red Ring",
        "tlp": "amber",
        "centre": True,
    }
    assert len(body["nodes"]) == 10 and len(body["edges"]) == 9
    assert all(set(e) == {"id", "source", "target", "label", "kind"} for e in body["edges"])
    node_ids = {n["id"] for n in body["nodes"]}
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in body["edges"])
    filtered = client.get(
        url,
        params=[("relationship_type", "member-of"), ("relationship_type", "sighting_of_ref")],
        headers=tenants.headers("bob"),
    ).json()
    assert sorted(e["label"] for e in filtered["edges"]) == ["member-of", "sighting_of_ref"]
    cut = client.get(url, params={"limit": 3}, headers=tenants.headers("bob")).json()
    assert len(cut["nodes"]) == 4 and cut["truncated"] is True


def test_neighbourhood_hides_what_the_caller_may_not_see(client, tenants, world):
    text = client.get(f"/api/v1/objects/{world.actor['id']}/neighbourhood", headers=tenants.headers("bob")).text
    assert vizworld.SECRET not in text and world.hidden["id"] not in text and world.rel_hidden["id"] not in text
    # Invisible and unknown ids answer the same 404.
    for user, oid in (("carol", world.actor["id"]), ("bob", world.hidden["id"])):
        hidden = client.get(f"/api/v1/objects/{oid}/neighbourhood", headers=tenants.headers(user))
        absent = client.get(f"/api/v1/objects/{NEVER}/neighbourhood", headers=tenants.headers(user))
        assert hidden.status_code == absent.status_code == 404
        assert hidden.text.replace(oid, NEVER) == absent.text
    assert client.get(f"/api/v1/objects/{NEVER}/neighbourhood").status_code == 401
    bad = client.get("/api/v1/objects/nonsense/neighbourhood", headers=tenants.headers("bob"))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid-input"


def test_map_shape_filters_and_access(client, tenants, world):
    body = client.get("/api/v1/map", headers=tenants.headers("bob")).json()
    assert body["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in body["features"]}
    assert len(by_id) == 7 and world.secret_seizure["id"] not in by_id and "Secret Base" not in str(body)
    route = by_id[world.route["id"]]
    assert route["geometry"]["type"] == "LineString" and route["properties"]["name"] == "Pamir highway route"
    seizures = client.get(
        "/api/v1/map",
        params={"type": "drug-seizure", "since": "2025-05-01", "until": "2025-05-31"},
        headers=tenants.headers("alice"),
    ).json()["features"]
    assert sorted(f["properties"]["name"] for f in seizures) == ["12.5 kg of heroin at Dushanbe", "Seizure at the base"]
    around = client.get("/api/v1/map", params={"around": world.route["id"]}, headers=tenants.headers("bob")).json()
    assert len(around["features"]) == 3
    assert client.get("/api/v1/map", headers=tenants.headers("carol")).json() == {
        "type": "FeatureCollection",
        "features": [],
    }
    hidden = client.get("/api/v1/map", params={"around": world.hidden["id"]}, headers=tenants.headers("bob"))
    assert hidden.status_code == 404
    bad = client.get("/api/v1/map", params={"type": "report"}, headers=tenants.headers("bob"))
    assert bad.status_code == 422 and "unknown type" in bad.json()["error"]["message"]
    assert client.get("/api/v1/map").status_code == 401


def test_timeline_shape_and_access(client, tenants, world):
    body = client.get("/api/v1/timeline", params={"around": world.actor["id"]}, headers=tenants.headers("bob")).json()
    assert set(body) == {"events", "truncated"} and len(body["events"]) == 7
    first = body["events"][0]
    assert (first["id"], first["type"], first["dated_by"]) == (world.report["id"], "report", "published")
    relation = next(e for e in body["events"] if e["type"] == "relationship")
    assert relation["source"]["name"] == "Pat Doe" and relation["target"]["id"] == world.actor["id"]
    assert vizworld.SECRET not in str(body)
    search = client.get(
        "/api/v1/timeline", params={"q": "ambush", "type": "incident"}, headers=tenants.headers("bob")
    ).json()
    assert [e["name"] for e in search["events"]] == ["Ambush near Khorog"]
    assert client.get("/api/v1/timeline", headers=tenants.headers("carol")).json() == {"events": [], "truncated": False}
    for params in ({"around": world.hidden["id"]}, {"around": NEVER}):
        assert client.get("/api/v1/timeline", params=params, headers=tenants.headers("bob")).status_code == 404
    assert client.get("/api/v1/timeline", params={"limit": 0}, headers=tenants.headers("bob")).status_code == 422
    assert client.get("/api/v1/timeline").status_code == 401
