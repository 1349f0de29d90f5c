"""Readers: which property of which STIX Cyber-observable holds a correlatable value, and how it is read.

A reader turns a value into a posting or raises; `_read` makes that never-raising (odd input never
stops an import) and refangs values the object says are defanged. Shared by objects.py and
patterns.py, which both read SCO properties.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from liaison.stix.values.accounts import _iban, _wallet
from liaison.stix.values.addresses import _address, _mac
from liaison.stix.values.identifiers import _imo, _mmsi, _vin
from liaison.stix.values.names import _domain, _email, _url
from liaison.stix.values.posting import Posting

Reader = Callable[[object, list[str]], Posting]

#: SCO type -> (property, reader) for values that are the object's own.
_SCO_VALUES: dict[str, tuple[tuple[str, Reader], ...]] = {
    "ipv4-addr": (("value", lambda v, h: _address(v, 4, h)),),
    "ipv6-addr": (("value", lambda v, h: _address(v, 6, h)),),
    "domain-name": (("value", _domain),),
    "url": (("value", _url),),
    "email-addr": (("value", _email),),
    "mac-addr": (("value", _mac),),
    "cryptocurrency-wallet": (("value", _wallet),),
    "bank-account": (("iban", _iban),),
    "vehicle": (("vin", _vin),),
    "vessel": (("imo", _imo), ("mmsi", _mmsi)),
    "artifact": (("url", _url),),
}
_REFANG = (
    (re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)", re.IGNORECASE), "."),
    (re.compile(r"\[@\]|\(@\)|\{@\}|\[at\]|\(at\)", re.IGNORECASE), "@"),
    (re.compile(r"\[://\]"), "://"),
    (re.compile(r"\[:\]"), ":"),
    (re.compile(r"^hxxp", re.IGNORECASE), "http"),
    (re.compile(r"^fxp", re.IGNORECASE), "ftp"),
)


def _read(value: object, reader: Reader, defanged: bool) -> tuple[Posting, ...]:
    """The posting `reader` makes of `value`, or none when the value cannot be read: a tuple, not a
    generator, since it runs for every value of every object an import stores."""
    how: list[str] = []
    if defanged and isinstance(value, str):
        value = _refang(value, how)
    try:
        return (reader(value, how),)
    except Exception:  # odd input never stops an import: validators raise assorted error types
        return ()


def _refang(value: str, how: list[str]) -> str:
    fixed = value
    for pattern, replacement in _REFANG:
        fixed = pattern.sub(replacement, fixed)
    if fixed != value:
        how.append("refanged")
    return fixed
