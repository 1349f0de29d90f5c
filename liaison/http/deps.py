"""Request dependencies shared by every adapter: the engine and settings of the application, the
request's one transaction, the Principal of a token-authenticated caller, and upload spooling.

Routes are plain `def` functions (FastAPI runs them in its thread pool) that take `Conn` and pass it
to the services, so what one request writes commits together, once, before its answer is sent, or
not at all. Reads see what is committed when each statement runs (PostgreSQL's READ COMMITTED;
SQLite reads outside a transaction until the first write): each read applies the access
predicates itself, so no read relies on an earlier one's snapshot.
"""

from __future__ import annotations

import base64
import binascii
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBearer
from sqlalchemy import Connection, Engine

from liaison.access.principal import Action, Principal
from liaison.accounts import authenticate_token
from liaison.config import Settings
from liaison.errors import Forbidden, InvalidInput, LiaisonError, PayloadTooLarge, Unauthorized

# Declared for the OpenAPI document; the header is parsed below so both schemes share one path.
_bearer = HTTPBearer(auto_error=False, description="API token")
_basic = HTTPBasic(auto_error=False, description="user name and API token as password")


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def transaction(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """The request's transaction: committed when the route returns, rolled back when it raises
    (closing the connection rolls back what was not committed)."""
    with engine.connect() as conn:
        yield conn
        conn.commit()


@dataclass
class Attempt:
    """What became of an attempted change: the refusal, or None when it went through."""

    error: LiaisonError | None = None


@contextmanager
def attempt(conn: Connection) -> Iterator[Attempt]:
    """For a route that shows a refusal inline (an htmx panel, a form): a LiaisonError raised in
    the block rolls back what the request wrote so far — it must not commit with the answer — and
    is kept in the Attempt instead of propagating; the route then reads afresh to render."""
    outcome = Attempt()
    try:
        yield outcome
    except LiaisonError as exc:
        conn.rollback()
        outcome.error = exc


@contextmanager
def no_sooner_than(conn: Connection, seconds: float) -> Iterator[None]:
    """An answer (or a refusal) that leaves no sooner than `seconds` after the block began, so its
    time says nothing of what it matched (hit queries). What the block wrote commits before the
    wait, so its locks are not held through it; a refusal waits, then propagates."""
    started = time.perf_counter()
    try:
        yield
    except LiaisonError:
        _wait_until(started + seconds)
        raise
    conn.commit()
    _wait_until(started + seconds)


def _wait_until(moment: float) -> None:
    left = moment - time.perf_counter()
    if left > 0:
        time.sleep(left)


def streaming_connection(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """A connection that outlives the route, for answers streamed from the database (exports);
    it is closed once the last byte is sent, and only reads."""
    with engine.connect() as conn:
        yield conn


def credentials_of(header: str | None) -> tuple[str | None, str]:
    """(user name or None, token) from an Authorization header."""
    if not header:
        raise Unauthorized("authentication required: send 'Authorization: Bearer <token>'")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return None, value
    if scheme.lower() == "basic" and value:
        try:
            user, sep, token = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized("malformed Basic credentials") from None
        if sep and user and token:
            return user, token
    raise Unauthorized("unsupported Authorization header: use Bearer <token> or Basic")


def current_principal(
    request: Request,
    engine: Annotated[Engine, Depends(get_engine)],
    _b: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _c: Annotated[object, Depends(_basic)],
) -> Principal:
    """The caller, authenticated by API token (Bearer, or Basic with the user name), within what
    the token's scope allows. Failed attempts are counted in their own transaction (lockout), so
    they stay counted whatever becomes of the request."""
    return principal_of_request(request, engine)


def principal_of_request(request: Request, engine: Engine) -> Principal:
    """The caller of `request` as its token stands now: a long answer (the live stream) asks again,
    so that a revoked token, a disabled user or a group left takes effect while it runs."""
    user, token = credentials_of(request.headers.get("authorization"))
    address = request.client.host if request.client else None
    principal = authenticate_token(engine, token, user, address)
    check_scope(principal.token_scope, request.method, request.url.path)
    return principal


#: What a sync token reaches besides TAXII: who it is, this instance's key, its own partnership.
_SYNC_PATHS = ("/api/v1/whoami", "/api/v1/instance", "/api/v1/partners")
#: Hit queries, requests for information and decisions between instances.
_SYNC_PREFIX = "/api/v1/federation/"


def check_scope(scope: str | None, method: str, path: str) -> None:
    """Refuse what a token's scope does not cover: a read token only reads; a sync token only
    exchanges data over TAXII (and learns this instance's key)."""
    if scope == "read" and method not in ("GET", "HEAD", "OPTIONS"):
        raise Forbidden("this token is read-only; ask your administrator for a write token")
    if scope == "sync" and not (path.startswith(("/taxii2/", _SYNC_PREFIX)) or path in _SYNC_PATHS):
        raise Forbidden("a sync token only exchanges data over TAXII")


async def spool_body(
    request: Request,
    limit: int,
    *,
    what: str = "a STIX 2.1 bundle",
    advice: str = "; use 'liaison import' for large files",
):
    """The request body in a temporary file, refused as soon as it passes `limit` bytes."""
    too_large = f"{what} larger than {limit} bytes{advice}"
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(too_large, limit=limit)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            spool.close()
            raise PayloadTooLarge(too_large, limit=limit)
        spool.write(chunk)
    if size == 0:
        spool.close()
        raise InvalidInput(f"empty body: send {what}")
    return spool


async def writer_bundle(
    request: Request,
    principal: Annotated[Principal, Depends(current_principal)],
    settings: Annotated[Settings, Depends(get_settings)],
):
    """The uploaded STIX bundle, spooled within the configured limit, once the caller is known to
    be allowed to write: the role is checked before the upload is read (the service checks again).
    A dependency, so the route that imports it stays a plain function."""
    principal.require(Action.WRITE)
    spool = await spool_body(request, settings.max_upload_bytes)
    try:
        yield spool
    finally:
        spool.close()


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
#: The request's one transaction; ends before the answer is sent (scope="function").
Conn = Annotated[Connection, Depends(transaction, scope="function")]
#: A read-only connection kept open while a streamed answer is sent.
StreamConn = Annotated[Connection, Depends(streaming_connection)]
Caller = Annotated[Principal, Depends(current_principal)]


def reader(principal: Caller) -> Principal:
    """The caller, if it reads intelligence (an operator does not): checked before the body is."""
    principal.require(Action.READ)
    return principal


#: A caller who reads intelligence: what a user keeps for itself (saved searches, watchlists,
#: alerts) is refused to others before any body is read.
ReaderCaller = Annotated[Principal, Depends(reader)]
#: An uploaded bundle from a caller allowed to write, closed when the route ends.
WriterBundle = Annotated[tempfile.SpooledTemporaryFile, Depends(writer_bundle, scope="function")]
