"""Opinions, notes and sightings go no wider, and no weaker in TLP, than the object they annotate
is visible to their author (issue 10, item 6); merges made by partner accounts. The same rule
(intel.reach) holds when an annotation or a merge is shared afterwards or imported (security
review of the administration change). Both databases."""

from __future__ import annotations

import orjson
import pytest
from stixdata import actor, bundle, relationship, sdo
from txn import committed

from liaison import accounts
from liaison.errors import InvalidInput, NotFound
from liaison.federation.partners import add_partner
from liaison.ingest import received
from liaison.ingest.bundles import import_objects
from liaison.intel import annotations, merges, sharing
from liaison.intel.objects import get_object
from liaison.stix import tlp

UNKNOWN = "intrusion-set--00000000-0000-4000-8000-000000000000"


@pytest.fixture
def red(tenants):
    """Alpha's TLP:RED actor, shared with group ab (Alpha, Bravo)."""
    obj = actor("Black Saxaul", level="red", created_by_ref=tenants.principal("alice").org_identity_id)
    committed(tenants.engine, import_objects, tenants.principal("alice"), [obj], audience="group:ab")
    return obj


@pytest.fixture
def partner(tenants):
    """A partner instance 'Remote' with a sync account 'remo', in group 'ar' with Alpha."""
    with tenants.engine.begin() as conn:
        add_partner(conn, "Remote", None, None, None)
    committed(tenants.engine, accounts.create_group, "ar", ["Alpha", "Remote"])
    committed(tenants.engine, accounts.create_user, "remo", "Remote", "sync")
    return tenants.principal("remo")


def _nothing_about(tenants, stix_id: str, *users: str) -> bool:
    return all(
        committed(tenants.engine, annotations.about, tenants.principal(u), stix_id) == annotations.Annotations()
        for u in users
    )


def test_annotations_of_a_red_group_object_stay_in_the_group_and_red(tenants, red):
    engine, bob = tenants.engine, tenants.principal("bob")
    with pytest.raises(InvalidInput, match="not everyone in 'instance' sees"):
        committed(engine, annotations.add_note, bob, red["id"], content="Seen at Torugart", audience="instance")
    with pytest.raises(InvalidInput, match="TLP:RED"):
        committed(engine, annotations.add_opinion, bob, red["id"], opinion="agree", audience="group:ab", tlp="clear")
    with pytest.raises(InvalidInput, match="not everyone in .instance. sees"):
        committed(engine, annotations.add_sighting, bob, red["id"], count=1, audience="instance", tlp="red")
    # Charlie, outside the group, reads nothing with the object's id; nothing was saved at all.
    assert _nothing_about(tenants, red["id"], "carol", "alice", "bob")
    # Without a TLP an annotation takes the object's: it is never weaker than what it is about.
    note = committed(engine, annotations.add_note, bob, red["id"], content="Seen at Torugart", audience="group:ab")
    assert tlp.level_of_object(note) == "red"
    assert committed(engine, annotations.add_opinion, bob, red["id"], opinion="agree", audience="org")["id"]
    assert len(committed(engine, annotations.about, tenants.principal("alice"), red["id"]).notes) == 1
    assert _nothing_about(tenants, red["id"], "carol")


def test_the_current_version_sets_the_reach_not_an_older_wider_one(tenants):
    engine, alice, bob = tenants.engine, tenants.principal("alice"), tenants.principal("bob")
    v1 = actor("Steppe Pack", created_by_ref=alice.org_identity_id)
    v2 = dict(v1, modified="2025-06-01T00:00:00.000Z", description="Now run from Osh")
    committed(engine, import_objects, alice, [v1], audience="instance")
    committed(engine, import_objects, alice, [v2], audience="group:ab")
    with pytest.raises(InvalidInput, match="sees this object"):
        committed(engine, annotations.add_note, bob, v1["id"], content="Osh again", audience="instance")
    assert committed(engine, annotations.audience_choices, bob, v1["id"])[1] == "group:ab"
    # Charlie sees the first version, shared with the instance: that is where its note goes by default.
    choices, default = committed(engine, annotations.audience_choices, tenants.principal("carol"), v1["id"])
    assert [c.spec for c in choices] == ["org", "instance"] and default == "instance"


