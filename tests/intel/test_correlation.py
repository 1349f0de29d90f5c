"""Correlation over postings: what correlates, why, and only over what the caller may see.

Alpha and Bravo share the group 'ab'; Charlie is outside it (tests/conftest.py `tenants`)."""

from __future__ import annotations

import uuid

import pytest
from stixdata import sdo
from txn import committed

from liaison.errors import InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import correlation, sharing

ADDRESS = "203.0.113.9"
DNS = "List of known IPv4 public DNS resolvers"


def sco(kind: str, value: str, **props) -> dict:
    """An observable with a random id, as tools other than Liaison make them (so two
    organisations' observables of one value are two objects)."""
    return {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid.uuid4()}", "value": value, **props}


def indicator(pattern: str, **props) -> dict:
    return sdo(
        "indicator", pattern=pattern, pattern_type="stix", valid_from="2025-01-01T00:00:00Z", name="Watch", **props
    )


def put(tenants, user: str, *objects: dict, audience: str = "org") -> None:
    committed(tenants.engine, import_objects, tenants.principal(user), list(objects), audience=audience)


def correlations(tenants, user: str, stix_id: str, **kwargs) -> correlation.Correlations:
    return committed(tenants.engine, correlation.correlations, tenants.principal(user), stix_id, **kwargs)


def carrying(tenants, user: str, value: str, type_: str | None = None, **kwargs) -> correlation.Correlations:
    return committed(tenants.engine, correlation.carrying, tenants.principal(user), value, type_, **kwargs)


def hit_ids(found: correlation.Correlations) -> set[str]:
    return {h.id for h in found.hits}


def test_an_indicator_correlates_with_a_partners_observable(tenants):
    watch = indicator(f"[ipv4-addr:value = '{ADDRESS}']")
    put(tenants, "alice", watch, audience="group:ab")
    seen = sco("ipv4-addr", ADDRESS)
    put(tenants, "bob", seen, audience="group:ab")
    put(tenants, "carol", sco("ipv4-addr", ADDRESS))  # Charlie's own: not Alpha's to see

    found = correlations(tenants, "alice", watch["id"])
    assert [(v.kind, v.value, v.count, v.common) for v in found.values] == [("ipv4", ADDRESS, 1, False)]
    assert found.total == 1 and hit_ids(found) == {seen["id"]}
    hit = found.hits[0]
    assert (hit.value, hit.matched, hit.kind, hit.held_by, hit.type) == (ADDRESS, ADDRESS, "ipv4", "Bravo", "ipv4-addr")
    assert hit.how and hit.shared_at and hit.owner is None
    # And back: Bravo's observable finds Alpha's indicator, which names Alpha nowhere but its holding.
    back = correlations(tenants, "bob", seen["id"])
    assert hit_ids(back) == {watch["id"]} and back.hits[0].held_by == "Alpha"


def test_values_are_compared_normalised(tenants):
    put(tenants, "alice", sco("domain-name", "Evil.Example.COM."), audience="group:ab")
    theirs = sco("domain-name", "evil.example.com")
    put(tenants, "bob", theirs, audience="group:ab")
    found = carrying(tenants, "alice", "EVIL.example.com")
    assert theirs["id"] in hit_ids(found) and found.total == 2
    assert {h.matched for h in found.hits} == {"evil.example.com"}


def test_an_invisible_object_answers_as_a_missing_one(tenants):
    secret = sco("ipv4-addr", ADDRESS)
    put(tenants, "alice", secret)  # Alpha's alone
    missing = f"ipv4-addr--{uuid.uuid4()}"
    answers = []
    for stix_id in (secret["id"], missing):
        with pytest.raises(NotFound) as caught:
            correlations(tenants, "carol", stix_id)
        answers.append(caught.value.message.replace(stix_id, "ID"))
    assert answers[0] == answers[1]


