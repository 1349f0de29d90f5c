"""A search's parameters as the REST API and the web UI take them (GET /search, its exports)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query


def search_query(
    q: str = "",
    type: Annotated[list[str], Query(description="a STIX type; repeatable")] = [],
    owner: Annotated[str | None, Query(description="an organisation's name")] = None,
    tlp: Annotated[str | None, Query(description="a TLP level, or none")] = None,
    modified_from: Annotated[str | None, Query(description="a date (inclusive) or a timestamp")] = None,
    modified_until: Annotated[str | None, Query(description="a date (inclusive) or a timestamp")] = None,
    order: Annotated[str | None, Query(description="relevance (default with q), newest, oldest or name")] = None,
) -> dict:
    """The parameters of intel.search.search (empty ones as None)."""
    return {
        "q": q,
        "types": [t for t in type if t],
        "owner": owner or None,
        "tlp": tlp or None,
        "modified_from": modified_from or None,
        "modified_until": modified_until or None,
        "order": order or None,
    }


SearchQuery = Annotated[dict, Depends(search_query)]
