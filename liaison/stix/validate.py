"""Fast structural validation of STIX 2.1 objects on import.

This is the hot path of every import, so it checks with plain regular expressions and one walk per
object, never a library parse. It takes what the ecosystem takes: every object the OASIS
`stix2-validator` accepts in its default (non-strict) mode passes here too, so a rule is only
checked on the object types whose OASIS schema defines it (a `name` of 42 is refused on an
intrusion-set, kept on an `x-` custom object). Liaison is stricter than that validator only where
its store relies on a property: `type`, `id` (its prefix must be the type), `spec_version` (2.1
only), `created` and `modified` (normalised and used as version keys), `labels` (indexed), the
references the store indexes from the common properties (`created_by_ref`, `object_marking_refs`,
`granular_markings[].marking_ref`) and JSON nesting depth. Each type's standard reference
properties are strict where the OASIS schemas type them as identifiers (`source_ref`,
`object_refs` of a report, ...); a `*_ref` / `*_refs` value anywhere else (custom properties,
extension bodies, nested structures, properties the schemas leave untyped) is indexed when it is
an identifier and otherwise kept in the JSON and left out of the returned references. Where the
store needs nothing, Liaison is more lenient than the validator (a `modified` earlier than
`created`, as real ATT&CK releases have, empty lists, timestamps without milliseconds).
"""

from __future__ import annotations

import re

from liaison.stix.timestamps import normalize_timestamp

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
# \Z, not $: `$` also matches before a trailing newline, which must not get into ids and keys.
TYPE_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*\Z")


def is_type_name(kind: str) -> bool:
    """Whether `kind` has the shape of a STIX type name (3 to 250 characters, STIX 2.1 §3.1)."""
    return 3 <= len(kind) <= 250 and TYPE_RE.match(kind) is not None


IDENTIFIER_RE = re.compile(rf"^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)--{_UUID}\Z")
#: A reference value: Liaison's identifiers and everything the OASIS identifier schema takes
#: (`^[a-z][a-z0-9-]+[a-z0-9]--<uuid>`, whose type part may hold a double hyphen).
REF_RE = re.compile(rf"^[a-z][a-z0-9-]*--{_UUID}\Z")

#: Deeper objects are refused: no STIX type needs more, and it bounds the walk.
MAX_DEPTH = 32
#: A relationship's endpoints. The store keeps them as edges of the relationship (carrying its
#: type), not of what it links.
ENDPOINTS = ("source_ref", "target_ref")

SDO_REQUIRED: dict[str, tuple[str, ...]] = {
    "attack-pattern": ("name",),
    "campaign": ("name",),
    "course-of-action": ("name",),
    "grouping": ("context", "object_refs"),
    "identity": ("name",),
    "incident": ("name",),
    "indicator": ("pattern", "pattern_type", "valid_from"),
    "infrastructure": ("name",),
    "intrusion-set": ("name",),
    "location": (),
    "malware": ("is_family",),
    "malware-analysis": ("product",),
    "note": ("content", "object_refs"),
    "observed-data": ("first_observed", "last_observed", "number_observed"),
    "opinion": ("opinion", "object_refs"),
    "report": ("name", "published", "object_refs"),
    "threat-actor": ("name",),
    "tool": ("name",),
    "vulnerability": ("name",),
    "relationship": ("relationship_type", *ENDPOINTS),
    "sighting": ("sighting_of_ref",),
    # The OASIS schemas require neither language-content's object_modified nor
    # extension-definition's created_by_ref.
    "language-content": ("object_ref", "contents"),
    "extension-definition": ("name", "schema", "version", "extension_types"),
}
SCO_REQUIRED: dict[str, tuple[str, ...]] = {
    "artifact": (),
    "autonomous-system": ("number",),
    "directory": ("path",),
    "domain-name": ("value",),
    "email-addr": ("value",),
    "email-message": ("is_multipart",),
    "file": (),
    "ipv4-addr": ("value",),
    "ipv6-addr": ("value",),
    "mac-addr": ("value",),
    "mutex": ("name",),
    "network-traffic": ("protocols",),
    "process": (),
    "software": ("name",),
    "url": ("value",),
    "user-account": (),
    "windows-registry-key": (),
    "x509-certificate": (),
}

