"""Making, changing and relating objects from forms (stix.forms), without writing STIX by hand.

Every object a form names is picked among those the author may see: a reference to anything else
is refused exactly as one to an object that does not exist. A change is a new version of the
organisation's own object (its chain), kept for the audiences the object was shared with; no one
changes what another organisation holds. Nothing is written by a preview.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection

from liaison import clock
from liaison.access.principal import Action, Principal
from liaison.errors import Forbidden, InvalidInput, NotFound
from liaison.ingest.bundles import import_objects
from liaison.intel import details as object_details
from liaison.intel import reach, sharing
from liaison.intel.annotations import form_time, new_object
from liaison.stix import extensions as ext
from liaison.stix import tlp as tlp_levels
from liaison.stix.forms import Field, Form, form_for
from liaison.stix.timestamps import to_millis
from liaison.stix.validate import IDENTIFIER_RE, StixValidationError, references, validate_object
from liaison.store import reads, tenancy
from liaison.store import sharing as sharing_store

#: Relationship types offered on an object page, with the words shown for them.
RELATIONSHIP_TYPES = (
    "related-to",
    "located-at",
    "member-of",
    "attributed-to",
    "uses",
    "targets",
    "originates-from",
    "operates-on",
    "owns",
    "employed-by",
    "leads",
    "associated-with",
)
#: References no form sets, which need no pick: markings, the author, extension definitions.
_NOT_PICKED = ("marking-definition--", "extension-definition--")


@dataclass(frozen=True, slots=True)
class Preview:
    """A change not yet saved: the object as it is, as it would be, and the difference."""

    old: dict
    new: dict


def form(type_: str) -> Form:
    found = form_for(type_)
    if found is None:
        raise NotFound(f"no form for objects of type '{type_}'")
    return found


def values(form_: Form, data: Mapping[str, object]) -> dict:
    """The form's answers as STIX property values (absent when left empty); a clear error for an
    answer of the wrong kind."""
    found: dict = {}
    for field in form_.fields:
        raw = data.get(field.name)
        value = _value(field, raw)
        if value in (None, "", []):
            if field.required:
                raise InvalidInput(f"'{field.label}' is required", parameter=field.name)
            continue
        found[field.name] = value
    return found


def _value(field: Field, raw: object):
    items = [str(v) for v in raw] if isinstance(raw, list | tuple) else ([] if raw is None else [str(raw)])
    text = items[0].strip() if items else ""
    if field.kind in ("refs", "choices"):
        chosen = list(dict.fromkeys(v.strip() for v in items if v.strip()))
        if field.kind == "choices" and (bad := [v for v in chosen if v not in field.choices]):
            raise InvalidInput(f"'{field.label}' takes {', '.join(field.choices)}, not {bad[0]}", parameter=field.name)
        if field.kind == "refs":
            for ref in chosen:
                _picked(field, ref)
        return chosen
    if field.kind == "lines":
        return [line.strip() for v in items for line in v.splitlines() if line.strip()]
    if not text:
        return None
    if field.kind in ("number", "integer"):
        try:
            return int(text) if field.kind == "integer" else (int(text) if text.isdigit() else float(text))
        except ValueError:
            raise InvalidInput(f"'{field.label}' must be a number", parameter=field.name) from None
    if field.kind == "when":
        return form_time(text, field.name)
    if field.kind == "choice" and text not in field.choices:
        raise InvalidInput(f"'{field.label}' is one of {', '.join(field.choices)}", parameter=field.name)
    if field.kind == "ref":
        return _picked(field, text)
    return text


def _picked(field: Field, ref: str) -> str:
    if not IDENTIFIER_RE.match(ref) or (field.ref_types and ref.split("--")[0] not in field.ref_types):
        kinds = " or ".join(field.ref_types) or "an object"
        raise InvalidInput(f"'{field.label}' takes {kinds}, picked by name", parameter=field.name)
    return ref


def _extensions(form_: Form, props: dict, old: dict | None) -> dict:
    """Answers named '<extension>.<property>' moved into the extensions' bodies: the form's fields
    replace what the old body said of them (an emptied field is gone), its other properties kept."""
    asked: dict[str, set[str]] = {}
    for field in form_.fields:
        if "." in field.name:
            extension, prop = field.name.split(".", 1)
            asked.setdefault(ext.EXT_IDS[extension], set()).add(prop)
    if not asked:
        return props
    bodies: dict[str, dict] = {}
    for name in [n for n in props if "." in n]:
        extension, prop = name.split(".", 1)
        bodies.setdefault(ext.EXT_IDS[extension], {})[prop] = props.pop(name)
    merged = dict((old or {}).get("extensions") or {})
    for ext_id, fields in asked.items():
        body = {k: v for k, v in merged.get(ext_id, {}).items() if k not in fields and k != "extension_type"}
        body.update(bodies.get(ext_id, {}))
        if body:
            merged[ext_id] = {"extension_type": "property-extension", **body}
        else:
            merged.pop(ext_id, None)
    return {**props, "extensions": merged}


def _build(principal: Principal, form_: Form, props: dict, *, tlp: str | None, old: dict | None) -> dict:
    """The STIX object the answers make: new, or the next version of `old` (its other properties kept)."""
    props = _extensions(form_, dict(props), old)
    if old is None and not props.get("extensions", True):
        props.pop("extensions")
    stamp = to_millis(clock.now())
    marking = {"object_marking_refs": [tlp_levels.TLP2_IDS[tlp]]} if tlp else {}
    if tlp and tlp not in tlp_levels.LEVELS:
        raise InvalidInput(f"unknown TLP level '{tlp}'", parameter="tlp")
    if old is not None:
        kept = {k: v for k, v in old.items() if k not in {f.name for f in form_.fields} | {"modified"}}
        if tlp:  # the TLP marking swapped, other markings (statements, caveats) kept
            others = [m for m in old.get("object_marking_refs", []) if m not in tlp_levels.LEVEL_BY_MARKING_ID]
            kept["object_marking_refs"] = [*marking["object_marking_refs"], *others]
        changed = {**kept, **props, "modified": stamp}
        return {k: v for k, v in changed.items() if not (k == "extensions" and not v)}
    author = {"created_by_ref": principal.org_identity_id} if principal.org_identity_id else {}
    try:
        if form_.made_as == "new-sco":
            return ext.new_sco(form_.type, **props, **marking)
        if form_.made_as == "new-sdo":
            return ext.new_sdo(
                form_.type, created=stamp, id_=f"{form_.type}--{uuid.uuid4()}", **author, **props, **marking
            )
    except ValueError as exc:
        raise InvalidInput(str(exc).split(": ", 1)[-1]) from None
    body = {"type": form_.type, "spec_version": "2.1", "id": f"{form_.type}--{uuid.uuid4()}"}
    return {**body, "created": stamp, "modified": stamp, **author, **props, **marking}


def _checked(conn: Connection, principal: Principal, obj: dict) -> dict:
    """`obj` if it is valid STIX and everything it names is visible to `principal`; an object it
    may not see is 'no object' exactly as an unknown one."""
    try:
        validate_object(obj, 0)
    except StixValidationError as exc:
        raise InvalidInput(exc.message, parameter=exc.prop) from None
    wanted = {r for r in references(obj) if not r.startswith(_NOT_PICKED) and r != obj.get("created_by_ref")}
    seen = reads.current_versions(conn, principal, wanted)
    for ref in sorted(wanted - set(seen)):
        raise NotFound(f"no object {ref}")
    return obj


def create(
    conn: Connection, principal: Principal, type_: str, data: Mapping[str, object], *, audience: str, tlp: str | None
) -> dict:
    """A new object of `type_` from a form's answers, held by the organisation and shared with
    `audience`; returns it."""
    principal.require(Action.WRITE)
    form_ = form(type_)
    obj = _checked(conn, principal, _build(principal, form_, values(form_, data), tlp=tlp or None, old=None))
    import_objects(conn, principal, [obj], audience=audience)
    return obj


def editable(principal: Principal, found: object_details.Details, owner_org_id: int | None) -> bool:
    """Whether the object (as `found` shows it to `principal`) is its organisation's own to change
    from a form: it made it (its `created_by_ref`) or owns it (the first to store it, with no
    author named), it reads its own chain, and the type has a form."""
    obj = found.object
    author = obj.get("created_by_ref")
    mine = author == principal.org_identity_id if author else owner_org_id == principal.org_id
    own = mine and principal.org_id is not None and found.chain == principal.org_name
    return own and "created" in obj and (form_for(obj["type"]) is not None or obj["type"] == "relationship")


def editable_by(conn: Connection, principal: Principal, found: object_details.Details) -> bool:
    """editable, with the object's owner read from the store."""
    return _editable_version(conn, principal, found) is not None


