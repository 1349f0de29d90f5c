"""One object, several audiences: an organisation shares what it holds with another audience, or
withdraws it from one. TLP limits apply per audience; a withdrawal leaves the audience's reads,
search, graph and TAXII collection at once and takes along the organisation's own annotations
there; what partners already received stays theirs, and `reach` says which did and when."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from liaison import audit
from liaison.access.principal import Action, Principal
from liaison.errors import InvalidInput, NotFound
from liaison.intel import reach as annotation_reach
from liaison.intel.details import NO_OBJECT
from liaison.stix import tlp
from liaison.stix.validate import IDENTIFIER_RE
from liaison.store import entities, reads, sharing, tenancy


@dataclass(frozen=True, slots=True)
class Reach:
    """Where the organisation's versions of an object went: its audiences (first shared when) and
    the partner instances they were pushed to."""

    audiences: list[tuple[str, str]]  # (audience label, first shared at)
    partners: list[tuple[str, str, str | None]]  # (partner, audience label, last push at)


def _held(conn: Connection, principal: Principal, stix_id: str, all_versions: bool):
    """The organisation's holdings to act on. Unknown and invisible objects give the same NotFound;
    a visible object the organisation does not hold is its holders' to share."""
    if not IDENTIFIER_RE.match(stix_id) or principal.org_id is None:
        raise NotFound(NO_OBJECT)
    rows = sharing.chain_versions(conn, principal.org_id, stix_id, all_versions=all_versions)
    if rows:
        return rows
    if reads.get_version(conn, principal, stix_id) is not None:
        raise InvalidInput(
            f"your organisation holds no version of {stix_id}; only its holders share it", object_id=stix_id
        )
    raise NotFound(NO_OBJECT)


def share(conn: Connection, principal: Principal, stix_id: str, audience: str, *, all_versions: bool = False) -> dict:
    """Share the organisation's current version of `stix_id` (every version it holds, with
    `all_versions`) with `audience` as well. An annotation goes no further than what it is about
    (intel.reach), as when it was made."""
    principal.require(Action.WRITE)
    target = tenancy.resolve_audience(conn, principal, audience)
    rows = [row for row in _held(conn, principal, stix_id, all_versions) if row.live]
    for row in rows:
        if not tlp.allows(row.tlp, target.kind):
            allowed = " or ".join(tlp.ALLOWED_AUDIENCE_KINDS[row.tlp])
            raise InvalidInput(
                f"version {row.modified} of {stix_id} is TLP:{row.tlp.upper()} and cannot be "
                f"shared with '{target.label}'; its audience must be: {allowed}",
                object_id=stix_id,
                parameter="audience",
            )
    _check_reach(conn, principal, stix_id, target, [row.pk for row in rows])
    added = sharing.add_audience(conn, principal.org_id, principal.user_id, sorted({r.pk for r in rows}), target.id)
    audit.record(
        conn,
        principal.user_name,
        "object.shared",
        stix_id,
        audience=target.label,
        versions=added,
        all_versions=all_versions,
    )
    return {"id": stix_id, "audience": target.label, "added": added}


def _annotation_reach(conn: Connection, principal: Principal, stix_id: str, version_pks: list[int]):
    """(views, claims) for those of the organisation's versions that are annotations (intel.reach).
    A stored relationship shared further counts as one whatever its type: what it links must be
    seen by the audience it goes to (its import was checked as its importer chose)."""
    found: dict[int, tuple[str, str | None, str | None, list[tuple[str, str]]]] = {}
    for pk, _id, type_, level, prop, ref, relationship_type in entities.version_refs(
        conn, principal.org_id, version_pks, annotation_reach.PROPS
    ):
        found.setdefault(pk, (type_, level, relationship_type, []))[3].append((prop, ref))
    claims = [
        annotation_reach.Claim(stix_id, level, about)
        for type_, level, relationship_type, refs in found.values()
        if (about := annotation_reach.about(type_, annotation_reach.MERGE if type_ == "relationship" else None, refs))
    ]
    return (annotation_reach.Views(conn, principal, claims) if claims else None), claims