_NAMED = ("name", "description")
#: String properties checked, by the types whose OASIS schema defines them as strings. `lang` is
#: a common property of every SDO/SRO ("core" objects, custom ones included).
STRING_PROPS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (
            "attack-pattern",
            "campaign",
            "course-of-action",
            "identity",
            "incident",
            "infrastructure",
            "intrusion-set",
            "location",
            "malware",
            "report",
            "threat-actor",
            "tool",
            "vulnerability",
            "extension-definition",
        ),
        _NAMED,
    ),
    "grouping": (*_NAMED, "context"),
    "indicator": (*_NAMED, "pattern", "pattern_type"),
    "malware-analysis": ("product",),
    "note": ("content",),
    "opinion": ("opinion",),
    "relationship": ("relationship_type", "description"),
    "sighting": ("description",),
    "marking-definition": ("name",),
    "autonomous-system": ("name",),
    "mutex": ("name",),
    "software": ("name",),
    "file": ("name",),
    **dict.fromkeys(("domain-name", "email-addr", "ipv4-addr", "ipv6-addr", "mac-addr", "url"), ("value",)),
}
#: Timestamp properties besides created/modified, by the types that define them.
TIMESTAMP_PROPS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("campaign", "infrastructure", "intrusion-set", "malware", "sighting", "threat-actor"),
        ("first_seen", "last_seen"),
    ),
    "indicator": ("valid_from", "valid_until"),
    "report": ("published",),
    "observed-data": ("first_observed", "last_observed"),
    "language-content": ("object_modified",),
    "relationship": ("start_time", "stop_time"),
}
#: Lists of strings besides labels, by the types that define them.
STRING_LIST_PROPS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("attack-pattern", "campaign", "infrastructure", "intrusion-set", "malware", "threat-actor", "tool"),
        ("aliases",),
    ),
    "extension-definition": ("extension_types",),
}
#: References the store relies on, on every object: a malformed one is an error.
COMMON_REFS = frozenset({"created_by_ref", "object_marking_refs"})
#: Each type's reference properties that the OASIS schemas type as identifiers: a malformed one
#: is an error. (They leave SCO references, malware `sample_refs` and observed-data `object_refs`
#: plain strings, so those are tolerated like custom references.)
STANDARD_REFS: dict[str, frozenset[str]] = {
    kind: COMMON_REFS | refs
    for kind, refs in {
        "relationship": set(ENDPOINTS),
        "sighting": {"sighting_of_ref", "observed_data_refs", "where_sighted_refs"},
        "grouping": {"object_refs"},
        "note": {"object_refs"},
        "opinion": {"object_refs"},
        "report": {"object_refs"},
        "language-content": {"object_ref"},
        "malware": {"operating_system_refs"},
        "malware-analysis": {
            "host_vm_ref",
            "operating_system_ref",
            "installed_software_refs",
            "analysis_sco_refs",
            "sample_ref",
        },
    }.items()
}
_REF_SUFFIXES = ("_ref", "_refs")


class StixValidationError(ValueError):
    """An object breaks a rule; names the object (position and id) and the property."""

    def __init__(self, message: str, *, index: int, object_id: str | None = None, prop: str | None = None):
        self.message = message
        self.index = index
        self.object_id = object_id
        self.prop = prop
        where = f"object #{index}" + (f" ({object_id})" if object_id else "")
        super().__init__(f"{where}: {message}")


