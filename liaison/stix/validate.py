"""Fast structural validation of STIX 2.1 objects on import.

This is the hot path of every import, so it checks what the store relies on and what the
specification makes mandatory — common properties, identifiers, timestamps, reference formats,
each type's required properties — with plain regular expressions and one iterative walk per
object. The OASIS validator (much slower, and thorough on vocabularies) judges exports in tests.
"""

from __future__ import annotations

import calendar
import re

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
TYPE_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
IDENTIFIER_RE = re.compile(rf"^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)--{_UUID}$")
TIMESTAMP_RE = re.compile(
    r"^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.(\d+))?Z$")

#: Deeper objects are refused: no STIX type needs more, and it bounds the walk.
MAX_DEPTH = 32

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
    "relationship": ("relationship_type", "source_ref", "target_ref"),
    "sighting": ("sighting_of_ref",),
    "language-content": ("object_ref", "object_modified", "contents"),
    "extension-definition": ("name", "schema", "version", "extension_types", "created_by_ref"),
}
SCO_REQUIRED: dict[str, tuple[str, ...]] = {
    "artifact": (), "autonomous-system": ("number",), "directory": ("path",), "domain-name": ("value",),
    "email-addr": ("value",), "email-message": ("is_multipart",), "file": (), "ipv4-addr": ("value",),
    "ipv6-addr": ("value",), "mac-addr": ("value",), "mutex": ("name",), "network-traffic": ("protocols",),
    "process": (), "software": ("name",), "url": ("value",), "user-account": (),
    "windows-registry-key": (), "x509-certificate": (),
}
#: Properties whose value is a timestamp, wherever they appear at the top level.
TIMESTAMP_PROPS = (
    "created", "modified", "valid_from", "valid_until", "first_seen", "last_seen", "published",
    "first_observed", "last_observed", "object_modified", "start_time", "stop_time",
)
_STRING_PROPS = ("name", "description", "lang", "pattern", "pattern_type", "relationship_type", "value",
                 "content", "context", "opinion", "product")
_STRING_LIST_PROPS = ("labels", "aliases", "extension_types")


class StixValidationError(ValueError):
    """An object breaks a rule; names the object (position and id) and the property."""

    def __init__(self, message: str, *, index: int, object_id: str | None = None, prop: str | None = None):
        self.message = message
        self.index = index
        self.object_id = object_id
        self.prop = prop
        where = f"object #{index}" + (f" ({object_id})" if object_id else "")
        super().__init__(f"{where}: {message}")


def normalize_timestamp(value: str) -> str:
    """The fixed-width form `YYYY-MM-DDTHH:MM:SS.ffffffZ` of a STIX timestamp, so that stored
    versions sort as text; ValueError when `value` is not a valid timestamp."""
    m = TIMESTAMP_RE.match(value) if isinstance(value, str) else None
    if m is None:
        raise ValueError(f"not a STIX timestamp: {value!r}")
    year, month, day, fraction = m.groups()
    if day > "28" and int(day) > calendar.monthrange(int(year), int(month))[1]:
        raise ValueError(f"no such day: {value!r}")
    # A leap second (…:60) is legal in STIX and sorts after :59 as text.
    if fraction is None:
        return value[:-1] + ".000000Z"
    digits = len(fraction)
    if digits == 6:
        return value
    return value[:-1] + "0" * (6 - digits) + "Z" if digits < 6 else value[:26] + "Z"


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
    if not (3 <= len(kind) <= 250 and TYPE_RE.match(kind)):
        raise fail(f"'type' {kind!r} is not a STIX type name (lowercase letters, digits, hyphens)", "type")
    if raw_id is None:
        raise fail("missing required property 'id'", "id")
    m = IDENTIFIER_RE.match(object_id or "")
    if m is None or m.group(1) != kind:
        raise fail(f"'id' must be '{kind}--' followed by an RFC 4122 UUID", "id")

    sco = kind in SCO_REQUIRED
    required = SCO_REQUIRED.get(kind) or SDO_REQUIRED.get(kind, ())
    if kind == "marking-definition":
        _check_marking(obj, fail)
    elif not sco and (kind in SDO_REQUIRED or "created" in obj or "modified" in obj):
        required = ("spec_version", "created", "modified", *required)
    for prop in required:
        if prop not in obj:
            raise fail(f"missing required property '{prop}' for type '{kind}'", prop)
    known = kind in SDO_REQUIRED or sco
    _check_common(obj, known, fail)
    if known:
        _check_type_rules(kind, obj, fail)
    return _walk_refs(obj, fail)


