"""Draft reports (list, paste or upload, review, publish) and the report reader, in the browser."""

from __future__ import annotations

from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection

from liaison.access.principal import Action, Principal
from liaison.errors import LiaisonError, NotFound, PayloadTooLarge
from liaison.http.deps import Conn, SettingsDep, attempt
from liaison.ingest.documents import MAX_DOCUMENT_BYTES
from liaison.intel import drafts
from liaison.intel.annotations import audience_choices
from liaison.intel.details import NO_OBJECT, details
from liaison.intel.draft_changes import ObservableKind, RelationshipType, locate, parse_changes
from liaison.intel.draft_review import EntityKind, SeenReview
from liaison.stix import tlp
from liaison.stix.extensions import ADMIRALTY_CREDIBILITY, ADMIRALTY_RELIABILITY, EXT_IDS
from liaison.web import changes
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter()

#: The logged-in user, for pages; for forms that change something, once their CSRF token is checked.
Viewer = Annotated[Principal, Depends(web_principal)]
Poster = Annotated[Principal, Depends(csrf_protect)]


def segments(text: str, mentions: list[dict]) -> list[tuple[str, dict | None]]:
    """The text cut into plain runs and mentioned runs, outer mentions winning where they nest;
    mentions that do not fit the text (imported from elsewhere) are left out."""
    out, cursor = [], 0
    sound = [
        m
        for m in mentions
        if isinstance(m, dict)
        and isinstance(m.get("start"), int)
        and isinstance(m.get("end"), int)
        and 0 <= m["start"] < m["end"] <= len(text)
    ]
    for mention in sorted(sound, key=lambda m: (m["start"], -m["end"])):
        if mention["start"] < cursor:
            continue
        if mention["start"] > cursor:
            out.append((text[cursor : mention["start"]], None))
        out.append((text[mention["start"] : mention["end"]], mention))
        cursor = mention["end"]
    out.append((text[cursor:], None))
    return out


def _draft_mentions(review: SeenReview) -> list[dict]:
    """Every mention of a draft with the finding it belongs to (for highlighting)."""
    found = [
        {**m.model_dump(), "item": item} for item in (*review.entities, *review.observables) for m in item.mentions
    ]
    found += [
        {**d.model_dump(), "item": {"kind": "date", "value": d.value, "decision": "accept"}} for d in review.dates
    ]
    return found


@router.get("/drafts")
def draft_list(request: Request, principal: Viewer, conn: Conn, status: str = "draft"):
    return _drafts_page(request, conn, principal, status, done=request.query_params.get("done"))


def _drafts_page(request: Request, conn: Connection, principal: Principal, status: str, **extra):
    """The list of drafts of `status` ('all' for every one), with the forms to make one."""
    total, items = drafts.list_drafts(conn, principal, status=None if status == "all" else status, limit=200)
    return render(
        request,
        "drafts.html",
        principal,
        drafts=items,
        total=total,
        status=status,
        restorable_days=drafts.RESTORABLE_FOR.days,
        **extra,
    )


def _upload(file: UploadFile) -> bytes:
    content = file.file.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(f"document larger than {MAX_DOCUMENT_BYTES} bytes", limit=MAX_DOCUMENT_BYTES)
    return content


@router.post("/drafts")
def draft_create(
    request: Request,
    principal: Poster,
    conn: Conn,
    settings: SettingsDep,
    text: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    published: Annotated[str, Form()] = "",
    keep_boilerplate: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
):
    """Paste or upload a document; on success the review screen, otherwise the form with the error.
    The form was spooled by FastAPI before the route runs."""
    has_file = file is not None and bool(file.filename)
    with attempt(conn) as tried:  # nothing of a refused draft is kept
        principal.require(Action.WRITE)  # before the upload is read; the service checks again
        view = drafts.create_draft(
            conn,
            principal,
            text=None if has_file else text,
            content=_upload(file) if has_file else None,
            filename=file.filename if has_file else None,
            title=title or None,
            source=source or None,
            published=published or None,
            keep_boilerplate=bool(keep_boilerplate),
            **settings.extraction,
        )
    if exc := tried.error:
        return _drafts_page(
            request,
            conn,
            principal,
            "draft",
            error=exc.message,
            form={
                "text": text,
                "title": title,
                "source": source,
                "published": published,
                "keep_boilerplate": bool(keep_boilerplate),
            },
            status_code=exc.status,
        )
    return RedirectResponse(f"/drafts/{view.id}", status_code=303)


