"""Correlation panels of the web UI (htmx fragments): on object pages, the other objects the
viewer may see that share a value with this one, and why; on a draft's review, which objects the
viewer may see already carry each observable, before it is published; on a report, what
correlates with each object it refers to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from liaison.access.principal import Principal
from liaison.errors import InvalidInput
from liaison.http.deps import Conn, SettingsDep
from liaison.intel import correlation
from liaison.web.auth import web_principal
from liaison.web.templating import render

router = APIRouter()

#: Hits per page of the object panel.
PAGE = 50
#: Hits listed under a draft's observable (the count says how many there are).
DRAFT_HITS = 5


@router.get("/objects/{stix_id}/correlations")
def correlations_fragment(
    request: Request,
    stix_id: str,
    conn: Conn,
    settings: SettingsDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    principal: Principal = Depends(web_principal),
):
    found = correlation.correlations(conn, principal, stix_id, limit=PAGE, offset=offset, cap=settings.correlation_cap)
    return render(request, "correlations.html", principal, stix_id=stix_id, found=found, page=PAGE)


@router.get("/correlations/value")
def value_fragment(
    request: Request,
    conn: Conn,
    settings: SettingsDep,
    value: Annotated[str, Query(min_length=1, max_length=2048)],
    type: str | None = None,
    principal: Principal = Depends(web_principal),
):
    """What the viewer may see that carries one value (a draft's observable)."""
    try:
        found = correlation.carrying(conn, principal, value, type, limit=DRAFT_HITS, cap=settings.correlation_cap)
    except InvalidInput:
        found = None  # a kind that does not correlate: nothing to say
    return render(request, "correlations_value.html", principal, found=found)


@router.get("/reports/{report_id}/correlations")
def report_fragment(
    request: Request,
    report_id: str,
    conn: Conn,
    settings: SettingsDep,
    principal: Principal = Depends(web_principal),
):
    """What correlates with the observables and indicators a report refers to."""
    members = correlation.of_report(conn, principal, report_id, cap=settings.correlation_cap)
    return render(request, "correlations_report.html", principal, report_id=report_id, members=members)
