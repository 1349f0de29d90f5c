"""Objects: list and filter, get (latest or a version), versions, export."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from liaison.http.deps import Caller, Conn, StreamConn
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

    def filters(self, conn):
        return service.make_filters(
            conn,
            types=self.type,
            owner=self.owner,
            label=self.label,
            modified_after=self.modified_after,
            modified_before=self.modified_before,
            text=self.q,
            include_revoked=self.include_revoked,
        )


@router.get("/objects", response_model=ObjectPage, summary="List the latest versions of objects you may see")
def list_objects(
    query: Annotated[ListQuery, Query()],
    principal: Caller,
    conn: Conn,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    """Filters combine with AND: `type` (repeatable), `owner` (organisation name), `label`,
    `modified_after`/`modified_before` (STIX timestamps), `q` (text in the name). Revoked objects
    are left out unless `include_revoked` is true."""
    page = service.list_objects(conn, principal, query.filters(conn), limit=limit, offset=offset)
    return _json(
        {"total": page.total, "limit": page.limit, "offset": page.offset, "items": [_envelope(v) for v in page.items]}
    )


@router.get("/objects/{stix_id}", response_model=ObjectEnvelope, summary="Get an object (latest or one version)")
def get_object(
    stix_id: str,
    principal: Caller,
    conn: Conn,
    version: Annotated[str | None, Query(description="the `modified` timestamp of a version")] = None,
):
    view = service.get_object(conn, principal, stix_id, version)
    return _json(_envelope(view))


@router.get("/objects/{stix_id}/versions", response_model=list[Version], summary="List an object's versions")
def list_versions(stix_id: str, principal: Caller, conn: Conn):
    return _json(service.list_versions(conn, principal, stix_id))


@router.post(
    "/objects/{stix_id}/audiences",
    response_model=ShareResult,
    summary="Share your organisation's version of an object with another audience",
)
def share(stix_id: str, body: ShareRequest, principal: Caller, conn: Conn):
    """Acts on your organisation's current version, or with `all_versions` on every version it
    holds; TLP limits apply to each."""
    return _json(sharing.share(conn, principal, stix_id, body.audience, all_versions=body.all_versions))


@router.delete(
    "/objects/{stix_id}/audiences",
    response_model=UnshareResult,
    summary="Withdraw your organisation's version of an object from an audience",
)
def unshare(stix_id: str, audience: str, principal: Caller, conn: Conn, all_versions: bool = False):
    """Your organisation's notes, opinions and sightings on the object leave that audience too.
    What partner instances already received stays theirs."""
    return _json(sharing.unshare(conn, principal, stix_id, audience, all_versions=all_versions))


@router.get(
    "/export",
    summary="Export what you may see as a STIX 2.1 bundle",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/stix+json;version=2.1": {}}}},
)
def export(
    query: Annotated[ListQuery, Query()],
    principal: Caller,
    conn: StreamConn,
    all_versions: bool = False,
):
    """The latest version of every matching object, or every version with `all_versions` (then
    only the `type` filter applies)."""
    # Streamed: the connection stays open (read-only) until the last byte is sent.
    return StreamingResponse(
        service.export_bundle(conn, principal, query.filters(conn), all_versions=all_versions),
        media_type="application/stix+json;version=2.1",
        headers={"Content-Disposition": 'attachment; filename="liaison-export.json"'},
    )
