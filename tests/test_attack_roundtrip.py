"""An ATT&CK-shaped bundle (relationships, custom x-mitre objects and properties) survives import
and export exactly, and what Liaison exports satisfies the OASIS tools."""

from __future__ import annotations

import orjson
import stix2
from stix2validator import ValidationOptions, validate_instance
from txn import committed, streamed

from liaison.demo.attack_shaped import attack_shaped_bundle
from liaison.ingest.bundles import import_objects
from liaison.intel.objects import export_bundle, make_filters


def _export(engine, principal, **kwargs) -> dict:
    return orjson.loads(b"".join(streamed(engine, export_bundle, principal, committed(engine, make_filters), **kwargs)))


def test_attack_shaped_round_trip_is_exact(tenants):
    source = attack_shaped_bundle(3000, seed=7)
    alice = tenants.principal("alice")
    report = committed(tenants.engine, import_objects, alice, source["objects"], audience="instance")
    assert report.new_versions == len(source["objects"])

    exported = _export(tenants.engine, tenants.principal("carol"), all_versions=True)
    by_id = {}
    for obj in exported["objects"]:
        by_id[(obj["id"], obj.get("modified"))] = obj
    for obj in source["objects"]:
        assert by_id[(obj["id"], obj.get("modified"))] == obj
    organisations = {o["id"] for o in exported["objects"] if o["type"] == "identity"} - {
        o["id"] for o in source["objects"]
    }
    assert len(exported["objects"]) == len(source["objects"]) + len(organisations)


def test_exports_satisfy_the_oasis_tools(tenants):
    source = attack_shaped_bundle(400, seed=3)
    committed(tenants.engine, import_objects, tenants.principal("alice"), source["objects"], audience="instance")
    exported = _export(tenants.engine, tenants.principal("bob"))
    by_type = {}
    for obj in exported["objects"]:
        by_type.setdefault(obj["type"], obj)
    options = ValidationOptions(strict=False)
    for kind, obj in by_type.items():
        result = validate_instance(obj, options)
        assert result.is_valid, (kind, [str(e) for e in result.errors])
        assert stix2.parse(obj, allow_custom=True)["id"] == obj["id"]  # a dict for unregistered x- types
