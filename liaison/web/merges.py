"""The "same entity" panel of object pages: merges to see, make and split (htmx fragments)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool

from liaison.access.principal import Principal
from liaison.http.deps import get_engine
from liaison.errors import LiaisonError
from liaison.intel import merges
from liaison.intel.annotations import audience_choices
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter()


async def _panel(request: Request, engine, principal: Principal, stix_id: str, error: LiaisonError | None = None):
    found = await run_in_threadpool(merges.merges_of, engine, principal, stix_id)
    audiences, _default = await run_in_threadpool(audience_choices, engine, principal)
    return render(request, "object_merges.html", principal, stix_id=stix_id, merges=found, audiences=audiences,
                  error=error.message if error else None)


@router.get("/objects/{stix_id}/merges-panel")
async def merges_panel(request: Request, stix_id: str, principal: Principal = Depends(web_principal),
                       engine=Depends(get_engine)):
    return await _panel(request, engine, principal, stix_id)


@router.post("/objects/{stix_id}/merge")
async def merge(request: Request, stix_id: str, other: Annotated[str, Form()], role: Annotated[str, Form()] = "duplicate",
                audience: Annotated[str, Form()] = "auto", principal: Principal = Depends(csrf_protect),
                engine=Depends(get_engine)):
    """This object is a duplicate of `other` (role 'duplicate'), or `other` of this one ('canonical')."""
    duplicate, canonical = (stix_id, other.strip()) if role == "duplicate" else (other.strip(), stix_id)
    try:
        await run_in_threadpool(lambda: merges.merge(engine, principal, duplicate, canonical, audience=audience))
    except LiaisonError as exc:
        return await _panel(request, engine, principal, stix_id, exc)
    return await _panel(request, engine, principal, stix_id)


@router.post("/objects/{stix_id}/merges/{relationship_id}/split")
async def split(request: Request, stix_id: str, relationship_id: str, principal: Principal = Depends(csrf_protect),
                engine=Depends(get_engine)):
    try:
        await run_in_threadpool(merges.split, engine, principal, relationship_id)
    except LiaisonError as exc:
        return await _panel(request, engine, principal, stix_id, exc)
    return await _panel(request, engine, principal, stix_id)
