"""Links in words: what a graph edge, a relations table and a timeline say instead of STIX property
names ("waypoint", "sighted at", "created by", not `waypoint_refs`, `where_sighted_refs`)."""

from __future__ import annotations

#: Reference properties (their last part, extension properties included), in words.
_REFS = {
    "object_refs": "refers to",
    "created_by_ref": "created by",
    "object_marking_refs": "marked",
    "sighting_of_ref": "sighting of",
    "observed_data_refs": "observed as",
    "waypoint_refs": "waypoint",
    "location_ref": "at",
    "route_ref": "on route",
    "resolves_to_refs": "resolves to",
    "organisation_ref": "in organisation",
    "object_ref": "mentions",
    "sample_refs": "sample",
    "belongs_to_ref": "belongs to",
    "from_ref": "from",
    "to_refs": "to",
    "src_ref": "from",
    "dst_ref": "to",
    "contains_refs": "contains",
    "parent_ref": "parent",
    "child_refs": "child",
    "raw_email_ref": "raw e-mail",
    "body_raw_ref": "body",
    "operating_system_refs": "runs on",
    "host_vm_ref": "runs in",
    "installed_software_refs": "has installed",
    "opened_connection_refs": "opened",
    "creator_user_ref": "created by user",
    "image_ref": "image",
}
#: Relationship types whose words are not their hyphens read as spaces.
_RELATIONSHIPS = {"duplicate-of": "same as", "derived-from": "derived from", "related-to": "related to"}
#: Dates of timeline events, in words.
_DATES = {
    "published": "published",
    "occurred_at": "occurred",
    "first_seen": "first seen",
    "last_seen": "last seen",
    "seized_at": "seized",
    "start_time": "from",
    "stop_time": "until",
}


def ref_words(prop: str, target_id: str = "") -> str:
    """An embedded reference property (`extensions.<id>.location_ref` as well) in words; a
    sighting's `where_sighted_refs` says 'sighted at' a place and 'sighted by' anyone else."""
    last = prop.rsplit(".", 1)[-1]
    if last == "where_sighted_refs":
        return "sighted at" if target_id.startswith("location--") else "sighted by"
    if last in _REFS:
        return _REFS[last]
    return last.removesuffix("_refs").removesuffix("_ref").replace("_", " ")


def relationship_words(relationship_type: str) -> str:
    return _RELATIONSHIPS.get(relationship_type, relationship_type.replace("-", " "))


def date_words(prop: str) -> str:
    return _DATES.get(prop, prop.replace("_", " "))
