"""List entries say what they are: a sighting what was sighted, where and by whom, a note and an
opinion what they are about, each named as the reader sees those objects; and no reader learns the
name another organisation gives an object in a version the reader does not read."""

from __future__ import annotations

from stixdata import actor, sdo
from txn import committed

from liaison.ingest.bundles import import_objects
from liaison.intel import overview, search


def _import(tenants, user, objects, audience="instance"):
    committed(tenants.engine, import_objects, tenants.principal(user), objects, audience=audience)


def _names(tenants, user, type_):
    return [
        h.name for h in committed(tenants.engine, search.search, tenants.principal(user), types=[type_], limit=10).hits
    ]


def test_sightings_notes_and_opinions_name_what_they_are_about_as_the_reader_sees_it(tenants):
    couriers = actor("Oxus Couriers", level="green", modified="2024-01-01T00:00:00.000Z")
    osh = sdo("location", name="Osh", country="KG", level="green")
    sighting = sdo("sighting", sighting_of_ref=couriers["id"], where_sighted_refs=[osh["id"]], count=3, level="green")
    note = sdo("note", abstract="Ferry crossings", content="x", object_refs=[couriers["id"]], level="green")
    opinion = sdo("opinion", opinion="agree", object_refs=[note["id"]], level="green")
    _import(tenants, "alice", [couriers, osh, sighting, note, opinion])
    # Bravo's own version of the actor carries a cover name, for group ab only.
    _import(tenants, "bob", [dict(couriers, name="Tamerlane Freight", modified="2025-01-01T00:00:00.000Z")], "group:ab")
    assert _names(tenants, "carol", "sighting") == ["Sighting of Oxus Couriers at Osh ×3"]
    assert _names(tenants, "carol", "note") == ["Note on Oxus Couriers: Ferry crossings"]
    assert _names(tenants, "carol", "opinion") == ["Opinion (agree) on Ferry crossings"]  # the note's own name
    assert _names(tenants, "bob", "sighting") == ["Sighting of Tamerlane Freight at Osh ×3"]  # Bravo reads its chain
    shared = committed(tenants.engine, overview.recently_shared, tenants.principal("carol"))
    labels = {s.name for s in shared}
    assert "Sighting of Oxus Couriers at Osh ×3" in labels
    assert not any("Tamerlane" in label for label in labels)


def test_an_object_the_reader_may_not_see_is_named_by_its_type_only(tenants):
    hidden = actor("Juniper Ledger", level="amber")
    _import(tenants, "alice", [hidden], "org")
    sighting = sdo("sighting", sighting_of_ref=hidden["id"], level="green")
    _import(tenants, "alice", [sighting], "org")
    assert _names(tenants, "alice", "sighting") == ["Sighting of Juniper Ledger"]
    # A copy Bravo holds of the same sighting, shared with Charlie's instance, names nothing hidden.
    _import(tenants, "bob", [sighting])
    assert _names(tenants, "carol", "sighting") == ["Sighting of an intrusion set"]


def test_markings_and_extension_definitions_are_not_counted_as_intelligence(tenants):
    _import(tenants, "alice", [actor("Oxus Couriers", level="green")])
    counted = dict(committed(tenants.engine, overview.type_counts, tenants.principal("carol")))
    assert counted.get("intrusion-set") == 1
    assert not {"marking-definition", "extension-definition"} & set(counted)
