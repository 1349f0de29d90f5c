"""Correlation flood control: the warning lists that mark known-benign values, switched per
organisation (its admins) or for the instance (the operator), and the exclusions by value, type or
source organisation. Everyone who reads sees what applies to its organisation; another
organisation's exclusion answers exactly as one that does not exist."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from liaison.http.deps import Caller, Conn
from liaison.intel import flood as service

router = APIRouter(prefix="/correlation", tags=["correlation"])


class Exclusion(BaseModel):
    """Something taken out of correlations: a `value` (with its `kind`; shown normalised), a `type`
    (a STIX type or a value kind) or a source `org` (by name). `scope` is `instance` (the
    operator's, for every organisation) or `organisation` (your organisation's own); `removable`
    when you may remove it."""

    id: int
    scope: Literal["instance", "organisation"]
    what: Literal["value", "type", "org"]
    kind: str | None
    value: str
    created_at: str
    created_by: str
    removable: bool


class Exclusions(BaseModel):
    exclusions: list[Exclusion]


class NewExclusion(BaseModel):
    what: Literal["value", "type", "org"] = Field(
        description="'value': no other object correlates by it; 'type': objects of a STIX type (or values of "
        "a kind) no longer correlate; 'org': objects only that organisation holds no longer correlate"
    )
    value: str = Field(
        min_length=1,
        max_length=2048,
        description="the value (normalised as stored), the type or value kind, or the organisation's name",
    )
    type: str | None = Field(None, description="for a value: its kind (ipv4, domain-name, url, …), else recognised")


class WarningList(BaseModel):
    """A MISP warning list: `enabled` when it marks values for you, that is when it is on for the
    instance and (but for the operator) for your organisation."""

    name: str
    description: str
    enabled: bool
    instance_enabled: bool
    org_enabled: bool | None


class WarningLists(BaseModel):
    warning_lists: list[WarningList]


class Switch(BaseModel):
    enabled: bool


ExclusionId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/exclusions", response_model=Exclusions, summary="The exclusions that apply to your correlations")
def list_exclusions(principal: Caller, conn: Conn):
    """The instance's and your organisation's (the operator: the instance's)."""
    return {"exclusions": [e.as_dict() for e in service.list_exclusions(conn, principal)]}


@router.post(
    "/exclusions",
    status_code=201,
    response_model=Exclusion,
    summary="Exclude a value, a type or a source organisation from correlation",
)
def add_exclusion(body: NewExclusion, principal: Caller, conn: Conn):
    """An organisation's admin excludes for its organisation, the operator for every organisation."""
    return service.add_exclusion(conn, principal, body.what, body.value, body.type).as_dict()


@router.get("/exclusions/{exclusion_id}", response_model=Exclusion, summary="One exclusion that applies to you")
def get_exclusion(exclusion_id: ExclusionId, principal: Caller, conn: Conn):
    return service.get_exclusion(conn, principal, exclusion_id).as_dict()


@router.delete("/exclusions/{exclusion_id}", status_code=204, summary="Remove an exclusion of your scope")
def remove_exclusion(exclusion_id: ExclusionId, principal: Caller, conn: Conn):
    """An admin removes its organisation's exclusions, the operator the instance's."""
    service.remove_exclusion(conn, principal, exclusion_id)
    return Response(status_code=204)


@router.get("/warninglists", response_model=WarningLists, summary="The warning lists and whether they mark for you")
def warning_lists(principal: Caller, conn: Conn):
    return {"warning_lists": [w.as_dict() for w in service.warning_lists(conn, principal)]}


@router.put("/warninglists/{name:path}", response_model=WarningList, summary="Switch a warning list on or off")
def switch_warning_list(name: str, body: Switch, principal: Caller, conn: Conn):
    """For your organisation (an admin) or the instance (the operator). A list the operator
    switched off stays off for every organisation. Names hold spaces and slashes: URL-encode them."""
    return service.set_warning_list(conn, principal, name, body.enabled).as_dict()
