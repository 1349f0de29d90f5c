"""Small STIX 2.1 object builders for tests."""

from __future__ import annotations

import uuid

from stix2validator import ValidationOptions, validate_instance

from liaison.stix import tlp
from liaison.stix.extensions import EXTENSION_DEFINITIONS

T0 = "2025-01-01T00:00:00.000Z"


def sid(kind: str) -> str:
    return f"{kind}--{uuid.uuid4()}"


def sdo(kind: str, *, created: str = T0, modified: str | None = None, level: str | None = None, **props) -> dict:
    obj = {
        "type": kind,
        "spec_version": "2.1",
        "id": props.pop("id", None) or sid(kind),
        "created": created,
        "modified": modified or created,
        **props,
    }
    if level:
        obj["object_marking_refs"] = [tlp.TLP2_IDS[level]]
    return obj


def actor(name: str, **props) -> dict:
    return sdo("intrusion-set", name=name, **props)


def relationship(source: dict, target: dict, kind: str = "related-to", **props) -> dict:
    return sdo("relationship", relationship_type=kind, source_ref=source["id"], target_ref=target["id"], **props)


def bundle(*objects: dict) -> dict:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}


def write_schemas(path) -> str:
    """Liaison's extension schemas as files named by extension id, for the validator's schema_dir."""
    for definition in EXTENSION_DEFINITIONS:
        (path / f"{definition['id']}.json").write_text(definition["schema"])
    return str(path)


def validation_errors(obj: dict, schema_dir: str | None) -> list[str]:
    """Validator errors with SHOULDs treated as errors, except uuid-check: Liaison's own objects have uuid5 ids
    (STIX 2.1 §2.9 recommends v4 but allows others), and the validator does not know extension-defined SCO
    types, so it asks them for v4 ids where §2.9 wants uuid5."""
    options = ValidationOptions(version="2.1", strict=True, disabled="uuid-check", schema_dir=schema_dir)
    return [e.message for e in validate_instance(obj, options).errors]
