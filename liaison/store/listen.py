"""Waking on commits that wrote events. In this process (`Committed`): a transaction that wrote
events marks its connection, and the connection's return to the pool, after the commit, calls
back, so the live stream reads the outbox at once instead of at its next poll. In other processes
(`Listener`, PostgreSQL): a thread LISTENs on the channel NOTIFYed in the transaction that writes
events (store.events.CHANNEL) and calls back on each."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine, event

from liaison.store.events import CHANNEL, WROTE

log = logging.getLogger("liaison.listen")


class Listener:
    def __init__(self, engine: Engine, callback: Callable[[], None]):
        url = engine.url.set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self.callback = callback
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="liaison-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    while not self._stop.is_set():
                        for _notice in conn.notifies(timeout=1.0, stop_after=1):
                            self.callback()
            except psycopg.Error:  # the server restarted: listen again (readers poll meanwhile)
                log.warning("lost the LISTEN connection; retrying", exc_info=True)
                self._stop.wait(1.0)


class Committed:
    """Calls back after each commit in this process of a transaction that wrote events: the mark
    (store.events.WROTE, in the connection's info) is read when the connection goes back to the
    pool, which is after its commit, and dropped by a rollback."""

    def __init__(self, engine: Engine, callback: Callable[[], None]):
        self.engine, self.callback = engine, callback

    def _rolled_back(self, conn) -> None:
        conn.info.pop(WROTE, None)

    def _checked_in(self, _dbapi_connection, record) -> None:
        if record.info.pop(WROTE, None):
            self.callback()

    def start(self) -> None:
        event.listen(self.engine, "rollback", self._rolled_back)
        event.listen(self.engine.pool, "checkin", self._checked_in)

    def stop(self) -> None:
        event.remove(self.engine, "rollback", self._rolled_back)
        event.remove(self.engine.pool, "checkin", self._checked_in)
