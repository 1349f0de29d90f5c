"""Hit/no-hit across three sovereign instances (own databases, own `liaison serve`), by private set
intersection: A and B agreed the group 'borders'; C is B's partner in no group with it. A asks B
about values, asks for what matched, B approves, and the next sync carries it to A alone."""

from __future__ import annotations

import uuid

import httpx
import orjson
import pytest
from instances import Instance
from sqlalchemy import select
from stixdata import sdo

from liaison import accounts
from liaison.db.tables import audit_event
from liaison.federation import partners
from liaison.intel import discovery, hits, merges, requests

ROUTE, OPEN, NOBODY = "route-41.example", "open-cell.example", "nobody-holds.example"
CROSSING = "crossing-7.example"


def domain(value: str) -> dict:
    return {"type": "domain-name", "spec_version": "2.1", "id": f"domain-name--{uuid.uuid4()}", "value": value}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One world for the module (three servers take some 20 s to start); each test asks about
    values of its own."""
    tmp_path = tmp_path_factory.mktemp("hits")
    a = Instance("A", "Alpha Agency", "alice", tmp_path)
    b = Instance("B", "Bravo Agency", "bob", tmp_path)
    c = Instance("C", "Charlie Agency", "carol", tmp_path)
    b.env["LIAISON_HIT_PARTNER_ELEMENTS_PER_WINDOW"] = "300"  # each query costs at least 64
    b.server.env["LIAISON_HIT_PARTNER_ELEMENTS_PER_WINDOW"] = "300"
    for instance in (a, b, c):
        instance.server.start()
    token_a_at_b, token_b_at_a = b.sync_account_for(a), a.sync_account_for(b)
    token_c_at_b = b.sync_account_for(c)
    with a.engine.begin() as conn:
        partners.update_partner(conn, "B", url=b.server.url + "/", token=token_a_at_b)
    with b.engine.begin() as conn:
        partners.update_partner(conn, "A", url=a.server.url + "/", token=token_b_at_a)
    with c.engine.begin() as conn:
        partners.add_partner(conn, "B", b.server.url, token_c_at_b, b.key.public_key)
    a.group("borders", ["Alpha Agency", "B"])
    b.group("borders", ["Bravo Agency", "A"])
    yield a, b, c
    for instance in (a, b, c):
        instance.server.stop()
        instance.engine.dispose()


def answers(instance: Instance, *values: str) -> list[list[tuple[str, str]]]:
    found = instance.cli("hit", *values, "--as", instance.user)
    assert found.returncode == 0, found.stderr
    with instance.engine.connect() as conn:
        [last] = hits.history(conn, accounts.principal_for_user(conn, instance.user), limit=1)
    return [[(h["organisation"], h["instance"]) for h in r["holders"]] for r in last["results"]]


def test_a_partner_learns_who_holds_what_it_asked_and_nothing_else(world):
    a, b, c = world
    route, open_cell, hidden = domain(ROUTE), domain(OPEN), domain("hidden.example")
    b.import_objects("bob", [route, open_cell, hidden])
    with b.engine.begin() as conn:
        bob = accounts.principal_for_user(conn, "bob")
        discovery.set_object(conn, bob, route["id"], ["group:borders"])
        discovery.set_object(conn, bob, open_cell["id"], ["partners"])

    assert answers(a, ROUTE, OPEN, NOBODY, "hidden.example") == [
        [("Bravo Agency", "B")],
        [("Bravo Agency", "B")],
        [],
        [],
    ]
    assert answers(c, ROUTE, OPEN) == [[], [("Bravo Agency", "B")]]  # C is in no group with B

    # B saw how many elements each partner sent, never a value.
    with b.engine.connect() as conn:
        logged = conn.execute(select(audit_event.c.detail).where(audit_event.c.action == "hit.partner_queried")).all()
    assert [orjson.loads(d)["elements"] for (d,) in logged] == [4, 2]
    assert not any(v in d for (d,) in logged for v in (ROUTE, OPEN, NOBODY))

    # Dictionary probing: B's limit (300 elements per window) stops C, and C's answer says so.
    probe = c.cli("hit", *[f"guess-{i}.example" for i in range(250)], "--as", "carol")
    assert probe.returncode == 0, probe.stderr
    assert "not asked: B: its hit budget for this instance is spent" in probe.stderr


def test_a_request_crosses_to_the_holder_and_an_approval_comes_back_by_sync(world):
    a, b, c = world
    route = domain(CROSSING)
    b.import_objects("bob", [route])
    with b.engine.begin() as conn:
        discovery.set_object(conn, accounts.principal_for_user(conn, "bob"), route["id"], ["group:borders"])
    assert answers(a, CROSSING) == [[("Bravo Agency", "B")]]
    with a.engine.connect() as conn:
        [last] = hits.history(conn, accounts.principal_for_user(conn, "alice"), limit=1)
    reference = last["results"][0]["holders"][0]["reference"]

    sent = a.cli("request", "send", reference, "--reason", "seizure at crossing 7", "--as", "alice")
    assert sent.returncode == 0, sent.stderr
    with b.engine.connect() as conn:
        [received] = requests.listed(conn, accounts.principal_for_user(conn, "bob"), "inbox")
    assert (received.requester, received.value, received.reason) == ("Alpha Agency", CROSSING, "seizure at crossing 7")

    refused = b.cli("request", "approve", received.id, "--as", "bob")  # no group agreed with A yet
    assert refused.returncode == 1 and "no group agreed" in refused.stderr
    paired = b.cli("partner", "pair", "A", "borders")
    assert paired.returncode == 0, paired.stderr
    approved = b.cli("request", "approve", received.id, "--as", "bob", "--message", "file #41 attached")
    assert approved.returncode == 0, approved.stderr

    with a.engine.connect() as conn:
        [mine] = requests.listed(conn, accounts.principal_for_user(conn, "alice"), "sent")
    assert (mine.status, mine.message, mine.shared) == ("approved", "file #41 attached", [route["id"]])
    assert route["id"] not in a.visible_ids()
    synced = a.cli("sync", "B")
    assert synced.returncode == 0, synced.stderr
    assert route["id"] in a.visible_ids()
    assert route["id"] not in c.visible_ids()


def test_only_a_partners_sync_account_reaches_the_federation_routes(world):
    a, b, _c = world
    with b.engine.begin() as conn:
        analyst_token = accounts.create_token(conn, "bob")
    url = f"{b.server.url}/api/v1/federation/hits"
    refused = httpx.post(url, json={"request": ""}, headers={"Authorization": f"Bearer {analyst_token}"})
    assert refused.status_code == 403
    with a.engine.connect() as conn:
        token = partners.get_partner(conn, "B").token
    garbage = httpx.post(url, json={"request": "bm90IGEgcmVxdWVzdA=="}, headers={"Authorization": f"Bearer {token}"})
    assert garbage.status_code == 422


def test_a_request_or_a_decision_that_cannot_go_now_goes_with_the_next_sync(world):
    a, b, _c = world
    seized = domain("seized-phone-cache.example")
    b.import_objects("bob", [seized])
    with b.engine.begin() as conn:
        discovery.set_object(conn, accounts.principal_for_user(conn, "bob"), seized["id"], ["group:borders"])
    assert answers(a, "seized-phone-cache.example") == [[("Bravo Agency", "B")]]
    with a.engine.connect() as conn:
        [last] = hits.history(conn, accounts.principal_for_user(conn, "alice"), limit=1)
    reference = last["results"][0]["holders"][0]["reference"]

    b.server.stop()
    try:
        sent = a.cli("request", "send", reference, "--reason", "case 88", "--as", "alice")
        assert sent.returncode == 0, sent.stderr
    finally:
        b.server.start()
    with a.engine.connect() as conn:
        mine = requests.listed(conn, accounts.principal_for_user(conn, "alice"), "sent")
    waiting = next(r for r in mine if r.reason == "case 88")
    assert waiting.delivered is False
    synced = a.cli("sync", "B")
    assert synced.returncode == 0 and "1 requests or decisions delivered" in synced.stdout, synced.stdout
    with b.engine.connect() as conn:
        inbox = requests.listed(conn, accounts.principal_for_user(conn, "bob"), "inbox")
    received = next(r for r in inbox if r.reason == "case 88")

    a.server.stop()
    try:
        decided = b.cli("request", "decline", received.id, "--as", "bob", "--message", "not ours to give")
        assert decided.returncode == 0, decided.stderr
    finally:
        a.server.start()
    with a.engine.connect() as conn:
        still = requests.get(conn, accounts.principal_for_user(conn, "alice"), waiting.id)
    assert (still.status, still.delivered) == ("open", True)
    assert b.cli("sync", "A").returncode == 0
    with a.engine.connect() as conn:
        answered = requests.get(conn, accounts.principal_for_user(conn, "alice"), waiting.id)
    assert (answered.status, answered.message) == ("declined", "not ours to give")
    assert b.cli("sync", "A").stdout.count("delivered") == 0  # delivered once


def test_an_entity_is_found_at_a_partner_by_its_id_or_through_a_merge(world):
    """A asks about entities by id: one B holds under the same id, one A merged with an id B
    holds (the request then names B's id, so it reaches B's inbox), one B keeps undiscoverable."""
    a, b, _c = world
    crew = sdo("threat-actor", name="Route 41 crew", threat_actor_types=["criminal"])
    cell = sdo("threat-actor", name="Crossing cell", threat_actor_types=["criminal"])
    quiet = sdo("threat-actor", name="Quiet cell", threat_actor_types=["criminal"])
    alias = sdo("threat-actor", name="Cell at crossing 7", threat_actor_types=["criminal"])
    b.import_objects("bob", [crew, cell, quiet])
    a.import_objects("alice", [crew, cell, quiet, alias])
    with b.engine.begin() as conn:
        bob = accounts.principal_for_user(conn, "bob")
        for obj in (crew, cell):
            discovery.set_object(conn, bob, obj["id"], ["partners"])
    with a.engine.begin() as conn:
        merges.merge(conn, accounts.principal_for_user(conn, "alice"), alias["id"], cell["id"])
    # Alpha holds each of them too (its own holdings answer locally only if discoverable: not here).
    found = a.cli("hit", crew["id"], alias["id"], quiet["id"], "--type", "entity", "--as", "alice")
    assert found.returncode == 0, found.stderr
    with a.engine.connect() as conn:
        [last] = hits.history(conn, accounts.principal_for_user(conn, "alice"), limit=1)
    holders = [[(h["organisation"], h["instance"]) for h in r["holders"]] for r in last["results"]]
    assert holders == [[("Bravo Agency", "B")], [("Bravo Agency", "B")], []]

    reference = last["results"][1]["holders"][0]["reference"]
    sent = a.cli("request", "send", reference, "--reason", "same cell?", "--as", "alice")
    assert sent.returncode == 0, sent.stderr
    with b.engine.connect() as conn:
        inbox = requests.listed(conn, accounts.principal_for_user(conn, "bob"), "inbox")
    # B's inbox names B's id, never the id Alpha asked about (Alpha's own, merged with B's).
    assert [(r.kind, r.value) for r in inbox if r.reason == "same cell?"] == [("entity", cell["id"])]
