"""Queries behind entity resolution: named objects for the knowledge index, the reader's current
view of candidate entities, and the merges (`duplicate-of` relationships) the reader may see."""

from __future__ import annotations

from sqlalchemy import Connection, and_, exists, select

from liaison.access.predicate import holding_visible, visible
from liaison.access.principal import Principal
from liaison.db.tables import edge, holding, object_version
from liaison.store import refs
from liaison.store.reads import latest_visible
from liaison.store.tenancy import instance_audience_id

V = object_version
_CHUNK = 900


def named_versions_since(conn: Connection, principal: Principal, after_pk: int, types: tuple[str, ...]):
    """Versions of `types` stored after `after_pk` that `principal` may see, in storage order:
    rows of (pk, stix_id, modified, revoked, raw)."""
    return conn.execute(
        select(V.c.pk, V.c.stix_id, V.c.modified, V.c.revoked, V.c.raw)
        .where(V.c.pk > after_pk, V.c.type.in_(types), visible(principal, V.c.pk))
        .order_by(V.c.pk)
    ).all()


def stix_id_at(conn: Connection, principal: Principal, pk: int) -> str | None:
    """The object id of the stored version `pk`, if `principal` may see it."""
    return conn.execute(select(V.c.stix_id).where(V.c.pk == pk, visible(principal, V.c.pk))).scalar()


def current_raw(conn: Connection, principal: Principal, stix_ids: set[str]) -> dict[str, str]:
    """The latest version `principal` may see of each of `stix_ids` that is not revoked, as JSON."""
    return {i: raw for i, (_type, _name, raw) in refs.latest(conn, principal, stix_ids, include_revoked=False).items()}


def duplicate_links(conn: Connection, principal: Principal, stix_ids: set[str]):
    """The current `duplicate-of` relationships `principal` may see whose source or target is one of
    `stix_ids`: rows of (relationship id, raw)."""
    ids = sorted(stix_ids)
    found: dict[str, str] = {}
    for i in range(0, len(ids), _CHUNK):
        rows = conn.execute(
            select(V.c.stix_id, V.c.raw)
            .join(edge, edge.c.version_pk == V.c.pk)
            .where(
                and_(edge.c.prop.in_(("source_ref", "target_ref")), edge.c.target_id.in_(ids[i:i + _CHUNK]),
                     edge.c.relationship_type == "duplicate-of"),
                V.c.type == "relationship", visible(principal, V.c.pk), latest_visible(principal),
                V.c.revoked.is_(False),
            )
        )
        found.update(rows.all())
    return list(found.items())


def not_shared_with(conn: Connection, principal: Principal, stix_ids: set[str], audience_id: int, kind: str) -> set[str]:
    """Those of `stix_ids` that members of the audience `audience_id` (of `kind`) could not see,
    judging by the holdings `principal` may see: a group sees what is shared with it or with the
    instance, the instance only what is shared with the instance; the own organisation sees all
    that its members see."""
    if kind == "org" or not stix_ids:
        return set()
    wide = {instance_audience_id(conn)} | ({audience_id} if kind == "group" else set())
    shared = conn.execute(
        select(V.c.stix_id).where(
            V.c.stix_id.in_(sorted(stix_ids)),
            exists(select(1).where(holding.c.version_pk == V.c.pk, holding_visible(principal),
                                   holding.c.audience_id.in_(sorted(wide)))),
        )
    ).scalars()
    return set(stix_ids) - set(shared)
