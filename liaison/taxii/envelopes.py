"""Adding a TAXII envelope to a collection: per-object outcome, kept as a status resource."""

from __future__ import annotations

import uuid

import orjson
from sqlalchemy import Engine, insert, select

from liaison import clock
from liaison.access.principal import Action, Principal
from liaison.db.tables import taxii_status
from liaison.errors import Forbidden, InvalidInput, NotFound
from liaison.federation import partners, receive, signing
from liaison.taxii.collections import Collection


def add_objects(engine: Engine, principal: Principal, coll: Collection, objects: object) -> dict:
    """Import the envelope's objects into the collection's audience and return the status
    resource: each object succeeds or fails on its own; the successful ones commit together."""
    principal.require(Action.WRITE)
    if not coll.can_write:
        raise Forbidden("you cannot write to this collection")
    if not isinstance(objects, list):
        raise InvalidInput("an envelope's 'objects' must be an array")
    requested = clock.now()
    with engine.begin() as conn:
        sender = partners.partner_of_org(conn, principal.org_id)
        screened = receive.screen(conn, sender, objects, signing.load_or_create(conn))
    successes, failures = receive.store_screened(engine, principal, coll.label, screened,
                                                 sender=sender.name if sender else None)
    status = {
        "id": str(uuid.uuid4()), "status": "complete", "request_timestamp": requested,
        "total_count": len(objects), "success_count": len(successes), "successes": successes,
        "failure_count": len(failures), "failures": failures, "pending_count": 0, "pendings": [],
    }
    with engine.begin() as conn:
        conn.execute(insert(taxii_status).values(
            id=status["id"], user_id=principal.user_id, request_timestamp=requested, status="complete",
            total_count=status["total_count"], success_count=len(successes), failure_count=len(failures),
            pending_count=0, details=orjson.dumps({"successes": successes, "failures": failures}).decode()))
    return status


def get_status(engine: Engine, principal: Principal, status_id: str) -> dict:
    """A status resource; only the user who sent the envelope sees it."""
    with engine.connect() as conn:
        row = conn.execute(select(taxii_status).where(taxii_status.c.id == status_id,
                                                      taxii_status.c.user_id == principal.user_id)).first()
    if row is None:
        raise NotFound(f"no status '{status_id}' for you")
    details = orjson.loads(row.details)
    return {"id": row.id, "status": row.status, "request_timestamp": row.request_timestamp,
            "total_count": row.total_count, "success_count": row.success_count, "successes": details["successes"],
            "failure_count": row.failure_count, "failures": details["failures"],
            "pending_count": row.pending_count, "pendings": []}
