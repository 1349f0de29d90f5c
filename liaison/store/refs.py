"""What objects refer to and what refers to them, as far as the principal may see."""

from __future__ import annotations

from sqlalchemy import Connection, select

from liaison.access.predicate import visible
from liaison.access.principal import Principal
from liaison.db.tables import edge, object_version
from liaison.store.reads import latest_visible

V = object_version
_CHUNK = 900


def latest(conn: Connection, principal: Principal, stix_ids: set[str], *,
           include_revoked: bool = True) -> dict[str, tuple[str, str | None, str]]:
    """{id: (type, name, raw)} of the latest visible version of each of `stix_ids` the principal
    may see (unless that version revokes it, with `include_revoked` false); invisible and unknown
    ids are absent."""
    found: dict[str, tuple[str, str | None, str]] = {}
    ids = sorted(stix_ids)
    for start in range(0, len(ids), _CHUNK):
        query = (select(V.c.stix_id, V.c.type, V.c.name, V.c.raw)
                 .where(V.c.stix_id.in_(ids[start:start + _CHUNK]), visible(principal, V.c.pk),
                        latest_visible(principal)))
        rows = conn.execute(query if include_revoked else query.where(V.c.revoked.is_(False)))
        found.update({stix_id: (type_, name, raw) for stix_id, type_, name, raw in rows})
    return found


def referrers(conn: Connection, principal: Principal, target_id: str, props: tuple[str, ...]):
    """Latest visible, unrevoked versions whose properties `props` refer to `target_id`, oldest
    first: rows of (pk, stix_id, type, modified, tlp, raw)."""
    return conn.execute(
        select(V.c.pk, V.c.stix_id, V.c.type, V.c.modified, V.c.tlp, V.c.raw).distinct()
        .join(edge, edge.c.version_pk == V.c.pk)
        .where(edge.c.target_id == target_id, edge.c.prop.in_(props), visible(principal, V.c.pk),
               latest_visible(principal), V.c.revoked.is_(False))
        .order_by(V.c.modified, V.c.pk)
    ).all()
