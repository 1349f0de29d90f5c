"""Exports with their references, from a hostile partner's side: what the exporter may not see is
never in the file (only counted as unresolved), another organisation's version of an object never
replaces the one the exporter reads, and a CSV cell cannot run as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import orjson
import pytest
from stixdata import actor, relationship, sdo
from txn import committed

from liaison.errors import NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import export


def _import(tenants, user, objects, audience="instance"):
    committed(tenants.engine, import_objects, tenants.principal(user), objects, audience=audience)


def _ids(found: export.Closure) -> set[str]:
    return set(found.objects)


def test_a_report_exports_with_what_it_refers_to_and_nothing_its_reader_may_not_see(tenants):
    couriers = actor("Oxus Couriers", level="green", modified="2024-01-01T00:00:00.000Z")
    secret = actor("Juniper Ledger", level="amber")
    osh = sdo("location", name="Osh", country="KG", level="green")
    link = relationship(couriers, osh, "located-at", level="green")
    report = sdo(
        "report",
        name="Ferry round-up",
        published="2025-01-01T00:00:00Z",
        object_refs=[couriers["id"], link["id"], secret["id"]],
        level="green",
    )
    _import(tenants, "alice", [couriers, osh, link, report])
    _import(tenants, "alice", [secret], "org")
    _import(tenants, "bob", [dict(couriers, name="Tamerlane Freight", modified="2025-01-01T00:00:00.000Z")], "group:ab")
    mine = committed(tenants.engine, export.of_object, tenants.principal("alice"), report["id"])
    assert {report["id"], couriers["id"], osh["id"], link["id"]} <= _ids(mine)
    assert mine.unresolved == set() and mine.withheld == {secret["id"]}  # AMBER, stricter than the report
    theirs = committed(tenants.engine, export.of_object, tenants.principal("carol"), report["id"])
    assert secret["id"] not in _ids(theirs) and theirs.unresolved == {secret["id"]}
    assert osh["id"] in _ids(theirs)  # reached through the relationship the report names
    text = theirs.bundle().decode()
    assert "Juniper" not in text and "Tamerlane" not in text and "Oxus Couriers" in text
    assert orjson.loads(theirs.bundle())["objects"][0]["id"] == report["id"]


def test_an_object_the_exporter_may_not_see_is_not_found_like_a_missing_one(tenants):
    secret = actor("Juniper Ledger", level="amber")
    _import(tenants, "alice", [secret], "org")
    for stix_id in (secret["id"], "intrusion-set--00000000-0000-4000-8000-000000000000"):
        with pytest.raises(NotFound) as refused:
            committed(tenants.engine, export.of_object, tenants.principal("carol"), stix_id)
        assert refused.value.message == f"no object {stix_id}"


def test_search_results_export_as_csv_that_runs_no_formula(tenants):
    _import(
        tenants,
        "alice",
        [actor('=HYPERLINK("http://x.example","Oxus")', level="green"), actor("Oxus Couriers", level="green")],
    )
    text = committed(tenants.engine, export.search_csv, tenants.principal("carol"), {"q": "Oxus"})
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(export.CSV_COLUMNS)
    names = {r[0] for r in rows[1:]}
    assert "Oxus Couriers" in names and '\'=HYPERLINK("http://x.example","Oxus")' in names
    assert all(not r[0].startswith("=") for r in rows[1:])
    assert export._cell("＝1+1") == "'＝1+1"  # a fullwidth sign is a formula to a spreadsheet too
    bundle = committed(tenants.engine, export.of_search, tenants.principal("carol"), {"q": "Oxus"})
    assert len(bundle.objects) >= 2


def test_what_the_exporter_may_not_hand_on_is_withheld(tenants):
    """Alice's TLP:CLEAR report names Bravo's TLP:RED actor (shared with group ab) and Bravo's
    TLP:AMBER place: Alice reads both, but the file she hands on carries neither."""
    red = actor("Crimson Ledger", level="red")
    amber = sdo("location", name="Safehouse", country="KG", level="amber")
    mine = actor("Oxus Couriers", level="amber")
    _import(tenants, "bob", [red, amber], "group:ab")
    _import(tenants, "alice", [mine], "group:ab")
    report = sdo(
        "report", name="Round-up", published="2025-01-01T00:00:00Z", object_refs=[red["id"], amber["id"]], level="clear"
    )
    amber_report = sdo(
        "report",
        name="Round-up 2",
        published="2025-01-01T00:00:00Z",
        object_refs=[amber["id"], mine["id"]],
        level="amber",
    )
    _import(tenants, "alice", [report, amber_report], "group:ab")
    found = committed(tenants.engine, export.of_object, tenants.principal("alice"), report["id"])
    assert found.withheld == {red["id"], amber["id"]} and not {red["id"], amber["id"]} & _ids(found)
    found = committed(tenants.engine, export.of_object, tenants.principal("alice"), amber_report["id"])
    assert found.withheld == {amber["id"]} and mine["id"] in _ids(found)  # her own AMBER goes along
    theirs = committed(tenants.engine, export.of_object, tenants.principal("bob"), amber_report["id"])
    assert amber["id"] in _ids(theirs)  # Bravo's own object, Bravo's to hand on