@router.get("/drafts/{draft_id}")
def draft_review(request: Request, draft_id: str, principal: Viewer, conn: Conn):
    return _review_page(request, conn, principal, draft_id)


#: The relationships an analyst adds, as the review page offers them.
RELATIONSHIP_WORDS = (
    ("related-to", "related to"),
    ("located-at", "located at (a group: originates from)"),
    ("targets", "targets (a group)"),
)
assert tuple(value for value, _words in RELATIONSHIP_WORDS) == get_args(RelationshipType)
#: The changes that add a finding from the text.
_ADDING = ("add-entity", "add-observable")


def _review_page(
    request: Request,
    conn: Connection,
    principal: Principal,
    draft_id: str,
    error: LiaisonError | None = None,
    *,
    added: bool = False,
):
    """The review screen, with the error of a change that was refused (`added`: one adding from
    the text, whose forms are then shown open)."""
    view = drafts.get_draft(conn, principal, draft_id)
    audiences, _default = audience_choices(conn, principal)
    return render(
        request,
        "draft_review.html",
        principal,
        draft=view,
        review=view.seen,
        entities={e.key: e for e in view.seen.entities},
        entity_kinds=get_args(EntityKind),
        segments=segments(view.text, _draft_mentions(view.seen)),
        audiences=audiences,
        levels=tlp.LEVELS,
        reliability=ADMIRALTY_RELIABILITY,
        credibility=ADMIRALTY_CREDIBILITY,
        confident=drafts.REVIEW_CONFIDENCE,
        observable_kinds=get_args(ObservableKind),
        relationship_types=RELATIONSHIP_WORDS,
        added=added,
        restorable_until=drafts.restorable_until(view),
        error=error.message if error else None,
        status_code=error.status if error else 200,
    )


async def change_form(request: Request) -> dict[str, Any]:
    """The fields of a review form (op, key and the op's own field), empty ones left out, as the
    JSON form of one change; read here, so that the route stays a plain function."""
    form = await request.form()
    return {k: str(v) for k, v in form.items() if k != "csrf_token" and str(v)}


@router.post("/drafts/{draft_id}/review")
def draft_change(
    request: Request,
    draft_id: str,
    principal: Poster,
    conn: Conn,
    form: Annotated[dict[str, Any], Depends(change_form)],
):
    """One change from the review screen's forms, built into the change model the REST API takes.
    Words to add from the text ('words') are found in it: where the selection's offsets say, or
    else where they first occur."""
    with attempt(conn) as tried:  # a refused change keeps nothing
        change = _at_words(conn, principal, draft_id, form) if form.get("op") in _ADDING else form
        view = drafts.review(conn, principal, draft_id, parse_changes([change]))
    if exc := tried.error:
        if isinstance(exc, NotFound) and exc.message.startswith("no draft"):
            raise exc
        return _review_page(request, conn, principal, draft_id, exc, added=form.get("op") in _ADDING)
    key = form.get("key") or _added_key(view.seen, change)
    anchor = f"#{key}" if key else ""
    return RedirectResponse(f"/drafts/{draft_id}{anchor}", status_code=303)


