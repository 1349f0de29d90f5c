"""Entity resolution against the store: the instance's knowledge index, kept current incrementally,
and the reader's view that confirms every candidate it proposes (merges followed)."""

from __future__ import annotations

import threading

import orjson
from sqlalchemy import Connection

from liaison.access.principal import Principal, system_principal
from liaison.ingest.extract.knowledge import KnowledgeIndex, KnownEntity
from liaison.ingest.extract.resolution import Lookup
from liaison.stix.entities import NAMED_TYPES
from liaison.stix.extensions import EXT_IDS
from liaison.store import entities, reads, tenancy

_ALIASES = EXT_IDS["entity-aliases"]
_POSITION = EXT_IDS["organisation-position"]

_indexes: dict[str, _Cached] = {}
_guard = threading.Lock()


class _Cached:
    """An index with what it was built from: the stamp of the newest holding folded in, the newest
    version of each object, and the first stored object seen (if the store no longer holds it at
    the same place, it was emptied or restored, and the index starts again)."""

    def __init__(self) -> None:
        self.index = KnowledgeIndex()
        self.versions: dict[str, str] = {}
        self.high_water = ""
        self.first: tuple[str, str] | None = None


def known_entity(obj: dict) -> KnownEntity | None:
    """The index entry of a named STIX object, or None for objects that name nothing resolvable."""
    name = obj.get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    type_ = obj["type"]
    attrs: dict = {}
    if type_ == "identity":
        if obj.get("identity_class") == "system":
            return None
        kind = "person" if obj.get("identity_class") == "individual" else "organization"
        position = (obj.get("extensions") or {}).get(_POSITION, {}).get("position")
        attrs["roles"] = [*obj.get("roles", []), *([position] if position else [])]
    elif type_ == "threat-actor":  # its `roles` are a vocabulary (agent, director...), not titles
        kind = "person" if obj.get("resource_level") == "individual" else "group"
    elif type_ == "intrusion-set":
        kind = "group"
    else:
        kind = "location"
        attrs = {k: obj[k] for k in ("country", "latitude", "longitude", "region", "city") if k in obj}
        attrs["level"] = (
            "city"
            if "city" in obj
            else "region"
            if "administrative_area" in obj
            else "country"
            if "country" in obj
            else "region"
        )
    aliases = [*obj.get("aliases", []), *(obj.get("extensions") or {}).get(_ALIASES, {}).get("aliases", [])]
    return KnownEntity(obj["id"], kind, name, tuple(a for a in aliases if isinstance(a, str) and a != name), attrs)


def visible_entities(conn: Connection, principal: Principal, stix_ids: set[str]) -> dict[str, KnownEntity]:
    """The named entities among `stix_ids` that `principal` sees now, as its current view of each
    names and describes them."""
    named = {i for i in stix_ids if i.split("--")[0] in NAMED_TYPES}
    rows = reads.current_versions(conn, principal, named) if named else {}
    return {i: e for i, row in rows.items() if (e := known_entity(orjson.loads(row.raw))) is not None}


def knowledge_index(conn: Connection) -> KnowledgeIndex:
    """This instance's index of names, brought up to date with what was stored since last time.
    The index outlives the transaction and folds in what `conn` sees: call it before the
    transaction writes, so that nothing it might roll back gets in."""
    key = conn.engine.url.render_as_string(hide_password=False)
    with _guard:
        cached = _indexes.get(key)
        system = system_principal(tenancy.all_audience_ids(conn))
        if cached is None or (cached.first and entities.first_holding(conn, system) != cached.first):
            cached = _indexes[key] = _Cached()
        rows = entities.named_versions_since(conn, system, cached.high_water, NAMED_TYPES)
        if rows and cached.first is None:
            cached.first = entities.first_holding(conn, system)
        _fold(cached, rows)
    return cached.index


def _fold(cached: _Cached, rows) -> None:
    """Bring the index up to date with newly held versions (`rows`, in holding order). An entity is
    indexed under the names of all its versions (the newest name first): a reader may see an older
    one, and every candidate is confirmed against the version the reader sees. Revoked or unnamed
    versions change nothing: whoever may not see a revocation still sees the entity."""
    added: dict[str, KnownEntity] = {}
    for stix_id, modified, revoked, raw, added_at in rows:
        cached.high_water = max(cached.high_water, added_at)
        entity = None if revoked else known_entity(orjson.loads(raw))
        if entity is None:
            continue
        known = added.get(stix_id) or cached.index.entity(stix_id)
        if known is not None:
            newer = cached.versions.get(stix_id, "") <= modified
            main, other = (entity, known) if newer else (known, entity)
            names = dict.fromkeys(n for n in (*main.names, *other.names) if n != main.name)
            entity = KnownEntity(stix_id, main.kind, main.name, tuple(names), main.attrs)
        cached.versions[stix_id] = max(cached.versions.get(stix_id, ""), modified)
        added[stix_id] = entity
    cached.index.add(added.values())


def visible_lookup(conn: Connection, principal: Principal) -> Lookup:
    """The reader's view of candidate entities: only what `principal` may see, as its latest visible
    version names it; an entity merged into another (a `duplicate-of` both ends of which the reader
    sees) stands for the canonical one. What it found is remembered for the life of the returned
    function (one extraction, which asks about the same ids repeatedly)."""
    seen: dict[str, KnownEntity | None] = {}

    def lookup(stix_ids: set[str]) -> dict[str, KnownEntity]:
        missing = set(stix_ids) - set(seen)
        if missing:
            seen.update(_view(missing))
        return {i: e for i in stix_ids if (e := seen[i]) is not None}

    def _view(stix_ids: set[str]) -> dict[str, KnownEntity | None]:
        canonical = canonical_ids(conn, principal, stix_ids)
        rows = reads.current_versions(conn, principal, set(stix_ids) | set(canonical.values()))
        found: dict[str, KnownEntity | None] = dict.fromkeys(stix_ids)
        for stix_id in stix_ids:
            if stix_id not in rows:
                continue
            entity = known_entity(orjson.loads(rows[stix_id].raw))
            target = canonical.get(stix_id)
            if entity is not None and target in rows:
                main = known_entity(orjson.loads(rows[target].raw))
                if main is not None:  # the duplicate's names lead to the canonical entity
                    entity = KnownEntity(main.stix_id, main.kind, main.name, main.aliases + entity.names, main.attrs)
            if entity is not None:
                found[stix_id] = entity
        return found

    return lookup


def canonical_ids(conn: Connection, principal: Principal, stix_ids: set[str]) -> dict[str, str]:
    """For those of `stix_ids` merged into another entity, the entity they were merged into."""
    merged: dict[str, str] = {}
    for _rel_id, raw in entities.duplicate_links(conn, principal, stix_ids):
        rel = orjson.loads(raw)
        if rel["source_ref"] in stix_ids:
            merged[rel["source_ref"]] = rel["target_ref"]
    visible = reads.current_versions(conn, principal, set(merged.values()))
    return {dup: main for dup, main in merged.items() if main in visible}
