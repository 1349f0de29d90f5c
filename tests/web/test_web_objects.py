"""The object page, annotations (opinions, notes, sightings) and export, on both databases."""

from __future__ import annotations

import re

import orjson
import pytest
from stixdata import actor, sdo
from txn import committed

from liaison.ingest.bundles import import_objects
from liaison.intel import annotations
from liaison.stix.extensions import admiralty_grading
from liaison.stix.tlp import marking_definition as tlp_marking


@pytest.fixture
def objects(tenants):
    """Alpha's actor (two versions) shared with group ab; a private one; an indicator for the instance."""
    engine, alice = tenants.engine, tenants.principal("alice")
    shared_v1 = actor(
        "Saxaul Wolves",
        description="first",
        created_by_ref=alice.org_identity_id,
        level="amber",
        modified="2025-01-01T00:00:00.000Z",
    )
    shared = {
        **shared_v1,
        "modified": "2025-02-01T00:00:00.000Z",
        "description": "second",
        "aliases": ["Steppe Pack"],
        "extensions": admiralty_grading("B", 2),
    }
    private = actor("Hidden Tamarisk", created_by_ref=alice.org_identity_id)
    indicator = sdo(
        "indicator",
        name="Tamarisk beacon",
        pattern="[domain-name:value = 'tamarisk.example']",
        pattern_type="stix",
        valid_from="2025-01-01T00:00:00Z",
        created_by_ref=alice.org_identity_id,
    )
    committed(engine, import_objects, alice, [shared_v1, shared], audience="group:ab")
    committed(engine, import_objects, alice, [private], audience="org")
    committed(engine, import_objects, alice, [indicator], audience="instance")
    return {"shared": shared, "private": private, "indicator": indicator}


