"""Who the caller is."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from liaison.access.principal import Principal
from liaison.http.deps import current_principal, get_engine
from liaison.intel.objects import whoami

router = APIRouter(tags=["session"])


class WhoAmI(BaseModel):
    user: str
    organisation: str
    organisation_identity: str | None
    role: str
    audiences: list[str]


@router.get("/whoami", response_model=WhoAmI, summary="The authenticated user, organisation and audiences")
async def get_whoami(principal: Principal = Depends(current_principal), engine=Depends(get_engine)):
    return await run_in_threadpool(whoami, engine, principal)
