"""Make, change and relate objects from the web UI: forms read off each type's schema
(stix.forms), objects picked by name (the picker), a change shown as a difference before it is
saved, post/redirect/get after each write."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import LiaisonError
from liaison.http.deps import Conn, attempt
from liaison.intel import annotations, authoring, details
from liaison.intel import search as searching
from liaison.stix import forms
from liaison.stix import tlp as tlp_levels
from liaison.stix.extensions import EXT_IDS
from liaison.web import changes, present
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter()
#: How many objects the picker offers for what was typed.
PICKS = 10


def _answers(form_: forms.Form, data) -> dict:
    """A submitted form's answers by field (lists for fields that take several)."""
    several = {f.name for f in form_.fields if f.kind in ("refs", "choices")}
    return {f.name: data.getlist(f.name) if f.name in several else data.get(f.name) for f in form_.fields}


def _names(conn: Connection, principal: Principal, answers: dict) -> dict[str, str]:
    """Names of the objects already picked in a form, to show them by name again."""
    picked = {v for value in answers.values() for v in (value if isinstance(value, list) else [value]) if v}
    return {
        i: name for i, (_type, name) in details.named(conn, principal, {p for p in picked if "--" in str(p)}).items()
    }


def _form_page(request: Request, conn: Connection, principal: Principal, form_: forms.Form, **context) -> Response:
    audiences, default = annotations.audience_choices(conn, principal)
    answers = context.pop("answers", {})
    return render(
        request,
        "object_form.html",
        principal,
        status_code=context.pop("status_code", 200),
        form=form_,
        answers=answers,
        picked=_names(conn, principal, answers),
        audiences=audiences,
        default_audience=default,
        levels=tlp_levels.LEVELS,
        **context,
    )


@router.get("/objects/new")
def choose_type(request: Request, principal: Principal = Depends(web_principal)):
    return render(request, "object_new.html", principal, forms=forms.forms())


@router.get("/objects/new/{type_}")
def new_form(request: Request, type_: str, conn: Conn, principal: Principal = Depends(web_principal)):
    return _form_page(request, conn, principal, authoring.form(type_), action=f"/objects/new/{type_}")


@router.post("/objects/new/{type_}")
async def create(request: Request, type_: str, conn: Conn, principal: Principal = Depends(csrf_protect)):
    form_ = authoring.form(type_)
    data = await request.form()
    answers = _answers(form_, data)
    with attempt(conn) as tried:
        made = authoring.create(
            conn, principal, type_, answers, audience=data.get("audience", "org"), tlp=data.get("tlp") or None
        )
    if error := tried.error:
        return _form_page(
            request,
            conn,
            principal,
            form_,
            action=f"/objects/new/{type_}",
            answers=answers,
            error=error.message,
            status_code=error.status,
        )
    return RedirectResponse(f"/objects/{made['id']}?done=made", status_code=303)


@router.get("/objects/{stix_id}/edit")
def edit_form(request: Request, stix_id: str, conn: Conn, principal: Principal = Depends(web_principal)):
    found = details.details(conn, principal, stix_id)
    form_ = authoring.form(found.object["type"])
    answers = {f.name: _answer(found.object, f) for f in form_.fields}
    return _edit_page(request, conn, principal, form_, found.object, answers, tlp_levels.level_of_object(found.object))


def _edit_page(request, conn, principal, form_, obj: dict, answers: dict, tlp: str | None, **extra) -> Response:
    """The change form of `obj` with the answers given (and a difference or a refusal)."""
    action = f"/objects/{obj['id']}/edit"
    return _form_page(
        request, conn, principal, form_, action=action, answers=answers, editing=obj, tlp=tlp or "", **extra
    )


def _answer(obj: dict, field: forms.Field):
    """The current value of a field, as the form shows it."""
    if "." in field.name:
        extension, prop = field.name.split(".", 1)
        value = (obj.get("extensions") or {}).get(EXT_IDS[extension], {}).get(prop)
    else:
        value = obj.get(field.name)
    if field.kind == "lines" and isinstance(value, list):
        return "\n".join(value)
    if field.kind == "when" and isinstance(value, str):
        return value[:16]
    return value


@router.post("/objects/{stix_id}/edit")
async def edit(request: Request, stix_id: str, conn: Conn, principal: Principal = Depends(csrf_protect)):
    """Without `confirmed`: the difference the change makes, to confirm (nothing written); with
    it: the change saved, back to the object."""
    found = details.details(conn, principal, stix_id)
    form_ = authoring.form(found.object["type"])
    data = await request.form()
    answers = _answers(form_, data)
    tlp = data.get("tlp") or None
    with attempt(conn) as tried:
        if data.get("confirmed"):
            authoring.save(conn, principal, stix_id, answers, tlp=tlp)
        else:
            change = authoring.preview(conn, principal, stix_id, answers, tlp=tlp)
    if error := tried.error:
        extra = {"error": error.message, "status_code": error.status}
    elif data.get("confirmed"):
        return RedirectResponse(f"/objects/{stix_id}?done=changed", status_code=303)
    else:
        extra = {"changes": present.diff(change.old, change.new)}
    return _edit_page(request, conn, principal, form_, found.object, answers, tlp, **extra)


@router.post("/objects/{stix_id}/relationships")
def relate(
    request: Request,
    stix_id: str,
    conn: Conn,
    relationship_type: Annotated[str, Form()],
    other: Annotated[str, Form()] = "",
    direction: Annotated[str, Form()] = "out",
    audience: Annotated[str, Form()] = "org",
    tlp: Annotated[str, Form()] = "",
    principal: Principal = Depends(csrf_protect),
):
    with attempt(conn) as tried:
        authoring.relate(
            conn,
            principal,
            stix_id,
            relationship_type,
            other,
            outgoing=direction != "in",
            audience=audience,
            tlp=tlp or None,
        )
    return _back(stix_id, tried.error, "related")


@router.post("/objects/{stix_id}/relationships/{relationship_id}/remove")
def unrelate(stix_id: str, relationship_id: str, conn: Conn, principal: Principal = Depends(csrf_protect)):
    with attempt(conn) as tried:
        authoring.unrelate(conn, principal, relationship_id)
    return _back(stix_id, tried.error, "unrelated")


def _back(stix_id: str, error: LiaisonError | None, done: str) -> RedirectResponse:
    """Back to the object's relations (post/redirect/get), with what happened or the refusal."""
    if error:
        return changes.redirect(f"/objects/{stix_id}", error.message, "relations", key="refused")
    return RedirectResponse(f"/objects/{stix_id}?done={done}#relations", status_code=303)


@router.get("/objects/pick")
def pick(conn: Conn, q: str = "", type: str = "", principal: Principal = Depends(web_principal)):
    """Objects to pick for what was typed: by name, alias, another transliteration, a typo
    (search's name matching), of the types asked for (comma-separated); what the reader may see."""
    if not q.strip():
        return Response(b"[]", media_type="application/json")
    types = [t for t in type.split(",") if t]
    try:
        found = searching.search(conn, principal, q=q, types=types, limit=PICKS)
    except LiaisonError:
        return Response(b"[]", media_type="application/json")
    picks = [{"id": h.stix_id, "type": h.type, "name": h.name} for h in found.hits]
    return Response(orjson.dumps(picks), media_type="application/json")
