"""Partners and their sync status; this instance's public key; starting a sync."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool

from liaison.access.principal import Action, Principal
from liaison.http.deps import current_principal, get_engine
from liaison.config import get_settings
from liaison.federation import signing, sync

router = APIRouter(tags=["federation"])


@router.get("/partners", summary="Partner instances and where each sync stands")
async def list_partners(principal: Principal = Depends(current_principal), engine=Depends(get_engine)):
    return {"partners": await run_in_threadpool(sync.status_for, engine, principal)}


@router.post("/partners/{name}/sync", summary="Sync with a partner now (operator)")
async def sync_now(name: str, principal: Principal = Depends(current_principal), engine=Depends(get_engine)):
    principal.require(Action.OPERATE)  # sync_partner runs for the host (CLI, schedule) without a principal
    return (await run_in_threadpool(sync.sync_partner, engine, name)).as_dict()


@router.get("/instance", summary="This instance's name and signing key")
async def instance(principal: Principal = Depends(current_principal), engine=Depends(get_engine)):
    def read():
        with engine.begin() as conn:
            return signing.load_or_create(conn)
    key = await run_in_threadpool(read)
    return {"name": get_settings().instance_name, "public_key": key.public_key, "key_id": key.key_id}