def validate_object(obj: object, index: int) -> list[tuple[str, str]]:
    """Check one object; return its references as (property path, target id), in document order
    with those inside extension bodies last.

    Paths are dotted (`x_mitre_contents.object_ref`, `extensions.<definition id>.waypoint_refs`);
    list positions are not part of the path. Raises StixValidationError on the first problem.
    """
    if not isinstance(obj, dict):
        raise StixValidationError("must be a JSON object", index=index)
    raw_id = obj.get("id")
    object_id = raw_id if isinstance(raw_id, str) else None

    def fail(message: str, prop: str | None = None) -> StixValidationError:
        return StixValidationError(message, index=index, object_id=object_id, prop=prop)

    kind = obj.get("type")
    if not isinstance(kind, str):
        raise fail("missing required property 'type'" if kind is None else "'type' must be a string", "type")
    if not is_type_name(kind):
        raise fail(f"'type' {kind!r} is not a STIX type name (lowercase letters, digits, hyphens)", "type")
    if raw_id is None:
        raise fail("missing required property 'id'", "id")
    m = IDENTIFIER_RE.match(object_id or "")
    if m is None or m.group(1) != kind:
        raise fail(f"'id' must be '{kind}--' followed by an RFC 4122 UUID", "id")

    # The OASIS validator's choice of schema: SDOs and SROs (and custom objects with created or
    # modified) share the "core" common properties, SCOs (and other custom objects) the
    # cyber-observable ones, and marking definitions have their own.
    sco = kind in SCO_REQUIRED
    required = SCO_REQUIRED.get(kind) or SDO_REQUIRED.get(kind, ())
    core = False
    if kind == "marking-definition":
        _check_marking(obj, fail)
    elif not sco and (kind in SDO_REQUIRED or "created" in obj or "modified" in obj):
        core = True
        if "spec_version" not in obj:
            raise fail(
                f"missing required property 'spec_version' for type '{kind}' (STIX 2.0 content, "
                "which has none, is not accepted: Liaison stores STIX 2.1)",
                "spec_version",
            )
        required = ("created", "modified", *required)
    for prop in required:
        if prop not in obj:
            raise fail(f"missing required property '{prop}' for type '{kind}'", prop)
    _check_common(obj, kind, core, fail)
    if kind in SDO_REQUIRED or sco:
        _check_type_rules(kind, obj, fail)
    return _walk_refs(obj, STANDARD_REFS.get(kind, COMMON_REFS), fail)


def _check_marking(obj: dict, fail) -> None:
    if "created" not in obj:
        raise fail("missing required property 'created' for type 'marking-definition'", "created")
    if "extensions" not in obj:  # with extensions, the extension defines the marking
        for prop in ("definition", "definition_type"):
            if prop not in obj:
                raise fail(f"a marking definition needs '{prop}' (or 'extensions')", prop)


def _timestamp(obj: dict, prop: str, fail) -> str | None:
    value = obj.get(prop)
    if value is None:
        return None
    try:
        return normalize_timestamp(value)
    except ValueError:
        raise fail(f"'{prop}' must be a timestamp like 2024-01-31T09:30:00.000Z, not {value!r}", prop) from None


