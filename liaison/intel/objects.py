"""Reading the intelligence a principal may see: objects, their versions, exports, who it is."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import InvalidInput, NotFound
from liaison.stix.timestamps import normalize_timestamp
from liaison.stix.validate import IDENTIFIER_RE
from liaison.store import reads, tenancy
from liaison.store.reads import Filters, HoldingInfo

MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class ObjectView:
    """One object version as a principal sees it: the STIX JSON and the holdings it may see."""

    stix_id: str
    modified: str
    raw: str
    holdings: list[HoldingInfo]


@dataclass(frozen=True, slots=True)
class Page:
    total: int
    limit: int
    offset: int
    items: list[ObjectView]


def timestamp_filter(value: str | None, name: str) -> str | None:
    """A filter timestamp in the stored form; a clear error when it is not a STIX timestamp."""
    if value is None:
        return None
    try:
        return normalize_timestamp(value)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a timestamp like 2024-01-31T00:00:00Z", parameter=name) from None


def owner_filter(conn: Connection, owner: str | None) -> int | None:
    """The id of the organisation named in an `owner` filter; a clear error for unknown names."""
    if not owner:
        return None
    try:
        return tenancy.org_by_name(conn, owner).id
    except NotFound:
        raise InvalidInput(f"unknown organisation '{owner}'", parameter="owner") from None


def make_filters(
    conn: Connection,
    *,
    types=(),
    owner=None,
    label=None,
    modified_after=None,
    modified_before=None,
    text=None,
    include_revoked=False,
) -> Filters:
    """Filters from user input, checked."""
    return Filters(
        types=tuple(types or ()),
        owner_org_id=owner_filter(conn, owner),
        label=label,
        modified_after=timestamp_filter(modified_after, "modified_after"),
        modified_before=timestamp_filter(modified_before, "modified_before"),
        text=text or None,
        include_revoked=include_revoked,
    )


def _views(conn: Connection, principal: Principal, rows) -> list[ObjectView]:
    holdings = reads.holdings_of(conn, principal, [row.pk for row in rows])
    return [ObjectView(row.stix_id, row.modified, row.raw, holdings.get(row.pk, [])) for row in rows]


def list_objects(
    conn: Connection, principal: Principal, filters: Filters, *, limit: int = 100, offset: int = 0
) -> Page:
    """A page of the latest versions `principal` may see, newest first, with the total count."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"'limit' must be between 1 and {MAX_PAGE}", parameter="limit")
    if offset < 0:
        raise InvalidInput("'offset' must not be negative", parameter="offset")
    total = reads.count_objects(conn, principal, filters)
    rows = reads.list_objects(conn, principal, filters, limit=limit, offset=offset)
    return Page(total, limit, offset, _views(conn, principal, rows))


def _checked_id(stix_id: str) -> str:
    if not IDENTIFIER_RE.match(stix_id):
        raise InvalidInput(f"'{stix_id}' is not a STIX identifier (type--uuid)", parameter="id")
    return stix_id


def get_object(conn: Connection, principal: Principal, stix_id: str, version: str | None = None) -> ObjectView:
    """The latest version of `stix_id` the principal may see, or its version `version`."""
    modified = timestamp_filter(version, "version")
    row = reads.get_version(conn, principal, _checked_id(stix_id), modified)
    if row is None:
        raise NotFound(f"no object {stix_id}" + (f" at version {version}" if version else ""))
    return _views(conn, principal, [row])[0]


def list_versions(conn: Connection, principal: Principal, stix_id: str) -> list[dict]:
    """Every content of `stix_id` the principal may see, oldest first: per chain (the holding
    organisation), with when it arrived, whether a correction of that chain replaced it, and
    whether it belongs to the chain the principal reads (`claim` names the organisation
    otherwise: another organisation's version under the same id, never the owner's latest)."""
    rows = reads.list_versions(conn, principal, _checked_id(stix_id))
    if not rows:
        raise NotFound(f"no object {stix_id}")
    read = reads.get_version(conn, principal, stix_id)
    holdings = reads.holdings_of(conn, principal, [row.pk for row in rows], history=True)
    return [
        {
            "modified": row.modified,
            "revoked": row.revoked,
            "tlp": row.tlp,
            "chain": row.chain,
            "claim": None if read is not None and row.chain_org_id == read.chain_org_id else row.chain,
            "received_at": row.received_at,
            "superseded_at": row.superseded_at,
            "current": read is not None and row.pk == read.pk and row.chain_org_id == read.chain_org_id,
            "holdings": [holding_dict(h) for h in holdings.get(row.pk, []) if h.owner == row.chain],
        }
        for row in rows
    ]


def holding_dict(h: HoldingInfo) -> dict:
    """A holding as shown to callers."""
    found = {"owner": h.owner, "audience": h.audience, "added_at": h.added_at}
    if h.superseded_at:
        found["superseded_at"] = h.superseded_at
    return found


def export_bundle(
    conn: Connection, principal: Principal, filters: Filters, *, all_versions: bool = False
) -> Iterator[bytes]:
    """A STIX bundle of what the principal may see, as chunks of JSON. It streams: `conn` must stay
    open until the last chunk is read (an adapter's streaming connection, not the request's)."""
    yield f'{{"type":"bundle","id":"bundle--{uuid.uuid4()}","objects":['.encode()
    first = True
    for raw in reads.iter_raw(conn, principal, filters, all_versions=all_versions):
        yield (raw if first else "," + raw).encode()
        first = False
    yield b"]}"


def whoami(conn: Connection, principal: Principal) -> dict:
    """The caller: user, organisation, role and the audiences it reads and can share with."""
    labels = sorted(a.label for a in tenancy.audiences(conn, principal.audience_ids).values())
    return {
        "user": principal.user_name,
        "organisation": principal.org_name,
        "organisation_identity": principal.org_identity_id,
        "role": str(principal.role),
        "audiences": labels,
    }
