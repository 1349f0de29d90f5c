"""Short human names for objects that STIX gives no `name` (notes, opinions, sightings, some SCOs)."""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.store import reads

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


#: Types named by what they are about: their references, as the reader sees those objects.
_ABOUT_PROPS = {
    "sighting": ("sighting_of_ref", "where_sighted_refs"),
    "note": ("object_refs",),
    "opinion": ("object_refs",),
}
ABOUT_TYPES = frozenset(_ABOUT_PROPS)
#: How many referenced objects a label names before "and N more".
_NAMED_REFS = 2


def _refs(obj: dict) -> list[str]:
    found = []
    for prop in _ABOUT_PROPS.get(obj.get("type", ""), ()):
        value = obj.get(prop)
        found += [value] if isinstance(value, str) else [v for v in value or () if isinstance(v, str)]
    return found


def list_labels(conn: Connection, principal: Principal, objs: Iterable[dict]) -> dict[str, str]:
    """Labels for list entries that a bare type would not tell apart: a sighting says what was
    sighted, where and by whom, a note and an opinion what they are about, named as `principal` sees
    those objects (one it may not see is named by its type only). {object id: label}, for the
    sightings, notes and opinions among `objs`."""
    objs = [o for o in objs if o.get("type") in _ABOUT_PROPS]
    wanted = {ref for obj in objs for ref in _refs(obj)}
    seen = reads.current_versions(conn, principal, wanted) if wanted else {}
    names = {i: display_name(r.type, r.name, r.raw) for i, r in seen.items()}
    return {obj["id"]: _about(obj, names) for obj in objs if isinstance(obj.get("id"), str)}


def _named(refs: list[str], names: dict[str, str]) -> str:
    words = [names.get(r) or _a(r.split("--")[0].replace("-", " ")) for r in refs[:_NAMED_REFS]]
    more = len(refs) - _NAMED_REFS
    return ", ".join(words) + (f" and {more} more" if more > 0 else "")


def _a(kind: str) -> str:
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def _about(obj: dict, names: dict[str, str]) -> str:
    kind = obj["type"]
    if kind == "sighting":
        where = [r for r in obj.get("where_sighted_refs") or () if isinstance(r, str)]
        places = [r for r in where if r.startswith("location--")]
        sighters = [r for r in where if not r.startswith("location--")]
        label = f"Sighting of {_named([obj.get('sighting_of_ref', '?')], names)}"
        label += f" at {_named(places, names)}" if places else ""
        label += f" by {_named(sighters, names)}" if sighters else ""
        count = obj.get("count")
        return _shorten(label + (f" ×{count}" if isinstance(count, int) and count > 1 else ""))
    about = _named([r for r in obj.get("object_refs") or () if isinstance(r, str)], names)
    if kind == "opinion":
        return _shorten(f"Opinion ({obj.get('opinion', '?')}) on {about}")
    text = obj.get("abstract") or obj.get("content") or ""
    return _shorten(f"Note on {about}" + (f": {text}" if isinstance(text, str) and text.strip() else ""))
