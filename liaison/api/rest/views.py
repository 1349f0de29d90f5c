"""Graph neighbourhood, map features and timelines of what the caller may see."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from liaison.http.deps import Caller, Conn
from liaison.intel import geo, graph, timeline

router = APIRouter(tags=["views"])


class Node(BaseModel):
    id: str
    type: str
    name: str
    tlp: str | None
    centre: bool


class Edge(BaseModel):
    id: str
    source: str
    target: str
    label: str
    kind: Literal["relationship", "ref"]


class Neighbourhood(BaseModel):
    centre: str
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool


class Feature(BaseModel):
    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any]
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[Feature]


class Event(BaseModel):
    id: str
    type: str
    name: str
    date: str
    dated_by: str
    tlp: str | None
    relationship_type: str | None = None
    source: dict[str, str] | None = None
    target: dict[str, str] | None = None
    of: dict[str, str] | None = None


class Timeline(BaseModel):
    events: list[Event]
    truncated: bool


@router.get(
    "/objects/{stix_id}/neighbourhood",
    response_model=Neighbourhood,
    summary="The objects linked to an object, as a graph",
)
def neighbourhood(
    stix_id: str,
    principal: Caller,
    conn: Conn,
    relationship_type: Annotated[list[str], Query(description="keep only links with these labels (repeatable)")] = [],
    limit: Annotated[int, Query(ge=1, le=graph.MAX_LIMIT)] = 150,
):
    """Nodes and edges: relationships to and from the object, the references it embeds and the
    objects referring to it (reports, notes, opinions, sightings). A link appears only when both
    it and its other end are visible to you. Labels are relationship types or reference
    properties (`object_refs`, `location_ref`, ...); `created_by_ref` and marking references only
    appear when named in `relationship_type`."""
    result = graph.neighbourhood(conn, principal, stix_id, relationship_types=relationship_type or None, limit=limit)
    return result.as_dict()


@router.get("/map", response_model=FeatureCollection, summary="Map features (GeoJSON)")
def map_features(
    principal: Caller,
    conn: Conn,
    type: Annotated[list[str], Query(description=f"feature types: {', '.join(geo.FEATURE_TYPES)}")] = [],
    since: Annotated[str | None, Query(description="a date (2025-01-31) or timestamp")] = None,
    until: Annotated[str | None, Query(description="a date (2025-01-31) or timestamp")] = None,
    around: Annotated[str | None, Query(description="only the features of this object and those linked to it")] = None,
):
    """Locations with coordinates, incidents, drug seizures and sightings as points at the
    locations they refer to, trafficking routes as lines through their waypoints. Coordinates are
    [longitude, latitude]; dated features outside `since`..`until` are left out."""
    return geo.features(conn, principal, types=type, since=since, until=until, around=around)


@router.get("/timeline", response_model=Timeline, summary="Dated events, newest first")
def events(
    principal: Caller,
    conn: Conn,
    around: Annotated[str | None, Query(description="an object: its events and those of objects linked to it")] = None,
    q: Annotated[str | None, Query(description="text in the name of the objects to follow")] = None,
    type: Annotated[list[str], Query(description=f"event types: {', '.join(timeline.EVENT_TYPES)}")] = [],
    limit: Annotated[int, Query(ge=1, le=timeline.MAX_LIMIT)] = 200,
):
    """Reports (published), incidents (attack occurred_at or first_seen), drug seizures
    (seized_at), sightings and campaigns (first_seen), relationships (start_time)."""
    return timeline.events(conn, principal, around=around, text=q, types=type, limit=limit)