def test_a_value_held_only_out_of_sight_answers_as_one_no_one_holds(tenants):
    before = carrying(tenants, "carol", ADDRESS).as_dict()
    other = carrying(tenants, "carol", "192.0.2.77").as_dict()
    put(tenants, "alice", sco("ipv4-addr", ADDRESS), indicator(f"[ipv4-addr:value = '{ADDRESS}']"))
    put(tenants, "bob", sco("ipv4-addr", ADDRESS), audience="group:ab")
    after = carrying(tenants, "carol", ADDRESS).as_dict()
    assert after == before
    assert after["total"] == 0 and after["values"][0]["count"] == 0
    assert repr(after).replace(ADDRESS, "V") == repr(other).replace("192.0.2.77", "V")


def test_common_is_judged_over_the_callers_view(tenants):
    value = "198.51.100.5"
    put(tenants, "carol", *(sco("ipv4-addr", value) for _ in range(4)))  # common, but only for Charlie
    mine, theirs = sco("ipv4-addr", value), sco("ipv4-addr", value)
    put(tenants, "alice", mine, audience="group:ab")
    put(tenants, "bob", theirs, audience="group:ab")

    for_alice = carrying(tenants, "alice", value, cap=3)
    assert [(v.count, v.common) for v in for_alice.values] == [(2, False)]
    assert hit_ids(for_alice) == {mine["id"], theirs["id"]}
    around = correlations(tenants, "alice", mine["id"], cap=3)
    assert (around.values[0].count, around.total, hit_ids(around)) == (1, 1, {theirs["id"]})

    for_carol = carrying(tenants, "carol", value, cap=3)
    assert [(v.count, v.common) for v in for_carol.values] == [(4, True)]
    assert for_carol.hits == [] and for_carol.total == 0


def test_a_withdrawn_hit_disappears(tenants):
    mine, theirs = sco("ipv4-addr", ADDRESS), sco("ipv4-addr", ADDRESS)
    put(tenants, "alice", mine, audience="group:ab")
    put(tenants, "bob", theirs, audience="group:ab")
    assert hit_ids(correlations(tenants, "alice", mine["id"])) == {theirs["id"]}
    committed(tenants.engine, sharing.unshare, tenants.principal("bob"), theirs["id"], "group:ab")
    gone = correlations(tenants, "alice", mine["id"])
    assert gone.total == 0 and gone.hits == [] and gone.values[0].count == 0
    assert hit_ids(correlations(tenants, "bob", theirs["id"])) == {mine["id"]}  # Bravo still sees Alpha's


def test_only_current_versions_correlate(tenants):
    old, new = "192.0.2.10", "192.0.2.20"
    v1 = indicator(f"[ipv4-addr:value = '{old}']")
    v2 = dict(v1, modified="2025-02-01T00:00:00.000Z", pattern=f"[ipv4-addr:value = '{new}']")
    put(tenants, "bob", v1, v2, audience="group:ab")
    assert hit_ids(carrying(tenants, "alice", old)) == set()
    assert hit_ids(carrying(tenants, "alice", new)) == {v1["id"]}
    v3 = dict(v2, modified="2025-03-01T00:00:00.000Z", revoked=True)
    put(tenants, "bob", v3, audience="group:ab")
    assert carrying(tenants, "alice", new).total == 0
    with pytest.raises(NotFound):
        correlations(tenants, "alice", v1["id"])


def test_networks_contain_addresses(tenants):
    block = indicator("[ipv4-addr:value = '203.0.113.0/24']")
    put(tenants, "bob", block, audience="group:ab")
    inside, outside = sco("ipv4-addr", ADDRESS), sco("ipv4-addr", "203.0.114.1")
    put(tenants, "alice", inside, outside, audience="group:ab")

    found = correlations(tenants, "alice", inside["id"])
    assert hit_ids(found) == {block["id"]}
    assert (found.hits[0].value, found.hits[0].matched) == (ADDRESS, "203.0.113.0/24")
    assert hit_ids(correlations(tenants, "alice", outside["id"])) == set()
    assert hit_ids(correlations(tenants, "alice", block["id"])) == {inside["id"]}
    assert hit_ids(carrying(tenants, "alice", "203.0.113.0/24")) == {block["id"], inside["id"]}


