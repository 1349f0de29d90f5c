"""Server time as fixed-width STIX timestamps (microseconds, 'Z'), never going backwards in-process."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

_lock = threading.Lock()
_last = datetime.min.replace(tzinfo=timezone.utc)


def format_ts(moment: datetime) -> str:
    """`moment` as a fixed-width STIX timestamp, so strings sort chronologically."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now() -> str:
    """The current time; each call returns a value strictly later than the previous one."""
    global _last
    with _lock:
        moment = datetime.now(timezone.utc)
        if moment <= _last:
            moment = _last + timedelta(microseconds=1)
        _last = moment
        return format_ts(moment)


def reserve(count: int, after: str | None = None) -> list[str]:
    """`count` consecutive distinct timestamps, each later than `after` (when given) and than any
    earlier call, one microsecond apart."""
    global _last
    with _lock:
        moment = max(datetime.now(timezone.utc), _last + timedelta(microseconds=1))
        if after is not None:
            floor = datetime.strptime(after, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
            moment = max(moment, floor + timedelta(microseconds=1))
        stamps = [format_ts(moment + timedelta(microseconds=i)) for i in range(count)]
        _last = moment + timedelta(microseconds=max(count - 1, 0))
        return stamps
