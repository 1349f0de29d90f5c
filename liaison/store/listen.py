"""Waking on commits in other processes: a thread LISTENs on PostgreSQL's channel for events
(store.events.CHANNEL, NOTIFYed in the transaction that writes them) and calls back on each, so
that the live stream of every worker process reads the outbox as soon as another commits. SQLite
is one process: its readers poll."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

from liaison.store.events import CHANNEL

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
