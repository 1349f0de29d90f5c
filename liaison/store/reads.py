"""Queries over object versions. Each takes a Principal and applies the access predicate."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Row, Select, and_, bindparam, case, exists, func, select

from liaison.access.predicate import (
    Reader,
    chain_rank,
    current,
    history_visible,
    holding_visible,
    reader,
    visible,
    visible_to_org_holding,
)
from liaison.access.principal import Principal
from liaison.db.tables import audience, holding, object_label, object_version, organization, sharing_group
from liaison.store.chunks import chunks
from liaison.store.tenancy import audience_label

V = object_version
#: What current_versions returns of each object: enough to name it, draw it and read it.
VERSION_COLUMNS = (V.c.pk, V.c.stix_id, V.c.type, V.c.name, V.c.tlp, V.c.modified, V.c.raw)


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
    superseded_at: str | None = None


def _filtered(principal: Principal, filters: Filters, columns) -> Select:
    query = select(*columns).where(current(principal, include_revoked=filters.include_revoked))
    if filters.owner_org_id is not None:
        query = query.where(visible_to_org_holding(principal, V.c.pk, filters.owner_org_id))
    if filters.types:
        query = query.where(V.c.type.in_(filters.types))
    if filters.label is not None:
        query = query.where(
            exists(select(1).where(object_label.c.version_pk == V.c.pk, object_label.c.label == filters.label))
        )
    if filters.modified_after is not None:
        query = query.where(V.c.modified > filters.modified_after)
    if filters.modified_before is not None:
        query = query.where(V.c.modified < filters.modified_before)
    if filters.text:
        escaped = filters.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(V.c.name).like(f"%{escaped}%", escape="\\"))
    return query


def count_objects(conn: Connection, principal: Principal, filters: Filters) -> int:
    """How many objects (latest visible versions) match."""
    return conn.execute(
        select(func.count()).select_from(_filtered(principal, filters, [V.c.pk]).subquery())
    ).scalar_one()


def list_objects(conn: Connection, principal: Principal, filters: Filters, *, limit: int, offset: int = 0):
    """Latest visible versions matching `filters`, newest first: rows of (pk, stix_id, modified, raw)."""
    query = _filtered(principal, filters, [V.c.pk, V.c.stix_id, V.c.modified, V.c.raw])
    return conn.execute(query.order_by(V.c.modified.desc(), V.c.pk.desc()).limit(limit).offset(offset)).all()


def iter_raw(conn: Connection, principal: Principal, filters: Filters, *, all_versions: bool = False) -> Iterator[str]:
    """Canonical JSON of every matching object, streamed. With `all_versions`, every content the
    principal may see of every version, contents a correction replaced before the live ones (so
    that importing the export holds what is held here)."""
    if all_versions:
        live = case((visible(principal, V.c.pk), 1), else_=0)
        query = select(V.c.raw).where(visible(principal, V.c.pk, history=True)).order_by(live, V.c.pk)
        if filters.types:
            query = query.where(V.c.type.in_(filters.types))
    else:
        query = _filtered(principal, filters, [V.c.raw]).order_by(V.c.pk)
    result = conn.execution_options(yield_per=2000).execute(query)
    for (raw,) in result:
        yield raw


def current_versions(
    conn: Connection, principal: Principal, stix_ids: Iterable[str], *, include_revoked: bool = False
) -> dict[str, Row]:
    """The principal's current version (access.predicate.current: its view of the object, not
    revoked unless `include_revoked`) of each of `stix_ids`: {id: row of (pk, stix_id, type, name,
    tlp, modified, raw)}. Invisible and unknown ids are absent alike."""
    statement = _current_versions(reader(principal), include_revoked)
    found: dict[str, Row] = {}
    for part in chunks(sorted(set(stix_ids))):
        found.update((row.stix_id, row) for row in conn.execute(statement, {"ids": part}))
    return found


@functools.lru_cache(maxsize=1024)
def _current_versions(principal: Reader, include_revoked: bool) -> Select:
    """current_versions' statement for one reader, made once (the ids are a parameter)."""
    ids = bindparam("ids", expanding=True)
    return select(*VERSION_COLUMNS).where(V.c.stix_id.in_(ids), current(principal, include_revoked=include_revoked))


