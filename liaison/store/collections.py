"""TAXII collections as the audiences a principal belongs to: which ones it reads, their entries
(one object version per row, as the collection holds it), an organisation withdrawing its holdings
from one, and the status resources of envelopes added to them.

A collection publishes one audience: the reader's organisation, each sharing group it is in, and
the whole instance. Its content is every object version held with that audience; a version's
date_added there is the stamp of its holding by the organisation whose chain the reader reads
(stamps are unique and strictly increasing, so they also serve as the pagination cursor). The
TAXII server (`taxii/`) and federation's push (`federation/sync.py`) both read collections here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, func, or_, select

from liaison.access.predicate import collection_chain, in_collection
from liaison.access.principal import Principal
from liaison.db.tables import audience, holding, object_version, organization, posting, sharing_group, taxii_status
from liaison.store import exposure
from liaison.store.stamps import take_write_lock
from liaison.store.tenancy import audience_label, audience_spec

V = object_version
H = holding
_KIND_ORDER = {"org": 0, "group": 1, "instance": 2}


@dataclass(frozen=True, slots=True)
class Collection:
    id: str
    audience_id: int
    kind: str  # 'org', 'group' or 'instance'
    label: str  # tenancy.audience_label
    name: str | None  # the organisation's or the group's name
    description: str | None  # the group's

    @property
    def spec(self) -> str:
        """The audience as imports name it (tenancy.audience_spec): 'org', 'group:<name>' or
        'instance'; the collection's TAXII alias, by which partners pair collections."""
        return audience_spec(self.label)


@dataclass(frozen=True, slots=True)
class Entry:
    """One object version as a collection holds it."""

    pk: int
    stix_id: str
    modified: str
    date_added: str
    raw: str
    org_id: int  # the organisation whose holding it is


@dataclass(frozen=True, slots=True)
class Query:
    """A page's filters, checked: `versions` is a set of 'first', 'last', 'all' and timestamps."""

    added_after: str | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)
    spec_versions: tuple[str, ...] = ()
    limit: int = 1000
    next: str | None = None


def collections_for(conn: Connection, principal: Principal) -> list[Collection]:
    """The collections `principal` reads: its organisation's, its groups', the instance's — exactly
    the audiences it belongs to (`principal.audience_ids`), so no other audience is ever named."""
    rows = conn.execute(
        select(
            audience.c.collection_id,
            audience.c.id,
            audience.c.kind,
            organization.c.name,
            sharing_group.c.name,
            sharing_group.c.description,
        )
        .outerjoin(organization, organization.c.id == audience.c.org_id)
        .outerjoin(sharing_group, sharing_group.c.id == audience.c.group_id)
        .where(audience.c.id.in_(sorted(principal.audience_ids)))
    ).all()
    found = [
        Collection(collection_id, audience_id, kind, audience_label(kind, org, group), org or group, description)
        for collection_id, audience_id, kind, org, group, description in rows
    ]
    return sorted(found, key=lambda c: (_KIND_ORDER[c.kind], c.name or ""))


def _version_filter(principal: Principal, audience_id: int, versions: tuple[str, ...]):
    if "all" in versions:
        return None
    other_v, other_h = V.alias("other_v"), H.alias("other_h")

    def extreme(fn):
        return (
            select(fn(other_v.c.modified))
            .select_from(other_v.join(other_h, other_h.c.version_pk == other_v.c.pk))
            .where(
                other_v.c.stix_id == V.c.stix_id,
                other_h.c.org_id == H.c.org_id,
                in_collection(principal, audience_id, other_h, probe=True),
            )
            .scalar_subquery()
        )

    conditions = []
    if "last" in versions:
        conditions.append(V.c.modified == extreme(func.max))
    if "first" in versions:
        conditions.append(V.c.modified == extreme(func.min))
    stamps = [v for v in versions if v not in ("first", "last")]
    if stamps:
        conditions.append(V.c.modified.in_(stamps))
    return or_(*conditions)


def entries(
    conn: Connection, principal: Principal, audience_id: int, query: Query, stix_id: str | None = None
) -> tuple[list[Entry], bool]:
    """A page of the object versions the collection of `audience_id` holds, as `principal` reads it,
    in date_added order, and whether more follow. An audience `principal` does not belong to holds
    nothing (in_collection), exactly like one that does not exist."""
    statement = (
        select(V.c.pk, V.c.stix_id, V.c.modified, H.c.added_at, V.c.raw, H.c.org_id)
        .select_from(H.join(V, V.c.pk == H.c.version_pk))
        .where(collection_chain(principal, audience_id))
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
    version_filter = _version_filter(principal, audience_id, query.versions)
    if version_filter is not None:
        statement = statement.where(version_filter)
    rows = conn.execute(statement).all()
    more = len(rows) > query.limit
    return [Entry(*row) for row in rows[: query.limit]], more


def withdraw(conn: Connection, org_id: int, audience_id: int, stix_id: str, modifieds: list[str]) -> int:
    """Delete organisation `org_id`'s holdings of these versions of `stix_id` in the audience, then
    the versions nobody holds any more. Returns how many holdings went. The caller found the
    versions through `entries`, so only what the organisation's principal reads is touched. Under
    the write lock, as every write of holdings: the postings by audience are remade from the
    holdings, which another organisation's share must not change meanwhile."""
    take_write_lock(conn)
    pks = conn.execute(select(V.c.pk).where(V.c.stix_id == stix_id, V.c.modified.in_(modifieds))).scalars().all()
    removed = conn.execute(
        delete(H).where(H.c.version_pk.in_(pks), H.c.org_id == org_id, H.c.audience_id == audience_id)
    ).rowcount
    if removed:
        exposure.refresh(conn, pks)
        held = set(conn.execute(select(H.c.version_pk).where(H.c.version_pk.in_(pks))).scalars())
        # Postings have no foreign key to cascade from their version (migration 0012): they go first.
        if gone := [pk for pk in pks if pk not in held]:
            conn.execute(delete(posting).where(posting.c.version_pk.in_(gone)))
            conn.execute(delete(V).where(V.c.pk.in_(gone)))
    return removed


def save_status(
    conn: Connection,
    status_id: str,
    user_id: int,
    request_timestamp: str,
    *,
    total: int,
    successes: int,
    failures: int,
    details: str,
) -> None:
    """Keep the status resource of a completed envelope (`details`: its successes and failures, JSON)."""
    conn.execute(
        taxii_status.insert().values(
            id=status_id,
            user_id=user_id,
            request_timestamp=request_timestamp,
            status="complete",
            total_count=total,
            success_count=successes,
            failure_count=failures,
            pending_count=0,
            details=details,
        )
    )


def status_of(conn: Connection, status_id: str, user_id: int | None):
    """A status resource's row, if the user `user_id` sent its envelope (None otherwise: another
    user's status answers as one that does not exist)."""
    return conn.execute(
        select(taxii_status).where(taxii_status.c.id == status_id, taxii_status.c.user_id == user_id)
    ).first()
