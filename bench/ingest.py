"""Ingest speed: Liaison's full import against a bare baseline measured in the same run.

Baseline: orjson parse + plain sqlite3 executemany of (id, modified, type, json) into one table.
Liaison: `open_bundle` + `import_objects` (validation, canonical JSON, access holdings, labels,
edges, one transaction) on SQLite and on PostgreSQL. Then the peak memory of `liaison import` on a
200,000-object file, in a child process.

    python bench/ingest.py [--objects 40000] [--memory-objects 200000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson
from sqlalchemy import text

from liaison import accounts
from liaison.db.engine import make_engine, migrate
from liaison.demo.attack_shaped import write_attack_shaped_file
from liaison.ingest.bundles import import_objects
from liaison.ingest.reader import open_bundle

PG_ADMIN = os.environ.get("LIAISON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def baseline(path: Path, workdir: Path) -> float:
    started = time.perf_counter()
    objects = orjson.loads(path.read_bytes())["objects"]
    db = sqlite3.connect(workdir / "baseline.db")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE obj (id TEXT, modified TEXT, type TEXT, raw TEXT, PRIMARY KEY (id, modified))")
    with db:
        db.executemany(
            "INSERT INTO obj VALUES (?, ?, ?, ?)",
            ((o["id"], o.get("modified", ""), o["type"], orjson.dumps(o).decode()) for o in objects),
        )
    db.close()
    return time.perf_counter() - started


def liaison_import(url: str, path: Path) -> tuple[float, int]:
    engine = make_engine(url)
    migrate(engine)
    accounts.create_org(engine, "Bench Agency")
    accounts.create_user(engine, "bench", "Bench Agency", "analyst")
    principal = accounts.principal_for_user(engine, "bench")
    started = time.perf_counter()
    with path.open("rb") as stream:
        _total, objects = open_bundle(stream)
        report = import_objects(engine, principal, objects, audience="instance")
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, report.new_versions


def postgres_database() -> tuple[str, callable]:
    admin = make_engine(PG_ADMIN)
    name = f"liaison_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin.url.set(database=name).render_as_string(hide_password=False), drop


def peak_memory_of_cli_import(path: Path, workdir: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of `liaison import` on `path` in a fresh child process."""
    env = {**os.environ, "LIAISON_DATABASE_URL": f"sqlite:///{workdir / 'memory.db'}"}
    cli = str(Path(sys.executable).with_name("liaison"))
    subprocess.run([cli, "org", "add", "Bench Agency"], env=env, check=True, capture_output=True)
    subprocess.run([cli, "user", "add", "bench", "--org", "Bench Agency"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run([cli, "import", str(path), "--as", "bench"], env=env, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=40_000)
    parser.add_argument("--memory-objects", type=int, default=200_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "attack.json"
        size = write_attack_shaped_file(path, args.objects, seed=1)
        print(f"ATT&CK-shaped bundle: {args.objects} objects, {size / 1e6:.1f} MB")

        base = baseline(path, workdir)
        print(f"baseline (orjson + sqlite3 executemany): {args.objects / base:>9,.0f} objects/s")
        runs = [("SQLite", f"sqlite:///{workdir / 'liaison.db'}", None)]
        if not args.no_postgres:
            url, drop = postgres_database()
            runs.append(("PostgreSQL", url, drop))
        for label, url, cleanup in runs:
            try:
                seconds, written = liaison_import(url, path)
            finally:
                if cleanup:
                    cleanup()
            assert written == args.objects, written
            rate = args.objects / seconds
            print(f"Liaison import on {label:<10}: {rate:>9,.0f} objects/s  (ratio to baseline {base / seconds:.2f})")

        if args.memory_objects:
            big = workdir / "big.json"
            size = write_attack_shaped_file(big, args.memory_objects, seed=2)
            seconds, peak = peak_memory_of_cli_import(big, workdir)
            print(f"`liaison import` of {args.memory_objects} objects ({size / 1e6:.0f} MB): "
                  f"{args.memory_objects / seconds:,.0f} objects/s, peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
