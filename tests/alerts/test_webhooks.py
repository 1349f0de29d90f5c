"""Webhooks against a real HTTP receiver on loopback: signed deliveries of ids, types and links
only; retries with back-off that survive a restart and deliver once; nothing sent for an object
whose audience narrowed before delivery; and no admin reaching another organisation's webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from stixdata import actor
from txn import committed

from liaison.alerts import evaluate, watchlists, webhooks
from liaison.app import build_worker
from liaison.config import Settings
from liaison.db.engine import make_engine
from liaison.errors import Forbidden, InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import sharing
from liaison.store import jobs as job_store


class Receiver:
    """An HTTP server on loopback that records what it is sent and answers the statuses queued."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers.items()), body))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


SETTINGS = Settings(
    webhook_hosts="127.0.0.1",
    webhook_attempts=3,
    webhook_backoff=0.2,
    public_url="https://liaison.test",
    sync_interval=0,
)


def _import(tenants, user, objects, audience="instance"):
    committed(tenants.engine, import_objects, tenants.principal(user), objects, audience=audience)


def _register(tenants, admin, url):
    return committed(tenants.engine, webhooks.register, tenants.principal(admin), url, SETTINGS.webhook_hosts)


def _deliveries(tenants, admin, hook_id):
    return committed(tenants.engine, webhooks.deliveries, tenants.principal(admin), hook_id)


def _settle(engine, until, timeout=10.0):
    """Run the jobs as the server would until `until()` holds."""
    worker = build_worker(engine, SETTINGS)
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "the jobs did not settle"
        worker.drain()
        time.sleep(0.05)


def test_an_alert_is_delivered_signed_with_ids_types_and_links_only(tenants, receiver):
    hook, secret = _register(tenants, "adam", receiver.url)
    committed(tenants.engine, watchlists.watch, tenants.principal("alice"), "type", {"type": "intrusion-set"})
    group = actor("Oxus Couriers", level="green", description="routes through Termez")
    _import(tenants, "bob", [group])
    _settle(tenants.engine, lambda: receiver.received)
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Liaison-Signature"], expected)
    sent = json.loads(body)
    assert sent["event"] == "alert" and sent["object"]["id"] == group["id"]
    assert sent["object"]["link"] == f"https://liaison.test/objects/{group['id']}"
    assert b"Oxus" not in body and b"Termez" not in body  # never content
    [delivery] = _deliveries(tenants, "adam", hook.id)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)


def test_retries_back_off_survive_a_restart_and_deliver_once(tenants, receiver, db_url):
    hook, _secret = _register(tenants, "adam", receiver.url)
    receiver.statuses = [503]
    delivery_id = committed(tenants.engine, webhooks.test, tenants.principal("adam"), hook.id)
    first = build_worker(tenants.engine, SETTINGS)
    assert first.drain() == 1  # tried once: 503, queued again after the back-off
    assert len(receiver.received) == 1
    assert first.drain() == 0  # not before the back-off
    # The process stops here; another starts on a fresh engine, as after a restart.
    tenants.engine.dispose()
    restarted = make_engine(db_url)
    try:
        time.sleep(0.3)
        second = build_worker(restarted, SETTINGS)
        assert second.drain() == 1
        assert second.drain() == 0
    finally:
        restarted.dispose()
    assert len(receiver.received) == 2
    assert all(json.loads(b)["delivery"] == delivery_id for _h, b in receiver.received)
    [delivery] = _deliveries(tenants, "adam", hook.id)
    assert (delivery.state, delivery.attempts) == ("delivered", 2)


def test_a_job_whose_worker_died_is_claimed_again_after_its_lease(tenants, receiver):
    hook, _secret = _register(tenants, "adam", receiver.url)
    committed(tenants.engine, webhooks.test, tenants.principal("adam"), hook.id)
    with tenants.engine.begin() as conn:
        claimed = job_store.claim(conn, lease=0.2)  # a worker takes it, then dies
    assert claimed is not None
    worker = build_worker(tenants.engine, SETTINGS)
    assert worker.drain() == 0  # the lease still holds it
    time.sleep(0.3)
    assert worker.drain() == 1
    assert len(receiver.received) == 1


def test_attempts_run_out_into_a_failed_delivery(tenants, receiver):
    hook, _secret = _register(tenants, "adam", receiver.url)
    receiver.statuses = [500, 500, 500]
    committed(tenants.engine, webhooks.test, tenants.principal("adam"), hook.id)
    _settle(
        tenants.engine,
        lambda: len(receiver.received) >= 3 and _deliveries(tenants, "adam", hook.id)[0].state != "pending",
    )
    [delivery] = _deliveries(tenants, "adam", hook.id)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("failed", 3, 500)


def test_nothing_is_sent_for_an_object_withdrawn_before_delivery(tenants, receiver):
    hook, _secret = _register(tenants, "adam", receiver.url)
    committed(tenants.engine, watchlists.watch, tenants.principal("alice"), "type", {"type": "intrusion-set"})
    shared = actor("Group Share", level="amber")
    _import(tenants, "bob", [shared], "group:ab")
    evaluate.run(tenants.engine)  # the alert is raised and its delivery queued ...
    committed(tenants.engine, sharing.unshare, tenants.principal("bob"), shared["id"], "group:ab")
    _settle(tenants.engine, lambda: _deliveries(tenants, "adam", hook.id)[0].state != "pending")
    assert receiver.received == []  # ... but the audience narrowed before it went out
    [delivery] = _deliveries(tenants, "adam", hook.id)
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("withheld", 0, None)


def test_only_hosts_the_operator_allows(tenants):
    for url in (
        "http://10.0.0.5/hook",
        "ftp://127.0.0.1/x",
        "http://user:pw@127.0.0.1/x",
        "http://127.0.0.1.evil.example/x",
    ):
        with pytest.raises(InvalidInput):
            _register(tenants, "adam", url)
    assert webhooks.allowed("https://a.siem.example.org/x", ".siem.example.org")
    assert not webhooks.allowed("https://siem.example.org.evil/x", ".siem.example.org")


def test_no_admin_reaches_another_organisations_webhooks(tenants, receiver):
    hook, _secret = _register(tenants, "adam", receiver.url)
    with tenants.engine.begin() as conn:
        from liaison import accounts

        accounts.create_user(conn, "bea", "Bravo", "admin")
    outsider = tenants.principal("bea")
    for call in (webhooks.get, webhooks.deliveries, webhooks.test, webhooks.deactivate):
        with pytest.raises(NotFound) as refused:
            committed(tenants.engine, call, outsider, hook.id)
        assert hook.id in str(refused.value)
    with pytest.raises(NotFound) as unknown:
        committed(tenants.engine, webhooks.get, outsider, "00000000-0000-4000-8000-000000000000")
    assert str(unknown.value).replace("00000000-0000-4000-8000-000000000000", hook.id) == str(refused.value)
    assert committed(tenants.engine, webhooks.list_webhooks, outsider) == []
    with pytest.raises(Forbidden):  # an analyst is no admin
        committed(tenants.engine, webhooks.list_webhooks, tenants.principal("alice"))
    # Bravo's users' alerts never go to Alpha's webhook.
    committed(tenants.engine, watchlists.watch, tenants.principal("bob"), "type", {"type": "intrusion-set"})
    _import(tenants, "bob", [actor("Only Bob Watches", level="green")])
    evaluate.run(tenants.engine)
    build_worker(tenants.engine, SETTINGS).drain()
    assert receiver.received == []
