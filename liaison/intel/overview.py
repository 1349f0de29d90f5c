"""The dashboard's view of what a principal may see: partners' recent sharing, counts per type."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.intel import naming
from liaison.store import overview, tenancy


@dataclass(frozen=True, slots=True)
class Shared:
    stix_id: str
    type: str
    name: str
    modified: str
    tlp: str | None
    holder: str
    added_at: str


def recently_shared(conn: Connection, principal: Principal, limit: int = 15) -> list[Shared]:
    """Objects other organisations hold and share with the principal, most recently added first
    (each object once, with its most recent holder)."""
    rows = overview.recent_from_others(conn, principal, limit * 3)
    labels = naming.list_labels(conn, principal, (orjson.loads(r.raw) for r in rows if r.type in naming.ABOUT_TYPES))
    seen: dict[str, Shared] = {}
    for row in rows:
        if row.stix_id not in seen:
            seen[row.stix_id] = Shared(
                row.stix_id,
                row.type,
                labels.get(row.stix_id) or naming.display_name(row.type, row.name, row.raw),
                row.modified,
                row.tlp,
                row.holder,
                row.added_at,
            )
    return list(seen.values())[:limit]


#: Definitions that make other objects readable, not intelligence: left out of the counts.
PLUMBING = frozenset({"marking-definition", "extension-definition", "language-content"})


def type_counts(conn: Connection, principal: Principal) -> list[tuple[str, int]]:
    """(type, objects) of the intelligence the principal may see, most common first (markings and
    extension definitions left out)."""
    return [(t, n) for t, n in overview.counts_by_type(conn, principal) if t not in PLUMBING]


def organisation_names(conn: Connection) -> list[str]:
    """Names of the organisations known here (search filters by owner)."""
    return [row.name for row in tenancy.list_orgs(conn)]
