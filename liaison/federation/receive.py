"""What a partner sends is screened before it is stored: provenance stripped and verified.

From a partner whose key is pinned, every object must carry a signed-provenance extension whose
key is pinned here (the partner's own, or an origin it relays) and whose signature matches the
object; anything else is rejected and audited. The extension is not stored in the object: the
signature is kept beside the version, so the same version arriving by two paths is one version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Connection, Engine, select

from liaison import audit
from liaison.access.principal import Principal
from liaison.db.tables import provenance
from liaison.errors import InvalidInput, LiaisonError
from liaison.federation import partners, signing
from liaison.federation.signing import Provenance
from liaison.ingest.bundles import import_prepared, prepare
from liaison.stix.canonical import canonical
from liaison.stix.validate import StixValidationError
from liaison.store.ingest import PreparedVersion, version_pks


@dataclass
class Screened:
    accepted: list[dict] = field(default_factory=list)
    provenance: dict[int, Provenance] = field(default_factory=dict)  # by position in `accepted`
    own: list[dict] = field(default_factory=list)  # our own objects coming back: nothing to store
    rejected: list[tuple[dict, str]] = field(default_factory=list)


def screen(conn: Connection, sender: partners.Partner | None, objects: list, own: signing.InstanceKey) -> Screened:
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
                result.rejected.append((obj, f"signed by key {prov.key_id} ('{prov.origin}'), which is not pinned here"))
            continue
        if not signing.verify(pinned[1], canonical(stripped), prov):
            result.rejected.append((obj, f"signature of '{pinned[0]}' does not match the object: altered in transit"))
            continue
        result.provenance[len(result.accepted)] = prov
        result.accepted.append(stripped)
    return result


def store_provenance(conn: Connection, provenances: dict[tuple[str, str, str], Provenance]) -> None:
    """Keep the origin's signature beside each version that has none yet."""
    if not provenances:
        return
    pks = version_pks(conn, set(provenances))
    signed = set(conn.execute(select(provenance.c.version_pk).where(provenance.c.version_pk.in_(list(pks.values()))))
                 .scalars())
    new = [{"version_pk": pks[key], "origin": p.origin, "key_id": p.key_id, "signature": p.signature,
            "signed_at": p.signed_at} for key, p in provenances.items() if key in pks and pks[key] not in signed]
    if new:
        conn.execute(provenance.insert(), new)


def outcome(obj: object, message: str | None = None) -> dict:
    """A TAXII status entry for one object."""
    item = {"id": obj.get("id") if isinstance(obj, dict) else None}
    if isinstance(obj, dict) and (obj.get("modified") or obj.get("created")):
        item["version"] = obj.get("modified") or obj.get("created")
    if message:
        item["message"] = message
    return item


def store_screened(engine: Engine, principal: Principal, audience: str, screened: Screened, *, sender: str | None,
                   also: Callable[[Connection], None] | None = None) -> tuple[list[dict], list[dict]]:
    """Import the accepted objects (each fails on its own; the others commit together, with
    `also` run in the same transaction) and audit every rejection. Returns (successes, failures)."""
    failures = [outcome(obj, reason) for obj, reason in screened.rejected]
    for obj, reason in screened.rejected:
        audit.record_now(engine, principal.user_name, "federation.rejected",
                         obj.get("id") if isinstance(obj, dict) else None, reason=reason, sender=sender)
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
    while True:
        for index, (_obj, version) in enumerate(pending):
            version.index = index  # errors name the position among those still pending
        try:
            with engine.begin() as conn:
                if pending:
                    import_prepared(conn, principal, [version for _obj, version in pending], audience=audience)
                    store_provenance(conn, signed)
                if also:
                    also(conn)
            break
        except LiaisonError as exc:
            index = exc.details.get("index")
            if not isinstance(index, int) or not 0 <= index < len(pending):
                raise
            failures.append(outcome(pending.pop(index)[0], exc.message))
    return [outcome(obj) for obj, _version in pending] + [outcome(obj) for obj in screened.own], failures