def _at_words(conn: Connection, principal: Principal, draft_id: str, form: dict[str, Any]) -> dict[str, Any]:
    """An adding change with its offsets: those given when the text there is its `words` (a
    selection), else where the words occur (nearest the offset given, else first)."""
    change = {k: v for k, v in form.items() if k != "words"}
    words = form.get("words")
    if words is None:
        return change
    text = drafts.get_draft(conn, principal, draft_id).text
    try:
        start, end = int(form["start"]), int(form["end"])
    except (KeyError, ValueError):
        start = end = None
    if start is None or not 0 <= start < end <= len(text) or text[start:end].strip() != words.strip():
        # no selection, or offsets counted otherwise (a browser counts UTF-16 units)
        start, end = locate(text, words, near=start)
    return {**change, "start": start, "end": end}


def _added_key(review: SeenReview, change: dict[str, Any]) -> str | None:
    """The finding an adding change made or added to, for the page to show it."""
    op = change.get("op")
    if op == "add-entity" and review.entities:
        return review.entities[-1].key
    if op == "add-relationship" and review.relationships:
        return review.relationships[-1].key
    if op == "add-observable":
        start, end = int(change.get("start", -1)), int(change.get("end", -1))
        for item in review.observables:
            if any(start <= m.start and m.end <= end for m in item.mentions):
                return item.key
    return None


@router.post("/drafts/{draft_id}/restore")
def draft_restore(request: Request, draft_id: str, principal: Poster, conn: Conn, settings: SettingsDep):
    """Put the lines dropped as boilerplate back into the text, and extract it again."""
    with attempt(conn) as tried:
        drafts.restore_dropped(
            conn,
            principal,
            draft_id,
            **settings.extraction,
        )
    if exc := tried.error:
        if isinstance(exc, NotFound) and exc.message.startswith("no draft"):
            raise exc
        return _review_page(request, conn, principal, draft_id, exc)
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.post("/drafts/{draft_id}/publish")
def draft_publish(
    request: Request,
    draft_id: str,
    principal: Poster,
    conn: Conn,
    audience: Annotated[str, Form()],
    level: Annotated[str, Form()],
    reliability: Annotated[str, Form()],
    credibility: Annotated[int, Form()],
):
    with attempt(conn) as tried:  # a refused publication keeps nothing it wrote (shares, objects)
        report_id = drafts.publish(
            conn, principal, draft_id, audience=audience, level=level, reliability=reliability, credibility=credibility
        )
    if exc := tried.error:
        if isinstance(exc, NotFound) and exc.message.startswith("no draft"):
            raise exc
        return _review_page(request, conn, principal, draft_id, exc)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


@router.post("/drafts/{draft_id}/discard")
def draft_discard(draft_id: str, principal: Poster, conn: Conn):
    view = drafts.discard(conn, principal, draft_id)
    until = drafts.restorable_until(view)
    done = f"“{view.title}” discarded; you can restore it from the discarded drafts until {until}"
    return changes.redirect("/drafts", done, "drafts")


@router.post("/drafts/{draft_id}/reopen")
def draft_reopen(draft_id: str, principal: Poster, conn: Conn):
    """Restore a discarded draft; back to it."""
    drafts.reopen(conn, principal, draft_id)
    return RedirectResponse(f"/drafts/{draft_id}", status_code=303)


@router.get("/reports/{report_id}")
def report_reader(request: Request, report_id: str, principal: Viewer, conn: Conn):
    """A report's text with its mentions highlighted and linked to the objects they refer to."""
    found = details(conn, principal, report_id)
    report = found.object
    if report["type"] != "report":
        raise NotFound(NO_OBJECT)
    extensions = report.get("extensions", {})
    mentions = extensions.get(EXT_IDS["report-mentions"], {}).get("mentions", [])
    return render(
        request,
        "report.html",
        principal,
        report=report,
        holdings=found.view.holdings,
        names=found.names,
        segments=segments(report.get("description", ""), mentions),
        grading=extensions.get(EXT_IDS["admiralty-grading"]),
        tlp_level=tlp.level_of_object(report),
    )
