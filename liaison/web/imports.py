"""The import page: upload a STIX bundle with an audience (with upload progress when scripts run),
or a document that becomes a draft report (posted to /drafts)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from sqlalchemy import Connection

from liaison.access.principal import Action, Principal
from liaison.config import Settings
from liaison.errors import InvalidInput, PayloadTooLarge
from liaison.http.deps import Conn, SettingsDep, attempt
from liaison.ingest.bundles import import_objects
from liaison.ingest.reader import open_bundle
from liaison.intel import annotations, discovery
from liaison.web.auth import csrf_protect, web_principal
from liaison.web.templating import render

router = APIRouter()


def _page(request: Request, conn: Connection, principal: Principal, status_code: int = 200, **context):
    choices, _default = annotations.audience_choices(conn, principal)
    return render(
        request,
        "import.html",
        principal,
        status_code=status_code,
        audiences=choices,
        groups=sorted(c.spec for c in choices if c.spec.startswith("group:")),
        can_write=principal.may(Action.WRITE),
        max_bytes=request.app.state.settings.max_upload_bytes,
        **context,
    )


@router.get("/import")
def import_page(request: Request, conn: Conn, principal: Principal = Depends(web_principal)):
    return _page(request, conn, principal)


def _import(
    conn: Connection, settings: Settings, principal: Principal, upload: UploadFile, audience: str, discoverable: str
) -> dict:
    principal.require(Action.WRITE)  # before the upload is read; the service checks again
    limit = settings.max_upload_bytes
    if upload.size is not None and upload.size > limit:
        raise PayloadTooLarge(f"bundle larger than {limit} bytes; use 'liaison import' for large files", limit=limit)
    if not upload.size:
        raise InvalidInput("the file is empty: choose a STIX 2.1 bundle (.json)")
    upload.file.seek(0)
    ids: list[str] = []
    objects = discovery.ids_of(open_bundle(upload.file)[1], ids)
    report = import_objects(conn, principal, objects, audience=audience, batch_size=settings.ingest_batch)
    if discoverable:
        discovery.set_imported(conn, principal, ids, discovery.parse_specs(discoverable))
    return report.as_dict()


@router.post("/import")
def import_bundle(
    request: Request,
    conn: Conn,
    settings: SettingsDep,
    file: UploadFile = File(...),
    audience: str = Form("org"),
    discoverable: str = Form(""),
    principal: Principal = Depends(csrf_protect),
):
    """Import the uploaded bundle. Scripted uploads (header X-Requested-With) get the report alone,
    shown under the progress bar; others get the whole page."""
    fragment = request.headers.get("X-Requested-With") == "XMLHttpRequest"
    report = None
    with attempt(conn) as tried, file.file:
        report = _import(conn, settings, principal, file, audience, discoverable)
    error = tried.error
    context = {
        "report": report,
        "error": error.message if error else None,
        "filename": file.filename,
        "audience": audience,
        "discoverable": discoverable,
    }
    status = error.status if error else 200
    if fragment:
        return render(request, "import_report.html", principal, status_code=status, **context)
    return _page(request, conn, principal, status, **context)
