"""Several API processes over one PostgreSQL database: an event written through one process
reaches a subscriber of another at once, woken by NOTIFY (the subscriber's process polls only
once a minute here, so nothing else could wake it in time); `serve --workers 2` runs two."""

from __future__ import annotations

import os
import subprocess
import time

import httpx
import orjson
from conftest import _truncate_all
from servers import LIAISON, LiveServer, free_port
from stixdata import actor, bundle

from liaison import accounts
from liaison.db.engine import make_engine


def _world(url: str) -> dict[str, str]:
    engine = make_engine(url)
    _truncate_all(engine)
    with engine.begin() as conn:
        for org in ("Alpha", "Bravo"):
            accounts.create_org(conn, org)
        accounts.create_group(conn, "ab", ["Alpha", "Bravo"])
        accounts.create_user(conn, "alice", "Alpha", "analyst")
        accounts.create_user(conn, "bob", "Bravo", "analyst")
        tokens = {name: accounts.create_token(conn, name) for name in ("alice", "bob")}
    engine.dispose()
    return tokens


def _first_event(response, timeout: float) -> dict:
    current, deadline = {}, time.monotonic() + timeout
    for line in response.iter_lines():
        if line.startswith(("event:", "data:")):
            key, _, value = line.partition(": ")
            current[key] = orjson.loads(value) if key == "data" else value
        elif not line and current:
            return current
        assert time.monotonic() < deadline, "no event arrived"
    raise AssertionError("the stream ended")


def test_an_event_written_through_one_process_reaches_a_subscriber_of_another(postgres_url, tmp_path):
    tokens = _world(postgres_url)
    quiet = {"LIAISON_SYNC_INTERVAL": "0", "LIAISON_RUN_JOBS": "false"}
    reader = LiveServer(postgres_url, tmp_path, LIAISON_STREAM_POLL="60", **quiet).start()
    writer = LiveServer(postgres_url, tmp_path, **quiet).start()
    try:
        bob = {"Authorization": f"Bearer {tokens['bob']}"}
        with httpx.stream("GET", f"{reader.url}/api/v1/stream", headers=bob, timeout=30) as response:
            time.sleep(0.5)  # subscribed
            obj = actor("Across Processes", level="amber")
            written = httpx.post(
                f"{writer.url}/api/v1/bundles",
                params={"audience": "group:ab"},
                content=orjson.dumps(bundle(obj)),
                headers={"Authorization": f"Bearer {tokens['alice']}"},
            )
            assert written.status_code == 200, written.text
            started = time.monotonic()
            event = _first_event(response, timeout=10)
            # Well within the reader's 60 s poll: only the NOTIFY can have woken it.
            assert time.monotonic() - started < 10
        assert (event["event"], event["data"]["id"]) == ("version", obj["id"])
    finally:
        writer.stop()
        reader.stop()


def test_serve_workers_runs_that_many_processes_on_one_port(postgres_url, tmp_path):
    tokens = _world(postgres_url)
    port = free_port()
    env = {**os.environ, "LIAISON_DATABASE_URL": postgres_url, "LIAISON_SYNC_INTERVAL": "0"}
    process = subprocess.Popen(
        [LIAISON, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve --workers 2 did not start"
            time.sleep(0.3)
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        workers = [c for c in children if "liaison.app" in _cmdline(c) or "multiprocessing" in _cmdline(c)]
        assert len(workers) >= 2, children
        who = httpx.get(f"http://127.0.0.1:{port}/api/v1/whoami", headers={"Authorization": f"Bearer {tokens['bob']}"})
        assert who.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)


def _cmdline(pid: str) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_several_workers_need_postgresql(tmp_path):
    env = {**os.environ, "LIAISON_DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}"}
    answer = subprocess.run([LIAISON, "serve", "--workers", "2"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert answer.returncode == 1 and "need PostgreSQL" in answer.stderr
