"""The job runner: claims due jobs from the queue (store.jobs) and runs the handler registered for
each kind, and runs periodic work (alert evaluation, digests, retention) between claims. Handlers
are registered by the composition root. A handler that raises Retry is queued again after a
back-off that doubles with each attempt; after its kind's last attempt it is failed, with why.

Why a table of our own rather than a queue library: the maintained PostgreSQL queues (procrastinate,
pgqueuer) have no SQLite backend, so the embedded default would need a second queue; the delivery
log a webhook needs is a table anyway; and claiming with a lease and SKIP LOCKED is what those
libraries do underneath. One queue, both databases, jobs in the transaction of the change that
made them (a delivery is queued only if its alert commits)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from liaison.access.principal import Action, Principal
from liaison.stix.timestamps import format_ts
from liaison.store import jobs as store

log = logging.getLogger("liaison.jobs")


class Retry(Exception):
    """Raised by a handler whose work failed for now (a receiver down): run it again later."""


@dataclass(frozen=True, slots=True)
class Kind:
    run: Callable[[Engine, dict], None]
    attempts: int = 1
    backoff: float = 30.0

    def delay(self, attempt: int) -> float:
        """Seconds before the attempt after `attempt` (1-based): doubled each time, at most an hour."""
        return min(self.backoff * 2 ** (attempt - 1), 3600.0)


@dataclass(frozen=True, slots=True)
class Periodic:
    run: Callable[[Engine], object]
    every: float
    #: Seconds after the worker starts before the first run (the partner sync waits its interval).
    first: float = 0.0


class Worker:
    """Runs periodic work in one background thread and jobs in `threads` others until stopped, so
    that a slow job (a webhook receiver taking its time) delays neither alert evaluation nor the
    other jobs. Several workers (in one process or several) share the queue: each job is claimed
    by one."""

    def __init__(
        self,
        engine: Engine,
        kinds: dict[str, Kind],
        periodic: list[Periodic] = (),
        *,
        lease: float = 300.0,
        idle: float = 0.5,
        threads: int = 4,
    ):
        self.engine, self.kinds, self.periodic = engine, kinds, list(periodic)
        self.lease, self.idle = lease, idle
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._periodic_loop, name="liaison-periodic", daemon=True)] + [
            threading.Thread(target=self._job_loop, name=f"liaison-jobs-{n}", daemon=True) for n in range(threads)
        ]
        started = time.monotonic()
        self._due = [started + p.first for p in self.periodic]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

    def _periodic_loop(self) -> None:
        while not self._stop.is_set():
            self.run_periodic()
            self._stop.wait(self.idle)

    def _job_loop(self) -> None:
        while not self._stop.is_set():
            if not self.run_one():
                self._stop.wait(self.idle)

    def run_periodic(self) -> None:
        now = time.monotonic()
        for index, periodic in enumerate(self.periodic):
            if now >= self._due[index]:
                self._due[index] = now + periodic.every
                try:
                    periodic.run(self.engine)
                except Exception:  # periodic work must outlive one failed run
                    log.exception("periodic job %s failed", getattr(periodic.run, "__name__", periodic.run))

    def run_one(self) -> bool:
        """Claim and run one due job; False when none was due."""
        with self.engine.begin() as conn:
            claimed = store.claim(conn, self.lease)
        if claimed is None:
            return False
        kind = self.kinds.get(claimed.kind)
        try:
            if kind is None:
                raise LookupError(f"no handler for jobs of kind '{claimed.kind}'")
            kind.run(self.engine, claimed.payload)
        except Retry as exc:
            with self.engine.begin() as conn:
                if claimed.attempts < kind.attempts:
                    store.retry(conn, claimed.id, str(exc), kind.delay(claimed.attempts))
                else:
                    store.fail(conn, claimed.id, str(exc))
            return True
        except Exception as exc:
            log.exception("job %s (%s) failed", claimed.id, claimed.kind)
            with self.engine.begin() as conn:
                store.fail(conn, claimed.id, f"{type(exc).__name__}: {exc}")
            return True
        with self.engine.begin() as conn:
            store.finish(conn, claimed.id)
        return True

    def drain(self, *, limit: int = 1000) -> int:
        """Run periodic work and every due job now, in the caller's thread (the CLI, tests); how many jobs ran."""
        self._due = [0.0] * len(self.periodic)
        self.run_periodic()
        ran = 0
        while ran < limit and self.run_one():
            ran += 1
        return ran


def every(engine: Engine, kind: str, interval: float) -> bool:
    """Queue the job `kind` of the current slot of `interval` seconds, once across workers (keyed
    by the slot); whether this call queued it."""
    slot = int(time.time() // interval)
    with engine.begin() as conn:
        return store.enqueue(conn, kind, {}, key=f"{kind}:{slot}") is not None


def purge(engine: Engine, days: int) -> int:
    """Delete the jobs finished more than `days` days ago (kept as long as the events); how many."""
    before = format_ts(datetime.now(UTC) - timedelta(days=days))
    with engine.begin() as conn:
        return store.purge(conn, before)


def queue_state(conn: Connection, principal: Principal, *, state: str | None = None, limit: int = 50) -> dict:
    """The queue as the operator sees it: counts by state and the latest jobs (kinds, states,
    attempts, errors; never payloads, which name deliveries and users)."""
    principal.require(Action.OPERATE)
    return {"states": store.states(conn), "items": [row._asdict() for row in store.recent(conn, limit, state)]}
