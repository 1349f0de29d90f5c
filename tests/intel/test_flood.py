"""Correlation flood control: warning lists switched per organisation or for the instance, and the
admins' exclusions by value, type and source organisation. Each changes the correlations of the
organisation that set it (all of them, for the operator's), and only those; no one reaches another
organisation's rows.

Alpha and Bravo share the group 'ab'; Charlie is outside it (tests/conftest.py `tenants`); adam is
Alpha's admin, bea Bravo's, ops the operator."""

from __future__ import annotations

import uuid

import pytest
from stixdata import sdo
from txn import committed

from liaison import accounts, audit
from liaison.errors import Conflict, Forbidden, InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import correlation, flood

ADDRESS = "203.0.113.9"
RESOLVER = "8.8.8.8"
DNS = "List of known IPv4 public DNS resolvers"


@pytest.fixture
def staff(tenants):
    committed(tenants.engine, accounts.create_user, "bea", "Bravo", "admin")
    committed(tenants.engine, accounts.create_user, "ops", None, "operator")
    return tenants


def sco(kind: str, value: str) -> dict:
    return {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid.uuid4()}", "value": value}


def indicator(pattern: str) -> dict:
    return sdo("indicator", pattern=pattern, pattern_type="stix", valid_from="2025-01-01T00:00:00Z", name="Watch")


def put(t, user: str, *objects: dict, audience: str = "group:ab") -> None:
    committed(t.engine, import_objects, t.principal(user), list(objects), audience=audience)


def carrying(t, user: str, value: str, **kwargs) -> correlation.Correlations:
    return committed(t.engine, correlation.carrying, t.principal(user), value, **kwargs)


def around(t, user: str, stix_id: str, **kwargs) -> correlation.Correlations:
    return committed(t.engine, correlation.correlations, t.principal(user), stix_id, **kwargs)


def ids(found: correlation.Correlations) -> set[str]:
    return {h.id for h in found.hits}


def act(t, user: str, service, *args, **kwargs):
    return committed(t.engine, service, t.principal(user), *args, **kwargs)


# --- Warning lists ------------------------------------------------------------------------------


def test_a_list_switched_off_marks_nothing_for_that_organisation_only(staff):
    mine, theirs = sco("ipv4-addr", RESOLVER), sco("ipv4-addr", RESOLVER)
    put(staff, "alice", mine)
    put(staff, "bob", theirs)
    assert DNS in around(staff, "alice", mine["id"]).values[0].warning_lists

    switched = act(staff, "adam", flood.set_warning_list, DNS, False)
    assert (switched.enabled, switched.instance_enabled, switched.org_enabled) == (False, True, False)
    for_alice = around(staff, "alice", mine["id"])
    assert DNS not in for_alice.values[0].warning_lists and DNS not in for_alice.hits[0].warning_lists
    assert ids(for_alice) == {theirs["id"]}  # still correlates: a mark is not an exclusion
    for_bob = around(staff, "bob", theirs["id"])
    assert DNS in for_bob.values[0].warning_lists and DNS in for_bob.hits[0].warning_lists
    # Alpha's people see why; Bravo's see the list on.
    assert [w.enabled for w in act(staff, "rita", flood.warning_lists) if w.name == DNS] == [False]
    assert [w.enabled for w in act(staff, "bob", flood.warning_lists) if w.name == DNS] == [True]

    act(staff, "adam", flood.set_warning_list, DNS, True)
    assert DNS in around(staff, "alice", mine["id"]).values[0].warning_lists


def test_the_operators_switch_holds_for_every_organisation(staff):
    put(staff, "carol", sco("ipv4-addr", RESOLVER), audience="org")
    assert DNS in carrying(staff, "carol", RESOLVER).values[0].warning_lists
    act(staff, "ops", flood.set_warning_list, DNS, False)
    for user in ("alice", "bob", "carol"):
        assert DNS not in carrying(staff, user, RESOLVER).values[0].warning_lists, user
    # An admin switching it on for its organisation does not override the instance.
    state = act(staff, "adam", flood.set_warning_list, DNS, True)
    assert (state.enabled, state.instance_enabled, state.org_enabled) == (False, False, True)
    assert DNS not in carrying(staff, "alice", RESOLVER).values[0].warning_lists
    [seen] = [w for w in act(staff, "ops", flood.warning_lists) if w.name == DNS]
    assert (seen.enabled, seen.instance_enabled, seen.org_enabled) == (False, False, None)


