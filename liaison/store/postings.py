"""Correlation reads over postings (value -> versions carrying it), read by the reader's audiences
(posting_exposure). Every read joins the postings with the access predicate: only versions that
are the caller's current view of their object correlate, so hits, counts and "common" are all over
what the caller may see. An organisation's flood control (`Excluded`, from liaison.intel.flood)
only narrows that view further."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, case, false, func, or_, select, tuple_

from liaison.access.predicate import (
    current,
    holding_visible,
    holding_visible_outside,
    own_live,
    visible,
    visible_outside,
    visible_to_org_holding,
)
from liaison.access.principal import Principal
from liaison.db.tables import holding, object_version, organization, posting, posting_exposure
from liaison.store.chunks import chunks

V, P, E = object_version, posting, posting_exposure
#: Made once: an alias's column collection costs a fraction of a millisecond to build.
_HOLDER, _OWNER = organization.alias("holder"), organization.alias("owner")


@dataclass(frozen=True, slots=True)
class Lookup:
    """The postings that correlate with one value: exact (kind, key) pairs and key ranges."""

    exact: tuple[tuple[str, str], ...]
    ranges: tuple[tuple[str, str, str], ...] = ()

    def matches(self, kind: str, key: str) -> bool:
        """Whether a posting (kind, key) is one this lookup finds."""
        return (kind, key) in self.exact or any(k == kind and low <= key <= high for k, low, high in self.ranges)

    def condition(self, table=P) -> ColumnElement[bool]:
        """The condition on `table` (posting, or posting_exposure: both have kind and key)."""
        by_kind: dict[str, list[str]] = {}
        for kind, key in self.exact:
            by_kind.setdefault(kind, []).append(key)
        c = table.c
        terms = [and_(c.kind == kind, c.key.in_(sorted(set(keys)))) for kind, keys in sorted(by_kind.items())]
        terms += [and_(c.kind == kind, c.key >= low, c.key <= high) for kind, low, high in self.ranges]
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

    def drops(self, kind: str, key: str) -> bool:
        """Whether a posting (kind, key) is excluded by value or by kind."""
        return (kind, key) in self.values or kind in self.kinds

    def on_postings(self) -> list[ColumnElement[bool]]:
        """Conditions on the postings by audience (E) of a correlation read."""
        by_kind: dict[str, set[str]] = {}
        for kind, key in self.values:
            by_kind.setdefault(kind, set()).add(key)
        terms = [or_(E.c.kind != kind, E.c.key.not_in(sorted(keys))) for kind, keys in sorted(by_kind.items())]
        if self.kinds:
            terms.append(E.c.kind.not_in(sorted(self.kinds)))
        return terms

    def on_versions(self, principal: Principal) -> list[ColumnElement[bool]]:
        """Conditions on the versions (V) of a correlation read."""
        terms: list[ColumnElement[bool]] = []
        if self.types:
            terms.append(V.c.type.not_in(sorted(self.types)))
        if self.org_ids:
            terms.append(visible_outside(principal, V.c.pk, self.org_ids))
        return terms


NOTHING = Excluded()


@dataclass(frozen=True, slots=True)
class Carrier:
    """An object whose current version (for the reader) carries a correlating posting; `kind` and
    `key` are set for an entity correlation (which posting a value matched by is read from the
    hit's content, for the hits listed)."""

    pk: int
    stix_id: str
    type: str
    name: str | None
    kind: str | None = None
    key: str | None = None


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
) -> list[Carrier]:
    """Up to `limit` objects (their current version for `principal`) carrying a posting of
    `lookup`, other than `exclude_id` and what `excluded` takes out, in no particular order: the
    caller asks one more than it lists, and more than that is "common" whatever the order.

    The postings are read by the reader's audiences (posting_exposure), never all of a value's: the
    work, and so the time, grows with what the reader may see and stops at `limit` objects, so
    neither tells how many others hold the value out of the reader's sight."""
    audiences = sorted(principal.audience_ids)
    if not audiences:
        return []
    mine = [lookup.condition(E), E.c.audience_id.in_(audiences), *excluded.on_postings()]
    query = (
        select(V.c.pk, V.c.stix_id, V.c.type, V.c.name)
        .where(V.c.pk.in_(select(E.c.version_pk).where(*mine)), current(principal), *excluded.on_versions(principal))
        .limit(limit)
    )
    if exclude_id is not None:
        query = query.where(V.c.stix_id != exclude_id)
    return [Carrier(pk, stix_id, type_, name) for pk, stix_id, type_, name in conn.execute(query)]


