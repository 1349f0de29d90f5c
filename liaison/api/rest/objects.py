"""Objects: list and filter, get (latest or a version), versions, export."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from liaison.access.principal import Principal
from liaison.http.deps import current_principal, get_engine
from liaison.intel import objects as service
from liaison.intel import sharing

router = APIRouter(tags=["objects"])


class Holding(BaseModel):
    owner: str
    audience: str
    added_at: str
    superseded_at: str | None = None


class ObjectEnvelope(BaseModel):
    object: dict[str, Any]
    holdings: list[Holding]


class ObjectPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ObjectEnvelope]


class Version(BaseModel):
    """One content of a version, in one organisation's chain."""

    modified: str
    revoked: bool
    tlp: str | None
    chain: str
    claim: str | None
    received_at: str
    superseded_at: str | None
    current: bool
    holdings: list[Holding]


class ShareRequest(BaseModel):
    audience: str
    all_versions: bool = False


class ShareResult(BaseModel):
    id: str
    audience: str
    added: int


class UnshareResult(BaseModel):
    id: str
    audience: str
    removed: int
    annotations_removed: int


def _envelope(view: service.ObjectView) -> dict:
    return {"object": orjson.Fragment(view.raw), "holdings": [service.holding_dict(h) for h in view.holdings]}


def _json(payload) -> Response:
    return Response(orjson.dumps(payload), media_type="application/json")


class ListQuery(BaseModel):
    """Filters shared by listing and export."""

    type: list[str] = []
    owner: str | None = None
    label: str | None = None
    modified_after: str | None = None
    modified_before: str | None = None
    q: str | None = None
    include_revoked: bool = False

    def filters(self, engine):
        return service.make_filters(
            engine, types=self.type, owner=self.owner, label=self.label, modified_after=self.modified_after,
            modified_before=self.modified_before, text=self.q, include_revoked=self.include_revoked,
        )


@router.get("/objects", response_model=ObjectPage, summary="List the latest versions of objects you may see")
async def list_objects(
    query: Annotated[ListQuery, Query()],
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    principal: Principal = Depends(current_principal),
    engine=Depends(get_engine),
):
    """Filters combine with AND: `type` (repeatable), `owner` (organisation name), `label`,
    `modified_after`/`modified_before` (STIX timestamps), `q` (text in the name). Revoked objects
    are left out unless `include_revoked` is true."""

    def run():
        return service.list_objects(engine, principal, query.filters(engine), limit=limit, offset=offset)

    page = await run_in_threadpool(run)
    return _json({"total": page.total, "limit": page.limit, "offset": page.offset,
                  "items": [_envelope(v) for v in page.items]})


@router.get("/objects/{stix_id}", response_model=ObjectEnvelope, summary="Get an object (latest or one version)")
async def get_object(
    stix_id: str,
    version: Annotated[str | None, Query(description="the `modified` timestamp of a version")] = None,
    principal: Principal = Depends(current_principal),
    engine=Depends(get_engine),
):
    view = await run_in_threadpool(service.get_object, engine, principal, stix_id, version)
    return _json(_envelope(view))


@router.get("/objects/{stix_id}/versions", response_model=list[Version], summary="List an object's versions")
async def list_versions(stix_id: str, principal: Principal = Depends(current_principal), engine=Depends(get_engine)):
    return _json(await run_in_threadpool(service.list_versions, engine, principal, stix_id))


@router.post("/objects/{stix_id}/audiences", response_model=ShareResult,
             summary="Share your organisation's version of an object with another audience")
async def share(stix_id: str, body: ShareRequest, principal: Principal = Depends(current_principal),
                engine=Depends(get_engine)):
    """Acts on your organisation's current version, or with `all_versions` on every version it
    holds; TLP limits apply to each."""
    return _json(await run_in_threadpool(
        lambda: sharing.share(engine, principal, stix_id, body.audience, all_versions=body.all_versions)))


@router.delete("/objects/{stix_id}/audiences", response_model=UnshareResult,
               summary="Withdraw your organisation's version of an object from an audience")
async def unshare(stix_id: str, audience: str, all_versions: bool = False,
                  principal: Principal = Depends(current_principal), engine=Depends(get_engine)):
    """Your organisation's notes, opinions and sightings on the object leave that audience too.
    What partner instances already received stays theirs."""
    return _json(await run_in_threadpool(
        lambda: sharing.unshare(engine, principal, stix_id, audience, all_versions=all_versions)))


@router.get(
    "/export",
    summary="Export what you may see as a STIX 2.1 bundle",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/stix+json;version=2.1": {}}}},
)
async def export(
    query: Annotated[ListQuery, Query()],
    all_versions: bool = False,
    principal: Principal = Depends(current_principal),
    engine=Depends(get_engine),
):
    """The latest version of every matching object, or every version with `all_versions` (then
    only the `type` filter applies)."""
    filters = await run_in_threadpool(query.filters, engine)
    return StreamingResponse(
        service.export_bundle(engine, principal, filters, all_versions=all_versions),
        media_type="application/stix+json;version=2.1",
        headers={"Content-Disposition": 'attachment; filename="liaison-export.json"'},
    )
