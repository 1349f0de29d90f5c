"""Graph neighbourhood, map features and timelines of what the caller may see."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from liaison.access.principal import Principal
from liaison.http.deps import current_principal, get_engine
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


@router.get("/objects/{stix_id}/neighbourhood", response_model=Neighbourhood,
            summary="The objects linked to an object, as a graph")
async def neighbourhood(
    stix_id: str,
    relationship_type: Annotated[list[str], Query(description="keep only links with these labels (repeatable)")] = [],
    limit: Annotated[int, Query(ge=1, le=graph.MAX_LIMIT)] = 150,
    principal: Principal = Depends(current_principal),
    engine=Depends(get_engine),
):
    """Nodes and edges: relationships to and from the object, the references it embeds and the
    objects referring to it (reports, notes, opinions, sightings). A link appears only when both
    it and its other end are visible to you. Labels are relationship types or reference
    properties (`object_refs`, `location_ref`, ...); `created_by_ref` and marking references only
    appear when named in `relationship_type`."""
    result = await run_in_threadpool(graph.neighbourhood, engine, principal, stix_id,
                                     relationship_types=relationship_type or None, limit=limit)
    return result.as_dict()


@router.get("/map", response_model=FeatureCollection, summary="Map features (GeoJSON)")
async def map_features(
    type: Annotated[list[str], Query(description=f"feature types: {', '.join(geo.FEATURE_TYPES)}")] = [],
    since: Annotated[str | None, Query(description="a date (2025-01-31) or timestamp")] = None,
    until: Annotated[str | None, Query(description="a date (2025-01-31) or timestamp")] = None,
    around: Annotated[str | None, Query(description="only the features of this object and those linked to it")] = None,
    principal: Principal = Depends(current_principal),
    engine=Depends(get_engine),
):
    """Locations with coordinates, incidents, drug seizures and sightings as points at the
    locations they refer to, trafficking routes as lines through their waypoints. Coordinates are
    [longitude, latitude]; dated features outside `since`..`until` are left out."""
    return await run_in_threadpool(lambda: geo.features(engine, principal, types=type, since=since, until=until,
                                                        around=around))


@router.get("/timeline", response_model=Timeline, summary="Dated events, newest first")
async def events(
    around: Annotated[str | None, Query(description="an object: its events and those of objects linked to it")] = None,
    q: Annotated[str | None, Query(description="text in the name of the objects to follow")] = None,
    type: Annotated[list[str], Query(description=f"event types: {', '.join(timeline.EVENT_TYPES)}")] = [],
    limit: Annotated[int, Query(ge=1, le=timeline.MAX_LIMIT)] = 200,
    principal: Principal = Depends(current_principal),
    engine=Depends(get_engine),
):
    """Reports (published), incidents (attack occurred_at or first_seen), drug seizures
    (seized_at), sightings and campaigns (first_seen), relationships (start_time)."""
    return await run_in_threadpool(lambda: timeline.events(engine, principal, around=around, text=q, types=type,
                                                           limit=limit))
