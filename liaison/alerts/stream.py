"""The live stream's reading: the changes a reader may see, after a cursor, as small notices (ids,
types and links, never content); visibility is checked when the events are read, not when they
were written, so a share narrowed before delivery tells the reader nothing.

Cursors are opaque: the event id and its time encrypted (AES-GCM, a key derived from the
instance's secret), so that the gaps between the ids a reader is given do not count the changes it
may not see; whether a cursor is past what is kept is judged by its own time alone."""

from __future__ import annotations

import base64
import binascii
import functools
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, Engine

from liaison.access.principal import Action, Principal
from liaison.alerts import watchlists
from liaison.alerts.matching import matching
from liaison.errors import Gone, InvalidInput
from liaison.intel import correlation
from liaison.stix.timestamps import format_ts, parse_ts
from liaison.store import events, tenancy
from liaison.store.provenance import psi_key

#: Most events read at a time.
BATCH = 500
#: The kind of a correlation hit's notice.
HIT = "correlated"


@dataclass(frozen=True, slots=True)
class Notice:
    cursor: str
    kind: str
    stix_id: str
    type: str
    modified: str | None
    at: str
    event_id: int

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.stix_id,
            "type": self.type,
            "modified": self.modified,
            "at": self.at,
            "link": f"/api/v1/objects/{self.stix_id}",
        }


def _key(conn: Connection) -> AESGCM:
    return _cipher(psi_key(conn))


@functools.lru_cache(maxsize=4)
def _cipher(secret: bytes) -> AESGCM:
    """The cursors' cipher for the instance's secret, derived once (each stream reads twice a second)."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"liaison stream cursor")
    return AESGCM(derived.derive(secret))


def _cursor(key: AESGCM, event_id: int, at: datetime) -> str:
    nonce = os.urandom(12)
    payload = event_id.to_bytes(8, "big") + int(at.timestamp()).to_bytes(8, "big")
    sealed = key.encrypt(nonce, payload, b"cursor")
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def cursor_at(conn: Connection, event_id: int) -> str:
    """The cursor of a position, now (what `watch` prints when it starts, to resume from there)."""
    return _cursor(_key(conn), event_id, datetime.now(UTC))


def _opened(conn: Connection, cursor: str) -> tuple[int, datetime]:
    """The event id and time a cursor this instance gave stands for; InvalidInput for any other."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = _key(conn).decrypt(raw[:12], raw[12:], b"cursor")
    except (ValueError, binascii.Error, InvalidTag):
        raise InvalidInput("the Last-Event-ID is not one this stream gave", parameter="Last-Event-ID") from None
    return int.from_bytes(payload[:8], "big"), datetime.fromtimestamp(int.from_bytes(payload[8:], "big"), UTC)


def start(conn: Connection, principal: Principal, cursor: str | None, *, keep_days: int = 30) -> int:
    """Where a reader starts: after its cursor, or (without one) at the newest event. A cursor
    from before what is kept (`keep_days`, the setting event_days) is Gone, judged by the cursor's
    own time: the reader is told it may have missed events, never left to believe it missed none,
    and learns nothing of events it was not told."""
    principal.require(Action.READ)
    if not cursor:
        return events.newest_id(conn)
    after, at = _opened(conn, cursor)
    if at < datetime.now(UTC) - timedelta(days=keep_days):
        raise Gone("the events after this cursor are no longer kept; start again without Last-Event-ID")
    return after


def purge(engine: Engine, days: int) -> int:
    """Delete the events older than `days` days (the setting event_days), in a transaction of its
    own; how many."""
    before = format_ts(datetime.now(UTC) - timedelta(days=days))
    with engine.begin() as conn:
        return events.purge(conn, before)


def cipher(conn: Connection) -> AESGCM:
    """The cursors' cipher (the live stream's fan-out reads it once)."""
    return _key(conn)


def notices(key: AESGCM, rows, made: dict[tuple[int, str], Notice] | None = None) -> list[Notice]:
    """Notices of events already judged told (one per object and change within the rows, the
    newest), each with the cursor to resume after it; `made` ((event id, kind) -> notice) keeps those made
    for the fan-out's other sets of readers of the same batch, so each is made once."""
    newest: dict[tuple[str, str], tuple[str, object]] = {}
    for row in rows:
        kind = "revoked" if row.revoked and row.kind == "version" else row.kind
        newest[(row.stix_id, kind)] = (kind, row)
    found = []
    for kind, row in sorted(newest.values(), key=lambda item: item[1].id):
        notice = made.get((row.id, kind)) if made is not None else None
        if notice is None:
            cursor = _cursor(key, row.id, parse_ts(row.at))
            notice = Notice(cursor, kind, row.stix_id, row.type, row.modified, row.at, row.id)
            if made is not None:
                made[(row.id, kind)] = notice
        found.append(notice)
    return found


