"""Whether a changed version matches a watchlist, and why. What a version says is read from its
content once per evaluation (`Facts`); what it refers to (a place, a merged entity, a saved
search's results) is read through the watchlist user's own view (`View`), so nothing the user may
not see decides a match."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import LiaisonError
from liaison.intel import correlation, geo
from liaison.intel.saved_searches import get_saved
from liaison.intel.search import make_query
from liaison.stix import values
from liaison.stix.validate import references
from liaison.store import postings as correlation_store
from liaison.store import reads
from liaison.store import search as search_store
from liaison.store import watchlists as watch_store
from liaison.store.postings import Lookup

_EARTH_KM = 6371.0


@dataclass(frozen=True, slots=True)
class Facts:
    """What one version says, as far as watchlists ask."""

    pk: int
    stix_id: str
    type: str
    postings: frozenset[tuple[str, str]]
    refs: frozenset[str]
    point: tuple[float, float] | None  # (latitude, longitude)
    country: str | None
    province: str | None
    places: tuple[str, ...]


def facts(pk: int, stix_id: str, type_: str, raw: str) -> Facts:
    obj = orjson.loads(raw)
    try:
        refs = frozenset(references(obj))
    except ValueError:
        refs = frozenset()
    lonlat = geo.coordinates(obj)
    places = list(geo.place_refs(obj))
    if type_ == "relationship" and obj.get("relationship_type") == "located-at":
        target = obj.get("target_ref")
        if isinstance(target, str) and target.startswith("location--"):
            places.append(target)
    country = obj.get("country") if type_ == "location" and isinstance(obj.get("country"), str) else None
    province = obj.get("administrative_area") if type_ == "location" else None
    return Facts(
        pk,
        stix_id,
        type_,
        frozenset((p.kind, p.key) for p in values.postings(obj)),
        refs,
        (lonlat[1], lonlat[0]) if lonlat else None,
        country.upper() if country else None,
        province.casefold() if isinstance(province, str) else None,
        tuple(dict.fromkeys(places)),
    )


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class View:
    """One user's view, read lazily and kept for one evaluation."""

    conn: Connection
    principal: Principal
    pks: list[int]
    #: When each version of the evaluation changed (its event's time): a correlation watch counts
    #: only carriers held for the user before that.
    changed: dict[int, str] = field(default_factory=dict)
    _same: dict[str, frozenset[str]] = field(default_factory=dict)
    _hits: dict[int, list] | None = None
    _places: dict[str, tuple[tuple[float, float] | None, str | None, str | None]] = field(default_factory=dict)
    _searches: dict[str, set[int]] = field(default_factory=dict)

    def same_entity(self, stix_id: str) -> frozenset[str]:
        """The id and those merged with it, as this user sees the merges."""
        if stix_id not in self._same:
            self._same[stix_id] = frozenset([stix_id, *correlation.same_entity(self.conn, self.principal, stix_id)])
        return self._same[stix_id]

    def shared(self, f: Facts) -> list:
        """The values of `f` that other objects this user may see carry, with those carriers
        (intel.correlation.hits, read once for every changed version of the evaluation)."""
        if self._hits is None:
            mine = set(self.pks)
            told = {pk: at for pk, at in self.changed.items() if pk in mine}
            self._hits = correlation.hits(self.conn, self.principal, told)
        return self._hits.get(f.pk, [])

    def place(self, stix_id: str):
        """(point, country, province) of a location this user may see, else Nones."""
        if stix_id not in self._places:
            row = reads.current_versions(self.conn, self.principal, [stix_id]).get(stix_id)
            self._places[stix_id] = (None, None, None)
            if row is not None and row.type == "location":
                f = facts(row.pk, row.stix_id, row.type, row.raw)
                self._places[stix_id] = (f.point, f.country, f.province)
        return self._places[stix_id]

    def search_matches(self, saved_search_id: str) -> set[int]:
        """Which versions of this evaluation the user's saved search finds (none once deleted)."""
        if saved_search_id not in self._searches:
            try:
                saved = get_saved(self.conn, self.principal, saved_search_id)
                params = saved.params
                query = make_query(
                    self.conn,
                    self.conn.dialect.name,
                    q=params.get("q") or "",
                    types=params.get("type") or (),
                    owner=params.get("owner"),
                    tlp=params.get("tlp"),
                    modified_from=params.get("modified_from"),
                    modified_until=params.get("modified_until"),
                    principal=self.principal,
                )
                self._searches[saved_search_id] = search_store.among(self.conn, self.principal, query, self.pks)
            except LiaisonError:
                self._searches[saved_search_id] = set()
        return self._searches[saved_search_id]


