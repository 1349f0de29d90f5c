"""Set-based writes of prepared object versions and the holdings that share them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import ARRAY, Connection, String, bindparam, exists, func, select

from liaison.access.predicate import visible
from liaison.access.principal import Principal
from liaison.db.bulk import insert_rows
from liaison.db.tables import edge, holding, object_label, object_version, provenance
from liaison.errors import Conflict, Forbidden, InvalidInput
from liaison.store.stamps import date_added_stamps

#: Larger IN lists are split so both SQLite and PostgreSQL stay within their parameter limits.
_IN_CHUNK = 900
#: Relationship edges carry the relationship type; other embedded refs do not.
_ENDPOINTS = ("source_ref", "target_ref")
_VERSION_COLUMNS = ("stix_id", "modified", "type", "spec_version", "created", "revoked", "tlp", "name",
                    "created_by_ref", "raw")


@dataclass(slots=True)
class PreparedVersion:
    """A validated STIX object version with its canonical JSON and derived index columns."""

    index: int
    stix_id: str
    modified: str
    type: str
    spec_version: str | None
    created: str | None
    revoked: bool
    tlp: str | None
    name: str | None
    created_by_ref: str | None
    raw: str
    labels: list[str]
    refs: list[tuple[str, str]]
    relationship_type: str | None = None

    def row(self) -> tuple:
        """The object_version row, in _VERSION_COLUMNS order."""
        return (self.stix_id, self.modified, self.type, self.spec_version, self.created, self.revoked,
                self.tlp, self.name, self.created_by_ref, self.raw)


@dataclass(slots=True)
class WriteResult:
    """What a batch changed: versions new to the store, holdings added, and versions the
    organisation already held (with the audience it already had when that differs)."""

    new_versions: int = 0
    new_holdings: int = 0
    already_held: int = 0
    kept_audience: list[str] = field(default_factory=list)


def version_pks(conn: Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The primary keys of the stored versions among `keys` ((stix_id, modified) pairs)."""
    columns = [object_version.c.stix_id, object_version.c.modified, object_version.c.pk]
    return {(stix_id, modified): pk for stix_id, modified, pk
            in _rows_for_ids(conn, columns, list({stix_id for stix_id, _ in keys})) if (stix_id, modified) in keys}


