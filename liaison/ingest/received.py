"""Objects received from another instance or over TAXII are screened before they are stored:
provenance stripped and verified, then each object imported on its own.

From a partner whose key is pinned, every object must carry a signed-provenance extension whose
key is pinned here (the partner's own, or an origin it relays) and whose signature matches the
object; anything else is rejected and audited. The extension is not stored in the object: the
signature is kept beside the version, so the same version arriving by two paths is one version.

Both ways objects arrive use this module, and neither imports the other: a TAXII envelope added
to a collection (`taxii/envelopes.py`) and a page pulled by a sync (`federation/sync.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection

from liaison import audit
from liaison.access.principal import Principal
from liaison.errors import InvalidInput, LiaisonError
from liaison.ingest.bundles import BATCH_SIZE, import_prepared, prepare
from liaison.stix import provenance as signing
from liaison.stix.canonical import canonical
from liaison.stix.provenance import InstanceKey, Provenance
from liaison.stix.validate import StixValidationError
from liaison.store import partners
from liaison.store.ingest import PreparedVersion
from liaison.store.provenance import keep_signatures


@dataclass
class Screened:
    accepted: list[dict] = field(default_factory=list)
    provenance: dict[int, Provenance] = field(default_factory=dict)  # by position in `accepted`
    own: list[dict] = field(default_factory=list)  # our own objects coming back: nothing to store
    rejected: list[tuple[dict, str]] = field(default_factory=list)


def screen(conn: Connection, sender: partners.Partner | None, objects: list, own: InstanceKey) -> Screened:
    """Sort what `sender` (None: a local user) sent into accepted, own and rejected objects."""
    result = Screened()
    keys = partners.pinned_keys(conn)
    strict = sender is not None and sender.signs
    for obj in objects:
        if not isinstance(obj, dict):
            result.accepted.append(obj)  # validation names the problem
            continue
        try:
            stripped, prov = signing.split(obj)
        except InvalidInput as exc:
            result.rejected.append((obj, exc.message))
            continue
        if prov is not None and prov.key_id == own.key_id:
            if signing.verify(own.public_key, canonical(stripped), prov):
                result.own.append(stripped)
            else:
                result.rejected.append((obj, "signature claims this instance as origin but does not verify"))
            continue
        pinned = keys.get(prov.key_id) if prov else None
        if pinned is None:
            if not strict:
                result.accepted.append(stripped)
            elif prov is None:
                result.rejected.append((obj, f"unsigned object from partner '{sender.name}', which signs"))
            else:
                reason = f"signed by key {prov.key_id} ('{prov.origin}'), which is not pinned here"
                result.rejected.append((obj, reason))
            continue
        if not signing.verify(pinned[1], canonical(stripped), prov):
            result.rejected.append((obj, f"signature of '{pinned[0]}' does not match the object: altered in transit"))
            continue
        result.provenance[len(result.accepted)] = prov
        result.accepted.append(stripped)
    return result


def outcome(obj: object, message: str | None = None) -> dict:
    """A TAXII status entry for one object."""
    item = {"id": obj.get("id") if isinstance(obj, dict) else None}
    if isinstance(obj, dict) and (obj.get("modified") or obj.get("created")):
        item["version"] = obj.get("modified") or obj.get("created")
    if message:
        item["message"] = message
    return item


def store_screened(
    conn: Connection,
    principal: Principal,
    audience: str,
    screened: Screened,
    *,
    sender: str | None,
    batch_size: int = BATCH_SIZE,
) -> tuple[list[dict], list[dict]]:
    """Import the accepted objects in the caller's transaction, each failing on its own (an attempt
    that fails is rolled back to its savepoint and retried without the object it names), and audit
    every rejection in the same transaction: a rejection is on record exactly when the answer
    that reports it (a TAXII status, a sync page and its bookmark) is. Returns (successes, failures)."""
    failures = [outcome(obj, reason) for obj, reason in screened.rejected]
    for obj, reason in screened.rejected:
        audit.record(
            conn,
            principal.user_name,
            "federation.rejected",
            obj.get("id") if isinstance(obj, dict) else None,
            reason=reason,
            sender=sender,
        )
    pending: list[tuple[dict, PreparedVersion]] = []  # each object is validated once
    signed: dict[tuple[str, str, str], Provenance] = {}  # by the stored content it signs
    for index, obj in enumerate(screened.accepted):
        try:
            version = prepare(obj, index)
        except StixValidationError as exc:
            failures.append(outcome(obj, exc.message))
            continue
        pending.append((obj, version))
        if index in screened.provenance:
            signed[(version.stix_id, version.modified, version.digest)] = screened.provenance[index]
    while pending:
        for index, (_obj, version) in enumerate(pending):
            version.index = index  # errors name the position among those still pending
        try:
            with conn.begin_nested():
                import_prepared(
                    conn, principal, [version for _obj, version in pending], audience=audience, batch_size=batch_size
                )
                keep_signatures(conn, signed)
            break
        except LiaisonError as exc:
            index = exc.details.get("index")
            if not isinstance(index, int) or not 0 <= index < len(pending):
                raise
            failures.append(outcome(pending.pop(index)[0], exc.message))
    return [outcome(obj) for obj, _version in pending] + [outcome(obj) for obj in screened.own], failures
