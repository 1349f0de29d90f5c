"""Web UI pages: the dashboard and search here; login, objects, import and admin in their own
modules, all included in `router`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse

from liaison.access.principal import Action, Principal
from liaison.errors import LiaisonError
from liaison.http.deps import Conn
from liaison.intel import drafts, overview
from liaison.intel import search as search_service
from liaison.stix import tlp as tlp_levels
from liaison.web import admin, imports, login, merges, objects
from liaison.web.auth import web_principal
from liaison.web.filters import query
from liaison.web.templating import render

router = APIRouter()
for module in (login, objects, merges, imports, admin):
    router.include_router(module.router)

PAGE_SIZE = 25


@router.get("/")
def dashboard(request: Request, conn: Conn, principal: Principal = Depends(web_principal)):
    if not principal.may(Action.READ):  # the operator reads no intelligence; its page is the administration
        return RedirectResponse("/admin", status_code=303)
    total, my_drafts = drafts.list_drafts(conn, principal, status="draft", limit=10)
    return render(
        request,
        "dashboard.html",
        principal,
        shared=overview.recently_shared(conn, principal),
        my_drafts=my_drafts,
        drafts_total=total,
        counts=overview.type_counts(conn, principal),
    )


@router.get("/search")
def search(
    request: Request,
    conn: Conn,
    q: str = "",
    type: Annotated[list[str], Query()] = [],
    owner: str = "",
    tlp: str = "",
    modified_from: str = "",
    modified_until: str = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    principal: Principal = Depends(web_principal),
):
    params = {
        "q": q,
        "type": [t for t in type if t],
        "owner": owner,
        "tlp": tlp,
        "modified_from": modified_from,
        "modified_until": modified_until,
    }
    context = {
        "types": [t for t, _n in overview.type_counts(conn, principal)],
        "organisations": overview.organisation_names(conn),
        "results": None,
        "error": None,
    }
    try:  # a read: a refused query changes nothing
        context["results"] = search_service.search(
            conn,
            principal,
            q=q,
            types=params["type"],
            owner=owner or None,
            tlp=tlp or None,
            modified_from=modified_from or None,
            modified_until=modified_until or None,
            limit=PAGE_SIZE,
            offset=offset,
        )
    except LiaisonError as exc:
        context["error"] = exc.message
    if request.headers.get("HX-Target") != "results":
        return render(request, "search.html", principal, params=params, tlp_levels=tlp_levels.LEVELS, **context)
    response = render(request, "search_results.html", principal, params=params, **context)
    response.headers["HX-Push-Url"] = f"/search?{query(params)}"  # the address without empty filters
    return response
