"""TAXII 2.1 read speed: Liaison's server against OASIS medallion (memory backend), same run, same client.

Both servers run as real subprocesses on loopback ports and hold the same ATT&CK-shaped objects.
Liaison imports them into SQLite and serves them in its "Whole instance" collection (which also
holds the bench organisation's own identity, so it has one object more). medallion 3.x gets a
config file whose memory-backend data file holds one API root with one readable collection: the
objects and a manifest entry per object (date_added one millisecond apart, version, media_type).

The client is taxii2-client's `as_pages` over Get Objects with `per_request=1000`, counting every
object received (and checking the count against what was loaded). A traversal is timed from the
first request to the last page; each is done `--repeats` times and the best kept, except that a
traversal which took over 30 s is not repeated (timer noise is negligible there). objects/s is
objects received over that time.

medallion's memory backend filters and paginates in quadratic time (its first page compares every
object with every other one and with every manifest entry), about 85 s for 4,000 objects here.
`--medallion-objects N` caps its collection at the first N objects of the same bundle; as medallion
only gets slower per object as its collection grows, the ratio printed is then a lower bound.

Finally Liaison alone on a `--large` collection (0 skips it), stopped after `--large-budget`
seconds if it has not finished by then, in which case the partial rate and the page times are
printed (and the rate is not a full-collection figure).

    python bench/taxii.py [--objects 4000] [--medallion-objects 0] [--large 100000] [--large-budget 90]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import free_port, running
from taxii2client.v21 import Collection, Server, as_pages

from liaison import accounts
from liaison.db.engine import make_engine, migrate
from liaison.demo.attack_shaped import attack_shaped_bundle
from liaison.ingest.bundles import import_objects
from liaison.stix.timestamps import format_ts

PER_REQUEST = 1000
TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
USER = "bench"
#: A traversal longer than this is not repeated.
LONG_ENOUGH = 30.0


def liaison_database(url: str, objects: list[dict]) -> str:
    """A Liaison database at `url` holding `objects` for the whole instance; the API token of 'bench'."""
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        accounts.create_org(conn, "Bench Agency")
        accounts.create_user(conn, USER, "Bench Agency", "analyst")
        token = accounts.create_token(conn, USER)
    with engine.begin() as conn:
        report = import_objects(conn, accounts.principal_for_user(conn, USER), objects, audience="instance")
    engine.dispose()
    assert report.new_versions == len(objects), report.new_versions
    return token


@contextlib.contextmanager
def liaison_server(objects: list[dict], workdir: Path, name: str) -> Iterator[tuple[Collection, int]]:
    """Liaison serving `objects` over TAXII; yields its "Whole instance" collection and that
    collection's size (`objects` and the bench organisation's identity)."""
    url = f"sqlite:///{workdir / (name + '.db')}"
    token = liaison_database(url, objects)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).with_name("liaison")), "serve", "--port", str(port)]
    env = {**os.environ, "LIAISON_DATABASE_URL": url}
    with running(name, command, f"{base}/api/v1/openapi.json", workdir, env=env, headers={"Accept": TAXII}):
        server = Server(f"{base}/taxii2/", user=USER, password=token)
        (collection,) = [c for c in server.default.collections if c.title == "Whole instance"]
        yield collection, len(objects) + 1


def medallion_data(objects: list[dict], base: str) -> dict:
    """medallion's memory-backend file: discovery, one API root, one collection with its manifest."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    manifest = [
        {
            "id": obj["id"],
            "date_added": format_ts(start + timedelta(milliseconds=i)),
            "version": obj.get("modified", obj["created"]),
            "media_type": STIX,
        }
        for i, obj in enumerate(objects)
    ]
    return {
        "/discovery": {
            "title": "medallion (bench)",
            "description": "Benchmark server",
            "default": f"{base}/bench/",
            "api_roots": [f"{base}/bench/"],
        },
        "bench": {
            "information": {
                "title": "Bench",
                "description": "ATT&CK-shaped objects",
                "versions": [TAXII],
                "max_content_length": 100 * 1024 * 1024,
            },
            "status": [],
            "collections": [
                {
                    "id": "8c49b4c1-3c55-4d3b-9e8a-6b0f6cbb0a01",
                    "title": "ATT&CK-shaped",
                    "description": "The benchmark collection",
                    "can_read": True,
                    "can_write": False,
                    "media_types": [STIX],
                    "objects": objects,
                    "manifest": manifest,
                }
            ],
        },
    }


