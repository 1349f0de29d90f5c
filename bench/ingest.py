"""Ingest speed of the whole `liaison import` process against a bare baseline measured in the same
run, where the time goes, and the peak memory of a large import. Timings are printed, never asserted.

Data: real MITRE ATT&CK objects, the latest ICS and Mobile releases in ../shared/data/attack/
(skipped, exit status 0, when that directory is absent), copied with fresh ids until the bundle
holds --objects objects. Every id is remapped per copy (uuid5 of the copy number and the old id),
in the object and in every `*_ref`/`*_refs` at any depth, except the TLP marking definitions;
ATT&CK uses none, so the MITRE identity and statement marking are per copy too (see common.py).

Compared, each a child process timed from spawn to exit:
  baseline   `python bench/ingest.py --baseline-child`: orjson parse of the whole file, then in
             one sqlite3 transaction (WAL) executemany of (id, modified, type, json) into one table
             and of the reference edges (one row per `*_ref`/`*_refs` target at any depth, with
             the relationship type on source_ref/target_ref) into a second one;
  Liaison    `liaison import FILE --as bench --audience instance` on SQLite and on PostgreSQL
             (a fresh database, dropped afterwards); start-up and migrations check included.
             The database and the user are set up first with `liaison init`, `org add`,
             `user add` (not timed).
Then the breakdown: the same import in this process through `open_bundle` + `import_objects`,
timed from the bench side only (functions wrapped by monkeypatching wherever they are bound:
`prepare`, `validate_object`, `write_batch`, `insert_rows`; SQLAlchemy cursor events keyed by
statement verb and table). A name that no longer exists is shown as n/a. Finally the peak RSS of
`liaison import` on a --memory-objects file, taken from wait4 for that one child.

Targets: Liaison ≥ 0.30 of the baseline's objects/s; peak memory ≤ 500 MB.

    python bench/ingest.py [--objects 40000] [--memory-objects 200000] [--no-postgres] [--no-breakdown]
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import attack_missing, postgres_database, rate, run_child, source_objects, write_bundle

LIAISON = str(Path(sys.executable).with_name("liaison"))
USER, ORG = "bench", "Bench Agency"
TARGET_RATIO, TARGET_PEAK_MB = 0.30, 500
#: liaison.stix.validate.ENDPOINTS, spelt out: the baseline runs without Liaison's code.
_ENDPOINTS = ("source_ref", "target_ref")


# --- baseline (runs in its own child process; stdlib and orjson only) -------------------------


def _refs(value, path: str, out: list) -> None:
    if isinstance(value, dict):
        prefix = f"{path}." if path else ""
        for key, item in value.items():
            if key.endswith("_ref") and isinstance(item, str):
                out.append((prefix + key, item))
            elif key.endswith("_refs") and isinstance(item, list):
                out.extend((prefix + key, target) for target in item)
            elif isinstance(item, (dict, list)):
                _refs(item, prefix + key, out)
    elif isinstance(value, list):
        for item in value:
            _refs(item, path, out)


def baseline_child(path: str, db_path: str) -> None:
    started = time.perf_counter()
    objects = orjson.loads(Path(path).read_bytes())["objects"]
    parsed = time.perf_counter()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE obj (id TEXT, modified TEXT, type TEXT, raw TEXT, PRIMARY KEY (id, modified))")
    db.execute(
        "CREATE TABLE edge (source_id TEXT, source_modified TEXT, prop TEXT, target_id TEXT, relationship_type TEXT)"
    )
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO obj VALUES (?, ?, ?, ?)",
        ((o["id"], o.get("modified", ""), o["type"], orjson.dumps(o).decode()) for o in objects),
    )
    edges = 0

    def edge_rows():
        nonlocal edges
        for o in objects:
            found: list = []
            _refs(o, "", found)
            kind = o.get("relationship_type")
            for prop, target in found:
                edges += 1
                yield o["id"], o.get("modified", ""), prop, target, kind if prop in _ENDPOINTS else None

    db.executemany("INSERT INTO edge VALUES (?, ?, ?, ?, ?)", edge_rows())
    db.execute("COMMIT")
    db.close()
    done = time.perf_counter()
    print(
        orjson.dumps(
            {"objects": len(objects), "edges": edges, "parse": parsed - started, "sql": done - parsed}
        ).decode()
    )


# --- Liaison as a child process ----------------------------------------------------------------


def cli_env(url: str) -> dict:
    return {**os.environ, "LIAISON_DATABASE_URL": url, "LIAISON_SYNC_INTERVAL": "0"}


def setup_cli_database(url: str, workdir: Path) -> None:
    env = cli_env(url)
    for command in (["init"], ["org", "add", ORG], ["user", "add", USER, "--org", ORG, "--role", "analyst"]):
        run_child([LIAISON, *command], env=env, cwd=workdir, timeout=300).check(f"liaison {' '.join(command)}")


def cli_import(url: str, path: Path, workdir: Path, expected: int, timeout: float = 1800):
    """Time `liaison import` from spawn to exit; returns the ChildRun and the seconds it reported."""
    run = run_child(
        [LIAISON, "import", str(path), "--as", USER, "--audience", "instance"],
        env=cli_env(url),
        cwd=workdir,
        timeout=timeout,
    ).check("liaison import")
    new = re.search(r"(\d+) new versions", run.stdout)
    if new is None or int(new.group(1)) != expected:
        print(f"  WARNING: expected {expected} new versions, liaison import said: {run.stdout.strip()[-300:]}")
    reported = re.search(r"in ([\d.]+) s", run.stdout)
    return run, float(reported.group(1)) if reported else None


# --- the breakdown (in this process, instrumented from the outside) ------------------------------

#: (module where the function is defined today, name): wrapped wherever that function is bound.
INSTRUMENTED = [
    ("liaison.ingest.bundles", "prepare"),
    ("liaison.stix.validate", "validate_object"),
    ("liaison.store.ingest", "write_batch"),
    ("liaison.db.bulk", "insert_rows"),
]
_TABLE_AFTER = re.compile(r"\b(?:INTO|FROM|UPDATE|JOIN|COPY)\s+\"?([A-Za-z_][A-Za-z0-9_]*)", re.I)


class Instrument:
    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.sql: dict[str, list] = {}  # "VERB table" -> [seconds, statements]
        self.in_bulk = 0
        self.in_batch = 0
        self.sql_in_batch = 0.0
        self.undo: list = []
        self.patched: set[str] = set()
        self.tables: set[str] = set()
        try:
            from liaison.db.tables import metadata

            self.tables = set(metadata.tables)
        except Exception:
            pass

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self.calls[name] = self.calls.get(name, 0) + 1

    def add_sql(self, key: str, seconds: float) -> None:
        entry = self.sql.setdefault(key, [0.0, 0])
        entry[0] += seconds
        entry[1] += 1
        if self.in_batch:
            self.sql_in_batch += seconds

    def key(self, statement: str) -> str:
        verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
        names = _TABLE_AFTER.findall(statement)
        table = next((n for n in names if n in self.tables), names[0] if names else "-")
        return f"{verb} {table}"

    def patch(self) -> None:
        import importlib

        for module_name, name in INSTRUMENTED:
            try:
                original = getattr(importlib.import_module(module_name), name)
            except (ImportError, AttributeError):
                continue
            wrapper = self._wrap(name, original)
            for module in list(sys.modules.values()):
                if getattr(module, "__name__", "").startswith("liaison") and getattr(module, name, None) is original:
                    setattr(module, name, wrapper)
                    self.undo.append((module, name, original))
                    self.patched.add(name)

    def _wrap(self, name: str, original):
        if name == "insert_rows":

            def timed(conn, table, columns, rows, *args, **kwargs):
                self.in_bulk += 1
                started = time.perf_counter()
                try:
                    return original(conn, table, columns, rows, *args, **kwargs)
                finally:
                    self.in_bulk -= 1
                    elapsed = time.perf_counter() - started
                    self.add(name, elapsed)
                    self.add_sql(
                        f"{'COPY' if conn.dialect.name == 'postgresql' else 'INSERT'} "
                        f"{getattr(table, 'name', table)} (bulk)",
                        elapsed,
                    )
        else:
            batch = name == "write_batch"

            def timed(*args, **kwargs):
                self.in_batch += batch
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    self.in_batch -= batch
                    self.add(name, time.perf_counter() - started)

        return timed

    def listen(self, engine) -> None:
        from sqlalchemy import event

        @event.listens_for(engine, "before_cursor_execute")
        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info.setdefault("bench_started", []).append(time.perf_counter())

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn, cursor, statement, parameters, context, executemany):
            started = conn.info["bench_started"].pop()
            if not self.in_bulk:  # a bulk insert made through SQLAlchemy is counted once, by insert_rows
                self.add_sql(self.key(statement), time.perf_counter() - started)

    def restore(self) -> None:
        for module, name, original in reversed(self.undo):
            setattr(module, name, original)
        self.undo.clear()


def breakdown(url: str, path: Path, expected: int, label: str) -> None:
    from liaison import accounts
    from liaison.db.engine import make_engine, migrate
    from liaison.ingest.bundles import import_objects
    from liaison.ingest.reader import open_bundle

    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        accounts.create_org(conn, ORG)
        accounts.create_user(conn, USER, ORG, "analyst")
        principal = accounts.principal_for_user(conn, USER)
    probe = Instrument()
    probe.listen(engine)
    probe.patch()
    parse = [0.0]

    def timed_iter(items):
        iterator = iter(items)
        while True:
            started = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                parse[0] += time.perf_counter() - started
                return
            parse[0] += time.perf_counter() - started
            yield item

    try:
        started = time.perf_counter()
        with path.open("rb") as stream:
            _total, objects = open_bundle(stream)
            opened = time.perf_counter() - started
            with engine.begin() as conn:
                report = import_objects(conn, principal, timed_iter(objects), audience="instance")
        total = time.perf_counter() - started
    finally:
        probe.restore()
        engine.dispose()
    if report.new_versions != expected:
        print(f"  WARNING: {report.new_versions} new versions, expected {expected}")

    def line(name: str, seconds: float | None, note: str = "", indent: int = 2) -> None:
        if seconds is None:
            print(f"{' ' * indent}{name:<44}      n/a")
        else:
            print(f"{' ' * indent}{name:<44} {seconds:8.2f} s {100 * seconds / total:5.1f} %  {note}")

    def measured(name: str) -> float | None:
        return probe.seconds.get(name, 0.0) if name in probe.patched else None

    sql_total = sum(s for s, _ in probe.sql.values())
    print(f"where the time goes, {label} (in-process, {expected / total:,.0f} objects/s, total {total:.2f} s):")
    line("open_bundle (whole parse ≤ 16 MB, else scan)", opened)
    line("parse (pulling objects from the reader)", parse[0])
    prep, valid = measured("prepare"), measured("validate_object")
    line("prepare (validate, canonical JSON, columns)", prep)
    line("  of which validate_object", valid, indent=4)
    write = measured("write_batch")
    line("write_batch", write)
    line("SQL, all statements (by table below)", sql_total)
    for key, (seconds, count) in sorted(probe.sql.items(), key=lambda item: -item[1][0]):
        if seconds / total >= 0.001:
            line(key, seconds, f"{count} statement(s)", indent=6)
    if write is not None:
        line("write_batch minus SQL (Python in the store)", max(write - probe.sql_in_batch, 0.0))
    known = opened + parse[0] + (prep or 0.0) + (write if write is not None else sql_total)
    if write is not None:
        line("SQL outside write_batch", sql_total - probe.sql_in_batch)
    line("rest (policy checks, batching, commit, ...)", max(total - known, 0.0))
    print(
        "  (SQL times are execute() calls only: rows fetched afterwards are not included; SQL outside "
        "write_batch is part of 'rest')"
    )


# --- main ----------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "meets target" if ok else "BELOW TARGET"


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--baseline-child":
        baseline_child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=40_000)
    parser.add_argument("--memory-objects", type=int, default=200_000, help="0 skips the memory run")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-breakdown", action="store_true")
    args = parser.parse_args()

    missing = attack_missing()
    if missing:
        print(f"SKIPPED: {missing}")
        return
    source = source_objects()
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as tmp:
        workdir = Path(tmp)
        path = workdir / "attack.json"
        size = write_bundle(path, args.objects, source)
        print(
            f"bundle: {args.objects:,} real ATT&CK objects ({len(source):,} distinct in the latest ICS and "
            f"Mobile releases, copied with fresh ids), {size / 1e6:.1f} MB"
        )

        base = run_child(
            [sys.executable, __file__, "--baseline-child", str(path), str(workdir / "baseline.db")], timeout=1800
        ).check("baseline")
        detail = orjson.loads(base.stdout.strip().splitlines()[-1])
        print(
            f"baseline (orjson + sqlite3 executemany, objects + {detail['edges']:,} edges): "
            f"{rate(args.objects, base.seconds)}  {base.seconds:6.2f} s spawn to exit "
            f"(parse {detail['parse']:.2f} s, SQL {detail['sql']:.2f} s), peak {base.peak_mb:.0f} MB"
        )

        runs = [("SQLite", lambda: (f"sqlite:///{workdir / 'liaison.db'}", None))]
        if not args.no_postgres:
            runs.append(("PostgreSQL", postgres_database))
        for label, make in runs:
            try:
                url, cleanup = make()
            except Exception as exc:
                print(f"Liaison on {label}: FAILED to create the database: {exc}")
                continue
            try:
                setup_cli_database(url, workdir)
                run, reported = cli_import(url, path, workdir, args.objects)
                ratio = base.seconds / run.seconds
                inner = f", {reported:.2f} s inside the import" if reported is not None else ""
                print(
                    f"`liaison import` on {label:<10}: {rate(args.objects, run.seconds)}  {run.seconds:6.2f} s "
                    f"spawn to exit{inner}, peak {run.peak_mb:.0f} MB; ratio to baseline {ratio:.2f} "
                    f"(target ≥ {TARGET_RATIO:.2f}: {verdict(ratio >= TARGET_RATIO)})"
                )
                if not args.no_breakdown:
                    if label == "PostgreSQL":
                        cleanup()
                        url, cleanup = make()
                        breakdown(url, path, args.objects, label)
                    else:
                        breakdown(f"sqlite:///{workdir / 'breakdown.db'}", path, args.objects, label)
            except Exception as exc:
                print(f"Liaison on {label}: FAILED: {exc}")
            finally:
                if cleanup:
                    cleanup()

        if args.memory_objects:
            path.unlink()
            big = workdir / "big.json"
            size = write_bundle(big, args.memory_objects, source, first_copy=10_000)
            url = f"sqlite:///{workdir / 'memory.db'}"
            try:
                setup_cli_database(url, workdir)
                run, reported = cli_import(url, big, workdir, args.memory_objects, timeout=3600)
                print(
                    f"`liaison import` of {args.memory_objects:,} objects ({size / 1e6:.0f} MB) on SQLite: "
                    f"{rate(args.memory_objects, run.seconds)}, {run.seconds:.1f} s; peak memory "
                    f"{run.peak_mb:.0f} MB (target ≤ {TARGET_PEAK_MB} MB: {verdict(run.peak_mb <= TARGET_PEAK_MB)})"
                )
            except Exception as exc:
                print(f"memory run: FAILED: {exc}")


if __name__ == "__main__":
    main()
