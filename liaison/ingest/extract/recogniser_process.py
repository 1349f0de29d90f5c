"""The statistical recogniser in processes of its own, for the server.

spaCy holds the interpreter lock while it reads a text, so in the server's process the model and
the rules take turns: a draft took the model's time plus the rules'. In processes of their own the
model reads the text while the draft's rules run beside it, and a longer text is read in parts by
several processes at once (`parts`: cut at line ends, each part read with a margin of its
neighbours' text so that the model sees the context it would see in the whole). The texts go over
pipes, and plain (label, start, end, text) tuples come back; nothing else crosses. The request's own
thread writes and reads the pipes (an executor's hand-over threads would each wait for the
interpreter lock the rules hold, a few milliseconds every time).

The processes (spawned, so they share nothing with the server's threads and connections) are
started by the first draft (which waits for the model to load, as it would in the server's own
process) and kept for the server's life. If one dies, the draft in flight is made by the rules
alone and says so, and the next draft starts a new one.
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


#: Texts shorter than this are read by one process: a part would cost more to send than it saves.
SPLIT_AT = 300
#: Characters of a neighbouring part a process reads besides its own, up to a line's start or end
#: (the model's decisions look a few words either way; a sentence of margin leaves them unchanged).
MARGIN = 100

_lock = threading.Lock()
_pool: list[_Process] = []
_statuses: dict[int, Status] = {}


def _current(count: int = 1) -> list[_Process]:
    """The first `count` processes, those that died replaced."""
    with _lock:
        while len(_pool) < count:
            _pool.append(_Process())
        for i in range(count):
            if not _pool[i].process.is_alive():
                _pool[i] = _Process()
        return _pool[:count]


def _forget(dead: _Process) -> None:
    with _lock:
        if dead in _pool:
            _pool.remove(dead)
            _statuses.clear()


def status(count: int = 1) -> Status:
    """Whether the model runs in its processes, and what it is: asked once (the first call waits
    for the processes to start and load the model)."""
    if count not in _statuses:
        answers = []
        for process in _current(count):
            try:
                answers.append(process.answer(process.send(None)))
            except (EOFError, OSError):
                _forget(process)
                return Status(False, "the recogniser's process could not start")
        on, detail = answers[0]
        where = "in a process of its own" if count == 1 else f"in {count} processes of its own"
        _statuses[count] = Status(on, f"{detail}, {where}" if on else detail)
    return _statuses[count]


def parts(text: str, count: int) -> list[tuple[int, int, int, int]]:
    """How `count` processes share `text`: (own start, own end, read start, read end) of each part,
    the own parts covering the text, cut near equal lengths at a line end (else a sentence end),
    each read with up to MARGIN characters of its neighbours (to a line's start or end, else a
    space). One part for a short text, or one with nowhere to cut."""
    if count < 2 or len(text) < SPLIT_AT:
        return [(0, len(text), 0, len(text))]
    cuts = [0]
    for i in range(1, count):
        cut = _cut(text, cuts[-1], len(text) * i // count, len(text) // (2 * count))
        if cut is not None:
            cuts.append(cut)
    cuts.append(len(text))
    return [
        (own, end, _margin_back(text, own), _margin_on(text, end)) for own, end in zip(cuts, cuts[1:], strict=False)
    ]


def _cut(text: str, after: int, target: int, reach: int) -> int | None:
    """Where to cut near `target` (past `after`): just after the nearest line end within `reach`
    of it, else the nearest sentence end ('. '), else nowhere."""
    for mark in ("\n", ". "):
        before, beyond = text.rfind(mark, after + 1, target + 1), text.find(mark, target)
        found = [c + len(mark) for c in (before, beyond) if c > after and c + len(mark) < len(text)]
        near = [c for c in found if abs(c - target) <= reach or mark != "\n"]
        if near:
            return min(near, key=lambda c: abs(c - target))
    return None


def _margin_back(text: str, at: int) -> int:
    if at == 0:
        return 0
    floor = max(0, at - MARGIN)
    line = text.rfind("\n", floor, at - 1)
    if line >= 0:
        return line + 1
    space = text.find(" ", floor, at)
    return space + 1 if space >= 0 else at


def _margin_on(text: str, at: int) -> int:
    if at >= len(text):
        return len(text)
    ceiling = min(len(text), at + MARGIN)
    line = text.find("\n", at, ceiling)
    if line > at:
        return line
    space = text.rfind(" ", at, ceiling)
    return space if space > at else at


class Remote:
    """The recogniser in its processes: `start` sends a text (in parts, one to each process);
    what it returns collects the proposals (Failed if a process stopped meanwhile)."""

    def __init__(self, count: int = 1):
        self.count = count

    def start(self, text: str) -> Callable[[], list[Mention]]:
        plan = parts(text, self.count)
        sent: list[tuple[_Process, int | None]] = []
        for process, (_own, _end, read, read_end) in zip(_current(len(plan)), plan, strict=True):
            try:
                sent.append((process, process.send(text[read:read_end])))
            except (EOFError, OSError):
                _forget(process)
                sent.append((process, None))

        def collect() -> list[Mention]:
            found: list[Mention] = []
            for (process, number), (own, end, read, _read_end) in zip(sent, plan, strict=True):
                if number is None:
                    raise Failed
                try:
                    spans = process.answer(number)
                except (EOFError, OSError):
                    _forget(process)
                    raise Failed from None
                reach = found[-1].end if found else 0
                found += [
                    statistical.mention(label, read + start, read + stop, written)
                    for label, start, stop, written in spans
                    if own <= read + start < end and read + start >= reach
                ]
            return found

        return collect


def recogniser(count: int = 1) -> tuple[Remote | None, Status]:
    """The recogniser in `count` processes and its status (None when the model is off there)."""
    found = status(count)
    return (Remote(count) if found.on else None), found
