"""Three sovereign instances on loopback (own databases, own `liaison serve`): A and B share the
group 'borders'; C is A's partner too but in no group with it."""

from __future__ import annotations

import os
import subprocess
import time

import httpx
import orjson
import pytest
from instances import Instance
from servers import LIAISON
from sqlalchemy import func, select
from stixdata import actor, sdo

from liaison import accounts, audit
from liaison.db.tables import holding, object_version, provenance
from liaison.federation import partners
from liaison.intel import objects as intel_objects
from liaison.intel import sharing
from liaison.stix.canonical import canonical
from liaison.stix.provenance import attach

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def world(tmp_path):
    a = Instance("A", "Alpha Agency", "alice", tmp_path)
    b = Instance("B", "Bravo Agency", "bob", tmp_path)
    c = Instance("C", "Charlie Agency", "carol", tmp_path)
    for instance in (a, b, c):
        instance.server.start()
    token_a_at_b = b.sync_account_for(a)
    token_c_at_a = a.sync_account_for(c)
    with a.engine.begin() as conn:
        partners.add_partner(conn, "B", b.server.url, token_a_at_b, b.key.public_key)
    with c.engine.begin() as conn:
        partners.add_partner(conn, "A", a.server.url, token_c_at_a, a.key.public_key)
    a.group("borders", ["Alpha Agency", "B"])
    b.group("borders", ["Bravo Agency", "A"])
    yield a, b, c, token_a_at_b
    for instance in (a, b, c):
        instance.server.stop()
        instance.engine.dispose()


def test_share_both_ways_nothing_to_outsiders_and_opinions_come_back(world):
    a, b, c, _ = world
    shared = [actor(f"Route cell {i}") for i in range(30)] + [actor("Red source", level="red")]
    secret, internal = actor("Alpha only"), actor("Alpha instance only")
    a.import_objects("alice", shared, audience="group:borders")
    a.import_objects("alice", [secret], audience="org")
    a.import_objects("alice", [internal], audience="instance")
    theirs = [actor(f"Bravo network {i}") for i in range(20)]
    b.import_objects("bob", theirs, audience="group:borders")

    done = a.cli("sync", "B")
    assert done.returncode == 0, done.stderr
    assert not a.sync_errors()
    assert "pulled 20" in done.stdout and "pushed 31" in done.stdout

    at_b = b.visible_ids()
    assert {o["id"] for o in shared} <= at_b
    assert secret["id"] not in at_b and internal["id"] not in at_b
    assert {o["id"] for o in theirs} <= a.visible_ids()
    with b.engine.connect() as conn:
        origins = set(conn.execute(select(provenance.c.origin)).scalars())
    assert origins == {"A"}

    # B's analyst gives an opinion on one of A's objects; it federates back on the next sync.
    opinion = sdo("opinion", opinion="agree", object_refs=[shared[0]["id"]], explanation="seen at our border too")
    b.import_objects("bob", [opinion], audience="group:borders")
    again = a.cli("sync", "B")
    assert again.returncode == 0, again.stderr
    assert "pulled 1" in again.stdout and "pushed 0" in again.stdout  # nothing echoes back
    assert opinion["id"] in a.visible_ids()

    # C is A's partner but shares no group with it: it receives nothing.
    before = c.visible_ids()
    outsider = c.cli("sync", "A")
    assert outsider.returncode == 0, outsider.stderr
    assert c.visible_ids() == before
    assert not ({o["id"] for o in shared + theirs + [secret, internal]} & c.visible_ids())


def test_tampered_or_unsigned_objects_are_rejected_and_audited(world):
    a, b, _, token_a_at_b = world
    headers = {"Authorization": f"Bearer {token_a_at_b}", "Accept": TAXII, "Content-Type": TAXII}
    collections = httpx.get(f"{b.server.url}/taxii2/liaison/collections/", headers=headers).json()["collections"]
    borders = next(col for col in collections if col["alias"] == "group:borders")
    url = f"{b.server.url}/taxii2/liaison/collections/{borders['id']}/objects/"

    genuine, altered, unsigned = actor("Genuine"), actor("Will be altered"), actor("No signature")
    signed = [orjson.loads(attach(canonical(o), a.key.sign("A", canonical(o)))) for o in (genuine, altered)]
    signed[1]["name"] = "Altered in transit"
    response = httpx.post(url, headers=headers, content=orjson.dumps({"objects": [*signed, unsigned]}))
    assert response.status_code == 202, response.text
    status = response.json()
    assert (status["success_count"], status["failure_count"]) == (1, 2)
    reasons = {f["id"]: f["message"] for f in status["failures"]}
    assert "altered in transit" in reasons[altered["id"]] and "unsigned" in reasons[unsigned["id"]]
    assert b.visible_ids() >= {genuine["id"]} and not ({altered["id"], unsigned["id"]} & b.visible_ids())
    with b.engine.connect() as conn:
        rejected = audit.entries(conn, "federation.rejected")
        assert {e["target"] for e in rejected} == {altered["id"], unsigned["id"]}
        assert audit.verify_chain(conn) is None


