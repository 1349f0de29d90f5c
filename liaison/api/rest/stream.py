"""The live stream: Server-Sent Events of the changes the caller may see, resumable."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import orjson
from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from liaison.alerts import stream as service
from liaison.errors import LiaisonError
from liaison.http.deps import Caller, EngineDep, SettingsDep, principal_of_request

router = APIRouter(tags=["stream"])
#: How often the outbox is read, and a heartbeat sent when nothing else was (seconds).
POLL, HEARTBEAT = 0.5, 15.0


@router.get(
    "/stream",
    summary="A live stream of the changes you may see (Server-Sent Events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    request: Request,
    principal: Caller,
    engine: EngineDep,
    settings: SettingsDep,
    type: Annotated[list[str], Query(description="only these STIX types; repeatable")] = [],
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[str | None, Query(description="resume after this event id (as Last-Event-ID)")] = None,
):
    """One event per change to an object you are told of when it is sent (a holding shared with
    an audience you belong to, still live): `event:` is version, corrected, revoked or shared;
    `data:` the object's id, type, modified and link (never its content); `id:` an opaque cursor.
    Reconnect with `Last-Event-ID` to resume: nothing is repeated and nothing lost while events
    are kept (a cursor older than that answers 410). Heartbeats (comments) every 15 s. Who you
    are is checked again at each read: a revoked token ends the stream, a group left stops its
    events."""

    def begin() -> int:
        with engine.connect() as conn:
            return service.start(conn, principal, last_event_id or after, keep_days=settings.event_days)

    position = await run_in_threadpool(begin)
    types = tuple(t for t in type if t)

    def next_batch(at: int):
        reader = principal_of_request(request, engine)
        with engine.connect() as conn:
            return service.read(conn, reader, at, types=types)

    async def body():
        at, beat = position, time.monotonic()
        yield b"retry: 3000\n\n"
        while not await request.is_disconnected():
            try:
                notices, last = await run_in_threadpool(next_batch, at)
            except LiaisonError:
                return  # the token no longer stands: the stream ends
            moved, at = last != at, last
            for notice in notices:
                data = orjson.dumps(notice.as_dict()).decode()
                yield f"id: {notice.cursor}\nevent: {notice.kind}\ndata: {data}\n\n".encode()
            if notices:
                beat = time.monotonic()
            if moved:  # read on at once: events not told must not delay those told after them
                continue
            if time.monotonic() - beat >= HEARTBEAT:
                beat = time.monotonic()
                yield b": heartbeat\n\n"
            await asyncio.sleep(POLL)

    return StreamingResponse(
        body(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
