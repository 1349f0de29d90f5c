"""Importing objects: versions, no-ops, atomicity, revocation, TLP and ownership rules, edges."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from stixdata import actor, relationship, sdo
from txn import committed

from liaison.db.tables import edge, holding, object_label, object_version
from liaison.errors import Forbidden, InvalidInput
from liaison.ingest.bundles import import_objects
from liaison.intel import objects as intel
from liaison.stix import tlp


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_import_then_reimport_is_a_noop(tenants):
    alice = tenants.principal("alice")
    objs = [actor("Red Crescent Cell", labels=["extremist"]), actor("Blue Route")]
    objs.append(relationship(objs[0], objs[1], "attributed-to"))
    first = committed(tenants.engine, import_objects, alice, objs)
    assert (first.received, first.new_versions, first.new_holdings) == (3, 3, 3)
    before = (count(tenants.engine, object_version), count(tenants.engine, holding), count(tenants.engine, edge))
    again = committed(tenants.engine, import_objects, alice, objs)
    assert (again.new_versions, again.new_holdings, again.already_held) == (0, 0, 3)
    assert (
        count(tenants.engine, object_version),
        count(tenants.engine, holding),
        count(tenants.engine, edge),
    ) == before


def test_versions_are_kept_and_latest_wins(tenants):
    alice = tenants.principal("alice")
    v1 = actor("Night Caravan", created="2025-01-01T00:00:00Z")
    v2 = dict(v1, modified="2025-02-01T00:00:00.5Z", description="now smuggling precursors")
    v3 = dict(v1, modified="2025-03-01T00:00:00.123456789Z", description="merged with Eastern Ring")
    committed(tenants.engine, import_objects, alice, [v3, v1, v2])  # any order
    latest = committed(tenants.engine, intel.get_object, alice, v1["id"])
    assert latest.modified == "2025-03-01T00:00:00.123456Z"
    older = committed(tenants.engine, intel.get_object, alice, v1["id"], "2025-02-01T00:00:00.500Z")
    assert older.raw.count("precursors") == 1
    versions = committed(tenants.engine, intel.list_versions, alice, v1["id"])
    assert [v["modified"] for v in versions] == [
        "2025-01-01T00:00:00.000000Z",
        "2025-02-01T00:00:00.500000Z",
        "2025-03-01T00:00:00.123456Z",
    ]


def test_invalid_object_rolls_back_the_whole_bundle(tenants):
    alice = tenants.principal("alice")
    good = [actor(f"Cell {i}") for i in range(4500)]  # several batches are written before the error
    bad = sdo("indicator", name="no pattern")
    with pytest.raises(InvalidInput) as raised:
        committed(tenants.engine, import_objects, alice, [*good, bad])
    assert "#4500" in raised.value.message and "pattern" in raised.value.message
    assert count(tenants.engine, object_version) == 3  # the organisations' identities only
    assert count(tenants.engine, object_label) == 0


def test_revoked_objects_get_no_later_versions_and_leave_lists(tenants):
    alice = tenants.principal("alice")
    v1 = actor("Old Network")
    revoked = dict(v1, modified="2025-06-01T00:00:00Z", revoked=True)
    committed(tenants.engine, import_objects, alice, [v1, revoked])
    filters = committed(tenants.engine, intel.make_filters, types=["intrusion-set"])
    assert committed(tenants.engine, intel.list_objects, alice, filters).total == 0
    with_revoked = committed(tenants.engine, intel.make_filters, types=["intrusion-set"], include_revoked=True)
    assert committed(tenants.engine, intel.list_objects, alice, with_revoked).total == 1
    assert '"revoked":true' in committed(tenants.engine, intel.get_object, alice, v1["id"]).raw
    with pytest.raises(InvalidInput, match="revoked"):
        committed(tenants.engine, import_objects, alice, [dict(v1, modified="2025-07-01T00:00:00Z")])


@pytest.mark.parametrize(
    ("level", "audience", "allowed"),
    [
        ("red", "org", True),
        ("red", "group:ab", True),
        ("red", "instance", False),
        ("amber+strict", "org", True),
        ("amber+strict", "group:ab", False),
        ("amber+strict", "instance", False),
        ("amber", "instance", True),
        ("green", "instance", True),
        ("clear", "instance", True),
    ],
)
def test_tlp_limits_the_audience(tenants, level, audience, allowed):
    alice = tenants.principal("alice")
    obj = actor("Marked", level=level)
    if allowed:
        assert committed(tenants.engine, import_objects, alice, [obj], audience=audience).new_versions == 1
    else:
        with pytest.raises(InvalidInput, match=re.escape(f"TLP:{level.upper()} cannot be shared")):
            committed(tenants.engine, import_objects, alice, [obj], audience=audience)


def test_tlp1_markings_count_as_their_tlp2_levels(tenants):
    obj = actor("Old marking", object_marking_refs=[tlp.TLP1_IDS["red"]])
    with pytest.raises(InvalidInput, match="TLP:RED"):
        committed(tenants.engine, import_objects, tenants.principal("alice"), [obj], audience="instance")


def test_only_the_creating_organisation_versions_its_objects(tenants):
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    mine = actor("Alpha's finding", created_by_ref=alice.org_identity_id)
    committed(tenants.engine, import_objects, alice, [mine], audience="group:ab")
    forged = dict(mine, modified="2025-05-01T00:00:00Z", description="rewritten by Bravo")
    with pytest.raises(Forbidden, match="another organisation"):
        committed(tenants.engine, import_objects, bob, [forged], audience="group:ab")


def test_readers_cannot_import(tenants):
    with pytest.raises(Forbidden):
        committed(tenants.engine, import_objects, tenants.principal("rita"), [actor("x")])


def test_unknown_audience_and_foreign_group_are_refused_alike(tenants):
    accounts_group = "cd"
    from liaison import accounts

    committed(tenants.engine, accounts.create_group, accounts_group, ["Charlie"])
    for audience in ("group:cd", "group:nope", "everyone"):
        with pytest.raises(InvalidInput, match=f"unknown audience '{audience}'"):
            committed(tenants.engine, import_objects, tenants.principal("alice"), [actor("x")], audience=audience)


def test_same_public_version_held_by_two_organisations(tenants):
    """Public data (ATT&CK, say) imported privately by two agencies: one stored version, two
    holdings, and neither import reveals the other (for Charlie it is as new as for Alpha)."""
    alice, carol = tenants.principal("alice"), tenants.principal("carol")
    public = actor("Public group")
    assert committed(tenants.engine, import_objects, alice, [public]).new_versions == 1
    report = committed(tenants.engine, import_objects, carol, [public])
    assert (report.new_versions, report.new_holdings, report.already_held) == (1, 1, 0)
    assert [h.owner for h in committed(tenants.engine, intel.get_object, carol, public["id"]).holdings] == ["Charlie"]
    assert [h.owner for h in committed(tenants.engine, intel.get_object, alice, public["id"]).holdings] == ["Alpha"]


def test_relationships_and_embedded_refs_become_edges(tenants):
    alice = tenants.principal("alice")
    a, b = actor("A"), actor("B")
    rel = relationship(a, b, "attributed-to", created_by_ref=alice.org_identity_id, level="green")
    committed(tenants.engine, import_objects, alice, [a, b, rel])
    with tenants.engine.connect() as conn:
        rows = conn.execute(
            select(edge.c.prop, edge.c.target_id, edge.c.relationship_type)
            .join(object_version, object_version.c.pk == edge.c.version_pk)
            .where(object_version.c.stix_id == rel["id"])
        ).all()
    assert sorted(rows) == sorted(
        [
            ("created_by_ref", alice.org_identity_id, None),
            ("object_marking_refs", tlp.TLP2_IDS["green"], None),
            ("source_ref", a["id"], "attributed-to"),
            ("target_ref", b["id"], "attributed-to"),
        ]
    )
