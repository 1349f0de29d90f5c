"""Draft reports attacked from another organisation: Charlie wants Alpha's hidden data out of a
draft; Bravo wants to push Alpha's data to Charlie through a publication.

Three agencies share the groups ab, ac and bc. Every test reads as the hostile organisation would.
"""

from __future__ import annotations

import orjson
import pytest
from stixdata import sdo
from txn import committed

from liaison import accounts
from liaison.errors import InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import drafts, sharing
from liaison.intel.objects import get_object
from liaison.stix import tlp
from liaison.stix.extensions import EXT_IDS, LIAISON_IDENTITY, sco_id

#: Alpha's safehouse: a few hundred metres from the gazetteer's Khorugh.
SAFEHOUSE = {"latitude": 37.48912, "longitude": 71.55317}


@pytest.fixture
def world(tenants):
    """The three agencies of the review: pairwise groups ab, ac and bc."""
    committed(tenants.engine, accounts.create_group, "ac", ["Alpha", "Charlie"])
    committed(tenants.engine, accounts.create_group, "bc", ["Bravo", "Charlie"])
    return tenants


def _draft(world, user, text):
    return committed(world.engine, drafts.create_draft, world.principal(user), text=text, published="2026-03-14")


def _dump(value) -> str:
    return orjson.dumps(value).decode()


def _entity(view, text):
    """The finding one of whose mentions reads `text`."""
    return next(e for e in view.review["entities"] if any(m["text"] == text for m in e["mentions"]))


def _sanitised_person(world):
    """Alpha holds its source's real name for itself, and a sanitised later version for everyone."""
    real = sdo("identity", name="Rustam Karimov", identity_class="individual", roles=["Head of the Border Directorate"])
    cover = dict(real, modified="2025-06-01T00:00:00.000Z", name="Source KESTREL", roles=["informant"])
    alice = world.principal("alice")
    committed(world.engine, import_objects, alice, [real], audience="org")
    committed(world.engine, import_objects, alice, [cover], audience="instance")
    return real


def test_a_hidden_versions_names_never_reach_another_organisations_draft(world):
    source = _sanitised_person(world)
    view = _draft(world, "carol", "Minister Olga Karimov met Interior Minister Rustam Karimov in Dushanbe.")
    text = _dump(view.as_dict())
    assert "KESTREL" not in text and source["id"] not in text  # no namesake flag, candidate or link
    assert _entity(view, "Rustam Karimov")["ref"] is None


def test_a_hidden_versions_name_is_not_even_recognised_for_others(world):
    real = sdo("identity", name="Rustam Karimov", identity_class="individual")
    cover = dict(real, modified="2025-06-01T00:00:00.000Z", name="R. Karimov")
    committed(world.engine, import_objects, world.principal("alice"), [real], audience="org")
    committed(world.engine, import_objects, world.principal("alice"), [cover], audience="instance")
    probe = _draft(world, "carol", "Rustam Karimov arrived in Osh.")  # a name no one told Charlie
    control = _draft(world, "carol", "Farhad Karimov arrived in Osh.")
    assert [e["kind"] for e in probe.review["entities"]] == [e["kind"] for e in control.review["entities"]]


def test_a_hidden_versions_place_name_does_not_resolve_for_others(world):
    secret = sdo("location", name="Khorugh", country="TJ", **SAFEHOUSE)
    cover = dict(secret, modified="2025-06-01T00:00:00.000Z", name="Site 7")
    committed(world.engine, import_objects, world.principal("alice"), [secret], audience="org")
    committed(world.engine, import_objects, world.principal("alice"), [cover], audience="instance")
    view = _draft(world, "carol", "Heroin was seized in Khorugh on Monday.")
    place = _entity(view, "Khorugh")
    assert place["ref"] is None and secret["id"] not in _dump(view.as_dict())
    assert place["attrs"].get("latitude") != SAFEHOUSE["latitude"]


def _red_domain(world, value="relay-kestrel.example"):
    """Alpha's TLP:RED domain for group ab, with a custom property naming its human source."""
    domain = {
        "type": "domain-name",
        "spec_version": "2.1",
        "id": sco_id("domain-name", {"value": value}),
        "value": value,
        "object_marking_refs": [tlp.TLP2_IDS["red"]],
        "x_handler": "Source KESTREL",
    }
    committed(world.engine, import_objects, world.principal("alice"), [domain], audience="group:ab")
    return domain


def test_publishing_writes_the_publishers_own_observable_never_anothers(world):
    domain = _red_domain(world)
    bob, carol = world.principal("bob"), world.principal("carol")
    view = _draft(world, "bob", "Callers were sent to relay-kestrel.example, police said.")
    report_id = committed(
        world.engine, drafts.publish, bob, view.id, audience="group:bc", level="amber", reliability="C", credibility=3
    )
    report = orjson.loads(committed(world.engine, get_object, carol, report_id).raw)
    assert domain["id"] in report["object_refs"]
    seen = orjson.loads(committed(world.engine, get_object, carol, domain["id"]).raw)
    assert seen == {k: domain[k] for k in ("type", "spec_version", "id", "value")}  # Bravo's own, the value only
    # Alpha still reads its own content, unchanged; what Bravo would publish never showed Alpha's.
    assert orjson.loads(committed(world.engine, get_object, world.principal("alice"), domain["id"]).raw) == domain
    preview = _dump(committed(world.engine, drafts.preview_bundle, bob, view.id, level="amber"))
    assert "x_handler" not in preview and tlp.TLP2_IDS["red"] not in preview


