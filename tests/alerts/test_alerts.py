"""Watchlists and alerts from a hostile partner's side: an alert is raised only for what its user
is told of, shown only while the user may still see it (a share narrowed before it is read takes
the alert with it), and watchlists and alerts are their user's alone; and each kind of watchlist
matches what an analyst would expect."""

from __future__ import annotations

import pytest
from stixdata import actor, relationship, sdo
from txn import committed

from liaison.alerts import evaluate, inbox, watchlists
from liaison.errors import InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import saved_searches, sharing


def _import(tenants, user, objects, audience="instance"):
    committed(tenants.engine, import_objects, tenants.principal(user), objects, audience=audience)


def _watch(tenants, user, kind, **spec):
    return committed(tenants.engine, watchlists.watch, tenants.principal(user), kind, spec)


def _alerts(tenants, user, **filters):
    evaluate.run(tenants.engine)
    page = committed(tenants.engine, inbox.list_alerts, tenants.principal(user), **filters)
    return [(a.object_id, a.reason) for a in page.alerts]


def _ids(tenants, user, **filters):
    return {object_id for object_id, _ in _alerts(tenants, user, **filters)}


def test_each_kind_of_watchlist_matches_what_it_watches(tenants):
    group = actor("Oxus Couriers", level="green")
    _import(tenants, "alice", [group])
    _watch(tenants, "alice", "entity", id=group["id"])
    _watch(tenants, "alice", "value", value="+93 70 123 4567", type="phone-number")
    _watch(tenants, "alice", "place", country="AF")
    _watch(tenants, "alice", "place", latitude=39.65, longitude=66.96, radius_km=30)  # Samarkand
    _watch(tenants, "alice", "type", type="drug-seizure")
    phone = {
        "type": "phone-number",
        "spec_version": "2.1",
        "id": "phone-number--1c8b1b3e-7d5e-4e7b-9a39-1b0e6f7c0d11",
        "value": "+93701234567",
    }
    kabul = sdo("location", name="Kabul", country="af", level="green")
    near = sdo("location", name="Near Samarkand", latitude=39.7, longitude=67.0, level="green")
    far = sdo("location", name="Osh", latitude=40.5, longitude=72.8, level="green")
    link = relationship(group, kabul, "located-at", level="green")
    unrelated = actor("Steppe Wolves", level="green")
    _import(tenants, "bob", [phone, kabul, near, far, link, unrelated])
    found = dict(_alerts(tenants, "alice"))
    assert phone["id"] in found and "carries" in found[phone["id"]]
    assert kabul["id"] in found and near["id"] in found and link["id"] in found
    assert far["id"] not in found and unrelated["id"] not in found
    assert "km" in found[near["id"]]


def test_changes_from_before_a_watchlist_are_not_news_to_it(tenants):
    old = actor("Old News", level="green")
    _import(tenants, "alice", [old])
    _watch(tenants, "bob", "type", type="intrusion-set")
    fresh = actor("Fresh News", level="green")
    _import(tenants, "alice", [fresh])
    assert _ids(tenants, "bob") == {fresh["id"]}


def test_an_alert_is_raised_only_for_what_its_user_is_told_of(tenants):
    _watch(tenants, "carol", "type", type="intrusion-set")
    _watch(tenants, "bob", "type", type="intrusion-set")
    secret = actor("Group Only", level="amber")
    _import(tenants, "alice", [secret], "group:ab")
    assert _ids(tenants, "carol") == set()  # Charlie is outside the group
    assert _ids(tenants, "bob") == {secret["id"]}


def test_an_alert_goes_when_the_share_is_narrowed_before_it_is_read(tenants):
    _watch(tenants, "bob", "type", type="intrusion-set")
    mine = actor("Juniper Ledger", level="amber")
    _import(tenants, "alice", [mine], "group:ab")
    assert _ids(tenants, "bob") == {mine["id"]}
    committed(tenants.engine, sharing.unshare, tenants.principal("alice"), mine["id"], "group:ab")
    assert _ids(tenants, "bob") == set()
    assert committed(tenants.engine, inbox.unread_count, tenants.principal("bob")) == 0


def test_a_narrowing_race_before_evaluation_raises_nothing(tenants):
    _watch(tenants, "bob", "type", type="intrusion-set")
    mine = actor("Brief Share", level="amber")
    _import(tenants, "alice", [mine], "group:ab")
    committed(tenants.engine, sharing.unshare, tenants.principal("alice"), mine["id"], "group:ab")
    # Evaluated only now: the holding is no longer live, so nothing is raised at all.
    assert _ids(tenants, "bob") == set()
    committed(tenants.engine, sharing.share, tenants.principal("alice"), mine["id"], "group:ab")
    assert _ids(tenants, "bob") == {mine["id"]}


def test_watching_an_object_one_may_not_see_is_refused_as_an_unknown_one(tenants):
    hidden = actor("Alpha Internal", level="amber")
    _import(tenants, "alice", [hidden], "org")
    with pytest.raises(NotFound) as invisible:
        _watch(tenants, "carol", "entity", id=hidden["id"])
    with pytest.raises(NotFound) as unknown:
        _watch(tenants, "carol", "entity", id="threat-actor--00000000-0000-4000-8000-000000000000")
    assert str(invisible.value).replace(hidden["id"], "X") == str(unknown.value).replace(
        "threat-actor--00000000-0000-4000-8000-000000000000", "X"
    )