def _editable_version(conn: Connection, principal: Principal, found: object_details.Details):
    """The principal's version of the object (a get_version row) when it is its own to change."""
    version = reads.get_version(conn, principal, found.object["id"])
    if version is None or not editable(principal, found, version.owner_org_id):
        return None
    return version


def _own(conn: Connection, principal: Principal, stix_id: str) -> tuple[dict, list[int]]:
    """The organisation's own current version of `stix_id` and the audiences (ids) it holds it for,
    live; Forbidden for another organisation's object (which the principal sees), NotFound alike
    for an unknown or invisible one."""
    principal.require(Action.WRITE)
    found = object_details.details(conn, principal, stix_id)
    version = _editable_version(conn, principal, found)
    if version is None:
        if "created" not in found.object:
            raise InvalidInput("an observable is not versioned: make a new one for another value")
        raise Forbidden("only the organisation that holds an object changes it; give your view as an opinion or a note")
    audiences = sharing_store.live_audiences(conn, principal.org_id, version.pk)
    return found.object, [a for a in audiences if a != principal.org_audience_id]


def preview(
    conn: Connection, principal: Principal, stix_id: str, data: Mapping[str, object], *, tlp: str | None
) -> Preview:
    """The change the answers make to the organisation's object, checked, not saved."""
    old, _audiences = _own(conn, principal, stix_id)
    form_ = form(old["type"])
    new = _checked(conn, principal, _build(principal, form_, values(form_, data), tlp=tlp or None, old=old))
    return Preview(old, new)


