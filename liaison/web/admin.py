"""Administration pages (admin role only): organisations, users, API tokens, sharing groups and
partner instances. Every change is recorded in the audit log."""

from __future__ import annotations

from typing import Callable

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine

from liaison import accounts, audit
from liaison.access.principal import Principal, Role
from liaison.api.deps import get_engine
from liaison.errors import InvalidInput, LiaisonError
from liaison.federation import partners, sync
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter(prefix="/admin")


async def admin_principal(principal: Principal = Depends(web_principal)) -> Principal:
    principal.require_admin()
    return principal


async def admin_change(principal: Principal = Depends(csrf_protect)) -> Principal:
    principal.require_admin()
    return principal


def _context(engine: Engine) -> dict:
    return {
        "orgs": accounts.list_orgs(engine), "users": accounts.list_users(engine),
        "tokens": accounts.list_tokens(engine), "groups": accounts.list_groups(engine),
        "partners": sync.status(engine), "roles": [r.value for r in Role],
    }


async def _page(request: Request, engine: Engine, principal: Principal, status_code: int = 200, **extra):
    context = await run_in_threadpool(_context, engine)
    return render(request, "admin.html", principal, status_code=status_code,
                  done=request.query_params.get("done"), **context, **extra)


@router.get("")
async def admin_page(request: Request, principal: Principal = Depends(admin_principal),
                     engine: Engine = Depends(get_engine)):
    return await _page(request, engine, principal)


async def _change(request: Request, engine: Engine, principal: Principal, section: str, done: str,
                  action: str, target: str, change: Callable[[], object], **detail):
    """Apply `change`, audit it, and go back to the admin page (showing the error, if any)."""
    try:
        await run_in_threadpool(change)
    except LiaisonError as exc:
        return await _page(request, engine, principal, exc.status, error=exc.message, section=section)
    await run_in_threadpool(audit.record_now, engine, principal.user_name, action, target, **detail)
    return RedirectResponse(f"/admin?done={done}#{section}", status_code=303)


@router.post("/orgs")
async def add_org(request: Request, name: str = Form(""), principal: Principal = Depends(admin_change),
                  engine: Engine = Depends(get_engine)):
    return await _change(request, engine, principal, "orgs", f"Organisation {name.strip()} added",
                         "admin.org-add", name.strip(), lambda: accounts.create_org(engine, name))


@router.post("/users")
async def add_user(request: Request, name: str = Form(""), org: str = Form(""), role: str = Form("analyst"),
                   password: str = Form(""), principal: Principal = Depends(admin_change),
                   engine: Engine = Depends(get_engine)):
    name = name.strip()

    def create():
        if not name:
            raise InvalidInput("a user needs a name")
        if len(password) < 10:
            raise InvalidInput("the password needs at least 10 characters")
        accounts.create_user(engine, name, org, role, password)

    return await _change(request, engine, principal, "users", f"User {name} added", "admin.user-add", name,
                         create, org=org, role=role)


@router.post("/users/{name}/role")
async def change_role(request: Request, name: str, role: str = Form(...),
                      principal: Principal = Depends(admin_change), engine: Engine = Depends(get_engine)):
    def change():
        if name == principal.user_name and role != Role.ADMIN:
            raise InvalidInput("you cannot take the admin role from yourself")
        accounts.set_role(engine, name, role)

    return await _change(request, engine, principal, "users", f"{name} is now {role}", "admin.user-role", name,
                         change, role=role)


@router.post("/users/{name}/{state}")
async def set_state(request: Request, name: str, state: str, principal: Principal = Depends(admin_change),
                    engine: Engine = Depends(get_engine)):
    def change():
        if state not in ("disable", "enable"):
            raise InvalidInput("a user is disabled or enabled")
        if name == principal.user_name:
            raise InvalidInput("you cannot disable yourself")
        accounts.set_disabled(engine, name, state == "disable")

    return await _change(request, engine, principal, "users", f"{name} {state}d", f"admin.user-{state}", name,
                         change)


@router.post("/tokens")
async def create_token(request: Request, user: str = Form(""), name: str = Form("api"),
                       principal: Principal = Depends(admin_change), engine: Engine = Depends(get_engine)):
    """Create a token and show it, this once."""
    label = name.strip() or "api"
    try:
        token = await run_in_threadpool(accounts.create_token, engine, user, label)
    except LiaisonError as exc:
        return await _page(request, engine, principal, exc.status, error=exc.message, section="tokens")
    await run_in_threadpool(audit.record_now, engine, principal.user_name, "admin.token-create", user, name=label)
    return await _page(request, engine, principal, new_token={"user": user, "name": label, "token": token},
                       section="tokens")


@router.post("/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: int, principal: Principal = Depends(admin_change),
                       engine: Engine = Depends(get_engine)):
    return await _change(request, engine, principal, "tokens", f"Token #{token_id} revoked", "admin.token-revoke",
                         str(token_id), lambda: accounts.revoke_token(engine, token_id))


@router.post("/groups")
async def add_group(request: Request, name: str = Form(""), description: str = Form(""),
                    members: list[str] = Form([]), principal: Principal = Depends(admin_change),
                    engine: Engine = Depends(get_engine)):
    name = name.strip()
    return await _change(request, engine, principal, "groups", f"Group {name} added", "admin.group-add", name,
                         lambda: accounts.create_group(engine, name, members, description.strip()), members=members)


@router.post("/groups/{group}/members")
async def group_member(request: Request, group: str, org: str = Form(""), action: str = Form("add"),
                       principal: Principal = Depends(admin_change), engine: Engine = Depends(get_engine)):
    adding = action != "remove"
    return await _change(
        request, engine, principal, "groups", f"{org} {'added to' if adding else 'removed from'} {group}",
        "admin.group-member-add" if adding else "admin.group-member-remove", group,
        lambda: accounts.change_group_member(engine, group, org, member=adding), org=org)


@router.post("/partners")
async def add_partner(request: Request, name: str = Form(""), url: str = Form(""), token: str = Form(""),
                      public_key: str = Form(""), principal: Principal = Depends(admin_change),
                      engine: Engine = Depends(get_engine)):
    name = name.strip()

    def add():
        if not name:
            raise InvalidInput("a partner needs a name")
        if url and not url.startswith(("https://", "http://")):
            raise InvalidInput("the partner's URL starts with https:// (or http://)")
        with engine.begin() as conn:
            partners.add_partner(conn, name, url.strip() or None, token.strip() or None, public_key.strip() or None)

    return await _change(request, engine, principal, "partners", f"Partner {name} added", "admin.partner-add",
                         name, add, url=url.strip() or None)
