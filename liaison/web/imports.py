"""The import page: upload a STIX bundle with an audience (with upload progress when scripts run),
or a document that becomes a draft report (posted to /drafts)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from liaison.access.principal import Action, Principal
from liaison.http.deps import get_engine
from liaison.config import get_settings
from liaison.errors import InvalidInput, LiaisonError, PayloadTooLarge
from liaison.ingest.bundles import import_objects
from liaison.ingest.reader import open_bundle
from liaison.intel import annotations
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter()


def _page(request: Request, engine: Engine, principal: Principal, status_code: int = 200, **context):
    choices, _default = annotations.audience_choices(engine, principal)
    return render(request, "import.html", principal, status_code=status_code, audiences=choices,
                  can_write=principal.may(Action.WRITE), max_bytes=get_settings().max_upload_bytes, **context)


@router.get("/import")
async def import_page(request: Request, principal: Principal = Depends(web_principal),
                      engine: Engine = Depends(get_engine)):
    return await run_in_threadpool(_page, request, engine, principal)


def _import(engine: Engine, principal: Principal, upload: UploadFile, audience: str) -> dict:
    principal.require(Action.WRITE)  # before the upload is read; the service checks again
    limit = get_settings().max_upload_bytes
    if upload.size is not None and upload.size > limit:
        raise PayloadTooLarge(f"bundle larger than {limit} bytes; use 'liaison import' for large files", limit=limit)
    if not upload.size:
        raise InvalidInput("the file is empty: choose a STIX 2.1 bundle (.json)")
    upload.file.seek(0)
    report = import_objects(engine, principal, open_bundle(upload.file)[1], audience=audience)
    return report.as_dict()


@router.post("/import")
async def import_bundle(request: Request, file: UploadFile = File(...), audience: str = Form("org"),
                        principal: Principal = Depends(csrf_protect), engine: Engine = Depends(get_engine)):
    """Import the uploaded bundle. Scripted uploads (header X-Requested-With) get the report alone,
    shown under the progress bar; others get the whole page."""
    fragment = request.headers.get("X-Requested-With") == "XMLHttpRequest"
    try:
        report = await run_in_threadpool(_import, engine, principal, file, audience)
        error, status = None, 200
    except LiaisonError as exc:
        report, error, status = None, exc.message, exc.status
    finally:
        await file.close()
    context = {"report": report, "error": error, "filename": file.filename, "audience": audience}
    if fragment:
        return render(request, "import_report.html", principal, status_code=status, **context)
    return await run_in_threadpool(lambda: _page(request, engine, principal, status, **context))
