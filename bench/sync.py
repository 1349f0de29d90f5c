"""Federation sync speed: `liaison sync` between two instances on loopback, against pulling the
same collection with the OASIS taxii2-client alone, in the same run. Timings are printed, never
asserted.

Two instances, A ("Alpha Agency") and B ("Bravo Agency"), each with its own SQLite database and
its own `liaison serve` on a free 127.0.0.1 port (LIAISON_SYNC_INTERVAL=0, so nothing syncs in the
background), federated over the sharing group `borders` exactly as the README's "Federation"
section does it, with the CLI: each pins the other's `liaison keys`; A gives B a sync account
(`b-sync`, role sync) and its token; both add the group with their own organisation and the
partner; B registers A with A's URL and that token. A imports --objects real ATT&CK objects
(latest ICS and Mobile releases copied with fresh ids, as in bench/ingest.py; see common.py) with
`liaison import --audience group:borders` (not timed).

Timed, each from spawn to exit of the CLI process:
  full sync         `liaison sync A` on B: pulls the whole group:borders collection of A
                    (signed, verified, stored), pushes B's (empty) collection;
  incremental sync  after A imports --increment new objects: `liaison sync A` again.
Baseline: taxii2-client alone (`taxii2client.v21`, `as_pages` over Get Objects, per_request equal
to the sync's page size, 1000) pulling A's group:borders collection as B's sync account, counting
the objects and storing nothing (match[version]=all, as a few ids come with two versions, one from
each ATT&CK domain; TAXII's default is the latest only); for the increment, with `added_after` set
to a time taken before the increment was imported.

Targets: full sync < 60 s, incremental sync < 2 s.

    python bench/sync.py [--objects 100000] [--increment 1000] [--timeout 1800]

Skipped (exit status 0) when ../shared/data/attack is absent. Servers are stopped at the end,
whatever happens; every wait is bounded.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import attack_missing, free_port, rate, run_child, source_objects, start_server, stop_server, write_bundle

from liaison.stix.timestamps import format_ts

LIAISON = str(Path(sys.executable).with_name("liaison"))
GROUP = "borders"
PAGE = 1000
TARGET_FULL, TARGET_INCREMENTAL = 60.0, 2.0


class Instance:
    """One Liaison instance: its database, its CLI and its `liaison serve`."""

    def __init__(self, name: str, org: str, user: str, root: Path):
        self.name, self.org, self.user = name, org, user
        self.dir = root / name
        self.dir.mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "LIAISON_DATABASE_URL": f"sqlite:///{self.dir / 'liaison.db'}",
            "LIAISON_INSTANCE_NAME": name,
            "LIAISON_SYNC_INTERVAL": "0",
            "LIAISON_HOST": "127.0.0.1",
            "LIAISON_PORT": str(self.port),
        }
        self.server: subprocess.Popen | None = None
        self.log = self.dir / "serve.log"

    def cli(self, *args: str, timeout: float = 600):
        return run_child([LIAISON, *args], env=self.env, cwd=self.dir, timeout=timeout).check(
            f"{self.name}: liaison {' '.join(args)}"
        )

    def public_key(self) -> str:
        found = re.search(r"public key:\s*(\S+)", self.cli("keys").stdout)
        if not found:
            raise RuntimeError(f"{self.name}: no public key in the output of `liaison keys`")
        return found.group(1)

    def start(self, timeout: float = 60) -> None:
        command = [LIAISON, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        ready = f"{self.url}/api/v1/openapi.json"
        self.server = start_server(self.name, command, ready, self.dir, env=self.env, timeout=timeout, log=self.log)

    def stop(self) -> None:
        stop_server(self.server)


def federate(a: Instance, b: Instance) -> str:
    """The README's recipe, B pulling from A; returns the token of B's sync account at A."""
    a_key, b_key = a.public_key(), b.public_key()
    a.cli("partner", "add", b.name, "--public-key", b_key)
    a.cli("user", "add", "b-sync", "--org", b.name, "--role", "sync")
    token = a.cli("token", "create", "b-sync").stdout.strip().splitlines()[-1].strip()
    a.cli("group", "add", GROUP, "--member", a.org, "--member", b.name)
    b.cli("partner", "add", a.name, "--url", f"{a.url}/", "--token", token, "--public-key", a_key)
    b.cli("group", "add", GROUP, "--member", b.org, "--member", a.name)
    return token


def import_into(instance: Instance, path: Path, expected: int) -> float:
    run = instance.cli("import", str(path), "--as", instance.user, "--audience", f"group:{GROUP}", timeout=3600)
    new = re.search(r"(\d+) new versions", run.stdout)
    if new is None or int(new.group(1)) != expected:
        print(f"  WARNING: expected {expected} new versions at {instance.name}: {run.stdout.strip()[-300:]}")
    return run.seconds


def sync(b: Instance, partner: str, expected: int, timeout: float):
    run = run_child([LIAISON, "sync", partner, "--page", str(PAGE)], env=b.env, cwd=b.dir, timeout=timeout)
    found = re.search(r"pulled (\d+), pushed (\d+), rejected (\d+)", run.stdout)
    if run.returncode != 0 or found is None:
        raise RuntimeError(
            f"`liaison sync {partner}` failed (exit {run.returncode}):\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
        )
    pulled, pushed, rejected = map(int, found.groups())
    if pulled != expected or rejected:
        print(f"  WARNING: expected to pull {expected}; the sync said: {found.group(0)}")
    return run, pulled


def taxii_pull(a: Instance, token: str, added_after: str | None = None) -> tuple[int, float]:
    """(objects received, seconds) of taxii2-client paging through A's group collection."""
    from taxii2client.v21 import Server, as_pages

    server = Server(f"{a.url}/taxii2/", user="b-sync", password=token)
    collections = [
        c
        for c in server.default.collections
        if getattr(c, "alias", None) == f"group:{GROUP}" or c.title == f"Sharing group {GROUP}"
    ]
    if len(collections) != 1:
        raise RuntimeError(
            f"A's collection for group:{GROUP} not found among {[c.title for c in server.default.collections]}"
        )
    # Every version, as the sync pulls them: a few ids have two versions (one per ATT&CK domain).
    filters = {"version": "all", **({"added_after": added_after} if added_after else {})}
    received = 0
    started = time.perf_counter()
    for envelope in as_pages(collections[0].get_objects, per_request=PAGE, **filters):
        received += len(envelope.get("objects", []))
    return received, time.perf_counter() - started


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES TARGET"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=100_000, help="objects A shares with the group")
    parser.add_argument("--increment", type=int, default=1_000, help="new objects for the incremental sync")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds any one sync may take")
    args = parser.parse_args()
    # SIGTERM unwinds like Ctrl-C, so the servers are stopped and the temporary directory removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    missing = attack_missing()
    if missing:
        print(f"SKIPPED: {missing}")
        return
    source = source_objects()

    with tempfile.TemporaryDirectory(prefix="liaison-sync-bench-") as tmp:
        root = Path(tmp)
        a = Instance("A", "Alpha Agency", "alice", root)
        b = Instance("B", "Bravo Agency", "bob", root)
        step = "setting up"
        try:
            for instance in (a, b):
                instance.cli("init")
                instance.cli("org", "add", instance.org)
                instance.cli("user", "add", instance.user, "--org", instance.org, "--role", "analyst")
            token = federate(a, b)
            step = "starting the servers"
            a.start()
            b.start()

            step = "building and importing the objects into A"
            bundle = root / "bundle.json"
            size = write_bundle(bundle, args.objects, source)
            seconds = import_into(a, bundle, args.objects)
            bundle.unlink()
            print(
                f"A holds {args.objects:,} real ATT&CK objects ({size / 1e6:.0f} MB as a bundle) shared with "
                f"group:{GROUP}; imported in {seconds:.1f} s (not timed below)"
            )

            step = "baseline: taxii2-client pull of the whole collection"
            received, base_full = taxii_pull(a, token)
            if received != args.objects:
                print(f"  WARNING: taxii2-client received {received} objects, expected {args.objects}")
            print(
                f"baseline taxii2-client as_pages (per_request={PAGE}), whole collection: {received:,} objects "
                f"in {base_full:.2f} s = {rate(received, base_full)}"
            )

            step = "full sync"
            run, pulled = sync(b, a.name, args.objects, args.timeout)
            print(
                f"full sync `liaison sync A` on B: {pulled:,} objects in {run.seconds:.2f} s (spawn to exit) = "
                f"{rate(pulled, run.seconds)}, peak {run.peak_mb:.0f} MB; ratio to baseline "
                f"{base_full / run.seconds:.2f}; target < {TARGET_FULL:.0f} s: "
                f"{verdict(run.seconds < TARGET_FULL)}"
            )

            step = "importing the increment into A"
            time.sleep(0.05)
            since = format_ts(datetime.now(UTC))
            time.sleep(0.05)
            increment = root / "increment.json"
            write_bundle(increment, args.increment, source, first_copy=1_000_000)
            import_into(a, increment, args.increment)

            step = "baseline: taxii2-client pull of the increment"
            received, base_inc = taxii_pull(a, token, added_after=since)
            if received != args.increment:
                print(
                    f"  WARNING: taxii2-client received {received} objects added after {since}, "
                    f"expected {args.increment}"
                )
            print(
                f"baseline taxii2-client as_pages, added_after (the increment): {received:,} objects in "
                f"{base_inc:.2f} s = {rate(received, base_inc)}"
            )

            step = "incremental sync"
            run, pulled = sync(b, a.name, args.increment, args.timeout)
            print(
                f"incremental sync `liaison sync A` on B: {pulled:,} objects in {run.seconds:.2f} s (spawn to exit) "
                f"= {rate(pulled, run.seconds)}; ratio to baseline {base_inc / run.seconds:.2f}; "
                f"target < {TARGET_INCREMENTAL:.0f} s: {verdict(run.seconds < TARGET_INCREMENTAL)}"
            )

            step = "a sync with nothing new"
            run, pulled = sync(b, a.name, 0, args.timeout)
            print(f"sync with nothing new: {run.seconds:.2f} s (the fixed cost: start-up, discovery, bookmarks)")
        except Exception as exc:
            print(f"FAILED while {step}: {exc}")
            for instance in (a, b):
                if instance.log.exists():
                    tail = instance.log.read_text(errors="replace")[-1500:].strip()
                    if tail:
                        print(f"--- {instance.name} serve log (tail) ---\n{tail}")
            sys.exit(1)
        finally:
            for instance in (a, b):
                instance.stop()


if __name__ == "__main__":
    main()
