"""Administration pages: the operator's (organisations, partners and their sync accounts, group
repairs, locked addresses) and each organisation admin's (its users, tokens, lock-outs and
sharing groups). The rules, and the audit of every change, live in liaison.administration."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import Connection

from liaison import administration as admin
from liaison.access.principal import Principal
from liaison.errors import InvalidInput, LiaisonError
from liaison.http.deps import Conn, attempt
from liaison.web import changes
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter(prefix="/admin")


def _page(request: Request, conn: Connection, principal: Principal, status_code: int = 200, **extra):
    view = admin.overview(conn, principal)
    return render(
        request,
        "admin.html",
        principal,
        status_code=status_code,
        done=request.query_params.get("done"),
        view=view,
        **extra,
    )


@router.get("")
def admin_page(request: Request, conn: Conn, principal: Principal = Depends(web_principal)):
    return _page(request, conn, principal)


def _change(
    request: Request, conn: Connection, principal: Principal, section: str, done: str, change: Callable[[], object]
):
    """Apply `change`, then go back to the admin page (showing the error, if any)."""

    def refused(error: LiaisonError):
        return _page(request, conn, principal, error.status, error=error.message, section=section)

    return changes.apply(conn, change, back="/admin", done=done, section=section, refused=refused)


#: Every change needs the session's CSRF token; who may make it, liaison.administration decides.
Admin = Depends(csrf_protect)


@router.post("/orgs")
def add_org(
    request: Request,
    conn: Conn,
    name: str = Form(""),
    admin_name: str = Form(""),
    password: str = Form(""),
    principal: Principal = Admin,
):
    return _change(
        request,
        conn,
        principal,
        "orgs",
        f"Organisation {name.strip()} added",
        lambda: admin.add_org(conn, principal, name, admin_name, password),
    )


@router.post("/users")
def add_user(
    request: Request,
    conn: Conn,
    name: str = Form(""),
    role: str = Form("analyst"),
    password: str = Form(""),
    org: str = Form(""),
    principal: Principal = Admin,
):
    return _change(
        request,
        conn,
        principal,
        "users",
        f"User {name.strip()} added",
        lambda: admin.add_user(conn, principal, name, role, password, org or None),
    )


@router.post("/users/{name}/role")
def change_role(request: Request, conn: Conn, name: str, role: str = Form(...), principal: Principal = Admin):
    return _change(
        request, conn, principal, "users", f"{name} is now {role}", lambda: admin.set_role(conn, principal, name, role)
    )


@router.post("/users/{name}/{state}")
def set_state(request: Request, conn: Conn, name: str, state: str, principal: Principal = Admin):
    def change():
        if state not in ("disable", "enable"):
            raise InvalidInput("a user is disabled or enabled")
        admin.set_disabled(conn, principal, name, state == "disable")

    return _change(request, conn, principal, "users", f"{name} {state}d", change)


@router.post("/tokens")
def create_token(
    request: Request,
    conn: Conn,
    user: str = Form(""),
    name: str = Form("api"),
    scope: str = Form(""),
    days: int = Form(90),
    principal: Principal = Admin,
):
    """Create a token and show it, this once."""
    label = name.strip() or "api"
    with attempt(conn) as tried:
        token = admin.create_token(conn, principal, user, label, scope or None, days)
    if tried.error:
        return _page(request, conn, principal, tried.error.status, error=tried.error.message, section="tokens")
    return _page(request, conn, principal, new_token={"user": user, "name": label, "token": token}, section="tokens")


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, conn: Conn, token_id: int, principal: Principal = Admin):
    return _change(
        request,
        conn,
        principal,
        "tokens",
        f"Token #{token_id} revoked",
        lambda: admin.revoke_token(conn, principal, token_id),
    )


@router.post("/unlock")
def unlock(request: Request, conn: Conn, key: str = Form(""), principal: Principal = Admin):
    return _change(
        request,
        conn,
        principal,
        "locks",
        f"{key.partition(':')[2]} unlocked",
        lambda: admin.unlock(conn, principal, key),
    )


@router.post("/groups")
def add_group(
    request: Request, conn: Conn, name: str = Form(""), description: str = Form(""), principal: Principal = Admin
):
    return _change(
        request,
        conn,
        principal,
        "groups",
        f"Group {name.strip()} added",
        lambda: admin.create_group(conn, principal, name, description),
    )


_GROUP_ACTIONS = {
    "invite": ("{org} invited to {group}", lambda c, p, g, o: admin.invite(c, p, g, o)),
    "uninvite": ("Invitation of {org} to {group} withdrawn", lambda c, p, g, o: admin.withdraw_invitation(c, p, g, o)),
    "accept": ("Joined {group}", lambda c, p, g, o: admin.answer_invitation(c, p, g, True, o or None)),
    "decline": (
        "Invitation to {group} declined",
        lambda c, p, g, o: admin.answer_invitation(c, p, g, False, o or None),
    ),
    "leave": ("Left {group}", lambda c, p, g, o: admin.leave(c, p, g)),
    "owner": ("{org} now owns {group}", lambda c, p, g, o: admin.hand_over(c, p, g, o)),
    "remove": ("{org} removed from {group}", lambda c, p, g, o: admin.remove_member(c, p, g, o)),
}


@router.post("/groups/{group}/members")
def group_member(
    request: Request,
    conn: Conn,
    group: str,
    org: str = Form(""),
    action: str = Form("invite"),
    principal: Principal = Admin,
):
    """Invitations, answers, leaving and handing over (admins); removing, handing over and
    answering for partners (operator)."""
    done, act = _GROUP_ACTIONS.get(action, _GROUP_ACTIONS["invite"])
    return _change(
        request, conn, principal, "groups", done.format(org=org, group=group), lambda: act(conn, principal, group, org)
    )


@router.post("/partners")
def add_partner(
    request: Request,
    conn: Conn,
    name: str = Form(""),
    url: str = Form(""),
    token: str = Form(""),
    public_key: str = Form(""),
    principal: Principal = Admin,
):
    return _change(
        request,
        conn,
        principal,
        "partners",
        f"Partner {name.strip()} added",
        lambda: admin.add_partner(conn, principal, name, url, token, public_key),
    )