def test_switching_is_audited_and_unknown_lists_are_refused(staff):
    act(staff, "adam", flood.set_warning_list, DNS, False)
    act(staff, "adam", flood.set_warning_list, DNS, False)  # already off: no change, no entry
    with pytest.raises(NotFound):
        act(staff, "adam", flood.set_warning_list, "No such list", False)
    with staff.engine.connect() as conn:
        entries = audit.entries(conn, "correlation.warninglist-off")
    assert [(e["actor"], e["target"], e["detail"]["scope"]) for e in entries] == [("adam", DNS, "Alpha")]


# --- Exclusions ---------------------------------------------------------------------------------


def test_an_excluded_value_answers_as_one_no_one_holds_for_that_organisation_only(staff):
    mine, theirs = sco("ipv4-addr", ADDRESS), sco("ipv4-addr", ADDRESS)
    put(staff, "alice", mine)
    put(staff, "bob", theirs)
    unheld = "192.0.2.77"
    act(staff, "adam", flood.add_exclusion, "value", ADDRESS, "ipv4")
    act(staff, "adam", flood.add_exclusion, "value", unheld, "ipv4")

    held = carrying(staff, "alice", ADDRESS)
    assert held.hits == [] and held.total == 0
    assert [(v.count, v.common, v.excluded) for v in held.values] == [(0, False, True)]
    nobody = carrying(staff, "alice", unheld)
    assert repr(held.as_dict()).replace(ADDRESS, "V") == repr(nobody.as_dict()).replace(unheld, "V")
    mine_around = around(staff, "alice", mine["id"])
    assert ids(mine_around) == set() and mine_around.values[0].excluded
    # Bravo's correlations are its own.
    assert ids(around(staff, "bob", theirs["id"])) == {mine["id"]}
    assert not carrying(staff, "bob", ADDRESS).values[0].excluded


def test_an_excluded_network_no_longer_matches_the_addresses_inside(staff):
    block = indicator("[ipv4-addr:value = '203.0.113.0/24']")
    inside = sco("ipv4-addr", ADDRESS)
    put(staff, "bob", block)
    put(staff, "alice", inside)
    assert ids(around(staff, "alice", inside["id"])) == {block["id"]}
    act(staff, "adam", flood.add_exclusion, "value", "203.0.113.0/24")
    assert ids(around(staff, "alice", inside["id"])) == set()
    assert ids(around(staff, "bob", inside["id"])) == {block["id"]}


def test_an_excluded_type_or_kind_drops_those_hits(staff):
    watch = indicator(f"[ipv4-addr:value = '{ADDRESS}']")
    seen = sco("ipv4-addr", ADDRESS)
    mine = sco("ipv4-addr", ADDRESS)
    put(staff, "bob", watch, seen)
    put(staff, "alice", mine)
    assert ids(around(staff, "alice", mine["id"])) == {watch["id"], seen["id"]}

    excluded = act(staff, "adam", flood.add_exclusion, "type", "Indicator")
    assert (excluded.what, excluded.value, excluded.scope) == ("type", "indicator", "organisation")
    found = around(staff, "alice", mine["id"])
    assert ids(found) == {seen["id"]} and found.values[0].count == 1 and found.total == 1
    assert ids(around(staff, "bob", seen["id"])) == {watch["id"], mine["id"]}

    act(staff, "adam", flood.add_exclusion, "type", "ipv4")  # a value kind: no ipv4 correlates for Alpha
    by_kind = around(staff, "alice", mine["id"])
    assert ids(by_kind) == set() and by_kind.values[0].excluded
    assert ids(around(staff, "bob", seen["id"])) == {watch["id"], mine["id"]}


def test_an_excluded_source_drops_what_only_it_holds_and_common_is_judged_after(staff):
    value = "198.51.100.5"
    mine = sco("ipv4-addr", value)
    put(staff, "alice", mine)
    from_bravo = [sco("ipv4-addr", value) for _ in range(3)]
    put(staff, "bob", *from_bravo)
    both = sco("ipv4-addr", value)  # held by Bravo and by Charlie, for the whole instance
    put(staff, "bob", both, audience="instance")
    put(staff, "carol", both, audience="instance")
    # Five objects carry it: more than the cap, and counting stops at the cap + 1.
    assert [(v.count, v.common) for v in carrying(staff, "alice", value, cap=3).values] == [(4, True)]

    act(staff, "adam", flood.add_exclusion, "org", "Bravo")
    found = carrying(staff, "alice", value, cap=3)
    assert [(v.count, v.common) for v in found.values] == [(2, False)]
    assert ids(found) == {mine["id"], both["id"]}
    assert {h.held_by for h in found.hits if h.id == both["id"]} == {"Charlie"}
    assert carrying(staff, "carol", value, cap=3).values[0].count == 1  # Charlie's view is its own
    assert carrying(staff, "bob", value, cap=10).values[0].count == 5


