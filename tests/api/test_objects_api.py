"""The REST API: import, get, list and filter, versions, export, whoami, OpenAPI."""

from __future__ import annotations

import base64

import orjson
from stixdata import actor, bundle, relationship, sdo


def post_bundle(client, tenants, user, *objects, audience="org"):
    response = client.post(
        "/api/v1/bundles",
        params={"audience": audience},
        content=orjson.dumps(bundle(*objects)),
        headers=tenants.headers(user),
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_whoami_with_bearer_and_basic(client, tenants):
    bearer = client.get("/api/v1/whoami", headers=tenants.headers("bob")).json()
    assert bearer == {
        "user": "bob",
        "organisation": "Bravo",
        "role": "analyst",
        "organisation_identity": tenants.principal("bob").org_identity_id,
        "audiences": ["group:ab", "instance", "org:Bravo"],
    }
    basic = base64.b64encode(f"bob:{tenants.tokens['bob']}".encode()).decode()
    assert client.get("/api/v1/whoami", headers={"Authorization": f"Basic {basic}"}).json()["user"] == "bob"
    wrong_user = base64.b64encode(f"alice:{tenants.tokens['bob']}".encode()).decode()
    assert client.get("/api/v1/whoami", headers={"Authorization": f"Basic {wrong_user}"}).status_code == 401


def test_import_get_versions_and_holdings(client, tenants):
    v1 = actor("Steppe Wolves", created="2025-01-01T00:00:00Z", labels=["extremist"])
    v2 = dict(v1, modified="2025-04-01T00:00:00Z", aliases=["Step Wolfs"])
    result = post_bundle(client, tenants, "alice", v1, v2, audience="group:ab")
    assert (result["audience"], result["received"], result["new_versions"]) == ("group:ab", 2, 2)

    got = client.get(f"/api/v1/objects/{v1['id']}", headers=tenants.headers("bob")).json()
    assert got["object"] == v2
    assert [(h["owner"], h["audience"]) for h in got["holdings"]] == [("Alpha", "group:ab")]
    old = client.get(
        f"/api/v1/objects/{v1['id']}", params={"version": "2025-01-01T00:00:00Z"}, headers=tenants.headers("bob")
    ).json()
    assert old["object"] == v1
    versions = client.get(f"/api/v1/objects/{v1['id']}/versions", headers=tenants.headers("bob")).json()
    assert [v["modified"] for v in versions] == ["2025-01-01T00:00:00.000000Z", "2025-04-01T00:00:00.000000Z"]


def test_list_filters_and_pagination(client, tenants):
    objs = [
        actor(f"Cell {i:02}", labels=["cell"] if i % 2 else [], created=f"2025-01-{i + 1:02}T00:00:00Z")
        for i in range(20)
    ]
    post_bundle(client, tenants, "alice", *objs, audience="instance")
    post_bundle(client, tenants, "bob", sdo("malware", name="Cell phone dropper", is_family=True), audience="instance")
    headers = tenants.headers("carol")

    def listing(**params):
        response = client.get("/api/v1/objects", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    assert listing(type="intrusion-set")["total"] == 20
    assert listing(type=["intrusion-set", "malware"])["total"] == 21
    assert listing(label="cell")["total"] == 10
    assert listing(owner="Bravo", type="malware")["total"] == 1
    assert listing(owner="Bravo", type="intrusion-set")["total"] == 0
    assert listing(q="PHONE")["total"] == 1
    assert listing(q="cell", type="intrusion-set", modified_after="2025-01-15T00:00:00Z")["total"] == 5
    assert listing(type="intrusion-set", modified_before="2025-01-03T00:00:00Z")["total"] == 2
    page = listing(type="intrusion-set", limit=7, offset=14)
    assert (page["total"], len(page["items"])) == (20, 6)
    names = [item["object"]["name"] for item in page["items"]]
    assert names == sorted(names, reverse=True)  # newest first
    everything = [
        i["object"]["name"] for o in range(0, 20, 7) for i in listing(type="intrusion-set", limit=7, offset=o)["items"]
    ]
    assert sorted(everything) == sorted(o["name"] for o in objs)


def test_text_filter_treats_wildcards_literally(client, tenants):
    post_bundle(client, tenants, "alice", actor("100% Brigade"), actor("1000 Brigade"))
    got = client.get("/api/v1/objects", params={"q": "100%"}, headers=tenants.headers("alice")).json()
    assert [i["object"]["name"] for i in got["items"]] == ["100% Brigade"]


def test_export_is_a_valid_bundle_of_visible_objects(client, tenants):
    a, b = actor("Mountain Front"), actor("River Syndicate")
    post_bundle(client, tenants, "alice", a, b, relationship(a, b, "related-to"), audience="group:ab")
    response = client.get("/api/v1/export", headers=tenants.headers("bob"))
    assert response.headers["content-type"].startswith("application/stix+json")
    exported = orjson.loads(response.content)
    assert exported["type"] == "bundle"
    ids = {o["id"] for o in exported["objects"]}
    assert {a["id"], b["id"]} <= ids
    only = orjson.loads(
        client.get("/api/v1/export", params={"type": "relationship"}, headers=tenants.headers("bob")).content
    )
    assert [o["type"] for o in only["objects"]] == ["relationship"]


def test_export_all_versions(client, tenants):
    v1 = actor("Twice")
    v2 = dict(v1, modified="2025-09-09T09:09:09Z")
    post_bundle(client, tenants, "alice", v1, v2)
    latest = orjson.loads(
        client.get("/api/v1/export", params={"type": "intrusion-set"}, headers=tenants.headers("alice")).content
    )
    history = orjson.loads(
        client.get(
            "/api/v1/export", params={"type": "intrusion-set", "all_versions": "true"}, headers=tenants.headers("alice")
        ).content
    )
    assert [o["modified"] for o in latest["objects"]] == [v2["modified"]]
    assert sorted(o["modified"] for o in history["objects"]) == sorted([v1["modified"], v2["modified"]])


def test_openapi_document_lists_the_api(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/whoami",
        "/api/v1/bundles",
        "/api/v1/objects",
        "/api/v1/objects/{stix_id}",
        "/api/v1/objects/{stix_id}/versions",
        "/api/v1/export",
    } <= set(spec["paths"])
    assert {"HTTPBearer", "HTTPBasic"} <= set(spec["components"]["securitySchemes"])
