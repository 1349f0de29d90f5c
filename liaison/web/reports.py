"""Draft reports (list, paste or upload, review, publish) and the report reader, in the browser."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from liaison.access.principal import Principal
from liaison.http.deps import get_engine
from liaison.errors import LiaisonError, NotFound, PayloadTooLarge
from liaison.ingest.documents import MAX_DOCUMENT_BYTES
from liaison.intel import drafts
from liaison.intel.details import NO_OBJECT, details
from liaison.intel.annotations import audience_choices
from liaison.stix import tlp
from liaison.stix.extensions import ADMIRALTY_CREDIBILITY, ADMIRALTY_RELIABILITY, EXT_IDS
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter()


def segments(text: str, mentions: list[dict]) -> list[tuple[str, dict | None]]:
    """The text cut into plain runs and mentioned runs, outer mentions winning where they nest;
    mentions that do not fit the text (imported from elsewhere) are left out."""
    out, cursor = [], 0
    sound = [m for m in mentions if isinstance(m, dict) and isinstance(m.get("start"), int)
             and isinstance(m.get("end"), int) and 0 <= m["start"] < m["end"] <= len(text)]
    for mention in sorted(sound, key=lambda m: (m["start"], -m["end"])):
        if mention["start"] < cursor:
            continue
        if mention["start"] > cursor:
            out.append((text[cursor:mention["start"]], None))
        out.append((text[mention["start"]:mention["end"]], mention))
        cursor = mention["end"]
    out.append((text[cursor:], None))
    return out


def _draft_mentions(review: dict) -> list[dict]:
    """Every mention of a draft with the finding it belongs to (for highlighting)."""
    found = []
    for section in ("entities", "observables"):
        for item in review[section]:
            found += [{**m, "item": item} for m in item["mentions"]]
    found += [{**d, "item": {"kind": "date", "value": d["value"], "decision": "accept"}} for d in review["dates"]]
    return found


@router.get("/drafts")
async def draft_list(request: Request, status: str = "draft", principal: Principal = Depends(web_principal),
                     engine=Depends(get_engine)):
    wanted = None if status == "all" else status
    total, items = await run_in_threadpool(lambda: drafts.list_drafts(engine, principal, status=wanted, limit=200))
    return render(request, "drafts.html", principal, drafts=items, total=total, status=status)


async def _upload(file: UploadFile) -> bytes:
    content = await file.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge(f"document larger than {MAX_DOCUMENT_BYTES} bytes", limit=MAX_DOCUMENT_BYTES)
    return content


@router.post("/drafts")
async def draft_create(
    request: Request,
    text: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    published: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    principal: Principal = Depends(csrf_protect),
    engine=Depends(get_engine),
):
    """Paste or upload a document; on success the review screen, otherwise the form with the error."""
    has_file = file is not None and bool(file.filename)
    try:
        content = await _upload(file) if has_file else None
        view = await run_in_threadpool(lambda: drafts.create_draft(
            engine, principal, text=None if has_file else text, content=content,
            filename=file.filename if has_file else None, title=title or None, source=source or None,
            published=published or None))
    except LiaisonError as exc:
        total, items = await run_in_threadpool(lambda: drafts.list_drafts(engine, principal, limit=200))
        return render(request, "drafts.html", principal, drafts=items, total=total, status="draft",
                      error=exc.message, form={"text": text, "title": title, "source": source, "published": published},
                      status_code=exc.status)
    return RedirectResponse(f"/drafts/{view.id}", status_code=303)


@router.get("/drafts/{draft_id}")
async def draft_review(request: Request, draft_id: str, principal: Principal = Depends(web_principal),
                       engine=Depends(get_engine)):
    return await _review_page(request, draft_id, principal, engine)


async def _review_page(request: Request, draft_id: str, principal: Principal, engine, error: LiaisonError | None = None):
    """The review screen, with the error of a change that was refused."""
    view = await run_in_threadpool(drafts.get_draft, engine, principal, draft_id)
    audiences, _default = await run_in_threadpool(audience_choices, engine, principal)
    entities = {e["key"]: e for e in view.review["entities"]}
    return render(
        request, "draft_review.html", principal, draft=view, review=view.review, entities=entities,
        segments=segments(view.text, _draft_mentions(view.review)), audiences=audiences, levels=tlp.LEVELS,
        reliability=ADMIRALTY_RELIABILITY, credibility=ADMIRALTY_CREDIBILITY, confident=drafts.REVIEW_CONFIDENCE,
        error=error.message if error else None, status_code=error.status if error else 200,
    )


@router.post("/drafts/{draft_id}/review")
async def draft_change(request: Request, draft_id: str, principal: Principal = Depends(csrf_protect),
                       engine=Depends(get_engine)):
    """One change from the review screen's forms (op, key and the op's field)."""
    form = await request.form()
    change = {k: str(v) for k, v in form.items() if k != "csrf_token" and str(v)}
    try:
        await run_in_threadpool(drafts.review, engine, principal, draft_id, [change])
    except LiaisonError as exc:
        if isinstance(exc, NotFound) and exc.message.startswith("no draft"):
            raise
        return await _review_page(request, draft_id, principal, engine, exc)
    anchor = f"#{change['key']}" if change.get("key") else ""
    return RedirectResponse(f"/drafts/{draft_id}{anchor}", status_code=303)


@router.post("/drafts/{draft_id}/publish")
async def draft_publish(
    request: Request,
    draft_id: str,
    audience: Annotated[str, Form()],
    level: Annotated[str, Form()],
    reliability: Annotated[str, Form()],
    credibility: Annotated[int, Form()],
    principal: Principal = Depends(csrf_protect),
    engine=Depends(get_engine),
):
    try:
        report_id = await run_in_threadpool(lambda: drafts.publish(
            engine, principal, draft_id, audience=audience, level=level, reliability=reliability,
            credibility=credibility))
    except LiaisonError as exc:
        if isinstance(exc, NotFound) and exc.message.startswith("no draft"):
            raise
        return await _review_page(request, draft_id, principal, engine, exc)
    return RedirectResponse(f"/reports/{report_id}", status_code=303)


@router.post("/drafts/{draft_id}/discard")
async def draft_discard(draft_id: str, principal: Principal = Depends(csrf_protect), engine=Depends(get_engine)):
    await run_in_threadpool(drafts.discard, engine, principal, draft_id)
    return RedirectResponse("/drafts", status_code=303)


@router.get("/reports/{report_id}")
async def report_reader(request: Request, report_id: str, principal: Principal = Depends(web_principal),
                        engine=Depends(get_engine)):
    """A report's text with its mentions highlighted and linked to the objects they refer to."""
    found = await run_in_threadpool(details, engine, principal, report_id)
    report = found.object
    if report["type"] != "report":
        raise NotFound(NO_OBJECT)
    extensions = report.get("extensions", {})
    mentions = extensions.get(EXT_IDS["report-mentions"], {}).get("mentions", [])
    return render(
        request, "report.html", principal, report=report, holdings=found.view.holdings, names=found.names,
        segments=segments(report.get("description", ""), mentions), grading=extensions.get(EXT_IDS["admiralty-grading"]),
        tlp_level=tlp.level_of_object(report),
    )
