"""Live stream under load: 1,000 SSE subscribers of several organisations while a writer imports
10,000 real objects, against the same import with no subscriber, in one run.

The objects are fresh-id copies of the latest MITRE ATT&CK releases (bench/common.py; skipped with
a message when ../shared/data is absent), imported through POST /api/v1/bundles in bundles of
`--bundle` objects, one bundle for the whole instance and the next for a group of three of the
five organisations, in turn: subscribers of those three are told of every object, the other two
of half. Subscribers are spread over 50 users (ten per organisation, 20 streams each: the
per-token cap). `--slow` of them open a stream and never read it.

A separate process holds the subscribers on raw sockets. `--probes` of them parse every event and
time it from the event's `at` (written in the import's transaction, just before its commit) to its
arrival: commit-to-delivery, p50 and p99. The others count the events they receive, to check that
every subscriber got everything it may see, once. Import speed: objects/s of the import with the
subscribers against the baseline, the mean time of the same import with no subscriber just before
and just after it (the store grows with each import), in the same run and server.

    python bench/stream.py [--subscribers 1000] [--objects 10000] [--bundle 1000] [--slow 10] [--postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
import orjson
from common import attack_missing, free_port, fresh_objects, postgres_database, running, source_objects

ORGS, USERS_PER_ORG, GROUP = 5, 10, ("Org 1", "Org 2", "Org 3")


def world(url: str) -> tuple[str, list[tuple[str, str]]]:
    """Organisations, a group, users and tokens: (the writer's token, [(organisation, token)])."""
    from liaison import accounts
    from liaison.db.engine import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    readers = []
    with engine.begin() as conn:
        for n in range(1, ORGS + 1):
            accounts.create_org(conn, f"Org {n}")
        accounts.create_group(conn, "g123", list(GROUP))
        accounts.create_user(conn, "writer", "Org 1", "analyst")
        writer = accounts.create_token(conn, "writer")
        for n in range(1, ORGS + 1):
            for u in range(USERS_PER_ORG):
                name = f"reader{n}-{u}"
                accounts.create_user(conn, name, f"Org {n}", "reader")
                readers.append((f"Org {n}", accounts.create_token(conn, name)))
    engine.dispose()
    return writer, readers


def import_all(base: str, token: str, objects: list[dict], size: int) -> float:
    """Import `objects` in bundles of `size` (the instance, then the group, in turn); seconds taken."""
    started = time.perf_counter()
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600) as client:
        for n, first in enumerate(range(0, len(objects), size)):
            part = objects[first : first + size]
            body = orjson.dumps({"type": "bundle", "id": f"bundle--{_uuid(n, first)}", "objects": part})
            audience = "instance" if n % 2 == 0 else "group:g123"
            answer = client.post("/api/v1/bundles", params={"audience": audience}, content=body)
            answer.raise_for_status()
    return time.perf_counter() - started


def _uuid(n: int, first: int) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"stream-bench:{time.time_ns()}:{n}:{first}"))


def expected_counts(objects: list[dict], size: int) -> tuple[int, int]:
    """Events a subscriber in the group, and one outside it, should get."""
    everyone = sum(len(objects[f : f + size]) for n, f in enumerate(range(0, len(objects), size)) if n % 2 == 0)
    return len(objects), everyone


# -- the subscribers' process ----------------------------------------------------------------------


async def _open(port: int, token: str, coalesce: bool = False):
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    writer.write(
        (b"GET /api/v1/stream?coalesce=true" if coalesce else b"GET /api/v1/stream")
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        + f"Authorization: Bearer {token}\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n", 1)[0]:
        raise RuntimeError(head.decode(errors="replace"))
    return reader, writer


