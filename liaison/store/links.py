"""Queries over the links between objects: relationships, embedded references, and the latest
versions that graphs, maps and timelines are drawn from (with store.reads.current_versions). Every
query takes a Principal and only returns visible, non-revoked latest versions; a link is returned
only when its other end has a version the principal may see."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, and_, exists, not_, or_, select

from liaison.access.predicate import current, visible
from liaison.access.principal import Principal
from liaison.db.tables import edge, object_version
from liaison.stix.validate import ENDPOINTS
from liaison.store.chunks import chunks
from liaison.store.reads import VERSION_COLUMNS

V = object_version


def _has_visible_version(principal: Principal, stix_id_column):
    other = V.alias("other_end")
    return exists(select(1).where(other.c.stix_id == stix_id_column, visible(principal, other.c.pk)))


def prop_matches(column, labels: Iterable[str]):
    """True for edge props whose last dotted segment is one of `labels` (`location_ref` matches
    both `location_ref` and `extensions.<definition id>.location_ref`)."""
    return or_(*(or_(column == label, column.endswith(f".{label}", autoescape=True)) for label in labels))


def latest_of_types(
    conn: Connection, principal: Principal, types: Iterable[str], *, limit: int, raw_contains: str | None = None
) -> list:
    """Current versions of objects of these types, most recently modified first, at most `limit`;
    with `raw_contains`, only those whose JSON contains that text (a cheap pre-filter)."""
    query = select(*VERSION_COLUMNS).where(V.c.type.in_(sorted(set(types))), current(principal))
    if raw_contains:
        query = query.where(V.c.raw.contains(raw_contains, autoescape=True))
    return conn.execute(query.order_by(V.c.modified.desc(), V.c.pk.desc()).limit(limit)).all()


def relationships_of(
    conn: Connection, principal: Principal, stix_id: str, *, types: Iterable[str] | None = None, limit: int
) -> list:
    """Current relationships with `stix_id` as source or target whose other end is visible, most
    recently modified first, at most `limit` each way; rows of (stix_id, relationship_type,
    source, target, modified)."""
    source, target = edge.alias("source"), edge.alias("target")
    found = {}
    for mine, other in ((source, target), (target, source)):
        query = (
            select(
                V.c.stix_id,
                source.c.relationship_type,
                source.c.target_id.label("source"),
                target.c.target_id.label("target"),
                V.c.modified,
            )
            .select_from(V)
            .join(source, and_(source.c.version_pk == V.c.pk, source.c.prop == "source_ref"))
            .join(target, and_(target.c.version_pk == V.c.pk, target.c.prop == "target_ref"))
            .where(
                mine.c.target_id == stix_id,
                V.c.type == "relationship",
                current(principal),
                _has_visible_version(principal, other.c.target_id),
            )
        )
        if types is not None:
            query = query.where(source.c.relationship_type.in_(sorted(set(types))))
        for row in conn.execute(query.order_by(V.c.modified.desc(), V.c.pk.desc()).limit(limit)):
            found.setdefault(row.stix_id, row)
    return sorted(found.values(), key=lambda row: row.modified, reverse=True)


def _ref_filter(labels: Iterable[str] | None, noise: Iterable[str]):
    """Embedded refs (never relationship endpoints) limited to `labels`, or all but `noise`."""
    if labels is not None:
        return prop_matches(edge.c.prop, labels)
    return not_(prop_matches(edge.c.prop, noise))


def refs_from(
    conn: Connection,
    principal: Principal,
    version_pk: int,
    *,
    labels: Iterable[str] | None,
    noise: Iterable[str],
    limit: int,
) -> list:
    """The references embedded in version `version_pk` (relationship endpoints included) whose
    target is visible, in document order; rows of (prop, target_id)."""
    query = select(edge.c.prop, edge.c.target_id).where(
        edge.c.version_pk == version_pk,
        visible(principal, edge.c.version_pk),
        _ref_filter(labels, noise),
        _has_visible_version(principal, edge.c.target_id),
    )
    return conn.execute(query.limit(limit)).all()


def referrers_of(
    conn: Connection,
    principal: Principal,
    stix_id: str,
    *,
    labels: Iterable[str] | None,
    noise: Iterable[str],
    limit: int,
) -> list:
    """Current objects that embed a reference to `stix_id` (reports, notes, sightings, ...; not
    relationship endpoints), most recently modified first; rows of (stix_id, prop, modified)."""
    query = (
        select(V.c.stix_id, edge.c.prop, V.c.modified)
        .select_from(V)
        .join(edge, edge.c.version_pk == V.c.pk)
        .where(
            edge.c.target_id == stix_id, edge.c.prop.not_in(ENDPOINTS), _ref_filter(labels, noise), current(principal)
        )
        .order_by(V.c.modified.desc(), V.c.pk.desc())
    )
    return conn.execute(query.limit(limit)).all()


def referring_versions(conn: Connection, principal: Principal, target_id: str, props: tuple[str, ...]) -> list:
    """Current versions whose properties `props` refer to `target_id` (the notes, opinions, sightings
    and reports about it), oldest first: rows of (pk, stix_id, type, modified, tlp, raw)."""
    return conn.execute(
        select(V.c.pk, V.c.stix_id, V.c.type, V.c.modified, V.c.tlp, V.c.raw)
        .distinct()
        .join(edge, edge.c.version_pk == V.c.pk)
        .where(edge.c.target_id == target_id, edge.c.prop.in_(props), current(principal))
        .order_by(V.c.modified, V.c.pk)
    ).all()


def located_at(conn: Connection, principal: Principal, source_ids: Iterable[str]) -> list:
    """Current `located-at` relationships from these objects to a visible object; rows of
    (source, target), most recently modified first."""
    source, target = edge.alias("source"), edge.alias("target")
    found = []
    for part in chunks(sorted(set(source_ids))):
        query = (
            select(source.c.target_id.label("source"), target.c.target_id.label("target"))
            .select_from(V)
            .join(source, and_(source.c.version_pk == V.c.pk, source.c.prop == "source_ref"))
            .join(target, and_(target.c.version_pk == V.c.pk, target.c.prop == "target_ref"))
            .where(
                source.c.target_id.in_(part),
                source.c.relationship_type == "located-at",
                V.c.type == "relationship",
                current(principal),
                _has_visible_version(principal, target.c.target_id),
            )
            .order_by(V.c.modified.desc(), V.c.pk.desc())
        )
        found += conn.execute(query).all()
    return found