def test_a_place_made_to_look_like_the_gazetteers_is_not_republished(world):
    forged = {
        "type": "location",
        "spec_version": "2.1",
        "id": "location--6b1d2a2e-0f44-4d37-9a4c-1c5a1c2f7e01",
        "created": "2025-01-01T00:00:00.000Z",
        "modified": "2025-01-01T00:00:00.000Z",
        "created_by_ref": LIAISON_IDENTITY["id"],
        "name": "Khorugh",
        "country": "TJ",
        **SAFEHOUSE,
        "object_marking_refs": [tlp.TLP2_IDS["red"]],
    }
    committed(world.engine, import_objects, world.principal("alice"), [forged], audience="group:ab")
    bob = world.principal("bob")
    view = _draft(world, "bob", "Heroin was seized in Khorugh on Monday.")
    assert _entity(view, "Khorugh")["ref"] == forged["id"]  # Bravo sees Alpha's place
    with pytest.raises(InvalidInput, match="reveal"):
        committed(
            world.engine, drafts.publish, bob, view.id, audience="group:bc", level="red", reliability="C", credibility=3
        )
    with pytest.raises(NotFound):
        committed(world.engine, get_object, world.principal("carol"), forged["id"])


def _red_place(world):
    """Alpha's TLP:RED safehouse, for group ab, under the town's name."""
    place = sdo("location", name="Khorugh", country="TJ", level="red", **SAFEHOUSE)
    committed(world.engine, import_objects, world.principal("alice"), [place], audience="group:ab")
    return place


def _coordinates_in(value) -> bool:
    text = _dump(value)
    return str(SAFEHOUSE["latitude"]) in text or str(SAFEHOUSE["longitude"]) in text


@pytest.mark.parametrize(
    "change", [{"op": "unlink"}, {"op": "rename", "name": "Khorog town"}, {"op": "kind", "kind": "organization"}]
)
def test_detaching_a_place_drops_what_came_from_the_known_object(world, change):
    place = _red_place(world)
    bob = world.principal("bob")
    view = _draft(world, "bob", "Heroin was seized in Khorugh on Monday.")
    found = _entity(view, "Khorugh")
    assert found["ref"] == place["id"] and found["attrs"]["latitude"] == SAFEHOUSE["latitude"]
    view = committed(world.engine, drafts.review, bob, view.id, [{**change, "key": found["key"]}])
    preview = committed(world.engine, drafts.preview_bundle, bob, view.id, level="clear")
    report_id = committed(
        world.engine, drafts.publish, bob, view.id, audience="instance", level="clear", reliability="C", credibility=3
    )
    carol = world.principal("carol")
    report = orjson.loads(committed(world.engine, get_object, carol, report_id).raw)
    published = [committed(world.engine, get_object, carol, ref).raw for ref in report["object_refs"]]
    assert not _coordinates_in(published)
    assert not _coordinates_in(view.as_dict()) and not _coordinates_in(preview)


def test_a_draft_forgets_what_its_organisation_no_longer_sees(world):
    place = _red_place(world)
    officer = sdo(
        "identity", name="Rustam Karimov", identity_class="individual", roles=["Head of the Border Directorate"]
    )
    alice, bob = world.principal("alice"), world.principal("bob")
    committed(world.engine, import_objects, alice, [officer], audience="group:ab")
    view = _draft(world, "bob", "Deputy Minister Rustam Karimov visited Khorugh on Monday.")
    assert _entity(view, "Rustam Karimov")["ref"] == officer["id"] and _entity(view, "Khorugh")["ref"] == place["id"]
    assert "Border Directorate" in _dump(view.as_dict())  # the role Bravo sees, in a 'title differs' flag
    for obj in (place, officer):
        committed(world.engine, sharing.unshare, alice, obj["id"], "group:ab")
    again = committed(world.engine, drafts.get_draft, bob, view.id)
    preview = committed(world.engine, drafts.preview_bundle, bob, view.id, level="clear")
    for shown in (again.as_dict(), preview):
        text = _dump(shown)
        assert not _coordinates_in(shown) and "Border Directorate" not in text
        assert place["id"] not in text and officer["id"] not in text
    assert all(obj["id"] for obj in preview["objects"])
    assert _entity(again, "Rustam Karimov")["no_longer_visible"] is True
    new_id = _entity(again, "Rustam Karimov")["new_id"]
    assert _entity(committed(world.engine, drafts.get_draft, bob, view.id), "Rustam Karimov")["new_id"] == new_id
    assert new_id in {obj["id"] for obj in preview["objects"]}
    report_id = committed(
        world.engine, drafts.publish, bob, view.id, audience="group:bc", level="clear", reliability="C", credibility=3
    )
    carol = world.principal("carol")
    report = orjson.loads(committed(world.engine, get_object, carol, report_id).raw)
    assert new_id in report["object_refs"]  # what the preview showed is what was published
    published = [committed(world.engine, get_object, carol, ref).raw for ref in report["object_refs"]]
    assert not _coordinates_in(published) and "Border Directorate" not in _dump(published)


