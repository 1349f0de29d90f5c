"""Dashboard, search page and bundle import through the in-process application, on both databases."""

from __future__ import annotations

import re

import orjson
from stixdata import actor, bundle, sdo
from txn import committed

from liaison.ingest.bundles import import_objects
from liaison.intel import hits


def _share(tenants):
    alice = tenants.principal("alice")
    grouped = actor("Tugai Foxes", description="Group-shared fox crew", level="amber")
    private = actor("Loess Owls", description="Alpha only owls")
    committed(tenants.engine, import_objects, alice, [grouped], audience="group:ab")
    committed(tenants.engine, import_objects, alice, [private], audience="org")
    return grouped, private


def test_dashboard_lists_partners_sharing_drafts_and_counts(web, tenants):
    grouped, private = _share(tenants)
    bob = web("bob").get("/").text
    assert "Tugai Foxes" in bob and "by Alpha" in bob
    assert "Loess Owls" not in bob and private["id"] not in bob
    assert re.search(r'href="/search\?type=intrusion-set">intrusion-set</a></td><td class="num">1<', bob)
    alice = web("alice").get("/").text
    assert "Tugai Foxes" not in alice.split("Recently shared by partners")[1].split("</section>")[0]  # her own
    assert re.search(r'href="/search\?type=intrusion-set">intrusion-set</a></td><td class="num">2<', alice)
    carol = web("carol").get("/").text
    assert "intrusion-set" not in carol and "Tugai" not in carol


def test_search_page_finds_filters_and_pages_within_rights(web, tenants):
    grouped, private = _share(tenants)
    committed(
        tenants.engine,
        import_objects,
        tenants.principal("alice"),
        [actor(f"Fox Pager {i}", description="foxes") for i in range(30)],
        audience="instance",
    )
    bob = web("bob")
    page = bob.get("/search", params={"q": "fox"}).text
    assert "31 results" in page and page.count('class="hit"') == 25 and 'rel="next"' in page
    second = bob.get("/search", params={"q": "fox", "offset": 25}).text
    assert "26–31 of 31" in second and 'rel="prev"' in second and second.count('class="hit"') == 6
    assert "Tugai Foxes" in page + second
    assert "1 result" in bob.get("/search", params={"q": "fox", "tlp": "amber"}).text
    fragment = bob.get("/search", params={"q": "tugai"}, headers={"HX-Request": "true", "HX-Target": "results"})
    assert fragment.text.lstrip().startswith('<section id="results"') and "Tugai Foxes" in fragment.text
    assert "only words to exclude" in bob.get("/search", params={"q": "-fox"}).text
    carol = web("carol")
    assert "0 results" in carol.get("/search", params={"q": "tugai"}).text
    assert "0 results" in carol.get("/search", params={"q": "owls"}).text
    assert "30 results" in carol.get("/search", params={"q": "fox"}).text  # the instance-wide ones only