def test_the_default_is_the_audience_the_object_is_seen_through(tenants):
    """The narcotics case: the default used to be the smallest group holding the owner
    (counter-terrorism), whose members cannot see the route, instead of the taskforce."""
    engine, alice, bob = tenants.engine, tenants.principal("alice"), tenants.principal("bob")
    committed(engine, accounts.create_group, "counter-terrorism", ["Alpha", "Bravo"])
    committed(engine, accounts.create_group, "narcotics", ["Alpha", "Bravo", "Charlie"])
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    route = sdo("infrastructure", name="Khorog heroin route", created_by_ref=alice.org_identity_id)
    committed(engine, import_objects, alice, [route], audience="group:narcotics")
    choices, default = committed(engine, annotations.audience_choices, bob, route["id"])
    assert default == "group:narcotics"
    assert [c.spec for c in choices] == ["org", "group:narcotics"]
    with pytest.raises(InvalidInput, match="not everyone in 'group:counter-terrorism'") as refused:
        committed(engine, annotations.add_note, bob, route["id"], content="x", audience="group:counter-terrorism")
    assert refused.value.message.endswith("you can share it with: org, group:narcotics")
    # The owner's own note defaults to where it shared the route too, not to itself alone.
    assert committed(engine, annotations.audience_choices, alice, route["id"])[1] == "group:narcotics"
    # Without an object (drafts, merges, imports) every audience of the principal is offered.
    everything, default = committed(engine, annotations.audience_choices, bob)
    assert default == "org" and [c.spec for c in everything] == [
        "org",
        "group:ab",
        "group:counter-terrorism",
        "group:narcotics",
        "instance",
    ]


def test_the_narrowest_of_several_audiences_is_the_default(tenants):
    """Two chains of one content: Alpha's for group ab, Bravo's for the instance."""
    engine = tenants.engine
    shared = sdo(
        "indicator",
        name="Torugart beacon",
        pattern="[ipv4-addr:value = '203.0.113.9']",
        pattern_type="stix",
        valid_from="2025-01-01T00:00:00Z",
    )
    committed(engine, import_objects, tenants.principal("alice"), [shared], audience="group:ab")
    committed(engine, import_objects, tenants.principal("bob"), [shared], audience="instance")
    choices, default = committed(engine, annotations.audience_choices, tenants.principal("bob"), shared["id"])
    assert [c.spec for c in choices] == ["org", "group:ab", "instance"] and default == "group:ab"
    private = actor("Hidden Tamarisk")
    committed(engine, import_objects, tenants.principal("bob"), [private], audience="org")
    choices, default = committed(engine, annotations.audience_choices, tenants.principal("bob"), private["id"])
    assert [c.spec for c in choices] == ["org"] and default == "org"


def test_errors_name_no_audience_the_caller_cannot_use(tenants, red, partner):
    engine, bob, carol = tenants.engine, tenants.principal("bob"), tenants.principal("carol")
    with pytest.raises(InvalidInput) as unknown:
        committed(engine, annotations.add_note, bob, red["id"], content="x", audience="group:ar")
    assert unknown.value.message == "unknown audience 'group:ar'; you can share it with: org, group:ab"
    # An invisible object gets the answer an unknown one gets, whatever the audience asked for.
    for audience in ("group:ab", "instance", "org"):
        with pytest.raises(NotFound) as hidden:
            committed(engine, annotations.add_note, carol, red["id"], content="probe", audience=audience)
        with pytest.raises(NotFound) as unknown:
            committed(engine, annotations.add_note, carol, UNKNOWN, content="probe", audience=audience)
        assert hidden.value.message.replace(red["id"], UNKNOWN) == unknown.value.message
    # A partner account never reads the instance: it is not offered it.
    shared = actor("Wakhan Couriers", created_by_ref=tenants.principal("alice").org_identity_id)
    committed(engine, import_objects, tenants.principal("alice"), [shared], audience="group:ar")
    with pytest.raises(InvalidInput) as refused:
        committed(engine, annotations.add_note, partner, shared["id"], content="x", audience="instance")
    assert refused.value.message == "unknown audience 'instance'; you can share it with: org, group:ar"
    choices, default = committed(engine, annotations.audience_choices, partner, shared["id"])
    assert [c.spec for c in choices] == ["org", "group:ar"] and default == "group:ar"
    assert "instance" not in [c.spec for c in committed(engine, annotations.audience_choices, partner)[0]]


