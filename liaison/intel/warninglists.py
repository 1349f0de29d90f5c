"""Known-benign values, from MISP's warning lists (pymispwarninglists): a correlation on a public DNS
resolver or a top domain is flagged, so an analyst sees why it is everywhere. The lists take about
1.5 s to load: they are loaded once per process, on first use, under a lock (requests run in a
thread pool), then frozen out of the garbage collector: they hold some 150,000 containers, which
every full collection would otherwise walk (about 200 ms, a pause in whichever request it hits).

`lists_of(value)` is the same for everyone and cached per process. Which lists count for a reader
is not decided here: an organisation's admin (for it) or the operator (for the instance) switches
lists off (liaison.intel.flood), and `flood.Rules.marks` filters what `lists_of` found by those
switches. The admins' exclusion lists are liaison.intel.flood's too."""

from __future__ import annotations

import functools
import gc
import threading

from pymispwarninglists import WarningLists

_lock = threading.Lock()
_lists: WarningLists | None = None


def _loaded() -> WarningLists:
    global _lists
    if _lists is None:
        with _lock:
            if _lists is None:
                _lists = WarningLists(slow_search=False)
                gc.collect()
                gc.freeze()
    return _lists


@functools.cache
def catalogue() -> tuple[tuple[str, str], ...]:
    """(name, description) of every warning list, by name."""
    return tuple(sorted((wl.name, wl.description or "") for wl in _loaded().warninglists.values()))


@functools.lru_cache(maxsize=65536)
def lists_of(value: str) -> tuple[str, ...]:
    """The names of the warning lists `value` (as shown) is on, sorted; () for none."""
    return tuple(sorted({found.name for found in _loaded().search(value)}))
