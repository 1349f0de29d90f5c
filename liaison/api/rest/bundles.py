"""Import a STIX bundle, shared with an audience."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from liaison.access.principal import Action, Principal
from liaison.http.deps import current_principal, get_engine, spool_body
from liaison.config import get_settings
from liaison.ingest.bundles import import_objects
from liaison.ingest.reader import open_bundle

router = APIRouter(tags=["import"])


class ImportResult(BaseModel):
    """Counted over what the caller may see: a version stored only for others counts as new."""

    audience: str
    received: int
    new_versions: int
    new_holdings: int
    corrections: int
    already_held: int
    already_received: int
    duplicates_in_bundle: int
    seconds: float


@router.post(
    "/bundles",
    response_model=ImportResult,
    summary="Import a STIX 2.1 bundle",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}},
)
async def import_bundle(
    request: Request,
    audience: Annotated[str, Query(description="'org', 'group:<name>' or 'instance'")] = "org",
    principal: Principal = Depends(current_principal),
    engine=Depends(get_engine),
):
    """All or nothing: one invalid object rejects the whole bundle with an error naming it.
    Re-importing the same versions changes nothing."""
    principal.require(Action.WRITE)  # before the upload is read; the service checks again
    spool = await spool_body(request, get_settings().max_upload_bytes)
    try:
        report = await run_in_threadpool(
            lambda: import_objects(engine, principal, open_bundle(spool)[1], audience=audience)
        )
    finally:
        spool.close()
    return report.as_dict()
