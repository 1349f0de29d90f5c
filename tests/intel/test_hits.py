"""Hit/no-hit queries and requests for information, on one instance: only what owners made
discoverable answers, answers say who holds a value and never what, references are fresh, and a
request shares what matched only when the holder approves.

Alpha and Bravo share the group 'ab'; Charlie is outside it; adam is Alpha's admin (tests/conftest.py)."""

from __future__ import annotations

import uuid

import pytest
from stixdata import sdo
from txn import committed

from liaison.errors import Conflict, InvalidInput, NotFound, RateLimited
from liaison.ingest.bundles import import_objects
from liaison.intel import discovery, hits, requests, sharing
from liaison.stix import tlp
from liaison.store import hits as store_hits
from liaison.store import reads

DOMAIN = "smuggling-route.example"


def sco(kind: str, value: str, level: str | None = None) -> dict:
    obj = {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid.uuid4()}", "value": value}
    if level:
        obj["object_marking_refs"] = [tlp.TLP2_IDS[level]]
    return obj


def put(tenants, user: str, *objects: dict, audience: str = "org") -> None:
    committed(tenants.engine, import_objects, tenants.principal(user), list(objects), audience=audience)


def ask(tenants, user: str, *asked: str, limits: hits.Limits = hits.Limits()) -> hits.Answer:
    return committed(tenants.engine, hits.ask, tenants.principal(user), [hits.Asked(a) for a in asked], limits=limits)


def holders(answer: hits.Answer) -> list[list[str]]:
    return [[h.organisation for h in r.holders] for r in answer.results]


def discoverable(tenants, user: str, stix_id: str, *scopes: str):
    return committed(tenants.engine, discovery.set_object, tenants.principal(user), stix_id, list(scopes))


def test_nothing_answers_until_its_owner_makes_it_discoverable(tenants):
    held = sco("domain-name", DOMAIN)
    put(tenants, "bob", held, audience="group:ab")  # Alpha can even see it: seeing is not discovering
    assert holders(ask(tenants, "alice", DOMAIN, "nobody-holds.example")) == [[], []]
    discoverable(tenants, "bob", held["id"], "instance")
    answer = ask(tenants, "alice", DOMAIN.upper() + ".", "nobody-holds.example")
    assert holders(answer) == [["Bravo"], []]
    assert [r.hit for r in answer.results] == [True, False]
    assert answer.results[0].normalised == DOMAIN
    assert holders(ask(tenants, "carol", DOMAIN)) == [["Bravo"]]
    assert holders(ask(tenants, "bob", DOMAIN)) == [[]]  # one's own holdings are not a partner's hit


def test_a_group_scope_answers_only_the_groups_members(tenants):
    held = sco("domain-name", DOMAIN)
    put(tenants, "bob", held)
    discoverable(tenants, "bob", held["id"], "group:ab")
    assert holders(ask(tenants, "alice", DOMAIN)) == [["Bravo"]]
    assert holders(ask(tenants, "carol", DOMAIN)) == [[]]
    with pytest.raises(InvalidInput):  # Charlie cannot name a group it is not in
        put(tenants, "carol", mine := sco("domain-name", "c.example"))
        discoverable(tenants, "carol", mine["id"], "group:ab")


def test_tlp_red_answers_named_groups_only_and_amber_strict_no_one(tenants):
    red, strict = sco("domain-name", "red.example", "red"), sco("domain-name", "strict.example", "amber+strict")
    put(tenants, "bob", red, strict)
    discoverable(tenants, "bob", red["id"], "instance", "group:ab")
    discoverable(tenants, "bob", strict["id"], "instance", "group:ab", "partners")
    assert holders(ask(tenants, "carol", "red.example", "strict.example")) == [[], []]
    assert holders(ask(tenants, "alice", "red.example", "strict.example")) == [["Bravo"], []]


def test_the_organisation_default_applies_unless_an_object_says_otherwise(tenants):
    first, second = sco("domain-name", "one.example"), sco("domain-name", "two.example")
    put(tenants, "alice", first, second)
    assert holders(ask(tenants, "bob", "one.example")) == [[]]
    with pytest.raises(Exception, match="admin"):  # an analyst does not set the organisation's default
        committed(tenants.engine, discovery.set_default, tenants.principal("alice"), ["instance"])
    committed(tenants.engine, discovery.set_default, tenants.principal("adam"), ["instance"])
    discoverable(tenants, "alice", second["id"], "none")
    assert holders(ask(tenants, "bob", "one.example", "two.example")) == [["Alpha"], []]
    seen = committed(tenants.engine, discovery.of_object, tenants.principal("alice"), first["id"])
    assert (seen.own, seen.effective) == (["default"], ["instance"])