def sse(items: list[Notice]) -> bytes:
    """Notices as Server-Sent Events, in one chunk."""
    return b"".join(
        b"id: %s\nevent: %s\ndata: %s\n\n" % (n.cursor.encode(), n.kind.encode(), orjson.dumps(n.as_dict()))
        for n in items
    )


def sse_coalesced(items: list[Notice]) -> bytes:
    """Notices as one Server-Sent Event `changes` (for readers of high volumes): data is
    {"at": the first change's time, "changes": [[kind, id, modified], ...]}, id the cursor after
    the last. The type is the id's prefix; the link, /api/v1/objects/<id>."""
    if not items:
        return b""
    data = orjson.dumps({"at": items[0].at, "changes": [(n.kind, n.stix_id, n.modified) for n in items]})
    return b"id: %s\nevent: changes\ndata: %s\n\n" % (items[-1].cursor.encode(), data)


@dataclass(frozen=True, slots=True)
class Filters:
    """What a reader narrows its stream to: types, one audience it belongs to, one of its watchlists
    (its id, kind and target)."""

    types: tuple[str, ...] = ()
    audience_id: int | None = None
    watch: tuple[str, str, dict] | None = None


def filters(
    conn: Connection, principal: Principal, types=(), audience: str | None = None, watchlist: str | None = None
):
    """Checked filters: an audience must be one the reader belongs to, a watchlist its own; others
    are refused as unknown ones."""
    audience_id = None
    if audience:
        watchlists.plain(audience, "audience")
        try:
            found = tenancy.resolve_audience(conn, principal, audience)
        except InvalidInput:
            found = None
        if found is None or found.id not in principal.audience_ids:
            raise InvalidInput(f"'{audience}' is not an audience you belong to", parameter="audience")
        audience_id = found.id
    watch = None
    if watchlist:
        w = watchlists.get_watchlist(conn, principal, watchlist)
        watch = (w.id, w.kind, w.target)
    return Filters(tuple(t for t in types if t), audience_id, watch)


@dataclass(frozen=True, slots=True)
class Hit:
    """A correlation hit, told with the change that made it (the same event, so the same cursor)."""

    id: int
    at: str
    audience_id: int
    version_pk: int
    stix_id: str
    type: str
    modified: str | None
    live: bool = True
    revoked: bool = False
    kind: str = HIT


def with_hits(conn: Connection, principal: Principal, rows, carried: dict | None = None) -> list:
    """Events told to `principal`, each change followed by a correlation hit when its content
    shares a value with another object the reader may see, held for it before the change
    (intel.correlation.hits, judged now and over the reader's own view alone). A hit is read from
    the change, never written for it: whether there is one is nobody's business but the reader's,
    and judging it reads what the reader may see only. `carried`: the rows' postings, read once
    for every set of readers by the fan-out; with none among them, nothing more is read."""
    told = {r.version_pk: r.at for r in rows if not r.revoked}
    found = correlation.hits(conn, principal, told, carried=carried) if told else {}
    if not found:
        return list(rows)
    made, hit = [], set()
    for r in rows:
        made.append(r)
        if r.version_pk in found and r.version_pk not in hit:
            hit.add(r.version_pk)
            made.append(Hit(r.id, r.at, r.audience_id, r.version_pk, r.stix_id, r.type, r.modified))
    return made


def keep(conn: Connection | None, principal: Principal, rows, chosen: Filters) -> list:
    """Of events told to `principal`, those its filters keep (a watchlist reads the store: `conn`)."""
    if chosen.types:
        rows = [r for r in rows if r.type in chosen.types]
    if chosen.audience_id is not None:
        rows = [r for r in rows if r.audience_id == chosen.audience_id]
    if chosen.watch and rows:
        _id, kind, target = chosen.watch
        changed = {r.version_pk: r.at for r in rows if not r.revoked}
        found = matching(conn, principal, kind, target, {r.version_pk for r in rows}, changed)
        rows = [r for r in rows if r.version_pk in found]
    return rows


def read(
    conn: Connection, principal: Principal, after: int, *, types: tuple[str, ...] = (), chosen: Filters | None = None
) -> tuple[list[Notice], int]:
    """The notices after event `after` that `principal` may see now (one per object and change
    within the batch), each with the cursor to resume after it, and where to read from next."""
    chosen = chosen or Filters(types)
    rows, last = events.since(conn, principal, after, types=chosen.types, audience_id=chosen.audience_id, limit=BATCH)
    rows = with_hits(conn, principal, rows)
    if chosen.watch:
        rows = keep(conn, principal, rows, Filters(watch=chosen.watch))
    return notices(_key(conn), rows), last
