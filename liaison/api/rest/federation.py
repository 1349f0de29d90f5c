"""Partners and their sync status; this instance's public key; starting a sync."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool

from liaison.access.principal import Principal
from liaison.api.deps import current_principal, get_engine
from liaison.config import get_settings
from liaison.federation import partners, signing, sync

router = APIRouter(tags=["federation"])


@router.get("/partners", summary="Partner instances and where each sync stands")
async def list_partners(principal: Principal = Depends(current_principal), engine=Depends(get_engine)):
    """Operators see every partnership and its state; a partner's sync account only its own; the
    organisations' users the partners' names and keys (who the groups' partner members are)."""
    def read():
        if principal.is_operator or principal.is_system:
            return sync.status(engine)
        with engine.connect() as conn:
            own = partners.partner_of_org(conn, principal.org_id)
        if principal.is_partner:
            return sync.status(engine, only=own.name) if own is not None else []
        return [{"name": p["name"], "key_id": p["key_id"], "signs": p["signs"]} for p in sync.status(engine)]
    return {"partners": await run_in_threadpool(read)}


@router.post("/partners/{name}/sync", summary="Sync with a partner now (operator)")
async def sync_now(name: str, principal: Principal = Depends(current_principal), engine=Depends(get_engine)):
    principal.require_operator()
    return (await run_in_threadpool(sync.sync_partner, engine, name)).as_dict()


@router.get("/instance", summary="This instance's name and signing key")
async def instance(principal: Principal = Depends(current_principal), engine=Depends(get_engine)):
    def read():
        with engine.begin() as conn:
            return signing.load_or_create(conn)
    key = await run_in_threadpool(read)
    return {"name": get_settings().instance_name, "public_key": key.public_key, "key_id": key.key_id}
