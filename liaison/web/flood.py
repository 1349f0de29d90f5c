"""The correlation flood control page (linked from the administration page): the warning lists and
the exclusions that shape correlations. Admins change their organisation's, the operator the
instance's; analysts and readers see what applies to them. The rules, and the audit of every
change, live in liaison.intel.flood."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import LiaisonError
from liaison.http.deps import Conn
from liaison.intel import flood
from liaison.web import changes
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter(prefix="/admin/correlation")
PATH = "/admin/correlation"


def _page(request: Request, conn: Connection, principal: Principal, status_code: int = 200, **extra):
    return render(
        request,
        "flood.html",
        principal,
        status_code=status_code,
        done=request.query_params.get("done"),
        lists=flood.warning_lists(conn, principal),
        exclusions=flood.list_exclusions(conn, principal),
        whats=flood.WHATS,
        **extra,
    )


@router.get("")
def flood_page(request: Request, conn: Conn, principal: Principal = Depends(web_principal)):
    return _page(request, conn, principal)


def _change(
    request: Request, conn: Connection, principal: Principal, section: str, done: str, change: Callable[[], object]
):
    """Apply `change`, then go back to the page (showing the error, if any)."""

    def refused(error: LiaisonError):
        return _page(request, conn, principal, error.status, error=error.message, section=section)

    return changes.apply(conn, change, back=PATH, done=done, section=section, refused=refused)


#: Every change needs the session's CSRF token; who may make it, liaison.intel.flood decides.
Admin = Depends(csrf_protect)


@router.post("/warninglists")
def switch_list(
    request: Request,
    conn: Conn,
    name: str = Form(""),
    enabled: str = Form(""),
    principal: Principal = Admin,
):
    on = enabled == "on"
    return _change(
        request,
        conn,
        principal,
        "warninglists",
        f"{name} switched {'on' if on else 'off'}",
        lambda: flood.set_warning_list(conn, principal, name, on),
    )


@router.post("/exclusions")
def add_exclusion(
    request: Request,
    conn: Conn,
    what: str = Form("value"),
    value: str = Form(""),
    type: str = Form(""),
    principal: Principal = Admin,
):
    return _change(
        request,
        conn,
        principal,
        "exclusions",
        f"{what} {value.strip()} excluded",
        lambda: flood.add_exclusion(conn, principal, what, value, type.strip() or None),
    )


@router.post("/exclusions/{exclusion_id}/remove")
def remove_exclusion(
    request: Request, conn: Conn, exclusion_id: Annotated[int, Path(ge=1, le=2**31 - 1)], principal: Principal = Admin
):
    return _change(
        request,
        conn,
        principal,
        "exclusions",
        f"Exclusion #{exclusion_id} removed",
        lambda: flood.remove_exclusion(conn, principal, exclusion_id),
    )