def _check_marking(obj: dict, fail) -> None:
    if "created" not in obj:
        raise fail("missing required property 'created' for type 'marking-definition'", "created")
    if "definition" in obj and not isinstance(obj.get("definition_type"), str):
        raise fail("'definition_type' must be given with 'definition'", "definition_type")
    if "definition" not in obj and "extensions" not in obj:
        raise fail("a marking definition needs 'definition' or 'extensions'", "definition")


def _check_common(obj: dict, known: bool, fail) -> None:
    spec = obj.get("spec_version")
    if spec is not None and spec != "2.1":
        raise fail(f"'spec_version' must be '2.1', not {spec!r}", "spec_version")
    stamps = {}
    for prop in TIMESTAMP_PROPS:
        value = obj.get(prop)
        if value is not None:
            try:
                stamps[prop] = normalize_timestamp(value)
            except ValueError:
                raise fail(f"'{prop}' must be a timestamp like 2024-01-31T09:30:00.000Z, not {value!r}",
                           prop) from None
    if "modified" in stamps and "created" in stamps and stamps["modified"] < stamps["created"]:
        raise fail("'modified' is earlier than 'created'", "modified")
    for prop in _STRING_PROPS if known else ("name", "description"):
        if prop in obj and not isinstance(obj[prop], str):
            raise fail(f"'{prop}' must be a string", prop)
    for prop in _STRING_LIST_PROPS:
        if prop in obj and not (isinstance(obj[prop], list) and all(isinstance(v, str) for v in obj[prop])):
            raise fail(f"'{prop}' must be a list of strings", prop)
    confidence = obj.get("confidence")
    if confidence is not None and not (type(confidence) is int and 0 <= confidence <= 100):
        raise fail(f"'confidence' must be an integer from 0 to 100, not {confidence!r}", "confidence")
    for prop in ("revoked", "defanged", "is_family"):
        if prop in obj and not isinstance(obj[prop], bool):
            raise fail(f"'{prop}' must be true or false", prop)
    refs = obj.get("external_references")
    if refs is not None:
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
            if not isinstance(marking, dict) or not isinstance(marking.get("selectors"), list) \
                    or not marking["selectors"] or ("marking_ref" not in marking and "lang" not in marking):
                raise fail("each granular marking needs 'selectors' and 'marking_ref' or 'lang'", "granular_markings")


def _check_type_rules(kind: str, obj: dict, fail) -> None:
    if kind == "relationship":
        for prop in ("source_ref", "target_ref"):
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
    elif kind == "malware" and obj["is_family"] and "name" not in obj:
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
    created_by = obj.get("created_by_ref")
    if created_by is not None and not (isinstance(created_by, str) and created_by.startswith("identity--")):
        raise fail("'created_by_ref' must refer to an identity", "created_by_ref")


def _walk_refs(obj: dict, fail) -> list[tuple[str, str]]:
    """Every `*_ref` / `*_refs` value, checked, with its dotted path; refuses deep nesting."""
    found: list[tuple[str, str]] = []
    _walk_map(obj, "", 1, found, fail)
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):  # its keys name extensions; refs live inside their bodies
        for name, body in extensions.items():
            _walk_map(body, f"extensions.{name}", 3, found, fail)
    return found


def _walk_map(value: dict, path: str, depth: int, found: list, fail) -> None:
    # Recursion is bounded by MAX_DEPTH, checked before each descent.
    if depth > MAX_DEPTH:
        raise fail(f"nested too deeply (more than {MAX_DEPTH} levels)", path.split(".", 1)[0] or None)
    prefix = f"{path}." if path else ""
    for key, item in value.items():
        if key.endswith("_ref"):
            child = prefix + key
            if type(item) is not str or IDENTIFIER_RE.match(item) is None:
                _bad_ref(item, child, fail)
            found.append((child, item))
        elif key.endswith("_refs"):
            child = prefix + key
            if type(item) is not list:
                raise fail(f"'{child}' must be a list of identifiers", child)
            for target in item:
                if type(target) is not str or IDENTIFIER_RE.match(target) is None:
                    _bad_ref(target, child, fail)
                found.append((child, target))
        elif type(item) is dict:
            if key != "extensions" or path:
                _walk_map(item, prefix + key, depth + 1, found, fail)
        elif type(item) is list:
            _walk_list(item, prefix + key, depth + 1, found, fail)


def _walk_list(value: list, path: str, depth: int, found: list, fail) -> None:
    if depth > MAX_DEPTH:
        raise fail(f"nested too deeply (more than {MAX_DEPTH} levels)", path.split(".", 1)[0])
    for item in value:
        kind = type(item)
        if kind is dict:
            _walk_map(item, path, depth + 1, found, fail)
        elif kind is list:
            _walk_list(item, path, depth + 1, found, fail)


def _bad_ref(value: object, path: str, fail) -> None:
    raise fail(f"'{path}' must be an identifier like 'identity--<uuid>', not {value!r}", path)
