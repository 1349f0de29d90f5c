"""TEMPORARY hostile review probes (review2) — to be deleted."""

from __future__ import annotations

import asyncio
import re
import socket
import time

import pytest
from stixdata import actor
from txn import committed

from liaison.alerts import stream, watchlists, webhooks
from liaison.alerts.hub import Hub, Subscription
from liaison.app import build_worker
from liaison.config import Settings
from liaison.errors import Conflict
from liaison.ingest.bundles import import_objects

from test_webhooks import Receiver  # noqa: E402

_ID = re.compile(rb'"id":"([a-z-]+--[0-9a-f-]+)"')


def _import(tenants, user, objects, audience):
    committed(tenants.engine, import_objects, tenants.principal(user), objects, audience=audience)


def _sub(tenants, user, position, key=None, chosen=None):
    return Subscription(
        key=key or user,
        authenticate=lambda: tenants.principal(user),
        principal=tenants.principal(user),
        chosen=chosen or stream.Filters(),
        position=position,
    )


def _drain(sub):
    out = []
    while not sub.queue.empty():
        item = sub.queue.get_nowait()
        if item is not None:
            out += [m.decode() for m in _ID.findall(item.data)]
    return out


# -- 1. catch-up then level: a resumed reader moved backwards -------------------------------


def test_resume_during_backlog_repeats_events(tenants):
    async def run():
        hub = Hub(tenants.engine, batch=2)
        await hub.start()
        start = hub.position
        made = [actor(f"Backlog {n}", level="green") for n in range(6)]
        for obj in made:
            _import(tenants, "alice", [obj], "instance")
        # bob reconnects with a cursor at `start` (behind the hub? equal: the hub has not read yet)
        sub = _sub(tenants, "bob", start)
        sub.lagging = True  # e.g. its queue had filled, or it resumed from an old cursor
        hub.subscribe(sub)
        got = []
        # what body() does while not level: catch up through stream.read until level
        while True:
            bob = tenants.principal("bob")
            notices, last = committed(tenants.engine, stream.read, bob, sub.position, chosen=sub.chosen)
            got += [n.stix_id for n in notices]
            if last == sub.position:
                sub.lagging = False
                break
            sub.position = last
        print("after catch-up: sub.position", sub.position, "hub.position", hub.position, "level", hub.level(sub))
        while await hub.step():
            print("step -> hub.position", hub.position, "sub.position", sub.position)
            got += _drain(sub)
        print("received", len(got), "distinct", len(set(got)), "made", len(made))
        assert got == [o["id"] for o in made], got

    asyncio.run(run())


# -- 2. the fan-out's step time grows with one party's distinct watchlists ------------------


def test_watch_groups_slow_every_subscribers_step(tenants):
    carol = tenants.principal("carol")
    lists = [
        committed(tenants.engine, watchlists.watch, carol, "value", {"value": f"10.{n}.0.0/16"}) for n in range(40)
    ]
    made = [actor(f"Load {n}", level="green") for n in range(400)]
    _import(tenants, "alice", made, "instance")

    async def timed(n_watch):
        hub = Hub(tenants.engine, batch=2000)
        await hub.start()
        hub.position = 0
        hub.subscribe(_sub(tenants, "bob", 0))
        for i in range(n_watch):
            chosen = committed(tenants.engine, stream.filters, carol, (), None, lists[i].id)
            hub.subscribe(_sub(tenants, "carol", 0, key=f"carol-token-{i // 20}", chosen=chosen))
        t = time.perf_counter()
        await hub.step()
        return time.perf_counter() - t

    async def run():
        return {n: await timed(n) for n in (0, 10, 40)}

    found = asyncio.run(run())
    print("hub.step seconds by number of hostile watch streams:", {k: round(v, 3) for k, v in found.items()})


# -- 3. webhooks: DNS answer checked, then asked again by httpx --------------------------------


