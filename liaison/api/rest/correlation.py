"""Correlation: the objects you may see that are the same entity as an object or share a value with
it, or that carry a value."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from liaison.http.deps import Caller, Conn, SettingsDep
from liaison.intel import correlation as service

router = APIRouter(tags=["correlation"])


class CorrelatedValue(BaseModel):
    """A value, with how many objects you may see carry it; `common` when more than the
    instance's cap do (they are then not listed, and `count` is the cap + 1: "more than the
    cap"); `excluded` when the flood control that
    applies to your organisation takes it out (by value or kind: see /correlation/exclusions), and
    then it is counted as carried by nothing. `warning_lists` are those on for your organisation."""

    kind: str
    value: str
    how: str
    warning_lists: list[str]
    count: int
    common: bool
    excluded: bool


class Hit(BaseModel):
    """An object you may see that carries the value (or, of `kind` "entity", that a merge you may
    see makes the same entity): `matched` is its own value (the same, or a network containing it),
    `how` the normalisation that made them equal, `owner` the organisation that owns its id (none
    for observables no local organisation created), `held_by` and `shared_at` its first holding you
    may see."""

    id: str
    type: str
    name: str | None
    kind: str
    value: str
    matched: str
    how: str
    warning_lists: list[str]
    owner: str | None
    held_by: str
    shared_at: str


class CorrelationPage(BaseModel):
    values: list[CorrelatedValue]
    total: int
    limit: int
    offset: int
    hits: list[Hit]


Limit = Annotated[int, Query(ge=1, le=service.MAX_PAGE)]
Offset = Annotated[int, Query(ge=0)]


@router.get(
    "/objects/{stix_id}/correlations",
    response_model=CorrelationPage,
    summary="Other objects you may see that are the same entity as an object or share a value with it",
)
def object_correlations(
    stix_id: str, principal: Caller, conn: Conn, settings: SettingsDep, limit: Limit = 100, offset: Offset = 0
):
    """Counts, pages and "common" are over what you may see."""
    return service.correlations(
        conn, principal, stix_id, limit=limit, offset=offset, cap=settings.correlation_cap
    ).as_dict()


@router.get("/correlations", response_model=CorrelationPage, summary="Objects you may see that carry a value")
def value_correlations(
    principal: Caller,
    conn: Conn,
    settings: SettingsDep,
    value: Annotated[str, Query(min_length=1, max_length=2048)],
    type: Annotated[str | None, Query(description="the value's kind: ipv4, domain-name, url, phone, …")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    """The value is normalised as stored (case, IDNA, compressed IPv6, E.164, …); an address also
    finds the networks containing it, a network the addresses inside."""
    return service.carrying(
        conn, principal, value, type, limit=limit, offset=offset, cap=settings.correlation_cap
    ).as_dict()
