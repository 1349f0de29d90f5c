"""Who the caller is."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from liaison.http.deps import Caller, Conn
from liaison.intel.objects import whoami

router = APIRouter(tags=["session"])


class WhoAmI(BaseModel):
    user: str
    organisation: str
    organisation_identity: str | None
    role: str
    audiences: list[str]


@router.get("/whoami", response_model=WhoAmI, summary="The authenticated user, organisation and audiences")
def get_whoami(principal: Caller, conn: Conn):
    return whoami(conn, principal)
