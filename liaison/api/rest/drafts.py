"""Draft reports from open-source text (create, review, publish, discard) and entity merges."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from liaison.access.principal import Action
from liaison.errors import InvalidInput, PayloadTooLarge
from liaison.http.deps import Caller, Conn, SettingsDep, spool_body
from liaison.ingest.documents import MAX_DOCUMENT_BYTES, MAX_TEXT_CHARS
from liaison.intel import drafts as service
from liaison.intel import merges
from liaison.intel.draft_changes import Change

router = APIRouter(tags=["drafts"])


class TextDraft(BaseModel):
    text: str = Field(min_length=1, description="The article or bulletin text.")
    title: str | None = None
    source: str | None = Field(None, description="Where it comes from: a URL or a publication.")
    published: str | None = Field(
        None,
        description="The article's date (YYYY-MM-DD), base of relative dates; by default the document's own date, "
        "else its dateline's ('DUSHANBE, 14 March 2025 —'), else today.",
    )
    keep_boilerplate: bool = Field(
        False,
        description="Keep the whole text: by default lines of boilerplate (cookie notices, 'Related posts', share "
        "buttons, repeated mastheads…) are left out, and listed in the draft's `dropped`.",
    )


class Review(BaseModel):
    changes: list[Change] = Field(
        min_length=1, description="Applied in order, all or none; each is one operation, named by its `op`."
    )


class Publication(BaseModel):
    audience: str = Field("org", description="'org', 'group:<name>' or 'instance'")
    tlp: Literal["clear", "green", "amber", "amber+strict", "red"] = "amber"
    reliability: Literal["A", "B", "C", "D", "E", "F"] = Field(description="Admiralty source reliability")
    credibility: int = Field(ge=1, le=6, description="Admiralty information credibility")


class Merge(BaseModel):
    duplicate: str
    canonical: str
    audience: str = Field(
        "auto", description="'auto' (as widely as both entities are shared), 'org', 'group:<name>' or 'instance'"
    )
    reason: str | None = None


def _json(body: dict, status: int = 200) -> Response:
    """A draft's JSON written by orjson: a review holds thousands of values, which FastAPI's
    generic encoder walks one by one (about a millisecond a draft)."""
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


async def draft_input(request: Request, principal: Caller) -> dict[str, Any]:
    """The draft input of a request: a JSON text, or a multipart form with a `file` (and optional
    title, source and published fields). Read once the caller is known to be allowed to write (the
    service checks again); a dependency, so that the route stays a plain function."""
    principal.require(Action.WRITE)
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form(max_files=1)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInput("send the document in a form field named 'file'")
        content = await upload.read(MAX_DOCUMENT_BYTES + 1)
        if len(content) > MAX_DOCUMENT_BYTES:
            raise PayloadTooLarge(f"document larger than {MAX_DOCUMENT_BYTES} bytes", limit=MAX_DOCUMENT_BYTES)
        fields = {k: str(form.get(k)) for k in ("title", "source", "published") if form.get(k)}
        keep = str(form.get("keep_boilerplate") or "").lower() in ("1", "true", "on", "yes")
        return {"content": content, "filename": upload.filename, "keep_boilerplate": keep, **fields}
    # UTF-8 takes at most 4 bytes a character
    spool = await spool_body(request, 4 * MAX_TEXT_CHARS + 4096, what="a JSON text", advice="")
    try:
        spool.seek(0)
        body = TextDraft.model_validate_json(spool.read())
    except ValueError as exc:
        raise InvalidInput(f"send JSON {{'text': ...}} or a multipart form with a file: {exc}") from None
    finally:
        spool.close()
    return body.model_dump()


@router.post(
    "/drafts",
    status_code=201,
    summary="Make a draft report from a text or a document",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": TextDraft.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "title": {"type": "string"},
                            "source": {"type": "string"},
                            "published": {"type": "string"},
                            "keep_boilerplate": {"type": "boolean"},
                        },
                        "required": ["file"],
                    }
                },
            },
        }
    },
)
def create_draft(
    document: Annotated[dict[str, Any], Depends(draft_input)], principal: Caller, conn: Conn, settings: SettingsDep
):
    """Extracts persons, organisations, places, dates and observables (.txt, .html, .pdf, .docx or
    JSON text), resolves them against what you may see, and keeps the result as a draft of your
    organisation, shared with no one until published."""
    view = service.create_draft(
        conn,
        principal,
        **document,
        **settings.extraction,
    )
    return _json(view.as_dict(), 201)


@router.get("/drafts", summary="Your organisation's draft reports")
def list_drafts(
    principal: Caller,
    conn: Conn,
    status: Annotated[str | None, Query(description="draft, published, discarded, or all")] = "draft",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    total, items = service.list_drafts(
        conn, principal, status=None if status == "all" else status, limit=limit, offset=offset
    )
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/drafts/{draft_id}", summary="A draft with its text and review")
def get_draft(draft_id: str, principal: Caller, conn: Conn):
    return _json(service.get_draft(conn, principal, draft_id).as_dict())


@router.get("/drafts/{draft_id}/bundle", summary="The STIX bundle the draft would publish")
def draft_bundle(draft_id: str, principal: Caller, conn: Conn):
    return service.preview_bundle(conn, principal, draft_id)


@router.post("/drafts/{draft_id}/review", summary="Accept, drop, correct, link or combine findings; correct the date")
def review_draft(draft_id: str, body: Review, principal: Caller, conn: Conn):
    """Each change is one of the operations below, told apart by `op`; a change with a field its
    operation does not take is refused. `published` corrects the article date, and the dates the
    text gives relative to it are read again."""
    return service.review(conn, principal, draft_id, body.changes).as_dict()


@router.post(
    "/drafts/{draft_id}/restore", summary="Put the lines dropped as boilerplate back into the text and extract again"
)
def restore_draft_text(draft_id: str, principal: Caller, conn: Conn, settings: SettingsDep):
    """The draft's text becomes the whole text read (its `dropped` lines back in place) and its
    findings are extracted anew, decisions on the old ones undone; 409 when nothing was dropped."""
    return service.restore_dropped(
        conn,
        principal,
        draft_id,
        **settings.extraction,
    ).as_dict()


@router.post("/drafts/{draft_id}/publish", summary="Publish the accepted findings with an audience and grading")
def publish_draft(draft_id: str, body: Publication, principal: Caller, conn: Conn):
    report_id = service.publish(
        conn,
        principal,
        draft_id,
        audience=body.audience,
        level=body.tlp,
        reliability=body.reliability,
        credibility=body.credibility,
    )
    return {"report_id": report_id}


@router.delete("/drafts/{draft_id}", summary="Discard a draft")
def discard_draft(draft_id: str, principal: Caller, conn: Conn):
    """The draft is kept, discarded, and can be restored (POST …/reopen) for 30 days."""
    return service.discard(conn, principal, draft_id).as_dict()


@router.post("/drafts/{draft_id}/reopen", summary="Restore a discarded draft")
def reopen_draft(draft_id: str, principal: Caller, conn: Conn):
    """Within 30 days of its discarding; 409 when the draft is not discarded or was discarded earlier."""
    return service.reopen(conn, principal, draft_id).as_dict()


@router.post("/merges", status_code=201, tags=["entities"], summary="Record that two entities are one")
def merge_entities(body: Merge, principal: Caller, conn: Conn):
    """A `duplicate-of` relationship from the duplicate to the canonical entity, shared with the
    audience given; resolution then follows it for everyone who sees it and both entities."""
    return merges.merge(conn, principal, body.duplicate, body.canonical, audience=body.audience, reason=body.reason)


@router.delete("/merges/{relationship_id}", tags=["entities"], summary="Split a merge (revoke it)")
def split_entities(relationship_id: str, principal: Caller, conn: Conn):
    return merges.split(conn, principal, relationship_id)


@router.get("/objects/{stix_id}/merges", tags=["entities"], summary="Merges involving an entity")
def list_merges(stix_id: str, principal: Caller, conn: Conn):
    return merges.merges_of(conn, principal, stix_id)