def test_object_page_shows_properties_versions_and_holdings(web, objects):
    page = web("bob").get(f"/objects/{objects['shared']['id']}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Saxaul Wolves</h1>" in html
    assert "Steppe Pack" in html and "TLP:AMBER" in html
    assert ">B2<" in html and "usually reliable, probably true" in html  # Admiralty grading
    assert "admiralty-grading" in html  # the extension by its definition's name
    assert "group:ab" in html and "held by <strong>Alpha</strong>" in html
    assert re.search(r"<td>description</td><td>changed</td><td><code>first</code></td><td><code>second</code>", html)
    assert 'href="/objects/' + objects["shared"]["created_by_ref"] + '"' in html  # created_by with its name
    assert 'hx-get="/objects/' + objects["shared"]["id"] + '/relations"' in html
    for view in ("graph", "timeline", "map"):
        place = "around" if view == "map" else "id"
        assert f'href="/{view}?{place}={objects["shared"]["id"]}"' in html


def test_unknown_invisible_and_malformed_ids_get_the_same_404(web, objects):
    carol = web("carol")
    answers = [
        carol.get(f"/objects/{objects['private']['id']}"),
        carol.get(f"/objects/{objects['shared']['id']}"),
        carol.get("/objects/intrusion-set--00000000-0000-4000-8000-000000000000"),
        carol.get("/objects/not-an-id"),
    ]
    assert {a.status_code for a in answers} == {404}
    bodies = {re.sub(r'value="[^"]+"', "", a.text) for a in answers}  # the CSRF token differs per page only
    assert len(bodies) == 1
    body = bodies.pop()
    assert "Hidden Tamarisk" not in body and objects["private"]["id"] not in body
    assert carol.get(f"/objects/{objects['private']['id']}/export").status_code == 404


def test_export_is_a_stix_bundle_of_the_visible_version(web, objects):
    answer = web("bob").get(f"/objects/{objects['shared']['id']}/export")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/stix+json")
    assert "attachment" in answer.headers["content-disposition"]
    bundle = orjson.loads(answer.content)
    assert bundle["type"] == "bundle" and bundle["objects"][0] == objects["shared"]
    # With what it refers to (its creator's identity), so that a partner importing it resolves it.
    ids = {o["id"] for o in bundle["objects"]}
    assert objects["shared"]["created_by_ref"] in ids if "created_by_ref" in objects["shared"] else len(ids) >= 1
    assert answer.headers["x-liaison-unresolved-references"] == "0"


def test_partners_add_an_opinion_a_note_and_a_sighting(web, objects, tenants):
    bob, target = web("bob"), objects["shared"]["id"]
    page = bob.get(f"/objects/{target}").text
    # Default audience: the one Bravo sees the object through; no wider one, no weaker TLP than AMBER.
    assert re.search(r'<option value="group:ab" selected>', page)
    assert 'value="instance"' not in page and 'value="org"' in page
    assert set(re.findall(r'<option value="(\w[\w+]*)"[^>]*>TLP:', page)) == {"amber", "amber+strict", "red"}
    assert re.search(r'<option value="amber" selected>TLP:AMBER', page)
    opinion = bob.post(
        f"/objects/{target}/opinions",
        {"opinion": "disagree", "explanation": "Not the same pack", "audience": "group:ab", "tlp": "amber"},
        follow_redirects=False,
    )
    assert opinion.status_code == 303 and opinion.headers["location"] == f"/objects/{target}#annotations"
    note = bob.post(
        f"/objects/{target}/notes",
        {"abstract": "Border crossing", "content": "Seen at Torugart", "audience": "group:ab", "tlp": "red"},
        headers={"HX-Request": "true"},
    )
    assert note.status_code == 200 and 'id="annotations"' in note.text and "Seen at Torugart" in note.text
    bob_identity = tenants.principal("bob").org_identity_id
    sighting = bob.post(
        f"/objects/{objects['indicator']['id']}/sightings",
        {
            "count": "3",
            "first_seen": "2025-03-01T10:00",
            "last_seen": "2025-03-02T11:30",
            "where": bob_identity,
            "audience": "instance",
            "tlp": "green",
        },
        follow_redirects=False,
    )
    assert sighting.status_code == 303

    seen_by_alice = web("alice").get(f"/objects/{target}").text
    assert "disagree" in seen_by_alice and "Not the same pack" in seen_by_alice and "Seen at Torugart" in seen_by_alice
    assert "Bravo" in seen_by_alice  # the author's organisation
    indicator_page = web("alice").get(f"/objects/{objects['indicator']['id']}").text
    assert "Sighted 3 times" in indicator_page
    found = committed(tenants.engine, annotations.about, tenants.principal("alice"), objects["indicator"]["id"])
    found = found.sightings
    assert [(s.object["count"], s.object["first_seen"], s.object["where_sighted_refs"]) for s in found] == [
        (3, "2025-03-01T10:00:00.000Z", [bob_identity])
    ]
    # Carol is outside group ab: the opinion and note are not hers to see, the sighting is.
    carol_view = committed(tenants.engine, annotations.about, tenants.principal("carol"), objects["indicator"]["id"])
    assert len(carol_view.sightings) == 1
    assert web("carol").get(f"/objects/{target}").status_code == 404


def test_annotation_errors_are_shown_and_nothing_is_saved(web, objects, tenants):
    bob, target = web("bob"), objects["shared"]["id"]
    bad = bob.post(
        f"/objects/{target}/opinions", {"opinion": "love-it", "audience": "group:ab"}, headers={"HX-Request": "true"}
    )
    assert bad.status_code == 422 and "an opinion is one of" in bad.text
    red_to_instance = bob.post(
        f"/objects/{target}/notes",
        {"content": "x", "audience": "instance", "tlp": "red"},
        headers={"HX-Request": "true"},
    )
    assert red_to_instance.status_code == 422 and "not everyone in &#39;instance&#39; sees" in red_to_instance.text
    weaker = bob.post(
        f"/objects/{target}/notes",
        {"content": "x", "audience": "group:ab", "tlp": "green"},
        headers={"HX-Request": "true"},
    )
    assert weaker.status_code == 422 and "must be TLP:AMBER or stricter" in weaker.text
    red_to_everyone = web("alice").post(
        f"/objects/{objects['indicator']['id']}/notes",
        {"content": "x", "audience": "instance", "tlp": "red"},
        headers={"HX-Request": "true"},
    )
    assert red_to_everyone.status_code == 422 and "TLP:RED cannot be shared" in red_to_everyone.text
    foreign_group = bob.post(f"/objects/{target}/notes", {"content": "x", "audience": "group:nope"})
    assert foreign_group.status_code == 422 and "unknown audience" in foreign_group.text
    marking = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"  # TLP:AMBER, not an SDO
    committed(tenants.engine, import_objects, tenants.principal("bob"), [tlp_marking("amber")], audience="instance")
    unsightable = bob.post(f"/objects/{marking}/sightings", {"count": "1"})
    assert unsightable.status_code == 422 and "cannot be sighted" in unsightable.text
    assert "Add a sighting" not in bob.get(f"/objects/{marking}").text
    saved = committed(tenants.engine, annotations.about, tenants.principal("alice"), target)
    assert saved.opinions == [] and saved.notes == []
    assert bob.http.post(f"/objects/{target}/notes", data={"content": "no token"}).status_code == 403
    hidden = web("carol").post(f"/objects/{objects['private']['id']}/notes", {"content": "probe"})
    assert hidden.status_code == 404


def test_readers_see_but_cannot_annotate(web, objects):
    rita = web("rita")
    page = rita.get(f"/objects/{objects['shared']['id']}").text
    assert "can read but not add" in page and "Add an opinion" not in page
    assert rita.post(f"/objects/{objects['shared']['id']}/opinions", {"opinion": "agree"}).status_code == 403


def test_object_text_is_escaped_and_only_web_links_are_links(web, tenants):
    hostile = actor(
        "<script>alert('x')</script>",
        description="<img src=x onerror=alert(1)>",
        external_references=[
            {"source_name": "a", "url": "javascript:alert(1)"},
            {"source_name": "b", "url": "https://example.org/report"},
        ],
    )
    committed(tenants.engine, import_objects, tenants.principal("alice"), [hostile])
    page = web("alice").get(f"/objects/{hostile['id']}").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page and 'href="https://example.org/report"' in page


def test_the_object_page_shares_withdraws_and_shows_claims(web, objects, tenants):
    """Alpha shares its private actor with group ab from the page, then withdraws it; Bravo's own
    version under the same id shows on Alpha's page as Bravo's claim, never as Alpha's latest."""
    alice, target = web("alice"), objects["private"]["id"]
    page = alice.get(f"/objects/{target}").text
    assert 'id="sharing"' in page and 'action="/objects/' + target + '/audiences"' in page
    assert '<option value="group:ab">' in page and '<option value="instance">' in page
    shared = alice.post(f"/objects/{target}/audiences", {"audience": "group:ab"}, follow_redirects=False)
    assert shared.status_code == 303
    assert web("bob").get(f"/objects/{target}").status_code == 200
    claim = {k: v for k, v in objects["private"].items() if k != "created_by_ref"} | {
        "modified": "2025-09-01T00:00:00.000Z",
        "name": "Bravo's rename",
    }
    committed(tenants.engine, import_objects, tenants.principal("bob"), [claim], audience="group:ab")
    page = alice.get(f"/objects/{target}").text
    assert "<h1>Hidden Tamarisk</h1>" in page and "claimed by <strong>Bravo</strong>" in page
    withdrawn = alice.post(f"/objects/{target}/audiences/withdraw", {"audience": "group:ab"}, follow_redirects=False)
    assert withdrawn.status_code == 303
    assert web("carol").post(f"/objects/{target}/audiences", {"audience": "instance"}).status_code == 404


def test_a_notes_sharing_form_offers_only_audiences_that_see_its_object(web, objects, tenants):
    """Bravo's note about Alpha's ab object: its page offers to share it with ab, never the instance."""
    note = committed(
        tenants.engine,
        annotations.add_note,
        tenants.principal("bob"),
        objects["shared"]["id"],
        content="Seen at the river crossing",
        audience="org",
    )
    form = web("bob").get(f"/objects/{note['id']}").text.split('class="share-form"')[1].split("</form>")[0]
    assert '<option value="group:ab">' in form and 'value="instance"' not in form
    # The actor itself, which Alpha holds, may go to any of Alpha's audiences.
    form = web("alice").get(f"/objects/{objects['shared']['id']}").text.split('class="share-form"')[1]
    assert 'value="instance"' in form.split("</form>")[0]