def test_a_newer_version_without_the_value_no_longer_answers(tenants):
    old = sdo(
        "indicator", pattern=f"[domain-name:value = '{DOMAIN}']", pattern_type="stix", valid_from="2025-01-01T00:00:00Z"
    )
    new = {**old, "modified": "2025-02-01T00:00:00.000Z", "pattern": "[domain-name:value = 'other.example']"}
    put(tenants, "bob", old)
    discoverable(tenants, "bob", old["id"], "instance")
    assert holders(ask(tenants, "alice", DOMAIN)) == [["Bravo"]]
    put(tenants, "bob", new)
    assert holders(ask(tenants, "alice", DOMAIN, "other.example")) == [[], ["Bravo"]]


def test_references_are_fresh_and_an_answer_says_nothing_of_how_many(tenants):
    many = [sco("domain-name", DOMAIN) for _ in range(3)]
    put(tenants, "bob", *many)
    for obj in many:
        discoverable(tenants, "bob", obj["id"], "instance")
    first, second = ask(tenants, "alice", DOMAIN), ask(tenants, "alice", DOMAIN)
    assert holders(first) == [["Bravo"]]  # three objects, one holder
    assert first.results[0].holders[0].reference != second.results[0].holders[0].reference
    text = str(first.as_dict())
    assert not any(obj["id"] in text for obj in many) and "domain-name--" not in text


def test_no_reference_reads_as_an_option_on_a_command_line():
    """`liaison request send REFERENCE`: a reference starting with '-' was taken for an option (one
    random reference in 64 began so)."""
    references = {store_hits.fresh_reference() for _ in range(5000)}
    assert len(references) == 5000 and not any(r.startswith("-") for r in references)


def test_an_unseen_entity_is_refused_as_unknown_and_a_held_one_answers(tenants):
    group = sdo("intrusion-set", name="Route cell")
    put(tenants, "bob", group, audience="group:ab")
    discoverable(tenants, "bob", group["id"], "instance")
    asked = [hits.Asked(group["id"], "entity")]
    answer = committed(tenants.engine, hits.ask, tenants.principal("alice"), asked)
    assert holders(answer) == [["Bravo"]]
    with pytest.raises(NotFound) as unseen:  # Charlie does not see it: as if it did not exist
        committed(tenants.engine, hits.ask, tenants.principal("carol"), asked)
    with pytest.raises(NotFound) as missing:
        committed(
            tenants.engine,
            hits.ask,
            tenants.principal("carol"),
            [hits.Asked(f"intrusion-set--{uuid.uuid4()}", "entity")],
        )
    assert unseen.value.message.split(" ")[:2] == missing.value.message.split(" ")[:2]


def test_the_rate_limit_refuses_a_query_past_it_and_says_what_is_left(tenants):
    limits = hits.Limits(per_window=3, window_seconds=3600)
    answer = ask(tenants, "alice", "a.example", "b.example", limits=limits)
    assert answer.rate_limit.remaining == 1
    with pytest.raises(RateLimited) as refused:
        ask(tenants, "alice", "c.example", "d.example", limits=limits)
    assert refused.value.details["remaining"] == 1 and refused.value.details["retry_after"] >= 1
    assert ask(tenants, "bob", "c.example", "d.example", limits=limits).rate_limit.remaining == 1  # per organisation


def test_history_is_the_askers_own(tenants):
    ask(tenants, "alice", DOMAIN)
    mine = committed(tenants.engine, hits.history, tenants.principal("alice"))
    assert [r["value"] for q in mine for r in q["results"]] == [DOMAIN]
    assert committed(tenants.engine, hits.history, tenants.principal("bob")) == []


def _hit(tenants, holder: str = "bob", asker: str = "alice", scope: str = "instance") -> tuple[dict, str]:
    held = sco("domain-name", DOMAIN)
    put(tenants, holder, held)
    discoverable(tenants, holder, held["id"], scope)
    return held, ask(tenants, asker, DOMAIN).results[0].holders[0].reference


