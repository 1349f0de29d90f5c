"""Graph explorer, map and timeline pages, the JSON their scripts load (same session, same
rights), and the relations fragment of object pages."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import LiaisonError
from liaison.http.deps import Conn
from liaison.http.errors import error_response
from liaison.intel import export, geo, graph, objects, timeline
from liaison.intel.naming import object_name
from liaison.web import downloads
from liaison.web.auth import web_principal
from liaison.web.templating import render

router = APIRouter()
#: How many objects the graph's start-object search offers.
PICKS = 12
#: Event types in the order the timeline's legend shows them.
EVENT_LABELS = {
    "report": "Reports",
    "incident": "Incidents",
    "drug-seizure": "Seizures",
    "sighting": "Sightings",
    "campaign": "Campaigns",
    "relationship": "Relationships",
}
FEATURE_LABELS = {
    "location": "Places",
    "trafficking-route": "Trafficking routes",
    "incident": "Incidents",
    "drug-seizure": "Drug seizures",
    "sighting": "Sightings",
}


def _json(call: Callable[[], object]) -> Response:
    """The result of `call` (a read) as JSON, or its error as a JSON error document (scripts read
    both)."""
    try:
        payload = call()
    except LiaisonError as exc:
        return error_response(exc.status, exc.code, exc.message, **exc.details)
    return Response(orjson.dumps(payload), media_type="application/json")


def _title(conn: Connection, principal: Principal, stix_id: str | None) -> dict | None:
    """The object a page is about, as {id, type, name}; NotFound when it is not visible."""
    if not stix_id:
        return None
    obj = orjson.loads(objects.get_object(conn, principal, stix_id).raw)
    return {"id": stix_id, "type": obj["type"], "name": object_name(obj)}


def _about(conn: Connection, principal: Principal, stix_id: str | None) -> dict:
    """The page context of the object a page is about: `centre`, or `problem` (why it cannot be
    shown) with the status to answer."""
    try:
        return {"centre": _title(conn, principal, stix_id), "problem": None, "status_code": 200}
    except LiaisonError as exc:
        return {"centre": None, "problem": exc.message, "status_code": exc.status}


@router.get("/graph")
def graph_page(request: Request, conn: Conn, id: str | None = None, principal: Principal = Depends(web_principal)):
    return render(request, "graph.html", principal, **_about(conn, principal, id))


@router.get("/graph/export")
def graph_export(id: str, conn: Conn, principal: Principal = Depends(web_principal)):
    """The graph around `id` as drawn, as a STIX bundle with what its objects refer to."""
    found = export.of_graph(conn, principal, id)
    return downloads.bundle(found, "graph-" + id.replace("--", "_") + ".json")


@router.get("/graph/neighbourhood")
def graph_data(
    id: str,
    conn: Conn,
    relationship_type: Annotated[list[str], Query()] = [],
    principal: Principal = Depends(web_principal),
):
    return _json(
        lambda: graph.neighbourhood(conn, principal, id, relationship_types=relationship_type or None).as_dict()
    )


@router.get("/graph/find")
def graph_find(conn: Conn, q: str = "", principal: Principal = Depends(web_principal)):
    """Objects whose name contains `q`, to start a graph from."""

    def find():
        if not q.strip():
            return []
        page = objects.list_objects(conn, principal, objects.make_filters(conn, text=q.strip()), limit=PICKS)
        found = [orjson.loads(view.raw) for view in page.items]
        return [{"id": obj["id"], "type": obj["type"], "name": object_name(obj)} for obj in found]

    return _json(find)


@router.get("/map")
def map_page(request: Request, conn: Conn, around: str | None = None, principal: Principal = Depends(web_principal)):
    return render(request, "map.html", principal, feature_labels=FEATURE_LABELS, **_about(conn, principal, around))


@router.get("/map/features")
def map_data(conn: Conn, around: str | None = None, principal: Principal = Depends(web_principal)):
    return _json(lambda: geo.features(conn, principal, around=around or None))


@router.get("/timeline")
def timeline_page(
    request: Request,
    conn: Conn,
    id: str | None = None,
    q: str | None = None,
    type: Annotated[list[str], Query()] = [],
    principal: Principal = Depends(web_principal),
):
    about = _about(conn, principal, id)
    result = {"events": [], "truncated": False}
    if not about["problem"]:
        try:
            result = timeline.events(conn, principal, around=id or None, text=None if id else q, types=type)
        except LiaisonError as exc:
            about.update(problem=exc.message, status_code=exc.status)
    found = result["events"]
    return render(
        request,
        "timeline.html",
        principal,
        q=q or "",
        labels=EVENT_LABELS,
        months=[(month, _month_label(month), items) for month, items in timeline.by_month(found)],
        overview=_overview_bars(timeline.overview(found)),
        count=len(found),
        type_counts={t: sum(1 for e in found if e["type"] == t) for t in EVENT_LABELS},
        truncated=result["truncated"],
        **about,
    )


def _month_label(month: str) -> str:
    """ "2025-03" -> "March 2025"."""
    return f"{calendar.month_name[int(month[5:7])]} {month[:4]}"


def _overview_bars(months: list[dict], *, width: int = 1100, height: int = 64) -> dict:
    """The timeline's overview as SVG geometry about `width` wide: per month a column of bars
    stacked by type."""
    column = max(6, min(40, width // max(len(months), 1)))
    bar = max(2, column - max(2, column // 4))
    tallest = max((sum(m["counts"].values()) for m in months), default=0)
    columns = []
    for n, month in enumerate(months):
        y, segments = height, []
        for kind in EVENT_LABELS:
            count = month["counts"].get(kind, 0)
            if count:
                size = max(2, round(count * (height - 4) / tallest))
                y -= size
                segments.append({"type": kind, "y": y, "height": size, "count": count})
        columns.append(
            {
                "month": month["month"],
                "label": _month_label(month["month"]),
                "x": n * column,
                "total": sum(month["counts"].values()),
                "segments": segments,
                "year": month["month"][:4] if n == 0 or month["month"].endswith("-01") else None,
            }
        )
    return {"width": max(len(months), 1) * column, "height": height, "column": column, "bar": bar, "columns": columns}


@router.get("/objects/{stix_id}/relations")
def relations_fragment(
    request: Request, stix_id: str, conn: Conn, in_graph: bool = False, principal: Principal = Depends(web_principal)
):
    """The object's relations as a table (loaded into object pages by htmx; `in_graph`: the graph
    page's list view, whose rows also re-centre the graph)."""
    rows, truncated = graph.relations(conn, principal, stix_id)
    return render(
        request, "viz_relations.html", principal, stix_id=stix_id, rows=rows, truncated=truncated, in_graph=in_graph
    )
