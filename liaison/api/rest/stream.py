"""The live stream: Server-Sent Events of the changes the caller may see, resumable."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from liaison.access.credentials import token_digest
from liaison.alerts import stream as service
from liaison.alerts.hub import Subscription, take
from liaison.errors import LiaisonError
from liaison.http.deps import Caller, EngineDep, SettingsDep, credentials_of, principal_of_request

router = APIRouter(tags=["stream"])
#: A heartbeat (a comment) when nothing else was sent for this long (seconds).
HEARTBEAT = 15.0


@router.get(
    "/stream",
    summary="A live stream of the changes you may see (Server-Sent Events)",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}},
        429: {"description": "too many open streams for this token"},
    },
)
async def stream(
    request: Request,
    principal: Caller,
    engine: EngineDep,
    settings: SettingsDep,
    type: Annotated[list[str], Query(description="only these STIX types; repeatable")] = [],
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[str | None, Query(description="resume after this event id (as Last-Event-ID)")] = None,
    audience: Annotated[
        str | None, Query(description="only changes shared with this audience of yours (org, group:NAME, instance)")
    ] = None,
    watchlist: Annotated[str | None, Query(description="only changes that match this watchlist of yours")] = None,
    coalesce: Annotated[
        bool, Query(description="one `changes` event per batch of changes: [[kind, id, modified], ...]")
    ] = False,
):
    """One event per change to an object you are told of when it is sent (a holding shared with
    an audience you belong to, still live): `event:` is version, corrected, revoked, shared or
    correlated (the object came to share a value with another you may see now; warning-listed,
    excluded and common values are no hit);
    `data:` the object's id, type, modified and link (never its content); `id:` an opaque cursor.
    Reconnect with `Last-Event-ID` to resume: nothing is repeated and nothing lost while events
    are kept (a cursor older than that answers 410). Heartbeats (comments) every 15 s. Who you
    are is checked again before each change is sent and at each heartbeat: a revoked token ends
    the stream, a group left stops its events. At most LIAISON_STREAMS_PER_TOKEN open streams per
    token (429 beyond). With `coalesce=true`, each batch of changes (one commit, or several read
    together) is one event `changes` whose data is {"at", "changes": [[kind, id, modified], ...]}:
    the type is the id's prefix, the link /api/v1/objects/<id>; for readers of high volumes.
    Filters: `type` (repeatable), `audience` (one you belong to: only what was shared with it),
    `watchlist` (one of yours: only changes that match it, as you see them)."""
    hub = request.app.state.hub

    def begin():
        with engine.connect() as conn:
            chosen = service.filters(conn, principal, type, audience, watchlist)
            return service.start(conn, principal, last_event_id or after, keep_days=settings.event_days), chosen

    position, chosen = await run_in_threadpool(begin)
    _user, token = credentials_of(request.headers.get("authorization"))
    sub = Subscription(
        key=token_digest(token),  # the token itself, however the header spells it
        authenticate=lambda: principal_of_request(request, engine),
        principal=principal,
        chosen=chosen,
        position=position,
        coalesce=coalesce,
    )
    hub.subscribe(sub)

    def catch_up(at: int):
        reader = principal_of_request(request, engine)
        with engine.connect() as conn:
            return reader, service.read(conn, reader, at, chosen=sub.chosen)

    async def body():
        try:
            yield b"retry: 3000\n\n"
            while not sub.ended:  # a client that leaves cancels this (StreamingResponse listens)
                if not sub.queue.empty():
                    item = sub.queue.get_nowait()
                    if item is None:
                        return
                    chunk = take(sub, item)
                    if chunk:
                        yield chunk
                    continue
                if not hub.level(sub):  # behind (an old cursor) or left behind (a slow reader)
                    try:
                        sub.principal, (notices, last) = await run_in_threadpool(catch_up, sub.position)
                    except LiaisonError:
                        return  # the token no longer stands: the stream ends
                    if notices:
                        yield sub.encode(notices)
                    if last == sub.position:
                        sub.lagging = False  # read to the end of the outbox: level with the hub
                        if not hub.level(sub):
                            await asyncio.sleep(hub.poll)
                    sub.position = last
                    continue
                try:
                    item = await asyncio.wait_for(sub.queue.get(), HEARTBEAT)
                except TimeoutError:
                    try:
                        sub.principal = await run_in_threadpool(principal_of_request, request, engine)
                    except LiaisonError:
                        return
                    yield b": heartbeat\n\n"
                    continue
                if item is None:
                    return
                chunk = take(sub, item)  # empty: a nudge to look whether to catch up, or a stale chunk
                if chunk:
                    yield chunk
        finally:
            hub.unsubscribe(sub)

    return StreamingResponse(
        body(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