def get_version(conn: Connection, principal: Principal, stix_id: str, modified: str | None = None):
    """The principal's view of `stix_id` (see access.predicate.latest_visible), or its version
    `modified` in the chain the principal reads; None if none. Rows of (pk, stix_id, modified,
    revoked, tlp, raw, chain_org_id, owner_org_id)."""
    rank = chain_rank(principal, holding, V.c.owner_org_id)
    query = (
        select(
            V.c.pk,
            V.c.stix_id,
            V.c.modified,
            V.c.revoked,
            V.c.tlp,
            V.c.raw,
            holding.c.org_id.label("chain_org_id"),
            V.c.owner_org_id,
        )
        .join(holding, holding.c.version_pk == V.c.pk)
        .where(V.c.stix_id == stix_id, holding_visible(principal))
    )
    if modified is not None:
        query = query.where(V.c.modified == modified)
    return conn.execute(query.order_by(rank, V.c.modified.desc(), holding.c.org_id).limit(1)).first()


def list_versions(conn: Connection, principal: Principal, stix_id: str):
    """Every content of `stix_id` the principal may see, per chain (holding organisation), oldest
    first: rows of (pk, modified, revoked, tlp, chain_org_id, chain, received_at, superseded_at),
    `received_at` being the chain's first visible holding of it and `superseded_at` set when a
    correction of that chain replaced it."""
    live = func.max(case((holding.c.superseded_at.is_(None), 1), else_=0))
    return conn.execute(
        select(
            V.c.pk,
            V.c.modified,
            V.c.revoked,
            V.c.tlp,
            holding.c.org_id.label("chain_org_id"),
            organization.c.name.label("chain"),
            func.min(holding.c.added_at).label("received_at"),
            case((live == 1, None), else_=func.max(holding.c.superseded_at)).label("superseded_at"),
        )
        .join(holding, holding.c.version_pk == V.c.pk)
        .join(organization, organization.c.id == holding.c.org_id)
        .where(V.c.stix_id == stix_id, history_visible(principal))
        .group_by(V.c.pk, V.c.modified, V.c.revoked, V.c.tlp, holding.c.org_id, organization.c.name)
        .order_by(V.c.modified, func.min(holding.c.added_at))
    ).all()


def raws(conn: Connection, principal: Principal, version_pks: list[int]) -> dict[int, str]:
    """{pk: canonical JSON} of those contents the principal may see, history included."""
    return dict(
        conn.execute(
            select(V.c.pk, V.c.raw).where(V.c.pk.in_(version_pks), visible(principal, V.c.pk, history=True))
        ).all()
    )


def holdings_of(
    conn: Connection, principal: Principal, version_pks: list[int], *, history: bool = False
) -> dict[int, list[HoldingInfo]]:
    """The holdings of these versions that `principal` may see: who holds each, shared with whom;
    with `history`, also those a correction superseded."""
    seen = history_visible(principal) if history else holding_visible(principal)
    rows = conn.execute(
        select(
            holding.c.version_pk,
            organization.c.name,
            audience.c.kind,
            sharing_group.c.name,
            holding.c.added_at,
            holding.c.superseded_at,
        )
        .join(organization, organization.c.id == holding.c.org_id)
        .join(audience, audience.c.id == holding.c.audience_id)
        .outerjoin(sharing_group, sharing_group.c.id == audience.c.group_id)
        .where(and_(holding.c.version_pk.in_(version_pks), seen))
        .order_by(holding.c.added_at)
    ).all()
    found: dict[int, list[HoldingInfo]] = defaultdict(list)
    for pk, owner, kind, group, added_at, superseded_at in rows:
        found[pk].append(HoldingInfo(owner, audience_label(kind, owner, group), added_at, superseded_at))
    return found