def _fitting(conn: Connection, principal: Principal, views, claims) -> list[tenancy.Audience]:
    return [
        a
        for a in tenancy.audiences(conn, principal.audience_ids).values()
        if all(views.problem(c, a) is None and tlp.allows(c.level, a.kind) for c in claims)
    ]


def _check_reach(
    conn: Connection, principal: Principal, stix_id: str, target: tenancy.Audience, version_pks: list[int]
) -> None:
    """Refuse to share those of the organisation's versions that are annotations with an audience
    that does not see what they are about; the error names the audiences they may go to."""
    views, claims = _annotation_reach(conn, principal, stix_id, version_pks)
    if not claims:
        return
    problem = next(filter(None, (views.problem(claim, target) for claim in claims)), None)
    if problem is None:
        return
    fits = _fitting(conn, principal, views, claims)
    raise InvalidInput(
        f"{stix_id}: {problem}; you can share it with: {', '.join(annotation_reach.specs(fits)) or 'no audience'}",
        object_id=stix_id,
        parameter="audience",
    )


def annotation_audiences(conn: Connection, principal: Principal, stix_id: str) -> list[str] | None:
    """The audiences (as 'org', 'group:<name>', 'instance') the organisation's current version of
    an annotation may be shared with, for the object page's form; None for what is no annotation."""
    rows = (
        sharing.chain_versions(conn, principal.org_id, stix_id, all_versions=False)
        if principal.org_id is not None
        else []
    )
    views, claims = _annotation_reach(conn, principal, stix_id, [r.pk for r in rows])
    return annotation_reach.specs(_fitting(conn, principal, views, claims)) if claims else None


def unshare(conn: Connection, principal: Principal, stix_id: str, audience: str, *, all_versions: bool = False) -> dict:
    """Withdraw the organisation's current version of `stix_id` (every version, with
    `all_versions`) and its own notes, opinions and sightings on it from `audience`. What would be
    left held for no one stays with the organisation alone."""
    principal.require(Action.WRITE)
    target = tenancy.resolve_audience(conn, principal, audience)
    rows = _held(conn, principal, stix_id, all_versions)
    if target.id == principal.org_audience_id:
        others = {row.pk for row in rows if row.audience_id != target.id}
        if {row.pk for row in rows} - others:
            raise InvalidInput(
                f"{stix_id} is held for your organisation alone there; nothing to withdraw it to",
                object_id=stix_id,
                parameter="audience",
            )
    pks = sorted({row.pk for row in rows})
    annotations = sharing.own_annotations(conn, principal.org_id, stix_id, target.id)
    removed = sharing.remove_audience(conn, principal.org_id, pks, target.id, principal.org_audience_id)
    taken = sharing.remove_audience(conn, principal.org_id, annotations, target.id, principal.org_audience_id)
    audit.record(
        conn,
        principal.user_name,
        "object.unshared",
        stix_id,
        audience=target.label,
        versions=removed,
        annotations=taken,
        all_versions=all_versions,
    )
    return {"id": stix_id, "audience": target.label, "removed": removed, "annotations_removed": taken}


def reach(conn: Connection, principal: Principal, stix_id: str) -> Reach:
    """Where the principal's organisation shared `stix_id`: nothing when it holds none."""
    if principal.org_id is None:
        return Reach([], [])
    held = sharing.chain_versions(conn, principal.org_id, stix_id, all_versions=True)
    ids = sorted({row.audience_id for row in held if row.live})
    labels = tenancy.audiences(conn, set(ids), principal.org_id)
    first = sharing.first_shared(conn, principal.org_id, stix_id, ids)
    return Reach(
        [(labels[a].label, first[a]) for a in ids if a in labels],
        sharing.partners_reached(conn, principal.org_id, stix_id),
    )