def test_a_partner_account_merges_with_auto_and_is_not_offered_the_instance(tenants, partner):
    engine, alice = tenants.engine, tenants.principal("alice")
    main = sdo("identity", name="Halim Rasulov", identity_class="individual")
    variant = sdo("identity", name="Khalim Rasulov", identity_class="individual")
    committed(engine, import_objects, alice, [main, variant], audience="group:ar")
    with pytest.raises(InvalidInput) as refused:  # partners never read the instance: it is not offered
        committed(engine, merges.merge, partner, variant["id"], main["id"], audience="instance")
    assert refused.value.message == "unknown audience 'instance'; you can share with: org, group:ar"
    merged = committed(engine, merges.merge, partner, variant["id"], main["id"])
    seen = committed(engine, merges.merges_of, alice, main["id"])
    assert [m["id"] for m in seen] == [merged["id"]]  # shared with group ar
    assert committed(engine, merges.merges_of, tenants.principal("bob"), main["id"]) == []


# --- Sharing afterwards and importing: the same rule ---------------------------------------------

TAXII = "application/taxii+json;version=2.1"


def _secret_of_ab(tenants, name: str = "Black Saxaul", level: str = "amber") -> dict:
    """Alpha's actor shared with group 'ab' (Alpha and Bravo) only."""
    obj = actor(name, level=level, created_by_ref=tenants.principal("alice").org_identity_id)
    committed(tenants.engine, import_objects, tenants.principal("alice"), [obj], audience="group:ab")
    return obj


def _note(tenants, about: dict, user: str = "bob", **props) -> dict:
    return sdo(
        "note",
        content="Black Saxaul's courier crossed at Torugart",
        object_refs=[about["id"]],
        created_by_ref=tenants.principal(user).org_identity_id,
        **props,
    )


def _hidden_from_carol(tenants, *stix_ids: str) -> bool:
    carol = tenants.principal("carol")
    for stix_id in stix_ids:
        try:
            committed(tenants.engine, get_object, carol, stix_id)
        except NotFound:
            continue
        return False
    return True


def test_an_annotation_cannot_be_shared_wider_than_its_object_afterwards(tenants, client):
    """Bravo's note on Alpha's 'ab' object, made for 'ab', shared with the instance afterwards
    (service, REST, all versions): refused, and Charlie reads nothing of it."""
    engine, bob = tenants.engine, tenants.principal("bob")
    secret = _secret_of_ab(tenants)
    note = committed(
        engine, annotations.add_note, bob, secret["id"], content="courier crossed at Torugart", audience="group:ab"
    )
    with pytest.raises(InvalidInput) as refused:
        committed(engine, sharing.share, bob, note["id"], "instance")
    assert refused.value.message == (
        f"{note['id']}: not everyone in 'instance' sees {secret['id']}, which it is about; "
        "you can share it with: org, group:ab"
    )
    with pytest.raises(InvalidInput, match="not everyone in 'instance'"):
        committed(engine, sharing.share, bob, note["id"], "instance", all_versions=True)
    response = client.post(
        f"/api/v1/objects/{note['id']}/audiences", headers=tenants.headers("bob"), json={"audience": "instance"}
    )
    assert response.status_code == 422 and "group:ab" in response.text
    # An opinion and a sighting alike; Bravo's own organisation only is always fine.
    opinion = committed(engine, annotations.add_opinion, bob, secret["id"], opinion="agree", audience="org")
    sighting = committed(engine, annotations.add_sighting, bob, secret["id"], count=2, audience="org")
    for stix_id in (opinion["id"], sighting["id"]):
        with pytest.raises(InvalidInput, match="not everyone in 'instance'"):
            committed(engine, sharing.share, bob, stix_id, "instance")
    assert _hidden_from_carol(tenants, secret["id"], note["id"], opinion["id"], sighting["id"])
    # Within the object's reach sharing works as ever.
    assert committed(engine, sharing.share, bob, opinion["id"], "group:ab")["added"] == 1
    assert len(committed(engine, annotations.about, tenants.principal("alice"), secret["id"]).opinions) == 1


def test_an_older_version_about_a_narrower_object_is_not_shared_with_all_versions(tenants):
    engine, bob = tenants.engine, tenants.principal("bob")
    secret, public = _secret_of_ab(tenants), actor("Steppe Pack")
    committed(engine, import_objects, tenants.principal("alice"), [public], audience="instance")
    first = _note(tenants, secret, level="amber")
    second = dict(first, modified="2025-06-01T00:00:00.000Z", object_refs=[public["id"]])
    committed(engine, import_objects, bob, [first], audience="group:ab")
    committed(engine, import_objects, bob, [second], audience="org")
    shared = committed(engine, sharing.share, bob, first["id"], "instance")
    assert shared["added"] == 1  # the current one: about `public`
    with pytest.raises(InvalidInput, match=f"not everyone in 'instance' sees {secret['id']}"):
        committed(engine, sharing.share, bob, first["id"], "instance", all_versions=True)


