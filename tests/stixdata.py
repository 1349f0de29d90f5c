"""Small STIX 2.1 object builders for tests."""

from __future__ import annotations

import uuid

from liaison.stix import tlp

T0 = "2025-01-01T00:00:00.000Z"


def sid(kind: str) -> str:
    return f"{kind}--{uuid.uuid4()}"


def sdo(kind: str, *, created: str = T0, modified: str | None = None, level: str | None = None, **props) -> dict:
    obj = {"type": kind, "spec_version": "2.1", "id": props.pop("id", None) or sid(kind),
           "created": created, "modified": modified or created, **props}
    if level:
        obj["object_marking_refs"] = [tlp.TLP2_IDS[level]]
    return obj


def actor(name: str, **props) -> dict:
    return sdo("intrusion-set", name=name, **props)


def relationship(source: dict, target: dict, kind: str = "related-to", **props) -> dict:
    return sdo("relationship", relationship_type=kind, source_ref=source["id"], target_ref=target["id"], **props)


def bundle(*objects: dict) -> dict:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}
