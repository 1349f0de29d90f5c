"""Adding a TAXII envelope to a collection: per-object outcome, kept as a status resource."""

from __future__ import annotations

import uuid

import orjson
from sqlalchemy import Connection

from liaison import clock
from liaison.access.principal import Action, Principal
from liaison.errors import InvalidInput, NotFound
from liaison.ingest import received
from liaison.ingest.bundles import BATCH_SIZE
from liaison.store import collections as store
from liaison.store import partners
from liaison.store.provenance import instance_key
from liaison.taxii.collections import collection


def add_objects(
    conn: Connection, principal: Principal, collection_id: str, objects: object, *, batch_size: int = BATCH_SIZE
) -> dict:
    """Import the envelope's objects into the collection's audience and return the status
    resource: each object succeeds or fails on its own; the successful ones, the rejections'
    audit and the status commit together, with the caller's transaction."""
    principal.require(Action.WRITE)
    coll = collection(conn, principal, collection_id)
    if not isinstance(objects, list):
        raise InvalidInput("an envelope's 'objects' must be an array")
    requested = clock.now()
    sender = partners.of_org(conn, principal.org_id)
    screened = received.screen(conn, sender, objects, instance_key(conn))
    successes, failures = received.store_screened(
        conn, principal, coll.spec, screened, sender=sender.name if sender else None, batch_size=batch_size
    )
    status = {
        "id": str(uuid.uuid4()),
        "status": "complete",
        "request_timestamp": requested,
        "total_count": len(objects),
        "success_count": len(successes),
        "successes": successes,
        "failure_count": len(failures),
        "failures": failures,
        "pending_count": 0,
        "pendings": [],
    }
    store.save_status(
        conn,
        status["id"],
        principal.user_id,
        requested,
        total=len(objects),
        successes=len(successes),
        failures=len(failures),
        details=orjson.dumps({"successes": successes, "failures": failures}).decode(),
    )
    return status


def get_status(conn: Connection, principal: Principal, status_id: str) -> dict:
    """A status resource; only the user who sent the envelope sees it."""
    row = store.status_of(conn, status_id, principal.user_id)
    if row is None:
        raise NotFound(f"no status '{status_id}' for you")
    details = orjson.loads(row.details)
    return {
        "id": row.id,
        "status": row.status,
        "request_timestamp": row.request_timestamp,
        "total_count": row.total_count,
        "success_count": row.success_count,
        "successes": details["successes"],
        "failure_count": row.failure_count,
        "failures": details["failures"],
        "pending_count": row.pending_count,
        "pendings": [],
    }
