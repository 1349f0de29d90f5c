"""The STIX objects a reviewed draft publishes: its report, new entities, observables, relationships."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from liaison import clock
from liaison.access.principal import Principal
from liaison.stix import tlp
from liaison.stix.extensions import (
    DEFINED,
    LIAISON_IDENTITY,
    admiralty_confidence,
    admiralty_grading,
    new_sco,
    property_extension,
    sco_id,
    stable_id,
)

if TYPE_CHECKING:
    from liaison.intel.draft_review import SeenEntity
    from liaison.intel.drafts import DraftView

_NEW_TYPE = {"person": "identity", "organization": "identity", "group": "intrusion-set", "location": "location"}
_VALUE_SCOS = ("email-addr", "url", "domain-name", "ipv4-addr", "ipv6-addr")


def new_entity_id(kind: str, name: str, attrs: dict, seed: str | None = None) -> str:
    """The id a new entity will have. Places get a deterministic id (every agency naming the same
    place from the gazetteer makes the same object); persons and organisations a random one, or
    one derived from `seed` when the same id must come out of every call."""
    if kind == "location":  # named by everything the object will hold, so one id never has two contents
        facts = [name, attrs.get("level"), attrs.get("country"), attrs.get("latitude"), attrs.get("longitude")]
        return stable_id("location", json.dumps(facts))
    return stable_id(_NEW_TYPE[kind], seed) if seed else f"{_NEW_TYPE[kind]}--{uuid.uuid4()}"


def observable(kind: str, value: str, attrs: dict) -> dict:
    """The STIX cyber-observable for an extracted value, with its deterministic id. It carries only
    what the value itself says, so every agency extracting the same value makes the same object."""
    if kind in _VALUE_SCOS:
        return {"type": kind, "spec_version": "2.1", "id": sco_id(kind, {"value": value}), "value": value}
    if kind == "file":
        hashes = {attrs.get("hash_type", "SHA-256"): value}
        return {"type": "file", "spec_version": "2.1", "id": sco_id("file", {"hashes": hashes}), "hashes": hashes}
    if kind == "phone-number":
        return new_sco("phone-number", value=value, country=attrs.get("country"))
    if kind == "bank-account":
        return new_sco("bank-account", iban=value, country=attrs.get("country"))
    if kind == "cryptocurrency-wallet":
        return new_sco("cryptocurrency-wallet", value=value, currency=attrs.get("currency"))
    raise ValueError(f"no STIX observable for '{kind}'")


def observable_id(kind: str, value: str, attrs: dict) -> str:
    return observable(kind, value, attrs)["id"]


def _location(entity: SeenEntity) -> dict | None:
    attrs = entity.attrs
    place = {
        "type": "location",
        "spec_version": "2.1",
        "id": entity.new_id,
        "created": DEFINED,
        "modified": DEFINED,
        "created_by_ref": LIAISON_IDENTITY["id"],
        "name": entity.name,
        "object_marking_refs": [tlp.TLP2_IDS["clear"]],
    }
    if isinstance(attrs.get("latitude"), (int, float)) and isinstance(attrs.get("longitude"), (int, float)):
        place.update(latitude=round(float(attrs["latitude"]), 5), longitude=round(float(attrs["longitude"]), 5))
    if attrs.get("country"):
        place["country"] = attrs["country"]
    if attrs.get("level") == "city":
        place["city"] = entity.name
    if "country" not in place and "latitude" not in place:
        return None  # STIX needs a country, a region or coordinates
    return place


def _entity(entity: SeenEntity, common: dict) -> dict | None:
    """A new entity object (places are shared gazetteer objects, the rest belong to the publisher)."""
    if entity.kind == "location":
        return _location(entity)
    obj = {"type": _NEW_TYPE[entity.kind], "spec_version": "2.1", "id": entity.new_id, **common, "name": entity.name}
    if obj["type"] == "identity":
        obj["identity_class"] = "individual" if entity.kind == "person" else "organization"
        if entity.attrs.get("role"):
            obj["roles"] = [entity.attrs["role"]]
    return obj


def _relationship_type(suggested: str, source_id: str) -> str:
    if suggested == "located-at" and source_id.startswith("intrusion-set--"):
        return "originates-from"  # STIX gives intrusion sets an origin, not a location
    return suggested


def build(
    view: DraftView,
    principal: Principal,
    *,
    level: str,
    reliability: str,
    credibility: int,
    refer: frozenset[str] = frozenset(),
) -> list[dict]:
    """The objects publishing `view` (a DraftView: its review as its reader sees it) imports, the
    report last: only the publisher's own content. Linked entities are referred to; observables in
    `refer` too, the others are written as the publisher's own object for the value. An entity
    with a `new_id` is the publisher's to write: new, or a gazetteer place the text itself makes."""
    doc = view.seen
    stamp = clock.now()
    marking = tlp.TLP2_IDS[level]
    common = {
        "created": stamp,
        "modified": stamp,
        "created_by_ref": principal.org_identity_id,
        "object_marking_refs": [marking],
    }
    objects, ids = [], {}
    for entity in doc.entities:
        if entity.decision != "accept":
            continue
        if entity.new_id is None:  # linked to an object the publisher refers to
            ids[entity.key] = entity.ref
        elif (obj := _entity(entity, common)) is not None:
            ids[entity.key] = obj["id"]
            objects.append(obj)
    for item in doc.observables:
        if item.decision == "accept":
            ids[item.key] = item.id
            if item.id not in refer:
                objects.append(observable(item.kind, item.value, item.attrs))
    for rel in doc.relationships:
        if rel.decision != "accept" or rel.source not in ids or rel.target not in ids:
            continue
        obj = {
            "type": "relationship",
            "spec_version": "2.1",
            "id": rel.id,
            **common,
            "relationship_type": _relationship_type(rel.type, ids[rel.source]),
            "source_ref": ids[rel.source],
            "target_ref": ids[rel.target],
        }
        if rel.attrs.get("position"):
            obj["extensions"] = property_extension("organisation-position", position=rel.attrs["position"])
        objects.append(obj)
    refs = list(dict.fromkeys([*ids.values(), *(o["id"] for o in objects if o["type"] == "relationship")]))
    if not refs:
        refs = [principal.org_identity_id]  # STIX requires a report to refer to something
    objects.append(_report(view, common, refs, ids, reliability, credibility))
    return objects


