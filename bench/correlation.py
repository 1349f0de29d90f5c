"""Correlation speed and size: lookups over postings joined with the access predicate, the postings'
size against the objects', and import speed with postings against without. Printed, never asserted.

Data: generated observables (ipv4-addr, domain-name, email-addr, file with a SHA-256, and indicators
whose patterns name an address, a /24 or a domain) spread over --orgs organisations, each importing
its share in chunks shared with its own organisation, one of its sharing groups, or the instance.
Values are drawn so that they repeat across objects and organisations (a pool of 0.6 × the objects),
and --common-values values (public resolvers, top domains) are carried by --common-share of all
objects: more than the cap, so they are reported as common.

Measured, on SQLite and on PostgreSQL (a scratch database, dropped afterwards):
  import     the same objects imported twice into fresh databases with `import_objects`, once as
             Liaison does (postings written) and once with the posting step stubbed out by this
             bench (`liaison.ingest.bundles.postings` returning none): the ratio of their speeds,
             the two imports taking turns chunk by chunk so that both meet the same moments;
  size       the posting tables (by version and by audience, with their indexes) against
             object_version (with its indexes):
             pg_total_relation_size on PostgreSQL, dbstat on SQLite;
  lookups    p50/p99 of `intel.correlation.correlations` for random objects a user sees, and of
             `intel.correlation.carrying` for random values (some common), each in a transaction of
             its own, as a request runs it;
  hits       p50/p99 of a 100-value hit query (`intel.hits.ask`, half the values held somewhere),
             with organisations discoverable by default to the instance or to a group.

Targets (issue 12): p99 < 5 ms per lookup, < 50 ms per 100-value hit query; postings ≤ 0.5 × the
objects' size; import with postings ≥ 0.8 × the speed without.

    python bench/correlation.py [--observables 200000] [--orgs 5] [--lookups 400] [--no-postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import postgres_database

from liaison import accounts
from liaison.db.engine import make_engine, migrate
from liaison.ingest import bundles
from liaison.intel import correlation, hits
from liaison.store import discovery, tenancy

T0 = "2025-01-01T00:00:00.000Z"
COMMON = ["8.8.8.8", "1.1.1.1", "9.9.9.9", "google.com", "microsoft.com", "amazon.com", "8.8.4.4", "apple.com"]
CHUNK = 5000


def _sco(kind: str, value: str) -> dict:
    return {"type": kind, "spec_version": "2.1", "id": f"{kind}--{uuid.uuid4()}", "value": value}


def _indicator(pattern: str) -> dict:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": T0,
        "modified": T0,
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": T0,
    }


def _value(rng: random.Random, n: int) -> tuple[str, str]:
    """A (kind, value) drawn from a pool of about `n` values of each kind."""
    i = rng.randrange(n)
    kind = rng.choices(["ipv4-addr", "domain-name", "email-addr", "file"], [50, 25, 15, 10])[0]
    if kind == "ipv4-addr":
        return kind, f"{11 + i % 200}.{(i >> 8) % 256}.{(i >> 3) % 256}.{i % 251 + 1}"
    if kind == "domain-name":
        return kind, f"host{i}.example{i % 97}.net"
    if kind == "email-addr":
        return kind, f"user{i}@mail{i % 53}.example"
    return kind, f"{i:064x}"


def generate(count: int, orgs: int, common_share: float, common_values: int, seed: int = 7) -> list[list[dict]]:
    """Each organisation's objects, as lists."""
    rng = random.Random(seed)
    pool = max(1, int(count * 0.6))
    common = COMMON[:common_values]
    per_org: list[list[dict]] = [[] for _ in range(orgs)]
    for _ in range(count):
        org = rng.randrange(orgs)
        if rng.random() < common_share:
            value = rng.choice(common)
            kind = "domain-name" if value[0].isalpha() else "ipv4-addr"
        else:
            kind, value = _value(rng, pool)
        if rng.random() < 0.05 and kind in ("ipv4-addr", "domain-name"):
            if kind == "ipv4-addr" and rng.random() < 0.3:
                value = value.rsplit(".", 1)[0] + ".0/24"
            obj = _indicator(f"[{kind}:value = '{value}']")
        elif kind == "file":
            obj = {"type": "file", "spec_version": "2.1", "id": f"file--{uuid.uuid4()}", "hashes": {"SHA-256": value}}
        else:
            obj = _sco(kind, value)
        per_org[org].append(obj)
    return per_org


