"""Objects made, changed and related from forms, and from a hostile partner's side: a pick of an
object one may not see is refused exactly as one that does not exist, another organisation's
object is never changed, and a preview writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from stixdata import actor, sdo
from txn import committed

from liaison.db.tables import object_version
from liaison.errors import Forbidden, InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import authoring, details, sharing
from liaison.stix.forms import form_for, forms


def _import(tenants, user, objects, audience="instance"):
    committed(tenants.engine, import_objects, tenants.principal(user), objects, audience=audience)


def _seen(tenants, user, stix_id):
    return committed(tenants.engine, details.details, tenants.principal(user), stix_id).object


@pytest.fixture
def world(tenants):
    osh = sdo("location", name="Osh", country="KG", level="green")
    dushanbe = sdo("location", name="Dushanbe", country="TJ", level="green")
    courier = sdo("identity", name="Rustam Nazarov", identity_class="individual", level="green")
    secret = sdo("identity", name="Hidden Source", identity_class="individual", level="amber")
    _import(tenants, "alice", [osh, dushanbe, courier])
    _import(tenants, "alice", [secret], "org")
    return {"osh": osh, "dushanbe": dushanbe, "courier": courier, "secret": secret}


def test_every_extension_type_gets_a_form_from_its_schema():
    made = {f.type for f in forms()}
    assert {"drug-seizure", "trafficking-route", "phone-number", "cryptocurrency-wallet", "vehicle", "vessel"} <= made
    seizure = form_for("drug-seizure")
    kinds = {f.name: f.kind for f in seizure.fields}
    assert kinds["location_ref"] == "ref" and kinds["object_refs"] == "refs" and kinds["seized_at"] == "when"
    assert seizure.field("location_ref").ref_types == ("location",)
    assert "heroin" in seizure.field("drug_type").choices
    assert form_for("incident").field("attack-details.killed").kind == "integer"


def test_a_seizure_with_a_route_and_a_person_is_made_edited_and_related(world, tenants):
    route = committed(
        tenants.engine,
        authoring.create,
        tenants.principal("bob"),
        "trafficking-route",
        {"name": "Pamir route", "commodity": "drugs", "waypoint_refs": [world["dushanbe"]["id"], world["osh"]["id"]]},
        audience="group:ab",
        tlp="amber",
    )
    answers = {
        "name": "212 kg of heroin at Osh",
        "seized_at": "2025-03-14T10:30",
        "drug_type": "heroin",
        "quantity": "212",
        "quantity_unit": "kg",
        "location_ref": world["osh"]["id"],
        "route_ref": route["id"],
        "object_refs": [world["courier"]["id"]],
    }
    seizure = committed(
        tenants.engine,
        authoring.create,
        tenants.principal("bob"),
        "drug-seizure",
        answers,
        audience="group:ab",
        tlp="amber",
    )
    assert _seen(tenants, "alice", seizure["id"])["quantity"] == 212
    changed = {**answers, "quantity": "215", "description": "Weighed again at the lab"}
    preview = committed(
        tenants.engine, authoring.preview, tenants.principal("bob"), seizure["id"], changed, tlp="amber"
    )
    assert (preview.old["quantity"], preview.new["quantity"]) == (212, 215)
    assert _seen(tenants, "alice", seizure["id"])["quantity"] == 212  # a preview writes nothing
    committed(tenants.engine, authoring.save, tenants.principal("bob"), seizure["id"], changed, tlp="amber")
    assert _seen(tenants, "alice", seizure["id"])["quantity"] == 215  # the group still reads it
    rel = committed(
        tenants.engine,
        authoring.relate,
        tenants.principal("bob"),
        seizure["id"],
        "related-to",
        world["dushanbe"]["id"],
        audience="group:ab",
        tlp="amber",
    )
    assert (rel["source_ref"], rel["target_ref"]) == (seizure["id"], world["dushanbe"]["id"])
    committed(tenants.engine, authoring.unrelate, tenants.principal("bob"), rel["id"])
    assert _seen(tenants, "bob", rel["id"]).get("revoked") is True


def test_a_pick_of_an_object_one_may_not_see_is_refused_like_a_missing_one(world, tenants):
    missing = "identity--00000000-0000-4000-8000-000000000000"
    answers = {
        "name": "x",
        "seized_at": "2025-03-14T10:30",
        "drug_type": "heroin",
        "quantity": "1",
        "quantity_unit": "kg",
    }
    messages = []
    for ref in (world["secret"]["id"], missing):
        with pytest.raises(NotFound) as refused:
            committed(
                tenants.engine,
                authoring.create,
                tenants.principal("bob"),
                "drug-seizure",
                {**answers, "object_refs": [ref]},
                audience="org",
                tlp=None,
            )
        messages.append(refused.value.message.replace(ref, "X"))
    assert messages[0] == messages[1]
    for ref in (world["secret"]["id"], missing):
        with pytest.raises(NotFound):
            committed(tenants.engine, authoring.relate, tenants.principal("bob"), world["osh"]["id"], "located-at", ref)
    with pytest.raises(InvalidInput, match="picked by name"):
        committed(
            tenants.engine,
            authoring.create,
            tenants.principal("bob"),
            "drug-seizure",
            {**answers, "location_ref": world["courier"]["id"]},
            audience="org",
            tlp=None,
        )


def test_no_one_changes_another_organisations_object(world, tenants):
    before = committed(
        tenants.engine, lambda conn: conn.execute(select(func.count()).select_from(object_version)).scalar_one()
    )
    for call in (authoring.preview, authoring.save):
        with pytest.raises(Forbidden):
            committed(
                tenants.engine, call, tenants.principal("bob"), world["osh"]["id"], {"name": "Osh (Bravo's)"}, tlp=None
            )
    with pytest.raises(NotFound):  # invisible: the same answer as for an unknown object
        committed(
            tenants.engine, authoring.save, tenants.principal("bob"), world["secret"]["id"], {"name": "x"}, tlp=None
        )
    with pytest.raises(Forbidden):  # a reader of the owner's own organisation changes nothing either
        committed(
            tenants.engine, authoring.save, tenants.principal("rita"), world["osh"]["id"], {"name": "x"}, tlp=None
        )
    after = committed(
        tenants.engine, lambda conn: conn.execute(select(func.count()).select_from(object_version)).scalar_one()
    )
    assert after == before and _seen(tenants, "carol", world["osh"]["id"])["name"] == "Osh"


def test_a_relationship_goes_no_further_than_both_its_ends(world, tenants):
    """Bravo links an instance-wide place to the group-only seizure Alpha holds: the link cannot
    be shared with the instance, where Charlie would learn of it without seeing the seizure."""
    grouped = sdo("incident", name="Ambush on the Khorog road", level="amber")
    _import(tenants, "alice", [grouped], "group:ab")
    with pytest.raises(InvalidInput, match="goes no further"):
        committed(
            tenants.engine,
            authoring.relate,
            tenants.principal("bob"),
            world["osh"]["id"],
            "located-at",
            grouped["id"],
            audience="instance",
            tlp="amber",
        )
    rel = committed(
        tenants.engine,
        authoring.relate,
        tenants.principal("bob"),
        world["osh"]["id"],
        "related-to",
        grouped["id"],
        audience="group:ab",
        tlp="amber",
    )
    with pytest.raises(NotFound):
        committed(tenants.engine, details.details, tenants.principal("carol"), rel["id"])


def test_a_change_and_a_removal_reach_every_audience_the_old_version_went_to(world, tenants):
    """Alpha shares its own place directly with Charlie (an audience Alpha does not belong to)
    and with group ab, and a relationship with ab: the change reaches Charlie too, the removal
    the group."""
    place = committed(
        tenants.engine,
        authoring.create,
        tenants.principal("alice"),
        "location",
        {"name": "Khorog", "country": "TJ"},
        audience="org",
        tlp="green",
    )
    rel = committed(
        tenants.engine,
        authoring.relate,
        tenants.principal("alice"),
        place["id"],
        "related-to",
        world["osh"]["id"],
        tlp="green",
    )
    committed(tenants.engine, sharing.share, tenants.principal("alice"), place["id"], "org:Charlie")
    committed(tenants.engine, sharing.share, tenants.principal("alice"), place["id"], "group:ab")
    committed(tenants.engine, sharing.share, tenants.principal("alice"), rel["id"], "group:ab")
    committed(
        tenants.engine,
        authoring.save,
        tenants.principal("alice"),
        place["id"],
        {"name": "Khorugh", "country": "TJ"},
        tlp="green",
    )
    committed(tenants.engine, authoring.unrelate, tenants.principal("alice"), rel["id"])
    assert _seen(tenants, "carol", place["id"])["name"] == "Khorugh"  # shared with Charlie by name
    assert _seen(tenants, "bob", rel["id"]).get("revoked") is True


def test_a_relationship_shared_later_goes_no_further_than_its_ends(world, tenants):
    grouped = sdo("incident", name="Ambush on the Khorog road", level="amber")
    _import(tenants, "alice", [grouped], "group:ab")
    rel = committed(
        tenants.engine,
        authoring.relate,
        tenants.principal("bob"),
        world["osh"]["id"],
        "related-to",
        grouped["id"],
        audience="org",
        tlp="amber",
    )
    with pytest.raises(InvalidInput, match="goes no further|which it is about"):
        committed(tenants.engine, sharing.share, tenants.principal("bob"), rel["id"], "instance")
    with pytest.raises(NotFound):
        committed(tenants.engine, details.details, tenants.principal("carol"), rel["id"])


def test_a_change_keeps_markings_other_than_the_tlp_and_empties_what_was_emptied(tenants):
    statement = "marking-definition--" + "1" * 8 + "-1111-4111-8111-" + "1" * 12
    marking = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": statement,
        "created": "2025-01-01T00:00:00.000Z",
        "definition_type": "statement",
        "definition": {"statement": "No further dissemination"},
    }
    incident = committed(
        tenants.engine,
        authoring.create,
        tenants.principal("alice"),
        "incident",
        {"name": "Bombing at the bazaar", "attack-details.attack_type": "bombing", "attack-details.killed": "3"},
        audience="org",
        tlp="amber",
    )
    marked = {**incident, "object_marking_refs": [*incident["object_marking_refs"], statement]}
    marked["modified"] = "2030-01-01T00:00:00.000Z"
    _import(tenants, "alice", [marking, marked], "org")
    answers = {"name": "Bombing at the bazaar", "attack-details.attack_type": "bombing", "attack-details.killed": ""}
    saved = committed(tenants.engine, authoring.save, tenants.principal("alice"), incident["id"], answers, tlp="red")
    assert statement in saved["object_marking_refs"] and len(saved["object_marking_refs"]) == 2
    body = next(iter(saved["extensions"].values()))
    assert "killed" not in body and body["attack_type"] == "bombing"


def test_a_copy_of_an_unattributed_object_is_not_another_organisations_to_change(tenants):
    """Alpha stores an actor with no author; Bravo imports a copy (its own chain) and may not
    change it from a form: the object is Alpha's (the first to store it)."""
    unattributed = actor("Oxus Couriers", level="green")
    unattributed.pop("created_by_ref", None)
    _import(tenants, "alice", [unattributed])
    _import(tenants, "bob", [unattributed], "org")
    with pytest.raises(Forbidden):
        committed(
            tenants.engine,
            authoring.save,
            tenants.principal("bob"),
            unattributed["id"],
            {"name": "Disbanded"},
            tlp=None,
        )
