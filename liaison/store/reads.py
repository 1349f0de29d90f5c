"""Queries over object versions. Each takes a Principal and applies the access predicate."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import Connection, Select, and_, exists, func, select

from liaison.access.predicate import holding_visible, visible, visible_to_org_holding
from liaison.access.principal import Principal
from liaison.db.tables import audience, holding, object_label, object_version, organization, sharing_group

V = object_version


@dataclass(frozen=True, slots=True)
class Filters:
    """Object list filters; all optional and combined with AND."""

    types: tuple[str, ...] = ()
    owner_org_id: int | None = None
    label: str | None = None
    modified_after: str | None = None
    modified_before: str | None = None
    text: str | None = None
    include_revoked: bool = False


@dataclass(frozen=True, slots=True)
class HoldingInfo:
    owner: str
    audience: str
    added_at: str


def latest_visible(principal: Principal):
    """True for the newest version of its object among those `principal` may see."""
    later = V.alias("later")
    return ~exists(
        select(1).where(later.c.stix_id == V.c.stix_id, later.c.modified > V.c.modified,
                        visible(principal, later.c.pk))
    )


def _filtered(principal: Principal, filters: Filters, columns) -> Select:
    if filters.owner_org_id is not None:
        seen = visible_to_org_holding(principal, V.c.pk, filters.owner_org_id)
    else:
        seen = visible(principal, V.c.pk)
    query = select(*columns).where(seen, latest_visible(principal))
    if filters.types:
        query = query.where(V.c.type.in_(filters.types))
    if filters.label is not None:
        query = query.where(exists(select(1).where(
            object_label.c.version_pk == V.c.pk, object_label.c.label == filters.label)))
    if filters.modified_after is not None:
        query = query.where(V.c.modified > filters.modified_after)
    if filters.modified_before is not None:
        query = query.where(V.c.modified < filters.modified_before)
    if filters.text:
        escaped = filters.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(V.c.name).like(f"%{escaped}%", escape="\\"))
    if not filters.include_revoked:
        query = query.where(V.c.revoked.is_(False))
    return query


def count_objects(conn: Connection, principal: Principal, filters: Filters) -> int:
    """How many objects (latest visible versions) match."""
    return conn.execute(select(func.count()).select_from(_filtered(principal, filters, [V.c.pk]).subquery())).scalar_one()


def list_objects(conn: Connection, principal: Principal, filters: Filters, *, limit: int, offset: int = 0):
    """Latest visible versions matching `filters`, newest first: rows of (pk, stix_id, modified, raw)."""
    query = _filtered(principal, filters, [V.c.pk, V.c.stix_id, V.c.modified, V.c.raw])
    return conn.execute(query.order_by(V.c.modified.desc(), V.c.pk.desc()).limit(limit).offset(offset)).all()


def iter_raw(conn: Connection, principal: Principal, filters: Filters, *, all_versions: bool = False) -> Iterator[str]:
    """Canonical JSON of every matching object (every visible version with `all_versions`), streamed."""
    if all_versions:
        query = select(V.c.raw).where(visible(principal, V.c.pk))
        if filters.types:
            query = query.where(V.c.type.in_(filters.types))
    else:
        query = _filtered(principal, filters, [V.c.raw])
    result = conn.execution_options(yield_per=2000).execute(query.order_by(V.c.pk))
    for (raw,) in result:
        yield raw


def get_version(conn: Connection, principal: Principal, stix_id: str, modified: str | None = None):
    """The latest visible version of `stix_id`, or the visible version `modified`; None if none."""
    query = select(V.c.pk, V.c.stix_id, V.c.modified, V.c.revoked, V.c.tlp, V.c.raw).where(
        V.c.stix_id == stix_id, visible(principal, V.c.pk)
    )
    if modified is not None:
        query = query.where(V.c.modified == modified)
    return conn.execute(query.order_by(V.c.modified.desc()).limit(1)).first()


def list_versions(conn: Connection, principal: Principal, stix_id: str):
    """Visible versions of `stix_id`, oldest first: rows of (pk, modified, revoked, tlp)."""
    return conn.execute(
        select(V.c.pk, V.c.modified, V.c.revoked, V.c.tlp)
        .where(V.c.stix_id == stix_id, visible(principal, V.c.pk))
        .order_by(V.c.modified)
    ).all()


def holdings_of(conn: Connection, principal: Principal, version_pks: list[int]) -> dict[int, list[HoldingInfo]]:
    """The holdings of these versions that `principal` may see: who holds each, shared with whom."""
    rows = conn.execute(
        select(holding.c.version_pk, organization.c.name, audience.c.kind, sharing_group.c.name,
               holding.c.added_at)
        .join(organization, organization.c.id == holding.c.org_id)
        .join(audience, audience.c.id == holding.c.audience_id)
        .outerjoin(sharing_group, sharing_group.c.id == audience.c.group_id)
        .where(and_(holding.c.version_pk.in_(version_pks), holding_visible(principal)))
        .order_by(holding.c.added_at)
    ).all()
    found: dict[int, list[HoldingInfo]] = defaultdict(list)
    for pk, owner, kind, group, added_at in rows:
        label = {"org": f"org:{owner}", "group": f"group:{group}", "instance": "instance"}[kind]
        found[pk].append(HoldingInfo(owner, label, added_at))
    return found