def test_warning_lists_mark_known_benign_values(tenants):
    resolver, theirs = sco("ipv4-addr", "8.8.8.8"), sco("ipv4-addr", "8.8.8.8")
    put(tenants, "alice", resolver, audience="group:ab")
    put(tenants, "bob", theirs, audience="group:ab")
    found = correlations(tenants, "alice", resolver["id"])
    assert DNS in found.values[0].warning_lists
    assert DNS in found.hits[0].warning_lists
    assert carrying(tenants, "alice", ADDRESS).values[0].warning_lists == ()


def test_refusals(tenants):
    with pytest.raises(InvalidInput):
        carrying(tenants, "alice", "not a value of any kind")
    with pytest.raises(InvalidInput):
        carrying(tenants, "alice", "999.1.2.3", "ipv4")
    with pytest.raises(InvalidInput):
        correlations(tenants, "alice", "not-an-id")


def test_pages(tenants):
    mine = sco("ipv4-addr", ADDRESS)
    put(tenants, "alice", mine, audience="group:ab")
    theirs = [sco("ipv4-addr", ADDRESS) for _ in range(5)]
    put(tenants, "bob", *theirs, audience="group:ab")
    pages = [correlations(tenants, "alice", mine["id"], limit=2, offset=offset) for offset in (0, 2, 4)]
    assert [p.total for p in pages] == [5, 5, 5] and [len(p.hits) for p in pages] == [2, 2, 1]
    assert set().union(*(hit_ids(p) for p in pages)) == {t["id"] for t in theirs}


def test_entities_correlate_by_resolved_identity_as_far_as_the_merge_is_seen(tenants):
    """A merge (duplicate-of) makes two entities one: each correlates with the other, transitively,
    for whoever sees the merge and both ends; a merge kept in Alpha tells Bravo nothing."""
    from liaison.intel import merges

    first, second, third = (sdo("intrusion-set", name=n) for n in ("Zarafshon Couriers", "Zarafshan Couriers", "ZC"))
    put(tenants, "alice", first, second, third, audience="group:ab")
    committed(tenants.engine, merges.merge, tenants.principal("alice"), second["id"], first["id"], audience="org")
    committed(tenants.engine, merges.merge, tenants.principal("alice"), third["id"], first["id"], audience="org")
    found = correlations(tenants, "alice", second["id"])  # the third through the first
    assert hit_ids(found) == {first["id"], third["id"]}
    assert {h.kind for h in found.hits} == {"entity"} and found.values[0].count == 2
    assert hit_ids(correlations(tenants, "bob", first["id"])) == set()  # Bravo sees both ends, not the merges
    with pytest.raises(NotFound):
        correlations(tenants, "carol", first["id"])


def test_a_hit_names_its_owner_only_through_a_holding_the_caller_sees(tenants):
    """Found by review: Bravo, holding its own version under the id of Alpha's hidden indicator,
    was told the id's owner ('Alpha') by its own hit; an unknown id named no owner."""
    import copy

    secret = indicator("[ipv4-addr:value = '198.51.100.7']", created_by_ref=tenants.principal("alice").org_identity_id)
    put(tenants, "alice", secret)
    mine = {**copy.deepcopy(secret), "pattern": "[ipv4-addr:value = '192.0.2.200']"}
    mine.pop("created_by_ref")
    mine["modified"] = "2025-06-01T00:00:00.000Z"
    unknown = {**mine, "id": f"indicator--{uuid.uuid4()}"}
    probe = indicator("[ipv4-addr:value = '192.0.2.200']")
    put(tenants, "bob", mine, unknown, probe)
    found = correlations(tenants, "bob", probe["id"])
    assert hit_ids(found) == {mine["id"], unknown["id"]}
    assert {h.owner for h in found.hits} == {None} and {h.held_by for h in found.hits} == {"Bravo"}
    # Where the owner's own holding is one the reader sees, it is named.
    shared = indicator("[ipv4-addr:value = '192.0.2.201']", created_by_ref=tenants.principal("alice").org_identity_id)
    put(tenants, "alice", shared, audience="group:ab")
    assert {h.owner for h in carrying(tenants, "bob", "192.0.2.201").hits} == {"Alpha"}
