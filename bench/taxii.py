"""TAXII 2.1 read speed: Liaison's server against OASIS medallion (memory backend), same run, same client.

Both servers run as real subprocesses on loopback ports and hold the same ATT&CK-shaped collection:
Liaison imports it into SQLite and serves it as the "Whole instance" collection; medallion 3.x gets a
config file whose memory-backend data file holds one API root with one readable collection (the
objects and a manifest entry per object). The client is taxii2-client's `as_pages` over Get Objects
with `per_request=1000`, counting every object received; a traversal is timed from the first request
to the last page, the best of `--repeats` is kept, and objects/s is objects received over that time.

medallion's memory backend filters and paginates in quadratic time (each first page compares every
object with every other one and with every manifest entry), so a full traversal of a few thousand
objects takes minutes. `--medallion-objects` caps its collection at the first N objects of the same
bundle; as medallion only gets slower per object as the collection grows, the ratio printed is then a
lower bound. Finally Liaison alone on a `--large` collection (0 skips it).

    python bench/taxii.py [--objects 4000] [--medallion-objects 1000] [--large 100000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import httpx
from taxii2client.v21 import Collection, Server, as_pages

from liaison import accounts
from liaison.db.engine import make_engine, migrate
from liaison.demo.attack_shaped import attack_shaped_bundle
from liaison.ingest.bundles import import_objects

PER_REQUEST = 1000
TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
USER = "bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running(name: str, command: list[str], ready_url: str, workdir: Path, env: dict | None = None,
            auth: tuple[str, str] | None = None, timeout: float = 60.0) -> Iterator[None]:
    """Run `command` as a server until the block ends; wait until `ready_url` answers 200 first."""
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(ready_url, auth=auth, headers={"Accept": TAXII}, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer {ready_url} within {timeout:.0f} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def liaison_database(url: str, objects: list[dict]) -> str:
    """A Liaison database at `url` holding `objects` for the whole instance (which also holds the
    organisation's own identity, created with it); the API token of 'bench'."""
    engine = make_engine(url)
    migrate(engine)
    accounts.create_org(engine, "Bench Agency")
    accounts.create_user(engine, USER, "Bench Agency", "analyst")
    token = accounts.create_token(engine, USER)
    report = import_objects(engine, accounts.principal_for_user(engine, USER), objects, audience="instance")
    engine.dispose()
    assert report.new_versions == len(objects), report.new_versions
    return token


@contextlib.contextmanager
def liaison_server(objects: list[dict], workdir: Path, name: str) -> Iterator[tuple[Collection, int]]:
    """Liaison serving `objects` over TAXII; yields its "Whole instance" collection and its size
    (`objects` and the bench organisation's identity)."""
    url = f"sqlite:///{workdir / (name + '.db')}"
    token = liaison_database(url, objects)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).with_name("liaison")), "serve", "--port", str(port)]
    env = {**os.environ, "LIAISON_DATABASE_URL": url}
    with running(name, command, f"{base}/api/v1/openapi.json", workdir, env=env):
        server = Server(f"{base}/taxii2/", user=USER, password=token)
        (collection,) = [c for c in server.default.collections if c.title == "Whole instance"]
        yield collection, len(objects) + 1


def medallion_data(objects: list[dict], base: str) -> dict:
    """medallion's memory-backend file: discovery, one API root, one collection with its manifest."""
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    manifest = [{
        "id": obj["id"],
        "date_added": (start + timedelta(milliseconds=i)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "version": obj.get("modified", obj["created"]),
        "media_type": STIX,
    } for i, obj in enumerate(objects)]
    return {
        "/discovery": {"title": "medallion (bench)", "description": "Benchmark server",
                       "default": f"{base}/bench/", "api_roots": [f"{base}/bench/"]},
        "bench": {
            "information": {"title": "Bench", "description": "ATT&CK-shaped objects",
                            "versions": [TAXII], "max_content_length": 100 * 1024 * 1024},
            "status": [],
            "collections": [{
                "id": "8c49b4c1-3c55-4d3b-9e8a-6b0f6cbb0a01", "title": "ATT&CK-shaped",
                "description": "The benchmark collection", "can_read": True, "can_write": False,
                "media_types": [STIX], "objects": objects, "manifest": manifest,
            }],
        },
    }


@contextlib.contextmanager
def medallion_server(objects: list[dict], workdir: Path) -> Iterator[Collection]:
    """medallion (memory backend) serving `objects` in one collection; yields that collection."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    password = secrets.token_urlsafe(16)
    data = workdir / "medallion-data.json"
    data.write_text(json.dumps(medallion_data(objects, base)))
    config = workdir / "medallion.json"
    config.write_text(json.dumps({
        "backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                    "filename": str(data), "session_timeout": 3600},
        "users": {USER: password},
        "taxii": {"max_page_size": PER_REQUEST},
    }))
    command = [str(Path(sys.executable).with_name("medallion")), "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "WARN", str(config)]
    with running("medallion", command, f"{base}/taxii2/", workdir, auth=(USER, password)):
        (collection,) = Server(f"{base}/taxii2/", user=USER, password=password).default.collections
        yield collection


def traverse(collection: Collection) -> tuple[int, float]:
    """(objects received, seconds) for paging through the whole collection."""
    started = time.perf_counter()
    received = sum(len(page.get("objects", [])) for page in as_pages(collection.get_objects, per_request=PER_REQUEST))
    return received, time.perf_counter() - started


def best_traversal(collection: Collection, expected: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        received, seconds = traverse(collection)
        assert received == expected, f"received {received} objects, expected {expected}"
        best = min(best, seconds)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=4_000, help="objects in the compared collection")
    parser.add_argument("--medallion-objects", type=int, default=1_000,
                        help="cap medallion's collection at the first N objects (0: all of --objects)")
    parser.add_argument("--large", type=int, default=100_000, help="objects for the Liaison-only run (0: skip)")
    parser.add_argument("--repeats", type=int, default=2, help="traversals per server; the best counts")
    args = parser.parse_args()

    started = time.perf_counter()
    objects = attack_shaped_bundle(args.objects, seed=1)["objects"]
    capped = min(args.medallion_objects or args.objects, args.objects)
    print(f"ATT&CK-shaped collection: {args.objects} objects; taxii2-client as_pages, per_request={PER_REQUEST}, "
          f"best of {args.repeats}")

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with medallion_server(objects[:capped], workdir) as collection:
            medallion = best_traversal(collection, capped, args.repeats)
        medallion_rate = capped / medallion
        note = "" if capped == args.objects else (
            f"  (first {capped} of the {args.objects} objects: it slows down quadratically, "
            f"so the ratio below is a lower bound)")
        print(f"medallion (memory backend): {capped} objects in {medallion:.2f} s = {medallion_rate:,.0f} objects/s{note}")

        with liaison_server(objects, workdir, "liaison") as (collection, size):
            seconds = best_traversal(collection, size, args.repeats)
        rate = size / seconds
        print(f"Liaison (SQLite): {size} objects in {seconds:.2f} s = {rate:,.0f} objects/s  "
              f"(ratio to medallion: {rate / medallion_rate:,.0f}×)")

        if args.large:
            del objects
            large = attack_shaped_bundle(args.large, seed=2)["objects"]
            with liaison_server(large, workdir, "liaison-large") as (collection, size):
                del large
                seconds = best_traversal(collection, size, args.repeats)
            print(f"Liaison on a {args.large:,}-object collection: {size} objects in {seconds:.2f} s = "
                  f"{size / seconds:,.0f} objects/s")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
