"""The object page: properties, versions with diffs, holdings, annotations (with forms to add
opinions, notes and sightings), relations, and export as STIX JSON."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from liaison.access.principal import Action, Principal
from liaison.alerts import watchlists
from liaison.errors import InvalidInput, NotFound
from liaison.http.deps import Conn, attempt
from liaison.intel import annotations, authoring, details, discovery, export, objects, sharing
from liaison.stix import tlp as tlp_levels
from liaison.web import discoverable, downloads, present
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter()


def _form_context(conn: Connection, principal: Principal, stix_id: str, obj: dict) -> dict:
    """What the add forms need: the audiences and TLP levels an annotation of the object may have
    (with the defaults), places to sight at."""
    choices, default = annotations.audience_choices(conn, principal, stix_id)
    levels, default_tlp = annotations.tlp_choices(obj)
    places = []
    if annotations.sightable(obj):
        page = objects.list_objects(conn, principal, objects.make_filters(conn, types=["location"]), limit=300)
        places = sorted(
            ((v.stix_id, present.display_name(orjson.loads(v.raw))) for v in page.items), key=lambda p: p[1].lower()
        )
    return {
        "audiences": choices,
        "default_audience": default,
        "opinions": annotations.OPINIONS,
        "tlp_levels": levels,
        "default_tlp": default_tlp,
        "places": places,
        "sightable": annotations.sightable(obj),
    }


def _annotation_context(conn: Connection, principal: Principal, stix_id: str, obj: dict) -> dict:
    return {
        "annotations": annotations.about(conn, principal, stix_id),
        "can_write": principal.may(Action.WRITE),
        "stix_id": stix_id,
        **_form_context(conn, principal, stix_id, obj),
    }


def _discoverability(conn: Connection, principal: Principal, stix_id: str) -> dict:
    """Who may discover the viewer's organisation's holding by hit queries (nothing when it holds none)."""
    try:
        found = discovery.of_object(conn, principal, stix_id)
    except NotFound:
        return {"discoverability": None}
    return {
        "discoverability": found,
        "org_default": discovery.default(conn, principal),
        "discover_groups": discoverable.group_choices(conn, principal) if principal.may(Action.WRITE) else [],
    }


@router.get("/objects/{stix_id}")
def object_page(request: Request, stix_id: str, conn: Conn, principal: Principal = Depends(web_principal)):
    return _object_page(request, conn, principal, stix_id)


def _object_page(
    request: Request, conn: Connection, principal: Principal, stix_id: str, status_code: int = 200, **extra
) -> Response:
    found = details.details(conn, principal, stix_id)
    reach = sharing.reach(conn, principal, stix_id)
    # What the organisation holds it may share with any of its audiences; annotations go no
    # further than what they are about.
    share_audiences = annotations.audience_choices(conn, principal)[0] if reach.audiences else []
    narrower = sharing.annotation_audiences(conn, principal, stix_id) if share_audiences else None
    if narrower is not None:
        share_audiences = [c for c in share_audiences if c.spec in narrower]
    context = _annotation_context(conn, principal, stix_id, found.object)
    obj = found.object
    versions = []
    for previous, current in zip([None, *found.versions], found.versions, strict=False):
        compared = previous is not None and previous.object is not None and current.object is not None
        changes = present.diff(previous.object, current.object) if compared else None
        versions.append({"version": current, "changes": changes})
    return render(
        request,
        "object.html",
        principal,
        status_code=status_code,
        obj=obj,
        view=found.view,
        names=found.names,
        title=present.display_name(obj, found.names),
        properties=present.properties(obj, found.names),
        extensions=present.extensions(obj, found.names),
        grading=present.grading(obj),
        tlp=tlp_levels.level_of_object(obj),
        versions=list(reversed(versions)),
        reach=reach,
        claims=found.claims,
        chain=found.chain,
        user_org=principal.org_name,
        share_audiences=share_audiences,
        editable=principal.may(Action.WRITE) and authoring.editable_by(conn, principal, found),
        watching=watchlists.watching(conn, principal, stix_id),
        relationship_types=authoring.RELATIONSHIP_TYPES,
        done=request.query_params.get("done"),
        refused=request.query_params.get("refused"),
        raw=orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode(),
        **_discoverability(conn, principal, stix_id),
        **context,
        **extra,
    )


@router.get("/objects/{stix_id}/export")
def export_object(stix_id: str, conn: Conn, principal: Principal = Depends(web_principal)):
    """The object as a STIX 2.1 bundle with what it refers to (intel.export)."""
    return downloads.bundle(export.of_object(conn, principal, stix_id), stix_id.replace("--", "_") + ".json")


def _after_add(request: Request, conn: Connection, principal: Principal, stix_id: str, add) -> Response:
    """Run `add`; answer htmx with the refreshed annotations (with the error, if any), browsers
    with a redirect back to the object (errors go to the error page)."""
    if not request.headers.get("HX-Request"):
        add()
        return RedirectResponse(f"/objects/{stix_id}#annotations", status_code=303)
    with attempt(conn) as tried:
        add()
    obj = orjson.loads(objects.get_object(conn, principal, stix_id).raw)
    context = _annotation_context(conn, principal, stix_id, obj)
    return render(
        request,
        "object_annotations.html",
        principal,
        status_code=422 if tried.error else 200,
        error=tried.error.message if tried.error else None,
        **context,
    )


@router.post("/objects/{stix_id}/audiences")
def share(
    stix_id: str,
    conn: Conn,
    audience: str = Form(...),
    all_versions: str = Form(""),
    principal: Principal = Depends(csrf_protect),
):
    sharing.share(conn, principal, stix_id, audience, all_versions=all_versions == "1")
    return RedirectResponse(f"/objects/{stix_id}#sharing", status_code=303)


@router.post("/objects/{stix_id}/audiences/withdraw")
def unshare(
    stix_id: str,
    conn: Conn,
    audience: str = Form(...),
    all_versions: str = Form(""),
    principal: Principal = Depends(csrf_protect),
):
    sharing.unshare(conn, principal, stix_id, audience, all_versions=all_versions == "1")
    return RedirectResponse(f"/objects/{stix_id}#sharing", status_code=303)


@router.post("/objects/{stix_id}/discoverability")
def set_discoverability(
    request: Request,
    stix_id: str,
    conn: Conn,
    mode: str = Form(""),
    scope: list[str] = Form([]),
    principal: Principal = Depends(csrf_protect),
):
    """Who may discover the organisation's holding of the object; a refusal is shown in its section."""
    with attempt(conn) as tried:
        discovery.set_object(conn, principal, stix_id, discoverable.specs(mode, scope, allow_default=True))
    if isinstance(tried.error, InvalidInput):
        return _object_page(request, conn, principal, stix_id, tried.error.status, discover_error=tried.error.message)
    if tried.error:  # an object the organisation does not hold, a reader: as the error page says
        raise tried.error
    return RedirectResponse(f"/objects/{stix_id}#discoverable", status_code=303)


