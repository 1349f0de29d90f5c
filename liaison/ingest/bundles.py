"""Import STIX objects: validate, derive index columns, write in batches inside the caller's transaction."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection

from liaison.access.principal import Action, Principal
from liaison.errors import Forbidden, InvalidInput
from liaison.intel import reach
from liaison.stix import tlp
from liaison.stix.canonical import canonical
from liaison.stix.names import name_keys
from liaison.stix.timestamps import normalize_timestamp
from liaison.stix.validate import StixValidationError, validate_object
from liaison.stix.values import postings
from liaison.store import search, tenancy
from liaison.store.ingest import PreparedVersion, WriteResult, write_batch

#: The version key of objects that are never versioned (SCOs carry no 'modified').
UNVERSIONED = "0001-01-01T00:00:00.000000Z"
#: Objects validated and written per batch, unless the caller passes its settings' `ingest_batch`.
BATCH_SIZE = 2000
#: The types that may be annotations (intel.reach.about decides): all others skip the check at once.
_ANNOTATION_TYPES = frozenset({*reach.ANNOTATION_REFS, "relationship"})


@dataclass(slots=True)
class ImportReport:
    """The outcome of one import, as shown to the caller."""

    audience: str
    received: int = 0
    new_versions: int = 0
    new_holdings: int = 0
    corrections: int = 0
    already_held: int = 0
    already_received: int = 0
    duplicates_in_bundle: int = 0
    seconds: float = 0.0

    def add(self, result: WriteResult) -> None:
        for name in ("new_versions", "new_holdings", "corrections", "already_held", "already_received"):
            setattr(self, name, getattr(self, name) + getattr(result, name))

    def as_dict(self) -> dict:
        return {
            "audience": self.audience,
            "received": self.received,
            "new_versions": self.new_versions,
            "new_holdings": self.new_holdings,
            "corrections": self.corrections,
            "already_held": self.already_held,
            "already_received": self.already_received,
            "duplicates_in_bundle": self.duplicates_in_bundle,
            "seconds": round(self.seconds, 3),
        }


def version_stamp(obj: dict) -> str:
    """The version part of a valid object's store key: its normalised `modified` (or `created`),
    or UNVERSIONED for objects without either (SCOs)."""
    stamp = obj.get("modified") or obj.get("created")
    return normalize_timestamp(stamp) if stamp else UNVERSIONED


def prepare(obj: object, index: int) -> PreparedVersion:
    """Validate one object and derive its stored row; errors name the object and property."""
    refs = validate_object(obj, index)
    try:
        raw = canonical(obj)
    except TypeError as exc:
        raise StixValidationError(f"cannot be stored as JSON: {exc}", index=index, object_id=obj["id"]) from None
    name = obj.get("name")
    if not isinstance(name, str):
        name = obj.get("value") if isinstance(obj.get("value"), str) else None
    labels = obj.get("labels") or []
    return PreparedVersion(
        index=index,
        stix_id=obj["id"],
        modified=version_stamp(obj),
        type=obj["type"],
        spec_version=obj.get("spec_version"),
        created=normalize_timestamp(obj["created"]) if "created" in obj else None,
        revoked=obj.get("revoked") is True,
        tlp=tlp.level_of_object(obj),
        name=name,
        created_by_ref=obj.get("created_by_ref"),
        raw=raw,
        labels=labels,
        refs=refs,
        relationship_type=obj["relationship_type"] if obj["type"] == "relationship" else None,
        document=search.document(obj),
        postings=tuple((p.kind, p.key) for p in postings(obj)),  # distinct already
        name_keys=name_keys(obj),
    )


def _check_policy(
    v: PreparedVersion, principal: Principal, audience: tenancy.Audience, local_orgs: dict[str, int]
) -> None:
    if not tlp.allows(v.tlp, audience.kind):
        allowed = " or ".join(tlp.ALLOWED_AUDIENCE_KINDS[v.tlp])
        raise InvalidInput(
            f"object #{v.index} ({v.stix_id}): TLP:{v.tlp.upper()} cannot be shared with audience "
            f"'{audience.label}'; its audience must be: {allowed}",
            index=v.index,
            object_id=v.stix_id,
        )
    owner = local_orgs.get(v.created_by_ref) if v.created_by_ref else None
    if owner is not None and owner != principal.org_id and not principal.is_system:
        raise Forbidden(
            f"object #{v.index} ({v.stix_id}): created by another organisation of this instance "
            f"({v.created_by_ref}); only that organisation adds or changes its objects",
            index=v.index,
            object_id=v.stix_id,
        )


def import_objects(
    conn: Connection,
    principal: Principal,
    objects: Iterable[object],
    *,
    audience: str = "org",
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import `objects` for `principal`'s organisation, shared with `audience` ('org',
    'group:<name>', 'instance'; what it already holds gains that audience), in the caller's
    transaction: an invalid object raises, and the caller's rollback takes the whole import back;
    re-importing is a no-op. A content that differs from the one held under the same id and
    modified is a correction. `on_progress` gets the number of objects each batch wrote."""
    started = time.perf_counter()

    def prepared() -> Iterator[PreparedVersion]:
        for index, obj in enumerate(objects):
            try:
                yield prepare(obj, index)
            except StixValidationError as exc:
                raise InvalidInput(str(exc), index=exc.index, object_id=exc.object_id, property=exc.prop) from None

    report = import_prepared(
        conn, principal, prepared(), audience=audience, on_progress=on_progress, batch_size=batch_size
    )
    report.seconds = time.perf_counter() - started
    return report


def import_prepared(
    conn: Connection,
    principal: Principal,
    versions: Iterable[PreparedVersion],
    *,
    audience: str = "org",
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import versions already prepared (validated), in batches, inside the caller's transaction.
    Annotations (intel.reach) go no wider than what they are about: checked once all are written,
    so that what they refer to in the same import counts, in one query for the whole import."""
    principal.require(Action.WRITE)
    if principal.org_id is None:
        raise InvalidInput("an import needs an organisation to hold the objects")
    target = tenancy.resolve_audience(conn, principal, audience)
    if target.kind == "direct":  # it would hold for the other organisation what its own cannot read
        raise InvalidInput(f"import for your organisation, then share with '{target.label}'", parameter="audience")
    local_orgs = tenancy.org_ids_by_identity(conn)
    report = ImportReport(audience=target.label)
    batch: dict[tuple[str, str, str], PreparedVersion] = {}
    owners: dict[str, int] = {}
    claims: list[reach.Claim] = []

    def flush() -> None:
        report.add(
            write_batch(
                conn,
                principal,
                list(batch.values()),
                org_id=principal.org_id,
                audience_id=target.id,
                owner_of_new=owners,
            )
        )
        if on_progress:
            on_progress(len(batch))
        batch.clear()
        owners.clear()

    for v in versions:
        _check_policy(v, principal, target, local_orgs)
        report.received += 1
        key = (v.stix_id, v.modified, v.digest)
        if key in batch:
            report.duplicates_in_bundle += 1
            continue
        batch[key] = v
        about = reach.about(v.type, v.relationship_type, v.refs) if v.type in _ANNOTATION_TYPES else None
        if about:
            claims.append(reach.Claim(v.stix_id, v.tlp, about, v.index))
        if v.created_by_ref in local_orgs:
            owners[v.stix_id] = local_orgs[v.created_by_ref]
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    reach.check(conn, principal, target, claims)
    return report
