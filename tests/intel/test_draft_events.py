"""Events in a draft: a wire story's seizure, arrests, escape and position, reviewed and published as
STIX the OASIS validator accepts; its byline's author is no subject of the report; an event never
shows what its reader may not see."""

from __future__ import annotations

import orjson
import stix2
from stixdata import sdo, validation_errors, write_schemas
from txn import committed

from liaison.ingest.bundles import import_objects
from liaison.intel import drafts
from liaison.intel.objects import get_object
from liaison.stix.extensions import EXT_IDS

STORY = """Tajik police seize heroin haul near Afghan frontier

By Lailuma Noori

DUSHANBE, 12 March 2025 - The Drug Control Agency seized 212 kg of heroin from Ali Karimov and Daler Nazarov \
near the Panj river crossing in Khatlon region on Tuesday, the agency said in a statement.

Police said a third man, Bahrom Saidov, escaped towards Kunduz. Officers later detained Farrukh Umarov in Kulob.

Rustam Nazarov, deputy chairman of the Drug Control Agency, told reporters the heroin had come from Afghanistan.
"""


def _draft(tenants, user, text):
    return committed(tenants.engine, drafts.create_draft, tenants.principal(user), text=text, published="2025-03-12")


def _key(view, name):
    return next(e["key"] for e in view.review["entities"] if e["name"] == name)


def _event(view, kind):
    return next(v for v in view.review["events"] if v["kind"] == kind)


def test_a_wire_story_publishes_its_seizure_with_its_participants(tenants, tmp_path):
    alice = tenants.principal("alice")
    view = _draft(tenants, "alice", STORY)
    seizure = _event(view, "drug-seizure")
    assert seizure["key"].startswith("v") and seizure["id"].startswith("drug-seizure--")
    assert (seizure["substance"], seizure["quantity"], seizure["unit"]) == ("heroin", 212.0, "kg")
    assert seizure["place"] == _key(view, "Khatlon") and seizure["date"]["value"] == "2025-03-11"
    assert [(p["role"], p["name"]) for p in seizure["participants"]] == [
        ("agency", "Drug Control Agency"),
        ("suspect", "Ali Karimov"),
        ("suspect", "Daler Nazarov"),
    ]
    assert seizure["summary"] == (
        "Seizure of 212 kg of heroin near Panj river crossing, Khatlon, on 2025-03-11 by Drug Control Agency; "
        "suspects: Ali Karimov, Daler Nazarov"
    )
    escape, detention = _event(view, "escape"), _event(view, "detention")
    assert escape["direction"] == _key(view, "Kunduz") and escape["summary"] == "Escape of Bahrom Saidov towards Kunduz"
    assert detention["place"] == _key(view, "Kulob")
    # The position is the relationship the text suggested already: one finding, not two.
    assert not [v for v in view.review["events"] if v["kind"] == "position"]
    nazarov, agency = _key(view, "Rustam Nazarov"), _key(view, "Drug Control Agency")
    positions = [r for r in view.review["relationships"] if (r["source"], r["target"]) == (nazarov, agency)]
    assert [r["attrs"]["position"] for r in positions] == ["Deputy Chairman"]

    # An event is accepted and dropped like any finding; a dropped one publishes nothing of it.
    view = committed(tenants.engine, drafts.review, alice, view.id, [{"op": "drop", "key": escape["key"]}])
    assert _event(view, "escape")["decision"] == "drop"
    kunduz = next(e for e in view.review["entities"] if e["name"] == "Kunduz")
    bundle = committed(tenants.engine, drafts.preview_bundle, alice, view.id)["objects"]
    saidov = next(o["id"] for o in bundle if o.get("name") == "Bahrom Saidov")
    assert not [o for o in bundle if o["type"] == "relationship" and saidov in (o["source_ref"], o["target_ref"])]
    assert kunduz["new_id"] in {o["id"] for o in bundle}  # the place is still one of the report's

    report_id = committed(
        tenants.engine,
        drafts.publish,
        alice,
        view.id,
        audience="group:ab",
        level="amber",
        reliability="B",
        credibility=2,
    )
    bob = tenants.principal("bob")
    report = orjson.loads(committed(tenants.engine, get_object, bob, report_id).raw)
    objects = {ref: orjson.loads(committed(tenants.engine, get_object, bob, ref).raw) for ref in report["object_refs"]}
    by_name = {o.get("name"): o["id"] for o in objects.values()}
    [stored] = [o for o in objects.values() if o["type"] == "drug-seizure"]
    assert stored["id"] == seizure["id"] and stored["name"] == "212 kg of heroin"
    assert (stored["drug_type"], stored["quantity"], stored["quantity_unit"]) == ("heroin", 212, "kg")
    assert stored["seized_at"] == "2025-03-11T00:00:00.000Z" and stored["location_ref"] == by_name["Khatlon"]
    assert stored["object_refs"] == [by_name["Ali Karimov"], by_name["Daler Nazarov"]]
    assert stored["description"] == seizure["summary"]
    relations = [o for o in objects.values() if o["type"] == "relationship"]
    roles = {(o["target_ref"], o.get("description")) for o in relations if o["source_ref"] == stored["id"]}
    assert roles == {
        (by_name["Drug Control Agency"], "seizing agency"),
        (by_name["Ali Karimov"], "suspect"),
        (by_name["Daler Nazarov"], "suspect"),
    }
    umarov = [o for o in relations if o["source_ref"] == by_name["Farrukh Umarov"]]
    assert [(o["relationship_type"], o["target_ref"]) for o in umarov] == [("located-at", by_name["Kulob"])]
    position = [
        o
        for o in relations
        if (o["source_ref"], o["target_ref"]) == (by_name["Rustam Nazarov"], by_name["Drug Control Agency"])
    ]
    assert (
        len(position) == 1
        and position[0]["extensions"][EXT_IDS["organisation-position"]]["position"] == "Deputy Chairman"
    )

    # The byline's author is no subject of the report: linked as its author, named by its source.
    assert "Lailuma Noori" not in by_name
    assert report["external_references"][0]["description"].endswith("by Lailuma Noori")
    author = next(
        m for m in report["extensions"][EXT_IDS["report-mentions"]]["mentions"] if m["value"] == "Lailuma Noori"
    )
    assert "object_ref" not in author
    noori = next(o["id"] for o in bundle if o.get("name") == "Lailuma Noori")
    [link] = [o for o in bundle if o["type"] == "relationship" and o["source_ref"] == report_id]
    assert (link["relationship_type"], link["target_ref"], link["description"]) == ("related-to", noori, "author")
    assert noori not in report["object_refs"]

    schemas = write_schemas(tmp_path)
    for obj in [report, *objects.values()]:
        assert validation_errors(obj, schemas) == [], obj["id"]
        stix2.parse(obj, allow_custom=True)


