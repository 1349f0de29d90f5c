"""Opinions, notes and sightings go no wider, and no weaker in TLP, than the object they annotate
is visible to their author (issue 10, item 6); merges made by partner accounts. Both databases."""

from __future__ import annotations

import pytest

from liaison import accounts
from liaison.errors import InvalidInput, NotFound
from liaison.federation.partners import add_partner
from liaison.ingest.bundles import import_objects
from liaison.intel import annotations, merges
from liaison.stix import tlp
from stixdata import actor, sdo

UNKNOWN = "intrusion-set--00000000-0000-4000-8000-000000000000"


@pytest.fixture
def red(tenants):
    """Alpha's TLP:RED actor, shared with group ab (Alpha, Bravo)."""
    obj = actor("Black Saxaul", level="red", created_by_ref=tenants.principal("alice").org_identity_id)
    import_objects(tenants.engine, tenants.principal("alice"), [obj], audience="group:ab")
    return obj


@pytest.fixture
def partner(tenants):
    """A partner instance 'Remote' with a sync account 'remo', in group 'ar' with Alpha."""
    with tenants.engine.begin() as conn:
        add_partner(conn, "Remote", None, None, None)
    accounts.create_group(tenants.engine, "ar", ["Alpha", "Remote"])
    accounts.create_user(tenants.engine, "remo", "Remote", "sync")
    return tenants.principal("remo")


def _nothing_about(tenants, stix_id: str, *users: str) -> bool:
    return all(annotations.about(tenants.engine, tenants.principal(u), stix_id) == annotations.Annotations()
               for u in users)


def test_annotations_of_a_red_group_object_stay_in_the_group_and_red(tenants, red):
    engine, bob = tenants.engine, tenants.principal("bob")
    with pytest.raises(InvalidInput, match="not everyone in 'instance' sees"):
        annotations.add_note(engine, bob, red["id"], content="Seen at Torugart", audience="instance")
    with pytest.raises(InvalidInput, match="TLP:RED"):
        annotations.add_opinion(engine, bob, red["id"], opinion="agree", audience="group:ab", tlp="clear")
    with pytest.raises(InvalidInput, match="not everyone in .instance. sees"):
        annotations.add_sighting(engine, bob, red["id"], count=1, audience="instance", tlp="red")
    # Charlie, outside the group, reads nothing with the object's id; nothing was saved at all.
    assert _nothing_about(tenants, red["id"], "carol", "alice", "bob")
    # Without a TLP an annotation takes the object's: it is never weaker than what it is about.
    note = annotations.add_note(engine, bob, red["id"], content="Seen at Torugart", audience="group:ab")
    assert tlp.level_of_object(note) == "red"
    assert annotations.add_opinion(engine, bob, red["id"], opinion="agree", audience="org")["id"]
    assert len(annotations.about(engine, tenants.principal("alice"), red["id"]).notes) == 1
    assert _nothing_about(tenants, red["id"], "carol")


def test_the_current_version_sets_the_reach_not_an_older_wider_one(tenants):
    engine, alice, bob = tenants.engine, tenants.principal("alice"), tenants.principal("bob")
    v1 = actor("Steppe Pack", created_by_ref=alice.org_identity_id)
    v2 = dict(v1, modified="2025-06-01T00:00:00.000Z", description="Now run from Osh")
    import_objects(engine, alice, [v1], audience="instance")
    import_objects(engine, alice, [v2], audience="group:ab")
    with pytest.raises(InvalidInput, match="sees this object"):
        annotations.add_note(engine, bob, v1["id"], content="Osh again", audience="instance")
    assert annotations.audience_choices(engine, bob, v1["id"])[1] == "group:ab"
    # Charlie sees the first version, shared with the instance: that is where its note goes by default.
    choices, default = annotations.audience_choices(engine, tenants.principal("carol"), v1["id"])
    assert [c.spec for c in choices] == ["org", "instance"] and default == "instance"


