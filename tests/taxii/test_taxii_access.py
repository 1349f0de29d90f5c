"""Through every TAXII endpoint, a user outside an object's audience sees nothing of it."""

from __future__ import annotations

import orjson
from stixdata import actor

from liaison.ingest.bundles import import_objects

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/liaison"


def get(client, tenants, user, path, **params):
    return client.get(path, params=params, headers={**tenants.headers(user), "Accept": TAXII})


def test_outsider_sees_nothing_through_any_taxii_endpoint(client, tenants):
    private = actor("Alpha-Bravo only")
    with tenants.engine.begin() as conn:
        import_objects(conn, tenants.principal("alice"), [private], audience="group:ab")
    collections = get(client, tenants, "alice", f"{ROOT}/collections/").json()["collections"]
    group = next(c for c in collections if c["alias"] == "group:ab")
    posted = client.post(
        f"{ROOT}/collections/{group['id']}/objects/",
        content=orjson.dumps({"objects": [actor("x")]}),
        headers={**tenants.headers("alice"), "Accept": TAXII, "Content-Type": TAXII},
    ).json()

    outsider = [c["id"] for c in get(client, tenants, "carol", f"{ROOT}/collections/").json()["collections"]]
    assert group["id"] not in outsider
    base = f"{ROOT}/collections/{group['id']}"
    for path in (
        f"{base}/",
        f"{base}/objects/",
        f"{base}/manifest/",
        f"{base}/objects/{private['id']}/",
        f"{base}/objects/{private['id']}/versions/",
        f"{ROOT}/status/{posted['id']}/",
    ):
        response = get(client, tenants, "carol", path)
        assert response.status_code == 404, path
        assert private["id"] not in response.text and "Alpha" not in response.text
    deleted = client.delete(f"{base}/objects/{private['id']}/", headers={**tenants.headers("carol"), "Accept": TAXII})
    assert deleted.status_code == 404
    for collection_id in outsider:
        for path in (f"{ROOT}/collections/{collection_id}/objects/", f"{ROOT}/collections/{collection_id}/manifest/"):
            assert private["id"] not in get(client, tenants, "carol", path).text
        assert (
            get(client, tenants, "carol", f"{ROOT}/collections/{collection_id}/objects/{private['id']}/").status_code
            == 404
        )
    # The insider still sees it, so the checks above could fail.
    assert private["id"] in get(client, tenants, "bob", f"{base}/objects/").text


def test_a_partner_learns_nothing_from_ids_it_may_not_read(client, tenants):
    """A partner instance's sync account (hostile, say) asks for a collection and an object it may
    not read: every TAXII answer is exactly the one for ids that were never stored."""
    from liaison import accounts
    from liaison.federation.partners import add_partner

    with tenants.engine.begin() as conn:
        add_partner(conn, "Remote", None, None, None)
        accounts.create_group(conn, "ar", ["Alpha", "Remote"])
        accounts.create_user(conn, "remote-sync", "Remote", "sync")
        token = accounts.create_token(conn, "remote-sync")
        alice = accounts.principal_for_user(conn, "alice")
        hidden, shared = actor("Alpha-Bravo only"), actor("Shared with the partner")
        import_objects(conn, alice, [hidden], audience="group:ab")
        import_objects(conn, alice, [shared], audience="group:ar")
    alice_collections = get(client, tenants, "alice", f"{ROOT}/collections/").json()["collections"]
    ab = next(c["id"] for c in alice_collections if c["alias"] == "group:ab")
    headers = {"Authorization": f"Bearer {token}", "Accept": TAXII}
    mine = client.get(f"{ROOT}/collections/", headers=headers).json()["collections"]
    assert [c["alias"] for c in mine] == ["org", "group:ar"]
    ar = next(c["id"] for c in mine if c["alias"] == "group:ar")
    assert shared["id"] in client.get(f"{ROOT}/collections/{ar}/objects/", headers=headers).text

    def answers(collection_id: str, object_id: str, *, adding: bool):
        base = f"{ROOT}/collections/{collection_id}"
        for path in (
            f"{base}/",
            f"{base}/objects/",
            f"{base}/manifest/",
            f"{base}/objects/{object_id}/",
            f"{base}/objects/{object_id}/versions/",
        ):
            yield path, client.get(path, headers=headers)
        yield "delete", client.delete(f"{base}/objects/{object_id}/", headers=headers)
        if adding:
            yield (
                "add",
                client.post(
                    f"{base}/objects/",
                    content=orjson.dumps({"objects": [actor("planted")]}),
                    headers={**headers, "Content-Type": TAXII},
                ),
            )

    never_collection = "00000000-0000-4000-8000-000000000000"
    never_object = "intrusion-set--00000000-0000-4000-8000-000000000000"
    cases = (
        ((ab, hidden["id"]), (never_collection, never_object), True),  # a collection it is not in
        ((ar, hidden["id"]), (ar, never_object), False),
    )  # an object its own collection does not hold
    for (collection_id, object_id), (absent_collection, absent_object), adding in cases:
        for (what, seen), (_, never) in zip(
            answers(collection_id, object_id, adding=adding),
            answers(absent_collection, absent_object, adding=adding),
            strict=True,
        ):
            if collection_id == ar and object_id not in what and what != "delete":
                continue  # its own collection, read as such
            assert seen.status_code == never.status_code == 404, what
            body = seen.text.replace(collection_id, absent_collection).replace(object_id, absent_object)
            assert body == never.text and "Alpha-Bravo" not in seen.text, what
