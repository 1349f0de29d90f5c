"""Watchlists: what a user asks to be told of. Kinds: an entity (and what is merged with it), an
observable value (normalised as correlation does), a place (a country, optionally one province of
it, or a radius around a point), an object type, a saved search, and correlation (anything that
comes to share a value with one object, or with what the user's organisation holds). A watchlist is its user's alone;
watching an object one may not see is refused exactly as watching one that does not exist."""

from __future__ import annotations

import re
from dataclasses import dataclass

import orjson
import pycountry
from sqlalchemy import Connection

from liaison.access.principal import Action, Principal
from liaison.errors import InvalidInput, NotFound
from liaison.intel import naming
from liaison.intel.saved_searches import ID_SHAPE as UUID
from liaison.intel.saved_searches import get_saved
from liaison.stix import values
from liaison.stix.validate import IDENTIFIER_RE, is_type_name
from liaison.store import reads
from liaison.store import watchlists as store

KINDS = ("entity", "value", "place", "type", "search", "correlation")
#: The widest radius a place watch may have (km): wider is a country.
MAX_RADIUS_KM = 2000.0


@dataclass(frozen=True, slots=True)
class Watchlist:
    id: str
    kind: str
    target: dict
    shown: str
    created_at: str

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "target": self.target,
            "shown": self.shown,
            "created_at": self.created_at,
        }


def labels(conn: Connection, principal: Principal, watched: list[tuple[str, str, str]]) -> dict[str, str]:
    """How each watchlist (id, kind, stored label) reads to `principal` now: an entity by its name
    as the user may see it today (a correction that sanitised the name, or a withdrawal, shows at
    once), never the name it had when the watch was made; other kinds as stored (the user's own
    words)."""
    targets = {wid: (kind, orjson.loads(target)) for wid, kind, target in watched if kind in ("entity", "correlation")}
    entity_ids = {wid: target["id"] for wid, (_kind, target) in targets.items() if "id" in target}
    found = reads.current_versions(conn, principal, set(entity_ids.values())) if entity_ids else {}
    made = {}
    for wid, stix_id in entity_ids.items():
        row = found.get(stix_id)
        name = (
            f"{naming.display_name(row.type, row.name, row.raw)} ({row.type})"
            if row is not None
            else f"{stix_id} (no longer visible to you)"
        )
        made[wid] = f"what shares a value with {name}" if targets[wid][0] == "correlation" else name
    return made


def _all(conn: Connection, principal: Principal, rows) -> list[Watchlist]:
    named = labels(conn, principal, [(r.id, r.kind, r.target) for r in rows])
    return [Watchlist(r.id, r.kind, orjson.loads(r.target), named.get(r.id, r.shown), r.created_at) for r in rows]


def list_watchlists(conn: Connection, principal: Principal) -> list[Watchlist]:
    principal.require(Action.READ)
    return _all(conn, principal, store.list_watchlists(conn, principal))


def get_watchlist(conn: Connection, principal: Principal, watchlist_id: str) -> Watchlist:
    principal.require(Action.READ)
    row = store.get_watchlist(conn, principal, watchlist_id) if UUID.match(watchlist_id) else None
    if row is None:
        raise NotFound(f"no watchlist {watchlist_id}")
    return _all(conn, principal, [row])[0]


def watching(conn: Connection, principal: Principal, stix_id: str) -> str | None:
    """The id of the principal's watchlist of the object `stix_id`, if it watches it (the object
    page offers to stop watching)."""
    if principal.user_id is None or not principal.may(Action.READ):
        return None
    target = orjson.dumps({"id": stix_id}, option=orjson.OPT_SORT_KEYS).decode()
    return store.watchlist_of(conn, principal, "entity", target)


def delete(conn: Connection, principal: Principal, watchlist_id: str) -> None:
    principal.require(Action.READ)
    if not UUID.match(watchlist_id) or not store.delete_watchlist(conn, principal, watchlist_id):
        raise NotFound(f"no watchlist {watchlist_id}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def plain(value: str, name: str) -> str:
    """`value` if it holds no control character (NUL above all, which PostgreSQL refuses to store)."""
    if _CONTROL.search(value):
        raise InvalidInput(f"'{name}' holds a control character", parameter=name)
    return value


def _text(spec: dict, name: str) -> str:
    value = spec.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"'{name}' is required for this kind of watchlist", parameter=name)
    return plain(value.strip(), name)


