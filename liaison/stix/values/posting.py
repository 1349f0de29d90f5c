"""The posting, what every reader makes: a correlatable value as a (kind, key) with how it was read.

`shown` is always `display(kind, key)` (see shown.py) and `how` names the normalisations applied, so
a hit can explain itself. The readers of each kind (addresses, names, accounts, identifiers) build
postings with `_posting` and raise `_Invalid` for values their kind does not accept.
"""

from __future__ import annotations

from dataclasses import dataclass

from liaison.stix.values.shown import display

KINDS = (
    "ipv4",
    "ipv4-net",
    "ipv6",
    "ipv6-net",
    "domain-name",
    "url",
    "email-addr",
    "phone",
    "iban",
    "wallet",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "mac-addr",
    "vin",
    "imo",
    "mmsi",
)


@dataclass(frozen=True, slots=True)
class Posting:
    """One correlatable value: `kind` and `key` are what is stored and compared, `shown` is
    `display(kind, key)`, `how` the normalisation that made the key ('' when none)."""

    kind: str
    key: str
    shown: str
    how: str


class _Invalid(ValueError):
    """A value that is not valid for the kind it was read as; the message says why."""


def _posting(kind: str, key: str, how: list[str], shown: str | None = None) -> Posting:
    """The posting, shown as `shown` when the reader already has the display form, else rebuilt."""
    return Posting(
        kind, key, display(kind, key) if shown is None else shown, "; ".join(dict.fromkeys(how)) if how else ""
    )


def _trimmed(value: object, how: list[str]) -> str:
    if not isinstance(value, str):
        raise _Invalid("not a string")
    stripped = value.strip()
    if stripped != value:
        how.append("surrounding whitespace removed")
    if not stripped:
        raise _Invalid("empty")
    return stripped
