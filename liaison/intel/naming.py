"""Short human names for objects that STIX gives no `name` (notes, opinions, sightings, some SCOs)."""

from __future__ import annotations

import orjson

#: Properties that name an object of a type without `name`, first present wins.
_NAMING_PROPS = {
    "note": ("abstract", "content"),
    "vehicle": ("registration", "vin"),
    "bank-account": ("iban", "account_number"),
    "vessel": ("imo", "mmsi"),
    "file": ("hashes",),
    "email-message": ("subject",),
}
_LONGEST = 80


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"


def display_name(type_: str, name: str | None, raw: str | dict) -> str:
    """A short name for an object: its stored name, else one made from its properties."""
    if name:
        return _shorten(name)
    obj = orjson.loads(raw) if isinstance(raw, str) else raw
    for prop in _NAMING_PROPS.get(type_, ()):
        value = obj.get(prop)
        if isinstance(value, dict):
            value = next(iter(value.values()), None)
        if isinstance(value, str) and value.strip():
            return _shorten(value)
    if type_ == "opinion":
        return f"Opinion: {obj.get('opinion', '?')}"
    if type_ == "sighting":
        count = obj.get("count")
        return f"Sighting ×{count}" if isinstance(count, int) else "Sighting"
    if type_ == "relationship":
        return str(obj.get("relationship_type", "relationship"))
    return type_.replace("-", " ").capitalize()


def object_name(obj: dict) -> str:
    """display_name of a whole STIX object."""
    name = obj.get("name") if isinstance(obj.get("name"), str) else obj.get("value")
    return display_name(obj["type"], name if isinstance(name, str) else None, obj)
