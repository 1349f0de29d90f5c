"""Hit/no-hit queries, discoverability and requests for information; and the same between instances
(private set intersection, requests and decisions), for partners' sync accounts."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from liaison.federation import hits as federated
from liaison.http.deps import Caller, Conn, SettingsDep, no_sooner_than
from liaison.intel import discovery, hits, requests

router = APIRouter(tags=["hits"])


class AskedValue(BaseModel):
    value: str = Field(min_length=1, max_length=2048)
    type: str | None = Field(None, description="the value's kind (ipv4, phone, domain-name, …), or 'entity' for an id")


class HitQuery(BaseModel):
    values: list[AskedValue] = Field(min_length=1, max_length=hits.MAX_VALUES)


class Holder(BaseModel):
    organisation: str
    instance: str = Field(description="'local', or the partner instance the organisation is on")
    reference: str = Field(description="opaque, fresh for every hit; cite it in a request for information")


class HitResult(BaseModel):
    value: str
    kind: str
    normalised: str
    how: str
    hit: bool
    holders: list[Holder]


class RateLimitState(BaseModel):
    limit: int
    remaining: int
    window_seconds: int


class HitAnswer(BaseModel):
    """Per value, hit or no hit; per hit, who holds it and a reference. Never what matched."""

    query_id: int
    at: str
    results: list[HitResult]
    rate_limit: RateLimitState
    unreachable: list[str]


@router.post("/hits", response_model=HitAnswer, summary="Ask whether partners hold values (hit/no-hit)")
def ask(body: HitQuery, principal: Caller, conn: Conn, settings: SettingsDep, response: Response):
    """Only holdings their owners made discoverable by you answer; each answer takes at least the
    instance's floor, and counts against your organisation's rate limit (the answer says what is
    left). Partner instances are asked by private set intersection."""
    asked = [hits.Asked(v.value, v.type) for v in body.values]
    with no_sooner_than(conn, settings.hit_answer_floor):
        answer = hits.ask(conn, principal, asked, limits=hits.Limits.of(settings), remote=federated.asker(conn))
    response.headers["X-RateLimit-Limit"] = str(answer.rate_limit.limit)
    response.headers["X-RateLimit-Remaining"] = str(answer.rate_limit.remaining)
    return answer.as_dict()


@router.get("/hits", summary="Your hit queries and their answers, newest first")
def history(principal: Caller, conn: Conn, limit: Annotated[int, Query(ge=1, le=500)] = 50):
    return {"queries": hits.history(conn, principal, limit)}


class Scopes(BaseModel):
    discoverable: list[str] = Field(
        description="'none', 'instance', 'partners', 'group:<name>'; 'default' for an object"
    )


@router.get("/objects/{stix_id}/discoverability", summary="Who may discover your organisation's holding")
def object_discoverability(stix_id: str, principal: Caller, conn: Conn):
    found = discovery.of_object(conn, principal, stix_id)
    return {"id": stix_id, "own": found.own, "effective": found.effective}


@router.put("/objects/{stix_id}/discoverability", summary="Set who may discover your organisation's holding")
def set_object_discoverability(stix_id: str, body: Scopes, principal: Caller, conn: Conn):
    found = discovery.set_object(conn, principal, stix_id, body.discoverable)
    return {"id": stix_id, "own": found.own, "effective": found.effective}


@router.get("/discoverability", summary="Your organisation's default discoverability")
def default_discoverability(principal: Caller, conn: Conn):
    return {"discoverable": discovery.default(conn, principal)}


@router.put("/discoverability", summary="Set your organisation's default discoverability (admin)")
def set_default_discoverability(body: Scopes, principal: Caller, conn: Conn):
    return {"discoverable": discovery.set_default(conn, principal, body.discoverable)}


class NewRequest(BaseModel):
    reference: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=requests.MAX_REASON)
    hours: int | None = Field(None, ge=1, le=24 * 90, description="the deadline, in hours (default: the instance's)")


class Decision(BaseModel):
    message: str = Field("", max_length=requests.MAX_REASON)


@router.post("/requests", status_code=201, summary="Ask the holder of a hit for what matched")
def request_info(body: NewRequest, principal: Caller, conn: Conn, settings: SettingsDep):
    made = requests.ask(
        conn,
        principal,
        body.reference,
        body.reason,
        hours=body.hours or settings.request_deadline_hours,
        send=federated.sender(conn),
    )
    return made


@router.get("/requests", summary="Requests your organisation received (inbox) or sent")
def list_requests(principal: Caller, conn: Conn, box: Literal["inbox", "sent"] = "inbox"):
    return {"requests": requests.listed(conn, principal, box)}


@router.get("/requests/{request_id}", summary="One request your organisation sent or received")
def get_request(request_id: str, principal: Caller, conn: Conn):
    return requests.get(conn, principal, request_id)


@router.post("/requests/{request_id}/approve", summary="Share what matched with the requester")
def approve(request_id: str, body: Decision, principal: Caller, conn: Conn):
    return requests.decide(
        conn, principal, request_id, approve=True, message=body.message, notify=federated.notifier(conn)
    )


@router.post("/requests/{request_id}/decline", summary="Decline a request, with an optional message")
def decline(request_id: str, body: Decision, principal: Caller, conn: Conn):
    return requests.decide(
        conn, principal, request_id, approve=False, message=body.message, notify=federated.notifier(conn)
    )


@router.post("/federation/hits", summary="A partner instance's blinded hit query (sync accounts)")
def partner_hits(body: dict, principal: Caller, conn: Conn, settings: SettingsDep):
    limits = hits.Limits.of_partners(settings)

    def check(elements: int) -> int:
        return hits.count_partner_query(conn, principal, elements, limits)

    return federated.answer(conn, principal, body, check=check, window_seconds=settings.hit_window_seconds)


@router.post("/federation/requests", status_code=201, summary="A partner instance's request (sync accounts)")
def partner_request(body: dict, principal: Caller, conn: Conn):
    partner = federated.partner_of(conn, principal)
    return {"id": requests.receive(conn, partner.id, principal.org_id, body)}


@router.post("/federation/requests/{request_id}/decision", summary="A partner's decision on our request")
def partner_decision(request_id: str, body: dict, principal: Caller, conn: Conn):
    partner = federated.partner_of(conn, principal)
    requests.settle(conn, partner.id, request_id, body)
    return {"id": request_id}
