"""Queries behind entity resolution and annotations: named objects for the knowledge index, the
merges (`duplicate-of` relationships) the reader may see, and the audiences what it sees is held
for. (The reader's current view of candidate entities is store.reads.current_versions.)"""

from __future__ import annotations

import functools

from sqlalchemy import Connection, Select, and_, bindparam, exists, select

from liaison.access.predicate import Reader, current, holding_visible, own_live, probe_visible, reader
from liaison.access.principal import Principal
from liaison.db.tables import edge, holding, object_version
from liaison.stix.validate import ENDPOINTS
from liaison.store import sharing, tenancy
from liaison.store.chunks import chunks

V = object_version


def named_versions_since(conn: Connection, principal: Principal, after: str, types: tuple[str, ...]):
    """Versions of `types` given a holding `principal` may see after the stamp `after` (holding
    stamps are unique and increase in commit order), in that order: rows of (stix_id, modified,
    revoked, raw, added_at); a version held twice comes twice."""
    return conn.execute(_named_since(reader(principal)), {"after": after, "types": list(types)}).all()


@functools.lru_cache(maxsize=64)
def _named_since(principal: Reader) -> Select:
    """named_versions_since's statement, made once per reader (asked before every draft)."""
    return (
        select(V.c.stix_id, V.c.modified, V.c.revoked, V.c.raw, holding.c.added_at)
        .join(holding, holding.c.version_pk == V.c.pk)
        .where(
            holding.c.added_at > bindparam("after"),
            V.c.type.in_(bindparam("types", expanding=True)),
            holding_visible(principal),
        )
        .order_by(holding.c.added_at)
    )


def first_holding(conn: Connection, principal: Principal) -> tuple[str, str] | None:
    """(stamp, object id) of the earliest holding `principal` may see: it changes only when the
    store is emptied or restored. Walked in stamp order (the audience test kept out of the index
    choice), so it stops at the first visible holding instead of sorting all of them."""
    row = conn.execute(_first_holding(reader(principal))).first()
    return (row.added_at, row.stix_id) if row else None


@functools.lru_cache(maxsize=64)
def _first_holding(principal: Reader) -> Select:
    return (
        select(holding.c.added_at, V.c.stix_id)
        .join(V, V.c.pk == holding.c.version_pk)
        .where(probe_visible(principal, holding))
        .order_by(holding.c.added_at)
        .limit(1)
    )


def duplicate_links(conn: Connection, principal: Principal, stix_ids: set[str]):
    """The current `duplicate-of` relationships `principal` may see whose source or target is one of
    `stix_ids`: rows of (relationship id, raw)."""
    found: dict[str, str] = {}
    statement = _duplicate_links(reader(principal))
    for part in chunks(sorted(stix_ids)):
        found.update(conn.execute(statement, {"ids": part}).all())
    return list(found.items())


@functools.lru_cache(maxsize=1024)
def _duplicate_links(principal: Reader) -> Select:
    """duplicate_links' statement for one reader, made once (the ids are a parameter)."""
    return (
        select(V.c.stix_id, V.c.raw)
        .join(edge, edge.c.version_pk == V.c.pk)
        .where(
            # Only a relationship's edges carry a relationship type: no test of the version's type,
            # which led SQLite to walk every relationship instead of the edges to these ids.
            and_(
                edge.c.prop.in_(ENDPOINTS),
                edge.c.target_id.in_(bindparam("ids", expanding=True)),
                edge.c.relationship_type == "duplicate-of",
            ),
            current(principal),
        )
    )


def audiences_seeing(conn: Connection, audience_id: int, kind: str) -> set[int]:
    """The audiences whose holdings every member of the audience `audience_id` (of `kind`) sees: a
    group sees what is shared with it, and what is shared with the instance unless a partner
    instance is among its members; the instance sees what is shared with the instance. (An
    organisation sees all its members see: callers treat the own organisation apart.)"""
    wide = {audience_id} if kind in ("group", "org") else set()
    if kind == "instance" or (kind == "group" and not tenancy.audience_reaches_partners(conn, audience_id)):
        wide.add(tenancy.instance_audience_id(conn))
    return wide


