"""TAXII collections as the audiences a principal belongs to, and the queries behind them.

A collection publishes one audience: the caller's organisation, each sharing group it is in, and
the whole instance. Its content is every object version held with that audience; a version's
date_added there is the stamp of its holding by the organisation whose chain the reader reads
(stamps are unique and strictly increasing, so they also serve as the pagination cursor).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, exists, func, or_, select

from liaison.access.predicate import chain_rank, in_collection
from liaison.access.principal import Action, Principal
from liaison.db.tables import audience, holding, object_version, organization, sharing_group
from liaison.errors import Forbidden, InvalidInput, NotFound
from liaison.ingest.bundles import UNVERSIONED
from liaison.stix.validate import normalize_timestamp

MAX_PAGE = 5000
V = object_version
H = holding


@dataclass(frozen=True, slots=True)
class Collection:
    id: str
    audience_id: int
    kind: str
    title: str
    description: str
    can_write: bool
    #: The audience as imports name it: 'org', 'group:<name>' or 'instance'.
    label: str

    def resource(self) -> dict:
        return {"id": self.id, "title": self.title, "alias": self.label, "description": self.description,
                "can_read": True,
                "can_write": self.can_write, "media_types": ["application/stix+json;version=2.1"]}


@dataclass(frozen=True, slots=True)
class Entry:
    """One object version as a collection holds it."""

    pk: int
    stix_id: str
    modified: str
    date_added: str
    raw: str
    org_id: int  # the organisation whose holding it is

    @property
    def version(self) -> str:
        return self.date_added if self.modified == UNVERSIONED else self.modified


@dataclass(frozen=True, slots=True)
class Query:
    """The TAXII filters, checked: match[version] is a set of 'first', 'last', 'all' and timestamps."""

    added_after: str | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)
    spec_versions: tuple[str, ...] = ()
    limit: int = 1000
    next: str | None = None


def make_query(*, added_after=None, ids="", types="", versions="", spec_versions="", limit=None, next=None) -> Query:
    """A Query from raw TAXII parameters (comma-separated match values); clear errors otherwise."""
    def split(value: str | None) -> tuple[str, ...]:
        return tuple(v.strip() for v in (value or "").split(",") if v.strip())

    def stamp(value: str, name: str) -> str:
        try:
            return normalize_timestamp(value)
        except ValueError:
            raise InvalidInput(f"'{name}' must be a timestamp like 2024-01-31T00:00:00.000Z, not {value!r}") from None

    version_values = tuple(v if v in ("first", "last", "all") else stamp(v, "match[version]") for v in split(versions))
    if limit is not None and (not str(limit).isdigit() or int(limit) < 1):
        raise InvalidInput(f"'limit' must be a positive integer, not {limit!r}")
    return Query(
        added_after=stamp(added_after, "added_after") if added_after else None,
        ids=split(ids), types=split(types), versions=version_values or ("last",),
        spec_versions=split(spec_versions), limit=min(int(limit), MAX_PAGE) if limit else 1000,
        next=stamp(next, "next") if next else None,
    )


def collections_for(conn: Connection, principal: Principal) -> list[Collection]:
    """The collections `principal` reads: its organisation's, its groups', the instance's."""
    rows = conn.execute(
        select(audience.c.id, audience.c.kind, audience.c.collection_id, organization.c.name, sharing_group.c.name,
               sharing_group.c.description)
        .outerjoin(organization, organization.c.id == audience.c.org_id)
        .outerjoin(sharing_group, sharing_group.c.id == audience.c.group_id)
        .where(audience.c.id.in_(sorted(principal.audience_ids)))
    ).all()
    writer = principal.may(Action.WRITE)
    order = {"org": 0, "group": 1, "instance": 2}
    found = []
    for audience_id, kind, collection_id, org_name, group_name, group_description in rows:
        if kind == "org":
            title, description = f"{org_name} (own organisation)", f"Only {org_name} sees these objects."
            label = "org"
        elif kind == "group":
            title = f"Sharing group {group_name}"
            description = group_description or f"Objects shared with the members of sharing group {group_name}."
            label = f"group:{group_name}"
        else:
            title, description = "Whole instance", "Objects shared with every organisation of this instance."
            label = "instance"
        found.append(Collection(collection_id, audience_id, kind, title, description, writer, label))
    return sorted(found, key=lambda c: (order[c.kind], c.title))


def collection(conn: Connection, principal: Principal, collection_id: str) -> Collection:
    """One collection the principal reads; unknown and unreadable ones are the same 404."""
    for found in collections_for(conn, principal):
        if found.id == collection_id:
            return found
    raise NotFound(f"no collection '{collection_id}' for you")


