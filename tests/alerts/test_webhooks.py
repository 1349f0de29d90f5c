"""Webhooks against a real HTTP receiver on loopback: signed deliveries of ids, types and links
only; retries with back-off that survive a restart and deliver once; nothing sent for an object
whose audience narrowed before delivery; and no admin reaching another organisation's webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from stixdata import actor
from txn import committed

from liaison.alerts import evaluate, inbox, watchlists, webhooks
from liaison.app import build_worker
from liaison.config import Settings
from liaison.db.engine import make_engine
from liaison.errors import Conflict, Forbidden, InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import sharing
from liaison.jobs import Retry
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
    webhook_hosts="127.0.0.1:*",
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


class Trickler:
    """A receiver that answers its headers one byte every half second: a hostile agency's."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/slow"
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        self.server.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn):
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 1000:
                if self.stopped.wait(0.5):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def close(self):
        self.stopped.set()
        self.server.close()


def test_a_trickling_receiver_is_cut_off_and_delays_no_other_agency(tenants):
    slow = Trickler()
    settings = Settings(
        webhook_hosts="127.0.0.1:*", webhook_timeout=1.0, webhook_attempts=1, sync_interval=0, run_jobs=False
    )
    try:
        hook, _secret = _register(tenants, "adam", slow.url)
        for _ in range(5):  # queued one after the other (one pending test at a time is allowed)
            committed(tenants.engine, webhooks.test, tenants.principal("adam"), hook.id)
            worker = build_worker(tenants.engine, settings)
            started = time.monotonic()
            assert worker.drain() == 1
            assert time.monotonic() - started < 5  # cut off after about a second, not when it ends
        logged = _deliveries(tenants, "adam", hook.id)
        assert {(d.state, d.last_error) for d in logged} == {("failed", "the receiver did not answer in time")}
        # Meanwhile, with the worker running its threads, another agency's alert is raised at once.
        committed(tenants.engine, webhooks.test, tenants.principal("adam"), hook.id)
        running = build_worker(tenants.engine, settings)
        running.start()
        try:
            committed(tenants.engine, watchlists.watch, tenants.principal("carol"), "type", {"type": "intrusion-set"})
            _import(tenants, "carol", [actor("Charlie's Own", level="green")])
            deadline = time.monotonic() + 5
            while not committed(tenants.engine, inbox.list_alerts, tenants.principal("carol")).total:
                assert time.monotonic() < deadline, "another agency's alert waited for the slow receiver"
                time.sleep(0.1)
        finally:
            running.stop()
    finally:
        slow.close()


def test_a_name_leading_to_the_operators_own_networks_is_not_sent_to(tenants, receiver):
    hosts = "localhost:*"
    hook, _secret = committed(
        tenants.engine,
        webhooks.register,
        tenants.principal("adam"),
        receiver.url.replace("127.0.0.1", "localhost"),
        hosts,
    )
    delivery_id = committed(tenants.engine, webhooks.test, tenants.principal("adam"), hook.id)
    with pytest.raises(Retry):
        webhooks.deliver(tenants.engine, delivery_id, base_url="https://x", hosts=hosts, attempts=3)
    assert receiver.received == []
    [delivery] = _deliveries(tenants, "adam", hook.id)
    assert delivery.last_error == "the receiver's name resolves to a private or reserved address"


def test_ports_are_those_the_operator_names(tenants):
    assert webhooks.allowed("https://hooks.example.org/x", "hooks.example.org")
    assert not webhooks.allowed("https://hooks.example.org:8443/x", "hooks.example.org")
    assert webhooks.allowed("https://hooks.example.org:8443/x", "hooks.example.org:8443")
    assert webhooks.allowed("http://[::1]:9000/x", "[::1]:*")
    for odd in ("http://evil.com／.example.org/", "http://[::1/", "http://a＃b/", "http://127.0.0.1:99999/"):
        assert not webhooks.allowed(odd, ".example.org,127.0.0.1:*,[::1]:*")


def test_one_pending_test_delivery_at_a_time(tenants, receiver):
    hook, _secret = _register(tenants, "adam", receiver.url)
    committed(tenants.engine, webhooks.test, tenants.principal("adam"), hook.id)
    with pytest.raises(Conflict):
        committed(tenants.engine, webhooks.test, tenants.principal("adam"), hook.id)


def test_a_delivery_connects_to_the_address_it_checked():
    url, host, server_name = webhooks._pinned("https://hooks.example.org:8443/in?x=1", "93.184.216.34")
    assert (url, host, server_name) == (
        "https://93.184.216.34:8443/in?x=1",
        "hooks.example.org:8443",
        "hooks.example.org",
    )
    assert webhooks._pinned("http://hooks.example.org/in", "2606:2800:220:1::1")[0] == "http://[2606:2800:220:1::1]/in"
    for odd in (
        "http://a..example.org/",
        "http://127.0.0.1:9/\x01",
        "http://-a.example.org/",
        "http://a b.example.org/",
    ):
        assert not webhooks.allowed(odd, ".example.org,127.0.0.1:*")


def test_one_organisations_deliveries_run_one_at_a_time_and_never_hold_back_anothers(tenants):
    from liaison.store import jobs as job_store

    with tenants.engine.begin() as conn:
        for org in (1, 1, 2):
            job_store.enqueue(conn, "webhook.deliver", {"org": org}, lane=webhooks.lane(org))
    with tenants.engine.begin() as conn:
        first = job_store.claim(conn, lease=60)
    with tenants.engine.begin() as conn:
        second = job_store.claim(conn, lease=60)
    with tenants.engine.begin() as conn:
        third = job_store.claim(conn, lease=60)
    assert first.payload == {"org": 1} and second.payload == {"org": 2}  # org 2 is not held back
    assert third is None  # org 1's second delivery waits for its first
