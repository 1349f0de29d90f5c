"""The STIX objects a reviewed draft publishes: its report, new entities, observables, relationships
and the events the text reports.

Events are published with what STIX and Liaison's extensions have for them:

- a **drug seizure** is the `drug-seizure` SDO (name, drug_type, quantity, quantity_unit, seized_at:
  the day the text gives, else the article's date; `location_ref` the place, `object_refs` the
  suspects, `description` the event in words), with a `related-to` relationship from it to the
  seizing agency (description 'seizing agency') and to each suspect ('suspect'): the validator
  suggests no other type from a custom object, and the description says the role;
- an **arrest** or a **detention**: `related-to` from each person to the arresting agency
  ('arrested by', 'detained by') and `located-at` from each person to the place, dated by
  `start_time` when the text gives the day; an **escape**: `related-to` from each person to the
  place fled towards ('escaped towards') and `located-at` the place it happened. STIX has no
  event object for these, and the `incident` with its attack-details extension is for attacks;
- a **position** is the person's `related-to` relationship to the organisation with the
  `organisation-position` extension, as suggested positions are (one per person and
  organisation: a suggested relationship between the same two wins).

The article's **author** (a person of the byline, attrs `byline`) is no subject of the report: it is
not among its `object_refs`, its source reference says 'by <name>', and a `related-to`
relationship from the report to the author's identity says 'author' (the report's
`created_by_ref` stays the publishing organisation; STIX has no author property).
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from liaison import clock
from liaison.access.principal import Principal
from liaison.intel import event_words
from liaison.stix import tlp
from liaison.stix.extensions import (
    DEFINED,
    LIAISON_IDENTITY,
    admiralty_confidence,
    admiralty_grading,
    new_sco,
    new_sdo,
    property_extension,
    sco_id,
    stable_id,
)

if TYPE_CHECKING:
    from liaison.intel.draft_review import SeenEntity, SeenEvent
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
    # The acronym the text defines beside the name ('… Organization (CSTO)') is another name of it.
    acronym = entity.attrs.get("acronym")
    if isinstance(acronym, str) and acronym and acronym != entity.name:
        if obj["type"] == "identity":
            obj["extensions"] = property_extension("entity-aliases", aliases=[acronym])
        else:
            obj["aliases"] = [acronym]
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
    objects += _events(view, ids, common, objects)
    authors = _authors(doc, ids)
    subjects = [i for key, i in ids.items() if key not in authors]
    made = [o["id"] for o in objects if o["type"] in ("relationship", "drug-seizure")]
    refs = list(dict.fromkeys([*subjects, *made]))
    if not refs:
        refs = [principal.org_identity_id]  # STIX requires a report to refer to something
    for key in authors:
        objects.append(
            _related(
                stable_id("relationship", f"{doc.report_id}/author/{key}"),
                common,
                doc.report_id,
                ids[key],
                "related-to",
                description="author",
            )
        )
    objects.append(_report(view, common, refs, ids, reliability, credibility, authors))
    return objects


def _authors(doc, ids: dict) -> dict[str, str]:
    """The accepted persons of the article's byline: key -> name as the draft writes it."""
    return {
        e.key: e.written
        for e in doc.entities
        if e.kind == "person" and e.attrs.get("byline") is True and e.key in ids and not e.combined_into
    }


# --- events (begin) ---------------------------------------------------------------------------------------

#: How a participant's role reads on the relationship that links it.
_ROLE_WORDS = {"agency": "seizing agency", "suspect": "suspect"}
_CUSTODY_WORDS = {"arrest": "arrested by", "detention": "detained by"}
_AT_PLACE_WORDS = {"arrest": "arrested here", "detention": "detained here", "escape": "escaped from here"}


def _related(rel_id: str, common: dict, source: str, target: str, kind: str, **props) -> dict:
    if kind == "located-at" and not source.startswith(("identity--", "threat-actor--")):
        kind = "related-to"  # STIX suggests located-at from identities and threat actors only
    return {
        "type": "relationship",
        "spec_version": "2.1",
        "id": rel_id,
        **common,
        "relationship_type": kind,
        "source_ref": source,
        "target_ref": target,
        **{k: v for k, v in props.items() if v is not None},
    }


def _day(event: SeenEvent) -> str | None:
    """The event's date as a STIX timestamp, when the text gives the day."""
    value = event.date.value if event.date is not None else ""
    return f"{value}T00:00:00.000Z" if len(value) == 10 else None


