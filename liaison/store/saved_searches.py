"""A user's saved searches, read and changed only through the own-saved-search predicate."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from liaison import clock
from liaison.access.predicate import own_saved_search
from liaison.access.principal import Principal
from liaison.db.tables import saved_search
from liaison.errors import Conflict

S = saved_search


def list_saved(conn: Connection, principal: Principal):
    """Rows of (id, name, query, created_at) of the principal's saved searches, by name."""
    return conn.execute(
        select(S.c.id, S.c.name, S.c.query, S.c.created_at).where(own_saved_search(principal, S)).order_by(S.c.name)
    ).all()


def get_saved(conn: Connection, principal: Principal, search_id: int):
    """The principal's saved search `search_id`, or None (another user's is None alike)."""
    return conn.execute(
        select(S.c.id, S.c.name, S.c.query, S.c.created_at).where(S.c.id == search_id, own_saved_search(principal, S))
    ).first()


def insert_saved(conn: Connection, principal: Principal, name: str, query: str) -> int:
    """Save a search under `name` for the principal's user; Conflict when it has one of that name."""
    try:
        with conn.begin_nested():
            return conn.execute(
                insert(S)
                .values(user_id=principal.user_id, name=name, query=query, created_at=clock.now())
                .returning(S.c.id)
            ).scalar_one()
    except IntegrityError:
        raise Conflict(f"you already have a saved search named '{name}'") from None


def delete_saved(conn: Connection, principal: Principal, search_id: int) -> bool:
    """Delete the principal's saved search `search_id`; False when it has none of that id."""
    return conn.execute(delete(S).where(S.c.id == search_id, own_saved_search(principal, S))).rowcount > 0
