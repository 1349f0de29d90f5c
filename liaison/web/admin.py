"""Administration pages: the operator's (organisations, partners and their sync accounts, group
repairs, locked addresses) and each organisation admin's (its users, tokens, lock-outs and
sharing groups). The rules, and the audit of every change, live in liaison.administration."""

from __future__ import annotations

from typing import Callable

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine

from liaison import administration as admin
from liaison.access.principal import Principal
from liaison.http.deps import get_engine
from liaison.errors import InvalidInput, LiaisonError
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter(prefix="/admin")


async def _page(request: Request, engine: Engine, principal: Principal, status_code: int = 200, **extra):
    view = await run_in_threadpool(admin.overview, engine, principal)
    return render(request, "admin.html", principal, status_code=status_code,
                  done=request.query_params.get("done"), view=view, **extra)


@router.get("")
async def admin_page(request: Request, principal: Principal = Depends(web_principal),
                     engine: Engine = Depends(get_engine)):
    return await _page(request, engine, principal)


async def _change(request: Request, engine: Engine, principal: Principal, section: str, done: str,
                  change: Callable[[], object]):
    """Apply `change` (which audits itself), then go back to the admin page (showing the error, if any)."""
    try:
        await run_in_threadpool(change)
    except LiaisonError as exc:
        return await _page(request, engine, principal, exc.status, error=exc.message, section=section)
    return RedirectResponse(f"/admin?done={done}#{section}", status_code=303)


#: Every change needs the session's CSRF token; who may make it, liaison.administration decides.
Admin = Depends(csrf_protect)
DB = Depends(get_engine)


@router.post("/orgs")
async def add_org(request: Request, name: str = Form(""), admin_name: str = Form(""), password: str = Form(""),
                  principal: Principal = Admin, engine: Engine = DB):
    return await _change(request, engine, principal, "orgs", f"Organisation {name.strip()} added",
                         lambda: admin.add_org(engine, principal, name, admin_name, password))


@router.post("/users")
async def add_user(request: Request, name: str = Form(""), role: str = Form("analyst"), password: str = Form(""),
                   org: str = Form(""), principal: Principal = Admin, engine: Engine = DB):
    return await _change(request, engine, principal, "users", f"User {name.strip()} added",
                         lambda: admin.add_user(engine, principal, name, role, password, org or None))


@router.post("/users/{name}/role")
async def change_role(request: Request, name: str, role: str = Form(...), principal: Principal = Admin,
                      engine: Engine = DB):
    return await _change(request, engine, principal, "users", f"{name} is now {role}",
                         lambda: admin.set_role(engine, principal, name, role))


@router.post("/users/{name}/{state}")
async def set_state(request: Request, name: str, state: str, principal: Principal = Admin, engine: Engine = DB):
    def change():
        if state not in ("disable", "enable"):
            raise InvalidInput("a user is disabled or enabled")
        admin.set_disabled(engine, principal, name, state == "disable")

    return await _change(request, engine, principal, "users", f"{name} {state}d", change)


@router.post("/tokens")
async def create_token(request: Request, user: str = Form(""), name: str = Form("api"), scope: str = Form(""),
                       days: int = Form(90), principal: Principal = Admin, engine: Engine = DB):
    """Create a token and show it, this once."""
    label = name.strip() or "api"
    try:
        token = await run_in_threadpool(admin.create_token, engine, principal, user, label, scope or None, days)
    except LiaisonError as exc:
        return await _page(request, engine, principal, exc.status, error=exc.message, section="tokens")
    return await _page(request, engine, principal, new_token={"user": user, "name": label, "token": token},
                       section="tokens")


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: int, principal: Principal = Admin, engine: Engine = DB):
    return await _change(request, engine, principal, "tokens", f"Token #{token_id} revoked",
                         lambda: admin.revoke_token(engine, principal, token_id))


@router.post("/unlock")
async def unlock(request: Request, key: str = Form(""), principal: Principal = Admin, engine: Engine = DB):
    return await _change(request, engine, principal, "locks", f"{key.partition(':')[2]} unlocked",
                         lambda: admin.unlock(engine, principal, key))


@router.post("/groups")
async def add_group(request: Request, name: str = Form(""), description: str = Form(""),
                    principal: Principal = Admin, engine: Engine = DB):
    return await _change(request, engine, principal, "groups", f"Group {name.strip()} added",
                         lambda: admin.create_group(engine, principal, name, description))


_GROUP_ACTIONS = {
    "invite": ("{org} invited to {group}", lambda e, p, g, o: admin.invite(e, p, g, o)),
    "uninvite": ("Invitation of {org} to {group} withdrawn", lambda e, p, g, o: admin.withdraw_invitation(e, p, g, o)),
    "accept": ("Joined {group}", lambda e, p, g, o: admin.answer_invitation(e, p, g, True, o or None)),
    "decline": ("Invitation to {group} declined", lambda e, p, g, o: admin.answer_invitation(e, p, g, False, o or None)),
    "leave": ("Left {group}", lambda e, p, g, o: admin.leave(e, p, g)),
    "owner": ("{org} now owns {group}", lambda e, p, g, o: admin.hand_over(e, p, g, o)),
    "remove": ("{org} removed from {group}", lambda e, p, g, o: admin.remove_member(e, p, g, o)),
}


@router.post("/groups/{group}/members")
async def group_member(request: Request, group: str, org: str = Form(""), action: str = Form("invite"),
                       principal: Principal = Admin, engine: Engine = DB):
    """Invitations, answers, leaving and handing over (admins); removing, handing over and
    answering for partners (operator)."""
    done, act = _GROUP_ACTIONS.get(action, _GROUP_ACTIONS["invite"])
    return await _change(request, engine, principal, "groups", done.format(org=org, group=group),
                         lambda: act(engine, principal, group, org))


@router.post("/partners")
async def add_partner(request: Request, name: str = Form(""), url: str = Form(""), token: str = Form(""),
                      public_key: str = Form(""), principal: Principal = Admin, engine: Engine = DB):
    return await _change(request, engine, principal, "partners", f"Partner {name.strip()} added",
                         lambda: admin.add_partner(engine, principal, name, url, token, public_key))
