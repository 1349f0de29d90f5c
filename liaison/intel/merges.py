"""Merging and splitting entities that turn out to be one (or not).

A merge is a STIX `duplicate-of` relationship from the duplicate to the entity it duplicates, owned
by the organisation that decided it and shared with an audience like any object: partners who see
it and both entities see the merge, and resolution follows it for them. A split is the next
version of that relationship, revoked. Both are kept as versions and written to the audit log.
"""

from __future__ import annotations

import uuid

import orjson
from sqlalchemy import Connection

from liaison import audit, clock
from liaison.access.principal import Action, Principal
from liaison.errors import Conflict, Forbidden, InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import reach
from liaison.intel.resolution import canonical_ids, known_entity
from liaison.stix import tlp
from liaison.stix.entities import NAMED_TYPES
from liaison.stix.validate import ENDPOINTS
from liaison.store import entities, reads, sharing, tenancy


def merge(
    conn: Connection,
    principal: Principal,
    duplicate_id: str,
    canonical_id: str,
    *,
    audience: str = "auto",
    reason: str | None = None,
) -> dict:
    """Record that `duplicate_id` is the same entity as `canonical_id`; returns the relationship.
    With audience 'auto' the merge is shared as widely as both entities are: with the instance when
    both are, else with a sharing group that sees both, else with the own organisation."""
    principal.require(Action.WRITE)
    if duplicate_id == canonical_id:
        raise InvalidInput("an entity cannot be merged into itself")
    found = reads.current_versions(conn, principal, {duplicate_id, canonical_id})
    for stix_id in (duplicate_id, canonical_id):
        if stix_id not in found:
            raise NotFound(f"no object {stix_id}")
    duplicate, canonical = orjson.loads(found[duplicate_id].raw), orjson.loads(found[canonical_id].raw)
    _check_mergeable(duplicate, canonical)
    if duplicate_id in canonical_ids(conn, principal, {duplicate_id}):
        raise Conflict(f"{duplicate_id} is already merged into another entity; split that merge first")
    if canonical_id in canonical_ids(conn, principal, {canonical_id}):
        raise Conflict(f"{canonical_id} is itself merged into another entity; merge into that one")
    if any(
        orjson.loads(raw)["target_ref"] == duplicate_id
        for _id, raw in entities.duplicate_links(conn, principal, {duplicate_id})
    ):
        raise Conflict(
            f"other entities are merged into {duplicate_id}; merge {canonical_id} into it instead, or split those first"
        )
    stamp = clock.now()
    level = max((tlp.level_of_object(o) or "clear" for o in (duplicate, canonical)), key=tlp.LEVELS.index)
    relationship = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": f"relationship--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": principal.org_identity_id,
        "relationship_type": "duplicate-of",
        "source_ref": duplicate_id,
        "target_ref": canonical_id,
        "description": reason or f"{duplicate.get('name')} is the same entity as {canonical.get('name')}.",
        "object_marking_refs": [tlp.TLP2_IDS[level]],
    }
    audience = _audience_for(conn, principal, {duplicate_id, canonical_id}, level, audience)
    import_objects(conn, principal, [relationship], audience=audience)
    audit.record(
        conn,
        principal.user_name,
        "entity.merge",
        relationship["id"],
        duplicate=duplicate_id,
        canonical=canonical_id,
        audience=audience,
    )
    return relationship


