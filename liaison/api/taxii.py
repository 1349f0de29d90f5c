"""The TAXII 2.1 server: discovery, one API root, collections over audiences, objects, manifest,
versions and status, with TAXII media types, headers and error messages."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from liaison.access.principal import Action
from liaison.errors import InvalidInput, NotAcceptable, NotFound, UnsupportedMediaType
from liaison.http.deps import Caller, Conn, SettingsDep, spool_body
from liaison.stix.media import STIX, TAXII
from liaison.stix.provenance import attach
from liaison.stix.validate import IDENTIFIER_RE
from liaison.taxii import collections as colls
from liaison.taxii import envelopes

ROOT = "liaison"
PREFIX = "/taxii2"


def _media_ok(value: str) -> bool:
    """application/taxii+json with version 2.1 or none."""
    media, _, params = value.partition(";")
    if media.strip().lower() != "application/taxii+json":
        return False
    version = [p.strip() for p in params.split(";") if p.strip().lower().startswith("version=")]
    return not version or version[0].lower() == "version=2.1"


def check_accept(request: Request) -> None:
    accept = request.headers.get("accept")
    if not accept:
        return
    offered = [part.strip() for part in accept.split(",")]
    if any(_media_ok(part) or part.split(";")[0] in ("*/*", "application/*") for part in offered):
        return
    raise NotAcceptable(f"this server answers in {TAXII}; the request accepts only: {accept}")


router = APIRouter(prefix=PREFIX, tags=["TAXII 2.1"], dependencies=[Depends(check_accept)])


def taxii(body: object, status: int = 200, headers: dict | None = None) -> Response:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(content, status_code=status, media_type=TAXII, headers=headers)


def _root(api_root: str) -> None:
    if api_root != ROOT:
        raise NotFound(f"no API root '{api_root}'")


def _date_headers(entries: list[colls.Entry]) -> dict:
    if not entries:
        return {}
    return {"X-TAXII-Date-Added-First": entries[0].date_added, "X-TAXII-Date-Added-Last": entries[-1].date_added}


def _query(added_after, ids, types, versions, spec_versions, limit, next_) -> colls.Query:
    return colls.make_query(
        added_after=added_after,
        ids=ids,
        types=types,
        versions=versions,
        spec_versions=spec_versions,
        limit=limit,
        next=next_,
    )


def _check_id(object_id: str) -> None:
    if not IDENTIFIER_RE.match(object_id):
        raise NotFound(f"no object '{object_id}': not a STIX identifier")


AddedAfter = Annotated[str | None, Query(alias="added_after")]
Limit = Annotated[str | None, Query(alias="limit")]
Next = Annotated[str | None, Query(alias="next")]
MatchId = Annotated[str | None, Query(alias="match[id]")]
MatchType = Annotated[str | None, Query(alias="match[type]")]
MatchVersion = Annotated[str | None, Query(alias="match[version]")]
MatchSpec = Annotated[str | None, Query(alias="match[spec_version]")]


def _filters(
    added_after: AddedAfter = None,
    limit: Limit = None,
    next: Next = None,
    ids: MatchId = None,
    types: MatchType = None,
    versions: MatchVersion = None,
    spec_versions: MatchSpec = None,
) -> colls.Query:
    """The paging and match[...] parameters of a collection's objects and manifest."""
    return _query(added_after, ids, types, versions, spec_versions, limit, next)


Filters = Annotated[colls.Query, Depends(_filters)]


async def envelope_upload(request: Request, api_root: str, principal: Caller, settings: SettingsDep):
    """The POSTed envelope, spooled within the upload limit once the API root, the media type and
    the caller's role are right: all three are checked before the body is read (the service checks
    the role again). A dependency, so the route that imports it stays a plain function."""
    _root(api_root)
    content_type = request.headers.get("content-type", "")
    if not _media_ok(content_type):
        raise UnsupportedMediaType(f"send the envelope as {TAXII}, not '{content_type or 'nothing'}'")
    principal.require(Action.WRITE)
    spool = await spool_body(request, settings.max_upload_bytes, what="a TAXII envelope", advice="")
    try:
        yield spool
    finally:
        spool.close()


Envelope = Annotated[object, Depends(envelope_upload, scope="function")]


@router.get("/", summary="Discovery")
def discovery(request: Request, principal: Caller, settings: SettingsDep):
    base = str(request.base_url).rstrip("/")
    return taxii(
        {
            "title": f"Liaison — {settings.instance_name}",
            "description": "Federated intelligence sharing; collections are the audiences you belong to.",
            "default": f"{base}{PREFIX}/{ROOT}/",
            "api_roots": [f"{base}{PREFIX}/{ROOT}/"],
        }
    )


@router.get("/{api_root}/", summary="API root information")
def api_root_info(api_root: str, principal: Caller, settings: SettingsDep):
    _root(api_root)
    return taxii(
        {
            "title": f"Liaison intelligence ({settings.instance_name})",
            "description": "STIX 2.1 objects shared with your organisation, your sharing groups and the instance.",
            "versions": [TAXII],
            "max_content_length": settings.max_upload_bytes,
        }
    )