def _setup(url: str, orgs: int) -> tuple:
    engine = make_engine(url)
    migrate(engine)
    names = [f"Org {i}" for i in range(orgs)]
    with engine.begin() as conn:
        for name in names:
            accounts.create_org(conn, name)
            accounts.create_user(conn, f"user{names.index(name)}", name, "analyst")
        # Overlapping groups of neighbours: each organisation is in two.
        for i in range(orgs):
            accounts.create_group(conn, f"g{i}", [names[i], names[(i + 1) % orgs]])
    return engine, names


def load(engines: dict[str, object], per_org: list[list[dict]], seed: int = 11) -> dict[str, float]:
    """Import every organisation's objects in chunks, each shared with one audience, into each of
    `engines` ({"off": ..., "on": ...}: "off" with the posting step stubbed out); seconds each.
    The two imports take turns chunk by chunk (the first to go changing from one chunk to the
    next), so that both are timed over the same moments: this machine's speed drifts by a third
    within a minute, and importing one after the other compared the drift as much as the code."""
    rng = random.Random(seed)
    orgs = len(per_org)
    spent = dict.fromkeys(engines, 0.0)
    names = list(engines)
    turn = 0
    for i, objects in enumerate(per_org):
        principals = {}
        for name, engine in engines.items():
            with engine.begin() as conn:
                principals[name] = accounts.principal_for_user(conn, f"user{i}")
        for start in range(0, len(objects), CHUNK):
            audience = rng.choice(["org", f"group:g{i}", f"group:g{(i - 1) % orgs}", "instance"])
            for name in names[turn % len(names) :] + names[: turn % len(names)]:
                with _PostingsOff() if name == "off" else contextlib.nullcontext():
                    started = time.perf_counter()
                    with engines[name].begin() as conn:
                        bundles.import_objects(
                            conn, principals[name], objects[start : start + CHUNK], audience=audience
                        )
                    spent[name] += time.perf_counter() - started
            turn += 1
    return spent


