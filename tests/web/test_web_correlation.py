"""The correlations panel of object pages."""

from __future__ import annotations

import uuid

from txn import committed

from liaison.ingest.bundles import import_objects


def _sco(value: str) -> dict:
    return {"type": "ipv4-addr", "spec_version": "2.1", "id": f"ipv4-addr--{uuid.uuid4()}", "value": value}


def test_the_panel_lists_hits_with_their_marks(tenants, web):
    mine, theirs, hidden = _sco("8.8.8.8"), _sco("8.8.8.8"), _sco("8.8.8.8")
    for user, obj, audience in (("alice", mine, "group:ab"), ("bob", theirs, "group:ab"), ("carol", hidden, "org")):
        committed(tenants.engine, import_objects, tenants.principal(user), [obj], audience=audience)
    alice = web("alice")
    page = alice.get(f"/objects/{mine['id']}")
    assert page.status_code == 200 and f'hx-get="/objects/{mine["id"]}/correlations"' in page.text
    panel = alice.get(f"/objects/{mine['id']}/correlations")
    assert panel.status_code == 200
    assert f'href="/objects/{theirs["id"]}"' in panel.text and hidden["id"] not in panel.text
    assert "Bravo" in panel.text and "on: List of known IPv4 public DNS resolvers" in panel.text
    assert "1 other object" in panel.text
    carol = web("carol").get(f"/objects/{mine['id']}/correlations")
    assert carol.status_code == 404 and mine["id"] in carol.text


def test_a_drafts_observables_show_what_correlates(tenants, web):
    theirs, hidden = _sco("203.0.113.9"), _sco("203.0.113.9")
    committed(tenants.engine, import_objects, tenants.principal("bob"), [theirs], audience="group:ab")
    committed(tenants.engine, import_objects, tenants.principal("carol"), [hidden])
    alice = web("alice")
    created = alice.post("/drafts", {"text": "The courier called from 203.0.113.9 on Monday."}, follow_redirects=False)
    assert created.status_code == 303, created.text
    review = alice.get(created.headers["location"]).text
    assert 'hx-get="/correlations/value?value=203.0.113.9&amp;type=ipv4-addr"' in review
    panel = alice.get("/correlations/value", params={"value": "203.0.113.9", "type": "ipv4-addr"})
    assert panel.status_code == 200 and "correlates with 1 object" in panel.text
    assert f'href="/objects/{theirs["id"]}"' in panel.text and hidden["id"] not in panel.text
    nothing = web("carol").get("/correlations/value", params={"value": "203.0.113.77", "type": "ipv4-addr"})
    assert "no object you may see carries it" in nothing.text
    odd = alice.get("/correlations/value", params={"value": "not an address", "type": "ipv4-addr"})
    assert odd.status_code == 200 and "correlates" not in odd.text


def test_a_report_shows_what_correlates_with_what_it_refers_to(tenants, web):
    from stixdata import sdo

    mine, theirs, hidden = _sco("203.0.113.9"), _sco("203.0.113.9"), _sco("203.0.113.9")
    report = sdo("report", name="Courier", published="2025-01-01T00:00:00Z", object_refs=[mine["id"]])
    committed(tenants.engine, import_objects, tenants.principal("alice"), [mine, report], audience="group:ab")
    committed(tenants.engine, import_objects, tenants.principal("bob"), [theirs], audience="group:ab")
    committed(tenants.engine, import_objects, tenants.principal("carol"), [hidden])
    alice = web("alice")
    assert f'hx-get="/reports/{report["id"]}/correlations"' in alice.get(f"/reports/{report['id']}").text
    view = alice.get(f"/reports/{report['id']}/correlations")
    assert view.status_code == 200 and f'href="/objects/{theirs["id"]}"' in view.text
    assert hidden["id"] not in view.text and "1 other object" in view.text
    assert web("carol").get(f"/reports/{report['id']}/correlations").status_code == 404


def test_the_panel_names_the_same_entity(tenants, web):
    from stixdata import sdo

    from liaison.intel import merges

    first, second = sdo("intrusion-set", name="Zarafshon Couriers"), sdo("intrusion-set", name="Zarafshan Couriers")
    committed(tenants.engine, import_objects, tenants.principal("alice"), [first, second], audience="org")
    committed(tenants.engine, merges.merge, tenants.principal("alice"), second["id"], first["id"], audience="org")
    panel = web("alice").get(f"/objects/{first['id']}/correlations")
    assert (
        panel.status_code == 200 and "the same entity" in panel.text and f'href="/objects/{second["id"]}"' in panel.text
    )