def _check_common(obj: dict, kind: str, core: bool, fail) -> None:
    spec = obj.get("spec_version")
    if spec is not None and spec != "2.1":
        raise fail(f"'spec_version' must be '2.1', not {spec!r}", "spec_version")
    # A 'modified' earlier than 'created' is kept as published (the OASIS validator refuses it,
    # real producers publish it: ATT&CK ICS 11.0 rounds 'modified' below a 'created' with
    # microseconds); the store keys versions by 'modified' alone.
    _timestamp(obj, "created", fail)
    _timestamp(obj, "modified", fail)
    for prop in TIMESTAMP_PROPS.get(kind, ()):
        _timestamp(obj, prop, fail)
    for prop in STRING_PROPS.get(kind, ()):
        if prop in obj and not isinstance(obj[prop], str):
            raise fail(f"'{prop}' must be a string", prop)
    if core and "lang" in obj and not isinstance(obj["lang"], str):
        raise fail("'lang' must be a string", "lang")
    labels = obj.get("labels")
    if labels and not (isinstance(labels, list) and all(isinstance(v, str) for v in labels)):
        raise fail("'labels' must be a list of strings", "labels")  # indexed by the store
    for prop in STRING_LIST_PROPS.get(kind, ()):
        if prop in obj and not (isinstance(obj[prop], list) and all(isinstance(v, str) for v in obj[prop])):
            raise fail(f"'{prop}' must be a list of strings", prop)
    if core:
        confidence = obj.get("confidence")
        if confidence is not None and not (type(confidence) is int and 0 <= confidence <= 100):
            raise fail(f"'confidence' must be an integer from 0 to 100, not {confidence!r}", "confidence")
        if "revoked" in obj and not isinstance(obj["revoked"], bool):
            raise fail("'revoked' must be true or false", "revoked")
    elif kind != "marking-definition" and "defanged" in obj and not isinstance(obj["defanged"], bool):
        raise fail("'defanged' must be true or false", "defanged")
    refs = obj.get("external_references")
    if refs is not None and (core or kind == "marking-definition"):
        if not isinstance(refs, list):
            raise fail("'external_references' must be a list", "external_references")
        for ref in refs:
            if not isinstance(ref, dict) or not isinstance(ref.get("source_name"), str):
                raise fail("each of 'external_references' needs a 'source_name' string", "external_references")
    extensions = obj.get("extensions")
    if extensions is not None:
        if not isinstance(extensions, dict) or not all(isinstance(v, dict) for v in extensions.values()):
            raise fail("'extensions' must map extension names to objects", "extensions")
    markings = obj.get("granular_markings")
    if markings is not None:
        if not isinstance(markings, list):
            raise fail("'granular_markings' must be a list", "granular_markings")
        for marking in markings:
            if (
                not isinstance(marking, dict)
                or not isinstance(marking.get("selectors"), list)
                or not marking["selectors"]
                or ("marking_ref" not in marking and "lang" not in marking)
            ):
                raise fail("each granular marking needs 'selectors' and 'marking_ref' or 'lang'", "granular_markings")


def _check_type_rules(kind: str, obj: dict, fail) -> None:
    if kind == "relationship":
        for prop in ENDPOINTS:
            if not isinstance(obj[prop], str):
                raise fail(f"'{prop}' must be an identifier", prop)
    elif kind in ("grouping", "note", "opinion", "report"):
        refs = obj["object_refs"]
        if not isinstance(refs, list) or not refs:
            raise fail("'object_refs' must be a non-empty list of identifiers", "object_refs")
    elif kind == "location":
        if not any(p in obj for p in ("region", "country", "latitude")):
            raise fail("a location needs 'region', 'country' or 'latitude' and 'longitude'", "region")
        if ("latitude" in obj) != ("longitude" in obj):
            raise fail("'latitude' and 'longitude' go together", "longitude")
        for prop, bound in (("latitude", 90), ("longitude", 180)):
            value = obj.get(prop)
            if value is not None and not (type(value) in (int, float) and -bound <= value <= bound):
                raise fail(f"'{prop}' must be a number from -{bound} to {bound}", prop)
    elif kind == "malware":
        if not isinstance(obj["is_family"], bool):
            raise fail("'is_family' must be true or false", "is_family")
        if obj["is_family"] and "name" not in obj:
            raise fail("a malware family needs a 'name'", "name")
    elif kind == "observed-data":
        if ("objects" in obj) == ("object_refs" in obj):
            raise fail("observed-data needs exactly one of 'objects' and 'object_refs'", "object_refs")
        count = obj["number_observed"]
        if not (type(count) is int and 1 <= count <= 999_999_999):
            raise fail("'number_observed' must be an integer from 1 to 999999999", "number_observed")
    elif kind == "file" and "hashes" not in obj and "name" not in obj:
        raise fail("a file needs 'hashes' or 'name'", "hashes")
    elif kind == "artifact" and "payload_bin" not in obj and "url" not in obj:
        raise fail("an artifact needs 'payload_bin' or 'url'", "payload_bin")


