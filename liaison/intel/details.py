"""Everything the object page shows about one object, as far as the principal may see."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import NotFound
from liaison.intel import naming
from liaison.intel.objects import ObjectView
from liaison.stix.extensions import EXT_IDS
from liaison.stix.validate import IDENTIFIER_RE, references
from liaison.store import reads
from liaison.store.reads import HoldingInfo

#: Versions compared on the page, newest first; older ones are listed without a diff.
MAX_DIFFS = 20
_OWN_EXTENSIONS = {ext_id: name for name, ext_id in EXT_IDS.items()}
#: The same answer for unknown and invisible objects, naming neither.
NO_OBJECT = "no such object, or it is not shared with you"


@dataclass(frozen=True, slots=True)
class Version:
    modified: str
    revoked: bool
    tlp: str | None
    holdings: list[HoldingInfo]
    object: dict | None  # None for versions older than the compared ones
    received_at: str = ""
    superseded_at: str | None = None  # a correction of the same version replaced this content


@dataclass(frozen=True, slots=True)
class Claim:
    """Another organisation's newest version under the same id: its claim, not the object's."""

    organisation: str
    modified: str
    revoked: bool


@dataclass(frozen=True, slots=True)
class Details:
    view: ObjectView
    object: dict
    versions: list[Version]  # oldest first, of the chain the principal reads
    chain: str  # the organisation whose chain that is
    claims: list[Claim]
    #: {id: (type, name)} of every visible object the object refers to (refs and extension definitions).
    names: dict[str, tuple[str, str | None]]


def named(conn: Connection, principal: Principal, stix_ids: set[str]) -> dict[str, tuple[str, str]]:
    """{id: (type, display name)} of the objects among `stix_ids` the principal may see."""
    return {
        stix_id: (row.type, naming.display_name(row.type, row.name, row.raw))
        for stix_id, row in reads.current_versions(conn, principal, stix_ids, include_revoked=True).items()
    }


def details(conn: Connection, principal: Principal, stix_id: str) -> Details:
    """The latest visible version of `stix_id` with its visible versions and the names of what it
    refers to. Unknown and invisible objects raise the same NotFound."""
    if not IDENTIFIER_RE.match(stix_id):
        raise NotFound(NO_OBJECT)
    read = reads.get_version(conn, principal, stix_id)
    if read is None:
        raise NotFound(NO_OBJECT)
    everything = reads.list_versions(conn, principal, stix_id)
    rows = [row for row in everything if row.chain_org_id == read.chain_org_id]
    holdings = reads.holdings_of(conn, principal, [row.pk for row in rows], history=True)
    raws = reads.raws(conn, principal, [row.pk for row in rows[-MAX_DIFFS:]] + [read.pk])
    objects = {pk: orjson.loads(raw) for pk, raw in raws.items()}
    obj = objects[read.pk]
    names = named(conn, principal, set(references(obj)))
    for ext_id, name in _OWN_EXTENSIONS.items():
        names.setdefault(ext_id, ("extension-definition", name))
    versions = [
        Version(
            row.modified,
            row.revoked,
            row.tlp,
            [h for h in holdings.get(row.pk, []) if h.owner == row.chain],
            objects.get(row.pk),
            row.received_at,
            row.superseded_at,
        )
        for row in rows
    ]
    newest: dict[int, Claim] = {}
    for row in everything:
        if row.chain_org_id != read.chain_org_id and row.superseded_at is None:
            newest[row.chain_org_id] = Claim(row.chain, row.modified, row.revoked)
    chain = rows[-1].chain if rows else ""
    view = ObjectView(
        stix_id, read.modified, read.raw, [h for h in holdings.get(read.pk, []) if h.superseded_at is None]
    )
    return Details(view, obj, versions, chain, sorted(newest.values(), key=lambda c: c.organisation), names)