def sizes(engine) -> tuple[int, int]:
    """(postings, objects) in bytes, tables with their indexes; the postings are both tables, by
    version (posting) and by audience (posting_exposure)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            query = text("SELECT pg_total_relation_size(:t)")
        else:
            query = text(
                "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name = :t "
                "OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t)"
            )
        size = {
            t: conn.execute(query, {"t": t}).scalar_one() for t in ("posting", "posting_exposure", "object_version")
        }
    return size["posting"] + size["posting_exposure"], size["object_version"]


def _percentiles(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"p50 {statistics.median(ms):6.2f} ms  p99 {p99:6.2f} ms  (n={len(ms)})"


def lookups(engine, per_org: list[list[dict]], count: int, cap: int, seed: int = 13) -> dict[str, list[float]]:
    rng = random.Random(seed)
    principals = []
    for i in range(len(per_org)):
        with engine.begin() as conn:
            principals.append(accounts.principal_for_user(conn, f"user{i}"))
    timings: dict[str, list[float]] = {"object": [], "value": [], "common value": []}
    with engine.begin() as conn:  # warm up: the warning lists load and each query shape compiles once
        for value in ("8.8.8.8", "google.com", "user@mail.example", "0" * 64):
            correlation.carrying(conn, principals[0], value, cap=cap)
        correlation.correlations(conn, principals[0], per_org[0][0]["id"], cap=cap)
    for _ in range(count):
        i = rng.randrange(len(per_org))
        obj = rng.choice(per_org[i])  # its own: always in its view
        started = time.perf_counter()
        with engine.begin() as conn:
            correlation.correlations(conn, principals[i], obj["id"], limit=100, cap=cap)
        timings["object"].append(time.perf_counter() - started)

        other = rng.choice(per_org[rng.randrange(len(per_org))])
        value = other.get("value") or next(iter(other.get("hashes", {}).values()), None)
        if value is None:
            value = other["pattern"].split("'")[1]
        started = time.perf_counter()
        with engine.begin() as conn:
            correlation.carrying(conn, principals[i], value, limit=100, cap=cap)
        timings["value"].append(time.perf_counter() - started)

        started = time.perf_counter()
        with engine.begin() as conn:
            correlation.carrying(conn, principals[i], rng.choice(COMMON), limit=100, cap=cap)
        timings["common value"].append(time.perf_counter() - started)
    return timings


def _value_of(obj: dict) -> str:
    value = obj.get("value") or next(iter(obj.get("hashes", {}).values()), None)
    return value if value is not None else obj["pattern"].split("'")[1]


def hit_queries(engine, per_org: list[list[dict]], count: int, seed: int = 17) -> list[float]:
    """Seconds of `intel.hits.ask` for 100 values (half held by someone, half by no one), each in a
    transaction of its own, with even-numbered organisations discoverable by the instance by
    default and odd-numbered ones by their own first group: the service's work, without the answer
    floor the HTTP route adds."""
    rng = random.Random(seed)
    with engine.begin() as conn:
        for i, name in enumerate(f"Org {i}" for i in range(len(per_org))):
            org = tenancy.org_by_name(conn, name).id
            scope = (
                ("instance", None) if i % 2 == 0 else ("group", discovery.group_ids_by_name(conn, [f"g{i}"])[f"g{i}"])
            )
            discovery.set_defaults(conn, org, [scope])
        principals = [accounts.principal_for_user(conn, f"user{i}") for i in range(len(per_org))]
    limits = hits.Limits(per_window=10**9)
    timings = []
    for n in range(count + 1):
        asked = [hits.Asked(_value_of(rng.choice(rng.choice(per_org)))) for _ in range(50)]
        asked += [hits.Asked(f"nobody{rng.randrange(10**9)}.example") for _ in range(50)]
        i = rng.randrange(len(per_org))
        started = time.perf_counter()
        with engine.begin() as conn:
            hits.ask(conn, principals[i], asked, limits=limits)
        if n:  # the first compiles the query shapes
            timings.append(time.perf_counter() - started)
    return timings


class _PostingsOff:
    """The import without its posting step: what the bench compares against."""

    def __enter__(self):
        self.saved = bundles.postings
        bundles.postings = lambda obj: []

    def __exit__(self, *exc):
        bundles.postings = self.saved


def _scratch(kind: str, workdir: Path, tag: str):
    """(url, drop) of a fresh database."""
    if kind == "sqlite":
        path = workdir / f"{tag}.db"
        return f"sqlite:///{path}", lambda: None
    return postgres_database(f"liaison_bench_corr_{tag}")


def run(kind: str, per_org: list[list[dict]], args, workdir: Path) -> None:
    total = sum(len(objects) for objects in per_org)
    print(f"\n== {kind}: {total:,} objects, {len(per_org)} organisations")
    url_off, drop_off = _scratch(kind, workdir, "off")
    url_on, drop_on = _scratch(kind, workdir, "on")
    try:
        engine_off, _ = _setup(url_off, len(per_org))
        engine, _ = _setup(url_on, len(per_org))
        spent = load({"off": engine_off, "on": engine}, per_org)
        off, on = spent["off"], spent["on"]
        engine_off.dispose()
        drop_off()
        print(
            f"import   without postings {total / off:9,.0f} objects/s   with {total / on:9,.0f} objects/s   "
            f"ratio {off / on:.2f}  (target ≥ 0.8; the two taking turns, chunk by chunk)"
        )
        if kind == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        else:
            with engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM posting")).scalar_one()
        postings_size, objects_size = sizes(engine)
        print(
            f"size     postings {postings_size / 2**20:8.1f} MiB ({rows:,} rows)   objects "
            f"{objects_size / 2**20:8.1f} MiB   ratio {postings_size / objects_size:.2f}  (target ≤ 0.5)"
        )
        for name, seconds in lookups(engine, per_org, args.lookups, args.cap).items():
            print(f"lookup   {name:13s} {_percentiles(seconds)}  (target p99 < 5 ms)")
        seconds = hit_queries(engine, per_org, max(20, args.lookups // 10))
        print(f"hits     100 values    {_percentiles(seconds)}  (target p99 < 50 ms)")
        engine.dispose()
    finally:
        drop_on()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observables", type=int, default=200_000)
    parser.add_argument("--orgs", type=int, default=5)
    parser.add_argument("--common-share", type=float, default=0.01)
    parser.add_argument("--common-values", type=int, default=len(COMMON))
    parser.add_argument("--lookups", type=int, default=400)
    parser.add_argument("--cap", type=int, default=correlation.DEFAULT_CAP)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    per_org = generate(args.observables, args.orgs, args.common_share, args.common_values)
    # The generated objects stay in memory for the whole run; frozen, full collections do not walk
    # them in the middle of a timed lookup (a server holds no such heap).
    gc.freeze()
    with tempfile.TemporaryDirectory(prefix="liaison-bench-corr-") as workdir:
        if not args.no_sqlite:
            run("sqlite", per_org, args, Path(workdir))
        if not args.no_postgres:
            run("postgresql", per_org, args, Path(workdir))


if __name__ == "__main__":
    main()
