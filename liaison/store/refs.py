"""What objects refer to and what refers to them, as far as the principal may see."""

from __future__ import annotations

from sqlalchemy import Connection, select

from liaison.access.predicate import current
from liaison.access.principal import Principal
from liaison.db.tables import edge, object_version
from liaison.store import links

V = object_version


def latest(conn: Connection, principal: Principal, stix_ids: set[str], *,
           include_revoked: bool = True) -> dict[str, tuple[str, str | None, str]]:
    """{id: (type, name, raw)} of the latest visible version of each of `stix_ids` the principal
    may see (unless that version revokes it, with `include_revoked` false); invisible and unknown
    ids are absent."""
    return {row.stix_id: (row.type, row.name, row.raw)
            for row in links.latest(conn, principal, stix_ids, include_revoked=include_revoked)}


def referrers(conn: Connection, principal: Principal, target_id: str, props: tuple[str, ...]):
    """Latest visible, unrevoked versions whose properties `props` refer to `target_id`, oldest
    first: rows of (pk, stix_id, type, modified, tlp, raw)."""
    return conn.execute(
        select(V.c.pk, V.c.stix_id, V.c.type, V.c.modified, V.c.tlp, V.c.raw).distinct()
        .join(edge, edge.c.version_pk == V.c.pk)
        .where(edge.c.target_id == target_id, edge.c.prop.in_(props),
               current(principal))
        .order_by(V.c.modified, V.c.pk)
    ).all()