def _chunks(items: list, size: int = _IN_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _rows_for_ids(conn: Connection, columns: list, stix_ids: list[str]):
    """object_version rows (the given columns) whose stix_id is one of `stix_ids`. PostgreSQL gets
    one join with the unnested array, which it plans as index probes even while the table's
    statistics are stale during a large import; SQLite gets IN lists within its parameter limit."""
    if conn.dialect.name == "postgresql":
        wanted = func.unnest(bindparam("ids", stix_ids, type_=ARRAY(String))).table_valued("id").render_derived(name="wanted")
        yield from conn.execute(select(*columns).select_from(
            wanted.join(object_version, object_version.c.stix_id == wanted.c.id)))
        return
    for part in _chunks(stix_ids):
        yield from conn.execute(select(*columns).where(object_version.c.stix_id.in_(part)))


class _Stored(NamedTuple):
    pk: int
    raw: str
    revoked: bool
    seen: bool  # visible to the principal
    remote: bool  # received from a partner instance


def _existing_versions(conn: Connection, principal: Principal, stix_ids: list[str]) -> dict[tuple[str, str], _Stored]:
    """(stix_id, modified) -> what is stored, for every stored version of these ids. Existence is
    needed to keep the key unique; only visible versions inform the caller."""
    columns = [object_version.c.stix_id, object_version.c.modified, object_version.c.pk, object_version.c.raw,
               object_version.c.revoked, visible(principal, object_version.c.pk).label("seen"),
               exists(select(1).where(provenance.c.version_pk == object_version.c.pk)).label("remote")]
    return {(stix_id, modified): _Stored(*rest) for stix_id, modified, *rest in _rows_for_ids(conn, columns, stix_ids)}


def _check_revocation(versions: list[PreparedVersion], existing: dict) -> None:
    """A revoked object gets no later versions (STIX 2.1 §3.6)."""
    revoked_at: dict[str, str] = {}
    for (stix_id, modified), stored in existing.items():
        if stored.revoked and stored.seen and modified < revoked_at.get(stix_id, "~"):
            revoked_at[stix_id] = modified
    for v in versions:
        if v.revoked and v.modified < revoked_at.get(v.stix_id, "~"):
            revoked_at[v.stix_id] = v.modified
    for v in versions:
        cut = revoked_at.get(v.stix_id)
        if cut is not None and v.modified > cut:
            raise InvalidInput(
                f"object #{v.index} ({v.stix_id}): it was revoked at {cut}; revoked objects get no later versions",
                index=v.index, object_id=v.stix_id,
            )


def write_batch(
    conn: Connection,
    principal: Principal,
    versions: list[PreparedVersion],
    *,
    org_id: int,
    audience_id: int,
) -> WriteResult:
    """Store `versions` (unique keys) and give organisation `org_id` a holding of each with
    `audience_id`. A version already stored with other content is a conflict; one already held by
    the organisation is left as it is."""
    result = WriteResult()
    existing = _existing_versions(conn, principal, list({v.stix_id for v in versions}))
    _check_revocation(versions, existing)

    fresh: list[PreparedVersion] = []
    pk_of: dict[tuple[str, str], int] = {}
    remote = {stix_id for (stix_id, _), stored in existing.items() if stored.remote}
    for v in versions:
        stored = existing.get((v.stix_id, v.modified))
        if stored is None:
            if v.stix_id in remote and not principal.is_partner:
                raise Forbidden(
                    f"object #{v.index} ({v.stix_id}): it came from a partner instance and is read-only here; "
                    "add a note, opinion or sighting instead", index=v.index, object_id=v.stix_id)
            fresh.append(v)
        elif stored.raw != v.raw:
            raise Conflict(
                f"object #{v.index} ({v.stix_id}): a different object with the same id and modified "
                f"({v.modified}) is already stored; a changed object needs a new 'modified'",
                index=v.index, object_id=v.stix_id,
            )
        else:
            pk_of[(v.stix_id, v.modified)] = stored.pk

    if fresh:
        insert_rows(conn, object_version, _VERSION_COLUMNS, (v.row() for v in fresh))
        pk_of.update(version_pks(conn, {(v.stix_id, v.modified) for v in fresh}))
        insert_rows(conn, object_label, ("version_pk", "label"), (
            (pk_of[(v.stix_id, v.modified)], label) for v in fresh for label in dict.fromkeys(v.labels)))
        insert_rows(conn, edge, ("version_pk", "prop", "target_id", "relationship_type"), (
            (pk_of[(v.stix_id, v.modified)], prop, target, v.relationship_type if prop in _ENDPOINTS else None)
            for v in fresh for prop, target in v.refs))
        result.new_versions = len(fresh)

    held: dict[int, int] = {}
    for part in _chunks([stored.pk for key, stored in existing.items() if key in pk_of]):
        held.update(conn.execute(
            select(holding.c.version_pk, holding.c.audience_id)
            .where(holding.c.org_id == org_id, holding.c.version_pk.in_(part))
        ).all())
    unheld = []
    for key, pk in pk_of.items():
        if pk not in held:
            unheld.append(pk)
        else:
            result.already_held += 1
            if held[pk] != audience_id:
                result.kept_audience.append(key[0])
    insert_rows(conn, holding, ("version_pk", "org_id", "audience_id", "added_at", "added_by"), (
        (pk, org_id, audience_id, stamp, principal.user_id)
        for pk, stamp in zip(unheld, date_added_stamps(conn, len(unheld)))))
    result.new_holdings = len(unheld)
    return result