def test_an_approved_request_shares_what_matched_with_the_requester_alone(tenants):
    held, reference = _hit(tenants)
    alice, bob, carol = (tenants.principal(u) for u in ("alice", "bob", "carol"))
    assert committed(tenants.engine, reads.current_versions, alice, [held["id"]]) == {}
    made = committed(tenants.engine, requests.ask, alice, reference, "seizure at the border, case 41")
    assert (made.holder, made.status, made.overdue) == ("Bravo", "open", False)
    assert made.deadline > made.created_at
    inbox = committed(tenants.engine, requests.listed, bob, "inbox")
    assert [(r.id, r.requester, r.value) for r in inbox] == [(made.id, "Alpha", DOMAIN)]
    assert committed(tenants.engine, requests.listed, carol, "inbox") == []
    for outsider in (carol, alice):  # neither a stranger nor the requester decides
        with pytest.raises(NotFound):
            committed(tenants.engine, requests.decide, outsider, made.id, approve=True)
    done = committed(tenants.engine, requests.decide, bob, made.id, approve=True, message="see case file")
    assert (done.status, done.shared) == ("approved", [held["id"]])
    assert held["id"] in committed(tenants.engine, reads.current_versions, alice, [held["id"]])
    assert committed(tenants.engine, reads.current_versions, carol, [held["id"]]) == {}
    with pytest.raises(Conflict):
        committed(tenants.engine, requests.decide, bob, made.id, approve=False)
    sent = committed(tenants.engine, requests.listed, alice, "sent")
    assert [(r.status, r.message) for r in sent] == [("approved", "see case file")]


def test_a_request_is_answered_as_missing_to_anyone_else(tenants):
    _held, reference = _hit(tenants)
    carol = tenants.principal("carol")
    with pytest.raises(NotFound) as stolen:  # another organisation's reference
        committed(tenants.engine, requests.ask, carol, reference, "curious")
    with pytest.raises(NotFound) as invented:
        committed(tenants.engine, requests.ask, carol, "not-a-reference", "curious")
    assert stolen.value.message == invented.value.message
    made = committed(tenants.engine, requests.ask, tenants.principal("alice"), reference, "case 41")
    with pytest.raises(NotFound) as other:
        committed(tenants.engine, requests.get, carol, made.id)
    with pytest.raises(NotFound) as none:
        committed(tenants.engine, requests.get, carol, str(uuid.uuid4()))
    assert other.value.message == none.value.message


def test_approval_checks_discoverability_again_and_declining_shares_nothing(tenants):
    held, reference = _hit(tenants)
    alice, bob = tenants.principal("alice"), tenants.principal("bob")
    made = committed(tenants.engine, requests.ask, alice, reference, "case 41")
    discoverable(tenants, "bob", held["id"], "none")
    with pytest.raises(InvalidInput, match="discoverable"):
        committed(tenants.engine, requests.decide, bob, made.id, approve=True)
    done = committed(tenants.engine, requests.decide, bob, made.id, approve=False, message="not now")
    assert (done.status, done.shared, done.message) == ("declined", [], "not now")
    assert committed(tenants.engine, reads.current_versions, alice, [held["id"]]) == {}


def test_an_overdue_request_is_marked(tenants):
    _held, reference = _hit(tenants)
    made = committed(tenants.engine, requests.ask, tenants.principal("alice"), reference, "case 41", hours=1)
    assert not made.overdue
    with tenants.engine.begin() as conn:  # an hour goes by, and more
        conn.exec_driver_sql("UPDATE info_request SET deadline = '2000-01-01T00:00:00.000000Z'")
    [seen] = committed(tenants.engine, requests.listed, tenants.principal("bob"), "inbox")
    assert seen.overdue and seen.status == "open"


def test_direct_sharing_with_a_named_organisation(tenants):
    amber, strict = (
        sdo("intrusion-set", name="Amber cell", level="amber"),
        sdo("intrusion-set", name="Strict", level="amber+strict"),
    )
    put(tenants, "alice", amber, strict)
    alice = tenants.principal("alice")
    shared = committed(tenants.engine, sharing.share, alice, amber["id"], "org:Charlie")
    assert shared["audience"] == "org:Charlie"
    assert amber["id"] in committed(tenants.engine, reads.current_versions, tenants.principal("carol"), [amber["id"]])
    assert committed(tenants.engine, reads.current_versions, tenants.principal("bob"), [amber["id"]]) == {}
    with pytest.raises(InvalidInput, match="AMBER\\+STRICT"):
        committed(tenants.engine, sharing.share, alice, strict["id"], "org:Charlie")
    reach = committed(tenants.engine, sharing.reach, alice, amber["id"])
    assert "org:Charlie" in [label for label, _at in reach.audiences]
    committed(tenants.engine, sharing.unshare, alice, amber["id"], "org:Charlie")
    assert committed(tenants.engine, reads.current_versions, tenants.principal("carol"), [amber["id"]]) == {}
