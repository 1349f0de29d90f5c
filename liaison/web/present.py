"""Turning STIX objects into what the object page shows: readable labels, values as typed nodes
(references with names, timestamps, lists, nested properties), extensions by name, version diffs."""

from __future__ import annotations

import re

import orjson

from liaison.intel import naming
from liaison.stix import tlp
from liaison.stix.extensions import ADMIRALTY_CREDIBILITY, ADMIRALTY_RELIABILITY, EXT_IDS
from liaison.stix.validate import IDENTIFIER_RE

#: Shown in the page header or sections of their own, not in the property list.
HEADER = ("type", "id", "spec_version", "name", "extensions", "object_marking_refs")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
_URL = re.compile(r"^https?://\S+$")
_ADMIRALTY = EXT_IDS["admiralty-grading"]

Names = dict[str, tuple[str, str | None]]


#: Labels the general rule (below) gets wrong.
_LABELS = {
    "object_refs": "Objects",
    "object_marking_refs": "Markings",
    "sample_refs": "Samples",
    "observed_data_refs": "Observed data",
    "x_mitre_aliases": "ATT&CK aliases",
}


def label(key: str) -> str:
    """A property name for people: 'where_sighted_refs' -> 'Where sighted'."""
    if key in _LABELS:
        return _LABELS[key]
    words = re.sub(r"^x_", "", re.sub(r"_refs?$", "", key)).replace("_", " ")
    return words[:1].upper() + words[1:]


def ref_node(stix_id: str, names: Names) -> dict:
    """A reference: linked with the target's name when the principal may see it."""
    found = names.get(stix_id)
    if stix_id in tlp.LEVEL_BY_MARKING_ID:
        return {"kind": "tlp", "level": tlp.LEVEL_BY_MARKING_ID[stix_id]}
    if found is None:
        return {"kind": "ref", "id": stix_id, "name": None, "type": stix_id.split("--")[0], "visible": False}
    return {"kind": "ref", "id": stix_id, "name": found[1] or stix_id, "type": found[0], "visible": True}


def node(key: str, value, names: Names) -> dict:
    """`value` of property `key` as a typed node the templates render."""
    if isinstance(value, str):
        if key.endswith(("_ref", "_refs")) and IDENTIFIER_RE.match(value):
            return ref_node(value, names)
        if _TIMESTAMP.match(value):
            return {"kind": "time", "value": value}
        if _URL.match(value):
            return {"kind": "url", "value": value}
        return {"kind": "text", "value": value, "long": len(value) > 120 or "\n" in value}
    if isinstance(value, bool) or value is None:
        return {"kind": "text", "value": {True: "yes", False: "no", None: "—"}[value], "long": False}
    if isinstance(value, (int, float)):
        return {"kind": "text", "value": str(value), "long": False}
    if isinstance(value, list):
        return {"kind": "list", "items": [node(key, item, names) for item in value]}
    if isinstance(value, dict):
        return {"kind": "map", "entries": [(label(k), node(k, v, names)) for k, v in value.items()]}
    return {"kind": "text", "value": str(value), "long": False}


def properties(obj: dict, names: Names) -> list[tuple[str, dict]]:
    """(label, node) for every property outside the header, in a stable, readable order."""
    return [(label(key), node(key, obj[key], names)) for key in obj if key not in HEADER]


def admiralty(body: dict) -> str | None:
    """An Admiralty grading as 'B2 (usually reliable, probably true)'."""
    reliability, credibility = body.get("source_reliability"), body.get("information_credibility")
    if reliability not in ADMIRALTY_RELIABILITY or credibility not in ADMIRALTY_CREDIBILITY:
        return None
    return f"{reliability}{credibility} ({ADMIRALTY_RELIABILITY[reliability]}, {ADMIRALTY_CREDIBILITY[credibility]})"


def extensions(obj: dict, names: Names) -> list[dict]:
    """Each extension with its definition's name (the bare id when the definition is not visible),
    its properties, and an Admiralty grading's short form."""
    found = []
    for ext_id, body in (obj.get("extensions") or {}).items():
        body = body if isinstance(body, dict) else {}
        visible = names.get(ext_id)
        props = {k: v for k, v in body.items() if k != "extension_type"}
        found.append(
            {
                "id": ext_id,
                "name": visible[1] if visible and visible[1] else ext_id,
                "kind": body.get("extension_type", ""),
                "grading": admiralty(body) if ext_id == _ADMIRALTY else None,
                "properties": [(label(k), node(k, v, names)) for k, v in props.items()],
            }
        )
    return found


def grading(obj: dict) -> str | None:
    """The object's Admiralty grading in short form ('B2'), if it carries one."""
    body = (obj.get("extensions") or {}).get(_ADMIRALTY)
    text = admiralty(body) if isinstance(body, dict) else None
    return text.split(" ", 1)[0] if text else None


def _named(stix_id: str | None, names: Names) -> str:
    found = names.get(stix_id or "")
    return (found[1] if found and found[1] else None) or (stix_id or "?").split("--")[0]


def display_name(obj: dict, names: Names | None = None) -> str:
    """What to call an object: its name or value, or a phrase for those without one."""
    names = names or {}
    kind = obj.get("type", "object")
    if kind == "relationship":
        return (
            f"{_named(obj.get('source_ref'), names)} {obj.get('relationship_type', 'related-to')} "
            f"{_named(obj.get('target_ref'), names)}"
        )
    if kind == "sighting":
        return f"Sighting of {_named(obj.get('sighting_of_ref'), names)}"
    for prop in ("name", "value"):
        if isinstance(obj.get(prop), str) and obj[prop].strip():
            return obj[prop]
    return naming.display_name(kind, None, obj)


def _short(value) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return text if len(text) <= 300 else text[:299] + "…"


def diff(old: dict, new: dict) -> list[dict]:
    """Properties that changed from `old` to `new` ('modified' aside): added, removed or changed."""
    changes = []
    for key in sorted((old.keys() | new.keys()) - {"modified"}):
        if key not in old:
            changes.append({"property": key, "change": "added", "before": "", "after": _short(new[key])})
        elif key not in new:
            changes.append({"property": key, "change": "removed", "before": _short(old[key]), "after": ""})
        elif old[key] != new[key]:
            changes.append(
                {"property": key, "change": "changed", "before": _short(old[key]), "after": _short(new[key])}
            )
    return changes