def hit_sources(
    conn: Connection, principal: Principal, version_pks: Iterable[int], *, excluded_orgs: Iterable[int] = ()
) -> dict[int, HitSource]:
    """{pk: HitSource} of these versions, through the holdings `principal` may see other than
    those of `excluded_orgs` (a version it may not see through one is absent)."""
    pks = sorted(set(version_pks))
    if not pks:  # most lookups find nothing: no round trip for it
        return {}
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
        .where(V.c.pk.in_(pks), holding_visible_outside(principal, set(excluded_orgs)))
        .order_by(holding.c.added_at, holder.c.name)
    )
    found: dict[int, HitSource] = {}
    for pk, raw, owner_name, holder_name, added_at in rows:
        found.setdefault(pk, HitSource(raw, owner_name, holder_name, added_at))
    return found


def postings_of(conn: Connection, principal: Principal, version_pks: Iterable[int]) -> dict[int, tuple[str, list]]:
    """{pk: (stix id, [(kind, key), ...])} of these versions that carry postings, those
    `principal` may see (history included)."""
    return _postings(conn, version_pks, visible(principal, P.c.version_pk, history=True))


def carried_by(conn: Connection, version_pks: Iterable[int]) -> dict[int, tuple[str, list]]:
    """postings_of without a principal, for the live stream's fan-out: it reads a batch's postings
    once, then judges the hits of each set of readers only for the versions that set is told of
    (which it may therefore see). Never returned to a caller as such."""
    return _postings(conn, version_pks)


def _postings(conn: Connection, version_pks: Iterable[int], *where: ColumnElement[bool]) -> dict[int, tuple[str, list]]:
    found: dict[int, tuple[str, list]] = {}
    for part in chunks(sorted(set(version_pks))):
        rows = conn.execute(
            select(P.c.version_pk, V.c.stix_id, P.c.kind, P.c.key)
            .join(V, V.c.pk == P.c.version_pk)
            .where(P.c.version_pk.in_(part), *where)
        )
        for pk, stix_id, kind, key in rows:
            found.setdefault(pk, (stix_id, []))[1].append((kind, key))
    return found


def carriers_of_keys(
    conn: Connection, principal: Principal, keys: Iterable[tuple[str, str]], *, excluded: Excluded = NOTHING
) -> dict[tuple[str, str], list[tuple[Carrier, str]]]:
    """{(kind, key): [(object carrying it, since), ...]} for these exact postings, each object by
    its current version for `principal`, `since` the first stamp of that version's holdings the
    reader may see: the correlation hits of a batch of changes in one read per few hundred values.
    Read by the reader's audiences (posting_exposure), as `carriers` is, so the work grows with what
    the reader may see only."""
    audiences = sorted(principal.audience_ids)
    found: dict[tuple[str, str], list[tuple[Carrier, str]]] = {}
    if not audiences:
        return found
    h = holding.alias("seen")
    for part in chunks(sorted(set(keys))):
        rows = conn.execute(
            select(E.c.kind, E.c.key, V.c.pk, V.c.stix_id, V.c.type, V.c.name, func.min(h.c.added_at))
            .join(V, V.c.pk == E.c.version_pk)
            .join(h, and_(h.c.version_pk == V.c.pk, holding_visible(principal, h)))
            .where(
                tuple_(E.c.kind, E.c.key).in_(part),
                E.c.audience_id.in_(audiences),
                *excluded.on_postings(),
                current(principal),
                *excluded.on_versions(principal),
            )
            .group_by(E.c.kind, E.c.key, V.c.pk, V.c.stix_id, V.c.type, V.c.name)
        )
        for kind, key, pk, stix_id, type_, name, since in rows:
            found.setdefault((kind, key), []).append((Carrier(pk, stix_id, type_, name), since))
    return found


def held_by_own(conn: Connection, principal: Principal, version_pks: Iterable[int]) -> set[int]:
    """Which of these versions the principal's own organisation holds live."""
    found: set[int] = set()
    for part in chunks(sorted(set(version_pks))):
        found.update(conn.execute(select(V.c.pk).where(V.c.pk.in_(part), own_live(principal, V.c.pk))).scalars())
    return found
