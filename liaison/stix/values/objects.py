"""The postings of a STIX object: its own values, its hashes, its indicator pattern, observed objects.

This is what the store records per object version (`postings`); it never raises.
"""

from __future__ import annotations

from collections.abc import Iterator

from liaison.stix.values.accounts import _phone
from liaison.stix.values.identifiers import _hash, hash_kind
from liaison.stix.values.patterns import pattern_postings
from liaison.stix.values.posting import Posting
from liaison.stix.values.readers import _SCO_VALUES, _read


def postings(obj: dict) -> list[Posting]:
    """Every correlatable value a STIX object carries, deduplicated by (kind, key); never raises."""
    found: dict[tuple[str, str], Posting] = {}
    if isinstance(obj, dict):
        for posting in _object_postings(obj, depth=0):
            found.setdefault((posting.kind, posting.key), posting)
    return list(found.values())


def _object_postings(obj: dict, depth: int) -> Iterator[Posting]:
    type_ = obj.get("type")
    defanged = obj.get("defanged") is True
    if type_ == "phone-number":
        region = obj.get("country") if isinstance(obj.get("country"), str) else None
        yield from _read(obj.get("value"), lambda v, h: _phone(v, region, h), defanged)
    for prop, reader in _SCO_VALUES.get(type_, ()):
        if prop in obj:
            yield from _read(obj[prop], reader, defanged)
    hashes = obj.get("hashes")
    if isinstance(hashes, dict):
        for name, value in hashes.items():
            kind = hash_kind(name) if isinstance(name, str) else None
            if kind:
                yield from _read(value, lambda v, h, k=kind: _hash(v, k, h), False)
    if type_ == "indicator" and obj.get("pattern_type", "stix") == "stix" and isinstance(obj.get("pattern"), str):
        yield from pattern_postings(obj["pattern"])
    if type_ == "observed-data" and depth == 0 and isinstance(obj.get("objects"), dict):
        for inner in obj["objects"].values():
            if isinstance(inner, dict):
                yield from _object_postings(inner, depth + 1)
