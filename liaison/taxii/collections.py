"""TAXII collections as the services behind the routes: parsing a request's filters, describing
the collections a principal reads, serving a page of one (signed for partner instances, and noted
as delivered to them), and withdrawing an object from one. The queries are `store/collections.py`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from liaison.access.principal import Action, Principal
from liaison.errors import Forbidden, InvalidInput, NotFound
from liaison.ingest.bundles import UNVERSIONED
from liaison.stix.media import STIX
from liaison.stix.provenance import Provenance
from liaison.stix.timestamps import normalize_timestamp
from liaison.store import collections as store
from liaison.store import sharing
from liaison.store.collections import Collection, Entry, Query, collections_for
from liaison.store.provenance import signatures_for

MAX_PAGE = 5000


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
        ids=split(ids),
        types=split(types),
        versions=version_values or ("last",),
        spec_versions=split(spec_versions),
        limit=min(int(limit), MAX_PAGE) if limit else 1000,
        next=stamp(next, "next") if next else None,
    )


def resource(coll: Collection, principal: Principal) -> dict:
    """The TAXII collection resource; its alias is the audience as imports name it."""
    if coll.kind == "org":
        title, description = f"{coll.name} (own organisation)", f"Only {coll.name} sees these objects."
    elif coll.kind == "group":
        title = f"Sharing group {coll.name}"
        description = coll.description or f"Objects shared with the members of sharing group {coll.name}."
    else:
        title, description = "Whole instance", "Objects shared with every organisation of this instance."
    return {
        "id": coll.id,
        "title": title,
        "alias": coll.spec,
        "description": description,
        "can_read": True,
        "can_write": principal.may(Action.WRITE),
        "media_types": [STIX],
    }


def version(entry: Entry) -> str:
    """The version TAXII names an entry by: its `modified`, or for objects never versioned (SCOs)
    the date it was added."""
    return entry.date_added if entry.modified == UNVERSIONED else entry.modified


def collection(conn: Connection, principal: Principal, collection_id: str) -> Collection:
    """One collection the principal reads; unknown and unreadable ones are the same 404."""
    for found in collections_for(conn, principal):
        if found.id == collection_id:
            return found
    raise NotFound(f"no collection '{collection_id}' for you")


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[Entry]
    more: bool
    #: For a partner instance, each version's provenance by pk (the origin's, or ours, signed now).
    signed: dict[int, Provenance] | None


def page(
    conn: Connection, principal: Principal, collection_id: str, query: Query, *, origin: str, stix_id: str | None = None
) -> Page:
    """A page of a collection (of one object's versions, with `stix_id`). A partner instance's
    sync account reads it signed, as `origin` (this instance's name) where the version is ours,
    and what it reads here is noted as delivered to that partner: it is the partner's from now on."""
    coll = collection(conn, principal, collection_id)
    found, more = store.entries(conn, principal, coll.audience_id, query, stix_id=stix_id)
    if not principal.is_partner:
        return Page(found, more, None)
    signed = signatures_for(conn, found, origin)
    sharing.record_deliveries(conn, principal.org_id, coll.audience_id, [(e.stix_id, e.org_id) for e in found])
    return Page(found, more, signed)


def object_page(
    conn: Connection, principal: Principal, collection_id: str, stix_id: str, query: Query, *, origin: str
) -> Page:
    """page() for one object; an object with no version in the collection is a 404 (unless the
    request pages on from a point where nothing is left), hidden or never stored alike."""
    found = page(conn, principal, collection_id, query, origin=origin, stix_id=stix_id)
    if not found.entries and not query.added_after and not query.next:
        raise NotFound(f"no object '{stix_id}' in this collection")
    return found


def delete_object(conn: Connection, principal: Principal, collection_id: str, stix_id: str, query: Query) -> int:
    """Withdraw the caller's organisation's holdings of `stix_id` (versions per match[version])
    from the collection; versions nobody holds any more are dropped. Returns how many."""
    principal.require(Action.WRITE)
    coll = collection(conn, principal, collection_id)
    everything = Query(versions=query.versions, spec_versions=query.spec_versions, limit=MAX_PAGE)
    found, _ = store.entries(conn, principal, coll.audience_id, everything, stix_id=stix_id)
    if not found:
        raise NotFound(f"no object '{stix_id}' in this collection")
    removed = store.withdraw(conn, principal.org_id, coll.audience_id, stix_id, [e.modified for e in found])
    if not removed:
        raise Forbidden(f"your organisation holds no version of '{stix_id}' in this collection")
    return removed
