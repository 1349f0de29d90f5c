"""STIX timestamps, in one place. The store keeps every stamp in one fixed-width form,
`YYYY-MM-DDTHH:MM:SS.ffffffZ`, so that stamps sort as text; objects made here carry milliseconds,
as most STIX producers write them."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime

TIMESTAMP_RE = re.compile(
    r"^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.(\d+))?Z\Z", re.ASCII
)
_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def normalize_timestamp(value: str) -> str:
    """The fixed-width form `YYYY-MM-DDTHH:MM:SS.ffffffZ` of a STIX timestamp, so that stored
    versions sort as text; ValueError when `value` is not a valid timestamp."""
    m = TIMESTAMP_RE.match(value) if isinstance(value, str) else None
    if m is None:
        raise ValueError(f"not a STIX timestamp: {value!r}")
    year, month, day, fraction = m.groups()
    if day > "28" and int(day) > calendar.monthrange(int(year), int(month))[1]:
        raise ValueError(f"no such day: {value!r}")
    # A leap second (…:60) is legal in STIX and sorts after :59 as text.
    if fraction is None:
        return value[:-1] + ".000000Z"
    digits = len(fraction)
    if digits == 6:
        return value
    return value[:-1] + "0" * (6 - digits) + "Z" if digits < 6 else value[:26] + "Z"


def format_ts(moment: datetime, *, millis: bool = False) -> str:
    """`moment` as a STIX timestamp: the stored fixed-width form, or with `millis` the form of the
    objects made here (milliseconds). A naive `moment` is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    stamp = moment.astimezone(UTC).strftime(_FORMAT)
    return to_millis(stamp) if millis else stamp


def to_millis(stamp: str) -> str:
    """A stored stamp (fixed-width) cut to milliseconds, as the objects made here carry it."""
    return stamp[:23] + "Z"


def parse_ts(stamp: str) -> datetime:
    """A STIX timestamp (or an ISO 8601 date-time; one without an offset is taken as UTC) as an
    aware UTC datetime; ValueError when it is none."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
