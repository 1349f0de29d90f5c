"""The statistical recogniser in a process of its own, for the server.

spaCy holds the interpreter lock while it reads a text, so in the server's process the model and
the rules take turns: a draft took the model's time plus the rules'. In a process of its own the
model reads the text while the draft's rules run beside it. The texts go to it over a pipe, and
plain (label, start, end, text) tuples come back; nothing else crosses. The request's own thread
writes and reads the pipe (an executor's hand-over threads would each wait for the interpreter
lock the rules hold, a few milliseconds every time).

One process (spawned, so it shares nothing with the server's threads and connections), started by
the first draft (which waits for the model to load, as it would in the server's own process), kept
for the server's life. If it dies, the draft in flight is made by the rules alone and says so, and
the next draft starts a new one.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
from collections.abc import Callable

from liaison.ingest.extract import statistical
from liaison.ingest.extract.mentions import Mention
from liaison.ingest.extract.statistical import Status

#: What a draft says when the process stopped while it read the draft's text.
FAILED = Status(False, "the recogniser's process stopped while reading this text; the rules alone made this draft")


class Failed(Exception):
    """The recogniser's process stopped before it answered."""


def _serve(pipe) -> None:
    """The process: answers (number, text) with (number, spans), and (number, None) with
    (number, (on, detail)), until the pipe closes."""
    loaded = statistical.load()
    model = loaded if isinstance(loaded, statistical.Recogniser) else None
    status = model.status if model else loaded
    while True:
        try:
            number, text = pipe.recv()
        except (EOFError, OSError):
            return
        if text is None:
            pipe.send((number, (status.on, status.detail)))
        else:
            pipe.send((number, model.spans(text) if model else []))


class _Process:
    """The process and its pipe; answers may be read by another request's thread, so each is
    kept by number until its asker reads it."""

    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs,), name="liaison-recogniser", daemon=True)
        self.process.start()
        theirs.close()
        self.numbers = itertools.count()
        self.sending, self.reading = threading.Lock(), threading.Lock()
        self.answers: dict[int, object] = {}

    def send(self, text: str | None) -> int:
        with self.sending:
            number = next(self.numbers)
            self.pipe.send((number, text))
        return number

    def answer(self, number: int):
        while True:
            with self.reading:
                if number in self.answers:
                    return self.answers.pop(number)
                got, value = self.pipe.recv()
                if got == number:
                    return value
                self.answers[got] = value


_lock = threading.Lock()
_process: _Process | None = None
_status: Status | None = None


def _current() -> _Process:
    global _process
    with _lock:
        if _process is None or not _process.process.is_alive():
            _process = _Process()
        return _process


def _forget(dead: _Process) -> None:
    global _process, _status
    with _lock:
        if _process is dead:
            _process, _status = None, None


def status() -> Status:
    """Whether the model runs in its process, and what it is: asked once (the first call waits for
    the process to start and load the model)."""
    global _status
    if _status is None:
        process = _current()
        try:
            on, detail = process.answer(process.send(None))
        except (EOFError, OSError):
            _forget(process)
            return Status(False, "the recogniser's process could not start")
        _status = Status(on, f"{detail}, in a process of its own" if on else detail)
    return _status


class Remote:
    """The recogniser in its process: `start` sends a text; what it returns collects the
    proposals (Failed if the process stopped meanwhile)."""

    def start(self, text: str) -> Callable[[], list[Mention]]:
        process = _current()
        try:
            number = process.send(text)
        except (EOFError, OSError):
            _forget(process)
            number = None

        def collect() -> list[Mention]:
            if number is None:
                raise Failed
            try:
                return [statistical.mention(*span) for span in process.answer(number)]
            except (EOFError, OSError):
                _forget(process)
                raise Failed from None

        return collect


def recogniser() -> tuple[Remote | None, Status]:
    """The recogniser in its process and its status (None when the model is off there)."""
    found = status()
    return (Remote() if found.on else None), found
