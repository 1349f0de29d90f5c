"""Full-text search over the objects the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from liaison.http.deps import Caller, Conn
from liaison.intel import objects
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


class SearchPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[SearchHit]


@router.get("/search", response_model=SearchPage, summary="Search the text of the objects you may see")
def search(
    principal: Caller,
    conn: Conn,
    q: str = "",
    type: Annotated[list[str], Query()] = [],
    owner: str | None = None,
    tlp: str | None = None,
    modified_from: str | None = None,
    modified_until: str | None = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 25,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """`q` searches names, aliases, values, descriptions, notes, opinions and report texts in
    web-search syntax (all words; "a phrase"; -excluded; `or`). Filters: `type` (repeatable),
    `owner` (organisation name), `tlp` (a level or `none`), `modified_from`/`modified_until`
    (dates, inclusive, or timestamps). Only the latest version of each object you may see counts."""
    results = service.search(
        conn,
        principal,
        q=q,
        types=type,
        owner=owner,
        tlp=tlp,
        modified_from=modified_from,
        modified_until=modified_until,
        limit=limit,
        offset=offset,
    )
    return {
        "total": results.total,
        "limit": results.limit,
        "offset": results.offset,
        "items": [
            {
                "id": h.stix_id,
                "type": h.type,
                "name": h.name,
                "modified": h.modified,
                "tlp": h.tlp,
                "summary": h.summary,
                "holdings": [objects.holding_dict(x) for x in h.holdings],
            }
            for h in results.hits
        ],
    }
