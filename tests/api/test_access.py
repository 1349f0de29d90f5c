"""A user outside an object's audience sees nothing of it through any endpoint."""

from __future__ import annotations

import orjson
import pytest
from stixdata import actor, bundle, relationship, sdo

SECRET_NAME = "Vault Seven"


@pytest.fixture
def private(client, tenants):
    """Alpha's private object in two versions, a labelled relationship and a group-shared one."""
    v1 = actor(SECRET_NAME, labels=["secret-label"], level="amber+strict")
    v2 = dict(v1, modified="2025-03-03T00:00:00Z", description="informant")
    shared = actor("Shared Ring", level="red")
    rel = relationship(v1, shared, "related-to", labels=["secret-label"], level="amber+strict")
    for objs, audience in (([v1, v2, rel], "org"), ([shared], "group:ab")):
        response = client.post(
            "/api/v1/bundles",
            params={"audience": audience},
            content=orjson.dumps(bundle(*objs)),
            headers=tenants.headers("alice"),
        )
        assert response.status_code == 200, response.text
    return {"private": v1, "relationship": rel, "shared": shared}


def _by_id(client, headers, oid):
    """The reads of one object by id, as (description, response)."""
    yield "get", client.get(f"/api/v1/objects/{oid}", headers=headers)
    yield (
        "get version",
        client.get(f"/api/v1/objects/{oid}", params={"version": "2025-03-03T00:00:00Z"}, headers=headers),
    )
    yield "versions", client.get(f"/api/v1/objects/{oid}/versions", headers=headers)


def _every_read(client, headers, objs):
    """Every read endpoint and filter, as (description, response)."""
    yield from _by_id(client, headers, objs["private"]["id"])
    yield "get relationship", client.get(f"/api/v1/objects/{objs['relationship']['id']}", headers=headers)
    for params in (
        {},
        {"type": "intrusion-set"},
        {"label": "secret-label"},
        {"q": "vault"},
        {"owner": "Alpha"},
        {"include_revoked": "true"},
        {"modified_after": "2000-01-01T00:00:00Z"},
    ):
        yield f"list {params}", client.get("/api/v1/objects", params=params, headers=headers)
    yield "export", client.get("/api/v1/export", headers=headers)
    yield "export history", client.get("/api/v1/export", params={"all_versions": "true"}, headers=headers)


@pytest.mark.parametrize("outsider", ["carol", "bob"])
def test_outsider_sees_nothing_of_a_private_object(client, tenants, private, outsider):
    headers = tenants.headers(outsider)
    oid = private["private"]["id"]
    for what, response in _every_read(client, headers, private):
        body = response.text
        assert SECRET_NAME not in body and "informant" not in body, what
        if what.startswith(("get", "versions")):
            continue  # compared with a never-stored id below
        assert oid not in body and private["relationship"]["id"] not in body, what
    # By id, a hidden object answers exactly as one that never existed.
    never = "intrusion-set--00000000-0000-4000-8000-000000000000"
    for (what, hidden), (_, absent) in zip(_by_id(client, headers, oid), _by_id(client, headers, never), strict=True):
        assert (hidden.status_code, hidden.text.replace(oid, never)) == (404, absent.text), what
    listing = client.get("/api/v1/objects", params={"label": "secret-label"}, headers=headers).json()
    assert listing["total"] == 0 and listing["items"] == []
    assert client.get("/api/v1/objects", params={"q": "vault"}, headers=headers).json()["total"] == 0


def test_group_member_sees_group_objects_and_outsider_does_not(client, tenants, private):
    shared_id = private["shared"]["id"]
    assert client.get(f"/api/v1/objects/{shared_id}", headers=tenants.headers("bob")).status_code == 200
    assert client.get(f"/api/v1/objects/{shared_id}", headers=tenants.headers("carol")).status_code == 404
    carol_all = client.get("/api/v1/objects", headers=tenants.headers("carol")).json()
    assert {i["object"]["type"] for i in carol_all["items"]} == {"identity"}  # the three agencies only


def test_owner_sees_everything_it_holds(client, tenants, private):
    for what, response in _every_read(client, tenants.headers("alice"), private):
        assert response.status_code == 200, what
    got = client.get(f"/api/v1/objects/{private['private']['id']}", headers=tenants.headers("rita")).json()
    assert got["object"]["description"] == "informant"


def test_a_narrower_newer_version_stays_hidden_behind_the_older_shared_one(client, tenants):
    """Per-version audiences: Bravo keeps seeing v1 (shared) as the latest it may see, and
    learns nothing of v2, its count or its existence."""
    v1 = actor("Layered")
    v2 = dict(v1, modified="2025-08-08T00:00:00Z", description="private addendum")
    for obj, audience in ((v1, "group:ab"), (v2, "org")):
        client.post(
            "/api/v1/bundles",
            params={"audience": audience},
            content=orjson.dumps(bundle(obj)),
            headers=tenants.headers("alice"),
        )
    bob = tenants.headers("bob")
    assert client.get(f"/api/v1/objects/{v1['id']}", headers=bob).json()["object"] == v1
    assert len(client.get(f"/api/v1/objects/{v1['id']}/versions", headers=bob).json()) == 1
    listed = client.get("/api/v1/objects", params={"type": "intrusion-set"}, headers=bob).json()
    assert [i["object"] for i in listed["items"]] == [v1]
    exported = client.get("/api/v1/export", params={"all_versions": "true"}, headers=bob).text
    assert "private addendum" not in exported


def test_holdings_of_other_audiences_are_not_shown(client, tenants):
    public = sdo("malware", name="Shared dropper", is_family=True)
    for user, audience in (("alice", "org"), ("bob", "instance")):
        client.post(
            "/api/v1/bundles",
            params={"audience": audience},
            content=orjson.dumps(bundle(public)),
            headers=tenants.headers(user),
        )
    seen_by_carol = client.get(f"/api/v1/objects/{public['id']}", headers=tenants.headers("carol")).json()
    assert [h["owner"] for h in seen_by_carol["holdings"]] == ["Bravo"]
    seen_by_alice = client.get(f"/api/v1/objects/{public['id']}", headers=tenants.headers("alice")).json()
    assert sorted(h["owner"] for h in seen_by_alice["holdings"]) == ["Alpha", "Bravo"]
