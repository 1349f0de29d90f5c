"""The "same entity" panel of object pages: merges to see, make and split (htmx fragments)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import LiaisonError
from liaison.http.deps import Conn, attempt
from liaison.intel import merges
from liaison.intel.annotations import audience_choices
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter()


def _panel(request: Request, conn: Connection, principal: Principal, stix_id: str, error: LiaisonError | None = None):
    found = merges.merges_of(conn, principal, stix_id)
    audiences, _default = audience_choices(conn, principal)
    return render(
        request,
        "object_merges.html",
        principal,
        stix_id=stix_id,
        merges=found,
        audiences=audiences,
        error=error.message if error else None,
    )


@router.get("/objects/{stix_id}/merges-panel")
def merges_panel(request: Request, stix_id: str, conn: Conn, principal: Principal = Depends(web_principal)):
    return _panel(request, conn, principal, stix_id)


@router.post("/objects/{stix_id}/merge")
def merge(
    request: Request,
    stix_id: str,
    other: Annotated[str, Form()],
    conn: Conn,
    role: Annotated[str, Form()] = "duplicate",
    audience: Annotated[str, Form()] = "auto",
    principal: Principal = Depends(csrf_protect),
):
    """This object is a duplicate of `other` (role 'duplicate'), or `other` of this one ('canonical')."""
    duplicate, canonical = (stix_id, other.strip()) if role == "duplicate" else (other.strip(), stix_id)
    with attempt(conn) as tried:
        merges.merge(conn, principal, duplicate, canonical, audience=audience)
    return _panel(request, conn, principal, stix_id, tried.error)


@router.post("/objects/{stix_id}/merges/{relationship_id}/split")
def split(
    request: Request, stix_id: str, relationship_id: str, conn: Conn, principal: Principal = Depends(csrf_protect)
):
    with attempt(conn) as tried:
        merges.split(conn, principal, relationship_id)
    return _panel(request, conn, principal, stix_id, tried.error)
