"""Partners and their sync status; this instance's public key; starting a sync."""

from __future__ import annotations

from fastapi import APIRouter

from liaison.access.principal import Action
from liaison.federation import sync
from liaison.http.deps import Caller, Conn, EngineDep, SettingsDep
from liaison.store.provenance import instance_key

router = APIRouter(tags=["federation"])


@router.get("/partners", summary="Partner instances and where each sync stands")
def list_partners(principal: Caller, conn: Conn):
    return {"partners": sync.status_for(conn, principal)}


@router.post("/partners/{name}/sync", summary="Sync with a partner now (operator)")
def sync_now(name: str, principal: Caller, engine: EngineDep, settings: SettingsDep):
    principal.require(Action.OPERATE)  # sync_partner runs for the host (CLI, schedule) without a principal
    # The engine, not the request's transaction: a sync commits page by page, so what it applied
    # stays however the request ends.
    return sync.sync_partner(engine, name, settings.instance_name).as_dict()


@router.get("/instance", summary="This instance's name and signing key")
def instance(principal: Caller, conn: Conn, settings: SettingsDep):
    key = instance_key(conn)
    return {"name": settings.instance_name, "public_key": key.public_key, "key_id": key.key_id}