@contextlib.contextmanager
def medallion_server(objects: list[dict], workdir: Path) -> Iterator[tuple[Collection, int]]:
    """medallion (memory backend) serving `objects` in one collection; yields it and its size."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    password = secrets.token_urlsafe(16)
    data = workdir / "medallion-data.json"
    data.write_text(json.dumps(medallion_data(objects, base)))
    config = workdir / "medallion.json"
    config.write_text(
        json.dumps(
            {
                "backend": {
                    "module": "medallion.backends.memory_backend",
                    "module_class": "MemoryBackend",
                    "filename": str(data),
                    "session_timeout": 3600,
                },
                "users": {USER: password},
                "taxii": {"max_page_size": PER_REQUEST},
            }
        )
    )
    command = [
        str(Path(sys.executable).with_name("medallion")),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "WARN",
        str(config),
    ]
    with running("medallion", command, f"{base}/taxii2/", workdir, auth=(USER, password), headers={"Accept": TAXII}):
        (collection,) = Server(f"{base}/taxii2/", user=USER, password=password).default.collections
        yield collection, len(objects)


@dataclass
class Traversal:
    received: int
    seconds: float
    #: Seconds each page took, in order.
    pages: list[float]
    complete: bool
    #: How many traversals the best was chosen from.
    runs: int = 1

    @property
    def rate(self) -> float:
        return self.received / self.seconds


def traverse(collection: Collection, budget: float | None = None) -> Traversal:
    """Page through the whole collection (or until `budget` seconds have passed)."""
    pages, received = [], 0
    started = last = time.perf_counter()
    for envelope in as_pages(collection.get_objects, per_request=PER_REQUEST):
        received += len(envelope.get("objects", []))
        now = time.perf_counter()
        pages.append(now - last)
        last = now
        if budget is not None and now - started > budget and envelope.get("more"):
            return Traversal(received, now - started, pages, complete=False)
    return Traversal(received, last - started, pages, complete=True)


def best_traversal(collection: Collection, expected: int, repeats: int, budget: float | None = None) -> Traversal:
    best = None
    for run in range(1, repeats + 1):
        result = traverse(collection, budget)
        if not result.complete:
            return result
        assert result.received == expected, f"received {result.received} objects, expected {expected}"
        if best is None or result.seconds < best.seconds:
            best = result
        best.runs = run
        if result.seconds > LONG_ENOUGH:
            break
    return best


def describe(result: Traversal) -> str:
    return (
        f"{result.received} objects in {result.seconds:.2f} s = {result.rate:,.0f} objects/s  [best of {result.runs}]"
    )


def ratio(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=4_000, help="objects in the compared collection")
    parser.add_argument(
        "--medallion-objects",
        type=int,
        default=0,
        help="cap medallion's collection at the first N objects (0: all of --objects)",
    )
    parser.add_argument("--large", type=int, default=100_000, help="objects for the Liaison-only run (0: skip)")
    parser.add_argument(
        "--large-budget",
        type=float,
        default=90.0,
        help="stop the Liaison-only traversal after this many seconds (0: no limit)",
    )
    parser.add_argument("--repeats", type=int, default=2, help="traversals per server; the best counts")
    args = parser.parse_args()
    # SIGTERM unwinds like Ctrl-C, so the servers are stopped and the temporary directory removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.perf_counter()
    objects = attack_shaped_bundle(args.objects, seed=1)["objects"]
    capped = min(args.medallion_objects or args.objects, args.objects)
    print(f"ATT&CK-shaped collection of {args.objects} objects; taxii2-client as_pages, per_request={PER_REQUEST}")

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with medallion_server(objects[:capped], workdir) as (collection, size):
            medallion = best_traversal(collection, size, args.repeats)
        note = (
            ""
            if capped == args.objects
            else (
                f"  (only the first {capped} of the {args.objects} objects: medallion slows down quadratically, "
                f"so the ratio below is a lower bound)"
            )
        )
        print(f"medallion (memory backend): {describe(medallion)}{note}")

        with liaison_server(objects, workdir, "liaison") as (collection, size):
            liaison = best_traversal(collection, size, args.repeats)
        print(f"Liaison (SQLite): {describe(liaison)}  (ratio to medallion: {ratio(liaison.rate / medallion.rate)}×)")

        if args.large:
            del objects
            large = attack_shaped_bundle(args.large, seed=2)["objects"]
            with liaison_server(large, workdir, "liaison-large") as (collection, size):
                del large
                result = best_traversal(collection, size, args.repeats, budget=args.large_budget or None)
            if result.complete:
                print(
                    f"Liaison on a {args.large:,}-object collection: {result.rate:,.0f} objects/s  ({describe(result)})"
                )
            else:
                print(
                    f"Liaison on a {args.large:,}-object collection: INCOMPLETE, stopped after "
                    f"{result.seconds:.1f} s with {result.received:,} of {size:,} objects = "
                    f"{result.rate:,.0f} objects/s so far; pages took {result.pages[0]:.2f} s at first, "
                    f"{result.pages[-1]:.2f} s for the last one (objects {result.received - PER_REQUEST:,}"
                    f"-{result.received:,})"
                )
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
