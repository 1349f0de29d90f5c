"""Web UI pages: the dashboard and search here; login, objects, import and admin in their own
modules, all included in `router`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from liaison.access.principal import Action, Principal
from liaison.errors import LiaisonError
from liaison.http.deps import Conn, attempt
from liaison.http.search_query import SearchQuery
from liaison.intel import drafts, export, overview, saved_searches
from liaison.intel import search as search_service
from liaison.stix import tlp as tlp_levels
from liaison.web import admin, alerts, authoring, changes, downloads, imports, login, merges, objects
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.filters import query
from liaison.web.templating import render

router = APIRouter()
for module in (login, authoring, objects, merges, imports, alerts, admin):  # /objects/new before /objects/{id}
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
    order: str = "",
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
        "order": order,
    }
    context = {
        "types": [t for t, _n in overview.type_counts(conn, principal)],
        "organisations": overview.organisation_names(conn),
        "orders": search_service.ORDERS,
        "saved": saved_searches.list_saved(conn, principal) if principal.may(Action.READ) else [],
        "results": None,
        "error": None,
        "done": request.query_params.get("done"),
        "refused": request.query_params.get("refused"),
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
            order=order or None,
            limit=PAGE_SIZE,
            offset=offset,
            with_facets=True,
        )
    except LiaisonError as exc:
        context["error"] = exc.message
    if request.headers.get("HX-Target") != "results":
        return render(request, "search.html", principal, params=params, tlp_levels=tlp_levels.LEVELS, **context)
    response = render(request, "search_results.html", principal, params=params, **context)
    response.headers["HX-Push-Url"] = f"/search?{query(params)}"  # the address without empty filters
    return response


@router.get("/search/export.json")
def search_bundle(conn: Conn, query: SearchQuery, principal: Principal = Depends(web_principal)):
    """The search's results as a STIX bundle with what they refer to."""
    return downloads.bundle(export.of_search(conn, principal, query), "search.json")


@router.get("/search/export.csv")
def search_csv(conn: Conn, query: SearchQuery, principal: Principal = Depends(web_principal)):
    """The search's results as CSV, for a spreadsheet."""
    return Response(
        export.search_csv(conn, principal, query),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="search.csv"'},
    )


@router.post("/search/saved")
async def save_search(
    request: Request, conn: Conn, name: Annotated[str, Form()], principal: Principal = Depends(csrf_protect)
):
    """Save the search the form carries (its hidden fields) under `name`; back to it (POST/redirect/GET)."""
    form = await request.form()
    params = {k: form.getlist(k) if k == "type" else form.get(k) for k in saved_searches.PARAMETERS}
    with attempt(conn) as tried:
        saved_searches.save(conn, principal, name, params)
    address = f"/search?{saved_searches.query_string(params)}"
    if tried.error:
        return changes.redirect(address, tried.error.message, "saved", key="refused")
    return changes.redirect(address, f"Saved as “{' '.join(name.split())}”", "saved")


@router.post("/search/saved/{search_id}/delete")
def delete_saved_search(request: Request, search_id: str, conn: Conn, principal: Principal = Depends(csrf_protect)):
    with attempt(conn) as tried:
        saved_searches.delete(conn, principal, search_id)
    if tried.error:
        return changes.redirect("/search", tried.error.message, "saved", key="refused")
    return changes.redirect("/search", "Saved search deleted", "saved")