@router.post("/objects/{stix_id}/opinions")
def add_opinion(
    request: Request,
    stix_id: str,
    conn: Conn,
    opinion: str = Form(...),
    explanation: str = Form(""),
    audience: str = Form("org"),
    tlp: str = Form(""),
    principal: Principal = Depends(csrf_protect),
):
    return _after_add(
        request,
        conn,
        principal,
        stix_id,
        lambda: annotations.add_opinion(
            conn, principal, stix_id, opinion=opinion, explanation=explanation, audience=audience, tlp=tlp or None
        ),
    )


@router.post("/objects/{stix_id}/notes")
def add_note(
    request: Request,
    stix_id: str,
    conn: Conn,
    content: str = Form(""),
    abstract: str = Form(""),
    audience: str = Form("org"),
    tlp: str = Form(""),
    principal: Principal = Depends(csrf_protect),
):
    return _after_add(
        request,
        conn,
        principal,
        stix_id,
        lambda: annotations.add_note(
            conn, principal, stix_id, content=content, abstract=abstract, audience=audience, tlp=tlp or None
        ),
    )


@router.post("/objects/{stix_id}/sightings")
def add_sighting(
    request: Request,
    stix_id: str,
    conn: Conn,
    count: str = Form(""),
    first_seen: str = Form(""),
    last_seen: str = Form(""),
    where: list[str] = Form([]),
    description: str = Form(""),
    audience: str = Form("org"),
    tlp: str = Form(""),
    principal: Principal = Depends(csrf_protect),
):
    def add():
        if count.strip() and not count.strip().isdigit():
            raise InvalidInput("'count' must be a whole number", parameter="count")
        return annotations.add_sighting(
            conn,
            principal,
            stix_id,
            count=int(count) if count.strip() else None,
            first_seen=first_seen,
            last_seen=last_seen,
            where=where,
            description=description,
            audience=audience,
            tlp=tlp or None,
        )

    return _after_add(request, conn, principal, stix_id, add)