def _audience_for(conn: Connection, principal: Principal, stix_ids: set[str], level: str, wanted: str) -> str:
    """The audience of a merge: `wanted` if the merge may be held for it (intel.reach: everyone in
    it sees both entities; else InvalidInput); for 'auto' the widest such audience the principal
    may share with: the instance, a group, or the own organisation."""
    claim = reach.Claim("", level, frozenset(stix_ids))
    views = reach.Views(conn, principal, [claim])
    if wanted != "auto":
        target = tenancy.resolve_audience(conn, principal, wanted)
        if not tlp.allows(level, target.kind):
            raise InvalidInput(f"TLP:{level.upper()} entities cannot be merged for '{target.label}'")
        if views.problem(claim, target) is not None:
            raise InvalidInput(
                f"not everyone in '{target.label}' sees both entities; merge for a narrower audience, or 'auto'",
                audience=wanted,
            )
        return wanted
    # Only audiences the principal belongs to: a partner's organisation is not in the instance.
    wide = sorted((a for a in views.audiences(claim) if a.kind != "org"), key=lambda a: (a.kind != "instance", a.label))
    return next((target.label for target in wide if tlp.allows(level, target.kind)), "org")


def _check_mergeable(duplicate: dict, canonical: dict) -> None:
    for obj in (duplicate, canonical):
        if obj["type"] not in NAMED_TYPES:
            raise InvalidInput(f"only {', '.join(NAMED_TYPES)} objects can be merged, not {obj['type']}")
    kinds = {getattr(known_entity(o), "kind", None) for o in (duplicate, canonical)}
    if len(kinds) != 1:
        raise InvalidInput("a person, an organisation or group and a place cannot be merged with each other")


def split(conn: Connection, principal: Principal, relationship_id: str) -> dict:
    """Undo a merge: the next version of its relationship, revoked, shared as the merge was; if
    one entity no longer reaches that audience, the merge is withdrawn from it instead and the
    split kept to the organisation."""
    principal.require(Action.WRITE)
    row = reads.get_version(conn, principal, relationship_id)
    current = orjson.loads(row.raw) if row is not None else None
    if current is None or current.get("relationship_type") != "duplicate-of":
        raise NotFound(f"no merge {relationship_id}")
    if current.get("revoked"):
        raise Conflict(f"merge {relationship_id} was already split")
    if current.get("created_by_ref") != principal.org_identity_id:
        raise Forbidden(
            "only the organisation that merged these entities can split them; add an opinion or a note to disagree"
        )
    held = reads.holdings_of(conn, principal, [row.pk]).get(row.pk, [])
    audience = tenancy.audience_spec(next((h.audience for h in held if h.owner == principal.org_name), "org"))
    revoked = {**current, "modified": clock.reserve(1, after=current["modified"])[0], "revoked": True}
    target = tenancy.resolve_audience(conn, principal, audience)
    claim = reach.Claim(relationship_id, row.tlp, frozenset({current["source_ref"], current["target_ref"]}))
    if reach.Views(conn, principal, [claim]).problem(claim, target) is not None:
        # The entities went narrower since the merge: rather than be split there, it leaves.
        versions = sharing.chain_versions(conn, principal.org_id, relationship_id, all_versions=True)
        sharing.remove_audience(
            conn, principal.org_id, sorted({v.pk for v in versions}), target.id, principal.org_audience_id
        )
        audience = "org"
    import_objects(conn, principal, [revoked], audience=audience)
    audit.record(
        conn,
        principal.user_name,
        "entity.split",
        relationship_id,
        duplicate=current["source_ref"],
        canonical=current["target_ref"],
    )
    return revoked


def merges_of(conn: Connection, principal: Principal, stix_id: str) -> list[dict]:
    """The current merges touching `stix_id` that `principal` may see, with both ends visible."""
    links = [orjson.loads(raw) for _id, raw in entities.duplicate_links(conn, principal, {stix_id})]
    ends = reads.current_versions(conn, principal, {r[k] for r in links for k in ENDPOINTS})
    names = {i: orjson.loads(row.raw).get("name") for i, row in ends.items()}
    return [
        {
            "id": r["id"],
            "duplicate": {"id": r["source_ref"], "name": names[r["source_ref"]]},
            "canonical": {"id": r["target_ref"], "name": names[r["target_ref"]]},
            "created_by_ref": r.get("created_by_ref"),
            "created": r["created"],
            "description": r.get("description"),
        }
        for r in links
        if r["source_ref"] in ends and r["target_ref"] in ends
    ]
