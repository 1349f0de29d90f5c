"""Correlation reads over postings (value -> versions carrying it). Every read joins the postings
with the access predicate: only versions that are the caller's current view of their object
correlate, so hits, counts and "common" are all over what the caller may see. An organisation's
flood control (`Excluded`, from liaison.intel.flood) only narrows that view further."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, case, false, func, or_, select

from liaison.access.predicate import current, holding_visible_outside, visible_outside, visible_to_org_holding
from liaison.access.principal import Principal
from liaison.db.tables import holding, object_version, organization, posting

V, P = object_version, posting
#: Made once: an alias's column collection costs a fraction of a millisecond to build.
_HOLDER, _OWNER = organization.alias("holder"), organization.alias("owner")


@dataclass(frozen=True, slots=True)
class Lookup:
    """The postings that correlate with one value: exact (kind, key) pairs and key ranges."""

    exact: tuple[tuple[str, str], ...]
    ranges: tuple[tuple[str, str, str], ...] = ()

    def condition(self) -> ColumnElement[bool]:
        by_kind: dict[str, list[str]] = {}
        for kind, key in self.exact:
            by_kind.setdefault(kind, []).append(key)
        terms = [and_(P.c.kind == kind, P.c.key.in_(sorted(set(keys)))) for kind, keys in sorted(by_kind.items())]
        terms += [and_(P.c.kind == kind, P.c.key >= low, P.c.key <= high) for kind, low, high in self.ranges]
        return or_(*terms) if terms else false()


@dataclass(frozen=True, slots=True)
class Excluded:
    """What an organisation's exclusions take out of its correlations: postings by (kind, key) and
    by kind, objects by STIX type, and holdings by organisation (an object only some excluded
    organisations hold, as far as the reader sees, does not correlate)."""

    values: tuple[tuple[str, str], ...] = ()
    kinds: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    org_ids: tuple[int, ...] = ()

    def conditions(self, principal: Principal) -> list[ColumnElement[bool]]:
        """Conditions on the postings (P) and versions (V) of a correlation read."""
        terms: list[ColumnElement[bool]] = []
        by_kind: dict[str, set[str]] = {}
        for kind, key in self.values:
            by_kind.setdefault(kind, set()).add(key)
        terms += [or_(P.c.kind != kind, P.c.key.not_in(sorted(keys))) for kind, keys in sorted(by_kind.items())]
        if self.kinds:
            terms.append(P.c.kind.not_in(sorted(self.kinds)))
        if self.types:
            terms.append(V.c.type.not_in(sorted(self.types)))
        if self.org_ids:
            terms.append(visible_outside(principal, V.c.pk, self.org_ids))
        return terms


NOTHING = Excluded()


@dataclass(frozen=True, slots=True)
class Carrier:
    """An object whose current version (for the reader) carries a correlating posting."""

    pk: int
    stix_id: str
    type: str
    name: str | None
    kind: str
    key: str


@dataclass(frozen=True, slots=True)
class HitSource:
    """Where a hit comes from, as the reader sees it: the content, its owner organisation (none for
    ids no local organisation created, and none unless the owner's own holding of this content is
    one the reader may see: the owner of an id is not news to tell anyone who merely holds a
    version under it), and its first holding the reader may see."""

    raw: str
    owner: str | None
    holder: str
    shared_at: str


def carriers(
    conn: Connection,
    principal: Principal,
    lookup: Lookup,
    *,
    exclude_id: str | None = None,
    limit: int,
    excluded: Excluded = NOTHING,
) -> tuple[list[Carrier], int]:
    """Up to `limit` objects (their current version for `principal`) carrying a posting of
    `lookup`, other than `exclude_id` and what `excluded` takes out, each with one posting it
    matches by, by stix_id; and how many there are in all (counted in the same pass, before the
    limit)."""
    # One matched posting per object: the smallest "kind key" (kinds hold no space).
    matched = func.min(P.c.kind + " " + P.c.key)
    query = (
        select(V.c.pk, V.c.stix_id, V.c.type, V.c.name, matched, func.count().over())
        .select_from(P.join(V, V.c.pk == P.c.version_pk))
        .where(lookup.condition(), current(principal), *excluded.conditions(principal))
        .group_by(V.c.pk, V.c.stix_id, V.c.type, V.c.name)
        .order_by(V.c.stix_id)
        .limit(limit)
    )
    if exclude_id is not None:
        query = query.where(V.c.stix_id != exclude_id)
    rows = conn.execute(query).all()
    found = [Carrier(pk, stix_id, type_, name, *both.split(" ", 1)) for pk, stix_id, type_, name, both, _ in rows]
    return found, rows[0][-1] if rows else 0


def hit_sources(
    conn: Connection, principal: Principal, version_pks: Iterable[int], *, excluded_orgs: Iterable[int] = ()
) -> dict[int, HitSource]:
    """{pk: HitSource} of these versions, through the holdings `principal` may see other than
    those of `excluded_orgs` (a version it may not see through one is absent)."""
    holder, owner = _HOLDER, _OWNER
    rows = conn.execute(
        select(
            V.c.pk,
            V.c.raw,
            case((visible_to_org_holding(principal, V.c.pk, V.c.owner_org_id), owner.c.name), else_=None),
            holder.c.name,
            holding.c.added_at,
        )
        .select_from(
            V.join(holding, holding.c.version_pk == V.c.pk)
            .join(holder, holder.c.id == holding.c.org_id)
            .outerjoin(owner, owner.c.id == V.c.owner_org_id)
        )
        .where(V.c.pk.in_(sorted(set(version_pks))), holding_visible_outside(principal, set(excluded_orgs)))
        .order_by(holding.c.added_at, holder.c.name)
    )
    found: dict[int, HitSource] = {}
    for pk, raw, owner_name, holder_name, added_at in rows:
        found.setdefault(pk, HitSource(raw, owner_name, holder_name, added_at))
    return found


def custom_plans(conn: Connection) -> None:
    """For the rest of the transaction, plan each statement for its own values (PostgreSQL). The
    driver prepares a statement run five times, and a generic plan of the access predicate cannot
    see which audiences or ids it is for: it walked every holding of the reader's audiences (an
    object's correlations took 300 ms at a million observables). Only correlation reads ask for
    this; imports keep their cheap prepared plans."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