def test_sync_resumes_after_the_partner_is_killed_mid_way(world):
    a, b, _, _ = world
    many = [actor(f"Courier {i}") for i in range(1500)]
    a.import_objects("alice", many, audience="group:borders")
    env = {**os.environ, "LIAISON_DATABASE_URL": a.db_url, **a.env}
    running = subprocess.Popen(
        [LIAISON, "sync", "B", "--page", "50"],
        env=env,
        cwd=a.dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def arrived() -> int:
        with b.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(object_version).where(object_version.c.type == "intrusion-set")
            ).scalar_one()

    deadline = time.monotonic() + 120
    while arrived() < 300:
        assert time.monotonic() < deadline and running.poll() is None
        time.sleep(0.05)
    b.server.kill()
    _, stderr = running.communicate(timeout=120)
    assert running.returncode == 1 and "error" in stderr
    assert 300 <= arrived() < 1501
    assert {s["direction"] for s in a.sync_errors()} == {"push"}  # the state says which direction failed

    b.server.start()
    done = a.cli("sync", "B")
    assert done.returncode == 0, done.stderr
    assert not a.sync_errors()
    assert {o["id"] for o in many} <= b.visible_ids()
    with b.engine.connect() as conn:
        versions = conn.execute(select(func.count()).select_from(object_version)).scalar_one()
        holdings = conn.execute(select(func.count()).select_from(holding)).scalar_one()
    assert versions == holdings  # each version held once: nothing duplicated, nothing lost


def test_remote_objects_are_read_only_and_provenance_survives_relaying(world):
    """B re-shares A's object with C (B's group 'relay'); C verifies A's own signature."""
    a, b, c, _ = world
    original = actor("Relayed cell")
    a.import_objects("alice", [original], audience="group:borders")
    assert a.cli("sync", "B").returncode == 0

    # B may keep its own later version under A's id: it is B's claim, never A's latest.
    changed = {**original, "modified": "2025-06-01T00:00:00.000Z", "name": "Rewritten by B"}
    b.import_objects("bob", [changed])
    with b.engine.connect() as conn:
        remote = accounts.principal_for_user(conn, "A-sync")
        assert orjson.loads(intel_objects.get_object(conn, remote, original["id"]).raw)["name"] == "Relayed cell"

    # C pinned A's key already (A is its partner) and pins B's; B and C agree on a group 'relay'.
    token_b_at_c = c.sync_account_for(b)
    with b.engine.begin() as conn:
        partners.add_partner(conn, "C", c.server.url, token_b_at_c, c.key.public_key)
    b.group("relay", ["Bravo Agency", "C"])
    c.group("relay", ["Charlie Agency", "B"])
    b.import_objects("bob", [original], audience="group:relay")  # B shares the same version on
    done = b.cli("sync", "C")
    assert done.returncode == 0, done.stderr
    assert original["id"] in c.visible_ids()
    with c.engine.connect() as conn:
        origins = set(conn.execute(select(provenance.c.origin)).scalars())
    assert origins == {"A"}


def test_corrections_federate_signed_and_unsharing_keeps_what_partners_received(world):
    """A corrects a version it shared (same id and modified, other content): B receives the
    correction, signed by A, and keeps the earlier content in its history. When A withdraws the
    object from the group, its page still tells which partner received it."""
    a, b, _, _ = world
    first = actor("Corrected cell", description="first wording")
    a.import_objects("alice", [first], audience="group:borders")
    assert a.cli("sync", "B").returncode == 0
    corrected = dict(first, description="corrected wording")
    assert a.import_objects("alice", [corrected], audience="group:borders").corrections == 1
    done = a.cli("sync", "B")
    assert done.returncode == 0 and "pushed 1" in done.stdout, done.stdout + done.stderr

    with b.engine.connect() as conn:
        bob = accounts.principal_for_user(conn, "bob")
        assert orjson.loads(intel_objects.get_object(conn, bob, first["id"]).raw)["description"] == "corrected wording"
        holder = accounts.principal_for_user(conn, "A-sync")  # what it replaced is history for its holder only
        history = intel_objects.list_versions(conn, holder, first["id"])
        assert [v["superseded_at"] is None for v in history] == [False, True]
        assert len(intel_objects.list_versions(conn, bob, first["id"])) == 1
        assert conn.execute(select(func.count()).select_from(provenance)).scalar_one() == 2  # one per content

    alice = a.principal("alice")
    with a.engine.connect() as conn:
        reach = sharing.reach(conn, alice, first["id"])
    assert [(name, label) for name, label, _at in reach.partners] == [("B", "group:borders")]
    with a.engine.begin() as conn:
        sharing.unshare(conn, alice, first["id"], "group:borders")
    with a.engine.connect() as conn:
        assert [name for name, _l, _at in sharing.reach(conn, alice, first["id"]).partners] == ["B"]
    assert first["id"] in b.visible_ids()