def test_an_entity_watch_follows_merges_the_user_sees(tenants):
    first = actor("Oxus Couriers", level="green")
    _import(tenants, "alice", [first])
    _watch(tenants, "bob", "entity", id=first["id"])
    second = actor("Oxus Courier Network", level="green")
    merge = relationship(second, first, "duplicate-of", level="green")
    _import(tenants, "alice", [second, merge])
    later = sdo(
        "report", name="Couriers seen", published="2025-01-01T00:00:00Z", object_refs=[second["id"]], level="green"
    )
    _import(tenants, "alice", [later])
    found = dict(_alerts(tenants, "bob"))
    assert found.get(later["id"]) == "refers to the watched entity"
    assert found.get(second["id"]) == "merged with the watched entity"


def test_a_watched_search_alerts_on_new_matches_only(tenants):
    saved = committed(tenants.engine, saved_searches.save, tenants.principal("bob"), "couriers", {"q": "couriers"})
    _watch(tenants, "bob", "search", saved_search_id=saved.id)
    hit = actor("Oxus Couriers", level="green")
    miss = actor("Steppe Wolves", level="green")
    _import(tenants, "alice", [hit, miss])
    assert _ids(tenants, "bob") == {hit["id"]}
    with pytest.raises(NotFound):  # another user's saved search is unknown
        _watch(tenants, "carol", "search", saved_search_id=saved.id)


def test_watchlists_and_alerts_are_their_users_alone(tenants):
    mine = _watch(tenants, "bob", "type", type="intrusion-set")
    _import(tenants, "alice", [actor("Anything", level="green")])
    evaluate.run(tenants.engine)
    [alert_id] = [a.id for a in committed(tenants.engine, inbox.list_alerts, tenants.principal("bob")).alerts]
    assert committed(tenants.engine, watchlists.list_watchlists, tenants.principal("alice")) == []
    with pytest.raises(NotFound):
        committed(tenants.engine, watchlists.delete, tenants.principal("alice"), mine.id)
    assert committed(tenants.engine, inbox.mark_read, tenants.principal("alice"), [alert_id]) == 0
    assert committed(tenants.engine, inbox.unread_count, tenants.principal("bob")) == 1
    assert committed(tenants.engine, inbox.mark_read, tenants.principal("bob"), [alert_id]) == 1
    assert _alerts(tenants, "bob", unread=True) == []


def test_bad_watchlists_get_clear_errors(tenants):
    for kind, spec, parameter in (
        ("value", {"value": "not a value at all"}, "value"),
        ("place", {"country": "Atlantis"}, "country"),
        ("place", {"latitude": 91, "longitude": 0, "radius_km": 5}, "latitude"),
        ("type", {"type": "Not A Type"}, "type"),
        ("colour", {}, "kind"),
    ):
        with pytest.raises(InvalidInput) as refused:
            _watch(tenants, "bob", kind, **spec)
        assert refused.value.details["parameter"] == parameter


def test_a_watched_objects_name_is_read_as_the_watcher_sees_it_now(tenants):
    true_name = actor("Operation NIGHTJAR (true name)", level="amber", modified="2025-01-01T00:00:00.000Z")
    _import(tenants, "alice", [true_name], "group:ab")
    watched = _watch(tenants, "bob", "entity", id=true_name["id"])
    assert watched.shown.startswith("Operation NIGHTJAR")
    _import(tenants, "alice", [dict(true_name, name="Sanitised group")], "group:ab")  # a correction
    assert committed(tenants.engine, watchlists.get_watchlist, tenants.principal("bob"), watched.id).shown.startswith(
        "Sanitised group"
    )
    evaluate.run(tenants.engine)
    [alert] = committed(tenants.engine, inbox.list_alerts, tenants.principal("bob")).alerts
    assert "NIGHTJAR" not in alert.watchlist and "NIGHTJAR" not in alert.object_name
    committed(tenants.engine, sharing.unshare, tenants.principal("alice"), true_name["id"], "group:ab")
    [shown] = committed(tenants.engine, watchlists.list_watchlists, tenants.principal("bob"))
    assert "NIGHTJAR" not in shown.shown and "Sanitised" not in shown.shown and "no longer visible" in shown.shown


def test_an_alerts_kind_comes_from_what_its_user_was_told(tenants):
    _watch(tenants, "bob", "type", type="intrusion-set")
    mine = actor("Kept", level="amber", modified="2025-01-01T00:00:00.000Z")
    _import(tenants, "alice", [mine], "org")
    _import(tenants, "alice", [dict(mine, description="corrected in private")], "org")  # Alpha alone sees this
    committed(tenants.engine, sharing.share, tenants.principal("alice"), mine["id"], "group:ab")
    evaluate.run(tenants.engine)
    [alert] = committed(tenants.engine, inbox.list_alerts, tenants.principal("bob")).alerts
    assert alert.kind == "shared"  # not "corrected": Bravo never held what the correction replaced


def test_a_watched_address_finds_the_networks_around_it_and_a_network_the_addresses_in_it(tenants):
    _watch(tenants, "bob", "value", value="198.51.100.7")
    _watch(tenants, "carol", "value", value="203.0.113.0/24")
    network = {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--0b4c4a4e-1a43-4d2b-9a36-5b0f0d0e8c21"}
    network["value"] = "198.51.100.0/24"
    inside = {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--7c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f"}
    inside["value"] = "203.0.113.9"
    elsewhere = {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"}
    elsewhere["value"] = "192.0.2.1"
    _import(tenants, "alice", [network, inside, elsewhere])
    bob, carol = dict(_alerts(tenants, "bob")), dict(_alerts(tenants, "carol"))
    assert set(bob) == {network["id"]} and "198.51.100.0/24" in bob[network["id"]]
    assert set(carol) == {inside["id"]} and "203.0.113.9" in carol[inside["id"]]
