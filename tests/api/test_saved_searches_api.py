"""Saved searches over the REST API, and search's name ranking and facets there. From another
user's side (a colleague, an admin, another agency): another's saved search answers exactly as one
that does not exist, and cannot be read, run or deleted."""

from __future__ import annotations

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
    missing = search_id + 1000
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
