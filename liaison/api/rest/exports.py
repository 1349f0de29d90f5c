"""Exports with their references: an object (a report), the graph around one, a search's results
as a STIX bundle; a search's results as CSV."""

from __future__ import annotations

from fastapi import APIRouter, Response

from liaison.http.deps import Caller, Conn
from liaison.http.search_query import SearchQuery
from liaison.intel import export
from liaison.intel.export import Closure

router = APIRouter(tags=["export"])
_STIX = "application/stix+json;version=2.1"
_BUNDLE = {200: {"content": {_STIX: {}}}}


def _bundle(found: Closure, filename: str) -> Response:
    return Response(
        found.bundle(),
        media_type=_STIX,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # References to objects you may not see: they stay unresolved in the file.
            "X-Liaison-Unresolved-References": str(len(found.unresolved)),
            # Referenced objects left out by their marking (stricter, or another organisation's).
            "X-Liaison-Withheld-References": str(len(found.withheld)),
        },
    )


@router.get("/objects/{stix_id}/bundle", summary="An object with what it refers to", responses=_BUNDLE)
def object_bundle(stix_id: str, principal: Caller, conn: Conn):
    """The object (a report, say) and, transitively, what it refers to — objects, relationships'
    ends, identities, marking and extension definitions — as you see them, so that a partner
    importing the file finds its references. `X-Liaison-Unresolved-References` counts references
    to objects you may not see, which the file cannot carry; `X-Liaison-Withheld-References` those
    left out by their marking: stricter than the object's own, or TLP:AMBER or stricter and held
    by other organisations only (theirs to hand on)."""
    return _bundle(export.of_object(conn, principal, stix_id), stix_id.replace("--", "_") + ".json")


@router.get("/objects/{stix_id}/neighbourhood/bundle", summary="The graph around an object", responses=_BUNDLE)
def graph_bundle(stix_id: str, principal: Caller, conn: Conn):
    """The objects and links of GET …/neighbourhood, with what they refer to."""
    return _bundle(export.of_graph(conn, principal, stix_id), "graph-" + stix_id.replace("--", "_") + ".json")


@router.get("/search/bundle", summary="A search's results with what they refer to", responses=_BUNDLE)
def search_bundle(principal: Caller, conn: Conn, query: SearchQuery):
    """GET /search's parameters; at most 5,000 results, best first."""
    return _bundle(export.of_search(conn, principal, query), "search.json")


@router.get("/search.csv", summary="A search's results as CSV", responses={200: {"content": {"text/csv": {}}}})
def search_csv(principal: Caller, conn: Conn, query: SearchQuery):
    """One row per result (name, type, id, modified, TLP, owners, audiences, how it matched, summary);
    cells that a spreadsheet would run as a formula start with an apostrophe."""
    return Response(
        export.search_csv(conn, principal, query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="search.csv"'},
    )