def test_a_merge_cannot_be_shared_wider_than_its_entities_afterwards(tenants):
    engine, bob = tenants.engine, tenants.principal("bob")
    main = sdo("identity", name="Halim Rasulov", identity_class="individual")
    variant = sdo("identity", name="Khalim Rasulov", identity_class="individual")
    committed(engine, import_objects, tenants.principal("alice"), [main, variant], audience="group:ab")
    merged = committed(engine, merges.merge, bob, variant["id"], main["id"])  # auto: the widest audience seeing both
    seen = committed(engine, merges.merges_of, tenants.principal("alice"), main["id"])
    assert [m["id"] for m in seen] == [merged["id"]]
    with pytest.raises(InvalidInput, match="not everyone in 'instance'"):
        committed(engine, sharing.share, bob, merged["id"], "instance")
    with pytest.raises(InvalidInput, match="not everyone in 'instance'"):
        committed(engine, import_objects, bob, [relationship(variant, main, "duplicate-of")], audience="instance")
    assert _hidden_from_carol(tenants, merged["id"])


def test_an_annotation_cannot_be_imported_wider_than_its_object(tenants, client):
    """The review's case: a bundle with bob's note on the 'ab' object, for the instance."""
    secret = _secret_of_ab(tenants)
    note, other = _note(tenants, secret), actor("Harmless")
    response = client.post(
        "/api/v1/bundles?audience=instance", headers=tenants.headers("bob"), json=bundle(other, note)
    )
    assert response.status_code == 422
    assert f"not everyone in 'instance' sees {secret['id']}" in response.text
    assert _hidden_from_carol(tenants, note["id"], other["id"])  # the whole import rolled back
    # Nor without a creator, nor as a sighting or an opinion, nor through the service.
    bob = tenants.principal("bob")
    for obj in (
        sdo("note", content="x", object_refs=[secret["id"]]),
        sdo("opinion", opinion="agree", object_refs=[UNKNOWN, secret["id"]]),
        sdo("sighting", sighting_of_ref=secret["id"]),
    ):
        with pytest.raises(InvalidInput, match="which it is about"):
            committed(tenants.engine, import_objects, bob, [obj], audience="instance")
    assert _hidden_from_carol(tenants, secret["id"])


def test_an_annotation_posted_to_a_taxii_collection_fails_on_its_own(tenants, client):
    secret = _secret_of_ab(tenants)
    note, other = _note(tenants, secret), actor("Harmless")
    collections = client.get(
        "/taxii2/liaison/collections/", headers={**tenants.headers("bob"), "Accept": TAXII}
    ).json()["collections"]
    instance = next(c for c in collections if c["alias"] == "instance")
    status = client.post(
        f"/taxii2/liaison/collections/{instance['id']}/objects/",
        content=orjson.dumps({"objects": [note, other]}),
        headers={**tenants.headers("bob"), "Accept": TAXII, "Content-Type": TAXII},
    ).json()
    assert [f["id"] for f in status["failures"]] == [note["id"]]
    assert "which it is about" in status["failures"][0]["message"]
    assert [s["id"] for s in status["successes"]] == [other["id"]]
    assert _hidden_from_carol(tenants, note["id"])
    committed(tenants.engine, get_object, tenants.principal("carol"), other["id"])


def test_an_imported_annotation_is_not_weaker_in_tlp_than_its_object(tenants):
    bob = tenants.principal("bob")
    secret = _secret_of_ab(tenants, level="red")
    for level in (None, "clear", "amber"):
        with pytest.raises(InvalidInput, match="is TLP:RED; what is said about it must be TLP:RED"):
            committed(tenants.engine, import_objects, bob, [_note(tenants, secret, level=level)], audience="group:ab")
    red = committed(tenants.engine, import_objects, bob, [_note(tenants, secret, level="red")], audience="group:ab")
    assert red.new_versions == 1
    # What Bravo keeps to itself it marks as it likes; sharing it on checks the TLP as well.
    kept = _note(tenants, secret, level="amber")
    committed(tenants.engine, import_objects, bob, [kept], audience="org")
    with pytest.raises(InvalidInput, match="is TLP:RED; what is said about it must be TLP:RED"):
        committed(tenants.engine, sharing.share, bob, kept["id"], "group:ab")