def test_dns_rebinding_reaches_loopback(tenants, monkeypatch):
    receiver = Receiver()
    try:
        port = receiver.server.server_port
        hosts = "hooks.partner.test:*"
        settings = Settings(
            webhook_hosts=hosts, webhook_attempts=1, public_url="https://liaison.test", sync_interval=0
        )
        url = f"http://hooks.partner.test:{port}/hook"
        hook, _ = committed(tenants.engine, webhooks.register, tenants.principal("adam"), url, hosts)
        real = socket.getaddrinfo
        calls = []

        def rebinding(host, port_, *a, **k):
            if host == "hooks.partner.test":
                calls.append(host)
                ip = "93.184.216.34" if len(calls) == 1 else "127.0.0.1"  # TTL 0: public, then loopback
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port_ or 0))]
            return real(host, port_, *a, **k)

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        committed(tenants.engine, webhooks.test, tenants.principal("adam"), hook.id)
        build_worker(tenants.engine, settings).drain()
        [d] = committed(tenants.engine, webhooks.deliveries, tenants.principal("adam"), hook.id)
        print("resolutions:", len(calls), "delivery:", d.state, d.last_status, d.last_error)
        print("loopback receiver got", len(receiver.received), "request(s)")
        assert not receiver.received, "a POST reached 127.0.0.1 through a name checked as public"
    finally:
        receiver.close()


# -- 4. odd URLs accepted, then an uncaught exception: delivery stuck pending ------------------


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/\x01", "http://a..partner.test/"])
def test_odd_url_leaves_a_pending_delivery_forever(tenants, url):
    hosts = "127.0.0.1:*,.partner.test"
    settings = Settings(webhook_hosts=hosts, webhook_attempts=3, public_url="https://liaison.test", sync_interval=0)
    hook, _ = committed(tenants.engine, webhooks.register, tenants.principal("adam"), url, hosts)
    committed(tenants.engine, webhooks.test, tenants.principal("adam"), hook.id)
    ran = build_worker(tenants.engine, settings).drain()
    [d] = committed(tenants.engine, webhooks.deliveries, tenants.principal("adam"), hook.id)
    print(repr(url), "jobs run", ran, "delivery", d.state, d.attempts, d.last_error)
    with pytest.raises(Conflict):
        committed(tenants.engine, webhooks.test, tenants.principal("adam"), hook.id)
    assert d.state != "pending", "the delivery stays pending although its job failed"


# -- 5. REST odd input: NUL characters ----------------------------------------------------------


def test_rest_nul_characters(tenants):
    from fastapi.testclient import TestClient

    from liaison.app import create_app

    settings = Settings(webhook_hosts="127.0.0.1:*", public_url="https://liaison.test", sync_interval=0, run_jobs=False)
    with TestClient(create_app(settings=settings, engine=tenants.engine), raise_server_exceptions=False) as client:
        adam, alice = tenants.headers("adam"), tenants.headers("alice")
        answers = {
            "webhook": client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/\x00"}, headers=adam),
            "digest": client.put("/api/v1/alerts/digest", json={"email": "a\x00b@example.org"}, headers=alice),
            "watch-province": client.post(
                "/api/v1/watchlists", json={"kind": "place", "country": "AF", "province": "K\x00"}, headers=alice
            ),
            "watch-value": client.post("/api/v1/watchlists", json={"kind": "value", "value": "a\x00b@example.org"}, headers=alice),
        }
        print(tenants.engine.dialect.name, {k: (v.status_code, v.text[:80]) for k, v in answers.items()})
        assert all(v.status_code < 500 for v in answers.values())


# -- 6. audience filter as a probe ---------------------------------------------------------------


def test_audience_probe_over_rest(tenants, client):
    carol = tenants.headers("carol")
    seen = {}
    for spec in ("group:ab", "group:nope", "org:Alpha", "org:Nope", "org:Charlie", "instance", "org"):
        r = client.get("/api/v1/stream", params={"audience": spec}, headers=carol) if spec in (
            "group:ab", "group:nope", "org:Alpha", "org:Nope") else None
        if r is not None:
            seen[spec] = (r.status_code, r.text.replace(spec, "X"))
    print(seen)
    assert len(set(seen.values())) == 1
