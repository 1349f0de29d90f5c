"""Requests for information: after a hit, the asker asks the holder for what matched, with a reason and
a deadline (48 hours by default, as Prüm II sets for the data to follow a confirmed hit). The holder's
inbox lists them; approving shares the matching objects through the normal sharing rules, TLP
included: with the requesting organisation directly when it is local, through the group agreed with
its instance when it is a partner's (so sync carries it). Declining answers with an optional
message. Every step is audited.

A request names the value asked about (the requester discloses it now, not at the query) and the
reference it follows; the reference and a request are answered as missing to anyone but the
organisation that received the reference (and, for a request, its holder).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import orjson
from sqlalchemy import Connection

from liaison import audit, clock
from liaison.access.principal import Action, Principal
from liaison.errors import Conflict, InvalidInput, NotFound
from liaison.intel.correlation import same_entity
from liaison.intel.hits import ENTITY
from liaison.stix import tlp, values
from liaison.stix.entities import NAMED_TYPES
from liaison.stix.timestamps import format_ts, parse_ts
from liaison.stix.validate import IDENTIFIER_RE
from liaison.store import discovery, partners, sharing, tenancy
from liaison.store import hits as store
from liaison.store.postings import Lookup

NO_REFERENCE = "no hit reference of your organisation by that name"
NO_REQUEST = "no request for information by that id"
#: Default hours a holder has to answer (Settings.request_deadline_hours passes the instance's).
DEFAULT_HOURS = 48
MAX_REASON = 4000


@dataclass(frozen=True, slots=True)
class Request:
    id: str
    requester: str
    requested_by: str
    holder: str
    #: 'local', or the partner instance on the other side.
    instance: str
    value: str
    kind: str
    reason: str
    created_at: str
    deadline: str
    status: str
    overdue: bool
    decided_at: str | None
    decided_by: str | None
    message: str | None
    shared: list[str]
    #: Between instances, whether the request (or the decision, on the holder's side) has reached
    #: the other instance; None for a local request. The next sync sends what has not.
    delivered: bool | None


def _view(row, now: str) -> Request:
    return Request(
        id=row.id,
        requester=row.requester_name,
        requested_by=row.requested_by,
        holder=row.holder_name,
        instance=row.partner_name or "local",
        value=row.value,
        kind=row.kind,
        reason=row.reason,
        created_at=row.created_at,
        deadline=row.deadline,
        status=row.status,
        overdue=row.status == "open" and now > row.deadline,
        decided_at=row.decided_at,
        decided_by=row.decided_by,
        message=row.message,
        shared=orjson.loads(row.shared) if row.shared else [],
        delivered=None if row.partner_id is None else _delivered(row),
    )


def _delivered(row) -> bool:
    if row.holder_org_id is not None:  # the holder's side: the request came in; its decision goes out
        return row.status == "open" or row.delivered_at is not None
    return row.delivered_at is not None


#: Sends a request (its row) to partner instance `partner_id`; returns the id it got there, or None
#: when the partner could not be reached (the next sync sends it).
SendRequest = Callable[[int, dict], str | None]
#: Tells partner instance `partner_id` the decision on a request (its row); False when the partner
#: could not be reached (the next sync tells it).
SendDecision = Callable[[int, dict], bool]


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why you need the information", parameter="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason is longer than {MAX_REASON} characters", parameter="reason")
    return reason


def ask(
    conn: Connection,
    principal: Principal,
    reference: str,
    reason: str,
    *,
    hours: int = DEFAULT_HOURS,
    send: SendRequest | None = None,
) -> Request:
    """Ask the holder behind `reference` (a hit of the caller's organisation) for what matched."""
    principal.require(Action.WRITE)
    if principal.org_id is None:
        raise NotFound(NO_REFERENCE)
    ref = store.ref_of_org(conn, reference, principal.org_id)
    if ref is None:
        raise NotFound(NO_REFERENCE)
    if not 1 <= hours <= 24 * 90:
        raise InvalidInput("the deadline must be 1 hour to 90 days away", parameter="hours")
    reason = _reason(reason)
    now = clock.now()
    row = {
        "id": str(uuid.uuid4()),
        "requester_org_id": principal.org_id,
        "requester_name": principal.org_name,
        "requested_by": principal.user_name,
        "holder_org_id": ref.holder_org_id,
        "holder_name": ref.holder_name,
        "partner_id": ref.partner_id,
        "kind": ref.kind,
        "key": ref.key,
        "value": ref.value,
        "reason": reason,
        "created_at": now,
        "deadline": format_ts(parse_ts(now) + timedelta(hours=hours)),
        "status": "open",
    }
    if ref.partner_id is not None:
        if send is None:
            raise InvalidInput("requests to partner instances cannot be sent from here")
        row["remote_id"] = send(ref.partner_id, row)
        row["delivered_at"] = now if row["remote_id"] is not None else None
    store.add_request(conn, **row)
    audit.record(conn, principal.user_name, "request.sent", row["id"], holder=ref.holder_name, partner=ref.partner_id)
    return _view(store.request_row(conn, row["id"]), now)


#: Names the ids a partner's requests get here: the same (partner, its id) always gets the same.
_RECEIVED = uuid.UUID("6f0b7a52-61d9-4d43-9a3e-5a8d2c1f0e47")


def _text(body: dict, name: str, most: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > most:
        raise InvalidInput(f"a request needs '{name}', a text of 1 to {most} characters")
    return value


def receive(conn: Connection, partner_id: int, partner_org_id: int, body: dict) -> str:
    """Take a request a partner instance sent for one of our organisations; return its id here.

    The answer is the same whatever the named holder is (an organisation of ours or not, holding
    something that matches or not): an id derived from the partner's own, so a partner learns
    neither which organisations exist nor what they hold by sending requests. Only a request that
    follows a real hit (the holder holds something that carries the value, discoverable by the
    partner) reaches an inbox; the others are audited and dropped."""
    remote_id = _text(body, "id", 36)
    fields = {k: _text(body, k, most) for k, most in (("holder", 200), ("requester", 200), ("requested_by", 100))}
    kind, key, value = _text(body, "kind", 32), _text(body, "key", 2048), _text(body, "value", 2048)
    reason = _reason(str(body.get("reason", "")))
    try:
        deadline = format_ts(parse_ts(_text(body, "deadline", 40)))
        lookup = None if kind == ENTITY else _lookup(kind, key)
    except (ValueError, TypeError):
        raise InvalidInput("a request needs a deadline (a timestamp), a known kind and a key of that kind") from None
    if kind != ENTITY and kind not in values.KINDS:
        raise InvalidInput("a request needs a deadline (a timestamp), a known kind and a key of that kind")
    if kind == ENTITY and not (IDENTIFIER_RE.match(key) and key.split("--")[0] in NAMED_TYPES):
        # Entities are asked about by their ids alone (partners' sets hold no other object's id).
        raise InvalidInput("a request for an entity names a person, organisation, group or place by its id")
    request_id = str(uuid.uuid5(_RECEIVED, f"{partner_id}/{remote_id}"))
    if store.request_row(conn, request_id) is not None:  # the partner sent it again (a retry)
        return request_id
    holder = tenancy.local_org_named(conn, fields["holder"])
    matches = holder is not None and bool(
        discovery.matching_versions(
            conn, holder.id, discovery.asker(conn, partner_org_id), lookup=lookup, stix_ids=[key]
        )
    )
    if not matches:
        audit.record(conn, f"partner:{partner_id}", "request.dropped", request_id, reason="no discoverable match")
        return request_id
    store.add_request(
        conn,
        id=request_id,
        requester_org_id=partner_org_id,
        requester_name=fields["requester"],
        requested_by=fields["requested_by"],
        holder_org_id=holder.id,
        holder_name=holder.name,
        partner_id=partner_id,
        remote_id=remote_id,
        kind=kind,
        key=key,
        value=value,
        reason=reason,
        created_at=clock.now(),
        deadline=deadline,
        status="open",
    )
    audit.record(conn, f"partner:{partner_id}", "request.received", request_id, holder=holder.name)
    return request_id


def listed(conn: Connection, principal: Principal, box: str):
    """The organisation's requests: received ('inbox') or sent ('sent'), newest first."""
    principal.require(Action.READ)
    if box not in ("inbox", "sent"):
        raise InvalidInput("box must be 'inbox' or 'sent'", parameter="box")
    if principal.org_id is None:
        return []
    now = clock.now()
    return [_view(row, now) for row in store.requests_of(conn, principal.org_id, box)]


def get(conn: Connection, principal: Principal, request_id: str):
    """One request the caller's organisation sent or received; any other answers as missing."""
    principal.require(Action.READ)
    row = store.request_row(conn, request_id)
    if row is None or principal.org_id is None:
        raise NotFound(NO_REQUEST)
    mine = row.holder_org_id == principal.org_id or (
        row.requester_org_id == principal.org_id and (row.holder_org_id is None or row.partner_id is None)
    )
    if not mine:
        raise NotFound(NO_REQUEST)
    return _view(row, clock.now())


def _lookup(kind: str, key: str) -> Lookup:
    return Lookup(tuple(values.lookup_keys(values.Posting(kind, key, key, ""))))


def decide(
    conn: Connection,
    principal: Principal,
    request_id: str,
    *,
    approve: bool,
    message: str = "",
    notify: SendDecision | None = None,
) -> Request:
    """The holder's answer. Approving shares the holder's current versions that carry the value and
    that it made discoverable by the requester (checked again now) with the requester's
    organisation, or with the group agreed with its instance; TLP decides as for any share."""
    principal.require(Action.WRITE)
    row = store.request_row(conn, request_id)
    if row is None or principal.org_id is None or row.holder_org_id != principal.org_id:
        raise NotFound(NO_REQUEST)
    if row.status != "open":
        raise Conflict(f"this request was {row.status} already")
    message = message.strip()[:MAX_REASON] or None
    shared: list[str] = []
    if approve:
        shared = _share(conn, principal, row)
    now = clock.now()
    decision = {
        "status": "approved" if approve else "declined",
        "decided_at": now,
        "decided_by": principal.user_name,
        "message": message,
        "shared": orjson.dumps(shared).decode(),
    }
    if not store.decide(conn, request_id, **decision):
        raise Conflict("this request was decided already")
    if (
        row.partner_id is not None
        and notify is not None
        and notify(row.partner_id, store.request_row(conn, request_id)._asdict())
    ):
        store.delivered(conn, request_id, now)
    audit.record(
        conn,
        principal.user_name,
        f"request.{decision['status']}",
        request_id,
        requester=row.requester_name,
        shared=shared,
    )
    return _view(store.request_row(conn, request_id), now)


def _share(conn: Connection, principal: Principal, row) -> list[str]:
    asker = discovery.asker(conn, row.requester_org_id)
    if row.kind == ENTITY:  # the id asked and those the requester's merges make the same entity
        same = (
            same_entity(conn, tenancy.org_principal(conn, row.requester_org_id), row.key)
            if row.partner_id is None
            else []
        )
        found = discovery.matching_versions(conn, principal.org_id, asker, stix_ids=[row.key, *same])
    else:
        found = discovery.matching_versions(conn, principal.org_id, asker, lookup=_lookup(row.kind, row.key))
    if not found:
        raise InvalidInput(
            "nothing your organisation holds that carries this value is discoverable by the requester any more"
        )
    if row.partner_id is None:
        target = tenancy.direct_audience(conn, row.requester_org_id)
    else:
        paired = partners.paired_group(conn, row.partner_id, principal.org_id)
        if paired is None:
            raise InvalidInput(
                "your organisation has no group agreed with that partner instance (of the two of you alone); "
                "ask the operator to pair one"
            )
        target = tenancy.group_audience(conn, paired)
    for stix_id, _pk, level in found:
        if not tlp.allows(level, target.kind):
            raise InvalidInput(f"{stix_id} is TLP:{level.upper()} and cannot be shared with '{target.label}'")
    sharing.add_audience(conn, principal.org_id, principal.user_id, sorted({pk for _id, pk, _l in found}), target.id)
    return sorted({stix_id for stix_id, _pk, _l in found})


def settle(conn: Connection, partner_id: int, request_id: str, body: dict) -> None:
    """Record on the requester's side the decision a partner instance sent about our request;
    once (a repeat is a conflict, and changes nothing)."""
    row = store.request_row(conn, request_id)
    if row is None or row.partner_id != partner_id or row.holder_org_id is not None:
        raise NotFound(NO_REQUEST)
    status, shared = body.get("status"), body.get("shared") or []
    if status not in ("approved", "declined"):
        raise InvalidInput("status must be 'approved' or 'declined'")
    if not isinstance(shared, list) or not all(isinstance(s, str) and IDENTIFIER_RE.match(s) for s in shared):
        raise InvalidInput("'shared' must be a list of STIX ids")
    message, decided_by = body.get("message"), body.get("decided_by") or ""
    if not isinstance(message, str | None) or not isinstance(decided_by, str):
        raise InvalidInput("'message' and 'decided_by' must be texts")
    try:
        decided_at = format_ts(parse_ts(str(body.get("decided_at") or clock.now())))
    except ValueError:
        raise InvalidInput("'decided_at' must be a timestamp") from None
    done = store.decide(
        conn,
        request_id,
        status=status,
        decided_at=decided_at,
        decided_by=decided_by[:100],
        message=message[:MAX_REASON] if message else None,
        shared=orjson.dumps(shared).decode(),
    )
    if not done:
        raise Conflict("this request was decided already")
    audit.record(conn, f"partner:{partner_id}", f"request.{status}", request_id, shared=shared)
