"""Full-text search over the objects the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from liaison.http.deps import Caller, Conn, ReaderCaller
from liaison.http.search_query import SearchQuery
from liaison.intel import objects
from liaison.intel import saved_searches as saved
from liaison.intel import search as service

router = APIRouter(tags=["search"])


class SearchHit(BaseModel):
    id: str
    type: str
    name: str
    modified: str
    tlp: str | None
    summary: str
    holdings: list[dict[str, str]]
    #: How it matched: 'exact name', 'name', 'word of a name', 'start of a name', 'start of a word
    #: of a name', 'near a name' (a typo away) or 'text'.
    matched: str


class FacetValue(BaseModel):
    value: str | None
    count: int


class SearchPage(BaseModel):
    total: int
    limit: int
    offset: int
    order: str
    items: list[SearchHit]
    #: With `facets=true`: counts by type, tlp and owner, each with the other filters applied.
    facets: dict[str, list[FacetValue]] | None = None


@router.get("/search", response_model=SearchPage, summary="Search the text of the objects you may see")
def search(
    principal: Caller,
    conn: Conn,
    query: SearchQuery,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 25,
    offset: Annotated[int, Query(ge=0)] = 0,
    facets: bool = False,
):
    """`q` searches names, aliases, values, descriptions, notes, opinions and report texts in
    web-search syntax (all words; "a phrase"; -excluded; `or`). Filters: `type` (repeatable),
    `owner` (organisation name), `tlp` (a level or `none`), `modified_from`/`modified_until`
    (dates, inclusive, or timestamps). Only the latest version of each object you may see counts.

    The words are also read as a name, folded as extraction folds names (Khamidov and Hamidov,
    Shirzai and Shirzay meet), and match by the start of a name or of one of its words and within
    a typo. By relevance: exact names and aliases first, then other name matches, then text
    matches, the newest first within each; nothing about objects you may not see orders them."""
    results = service.search(conn, principal, **query, limit=limit, offset=offset, with_facets=facets)
    return {
        "total": results.total,
        "limit": results.limit,
        "offset": results.offset,
        "order": results.order,
        "facets": {k: [{"value": v, "count": n} for v, n in values] for k, values in results.facets.items()}
        if results.facets is not None
        else None,
        "items": [
            {
                "id": h.stix_id,
                "type": h.type,
                "name": h.name,
                "modified": h.modified,
                "tlp": h.tlp,
                "summary": h.summary,
                "holdings": [objects.holding_dict(x) for x in h.holdings],
                "matched": h.matched,
            }
            for h in results.hits
        ],
    }


class SavedSearchIn(BaseModel):
    """A search to save: its name and the search's parameters (as GET /search takes them)."""

    name: str
    q: str = ""
    type: list[str] = []
    owner: str | None = None
    tlp: str | None = None
    modified_from: str | None = None
    modified_until: str | None = None
    order: str | None = None


@router.get("/saved-searches", summary="Your saved searches")
def list_saved_searches(principal: ReaderCaller, conn: Conn):
    return {"items": [s.as_dict() for s in saved.list_saved(conn, principal)]}


@router.post("/saved-searches", status_code=201, summary="Save a search under a name")
def save_search(body: SavedSearchIn, principal: ReaderCaller, conn: Conn):
    """Checked as GET /search checks it; 409 when you already have a saved search of that name.
    Saved searches are yours alone: other users, admins included, neither see nor run them."""
    params = body.model_dump(exclude={"name"})
    return saved.save(conn, principal, body.name, params).as_dict()


@router.get("/saved-searches/{search_id}", summary="One of your saved searches")
def get_saved_search(search_id: str, principal: ReaderCaller, conn: Conn):
    return saved.get_saved(conn, principal, search_id).as_dict()


@router.delete("/saved-searches/{search_id}", status_code=204, summary="Delete one of your saved searches")
def delete_saved_search(search_id: str, principal: ReaderCaller, conn: Conn):
    saved.delete(conn, principal, search_id)
    return Response(status_code=204)
