"""Where a text's characters are already claimed, and which spans lie inside others, answered in
time proportional to the span asked about rather than to everything found so far (a long hostile
text yields thousands of mentions)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable


class Occupied:
    """The characters of a text taken by the mentions accepted so far."""

    def __init__(self, length: int):
        self._taken = bytearray(length)

    def overlaps(self, start: int, end: int) -> bool:
        return 1 in self._taken[start:end]

    def take(self, start: int, end: int) -> None:
        self._taken[start:end] = b"\x01" * (end - start)

    def copy(self) -> Occupied:
        other = Occupied(0)
        other._taken = bytearray(self._taken)
        return other


class Containers:
    """Spans, asked whether one of them strictly contains a given span."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        ordered = sorted(spans)
        self._starts = [s for s, _e in ordered]
        self._reach: list[int] = []  # the furthest end among the spans up to each one
        furthest = -1
        for _s, e in ordered:
            furthest = max(furthest, e)
            self._reach.append(furthest)
        self._ends_at: dict[int, int] = {}
        for s, e in ordered:
            self._ends_at[s] = max(self._ends_at.get(s, -1), e)

    def strictly_contain(self, start: int, end: int) -> bool:
        before = bisect.bisect_left(self._starts, start)  # spans starting before `start`
        if before and self._reach[before - 1] >= end:
            return True
        return self._ends_at.get(start, -1) > end
