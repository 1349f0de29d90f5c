"""Hit/no-hit queries between instances, by private set intersection (OpenMined's `openmined-psi`:
elliptic-curve Diffie-Hellman over P-256, an oblivious PRF keyed by the holder).

The asker blinds each value with a key of its own and sends the blinded points; the holder raises
them to its secret and sends them back with, per local organisation, the set of its discoverable
values raised to the same secret (a Golomb-compressed set). The asker unblinds and tests membership.
So the holder sees only how many values were asked, never which; the asker learns, per organisation,
which of its own values are held, and nothing about the others: to test a value it must ask the
holder online, which counts against its rate limit. A keyed hash shared by the pair would let
either side enumerate a phone plan or all of IPv4 offline; this does not. Each organisation's set
is padded with random elements to a power of two (at least PAD_MIN), so its size says little.

Requests for information and their decisions travel over the same authenticated channel: the
partner's sync token, as TAXII uses.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
import time
from collections.abc import Callable

import httpx
import orjson
import private_set_intersection.python as psi
from sqlalchemy import Connection

from liaison import audit, clock
from liaison.access.principal import Principal, Role
from liaison.errors import Forbidden, InvalidInput
from liaison.stix.entities import NAMED_TYPES
from liaison.store import discovery, partners
from liaison.store import hits as hits_store
from liaison.store.partners import Partner
from liaison.store.provenance import psi_key

#: The most elements (value keys: an address counts with its containing networks) one query sends.
MAX_ELEMENTS = 10_000
#: The false-positive rate of a whole query against one organisation's set.
FPR = 1e-9
PAD_MIN = 1024
HITS_PATH = "api/v1/federation/hits"
REQUESTS_PATH = "api/v1/federation/requests"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise InvalidInput("not base64") from None


def partner_of(conn: Connection, principal: Principal) -> Partner:
    """The partner instance a sync account speaks for; anyone else is refused."""
    if not principal.is_partner or principal.role != Role.SYNC:
        raise Forbidden("only a partner instance's sync account asks this")
    found = partners.of_org(conn, principal.org_id)
    if found is None:
        raise Forbidden("only a partner instance's sync account asks this")
    return found


def _padded(items: frozenset[str]) -> list[str]:
    size = max(PAD_MIN, 1 << (len(items) - 1).bit_length()) if items else PAD_MIN
    return sorted(items) + [secrets.token_hex(16) for _ in range(size - len(items))]


@functools.lru_cache(maxsize=64)
def _setup(key: bytes, org: str, items: frozenset[str]) -> bytes:
    """The encrypted, padded set of one organisation, cached by its key and content (the same
    content is not encrypted twice; each organisation and each content gets padding of its own)."""
    server = psi.server.CreateFromKey(key, True)
    return server.CreateSetupMessage(FPR, MAX_ELEMENTS, _padded(items), psi.DataStructure.GCS).SerializeToString()


def _partner_key(conn: Connection, partner: Partner, window_seconds: int) -> bytes:
    """The PRF key for one partner in the current rate-limit window: a partner that kept an old
    answer cannot test it against later sets for free (it pays again each window), and two
    partners' answers cannot be compared."""
    window = int(time.time()) // max(window_seconds, 1)
    return hashlib.sha256(psi_key(conn) + f"/{partner.id}/{window}".encode()).digest()


@functools.cache
def _honest_range() -> int:
    """The hash range of a set made with our parameters: a partner's set with a smaller one (more
    false positives) would make every value look held, to draw requests that disclose them."""
    server = psi.server.CreateWithNewKey(True)
    return server.CreateSetupMessage(FPR, MAX_ELEMENTS, _padded(frozenset()), psi.DataStructure.GCS).gcs.hash_range


def answer(
    conn: Connection, principal: Principal, body: dict, *, check: Callable[[int], int], window_seconds: int
) -> dict:
    """Answer a partner's blinded query: the points raised to our secret and, per local
    organisation that made anything discoverable by that partner, that set. `check(elements)`
    applies the rate limit (it raises when the partner is over it) and returns what is left."""
    partner = partner_of(conn, principal)
    key = _partner_key(conn, partner, window_seconds)
    request = psi.Request()
    try:
        request.ParseFromString(_unb64(str(body.get("request", ""))))
    except Exception:  # the library raises its own DecodeError
        raise InvalidInput("'request' is not a PSI request") from None
    count = len(request.encrypted_elements)
    if not 1 <= count <= MAX_ELEMENTS:
        raise InvalidInput(f"a query sends 1 to {MAX_ELEMENTS} elements", parameter="request")
    remaining = check(count)
    sets = discovery.discoverable_keys(conn, discovery.asker(conn, principal.org_id), NAMED_TYPES)
    setups = {}
    for org, keys in sorted(sets.items()):  # only organisations with something discoverable by the partner
        setups[org] = _b64(_setup(key, org, frozenset(keys)))
    try:
        response = psi.server.CreateFromKey(key, True).ProcessRequest(request)
    except Exception:
        raise InvalidInput("'request' is not a PSI request") from None
    audit.record(conn, principal.user_name, "hit.partner_queried", partner.name, elements=count)
    return {"response": _b64(response.SerializeToString()), "setups": setups, "remaining": remaining}


def _client(partner: Partner, timeout: float) -> httpx.Client:
    return httpx.Client(headers={"Authorization": f"Bearer {partner.token}"}, timeout=timeout)