def current_holdings(
    conn: Connection, principal: Principal, stix_ids: set[str]
) -> dict[str, tuple[str | None, frozenset[int]]]:
    """For each of `stix_ids` that `principal` sees: the TLP of its latest visible version
    (access.predicate.latest_visible, revoked or not) and the audiences that content is held for,
    among the holdings `principal` may see. Invisible and unknown ids are absent alike."""
    levels: dict[str, str | None] = {}
    held: dict[str, set[int]] = {}
    for part in chunks(sorted(stix_ids)):
        rows = conn.execute(
            select(V.c.stix_id, V.c.tlp, holding.c.audience_id)
            .join(holding, holding.c.version_pk == V.c.pk)
            .where(V.c.stix_id.in_(part), holding_visible(principal), current(principal, include_revoked=True))
        )
        for stix_id, level, audience_id in rows:
            levels[stix_id] = level
            held.setdefault(stix_id, set()).add(audience_id)
    return {stix_id: (levels[stix_id], frozenset(held[stix_id])) for stix_id in levels}


def not_shared_with(
    conn: Connection, principal: Principal, stix_ids: set[str], audience_id: int, kind: str
) -> set[str]:
    """Those of `stix_ids` whose latest version `principal` sees is not shared with every member
    of the audience `audience_id` (of `kind`), judging by the holdings `principal` may see
    (audiences_seeing); the own organisation sees all its members see. Invisible ids count as not
    shared."""
    if kind == "org" or not stix_ids:
        return set()
    wide = audiences_seeing(conn, audience_id, kind)
    views = current_holdings(conn, principal, stix_ids)
    return {stix_id for stix_id in stix_ids if not (stix_id in views and views[stix_id][1] & wide)}


def version_refs(conn: Connection, org_id: int, version_pks: list[int], props: tuple[str, ...]):
    """The refs under `props` of those of `version_pks` that organisation `org_id` holds (a read of
    the acting organisation's own holdings, as store.sharing.chain_versions): rows of (pk,
    stix_id, type, tlp, prop, target_id, relationship_type)."""
    found = []
    for part in chunks(sorted(set(version_pks))):
        found += conn.execute(
            select(V.c.pk, V.c.stix_id, V.c.type, V.c.tlp, edge.c.prop, edge.c.target_id, edge.c.relationship_type)
            .join(edge, edge.c.version_pk == V.c.pk)
            .where(
                V.c.pk.in_(part),
                edge.c.prop.in_(props),
                exists(select(1).where(holding.c.version_pk == V.c.pk, holding.c.org_id == org_id)),
            )
        ).all()
    return found


def own_current(conn: Connection, principal: Principal, stix_ids: set[str]) -> dict[str, tuple[int, str | None]]:
    """Of `stix_ids`, those whose version `principal` reads is held live by its own organisation
    (its own chain, which it reads first): id -> (version pk, TLP level)."""
    if not stix_ids or principal.org_id is None:
        return {}
    found: dict[str, tuple[int, str | None]] = {}
    for part in chunks(sorted(stix_ids)):
        rows = conn.execute(
            select(V.c.stix_id, V.c.pk, V.c.tlp).where(
                V.c.stix_id.in_(part), current(principal, include_revoked=True), own_live(principal, V.c.pk)
            )
        )
        found.update((stix_id, (pk, level)) for stix_id, pk, level in rows)
    return found


def share_own(conn: Connection, principal: Principal, version_pks: list[int], audience_id: int) -> None:
    """Hold these contents of the principal's organisation for the audience `audience_id` too (newly
    stamped, so TAXII readers of that collection see them as added now)."""
    sharing.add_audience(conn, principal.org_id, principal.user_id, version_pks, audience_id)
