"""Server time as fixed-width STIX timestamps (microseconds, 'Z'), never going backwards in-process."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from liaison.stix.timestamps import format_ts, parse_ts

_lock = threading.Lock()
_last = datetime.min.replace(tzinfo=UTC)


def now() -> str:
    """The current time; each call returns a value strictly later than the previous one."""
    global _last
    with _lock:
        moment = datetime.now(UTC)
        if moment <= _last:
            moment = _last + timedelta(microseconds=1)
        _last = moment
        return format_ts(moment)


def reserve(count: int, after: str | None = None) -> list[str]:
    """`count` consecutive distinct timestamps, each later than `after` (when given) and than any
    earlier call, one microsecond apart."""
    global _last
    with _lock:
        moment = max(datetime.now(UTC), _last + timedelta(microseconds=1))
        if after is not None:
            floor = parse_ts(after)
            moment = max(moment, floor + timedelta(microseconds=1))
        stamps = [format_ts(moment + timedelta(microseconds=i)) for i in range(count)]
        _last = moment + timedelta(microseconds=max(count - 1, 0))
        return stamps
