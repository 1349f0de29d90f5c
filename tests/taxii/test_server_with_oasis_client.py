"""The OASIS taxii2-client, unchanged, against a real `liaison serve` over HTTP."""

from __future__ import annotations

import httpx
import pytest
from requests.exceptions import HTTPError
from servers import LiveServer
from stixdata import actor, bundle, sdo
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from liaison.demo.attack_shaped import attack_shaped_bundle
from liaison.ingest.bundles import import_objects

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def served(tenants, db_url, tmp_path):
    with LiveServer(db_url, tmp_path) as server:
        yield server


def _server(served, tenants, user="alice") -> Server:
    return Server(f"{served.url}/taxii2/", user=user, password=tenants.tokens[user])


def _collection(server: Server, title_part: str) -> Collection:
    return next(c for c in server.default.collections if title_part in c.title)


def test_discovery_collections_and_paging_through_thousands(served, tenants):
    source = attack_shaped_bundle(2500, seed=4)["objects"]
    with tenants.engine.begin() as conn:
        import_objects(conn, tenants.principal("alice"), source, audience="group:ab")
    server = _server(served, tenants)
    assert server.title.startswith("Liaison") and len(server.api_roots) == 1
    root: ApiRoot = server.default
    assert root.versions == [TAXII]
    titles = [c.title for c in root.collections]
    assert titles == ["Alpha (own organisation)", "Sharing group ab", "Whole instance"]
    group = _collection(server, "group ab")
    assert group.can_read and group.can_write
    seen = []
    for page in as_pages(group.get_objects, per_request=1000):
        seen.extend(page.get("objects", []))
    assert len(seen) == len(source) and {o["id"] for o in seen} == {o["id"] for o in source}
    first_page = group.get_objects(limit=10)
    assert first_page["more"] is True and len(first_page["objects"]) == 10
    manifest = group.get_manifest(limit=5)
    assert [m["id"] for m in manifest["objects"]] == [o["id"] for o in first_page["objects"][:5]]
    # Charlie is outside group ab: the collection does not exist for it.
    carol = _server(served, tenants, "carol")
    assert "Sharing group ab" not in [c.title for c in carol.default.collections]
    hidden = Collection(group.url, user="carol", password=tenants.tokens["carol"])
    with pytest.raises(HTTPError):  # 404: the collection does not exist for it
        hidden.get_objects()


def test_add_objects_with_status_versions_and_filters(served, tenants):
    server = _server(served, tenants)
    own = _collection(server, "own organisation")
    v1 = actor("Mountain Cell", created="2025-01-01T00:00:00.000Z")
    v2 = {**v1, "modified": "2025-02-01T00:00:00.000Z", "description": "grew"}
    indicator = sdo(
        "indicator",
        name="C2",
        pattern="[ipv4-addr:value = '203.0.113.9']",
        pattern_type="stix",
        valid_from="2025-01-01T00:00:00Z",
    )
    broken = {"type": "intrusion-set", "id": "intrusion-set--nope"}
    status = own.add_objects(bundle(v1, v2, indicator, broken), wait_for_completion=True, poll_interval=0.2)
    assert status.status == "complete"
    assert (status.total_count, status.success_count, status.failure_count) == (4, 3, 1)
    assert "'id'" in status.failures[0]["message"]
    assert status.status_check_is_completed() if hasattr(status, "status_check_is_completed") else True
    refreshed = server.default.get_status(status.id)
    assert refreshed.success_count == 3

    assert own.get_object(v1["id"])["objects"] == [v2]  # the last version by default
    assert own.get_object(v1["id"], version="first")["objects"] == [v1]
    assert len(own.get_object(v1["id"], version="all")["objects"]) == 2
    assert own.get_object(v1["id"], version="2025-01-01T00:00:00.000Z")["objects"] == [v1]
    versions = own.object_versions(v1["id"])
    assert versions["versions"] == ["2025-01-01T00:00:00.000000Z", "2025-02-01T00:00:00.000000Z"]
    assert [o["id"] for o in own.get_objects(type="indicator")["objects"]] == [indicator["id"]]
    assert own.get_objects(id=indicator["id"])["objects"] == [indicator]
    assert own.get_objects(spec_version="2.0").get("objects", []) == []
    everything = own.get_objects()
    later = own.get_objects(added_after=everything["objects"][0] and own.get_manifest()["objects"][0]["date_added"])
    assert len(later["objects"]) == len(everything["objects"]) - 1

    own.delete_object(indicator["id"])
    assert [o["id"] for o in own.get_objects()["objects"]] == [v1["id"]]


def test_media_types_and_errors_follow_the_spec(served, tenants):
    base = f"{served.url}/taxii2"
    auth = ("alice", tenants.tokens["alice"])
    collections = httpx.get(f"{base}/liaison/collections/", auth=auth, headers={"Accept": TAXII}).json()
    cid = collections["collections"][0]["id"]
    objects_url = f"{base}/liaison/collections/{cid}/objects/"

    wrong_accept = httpx.get(objects_url, auth=auth, headers={"Accept": "application/xml"})
    assert wrong_accept.status_code == 406 and wrong_accept.headers["content-type"] == TAXII
    assert wrong_accept.json()["http_status"] == "406"
    wrong_type = httpx.post(
        objects_url,
        auth=auth,
        headers={"Accept": TAXII, "Content-Type": "application/json"},
        content=b'{"objects": []}',
    )
    assert wrong_type.status_code == 415
    no_auth = httpx.get(objects_url, headers={"Accept": TAXII})
    assert no_auth.status_code == 401 and "description" in no_auth.json()
    reader = httpx.post(
        objects_url,
        auth=("rita", tenants.tokens["rita"]),
        headers={"Accept": TAXII, "Content-Type": TAXII},
        content=b'{"objects": []}',
    )
    assert reader.status_code == 403
    unknown = httpx.get(
        f"{base}/liaison/collections/00000000-0000-4000-8000-000000000000/objects/",
        auth=auth,
        headers={"Accept": TAXII},
    )
    assert unknown.status_code == 404
    bad_filter = httpx.get(objects_url, params={"added_after": "yesterday"}, auth=auth, headers={"Accept": TAXII})
    assert bad_filter.status_code == 422 and "added_after" in bad_filter.json()["description"]
    page = httpx.get(objects_url, auth=auth, headers={"Accept": TAXII})
    assert page.headers["content-type"] == TAXII


def test_pagination_is_stable_while_objects_are_added(served, tenants):
    alice = tenants.principal("alice")
    with tenants.engine.begin() as conn:
        import_objects(conn, alice, [actor(f"Cell {i}") for i in range(300)], audience="instance")
    group = _collection(_server(served, tenants), "Whole instance")
    first = group.get_objects(limit=100)
    with tenants.engine.begin() as conn:
        import_objects(conn, alice, [actor(f"Late {i}") for i in range(50)], audience="instance")
    seen = [o["id"] for o in first["objects"]]
    envelope = first
    while envelope.get("more"):
        envelope = group.get_objects(limit=100, next=envelope["next"])
        seen.extend(o["id"] for o in envelope["objects"])
    assert len(seen) == len(set(seen)) == 300 + 50 + 3  # the organisations' identities are shared too