def test_exclusions_take_merged_entities_out_too(staff):
    first, second = sdo("intrusion-set", name="Zarafshon Couriers"), sdo("intrusion-set", name="Zarafshan Couriers")
    put(staff, "bob", first, second)
    from liaison.intel import merges

    act(staff, "bob", merges.merge, second["id"], first["id"], audience="group:ab")
    assert ids(around(staff, "alice", first["id"])) == {second["id"]}
    act(staff, "adam", flood.add_exclusion, "org", "Bravo")
    found = around(staff, "alice", first["id"])
    assert ids(found) == set() and found.values == []
    assert ids(around(staff, "bob", first["id"])) == {second["id"]}


def test_bad_exclusions_are_refused(staff):
    for what, value in (("value", "not a value"), ("type", "no spaces"), ("org", "Nobody"), ("colour", "red")):
        with pytest.raises(InvalidInput):
            act(staff, "adam", flood.add_exclusion, what, value)
    act(staff, "adam", flood.add_exclusion, "value", "EVIL.example.com.")
    with pytest.raises(Conflict):
        act(staff, "adam", flood.add_exclusion, "value", "evil.example.com", "domain-name")


# --- Who may do what ----------------------------------------------------------------------------


def test_analysts_and_readers_see_what_applies_to_them_and_change_nothing(staff):
    row = act(staff, "adam", flood.add_exclusion, "value", ADDRESS)
    for user in ("alice", "rita"):
        assert [e.id for e in act(staff, user, flood.list_exclusions)] == [row.id]
        assert not act(staff, user, flood.get_exclusion, row.id).removable
        for change in (
            lambda u=user: act(staff, u, flood.add_exclusion, "value", "192.0.2.1"),
            lambda u=user: act(staff, u, flood.remove_exclusion, row.id),
            lambda u=user: act(staff, u, flood.remove_exclusion, 999_999),
            lambda u=user: act(staff, u, flood.set_warning_list, DNS, False),
        ):
            with pytest.raises(Forbidden):
                change()
    assert [e.id for e in act(staff, "alice", flood.list_exclusions)] == [row.id]
    assert all(w.enabled for w in act(staff, "alice", flood.warning_lists))


def test_another_organisations_exclusion_answers_as_one_that_does_not_exist(staff):
    row = act(staff, "adam", flood.add_exclusion, "value", ADDRESS)
    assert act(staff, "bea", flood.list_exclusions) == []
    missing = row.id + 1000
    for service in (flood.get_exclusion, flood.remove_exclusion):
        answers = []
        for exclusion_id in (row.id, missing):
            with pytest.raises(NotFound) as caught:
                act(staff, "bea", service, exclusion_id)
            answers.append((caught.value.status, caught.value.code, caught.value.message, caught.value.details))
        assert answers[0] == answers[1], service
    with pytest.raises(NotFound):  # the operator manages the instance's rows, not an organisation's
        act(staff, "ops", flood.remove_exclusion, row.id)
    assert [e.id for e in act(staff, "alice", flood.list_exclusions)] == [row.id]  # still there


def test_the_operators_exclusion_applies_to_every_organisation(staff):
    for user in ("alice", "bob", "carol"):
        put(staff, user, sco("ipv4-addr", ADDRESS), sco("ipv4-addr", ADDRESS), audience="org")
        assert carrying(staff, user, ADDRESS).values[0].count == 2
    row = act(staff, "ops", flood.add_exclusion, "value", ADDRESS)
    assert row.scope == "instance" and row.removable
    for user in ("alice", "bob", "carol"):
        assert carrying(staff, user, ADDRESS).values[0].excluded, user
        [seen] = act(staff, user, flood.list_exclusions)
        assert (seen.id, seen.scope, seen.removable, seen.created_by) == (row.id, "instance", False, "operator")
    # An organisation's admin is shown it, and may not remove it; the operator may.
    with pytest.raises(Forbidden):
        act(staff, "adam", flood.remove_exclusion, row.id)
    act(staff, "ops", flood.remove_exclusion, row.id)
    assert carrying(staff, "carol", ADDRESS).values[0].count == 2
    with staff.engine.connect() as conn:
        actions = [(e["actor"], e["action"]) for e in audit.entries(conn) if e["action"].startswith("correlation.")]
    assert actions == [("ops", "correlation.exclusion-remove"), ("ops", "correlation.exclusion-add")]