def _chain_read(principal: Principal, audience_id: int):
    """True for the collection's holdings of the chain the reader reads there. Of each id the
    collection serves one organisation's holdings: the reader's own organisation's, else the
    owner's, else those of the lowest organisation id; so another organisation's claim under an id
    never stands beside, or instead of, the owner's versions, and each version appears once. A
    version is dated by that holding (one per organisation and audience)."""
    rival_h, rival_v = H.alias("rival_h"), V.alias("rival_v")
    rank, rival_rank = chain_rank(principal, H, V.c.owner_org_id), chain_rank(principal, rival_h, V.c.owner_org_id)
    return and_(
        in_collection(principal, audience_id),
        # Driven from the versions of the same id (few), not from the collection (many).
        ~exists(select(1).select_from(rival_h).where(
            rival_h.c.version_pk.in_(select(rival_v.c.pk).where(rival_v.c.stix_id == V.c.stix_id)
                                     .correlate_except(rival_v)),
            in_collection(principal, audience_id, rival_h, probe=True),
            or_(rival_rank < rank, and_(rival_rank == rank, rival_h.c.org_id < H.c.org_id)))),
    )


def _version_filter(principal: Principal, audience_id: int, versions: tuple[str, ...]):
    if "all" in versions:
        return None
    other_v, other_h = V.alias("other_v"), H.alias("other_h")

    def extreme(fn):
        return select(fn(other_v.c.modified)).select_from(
            other_v.join(other_h, other_h.c.version_pk == other_v.c.pk)
        ).where(other_v.c.stix_id == V.c.stix_id, other_h.c.org_id == H.c.org_id,
                in_collection(principal, audience_id, other_h, probe=True)).scalar_subquery()

    conditions = []
    if "last" in versions:
        conditions.append(V.c.modified == extreme(func.max))
    if "first" in versions:
        conditions.append(V.c.modified == extreme(func.min))
    stamps = [v for v in versions if v not in ("first", "last")]
    if stamps:
        conditions.append(V.c.modified.in_(stamps))
    return or_(*conditions)


def entries(conn: Connection, principal: Principal, coll: Collection, query: Query,
            stix_id: str | None = None) -> tuple[list[Entry], bool]:
    """A page of the collection's object versions in date_added order, and whether more follow."""
    statement = (
        select(V.c.pk, V.c.stix_id, V.c.modified, H.c.added_at, V.c.raw, H.c.org_id)
        .select_from(H.join(V, V.c.pk == H.c.version_pk))
        .where(_chain_read(principal, coll.audience_id))
        .order_by(H.c.added_at)
        .limit(query.limit + 1)
    )
    after = max(filter(None, (query.added_after, query.next)), default=None)
    if after:
        statement = statement.where(H.c.added_at > after)
    ids = (stix_id,) if stix_id else query.ids
    if ids:
        statement = statement.where(V.c.stix_id.in_(ids))
    if query.types:
        statement = statement.where(V.c.type.in_(query.types))
    if query.spec_versions:
        spec = V.c.spec_version.in_(query.spec_versions)
        statement = statement.where(or_(spec, V.c.spec_version.is_(None)) if "2.1" in query.spec_versions else spec)
    version_filter = _version_filter(principal, coll.audience_id, query.versions)
    if version_filter is not None:
        statement = statement.where(version_filter)
    rows = conn.execute(statement).all()
    more = len(rows) > query.limit
    return [Entry(*row) for row in rows[: query.limit]], more


def delete_object(conn: Connection, principal: Principal, coll: Collection, stix_id: str, query: Query) -> int:
    """Withdraw the caller's organisation's holdings of `stix_id` (versions per match[version])
    from the collection; versions nobody holds any more are dropped. Returns how many."""
    principal.require(Action.WRITE)
    everything = Query(versions=query.versions, spec_versions=query.spec_versions, limit=MAX_PAGE)
    found, _ = entries(conn, principal, coll, everything, stix_id=stix_id)
    if not found:
        raise NotFound(f"no object '{stix_id}' in this collection")
    pks = conn.execute(select(V.c.pk).where(V.c.stix_id == stix_id, V.c.modified.in_([e.modified for e in found]))
                       ).scalars().all()
    removed = conn.execute(delete(H).where(H.c.version_pk.in_(pks), H.c.org_id == principal.org_id,
                                           H.c.audience_id == coll.audience_id)).rowcount
    if not removed:
        raise Forbidden(f"your organisation holds no version of '{stix_id}' in this collection")
    conn.execute(delete(V).where(V.c.pk.in_(pks), ~exists(select(1).where(H.c.version_pk == V.c.pk))))
    return removed