def _message(reply: httpx.Response) -> str:
    """The partner's error message, or its status."""
    try:
        return str(orjson.loads(reply.content)["error"]["message"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return f"HTTP {reply.status_code}"


def _reason(exc: Exception) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        # A partner's budget is this instance's as a whole: how much of it is left is not one
        # organisation's business, only that it is spent.
        if exc.response.status_code == 429:
            return (
                f"its hit budget for this instance is spent; retry in {exc.response.headers.get('Retry-After', '?')} s"
            )
        return _message(exc.response)
    return exc.message if isinstance(exc, InvalidInput) else type(exc).__name__


def asker(conn: Connection, *, timeout: float = 30.0):
    """The `remote` of intel.hits.ask: asks every partner instance with an address and a token."""
    reachable = [p for p in partners.all_partners(conn) if p.url and p.token]

    def ask(items: list[str]):
        found: dict[tuple[int, str], dict[str, set[str]]] = {}
        if len(items) > MAX_ELEMENTS:  # local holdings still answer
            reason = f"not asked: {len(items)} value keys, more than the {MAX_ELEMENTS} a partner query takes"
            return found, [f"{partner.name}: {reason}" for partner in reachable]
        unreachable: list[str] = []
        for partner in reachable:
            client = psi.client.CreateWithNewKey(True)
            try:
                with _client(partner, timeout) as http:
                    reply = http.post(
                        partner.url + HITS_PATH, json={"request": _b64(client.CreateRequest(items).SerializeToString())}
                    )
                    reply.raise_for_status()
                body = orjson.loads(reply.content)
                response = psi.Response()
                response.ParseFromString(_unb64(body["response"]))
                for org, text in body["setups"].items():
                    setup = psi.ServerSetup()
                    setup.ParseFromString(_unb64(text))
                    if setup.WhichOneof("data_structure") != "gcs" or setup.gcs.hash_range < _honest_range():
                        raise InvalidInput("its answer would match more than it holds")
                    held = {items[i] for i in client.GetIntersection(setup, response)}
                    if held:
                        found.setdefault((partner.id, partner.name), {})[str(org)[:200]] = held
            except Exception as exc:  # a partner's failure never fails the local answer
                unreachable.append(f"{partner.name}: {_reason(exc)}")
        return found, unreachable

    return ask


def _request_body(row: dict) -> dict:
    keys = ("id", "requested_by", "kind", "key", "value", "reason", "deadline")
    return {"holder": row["holder_name"], "requester": row["requester_name"], **{k: row[k] for k in keys}}


def _decision_body(row: dict) -> dict:
    keys = ("status", "decided_at", "decided_by", "message")
    return {**{k: row[k] for k in keys}, "shared": orjson.loads(row["shared"]) if row["shared"] else []}


def _post(partner: Partner | None, path: str, body: dict, timeout: float) -> httpx.Response | None:
    """POST to a partner; None when it has no address or token or cannot be reached (what was
    not delivered is sent again by the next sync). A refusal raises: retrying would not help."""
    if partner is None or not partner.url or not partner.token:
        return None
    try:
        with _client(partner, timeout) as http:
            reply = http.post(partner.url + path, json=body)
    except httpx.HTTPError:
        return None
    if reply.status_code >= 500:
        return None
    if reply.status_code >= 400:
        raise InvalidInput(f"{partner.name} refused it: {_message(reply)}")
    return reply


def _send_request(partner: Partner | None, row: dict, timeout: float) -> str | None:
    """Post a request (its row); the id it got there, or None when the partner cannot be reached."""
    reply = _post(partner, REQUESTS_PATH, _request_body(row), timeout)
    return None if reply is None else str(orjson.loads(reply.content)["id"])


def _send_decision(partner: Partner | None, row: dict, timeout: float) -> bool:
    """Post the decision on a partner's request (its row); False when the partner cannot be reached."""
    return _post(partner, f"{REQUESTS_PATH}/{row['remote_id']}/decision", _decision_body(row), timeout) is not None


def sender(conn: Connection, *, timeout: float = 30.0):
    """The `send` of intel.requests.ask."""
    return lambda partner_id, row: _send_request(partners.by_id(conn, partner_id), row, timeout)


def notifier(conn: Connection, *, timeout: float = 30.0):
    """The `notify` of intel.requests.decide."""
    return lambda partner_id, row: _send_decision(partners.by_id(conn, partner_id), row, timeout)


def deliver(conn: Connection, partner: Partner, *, timeout: float = 30.0) -> int:
    """Send partner instance `partner` what has yet to reach it: our requests, our decisions on
    its requests. Run by each sync; returns how many went. A refusal is audited and not retried."""
    done = 0
    requests, decisions = hits_store.undelivered(conn, partner.id)
    for row in requests:
        try:
            remote_id = _send_request(partner, row._asdict(), timeout)
        except InvalidInput as exc:  # the requester learns why, as a decision
            audit.record(conn, "system", "request.undeliverable", row.id, partner=partner.name, error=exc.message)
            now = clock.now()
            hits_store.decide(
                conn, row.id, status="declined", decided_at=now, decided_by="system", message=exc.message, shared="[]"
            )
            hits_store.delivered(conn, row.id, now)
            continue
        if remote_id is not None:
            hits_store.delivered(conn, row.id, clock.now(), remote_id=remote_id)
            done += 1
    for row in decisions:
        try:
            sent = _send_decision(partner, row._asdict(), timeout)
        except InvalidInput as exc:
            audit.record(conn, "system", "request.undeliverable", row.id, partner=partner.name, error=exc.message)
            hits_store.delivered(conn, row.id, clock.now())
            continue
        if sent:
            hits_store.delivered(conn, row.id, clock.now())
            done += 1
    return done
