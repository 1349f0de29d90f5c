"""Identifiers: file hashes (MD5, SHA-1, SHA-256, SHA-512), vehicle (VIN) and vessel (IMO, MMSI) numbers.

Hashes are lower-case hex of their algorithm's length; VINs upper-case without separators; IMO
numbers are checked against their check digit.
"""

from __future__ import annotations

import re

from liaison.stix.values.posting import Posting, _Invalid, _posting, _trimmed

_HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
_HASH_BY_LENGTH = {length: kind for kind, length in _HASH_LENGTHS.items()}
_HEX = re.compile(r"[0-9a-fA-F]+")


def hash_kind(name: str) -> str | None:
    """The posting kind of a STIX hash name ('SHA-256', 'sha256', 'MD5'), None for others (SHA3, SSDEEP, …)."""
    kind = name.lower().replace("-", "").replace("_", "")
    return kind if kind in _HASH_LENGTHS else None


def _hash(value: object, kind: str | None, how: list[str]) -> Posting:
    """Lower-case hex of the algorithm's length (`kind` None: the algorithm is read from the length)."""
    text = _trimmed(value, how)
    if not _HEX.fullmatch(text):
        raise _Invalid("a hash is hexadecimal")
    kind = kind or _HASH_BY_LENGTH.get(len(text))
    if kind is None or len(text) != _HASH_LENGTHS[kind]:
        raise _Invalid(f"wrong length for {kind or 'MD5, SHA-1, SHA-256 or SHA-512'}")
    if not text.islower() and not text.isdigit():
        how.append("lower-cased")
    return _posting(kind, text.lower(), how)


_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")


def _vin(value: object, how: list[str]) -> Posting:
    text = _trimmed(value, how)
    key = re.sub(r"[\s-]", "", text).upper()
    if not _VIN.fullmatch(key):
        raise _Invalid("a VIN is 17 letters and digits (no I, O or Q)")
    if key != text:
        how.append("upper-cased, spaces removed")
    return _posting("vin", key, how)


def _imo(value: object, how: list[str]) -> Posting:
    """Seven digits whose last is the check digit (weights 7..2 over the first six, modulo 10)."""
    text = _trimmed(value, how)
    key = re.sub(r"^IMO\s*", "", text, flags=re.IGNORECASE)
    if not re.fullmatch(r"\d{7}", key) or sum(
        int(d) * w for d, w in zip(key[:6], range(7, 1, -1), strict=True)
    ) % 10 != int(key[6]):
        raise _Invalid("not an IMO number (7 digits with a check digit)")
    if key != text:
        how.append("'IMO' prefix removed")
    return _posting("imo", key, how)


def _mmsi(value: object, how: list[str]) -> Posting:
    text = _trimmed(value, how)
    if not re.fullmatch(r"\d{9}", text):
        raise _Invalid("an MMSI is 9 digits")
    return _posting("mmsi", text, how)
