"""What the dashboard shows: recent sharing by other organisations and counts per type."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from liaison.access.predicate import current, holding_visible
from liaison.access.principal import Principal
from liaison.db.tables import holding, object_version, organization

V = object_version
#: Left out of the recent list: definitions and markings are plumbing, relationships are shown
#: with the objects they connect (graph, object pages).
_NOT_LISTED = ("marking-definition", "extension-definition", "relationship")


def recent_from_others(conn: Connection, principal: Principal, limit: int):
    """Latest visible versions held by other organisations through holdings the principal may see,
    most recently added first: rows of (pk, stix_id, type, name, modified, tlp, raw, holder, added_at)."""
    stmt = (
        select(
            V.c.pk,
            V.c.stix_id,
            V.c.type,
            V.c.name,
            V.c.modified,
            V.c.tlp,
            V.c.raw,
            organization.c.name.label("holder"),
            holding.c.added_at,
        )
        .join(holding, holding.c.version_pk == V.c.pk)
        .join(organization, organization.c.id == holding.c.org_id)
        .where(holding_visible(principal), current(principal), V.c.type.not_in(_NOT_LISTED))
        .order_by(holding.c.added_at.desc())
        .limit(limit)
    )
    if principal.org_id is not None:
        stmt = stmt.where(holding.c.org_id != principal.org_id)
    return conn.execute(stmt).all()


def counts_by_type(conn: Connection, principal: Principal) -> list[tuple[str, int]]:
    """(type, number of objects) over the latest visible, unrevoked versions, most common first."""
    n = func.count().label("n")
    return [
        tuple(row)
        for row in conn.execute(
            select(V.c.type, n).where(current(principal)).group_by(V.c.type).order_by(n.desc(), V.c.type)
        )
    ]
