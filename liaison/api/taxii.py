"""The TAXII 2.1 server: discovery, one API root, collections over audiences, objects, manifest,
versions and status, with TAXII media types, headers and error messages."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import Engine

from liaison.access.principal import Principal
from liaison.http.deps import current_principal, get_engine
from liaison.http.deps import spool_body
from liaison.config import get_settings
from liaison.errors import InvalidInput, NotAcceptable, NotFound, UnsupportedMediaType
from liaison.federation import signing
from liaison.stix.validate import IDENTIFIER_RE
from liaison.store import sharing
from liaison.taxii import MEDIA_TYPE as TAXII
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
Caller = Annotated[Principal, Depends(current_principal)]
DB = Annotated[Engine, Depends(get_engine)]


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
    return colls.make_query(added_after=added_after, ids=ids, types=types, versions=versions,
                            spec_versions=spec_versions, limit=limit, next=next_)


AddedAfter = Annotated[str | None, Query(alias="added_after")]
Limit = Annotated[str | None, Query(alias="limit")]
Next = Annotated[str | None, Query(alias="next")]
MatchId = Annotated[str | None, Query(alias="match[id]")]
MatchType = Annotated[str | None, Query(alias="match[type]")]
MatchVersion = Annotated[str | None, Query(alias="match[version]")]
MatchSpec = Annotated[str | None, Query(alias="match[spec_version]")]


@router.get("/", summary="Discovery")
async def discovery(request: Request, principal: Caller):
    base = str(request.base_url).rstrip("/")
    settings = get_settings()
    return taxii({
        "title": f"Liaison — {settings.instance_name}",
        "description": "Federated intelligence sharing; collections are the audiences you belong to.",
        "default": f"{base}{PREFIX}/{ROOT}/",
        "api_roots": [f"{base}{PREFIX}/{ROOT}/"],
    })


@router.get("/{api_root}/", summary="API root information")
async def api_root_info(api_root: str, principal: Caller):
    _root(api_root)
    return taxii({
        "title": f"Liaison intelligence ({get_settings().instance_name})",
        "description": "STIX 2.1 objects shared with your organisation, your sharing groups and the instance.",
        "versions": [TAXII], "max_content_length": get_settings().max_upload_bytes,
    })


@router.get("/{api_root}/status/{status_id}/", summary="Status of an added envelope")
async def status(api_root: str, status_id: str, principal: Caller, engine: DB):
    _root(api_root)
    return taxii(await run_in_threadpool(envelopes.get_status, engine, principal, status_id))


def _collections(engine: Engine, principal: Principal) -> list[colls.Collection]:
    with engine.connect() as conn:
        return colls.collections_for(conn, principal)


def _collection(engine: Engine, principal: Principal, collection_id: str) -> colls.Collection:
    with engine.connect() as conn:
        return colls.collection(conn, principal, collection_id)


@router.get("/{api_root}/collections/", summary="Collections you can read")
async def list_collections(api_root: str, principal: Caller, engine: DB):
    _root(api_root)
    found = await run_in_threadpool(_collections, engine, principal)
    return taxii({"collections": [c.resource() for c in found]})


@router.get("/{api_root}/collections/{collection_id}/", summary="One collection")
async def get_collection(api_root: str, collection_id: str, principal: Caller, engine: DB):
    _root(api_root)
    return taxii((await run_in_threadpool(_collection, engine, principal, collection_id)).resource())


def _page(engine: Engine, principal: Principal, collection_id: str, query: colls.Query, stix_id: str | None = None):
    with engine.begin() as conn:
        coll = colls.collection(conn, principal, collection_id)
        found, more = colls.entries(conn, principal, coll, query, stix_id=stix_id)
        signed = _provenance_for(conn, principal, found)
        if principal.is_partner:  # what a partner instance reads here is its from now on
            sharing.record_deliveries(conn, principal.org_id, coll.audience_id, [(e.stix_id, e.org_id) for e in found])
    return found, more, signed


def _provenance_for(conn, principal: Principal, found: list[colls.Entry]) -> dict | None:
    """For a partner instance: the provenance of each version (the origin's, or ours, signed now)."""
    if not principal.is_partner:
        return None
    return signing.signatures_for(conn, found, get_settings().instance_name)


def _envelope(found: list[colls.Entry], more: bool, signed: dict | None) -> bytes:
    head = {"more": more}
    if more and found:
        head["next"] = found[-1].date_added
    if signed is None:
        items = b",".join(e.raw.encode() for e in found)
    else:
        items = b",".join(signing.attach(e.raw, signed[e.pk]) for e in found)
    return orjson.dumps(head)[:-1] + b',"objects":[' + items + b"]}"


def _check_id(object_id: str) -> None:
    if not IDENTIFIER_RE.match(object_id):
        raise NotFound(f"no object '{object_id}': not a STIX identifier")


async def _object_page(engine: Engine, principal: Principal, collection_id: str, object_id: str, query: colls.Query):
    """_page for one object; an object with no version in the collection is a 404 (unless the
    request pages on from a point where nothing is left)."""
    found, more, signed = await run_in_threadpool(_page, engine, principal, collection_id, query, object_id)
    if not found and not query.added_after and not query.next:
        raise NotFound(f"no object '{object_id}' in this collection")
    return found, more, signed


@router.get("/{api_root}/collections/{collection_id}/objects/", summary="Objects (an envelope)")
async def get_objects(api_root: str, collection_id: str, principal: Caller, engine: DB, added_after: AddedAfter = None,
                      limit: Limit = None, next: Next = None, ids: MatchId = None, types: MatchType = None,
                      versions: MatchVersion = None, spec_versions: MatchSpec = None):
    _root(api_root)
    query = _query(added_after, ids, types, versions, spec_versions, limit, next)
    found, more, signed = await run_in_threadpool(_page, engine, principal, collection_id, query)
    return taxii(_envelope(found, more, signed), headers=_date_headers(found))


@router.post("/{api_root}/collections/{collection_id}/objects/", status_code=202, summary="Add objects")
async def add_objects(api_root: str, collection_id: str, request: Request, principal: Caller, engine: DB):
    _root(api_root)
    content_type = request.headers.get("content-type", "")
    if not _media_ok(content_type):
        raise UnsupportedMediaType(f"send the envelope as {TAXII}, not '{content_type or 'nothing'}'")
    coll = await run_in_threadpool(_collection, engine, principal, collection_id)
    spool = await spool_body(request, get_settings().max_upload_bytes)
    try:
        spool.seek(0)
        envelope = orjson.loads(spool.read())
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(f"malformed JSON: {exc}") from None
    finally:
        spool.close()
    if not isinstance(envelope, dict):
        raise InvalidInput("the body must be a TAXII envelope (a JSON object with 'objects')")
    result = await run_in_threadpool(envelopes.add_objects, engine, principal, coll, envelope.get("objects", []))
    return taxii(result, status=202)


@router.get("/{api_root}/collections/{collection_id}/objects/{object_id}/", summary="One object's versions")
async def get_object(api_root: str, collection_id: str, object_id: str, principal: Caller, engine: DB,
                     added_after: AddedAfter = None, limit: Limit = None, next: Next = None,
                     versions: MatchVersion = None, spec_versions: MatchSpec = None):
    _root(api_root)
    _check_id(object_id)
    query = _query(added_after, None, None, versions, spec_versions, limit, next)
    found, more, signed = await _object_page(engine, principal, collection_id, object_id, query)
    return taxii(_envelope(found, more, signed), headers=_date_headers(found))


def _delete(engine: Engine, principal: Principal, collection_id: str, object_id: str, query: colls.Query) -> int:
    with engine.begin() as conn:
        coll = colls.collection(conn, principal, collection_id)
        return colls.delete_object(conn, principal, coll, object_id, query)


@router.delete("/{api_root}/collections/{collection_id}/objects/{object_id}/", summary="Delete an object")
async def delete_object(api_root: str, collection_id: str, object_id: str, principal: Caller, engine: DB,
                        versions: MatchVersion = None, spec_versions: MatchSpec = None):
    _root(api_root)
    _check_id(object_id)
    query = _query(None, None, None, versions or "all", spec_versions, None, None)
    await run_in_threadpool(_delete, engine, principal, collection_id, object_id, query)
    return Response(status_code=200, media_type=TAXII)


@router.get("/{api_root}/collections/{collection_id}/objects/{object_id}/versions/", summary="Versions of an object")
async def object_versions(api_root: str, collection_id: str, object_id: str, principal: Caller, engine: DB,
                          added_after: AddedAfter = None, limit: Limit = None, next: Next = None,
                          spec_versions: MatchSpec = None):
    _root(api_root)
    _check_id(object_id)
    query = _query(added_after, None, None, "all", spec_versions, limit, next)
    found, more, _ = await _object_page(engine, principal, collection_id, object_id, query)
    body = {"more": more, "versions": [e.version for e in found]}
    if more:
        body["next"] = found[-1].date_added
    return taxii(body, headers=_date_headers(found))


@router.get("/{api_root}/collections/{collection_id}/manifest/", summary="Manifest of the objects")
async def manifest(api_root: str, collection_id: str, principal: Caller, engine: DB, added_after: AddedAfter = None,
                   limit: Limit = None, next: Next = None, ids: MatchId = None, types: MatchType = None,
                   versions: MatchVersion = None, spec_versions: MatchSpec = None):
    _root(api_root)
    query = _query(added_after, ids, types, versions, spec_versions, limit, next)
    found, more, _ = await run_in_threadpool(_page, engine, principal, collection_id, query)
    body = {"more": more, "objects": [
        {"id": e.stix_id, "date_added": e.date_added, "version": e.version,
         "media_type": "application/stix+json;version=2.1"} for e in found]}
    if more:
        body["next"] = found[-1].date_added
    return taxii(body, headers=_date_headers(found))