def test_import_page_imports_a_bundle_with_an_audience(web, tenants):
    alice = web("alice")
    page = alice.get("/import").text
    assert 'action="/drafts"' in page and 'name="file"' in page  # the document form goes to the drafts
    assert '<option value="group:ab"' in page
    objects = [actor("Imported Marmots"), sdo("note", content="about marmots", object_refs=[])]
    objects[1]["object_refs"] = [objects[0]["id"]]
    body = orjson.dumps(bundle(*objects))
    answer = alice.post(
        "/import",
        {"audience": "group:ab"},
        files={"file": ("marmots.json", body, "application/json")},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert answer.status_code == 200
    figures = dict(re.findall(r'data-figure="(\w+)">(\d+)<', answer.text))
    assert figures == {
        "received": "2",
        "new_versions": "2",
        "corrections": "0",
        "already_held": "0",
        "duplicates_in_bundle": "0",
    }
    assert "group:ab" in answer.text
    again = alice.post("/import", {"audience": "group:ab"}, files={"file": ("marmots.json", body, "application/json")})
    assert again.status_code == 200 and "<h1>Import</h1>" in again.text
    assert dict(re.findall(r'data-figure="(\w+)">(\d+)<', again.text))["already_held"] == "2"
    assert "Imported Marmots" in web("bob").get("/search", params={"q": "marmots"}).text
    broken = alice.post(
        "/import",
        {"audience": "org"},
        headers={"X-Requested-With": "XMLHttpRequest"},
        files={"file": ("x.json", b'{"type": "nope"}', "application/json")},
    )
    assert broken.status_code == 422 and "not a STIX bundle" in broken.text
    reader = web("rita").post("/import", {"audience": "org"}, files={"file": ("m.json", body, "application/json")})
    assert reader.status_code == 403


def test_an_imported_bundle_is_discoverable_as_the_form_says(web, tenants):
    alice = web("alice")
    assert '<option value="group:ab">members of group:ab</option>' in alice.get("/import").text
    held = {"type": "domain-name", "spec_version": "2.1", "id": "domain-name--0b7a5d35-4b53-4e52-8d3e-1f0e3b6a1c11"}
    body = orjson.dumps(bundle({**held, "value": "imported-route.example"}))
    answer = alice.post(
        "/import", {"audience": "org", "discoverable": "group:ab"}, files={"file": ("b.json", body, "application/json")}
    )
    assert answer.status_code == 200
    asked = [hits.Asked("imported-route.example")]
    found = [committed(tenants.engine, hits.ask, tenants.principal(u), asked).results[0].hit for u in ("bob", "carol")]
    assert found == [True, False]  # Bravo is in group:ab, Charlie is not
    refused = alice.post(
        "/import",
        {"audience": "org", "discoverable": "group:nope"},
        files={"file": ("c.json", body, "application/json")},
    )
    assert refused.status_code == 422 and "unknown scope" in refused.text


def test_search_page_ranks_names_counts_facets_and_saves_searches(web, tenants):
    grouped, private = _share(tenants)
    committed(
        tenants.engine,
        import_objects,
        tenants.principal("alice"),
        [
            sdo("note", content=f"Tugai crew seen, sighting {i}", object_refs=[grouped["id"]], level="amber")
            for i in range(3)
        ],
        audience="group:ab",
    )
    bob = web("bob")
    folded = bob.get("/search", params={"q": "Tugay"}).text  # y for i: folded as extraction folds names
    assert "1 result " in folded and "Tugai Foxes" in folded
    page = bob.get("/search", params={"q": "Tugai"}).text
    hits = page.split('class="hits"')[1]
    assert "4 results" in page and hits.index("Tugai Foxes") < hits.index("note--")  # the name before newer notes
    assert 'class="badge matched"' in hits and "start of a name" in hits
    assert re.search(r'class="chip"[^>]*>note <span class="count">3</span>', page)
    # Saving: post/redirect/get back to the search, with the message; a '#' in the name survives.
    saved = bob.post("/search/saved", {"name": "Foxes #1", "q": "Tugay", "type": "note"}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].startswith("/search?q=Tugay&type=note&done=")
    back = bob.get(saved.headers["location"].split("#")[0]).text
    assert "Saved as “Foxes #1”" in back and 'href="/search?q=Tugay&amp;type=note">Foxes #1</a>' in back
    refused = bob.post("/search/saved", {"name": "Foxes #1", "q": "other"}, follow_redirects=False)
    assert "refused=" in refused.headers["location"]
    # Another user sees none of it, and cannot delete it (nor learn that it exists).
    carol = web("carol")
    assert "Foxes #1" not in carol.get("/search").text
    search_id = re.search(r'action="/search/saved/([0-9a-f-]{36})/delete"', back).group(1)
    other_id = "00000000-0000-4000-8000-000000000000"
    theirs = carol.post(f"/search/saved/{search_id}/delete", follow_redirects=False)
    missing = carol.post(f"/search/saved/{other_id}/delete", follow_redirects=False)
    assert theirs.headers["location"].replace(search_id, "N") == missing.headers["location"].replace(other_id, "N")
    assert "Foxes #1" in bob.get("/search").text
    done = bob.post(f"/search/saved/{search_id}/delete", follow_redirects=False)
    assert "done=" in done.headers["location"] and "Foxes #1" not in bob.get("/search").text