def references(obj: dict) -> list[str]:
    """Every identifier a stored (so valid) object refers to, in document order: its `*_ref(s)`
    properties, granular marking refs and refs inside extension bodies, then the extension
    definitions its `extensions` name. What an object page names and an export carries along."""

    def fail(message: str, prop: str | None = None) -> StixValidationError:
        return StixValidationError(message, index=0, object_id=obj.get("id"), prop=prop)

    found = [target for _path, target in _walk_refs(obj, frozenset(), fail)]
    found += [name for name in obj.get("extensions") or () if name.startswith("extension-definition--")]
    return list(dict.fromkeys(found))


def _walk_refs(obj: dict, strict: frozenset[str], fail) -> list[tuple[str, str]]:
    """Every identifier under a `*_ref` / `*_refs` key, with its dotted path; the `strict` top-level
    properties and granular marking refs must be identifiers. Refuses deep nesting."""
    found: list[tuple[str, str]] = []
    for key, item in obj.items():
        if key in strict:
            _strict_ref(key, item, found, fail)
        elif key == "granular_markings":  # its shape was checked
            for marking in item or ():
                for sub, value in marking.items():
                    if sub == "marking_ref":
                        _strict_ref("granular_markings.marking_ref", value, found, fail)
                    else:
                        _walk_item(sub, value, "granular_markings.", 3, found, fail)
        elif key != "extensions":  # its keys name extensions; refs live inside their bodies
            _walk_item(key, item, "", 2, found, fail)
    extensions = obj.get("extensions")
    if extensions:
        for name, body in extensions.items():
            _walk_map(body, f"extensions.{name}", 3, found, fail)
    return found


def _strict_ref(path: str, value: object, found: list, fail) -> None:
    if path.endswith("_refs"):
        if type(value) is not list:
            raise fail(f"'{path}' must be a list of identifiers", path)
        for target in value:
            if type(target) is not str or REF_RE.match(target) is None:
                _bad_ref(target, path, fail)
            found.append((path, target))
    else:
        if type(value) is not str or REF_RE.match(value) is None:
            _bad_ref(value, path, fail)
        found.append((path, value))


def _walk_item(key: str, item: object, prefix: str, depth: int, found: list, fail) -> None:
    kind = type(item)
    if kind is str:
        if key.endswith(_REF_SUFFIXES) and REF_RE.match(item):
            found.append((prefix + key, item))
    elif kind is dict:
        _walk_map(item, prefix + key, depth, found, fail)
    elif kind is list:
        _walk_list(item, prefix + key, depth, key.endswith(_REF_SUFFIXES), found, fail)


def _walk_map(value: dict, path: str, depth: int, found: list, fail) -> None:
    # Recursion is bounded by MAX_DEPTH, checked before each descent.
    if depth > MAX_DEPTH:
        raise fail(f"nested too deeply (more than {MAX_DEPTH} levels)", path.split(".", 1)[0])
    prefix = f"{path}."
    for key, item in value.items():
        _walk_item(key, item, prefix, depth + 1, found, fail)


def _walk_list(value: list, path: str, depth: int, refs: bool, found: list, fail) -> None:
    if depth > MAX_DEPTH:
        raise fail(f"nested too deeply (more than {MAX_DEPTH} levels)", path.split(".", 1)[0])
    for item in value:
        kind = type(item)
        if kind is str:
            if refs and REF_RE.match(item):
                found.append((path, item))
        elif kind is dict:
            _walk_map(item, path, depth + 1, found, fail)
        elif kind is list:
            _walk_list(item, path, depth + 1, refs, found, fail)


def _bad_ref(value: object, path: str, fail) -> None:
    raise fail(f"'{path}' must be an identifier like 'identity--<uuid>', not {value!r}", path)