def test_a_draft_shows_the_current_version_of_what_it_links(world):
    officer = sdo(
        "identity", name="Rustam Karimov", identity_class="individual", roles=["Head of the Border Directorate"]
    )
    alice = world.principal("alice")
    committed(world.engine, import_objects, alice, [officer], audience="group:ab")
    view = _draft(world, "bob", "Deputy Minister Rustam Karimov visited Khorugh on Monday.")
    assert any("Border Directorate" in c for c in _entity(view, "Rustam Karimov")["conflicts"])
    sanitised = dict(officer, modified="2025-06-01T00:00:00.000Z", name="Source KESTREL", roles=["informant"])
    committed(world.engine, import_objects, alice, [sanitised], audience="group:ab")
    again = committed(world.engine, drafts.get_draft, world.principal("bob"), view.id)
    assert _entity(again, "Rustam Karimov")["name"] == "Source KESTREL"
    assert "Border Directorate" not in _dump(again.as_dict())


def test_a_draft_can_be_published_to_a_group_with_a_partner(world):
    from liaison.federation.partners import add_partner

    with world.engine.begin() as conn:
        add_partner(conn, "Remote", None, None, None)
    committed(world.engine, accounts.create_group, "with-remote", ["Bravo", "Remote"])
    committed(world.engine, accounts.create_user, "remote-sync", "Remote", "sync")
    bob, remote = world.principal("bob"), world.principal("remote-sync")
    view = _draft(world, "bob", "Bravo officers in Osh seized 40 kg of heroin and called +996 555 123 456.")
    report_id = committed(
        world.engine,
        drafts.publish,
        bob,
        view.id,
        audience="group:with-remote",
        level="amber",
        reliability="B",
        credibility=2,
    )
    report = orjson.loads(committed(world.engine, get_object, remote, report_id).raw)
    assert committed(world.engine, get_object, remote, report["created_by_ref"])  # the author the partner reads
    for ref in report["object_refs"]:
        assert committed(world.engine, get_object, remote, ref)


def test_publishing_writes_the_drafts_words_never_a_linked_objects_name(world):
    """Bravo names its suspect and its stringer for everyone, then gives them cover names in newer
    versions, shared for everyone too. Alpha's draft links both and shows the names Alpha sees;
    what Alpha publishes carries the article's words (the seizure's description, the report's
    mentions and byline), so when Bravo narrows its newer versions to group bc, Alpha's audience
    reads nothing of them through Alpha's report."""
    bob = world.principal("bob")
    suspect = sdo("identity", name="Ali Karimov", identity_class="individual")
    stringer = sdo("identity", name="Nodira Azimova", identity_class="individual")
    committed(world.engine, import_objects, bob, [suspect, stringer], audience="instance")
    covers = [
        dict(o, modified="2025-06-01T00:00:00.000Z", name=f"{o['name']} (source {cover})", aliases=[o["name"]])
        for o, cover in ((suspect, "KESTREL"), (stringer, "HERON"))
    ]
    committed(world.engine, import_objects, bob, covers, audience="instance")
    text = (
        "Police seize opium in Khorog\n\nBy Nodira Azimova\n\n"
        "The Drug Control Agency seized 30 kg of opium from Ali Karimov in Khorog on Monday.\n"
    )
    view = _draft(world, "alice", text)
    linked = {_entity(view, "Ali Karimov")["ref"], _entity(view, "Nodira Azimova")["ref"]}
    assert linked == {suspect["id"], stringer["id"]}
    assert "KESTREL" in _dump(view.as_dict())  # Alpha's screen shows what Alpha sees

    alice = world.principal("alice")
    report_id = committed(
        world.engine, drafts.publish, alice, view.id, audience="group:ac", level="amber", reliability="B", credibility=2
    )
    for cover in covers:
        committed(world.engine, sharing.share, bob, cover["id"], "group:ab")
        committed(world.engine, sharing.unshare, bob, cover["id"], "instance")
    carol = world.principal("carol")
    report = orjson.loads(committed(world.engine, get_object, carol, report_id).raw)
    published = [report] + [
        orjson.loads(committed(world.engine, get_object, carol, r).raw) for r in report["object_refs"]
    ]
    [seizure] = [o for o in published if o["type"] == "drug-seizure"]
    assert "Ali Karimov" in seizure["description"] and "by Nodira Azimova" in _dump(report["external_references"])
    mentioned = {m["value"] for m in report["extensions"][EXT_IDS["report-mentions"]]["mentions"]}
    assert {"Ali Karimov", "Nodira Azimova"} <= mentioned
    leaked = [o for o in published if "KESTREL" in _dump(o) or "HERON" in _dump(o)]
    assert not leaked, leaked
