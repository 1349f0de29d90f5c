"""Graph, map and timeline pages in-process on both databases: what they show, and to whom."""

from __future__ import annotations

import pytest
import vizworld


@pytest.fixture
def world(tenants):
    return vizworld.build(tenants)


def test_pages_need_a_session(client, world):
    for path in (
        "/graph",
        f"/graph/neighbourhood?id={world.actor['id']}",
        "/map",
        "/map/features",
        "/timeline",
        f"/objects/{world.actor['id']}/relations",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path


def test_graph_page_and_its_data(web, world):
    bob = web("bob")
    page = bob.get("/graph", params={"id": world.actor["id"]})
    assert page.status_code == 200 and "Red Ring" in page.text and "cytoscape.min.js" in page.text
    data = bob.get("/graph/neighbourhood", params={"id": world.actor["id"]}).json()
    assert len(data["nodes"]) == 10 and world.hidden["id"] not in str(data)
    labels = bob.get("/graph/neighbourhood", params={"id": world.actor["id"], "relationship_type": "member-of"}).json()
    assert [e["label"] for e in labels["edges"]] == ["member-of"]
    # Hidden and missing objects answer alike, as a page and as data.
    never = "intrusion-set--00000000-0000-4000-8000-000000000000"
    for oid in (world.hidden["id"], never):
        assert bob.get("/graph", params={"id": oid}).status_code == 404
        missing = bob.get("/graph/neighbourhood", params={"id": oid})
        assert missing.status_code == 404 and missing.json()["error"]["message"] == f"no object {oid}"
    found = bob.get("/graph/find", params={"q": "ring"}).json()
    assert sorted(o["name"] for o in found) == ["Blue Ring", "Red Ring", "Red Ring in Tajikistan", "Spring Offensive"]
    assert {"id": world.actor["id"], "type": "intrusion-set", "name": "Red Ring"} in found
    assert bob.get("/graph/find", params={"q": "vault"}).json() == []
    assert sorted(o["name"] for o in web("alice").get("/graph/find", params={"q": "vault"}).json()) == [
        vizworld.SECRET,
        f"{vizworld.SECRET} and Red Ring",
    ]


def test_map_page_and_its_data(web, world):
    bob = web("bob")
    page = bob.get("/map")
    assert page.status_code == 200 and "countries-110m.json" in page.text and "d3-geo.min.js" in page.text
    features = bob.get("/map/features").json()["features"]
    assert len(features) == 7 and "Secret Base" not in str(features)
    around = bob.get("/map/features", params={"around": world.route["id"]}).json()["features"]
    assert {f["id"] for f in around} == {world.route["id"], world.dushanbe["id"], world.khorog["id"]}
    hidden = bob.get("/map", params={"around": world.hidden["id"]})
    assert hidden.status_code == 404 and 'id="map"' not in hidden.text
    assert web("carol").get("/map/features").json()["features"] == []


def test_timeline_page(web, world):
    bob = web("bob")
    page = bob.get("/timeline", params={"id": world.actor["id"]})
    assert page.status_code == 200
    html = page.text
    assert vizworld.SECRET not in html and world.secret_report["id"] not in html
    assert html.count('class="tl-event"') == 7 and "July 2025" in html and "January 2024" in html
    assert html.index("<h2>July 2025</h2>") < html.index("<h2>March 2025</h2>")  # newest first
    assert "member-of" in html and "Pat Doe" in html
    search = bob.get("/timeline", params={"q": "ambush"}).text
    assert search.count('class="tl-event"') == 1 and "Ambush near Khorog" in search
    assert "No dated events you may see" in web("carol").get("/timeline").text
    assert bob.get("/timeline", params={"id": world.hidden["id"]}).status_code == 404


def test_relations_fragment(web, world):
    html = web("bob").get(f"/objects/{world.actor['id']}/relations").text
    assert html.count("<tr data-kind=") == 9
    assert "Pat Doe" in html and "← from" in html and "→ to" in html and "group:ab" in html
    assert vizworld.SECRET not in html and world.hidden["id"] not in html
    alone = web("bob").get(f"/objects/{world.nowhere['id']}/relations").text
    assert "No relations you may see" in alone
    assert web("carol").get(f"/objects/{world.actor['id']}/relations").status_code == 404
