"""Import a STIX bundle, shared with an audience."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from liaison.http.deps import Caller, Conn, SettingsDep, WriterBundle
from liaison.ingest.bundles import import_objects
from liaison.ingest.reader import open_bundle
from liaison.intel import discovery

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
def import_bundle(
    spool: WriterBundle,
    principal: Caller,
    conn: Conn,
    settings: SettingsDep,
    audience: Annotated[str, Query(description="'org', 'org:<name>', 'group:<name>' or 'instance'")] = "org",
    discoverable: Annotated[
        str | None,
        Query(
            description="who may discover the bundle's objects by hit queries: 'none', or any of 'instance', "
            "'partners', 'group:<name>' joined by commas; the organisation's default when not given"
        ),
    ] = None,
):
    """All or nothing: one invalid object rejects the whole bundle with an error naming it.
    Re-importing the same versions changes nothing."""
    ids: list[str] = []
    objects = discovery.ids_of(open_bundle(spool)[1], ids)
    report = import_objects(conn, principal, objects, audience=audience, batch_size=settings.ingest_batch)
    if discoverable is not None:
        discovery.set_imported(conn, principal, ids, discovery.parse_specs(discoverable))
    return report.as_dict()