def test_the_default_is_the_audience_the_object_is_seen_through(tenants):
    """The narcotics case: the default used to be the smallest group holding the owner
    (counter-terrorism), whose members cannot see the route, instead of the taskforce."""
    engine, alice, bob = tenants.engine, tenants.principal("alice"), tenants.principal("bob")
    accounts.create_group(engine, "counter-terrorism", ["Alpha", "Bravo"])
    accounts.create_group(engine, "narcotics", ["Alpha", "Bravo", "Charlie"])
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    route = sdo("infrastructure", name="Khorog heroin route", created_by_ref=alice.org_identity_id)
    import_objects(engine, alice, [route], audience="group:narcotics")
    choices, default = annotations.audience_choices(engine, bob, route["id"])
    assert default == "group:narcotics"
    assert [c.spec for c in choices] == ["org", "group:narcotics"]
    with pytest.raises(InvalidInput, match="not everyone in 'group:counter-terrorism'") as refused:
        annotations.add_note(engine, bob, route["id"], content="x", audience="group:counter-terrorism")
    assert refused.value.message.endswith("you can share it with: org, group:narcotics")
    # The owner's own note defaults to where it shared the route too, not to itself alone.
    assert annotations.audience_choices(engine, alice, route["id"])[1] == "group:narcotics"
    # Without an object (drafts, merges, imports) every audience of the principal is offered.
    everything, default = annotations.audience_choices(engine, bob)
    assert default == "org" and [c.spec for c in everything] == [
        "org", "group:ab", "group:counter-terrorism", "group:narcotics", "instance"]


def test_the_narrowest_of_several_audiences_is_the_default(tenants):
    """Two chains of one content: Alpha's for group ab, Bravo's for the instance."""
    engine = tenants.engine
    shared = sdo("indicator", name="Torugart beacon", pattern="[ipv4-addr:value = '203.0.113.9']",
                 pattern_type="stix", valid_from="2025-01-01T00:00:00Z")
    import_objects(engine, tenants.principal("alice"), [shared], audience="group:ab")
    import_objects(engine, tenants.principal("bob"), [shared], audience="instance")
    choices, default = annotations.audience_choices(engine, tenants.principal("bob"), shared["id"])
    assert [c.spec for c in choices] == ["org", "group:ab", "instance"] and default == "group:ab"
    private = actor("Hidden Tamarisk")
    import_objects(engine, tenants.principal("bob"), [private], audience="org")
    choices, default = annotations.audience_choices(engine, tenants.principal("bob"), private["id"])
    assert [c.spec for c in choices] == ["org"] and default == "org"


def test_errors_name_no_audience_the_caller_cannot_use(tenants, red, partner):
    engine, bob, carol = tenants.engine, tenants.principal("bob"), tenants.principal("carol")
    with pytest.raises(InvalidInput) as unknown:
        annotations.add_note(engine, bob, red["id"], content="x", audience="group:ar")
    assert unknown.value.message == "unknown audience 'group:ar'; you can share it with: org, group:ab"
    # An invisible object gets the answer an unknown one gets, whatever the audience asked for.
    for audience in ("group:ab", "instance", "org"):
        with pytest.raises(NotFound) as hidden:
            annotations.add_note(engine, carol, red["id"], content="probe", audience=audience)
        with pytest.raises(NotFound) as unknown:
            annotations.add_note(engine, carol, UNKNOWN, content="probe", audience=audience)
        assert hidden.value.message.replace(red["id"], UNKNOWN) == unknown.value.message
    # A partner account never reads the instance: it is not offered it.
    shared = actor("Wakhan Couriers", created_by_ref=tenants.principal("alice").org_identity_id)
    import_objects(engine, tenants.principal("alice"), [shared], audience="group:ar")
    with pytest.raises(InvalidInput) as refused:
        annotations.add_note(engine, partner, shared["id"], content="x", audience="instance")
    assert refused.value.message == "unknown audience 'instance'; you can share it with: org, group:ar"
    choices, default = annotations.audience_choices(engine, partner, shared["id"])
    assert [c.spec for c in choices] == ["org", "group:ar"] and default == "group:ar"
    assert "instance" not in [c.spec for c in annotations.audience_choices(engine, partner)[0]]


def test_a_partner_account_merges_with_auto_and_is_not_offered_the_instance(tenants, partner):
    engine, alice = tenants.engine, tenants.principal("alice")
    main = sdo("identity", name="Halim Rasulov", identity_class="individual")
    variant = sdo("identity", name="Khalim Rasulov", identity_class="individual")
    import_objects(engine, alice, [main, variant], audience="group:ar")
    with pytest.raises(InvalidInput) as refused:  # partners never read the instance: it is not offered
        merges.merge(engine, partner, variant["id"], main["id"], audience="instance")
    assert refused.value.message == "unknown audience 'instance'; you can share with: org, group:ar"
    merged = merges.merge(engine, partner, variant["id"], main["id"])
    assert [m["id"] for m in merges.merges_of(engine, alice, main["id"])] == [merged["id"]]  # shared with group ar
    assert merges.merges_of(engine, tenants.principal("bob"), main["id"]) == []
