"""The live stream over HTTP from `liaison serve`: a partner's subscriber gets the change it may
see within a second, nothing of what it may not, and resumes after a dropped connection with
Last-Event-ID, losing and repeating nothing."""

from __future__ import annotations

import time

import httpx
import orjson
from servers import LiveServer
from stixdata import actor, bundle

from liaison import accounts
from liaison.db.engine import make_engine, migrate


def _events(response, wanted: int, timeout: float = 10.0) -> list[dict]:
    """Read `wanted` events (id, event, data) from an SSE response."""
    found, current, deadline = [], {}, time.monotonic() + timeout
    for line in response.iter_lines():
        if line.startswith(("id:", "event:", "data:")):
            key, _, value = line.partition(": ")
            current[key] = orjson.loads(value) if key == "data" else value
        elif not line and current:
            found.append(current)
            current = {}
            if len(found) == wanted:
                return found
        assert time.monotonic() < deadline, f"only {len(found)} events in {timeout} s"
    return found


def test_a_subscriber_gets_what_it_may_see_and_resumes_after_a_drop(tmp_path):
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        for org in ("Alpha", "Bravo"):
            accounts.create_org(conn, org)
        accounts.create_group(conn, "ab", ["Alpha", "Bravo"])
        accounts.create_user(conn, "alice", "Alpha", "analyst")
        accounts.create_user(conn, "bob", "Bravo", "analyst")
        tokens = {name: accounts.create_token(conn, name) for name in ("alice", "bob")}
    server = LiveServer(url, tmp_path, LIAISON_SYNC_INTERVAL="0").start()
    try:
        alice = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {tokens['alice']}"})
        bob = {"Authorization": f"Bearer {tokens['bob']}"}

        def share(name: str, audience: str) -> dict:
            obj = actor(name, level="amber")
            answer = alice.post("/api/v1/bundles", params={"audience": audience}, content=orjson.dumps(bundle(obj)))
            assert answer.status_code == 200, answer.text
            return obj

        with httpx.stream("GET", f"{server.url}/api/v1/stream", headers=bob, timeout=15) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            hidden = share("Kept by Alpha", "org")
            first = share("Shared with ab", "group:ab")
            started = time.monotonic()
            [event] = _events(response, 1)
            assert time.monotonic() - started < 5
        assert (event["event"], event["data"]["id"]) == ("version", first["id"])
        assert "Kept by Alpha" not in str(event) and hidden["id"] not in str(event)
        second = share("Shared later", "group:ab")  # while Bravo is disconnected
        headers = {**bob, "Last-Event-ID": event["id"]}
        with httpx.stream("GET", f"{server.url}/api/v1/stream", headers=headers, timeout=15) as response:
            [resumed] = _events(response, 1)
        assert (resumed["event"], resumed["data"]["id"]) == ("version", second["id"])  # no repeat, no loss
        forged = httpx.get(f"{server.url}/api/v1/stream", headers={**bob, "Last-Event-ID": "forged"}, timeout=5)
        assert forged.status_code == 422
    finally:
        server.stop()
