"""The live stream's fan-out: one per process. It reads the outbox once per wake (a NOTIFY from
any process's commit, or its poll), judges the batch once per set of audiences among its
subscribers (access.predicate.told, with each event's liveness read in the same query), and hands
each subscriber the same encoded chunk. A subscriber is re-authenticated before each batch (once
per credential), so a revoked token or a group left takes effect at the next change.

A subscriber behind the hub (resuming from an old cursor) or whose queue filled up (a slow reader)
catches up on its own by reading the outbox through the predicate (stream.read) until it is level
again; the hub never waits for anyone, so one slow reader never delays the others."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from liaison.access.predicate import told
from liaison.access.principal import Principal
from liaison.alerts import stream
from liaison.errors import LiaisonError, TooManyAttempts
from liaison.store import events, postings

log = logging.getLogger("liaison.hub")
#: Chunks a subscriber may have waiting before it is left to catch up on its own.
QUEUE = 64
#: Events the fan-out reads at a time (a large commit's, usually, in one read).
BATCH = 2000
#: Seconds a queued chunk stays good: one older than that (its reader was slow) is not sent as
#: it is, but read again through the predicate, which heeds a withdrawal or a revocation since.
STALE = 1.0


@dataclass(frozen=True, slots=True)
class Chunk:
    """A queued chunk: the subscriber's position before it, the bytes, when it was queued."""

    after: int
    data: bytes
    at: float


class TooManyStreams(TooManyAttempts):
    code = "too-many-streams"


@dataclass(eq=False)
class Subscription:
    """One open stream: who (re-authenticated by `authenticate`, keyed by its credential), its
    filters, and the last event id handed to it."""

    key: str
    authenticate: Callable[[], Principal]
    principal: Principal
    chosen: stream.Filters
    position: int
    queue: asyncio.Queue | None = None
    lagging: bool = False
    ended: bool = False
    #: One event per chunk of changes (stream.sse_coalesced) instead of one per change.
    coalesce: bool = False

    def group(self) -> tuple:
        """Subscribers of one group are handed the same chunk: the same audiences, filters and form
        (a stream narrowed to a watchlist never goes through the fan-out: Hub.level)."""
        return (self.principal.audience_ids, self.chosen.types, self.chosen.audience_id, self.coalesce)

    def encode(self, found: list) -> bytes:
        return stream.sse_coalesced(found) if self.coalesce else stream.sse(found)


