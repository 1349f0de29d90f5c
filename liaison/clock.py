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
