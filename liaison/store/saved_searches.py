"""A user's saved searches, read and changed only through the own-saved-search predicate."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from liaison import clock
from liaison.access.predicate import users_own
from liaison.access.principal import Principal
from liaison.db.tables import saved_search
from liaison.errors import Conflict

S = saved_search


def list_saved(conn: Connection, principal: Principal):
    """Rows of (id, name, query, created_at) of the principal's saved searches, by name."""
    return conn.execute(
        select(S.c.id, S.c.name, S.c.query, S.c.created_at).where(users_own(principal, S)).order_by(S.c.name)
    ).all()


def get_saved(conn: Connection, principal: Principal, search_id: str):
    """The principal's saved search `search_id`, or None (another user's is None alike)."""
    return conn.execute(
        select(S.c.id, S.c.name, S.c.query, S.c.created_at).where(S.c.id == search_id, users_own(principal, S))
    ).first()


def insert_saved(conn: Connection, principal: Principal, name: str, query: str) -> str:
    """Save a search under `name` for the principal's user (a random id); Conflict when it has one
    of that name."""
    search_id = str(uuid.uuid4())
    try:
        with conn.begin_nested():
            conn.execute(
                insert(S).values(
                    id=search_id, user_id=principal.user_id, name=name, query=query, created_at=clock.now()
                )
            )
            return search_id
    except IntegrityError:
        raise Conflict(f"you already have a saved search named '{name}'") from None


def delete_saved(conn: Connection, principal: Principal, search_id: str) -> bool:
    """Delete the principal's saved search `search_id`; False when it has none of that id."""
    return conn.execute(delete(S).where(S.c.id == search_id, users_own(principal, S))).rowcount > 0
