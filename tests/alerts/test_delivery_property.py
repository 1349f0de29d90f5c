"""Property: in random worlds of random changes (imports, shares and withdrawals by three agencies,
with alert evaluations at random moments), no event, alert, digest entry or webhook delivery
reaches a user outside the object's audiences at delivery time, and none that should is missed.
The expected set comes from a model of the holdings kept beside the run, not from the store."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from stixdata import actor
from txn import committed

from liaison.alerts import evaluate, inbox, stream, watchlists, webhooks
from liaison.alerts.hub import Hub, Subscription
from liaison.app import build_worker
from liaison.config import Settings
from liaison.errors import LiaisonError
from liaison.ingest.bundles import import_objects
from liaison.intel import sharing

USERS = {"alice": "Alpha", "bob": "Bravo", "carol": "Charlie"}
#: The audiences each organisation may share with, and who belongs to each.
SHARES = {
    "Alpha": ("org", "group:ab", "instance"),
    "Bravo": ("org", "group:ab", "instance"),
    "Charlie": ("org", "instance"),
}
MEMBERS = {"group:ab": {"Alpha", "Bravo"}, "instance": {"Alpha", "Bravo", "Charlie"}}


def _reaches(holder: str, audience: str, reader: str) -> bool:
    """Whether a holding of organisation `holder` shared with `audience` reaches organisation `reader`."""
    return reader == holder if audience == "org" else reader in MEMBERS[audience]


steps = st.lists(
    st.one_of(
        st.tuples(st.just("import"), st.sampled_from(sorted(USERS)), st.integers(0, 2)),
        st.tuples(st.sampled_from(["share", "unshare"]), st.integers(0, 20), st.integers(0, 2)),
        st.tuples(st.just("evaluate"), st.just(0), st.just(0)),
    ),
    min_size=1,
    max_size=10,
)


class Receiver:
    def __init__(self):
        self.objects: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                sent = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if sent.get("object"):
                    outer.objects.append(sent["object"]["id"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def world(tenants):
    receiver = Receiver()
    hook, _secret = committed(tenants.engine, webhooks.register, tenants.principal("adam"), receiver.url, "127.0.0.1:*")
    for user in USERS:
        committed(tenants.engine, watchlists.watch, tenants.principal(user), "type", {"type": "intrusion-set"})
    yield tenants, receiver
    receiver.server.shutdown()


def _read_all(tenants, user, after) -> set[str]:
    found: set[str] = set()
    while True:
        notices, last = committed(tenants.engine, stream.read, tenants.principal(user), after)
        found |= {n.stix_id for n in notices}
        if last == after:
            return found
        after = last


@settings(
    max_examples=16,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
@example(plan=[("import", "alice", 1), ("evaluate", 0, 0), ("unshare", 0, 1)])  # narrowed after the alert
@example(plan=[("import", "bob", 1), ("unshare", 0, 1), ("share", 0, 2)])  # narrowed, then widened
@example(plan=[("import", "bob", 1), ("evaluate", 0, 0), ("unshare", 0, 1)])  # Alpha's delivery was queued
def test_nothing_reaches_anyone_outside_the_audience_at_delivery(world, plan):
    tenants, receiver = world
    config = Settings(webhook_hosts="127.0.0.1:*", sync_interval=0, run_jobs=False)
    worker = build_worker(tenants.engine, config)
    worker.drain()  # what earlier examples left
    receiver.objects.clear()

    async def begin():
        hub = Hub(tenants.engine)
        await hub.start()
        return hub

    loop = asyncio.new_event_loop()
    hub = loop.run_until_complete(begin())
    start = hub.position
    subs = {
        u: Subscription(u, (lambda u=u: tenants.principal(u)), tenants.principal(u), stream.Filters(), start)
        for u in USERS
    }
    for sub in subs.values():
        hub.subscribe(sub)

    made: list[tuple[str, str]] = []  # (object id, owner organisation)
    live: set[tuple[str, str, str]] = set()  # the model: (object id, organisation, audience)
    for op, a, b in plan:
        if op == "evaluate":
            evaluate.run(tenants.engine)
        elif op == "import":
            org = USERS[a]
            audience = SHARES[org][b % len(SHARES[org])]
            obj = actor(f"Random {len(made)}", level="green" if audience == "instance" else "amber")
            committed(tenants.engine, import_objects, tenants.principal(a), [obj], audience=audience)
            made.append((obj["id"], org))
            live.add((obj["id"], org, audience))
        elif made:
            stix_id, org = made[a % len(made)]
            owner = next(u for u, o in USERS.items() if o == org)
            audience = SHARES[org][b % len(SHARES[org])]
            try:
                committed(tenants.engine, getattr(sharing, op), tenants.principal(owner), stix_id, audience)
            except LiaisonError:
                continue
            if op == "share":
                live.add((stix_id, org, audience))
            else:
                live.discard((stix_id, org, audience))
                if not any(h[0] == stix_id and h[1] == org for h in live):
                    live.add((stix_id, org, "org"))  # what is held for no one stays with its organisation
    evaluate.run(tenants.engine)

    async def fan_out():
        while await hub.step():
            pass

    loop.run_until_complete(fan_out())
    loop.close()
    worker.drain()
    ours = {stix_id for stix_id, _ in made}
    for user, org in USERS.items():
        expected = {s for s, holder, audience in live if _reaches(holder, audience, org)}
        read = _read_all(tenants, user, start) & ours
        handed = set()
        while not subs[user].queue.empty():
            chunk = subs[user].queue.get_nowait().data
            handed |= {m for m in ours if m.encode() in chunk}
        alerts = committed(tenants.engine, inbox.list_alerts, tenants.principal(user), limit=200).alerts
        alerted = {a.object_id for a in alerts} & ours
        digested = {
            a.object_id
            for _w, _s, items in committed(tenants.engine, inbox.digest, tenants.principal(user)).by_watchlist
            for a in items
        } & ours
        assert read == expected, (user, plan)
        assert handed == expected, (user, plan)
        assert alerted == expected, (user, plan)
        assert digested == expected, (user, plan)
    # Alpha's webhook carries Alpha's users' alerts (alice's), only while Alpha may see them.
    alpha = {s for s, holder, audience in live if _reaches(holder, audience, "Alpha")}
    assert set(receiver.objects) & ours == alpha, plan
    assert len(receiver.objects) == len(set(receiver.objects)), "a delivery was repeated"