async def _subscriber(port, token, expected, probe, latencies, counts, index, deadline, coalesce, received):
    reader, writer = await _open(port, token, coalesce)
    pattern = b'["' if coalesce else b"\nevent: "  # one per change
    counts[index] = 0
    buffer = b""
    try:
        while counts[index] < expected and time.monotonic() < deadline:
            try:
                data = await asyncio.wait_for(reader.read(1 << 16), max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                break
            if not data:
                break
            received[0] += len(data)
            now = time.time()
            if not probe:  # count the events, a pattern cut between two reads included
                joined = buffer + data
                counts[index] += joined.count(pattern)
                buffer = joined[-(len(pattern) - 1) :]
                continue
            buffer += data
            *blocks, buffer = buffer.split(b"\n\n")
            for block in blocks:
                at = block.find(b"data: ")
                if at < 0:
                    continue
                sent = orjson.loads(block[at + 6 :].split(b"\n", 1)[0])
                latency = now - datetime.fromisoformat(sent["at"].replace("Z", "+00:00")).timestamp()
                changes = len(sent["changes"]) if coalesce else 1
                latencies += [latency] * changes  # a coalesced change is timed from its batch's first
                counts[index] += changes
    finally:
        writer.close()


async def _slow(port: int, token: str, hold: float) -> None:
    """A stream opened and never read."""
    _reader, writer = await _open(port, token)
    await asyncio.sleep(hold)
    writer.close()


async def subscribe(args) -> None:
    plan = json.loads(Path(args.plan).read_text())
    deadline = time.monotonic() + plan["timeout"]
    latencies: list[float] = []
    counts: dict[int, int] = {}
    received = [0]
    tasks = []
    for i, (org, token) in enumerate(plan["subscribers"]):
        expected = plan["in_group"] if org in GROUP else plan["outside"]
        probe = i % max(1, len(plan["subscribers"]) // plan["probes"]) == 0
        tasks.append(
            _subscriber(
                plan["port"], token, expected, probe, latencies, counts, i, deadline, plan["coalesce"], received
            )
        )
    slow = [_slow(plan["port"], token, plan["timeout"]) for _org, token in plan["slow"]]
    running_ = [asyncio.ensure_future(t) for t in tasks + slow]
    while len(counts) < len(tasks):  # every subscriber is connected
        failed = [t for t in running_ if t.done() and t.exception()]
        if failed:
            raise failed[0].exception()
        await asyncio.sleep(0.05)
    Path(plan["ready"]).write_text("ready")
    await asyncio.gather(*running_[: len(tasks)], return_exceptions=True)
    for t in running_[len(tasks) :]:
        t.cancel()
    short = [
        i
        for i, (org, _t) in enumerate(plan["subscribers"])
        if counts.get(i, 0) != (plan["in_group"] if org in GROUP else plan["outside"])
    ]
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = used.ru_utime + used.ru_stime
    Path(plan["result"]).write_text(
        json.dumps({"latencies": latencies, "short": short, "counts": counts, "cpu": cpu, "received": received[0]})
    )


# -- the run ---------------------------------------------------------------------------------------


def _server_pid(port: int) -> int:
    found = subprocess.run(["pgrep", "-f", f"serve --port {port}"], capture_output=True, text=True).stdout.split()
    return int(found[0])


def _cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user, system) a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--bundle", type=int, default=1000)
    parser.add_argument("--slow", type=int, default=10)
    parser.add_argument("--probes", type=int, default=50)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of the SQLite default")
    parser.add_argument("--coalesce", action="store_true", help="subscribe with coalesce=true (one event per batch)")
    parser.add_argument("--subscribe", help=argparse.SUPPRESS)  # the subscribers' process: its plan file
    args = parser.parse_args()
    if args.subscribe:
        args.plan = args.subscribe
        asyncio.run(subscribe(args))
        return
    missing = attack_missing()
    if missing:
        print(f"skipped: {missing}")
        return
    source = source_objects()
    before_objects = list(fresh_objects(args.objects, source, first_copy=0))
    loaded_objects = list(fresh_objects(args.objects, source, first_copy=10_000))
    after_objects = list(fresh_objects(args.objects, source, first_copy=20_000))
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        drop = None
        if args.postgres:
            url, drop = postgres_database("liaison_stream_bench")
        else:
            url = f"sqlite:///{workdir / 'stream.db'}"
        try:
            writer, readers = world(url)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            # Each user holds 20 subscribers' streams, and a slow one besides.
            env = {
                **os.environ,
                "LIAISON_DATABASE_URL": url,
                "LIAISON_SYNC_INTERVAL": "0",
                "LIAISON_STREAMS_PER_TOKEN": "25",
            }
            command = [str(Path(sys.executable).with_name("liaison")), "serve", "--port", str(port)]
            with running("liaison", command, f"{base}/api/v1/openapi.json", workdir, env=env):
                before = import_all(base, writer, before_objects, args.bundle)
                in_group, outside = expected_counts(loaded_objects, args.bundle)
                subscribers = [readers[i % len(readers)] for i in range(args.subscribers)]
                slow = [readers[-1 - i % len(readers)] for i in range(args.slow)]
                plan = {
                    "port": port,
                    "subscribers": subscribers,
                    "slow": slow,
                    "probes": args.probes,
                    "coalesce": args.coalesce,
                    "in_group": in_group,
                    "outside": outside,
                    "timeout": 300,
                    "ready": str(workdir / "ready"),
                    "result": str(workdir / "result.json"),
                }
                (workdir / "plan.json").write_text(json.dumps(plan))
                child = subprocess.Popen([sys.executable, __file__, "--subscribe", str(workdir / "plan.json")])
                while not (workdir / "ready").exists():
                    if child.poll() is not None:
                        raise RuntimeError("the subscribers' process ended before it was ready")
                    time.sleep(0.1)
                server_cpu = _cpu(_server_pid(port))
                loaded = import_all(base, writer, loaded_objects, args.bundle)
                child.wait(timeout=400)
                server_cpu = tuple(b - a for a, b in zip(server_cpu, _cpu(_server_pid(port)), strict=True))
                after = import_all(base, writer, after_objects, args.bundle)  # no subscriber again
            # The store grows with each import: the baseline is the mean of the imports just
            # before and just after the loaded one, into a store as large on average.
            baseline = (before + after) / 2
            result = json.loads((workdir / "result.json").read_text())
        finally:
            if drop:
                drop()
    lat = result["latencies"]
    db = "PostgreSQL" if args.postgres else "SQLite"
    mode = "coalesced" if args.coalesce else "one event per change"
    print(
        f"live stream, {db}, {mode}: {args.subscribers} subscribers ({args.slow} more never reading), "
        f"{args.objects} objects"
    )
    print(f"  import, no subscriber     {args.objects / baseline:>9,.0f} objects/s  (baseline)")
    print(f"  import, with subscribers  {args.objects / loaded:>9,.0f} objects/s  ratio {baseline / loaded:.2f}")
    print(
        f"  commit to delivery ({len(lat)} events at {args.probes} probes): "
        f"p50 {_pct(lat, 0.5):.3f} s, p99 {_pct(lat, 0.99):.3f} s"
    )
    print(
        f"  CPU during the loaded import and its delivery: server {sum(server_cpu):.1f} s "
        f"({server_cpu[0]:.1f} user, {server_cpu[1]:.1f} system), subscribers {result['cpu']:.1f} s; "
        f"{result['received'] / 1e6:,.0f} MB received"
    )
    short = result["short"]
    print(f"  subscribers that got all they may see, once: {args.subscribers - len(short)} of {args.subscribers}")


if __name__ == "__main__":
    main()
