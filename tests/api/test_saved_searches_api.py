"""Saved searches over the REST API, and search's name ranking and facets there. From another
user's side (a colleague, an admin, another agency): another's saved search answers exactly as one
that does not exist, and cannot be read, run or deleted."""

from __future__ import annotations

import uuid

from stixdata import actor
from txn import committed

from liaison.ingest.bundles import import_objects


def test_save_list_get_delete(client, tenants):
    h = tenants.headers("alice")
    made = client.post(
        "/api/v1/saved-searches", json={"name": "Couriers", "q": "Zarafsh", "type": ["intrusion-set"]}, headers=h
    )
    assert made.status_code == 201, made.text
    saved = made.json()
    assert saved["params"] == {"q": "Zarafsh", "type": ["intrusion-set"]}
    assert client.get("/api/v1/saved-searches", headers=h).json()["items"] == [saved]
    assert client.get(f"/api/v1/saved-searches/{saved['id']}", headers=h).json() == saved
    again = client.post("/api/v1/saved-searches", json={"name": "Couriers", "q": "other"}, headers=h)
    assert again.status_code == 409
    assert client.delete(f"/api/v1/saved-searches/{saved['id']}", headers=h).status_code == 204
    assert client.get("/api/v1/saved-searches", headers=h).json()["items"] == []


def test_a_search_that_would_be_refused_is_not_saved(client, tenants):
    h = tenants.headers("alice")
    bad = client.post("/api/v1/saved-searches", json={"name": "x", "q": "a", "tlp": "purple"}, headers=h)
    assert bad.status_code == 422 and "TLP" in bad.json()["error"]["message"]
    empty = client.post("/api/v1/saved-searches", json={"name": "x"}, headers=h)
    assert empty.status_code == 422
    assert client.get("/api/v1/saved-searches", headers=h).json()["items"] == []


def test_anothers_saved_search_is_not_found_like_a_missing_one(client, tenants):
    mine = client.post("/api/v1/saved-searches", json={"name": "Mine", "q": "heroin"}, headers=tenants.headers("alice"))
    search_id = mine.json()["id"]
    missing = str(uuid.uuid4())
    assert len(search_id) == 36  # random: a sequence would count others' searches
    for user in ("rita", "adam", "bob", "carol"):  # a colleague, Alpha's admin, other agencies
        h = tenants.headers(user)
        assert client.get("/api/v1/saved-searches", headers=h).json()["items"] == []
        for method in (client.get, client.delete):
            theirs, nothing = (
                method(f"/api/v1/saved-searches/{search_id}", headers=h),
                method(f"/api/v1/saved-searches/{missing}", headers=h),
            )
            assert (
                theirs.status_code == nothing.status_code == (403 if (user, method) == ("rita", client.delete) else 404)
            )
            assert theirs.json()["error"]["message"].replace(str(search_id), "N") == nothing.json()["error"][
                "message"
            ].replace(str(missing), "N")
        if user == "rita":
            continue  # a reader's token is read-only
        # The same name is free for another user: names are per user, and saving tells nothing.
        assert client.post("/api/v1/saved-searches", json={"name": "Mine", "q": "x"}, headers=h).status_code == 201
    assert client.get(f"/api/v1/saved-searches/{search_id}", headers=tenants.headers("alice")).json()["params"] == {
        "q": "heroin"
    }


def test_search_answers_how_each_hit_matched_and_counts_facets(client, tenants):
    committed(
        tenants.engine,
        import_objects,
        tenants.principal("alice"),
        [actor("Zarafshon", level="green")],
        audience="instance",
    )
    body = client.get(
        "/api/v1/search", params={"q": "Zarafsh", "facets": "true"}, headers=tenants.headers("bob")
    ).json()
    assert body["total"] == 1 and body["order"] == "relevance"
    assert body["items"][0]["matched"] == "start of a name"
    assert body["facets"]["type"] == [{"value": "intrusion-set", "count": 1}]
    assert body["facets"]["owner"] == [{"value": "Alpha", "count": 1}]
    refused = client.get("/api/v1/search", params={"q": "x", "order": "loudest"}, headers=tenants.headers("bob"))
    assert refused.status_code == 422


def test_exports_over_the_api_carry_references_and_count_what_is_missing(client, tenants):
    from stixdata import sdo

    secret = actor("Juniper Ledger", level="amber")
    shown = actor("Oxus Couriers", level="green")
    report = sdo(
        "report",
        name="Round-up",
        published="2025-01-01T00:00:00Z",
        object_refs=[shown["id"], secret["id"]],
        level="green",
    )
    committed(tenants.engine, import_objects, tenants.principal("alice"), [shown, report], audience="instance")
    committed(tenants.engine, import_objects, tenants.principal("alice"), [secret], audience="org")
    answer = client.get(f"/api/v1/objects/{report['id']}/bundle", headers=tenants.headers("bob"))
    assert answer.status_code == 200 and answer.headers["x-liaison-unresolved-references"] == "1"
    ids = {o["id"] for o in answer.json()["objects"]}
    assert shown["id"] in ids and secret["id"] not in ids
    graph = client.get(f"/api/v1/objects/{shown['id']}/neighbourhood/bundle", headers=tenants.headers("bob"))
    assert report["id"] in {o["id"] for o in graph.json()["objects"]}
    found = client.get("/api/v1/search/bundle", params={"q": "Round-up"}, headers=tenants.headers("bob"))
    assert found.json()["objects"][0]["id"] == report["id"]
    table = client.get("/api/v1/search.csv", params={"q": "Oxus"}, headers=tenants.headers("bob"))
    assert table.headers["content-type"].startswith("text/csv") and "Oxus Couriers" in table.text
    hidden = client.get(f"/api/v1/objects/{secret['id']}/bundle", headers=tenants.headers("bob"))
    missing = client.get(
        "/api/v1/objects/intrusion-set--00000000-0000-4000-8000-000000000000/bundle", headers=tenants.headers("bob")
    )
    assert hidden.status_code == missing.status_code == 404
