"""Web UI pages: the dashboard and search here; login, objects, import and admin in their own
modules, all included in `router`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine

from liaison.access.principal import Action, Principal
from liaison.http.deps import get_engine
from liaison.errors import LiaisonError
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
async def dashboard(request: Request, principal: Principal = Depends(web_principal),
                    engine: Engine = Depends(get_engine)):
    if not principal.may(Action.READ):  # the operator reads no intelligence; its page is the administration
        return RedirectResponse("/admin", status_code=303)

    def load():
        _total, my_drafts = drafts.list_drafts(engine, principal, status="draft", limit=10)
        return {"shared": overview.recently_shared(engine, principal), "my_drafts": my_drafts,
                "drafts_total": _total, "counts": overview.type_counts(engine, principal)}

    return render(request, "dashboard.html", principal, **await run_in_threadpool(load))


@router.get("/search")
async def search(request: Request, q: str = "", type: Annotated[list[str], Query()] = [],  # noqa: B006
                 owner: str = "", tlp: str = "", modified_from: str = "", modified_until: str = "",
                 offset: Annotated[int, Query(ge=0)] = 0,
                 principal: Principal = Depends(web_principal), engine: Engine = Depends(get_engine)):
    params = {"q": q, "type": [t for t in type if t], "owner": owner, "tlp": tlp,
              "modified_from": modified_from, "modified_until": modified_until}

    def load():
        context = {"types": [t for t, _n in overview.type_counts(engine, principal)],
                   "organisations": overview.organisation_names(engine), "results": None, "error": None}
        try:
            context["results"] = search_service.search(
                engine, principal, q=q, types=params["type"], owner=owner or None, tlp=tlp or None,
                modified_from=modified_from or None, modified_until=modified_until or None,
                limit=PAGE_SIZE, offset=offset)
        except LiaisonError as exc:
            context["error"] = exc.message
        return context

    context = await run_in_threadpool(load)
    if request.headers.get("HX-Target") != "results":
        return render(request, "search.html", principal, params=params, tlp_levels=tlp_levels.LEVELS, **context)
    response = render(request, "search_results.html", principal, params=params, **context)
    response.headers["HX-Push-Url"] = f"/search?{query(params)}"  # the address without empty filters
    return response