def _number(spec: dict, name: str, low: float, high: float) -> float:
    value = spec.get(name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"'{name}' must be a number", parameter=name) from None
    if not low <= number <= high:
        raise InvalidInput(f"'{name}' must be between {low:g} and {high:g}", parameter=name)
    return number


def _entity(conn: Connection, principal: Principal, spec: dict) -> tuple[dict, str]:
    stix_id = _text(spec, "id")
    if not IDENTIFIER_RE.match(stix_id):
        raise InvalidInput(f"'{stix_id}' is not a STIX identifier (type--uuid)", parameter="id")
    if stix_id not in reads.current_versions(conn, principal, [stix_id]):
        raise NotFound(f"no object {stix_id}")
    return {"id": stix_id}, stix_id  # named when read (labels), never stored with a name


def _value(spec: dict) -> tuple[dict, str]:
    raw = _text(spec, "value")
    type_ = spec.get("type") or None
    found = values.normalise(raw, type_)
    if not found:
        raise InvalidInput(f"'{raw}' is not a value that correlates", parameter="value")
    postings = sorted({(p.kind, p.key) for p in found})
    return {"postings": [list(p) for p in postings]}, found[0].shown


def _place(conn: Connection, principal: Principal, spec: dict) -> tuple[dict, str]:
    if spec.get("country"):
        code = _text(spec, "country")
        try:
            country = pycountry.countries.lookup(code)
        except LookupError:
            raise InvalidInput(f"'{code}' is not a country (an ISO 3166 code or name)", parameter="country") from None
        target: dict = {"country": country.alpha_2}
        shown = country.name
        province = plain(str(spec.get("province") or "").strip(), "province")
        if province:
            target["province"] = province.casefold()
            shown = f"{province}, {country.name}"
        return target, shown
    lat = _number(spec, "latitude", -90, 90)
    lon = _number(spec, "longitude", -180, 180)
    radius = _number(spec, "radius_km", 0.1, MAX_RADIUS_KM)
    return {"latitude": lat, "longitude": lon, "radius_km": radius}, f"within {radius:g} km of {lat:.4f}, {lon:.4f}"


def _type(spec: dict) -> tuple[dict, str]:
    type_ = _text(spec, "type")
    if not is_type_name(type_):
        raise InvalidInput(f"'{type_}' is not a STIX type name", parameter="type")
    return {"type": type_}, f"every {type_}"


def _correlation(conn: Connection, principal: Principal, spec: dict) -> tuple[dict, str]:
    """With `id`: what comes to share a value with that object (one the user may see); without:
    with anything the user's organisation holds."""
    if spec.get("id"):
        return _entity(conn, principal, spec)
    if principal.org_id is None:
        raise InvalidInput("'id' is required for a user of no organisation", parameter="id")
    return {"with": "organisation"}, f"what shares a value with {principal.org_name}'s holdings"


def _search(conn: Connection, principal: Principal, spec: dict) -> tuple[dict, str]:
    saved = get_saved(conn, principal, _text(spec, "saved_search_id"))
    return {"saved_search_id": saved.id}, f"search “{saved.name}”"


def watch(conn: Connection, principal: Principal, kind: str, spec: dict) -> Watchlist:
    """Add a watchlist for the principal's user: `spec` holds the kind's fields (entity: id; value:
    value and optional type; place: country [and province], or latitude, longitude and radius_km;
    type: type; search: saved_search_id; correlation: an optional id)."""
    principal.require(Action.READ)
    if principal.user_id is None:
        raise InvalidInput("only users watch")
    if kind == "entity":
        target, shown = _entity(conn, principal, spec)
    elif kind == "value":
        target, shown = _value(spec)
    elif kind == "place":
        target, shown = _place(conn, principal, spec)
    elif kind == "type":
        target, shown = _type(spec)
    elif kind == "search":
        target, shown = _search(conn, principal, spec)
    elif kind == "correlation":
        target, shown = _correlation(conn, principal, spec)
    else:
        raise InvalidInput(f"unknown kind '{kind}'; kinds: {', '.join(KINDS)}", parameter="kind")
    encoded = orjson.dumps(target, option=orjson.OPT_SORT_KEYS).decode()
    watchlist_id = store.insert_watchlist(
        conn, principal, kind, encoded, shown if "id" not in target else "this object"
    )
    return get_watchlist(conn, principal, watchlist_id)