def save(conn: Connection, principal: Principal, stix_id: str, data: Mapping[str, object], *, tlp: str | None) -> dict:
    """Save the change as the object's next version, shared with the audiences the current one is."""
    old, audiences = _own(conn, principal, stix_id)
    form_ = form(old["type"])
    new = _checked(conn, principal, _build(principal, form_, values(form_, data), tlp=tlp or None, old=old))
    import_objects(conn, principal, [new], audience="org")
    # Every audience the old version went to, a direct share to another organisation included,
    # each checked as any share is (a stricter TLP may refuse one: the change is then refused).
    for audience in tenancy.audiences(conn, set(audiences), principal.org_id).values():
        sharing.share(conn, principal, stix_id, audience.spec)
    return new


def relate(
    conn: Connection,
    principal: Principal,
    stix_id: str,
    relationship_type: str,
    other: str,
    *,
    outgoing: bool = True,
    audience: str = "org",
    tlp: str | None = None,
) -> dict:
    """A relationship between a visible object and another picked one (this → other, or other →
    this), held by the organisation and shared with `audience`, which must see both ends."""
    principal.require(Action.WRITE)
    if relationship_type not in RELATIONSHIP_TYPES:
        raise InvalidInput(f"a relationship is one of: {', '.join(RELATIONSHIP_TYPES)}", parameter="relationship_type")
    if reads.get_version(conn, principal, stix_id) is None:  # unknown and invisible alike
        raise NotFound(object_details.NO_OBJECT)
    if not IDENTIFIER_RE.match(other or "") or other == stix_id:
        raise InvalidInput("pick the other object by name", parameter="other")
    source, target = (stix_id, other) if outgoing else (other, stix_id)
    rel = new_object(
        principal, "relationship", tlp, relationship_type=relationship_type, source_ref=source, target_ref=target
    )
    _checked(conn, principal, rel)
    # Like an annotation, a relationship made here goes no further than both its ends, under a
    # marking no weaker than theirs: whoever reads it also reads what it links.
    target_audience = tenancy.resolve_audience(conn, principal, audience)
    reach.check(conn, principal, target_audience, [reach.Claim(rel["id"], tlp, frozenset({source, target}))])
    import_objects(conn, principal, [rel], audience=audience)
    return rel


def unrelate(conn: Connection, principal: Principal, relationship_id: str) -> dict:
    """Revoke one of the organisation's own relationships (its next version, revoked), for every
    audience it was shared with."""
    old, audiences = _own(conn, principal, relationship_id)
    if old["type"] != "relationship":
        raise InvalidInput("only a relationship is removed this way", parameter="relationship")
    new = {**old, "revoked": True, "modified": to_millis(clock.now())}
    import_objects(conn, principal, [new], audience="org")
    # The revocation goes wherever the relationship went, unchecked: withdrawing is never refused.
    revoked = reads.get_version(conn, principal, relationship_id)
    for audience_id in audiences:
        sharing_store.add_audience(conn, principal.org_id, principal.user_id, [revoked.pk], audience_id)
    return new