def test_refs_the_importer_cannot_see_are_not_checked(tenants):
    """Charlie does not see the 'ab' object: its note on it is answered as one on an unknown id."""
    carol = tenants.principal("carol")
    secret = _secret_of_ab(tenants)
    hidden = committed(
        tenants.engine,
        import_objects,
        carol,
        [sdo("note", content="x", object_refs=[secret["id"]])],
        audience="instance",
    ).as_dict()
    unknown = committed(
        tenants.engine, import_objects, carol, [sdo("note", content="x", object_refs=[UNKNOWN])], audience="instance"
    ).as_dict()
    assert {**hidden, "seconds": 0} == {**unknown, "seconds": 0}


def test_normal_flows_still_work(tenants):
    engine, alice, bob = tenants.engine, tenants.principal("alice"), tenants.principal("bob")
    secret = _secret_of_ab(tenants)
    # A note for the group that sees the object, imported or made in the UI; for the own organisation too.
    for audience in ("group:ab", "org"):
        report = committed(engine, import_objects, bob, [_note(tenants, secret, level="amber")], audience=audience)
        assert report.new_versions == 1
    # A note about an object of the same bundle: what the import writes counts.
    own = actor("Bravo's own", created_by_ref=bob.org_identity_id)
    report = committed(engine, import_objects, bob, [_note(tenants, own), own], audience="instance")
    assert report.new_versions == 2
    # A note about an object shared with the instance may go to a group (everyone in it sees the object).
    public = actor("Steppe Pack")
    committed(engine, import_objects, alice, [public], audience="instance")
    assert committed(engine, import_objects, bob, [_note(tenants, public)], audience="group:ab").new_versions == 1
    note = committed(engine, annotations.add_note, bob, public["id"], content="Osh", audience="org")
    assert committed(engine, sharing.share, bob, note["id"], "instance")["added"] == 1
    # Sharing ordinary objects is unchanged.
    mine = actor("Bravo cell")
    committed(engine, import_objects, bob, [mine], audience="org")
    assert committed(engine, sharing.share, bob, mine["id"], "instance")["added"] == 1


def test_a_partners_notes_about_objects_shared_with_its_group_come_back(tenants, partner):
    """ingest.received → import, as a sync does: the partner's note on our object shared with
    group 'ar' is stored for 'ar'; one on an object of 'ab' (which the partner does not see) as an
    unknown id's."""
    engine, alice = tenants.engine, tenants.principal("alice")
    shared = actor("Wakhan Couriers", created_by_ref=alice.org_identity_id)
    committed(engine, import_objects, alice, [shared], audience="group:ar")
    secret = _secret_of_ab(tenants)
    notes = [
        sdo("note", content="seen at Ishkashim", object_refs=[shared["id"]]),
        sdo("opinion", opinion="agree", object_refs=[shared["id"]]),
    ]
    screened = received.Screened(accepted=list(notes))
    successes, failures = committed(engine, received.store_screened, partner, "group:ar", screened, sender="Remote")
    assert failures == [] and len(successes) == 2
    assert len(committed(engine, annotations.about, alice, shared["id"]).notes) == 1
    # A partner's note about an object it sees only in another of its groups does not go to 'ar'.
    committed(engine, accounts.create_group, "ar2", ["Alpha", "Remote"])
    narrow = actor("Pamir route", created_by_ref=alice.org_identity_id)
    committed(engine, import_objects, tenants.principal("alice"), [narrow], audience="group:ar2")
    screened = received.Screened(
        accepted=[
            sdo("note", content="x", object_refs=[narrow["id"]]),
            sdo("note", content="y", object_refs=[secret["id"]]),
        ]
    )
    successes, failures = committed(
        engine, received.store_screened, tenants.principal("remo"), "group:ar", screened, sender="Remote"
    )
    assert len(failures) == 1 and "not everyone in 'group:ar'" in failures[0]["message"]
    assert len(successes) == 1


def test_a_merge_whose_entity_went_narrower_is_withdrawn_when_split(tenants):
    engine, alice, bob = tenants.engine, tenants.principal("alice"), tenants.principal("bob")
    main = sdo("identity", name="Halim Rasulov", identity_class="individual", created_by_ref=alice.org_identity_id)
    variant = sdo("identity", name="Khalim Rasulov", identity_class="individual")
    committed(engine, import_objects, alice, [main, variant], audience="instance")
    merged = committed(engine, merges.merge, bob, variant["id"], main["id"])
    assert committed(engine, merges.merges_of, tenants.principal("carol"), main["id"])
    narrower = dict(main, modified="2025-06-01T00:00:00.000Z", description="Now in Osh")
    committed(engine, import_objects, alice, [narrower], audience="group:ab")
    committed(engine, merges.split, bob, merged["id"])
    assert _hidden_from_carol(tenants, merged["id"])
    assert committed(engine, merges.merges_of, bob, main["id"]) == []
