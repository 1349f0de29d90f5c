"""Shared by the ingest and sync benchmarks: bundles made of real MITRE ATT&CK objects with fresh
ids, and child processes timed from spawn to exit with their own peak memory.

The objects are those of the latest release of each domain in `../shared/data/attack/` (ICS and
Mobile; see `../shared/data/README.md`), deduplicated by (id, modified) — the MITRE identity and
the copyright marking appear in both. A bundle of N objects is as many copies of them as needed
(the last one cut short). Each copy gets fresh ids: every identifier `type--uuid`, the object's own
`id` and every reference to one (`*_ref` and `*_refs` properties at any depth, e.g.
`x_mitre_contents[].object_ref`), becomes `type--uuid5(NAMESPACE, "<copy>:<old id>")`, so the
relationships, `created_by_ref` and `object_marking_refs` of a copy point into that same copy.
The only ids kept are the TLP marking definitions (1.0 and 2.0), which have fixed ids; ATT&CK uses
none of them, so in practice every id is remapped, the MITRE identity and the statement marking
included (each copy has its own).

This module imports nothing from liaison, so the baseline child stays as light as possible.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
ATTACK_DIR = ROOT.parent / "shared" / "data" / "attack"
NAMESPACE = uuid.UUID("7d3c4f0e-8a51-4f5e-9a37-2b8c1e6d9f10")
TLP_IDS = frozenset(
    {
        # TLP 1.0 (STIX 2.1 spec section 7.2.1.4)
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        # TLP 2.0 (the OASIS CTI TC's extension definitions)
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    }
)
_RELEASE = re.compile(r"^(ics|mobile)-(\d+(?:\.\d+)*)\.json$")


def attack_missing() -> str | None:
    """Why the ATT&CK data cannot be used, or None when it can."""
    if not ATTACK_DIR.is_dir():
        return f"{ATTACK_DIR} is absent (the real MITRE ATT&CK bundles, see ../shared/data/README.md)"
    if not latest_releases():
        return f"no ics-<v>.json / mobile-<v>.json release in {ATTACK_DIR}"
    return None


def latest_releases() -> list[Path]:
    """The newest release file of each domain."""
    newest: dict[str, tuple[tuple[int, ...], Path]] = {}
    for path in ATTACK_DIR.glob("*.json"):
        m = _RELEASE.match(path.name)
        if m:
            version = tuple(int(p) for p in m.group(2).split("."))
            if m.group(1) not in newest or version > newest[m.group(1)][0]:
                newest[m.group(1)] = (version, path)
    return [path for _, path in sorted(newest.values(), key=lambda item: item[1].name)]


def source_objects() -> list[dict]:
    """The objects of the latest release of each domain, deduplicated by (id, modified), as
    published (Mobile 14.0's relationship with 'modified' before 'created' included: Liaison
    takes real data as it is)."""
    seen: set[tuple[str, str]] = set()
    objects = []
    for path in latest_releases():
        for obj in orjson.loads(path.read_bytes())["objects"]:
            key = (obj["id"], obj.get("modified", ""))
            if key not in seen:
                seen.add(key)
                objects.append(obj)
    return objects


class _Copy:
    """The id mapping of copy number `n`."""

    def __init__(self, n: int):
        self.prefix = f"{n}:"
        self.ids: dict[str, str] = {}

    def id(self, old: str) -> str:
        new = self.ids.get(old)
        if new is None:
            if old in TLP_IDS or "--" not in old:
                new = old
            else:
                new = f"{old.split('--', 1)[0]}--{uuid.uuid5(NAMESPACE, self.prefix + old)}"
            self.ids[old] = new
        return new

    def value(self, value):
        if isinstance(value, dict):
            return self.map(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value

    def map(self, obj: dict, top: bool = False) -> dict:
        out = {}
        for key, value in obj.items():
            if (top and key == "id") or (key.endswith("_ref") and isinstance(value, str)):
                out[key] = self.id(value)
            elif key.endswith("_refs") and isinstance(value, list):
                out[key] = [self.id(v) if isinstance(v, str) else v for v in value]
            else:
                out[key] = self.value(value)
        return out


def fresh_objects(count: int, source: list[dict], first_copy: int = 0) -> Iterator[dict]:
    """`count` objects: copies first_copy, first_copy + 1, ... of `source` with fresh ids."""
    n, left = first_copy, count
    while left > 0:
        copy = _Copy(n)
        for obj in source[:left]:
            yield copy.map(obj, top=True)
        left -= min(left, len(source))
        n += 1


def write_bundle(path: Path, count: int, source: list[dict], first_copy: int = 0) -> int:
    """Write a bundle of `count` fresh-id copies to `path`, streaming; returns its size in bytes."""
    with path.open("wb") as out:
        out.write(
            b'{"type":"bundle","id":"bundle--'
            + str(uuid.uuid5(NAMESPACE, f"bundle:{first_copy}:{count}")).encode()
            + b'","objects":[\n'
        )
        for i, obj in enumerate(fresh_objects(count, source, first_copy)):
            if i:
                out.write(b",\n")
            out.write(orjson.dumps(obj))
        out.write(b"\n]}\n")
    return path.stat().st_size


@dataclass
class ChildRun:
    """A finished child process: exit code, seconds from spawn to exit, its own peak RSS (MB)."""

    returncode: int
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str

    def check(self, what: str) -> ChildRun:
        if self.returncode != 0:
            raise RuntimeError(
                f"{what} failed with exit code {self.returncode}:\n{self.stdout[-2000:]}\n{self.stderr[-3000:]}"
            )
        return self


def run_child(
    command: list[str],
    *,
    env: dict | None = None,
    cwd: Path | None = None,
    timeout: float = 1800.0,
    logdir: Path | None = None,
) -> ChildRun:
    """Run `command`, timing it from spawn to exit (polled every 2 ms) and taking ITS peak RSS
    from wait4 (not the maximum over every child so far, as RUSAGE_CHILDREN would give).
    Killed after `timeout` seconds."""
    import tempfile

    with tempfile.TemporaryFile(dir=logdir) as out, tempfile.TemporaryFile(dir=logdir) as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=err)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                elapsed = time.perf_counter() - started
                break
            if time.perf_counter() > deadline:
                os.kill(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                elapsed = time.perf_counter() - started
                proc.returncode = -9
                out.seek(0), err.seek(0)
                raise RuntimeError(
                    f"{' '.join(command[:3])} ... timed out after {timeout:.0f} s:\n"
                    f"{err.read().decode(errors='replace')[-3000:]}"
                )
            time.sleep(0.002)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; Popen must not wait again
        out.seek(0), err.seek(0)
        return ChildRun(
            proc.returncode,
            elapsed,
            usage.ru_maxrss / 1024,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    name: str,
    command: list[str],
    ready_url: str,
    workdir: Path,
    env: dict | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 60.0,
    headers: dict | None = None,
    log: Path | None = None,
) -> subprocess.Popen:
    """Start `command` as a server (output to `log`, by default NAME.log in `workdir`) and wait
    until `ready_url` answers 200."""
    log = log or workdir / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(ready_url, auth=auth, headers=headers, timeout=5).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError(f"{name} did not answer {ready_url} in {timeout:.0f} s:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen | None) -> None:
    """Terminate a server (kill it after 10 s)."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def running(name: str, command: list[str], ready_url: str, workdir: Path, **options) -> Iterator[None]:
    """A server (start_server) for the length of the block."""
    proc = start_server(name, command, ready_url, workdir, **options)
    try:
        yield
    finally:
        stop_server(proc)


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:>9,.0f} objects/s" if seconds > 0 else "      n/a objects/s"


#: The PostgreSQL server benches make scratch databases on (as the tests do).
PG_ADMIN = os.environ.get("LIAISON_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def postgres_database(prefix: str = "liaison_bench"):
    """A fresh PostgreSQL database: (its URL, a function dropping it)."""
    from sqlalchemy import text

    from liaison.db.engine import make_engine

    admin = make_engine(PG_ADMIN)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin.url.set(database=name).render_as_string(hide_password=False), drop