def test_an_event_never_shows_a_participant_its_reader_may_not_see(tenants):
    """Bravo keeps its suspect to itself: in Alpha's draft the suspect is a new person, and nothing of
    Bravo's object reaches the event, its words or what Alpha publishes; Bravo's own draft links it."""
    hidden = sdo("threat-actor", name="Ali Karimov", resource_level="individual", threat_actor_types=["criminal"])
    committed(tenants.engine, import_objects, tenants.principal("bob"), [hidden], audience="org")
    text = "The Drug Control Agency seized 30 kg of opium from Ali Karimov in Khorog on Monday."
    view = _draft(tenants, "alice", text)
    seizure = _event(view, "drug-seizure")
    karimov = next(e for e in view.review["entities"] if e["key"] == seizure["participants"][-1]["key"])
    assert (karimov["name"], karimov["ref"]) == ("Ali Karimov", None)
    assert hidden["id"] not in orjson.dumps(view.as_dict()).decode()
    bundle = committed(tenants.engine, drafts.preview_bundle, tenants.principal("alice"), view.id)
    assert hidden["id"] not in orjson.dumps(bundle).decode()

    own = _draft(tenants, "bob", text)
    suspect = _event(own, "drug-seizure")["participants"][-1]
    assert next(e for e in own.review["entities"] if e["key"] == suspect["key"])["ref"] == hidden["id"]
    bundle = committed(tenants.engine, drafts.preview_bundle, tenants.principal("bob"), own.id)
    [stored] = [o for o in bundle["objects"] if o["type"] == "drug-seizure"]
    assert stored["object_refs"] == [hidden["id"]]