@router.get("/{api_root}/status/{status_id}/", summary="Status of an added envelope")
def status(api_root: str, status_id: str, principal: Caller, conn: Conn):
    _root(api_root)
    return taxii(envelopes.get_status(conn, principal, status_id))


@router.get("/{api_root}/collections/", summary="Collections you can read")
def list_collections(api_root: str, principal: Caller, conn: Conn):
    _root(api_root)
    return taxii({"collections": [colls.resource(c, principal) for c in colls.collections_for(conn, principal)]})


@router.get("/{api_root}/collections/{collection_id}/", summary="One collection")
def get_collection(api_root: str, collection_id: str, principal: Caller, conn: Conn):
    _root(api_root)
    return taxii(colls.resource(colls.collection(conn, principal, collection_id), principal))


def _envelope(page: colls.Page) -> bytes:
    head = {"more": page.more}
    if page.more and page.entries:
        head["next"] = page.entries[-1].date_added
    if page.signed is None:
        items = b",".join(e.raw.encode() for e in page.entries)
    else:
        items = b",".join(attach(e.raw, page.signed[e.pk]) for e in page.entries)
    return orjson.dumps(head)[:-1] + b',"objects":[' + items + b"]}"


@router.get("/{api_root}/collections/{collection_id}/objects/", summary="Objects (an envelope)")
def get_objects(
    api_root: str,
    collection_id: str,
    principal: Caller,
    conn: Conn,
    settings: SettingsDep,
    query: Filters,
):
    _root(api_root)
    page = colls.page(conn, principal, collection_id, query, origin=settings.instance_name)
    return taxii(_envelope(page), headers=_date_headers(page.entries))


@router.post("/{api_root}/collections/{collection_id}/objects/", status_code=202, summary="Add objects")
def add_objects(
    api_root: str, collection_id: str, spool: Envelope, principal: Caller, conn: Conn, settings: SettingsDep
):
    try:
        spool.seek(0)
        envelope = orjson.loads(spool.read())
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"malformed JSON: {exc}") from None
    if not isinstance(envelope, dict):
        raise InvalidInput("the body must be a TAXII envelope (a JSON object with 'objects')")
    result = envelopes.add_objects(
        conn, principal, collection_id, envelope.get("objects", []), batch_size=settings.ingest_batch
    )
    return taxii(result, status=202)


@router.get("/{api_root}/collections/{collection_id}/objects/{object_id}/", summary="One object's versions")
def get_object(
    api_root: str,
    collection_id: str,
    object_id: str,
    principal: Caller,
    conn: Conn,
    settings: SettingsDep,
    added_after: AddedAfter = None,
    limit: Limit = None,
    next: Next = None,
    versions: MatchVersion = None,
    spec_versions: MatchSpec = None,
):
    _root(api_root)
    _check_id(object_id)
    query = _query(added_after, None, None, versions, spec_versions, limit, next)
    page = colls.object_page(conn, principal, collection_id, object_id, query, origin=settings.instance_name)
    return taxii(_envelope(page), headers=_date_headers(page.entries))


@router.delete("/{api_root}/collections/{collection_id}/objects/{object_id}/", summary="Delete an object")
def delete_object(
    api_root: str,
    collection_id: str,
    object_id: str,
    principal: Caller,
    conn: Conn,
    versions: MatchVersion = None,
    spec_versions: MatchSpec = None,
):
    _root(api_root)
    _check_id(object_id)
    query = _query(None, None, None, versions or "all", spec_versions, None, None)
    colls.delete_object(conn, principal, collection_id, object_id, query)
    return Response(status_code=200, media_type=TAXII)


@router.get("/{api_root}/collections/{collection_id}/objects/{object_id}/versions/", summary="Versions of an object")
def object_versions(
    api_root: str,
    collection_id: str,
    object_id: str,
    principal: Caller,
    conn: Conn,
    settings: SettingsDep,
    added_after: AddedAfter = None,
    limit: Limit = None,
    next: Next = None,
    spec_versions: MatchSpec = None,
):
    _root(api_root)
    _check_id(object_id)
    query = _query(added_after, None, None, "all", spec_versions, limit, next)
    page = colls.object_page(conn, principal, collection_id, object_id, query, origin=settings.instance_name)
    body = {"more": page.more, "versions": [colls.version(e) for e in page.entries]}
    if page.more:
        body["next"] = page.entries[-1].date_added
    return taxii(body, headers=_date_headers(page.entries))


@router.get("/{api_root}/collections/{collection_id}/manifest/", summary="Manifest of the objects")
def manifest(
    api_root: str,
    collection_id: str,
    principal: Caller,
    conn: Conn,
    settings: SettingsDep,
    query: Filters,
):
    _root(api_root)
    page = colls.page(conn, principal, collection_id, query, origin=settings.instance_name)
    body = {
        "more": page.more,
        "objects": [
            {"id": e.stix_id, "date_added": e.date_added, "version": colls.version(e), "media_type": STIX}
            for e in page.entries
        ],
    }
    if page.more:
        body["next"] = page.entries[-1].date_added
    return taxii(body, headers=_date_headers(page.entries))