def _report(view: DraftView, common: dict, refs: list[str], ids: dict, reliability: str, credibility: int) -> dict:
    doc = view.seen
    named = [(e, e.name) for e in doc.entities] + [(o, o.value) for o in doc.observables]
    mentions = [
        {"start": m.start, "end": m.end, "kind": item.kind, "value": value, "object_ref": ids[item.key]}
        for item, value in named
        if item.key in ids
        for m in item.mentions
    ]
    mentions += [{"start": d.start, "end": d.end, "kind": "date", "value": d.value} for d in doc.dates]
    mentions.sort(key=lambda m: (m["start"], -m["end"]))
    source = {"source_name": "open source"}
    if view.source and view.source.startswith(("http://", "https://")):
        source["url"] = view.source
    else:
        source["description"] = view.source or "text given by an analyst"
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": doc.report_id,
        **common,
        "name": view.title,
        "description": view.text,
        "report_types": ["threat-report"],
        "labels": ["osint"],
        "published": f"{view.published}T00:00:00Z" if view.published else common["created"],
        "object_refs": refs,
        "confidence": admiralty_confidence(reliability, credibility),
        "external_references": [source],
        "extensions": {
            **admiralty_grading(reliability, credibility),
            **property_extension("report-mentions", mentions=mentions, extracted_at=doc.extracted_at),
        },
    }