def _place_reason(target: dict, point, country, province) -> str | None:
    if "country" in target:
        if country == target["country"] and (not target.get("province") or province == target["province"]):
            return f"in {target.get('province') + ', ' if target.get('province') else ''}{target['country']}"
        return None
    if point is None:
        return None
    km = distance_km(point, (target["latitude"], target["longitude"]))
    return f"{km:.1f} km from the watched point" if km <= target["radius_km"] else None


@functools.lru_cache(maxsize=1024)
def _lookup(kind: str, key: str) -> Lookup:
    """What a watched value finds, as correlation finds it: itself, and for an address the
    networks that contain it, for a network the addresses inside it."""
    posting = values.Posting(kind, key, values.display(kind, key), "")
    return Lookup(tuple(values.lookup_keys(posting)), tuple(values.ranges(posting)))


def _correlation_reason(target: dict, shared: list, view: View) -> str | None:
    if "id" in target:
        watched = view.same_entity(target["id"])
        found = next((p for p, carriers in shared if any(c.stix_id in watched for c in carriers)), None)
        return f"shares {found.shown} with the watched object" if found else None
    own = correlation_store.held_by_own(view.conn, view.principal, {c.pk for _p, cs in shared for c in cs})
    found = next((p for p, carriers in shared if any(c.pk in own for c in carriers)), None)
    return f"shares {found.shown} with what your organisation holds" if found else None


def match(kind: str, target: dict, f: Facts, view: View) -> str | None:
    """Why version `f` matches a watchlist (kind, target) for the user of `view`, or None."""
    if kind == "type":
        return f"a {f.type}" if f.type == target["type"] else None
    if kind == "value":
        for watched_kind, key in target["postings"]:
            lookup = _lookup(watched_kind, key)
            hit = min((p for p in f.postings if lookup.matches(*p)), default=None)
            if hit:
                within = "" if hit == (watched_kind, key) else f", with {values.display(watched_kind, key)}"
                return f"carries {values.display(*hit)}{within}"
        return None
    if kind == "entity":
        same = view.same_entity(target["id"])
        if f.stix_id in same:
            return "the watched entity" if f.stix_id == target["id"] else "merged with the watched entity"
        return "refers to the watched entity" if f.refs & same else None
    if kind == "place":
        found = _place_reason(target, f.point, f.country, f.province)
        for ref in f.places:
            if found:
                break
            found = _place_reason(target, *view.place(ref))
        return found
    if kind == "correlation":
        return _correlation_reason(target, view.shared(f), view)
    if kind == "search":
        return "found by the watched search" if f.pk in view.search_matches(target["saved_search_id"]) else None
    return None


def matching(
    conn: Connection,
    principal: Principal,
    kind: str,
    target: dict,
    version_pks: set[int],
    changed: dict[int, str] | None = None,
) -> set[int]:
    """Which of these versions (events the principal is told of; `changed`, when each changed)
    match a watchlist of its own, as it sees them: the live stream's `watchlist`
    filter."""
    rows = watch_store.contents(conn, principal, version_pks)
    view = View(conn, principal, [row.pk for row in rows], changed or {})
    return {row.pk for row in rows if match(kind, target, facts(row.pk, row.stix_id, row.type, row.raw), view)}