class Hub:
    def __init__(self, engine: Engine, *, poll: float = 0.5, per_key: int = 20, batch: int = BATCH, queue: int = QUEUE):
        self.engine, self.poll, self.per_key, self.batch, self.queue = engine, poll, per_key, batch, queue
        self.position: int | None = None
        self.subscribers: set[Subscription] = set()
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._key = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.position, self._key = await asyncio.to_thread(self._begin)
        self._task = asyncio.create_task(self._run())

    def _begin(self):
        with self.engine.connect() as conn:
            return events.newest_id(conn), stream.cipher(conn)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        for sub in self.subscribers:
            sub.ended = True
            sub.queue.put_nowait(None) if not sub.queue.full() else None

    def wake(self) -> None:
        """Read the outbox now (thread-safe: a LISTEN thread calls it)."""
        if self._loop and self._wake:
            self._loop.call_soon_threadsafe(self._wake.set)

    def subscribe(self, sub: Subscription) -> None:
        """Register a stream; TooManyStreams beyond `per_key` open streams for one credential."""
        if sum(1 for s in self.subscribers if s.key == sub.key) >= self.per_key:
            raise TooManyStreams(f"at most {self.per_key} open streams per token; close one first")
        sub.queue = asyncio.Queue(self.queue)
        self.subscribers.add(sub)

    def unsubscribe(self, sub: Subscription) -> None:
        self.subscribers.discard(sub)

    def level(self, sub: Subscription) -> bool:
        """Whether the hub hands `sub` what comes next (else it catches up by itself). A stream
        narrowed to a watchlist always reads for itself: matching reads the store, and one
        agency's many watchlists must not slow the fan-out for everyone."""
        if sub.lagging or sub.chosen.watch or self.position is None:
            return False
        return sub.position >= self.position

    async def _run(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll)
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                while await self.step() >= self.batch:
                    pass
            except Exception:  # the fan-out must outlive one failed read; subscribers catch up
                log.exception("the live stream's fan-out failed a step")

    async def step(self) -> int:
        """Read and hand out the next batch; how many events were read."""
        rows = await asyncio.to_thread(self._read, self.position)
        if not rows:
            return 0
        level = [s for s in self.subscribers if self.level(s) and not s.ended]
        principals = await self._reauthenticate(level)
        start, last = self.position, rows[-1].id
        kept: dict[tuple, list] = {}  # each group's events, judged once
        carried = await asyncio.to_thread(self._carried, rows) if level else {}
        for sub in level:
            principal = principals.get(sub.key, sub.principal)
            if principal is None:
                sub.ended = True
                _offer(sub, None)
                continue
            sub.principal = principal
            group = sub.group()
            if group not in kept:
                seen = [r for r in rows if told(principal, r.audience_id, r.live)]
                if any(r.version_pk in carried for r in seen):  # correlation hits, per set of audiences too
                    seen = await asyncio.to_thread(self._with_hits, principal, seen, carried)
                kept[group] = stream.keep(None, principal, seen, sub.chosen)
        chunks: dict[tuple, tuple[list, bytes]] = {}
        made: dict[tuple[int, str], stream.Notice] = {}  # each event's notice made once, whoever it is told to
        for sub in level:  # from here on no await: positions change only here
            if sub.ended or not self.level(sub):
                continue  # ended above, or found its queued chunk stale meanwhile
            group = sub.group()
            if group not in chunks:
                found = stream.notices(self._key, kept[group], made)
                chunks[group] = (found, sub.encode(found))
            found, chunk = chunks[group]
            if sub.position > start:  # it read some of these itself while catching up
                found = [n for n in found if n.event_id > sub.position]
                chunk = sub.encode(found)
            if not chunk or _offer(sub, Chunk(sub.position, chunk, time.monotonic())):
                sub.position = max(sub.position, last)  # it may have read further by itself
            else:
                sub.lagging = True
        self.position = last
        for sub in self.subscribers:  # those left to catch up: nudge them to look
            if not self.level(sub) and sub.queue.empty():
                _offer(sub, Chunk(sub.position, b"", time.monotonic()))
        return len(rows)

    def _read(self, after: int):
        with self.engine.connect() as conn:
            return events.batch(conn, after, self.batch)

    def _carried(self, rows: list) -> dict:
        with self.engine.connect() as conn:
            return postings.carried_by(conn, {r.version_pk for r in rows})

    def _with_hits(self, principal: Principal, rows: list, carried: dict) -> list:
        with self.engine.connect() as conn:
            return stream.with_hits(conn, principal, rows, carried)

    async def _reauthenticate(self, subs: list[Subscription]) -> dict[str, Principal | None]:
        """Each credential's principal as it stands now (None: it no longer stands)."""
        found: dict[str, Principal | None] = {}
        by_key = {s.key: s for s in subs}

        def check(sub: Subscription) -> Principal | None:
            try:
                return sub.authenticate()
            except LiaisonError:
                return None

        def check_all() -> None:  # one trip to a thread for them all
            for key, sub in by_key.items():
                found[key] = check(sub)

        await asyncio.to_thread(check_all)
        return found


def take(sub: Subscription, item: Chunk) -> bytes:
    """What to send of a chunk taken off `sub`'s queue: its bytes while fresh; nothing once stale,
    and then nothing else queued either: the subscriber goes back to where the stale chunk began
    and catches up through the predicate."""
    if not item.data or time.monotonic() - item.at <= STALE:
        return item.data
    while not sub.queue.empty():
        sub.queue.get_nowait()
    sub.position, sub.lagging = item.after, True
    return b""


def _offer(sub: Subscription, chunk: Chunk | None) -> bool:
    try:
        sub.queue.put_nowait(chunk)
        return True
    except asyncio.QueueFull:
        return False
