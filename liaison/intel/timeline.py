"""Timelines: the dated events among what a principal may see — reports published, incidents,
seizures, sightings, campaigns, and relationships that started at a known time — for one object
(itself and the objects linked to it either way), for a name search, or overall; newest first."""

from __future__ import annotations

import orjson
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import InvalidInput
from liaison.intel import graph
from liaison.intel.geo import checked_types
from liaison.intel.link_words import date_words, relationship_words
from liaison.intel.naming import display_name
from liaison.stix.extensions import EXT_IDS
from liaison.stix.timestamps import normalize_timestamp
from liaison.stix.validate import ENDPOINTS
from liaison.store import links, reads

EVENT_TYPES = ("report", "incident", "drug-seizure", "sighting", "campaign", "relationship")
#: Which property dates an event of each type, first present wins.
_DATED_BY = {
    "report": ("published",),
    "incident": ("occurred_at", "first_seen"),
    "drug-seizure": ("seized_at",),
    "sighting": ("first_seen",),
    "campaign": ("first_seen",),
    "relationship": ("start_time",),
}
MAX_LIMIT = 1000
#: The most objects of each type an overall timeline is made from (the most recently modified).
MAX_SCAN = 5000
#: A name search follows the links of at most this many matching objects.
MAX_MATCHES = 20
_ATTACK = EXT_IDS["attack-details"]


def _dated(obj: dict) -> tuple[str, str] | None:
    """(timestamp, the property it comes from), or None for an undated object."""
    attack = (obj.get("extensions") or {}).get(_ATTACK, {}) if obj["type"] == "incident" else {}
    for prop in _DATED_BY[obj["type"]]:
        value = attack.get(prop, obj.get(prop)) if prop == "occurred_at" else obj.get(prop)
        if isinstance(value, str):
            try:
                return normalize_timestamp(value), prop
            except ValueError:
                continue
    return None


def _scope(conn: Connection, principal: Principal, around: str | None, text: str | None) -> set[str] | None:
    """The ids a timeline is limited to, or None for no limit."""
    if around:
        return graph.linked_ids(conn, principal, graph.checked_id(around, "around"))
    if text:
        matches = reads.list_objects(conn, principal, reads.Filters(text=text), limit=MAX_MATCHES)
        scope: set[str] = set()
        for match in matches:
            scope |= graph.linked_ids(conn, principal, match.stix_id)
        return scope
    return None


def events(
    conn: Connection,
    principal: Principal,
    *,
    around: str | None = None,
    text: str | None = None,
    types: list[str] | None = None,
    limit: int = 200,
) -> dict:
    """Dated events newest first, at most `limit`: those of `around` and the objects linked to it,
    or of the objects whose name contains `text` and those linked to them, or all of them.
    Relationships count only when both their ends are visible; sightings are named after what
    they saw when that is visible too."""
    wanted = checked_types(types, EVENT_TYPES)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"'limit' must be between 1 and {MAX_LIMIT}", parameter="limit")
    text = (text or "").strip() or None
    scope = _scope(conn, principal, around, text)
    if scope is None:  # relationships only when they have a start time
        rows = [
            row
            for kind in wanted
            for row in links.latest_of_types(
                conn,
                principal,
                [kind],
                limit=MAX_SCAN,
                raw_contains='"start_time":' if kind == "relationship" else None,
            )
        ]
    else:
        rows = [row for row in reads.current_versions(conn, principal, scope).values() if row.type in wanted]
    dated = []
    for row in rows:
        obj = orjson.loads(row.raw)
        when = _dated(obj)
        if when:
            dated.append((row, obj, *when))
    ends = {obj[p] for _, obj, *_ in dated if obj["type"] == "relationship" for p in ENDPOINTS}
    sighted = {obj["sighting_of_ref"] for _, obj, *_ in dated if obj["type"] == "sighting"}
    nodes = reads.current_versions(conn, principal, ends | sighted)

    found = []
    for row, obj, stamp, prop in dated:
        event = {
            "id": row.stix_id,
            "type": row.type,
            "name": display_name(row.type, row.name, obj),
            "date": stamp,
            "dated_by": prop,
            "dated_words": date_words(prop),
            "tlp": row.tlp,
        }
        if row.type == "relationship":
            source, target = nodes.get(obj["source_ref"]), nodes.get(obj["target_ref"])
            if source is None or target is None:
                continue
            event["source"], event["target"] = _end(source), _end(target)
            event["relationship_type"] = obj["relationship_type"]
            words = relationship_words(obj["relationship_type"])
            event["name"] = f"{event['source']['name']} {words} {event['target']['name']}"
        elif row.type == "sighting" and obj["sighting_of_ref"] in nodes:
            event["of"] = _end(nodes[obj["sighting_of_ref"]])
            event["name"] = f"Sighting of {event['of']['name']}"
        found.append(event)
    found.sort(key=lambda e: (e["date"], e["id"]), reverse=True)
    return {"events": found[:limit], "truncated": len(found) > limit}


def _end(row) -> dict:
    return {"id": row.stix_id, "type": row.type, "name": display_name(row.type, row.name, row.raw)}


def by_month(found: list[dict]) -> list[tuple[str, list[dict]]]:
    """Events (newest first) grouped by month ("2025-03"), newest month first."""
    months: dict[str, list[dict]] = {}
    for event in found:
        months.setdefault(event["date"][:7], []).append(event)
    return list(months.items())


def overview(found: list[dict], *, most_months: int = 240) -> list[dict]:
    """Events counted per month and type, oldest month first, with the empty months between them
    (when the span is at most `most_months`): [{"month": "2025-03", "counts": {type: n}}, ...]."""
    counts: dict[str, dict[str, int]] = {}
    for event in found:
        month = counts.setdefault(event["date"][:7], {})
        month[event["type"]] = month.get(event["type"], 0) + 1
    if not counts:
        return []
    first, last = min(counts), max(counts)
    span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    if span <= most_months:
        year, month = int(first[:4]), int(first[5:7])
        for _ in range(span):
            counts.setdefault(f"{year:04d}-{month:02d}", {})
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [{"month": m, "counts": counts[m]} for m in sorted(counts)]