def _article_day(view: DraftView, common: dict) -> str:
    """The article's date as a timestamp: when a seizure the text gives no day of was made known."""
    return f"{view.published[:10]}T00:00:00.000Z" if view.published else common["created"]


def _events(view: DraftView, ids: dict, common: dict, made: list[dict]) -> list[dict]:
    """The objects of the accepted events, between the accepted entities (`ids`: finding key ->
    STIX id); a participant, place or direction that is dropped is left out. Relationship ids
    after an event's first are derived from its id, so a preview and the publication agree."""
    doc = view.seen
    linked = {(o["source_ref"], o["target_ref"]) for o in made if o["type"] == "relationship"}
    places = {k: i for k, i in ids.items() if i.startswith("location--")}
    written = {e.key: e.written for e in doc.entities if e.key in ids}
    objects: list[dict] = []
    for event in doc.events:
        if event.decision != "accept":
            continue
        count = 0

        def next_id(event=event) -> str:
            nonlocal count
            count += 1
            return event.id if count == 1 else stable_id("relationship", f"{event.id}/{count}")

        def who(*roles: str, event=event) -> list[tuple[str, str]]:
            return [(p.role, ids[p.key]) for p in event.participants if p.role in roles and p.key in ids]

        place, direction = places.get(event.place or ""), places.get(event.direction or "")
        day = _day(event)
        if event.kind == "drug-seizure":
            props = {
                "name": f"{event.quantity:g} {event.unit} of {event.substance}",
                "description": event_words.in_words(event, written.get),
                "seized_at": day or _article_day(view, common),
                "drug_type": event.substance,
                "quantity": event.quantity,
                "quantity_unit": event.unit,
                "location_ref": place,
                "object_refs": [i for _r, i in who("suspect")] or None,
            }
            seizure = new_sdo(
                "drug-seizure",
                id_=event.id,
                created=common["created"],
                created_by_ref=common["created_by_ref"],
                object_marking_refs=common["object_marking_refs"],
                **props,
            )
            objects.append(seizure)
            for role, target in who("agency", "suspect"):
                rel_id = stable_id("relationship", f"{event.id}/{role}/{target}")
                objects.append(
                    _related(rel_id, common, seizure["id"], target, "related-to", description=_ROLE_WORDS[role])
                )
        elif event.kind in ("arrest", "detention", "escape"):
            agencies = [i for _r, i in who("agency")]
            for _role, person in who("arrested", "escaped"):
                if event.kind == "escape" and direction is not None:
                    objects.append(
                        _related(next_id(), common, person, direction, "related-to", description="escaped towards")
                    )
                for agency in agencies[:1] if event.kind in _CUSTODY_WORDS else []:
                    words = _CUSTODY_WORDS[event.kind]
                    objects.append(
                        _related(next_id(), common, person, agency, "related-to", description=words, start_time=day)
                    )
                if place is not None:
                    words = _AT_PLACE_WORDS[event.kind]
                    objects.append(
                        _related(next_id(), common, person, place, "located-at", description=words, start_time=day)
                    )
        elif event.kind == "position" and event.role:
            holder, employer = who("holder"), who("employer")
            if not holder or not employer or (holder[0][1], employer[0][1]) in linked:
                continue  # a suggested relationship between the two says it already
            rel = _related(
                next_id(),
                common,
                holder[0][1],
                employer[0][1],
                "related-to",
                description=f"{event.rank}, {event.role}" if event.rank else None,
            )
            rel["extensions"] = property_extension("organisation-position", position=event.role)
            objects.append(rel)
            linked.add((holder[0][1], employer[0][1]))
    return objects


# --- events (end) -----------------------------------------------------------------------------------------


def _report(
    view: DraftView,
    common: dict,
    refs: list[str],
    ids: dict,
    reliability: str,
    credibility: int,
    authors: dict[str, str] | None = None,
) -> dict:
    doc = view.seen
    named = [(e, e.written) for e in doc.entities] + [(o, o.value) for o in doc.observables]
    authors = authors or {}
    mentions = [
        {"start": m.start, "end": m.end, "kind": item.kind, "value": value}
        | ({} if item.key in authors else {"object_ref": ids[item.key]})  # the author is no subject
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
    if authors:
        by = "by " + ", ".join(authors.values())
        source["description"] = f"{source['description']}; {by}" if "description" in source else by
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
