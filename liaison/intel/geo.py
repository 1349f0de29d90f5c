"""Map features as GeoJSON: locations, incidents, drug seizures, trafficking routes and sightings,
placed at the coordinates of the locations they refer to. Only current versions the principal may
see are drawn, and only at locations the principal may see too."""

from __future__ import annotations

from datetime import date

import orjson
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import InvalidInput
from liaison.intel import graph
from liaison.intel.naming import display_name
from liaison.stix.extensions import EXT_IDS
from liaison.stix.timestamps import normalize_timestamp
from liaison.store import links, reads

#: What the map draws, bottom layer first.
FEATURE_TYPES = ("location", "trafficking-route", "incident", "drug-seizure", "sighting")
#: The most objects of each type one map is drawn from (the most recently modified).
MAX_OBJECTS = 5000
_ATTACK = EXT_IDS["attack-details"]


def time_bound(value: str | None, name: str, *, end: bool = False) -> str | None:
    """A date (YYYY-MM-DD, the whole day) or STIX timestamp as a stored timestamp; None stays None."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
        if day is not None:
            return f"{day.isoformat()}T23:59:59.999999Z" if end else f"{day.isoformat()}T00:00:00.000000Z"
        return normalize_timestamp(value)
    except ValueError:
        raise InvalidInput(
            f"'{name}' must be a date like 2025-01-31 or a timestamp like 2025-01-31T00:00:00Z", parameter=name
        ) from None


def checked_types(types: list[str] | None, known: tuple[str, ...], parameter: str = "type") -> tuple[str, ...]:
    """The requested types (all of `known` when none are), refusing unknown ones by name."""
    if not types:
        return known
    unknown = sorted(set(types) - set(known))
    if unknown:
        raise InvalidInput(
            f"unknown {parameter} {', '.join(unknown)}; choose among {', '.join(known)}", parameter=parameter
        )
    return tuple(t for t in known if t in types)


def _stamp(value) -> str | None:
    try:
        return normalize_timestamp(value) if isinstance(value, str) else None
    except ValueError:
        return None


def coordinates(obj: dict) -> list[float] | None:
    """[longitude, latitude] of an object that gives both (a location), else None."""
    lat, lon = obj.get("latitude"), obj.get("longitude")
    if isinstance(lat, (int, float)) and isinstance(lon, (int, float)) and -90 <= lat <= 90 and -180 <= lon <= 180:
        return [float(lon), float(lat)]
    return None


def place_refs(obj: dict) -> list[str]:
    """The locations an object says it is at, in order."""
    kind = obj["type"]
    if kind == "incident":
        ref = (obj.get("extensions") or {}).get(_ATTACK, {}).get("location_ref")
        return [ref] if isinstance(ref, str) else []
    if kind == "drug-seizure":
        return [obj["location_ref"]] if isinstance(obj.get("location_ref"), str) else []
    if kind == "trafficking-route":
        return [r for r in obj.get("waypoint_refs") or [] if isinstance(r, str)]
    if kind == "sighting":
        return [r for r in obj.get("where_sighted_refs") or [] if isinstance(r, str) and r.startswith("location--")]
    return []


def _when(obj: dict) -> tuple[str | None, str | None]:
    """(first, last) date of what an object records; both None for undated objects."""
    kind = obj["type"]
    if kind == "incident":
        attack = (obj.get("extensions") or {}).get(_ATTACK, {})
        first = _stamp(attack.get("occurred_at")) or _stamp(obj.get("first_seen"))
        return first, first
    if kind == "drug-seizure":
        return _stamp(obj.get("seized_at")), _stamp(obj.get("seized_at"))
    if kind in ("trafficking-route", "sighting"):
        first = _stamp(obj.get("first_seen"))
        return first, _stamp(obj.get("last_seen")) or first
    return None, None


def _details(obj: dict) -> dict:
    kind = obj["type"]
    if kind == "location":
        keys = ("country", "city", "region", "administrative_area")
        return {k: obj[k] for k in keys if k in obj}
    if kind == "incident":
        attack = (obj.get("extensions") or {}).get(_ATTACK, {})
        return {k: attack[k] for k in ("attack_type", "killed", "injured", "target_type") if k in attack}
    if kind == "drug-seizure":
        return {k: obj[k] for k in ("drug_type", "quantity", "quantity_unit") if k in obj}
    if kind == "trafficking-route":
        return {k: obj[k] for k in ("commodity", "modes", "last_seen") if k in obj}
    if kind == "sighting":
        return {k: obj[k] for k in ("count", "last_seen") if k in obj}
    return {}


def _in_range(first: str | None, last: str | None, since: str | None, until: str | None) -> bool:
    if first is None:  # undated (locations): always on the map
        return True
    return (since is None or (last or first) >= since) and (until is None or first <= until)


def features(
    conn: Connection,
    principal: Principal,
    *,
    types: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    around: str | None = None,
) -> dict:
    """A GeoJSON FeatureCollection of what `principal` may see on a map, filtered by object type,
    by date (`since`/`until`: dates or timestamps; dated features overlapping the range) and by
    `around` (the features of that object and of objects linked to it)."""
    wanted = checked_types(types, FEATURE_TYPES)
    since, until = time_bound(since, "since"), time_bound(until, "until", end=True)
    scope = graph.linked_ids(conn, principal, graph.checked_id(around, "around")) if around else None
    if scope is None:
        rows = [row for kind in wanted for row in links.latest_of_types(conn, principal, [kind], limit=MAX_OBJECTS)]
    else:
        rows = [row for row in reads.current_versions(conn, principal, scope).values() if row.type in wanted]
    objects = [(row, orjson.loads(row.raw)) for row in rows]
    places = {obj["id"]: place_refs(obj) for _, obj in objects}
    unplaced = [i for i, refs in places.items() if not refs and i.split("--")[0] in ("incident", "drug-seizure")]
    for source, target in links.located_at(conn, principal, unplaced):
        if target.startswith("location--") and not places[source]:
            places[source] = [target]
    referenced = {ref for refs in places.values() for ref in refs}
    sighted = {obj["sighting_of_ref"] for _, obj in objects if isinstance(obj.get("sighting_of_ref"), str)}
    found = reads.current_versions(conn, principal, referenced | sighted)
    located = {i: (row.name, coordinates(orjson.loads(row.raw))) for i, row in found.items() if row.type == "location"}

    result = []
    for row, obj in sorted(objects, key=lambda item: FEATURE_TYPES.index(item[0].type)):
        first, last = _when(obj)
        if not _in_range(first, last, since, until):
            continue
        if row.type == "location":
            points, place_names = [coordinates(obj)], []
        else:
            stops = [located[ref] for ref in places[row.stix_id] if ref in located and located[ref][1]]
            points, place_names = [point for _, point in stops], [name for name, _ in stops]
        points = [p for p in points if p]
        if not points or (row.type == "trafficking-route" and len(points) < 2):
            continue
        properties = {
            "id": row.stix_id,
            "type": row.type,
            "name": display_name(row.type, row.name, obj),
            "date": first,
            "tlp": row.tlp,
            "places": place_names,
            **_details(obj),
        }
        if row.type == "sighting" and obj.get("sighting_of_ref") in found:
            of = found[obj["sighting_of_ref"]]
            properties["of"] = {"id": of.stix_id, "type": of.type, "name": display_name(of.type, of.name, of.raw)}
        result.append(
            {"type": "Feature", "id": row.stix_id, "geometry": _geometry(row.type, points), "properties": properties}
        )
    return {"type": "FeatureCollection", "features": result}


def _geometry(kind: str, points: list[list[float]]) -> dict:
    if kind == "trafficking-route":
        return {"type": "LineString", "coordinates": points}
    if len(points) == 1:
        return {"type": "Point", "coordinates": points[0]}
    return {"type": "MultiPoint", "coordinates": points}
