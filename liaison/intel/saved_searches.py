"""Saved searches: a user names a search (its query and filters) to run it again with one click.
They are the user's own: no one else lists, runs or deletes them, or learns that they exist."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from sqlalchemy import Connection

from liaison.access.principal import Action, Principal
from liaison.errors import InvalidInput, NotFound
from liaison.intel.search import make_query
from liaison.store import saved_searches as store

#: What a saved search keeps: the search page's parameters (several `type`s may be given).
PARAMETERS = ("q", "type", "owner", "tlp", "modified_from", "modified_until", "order")
MAX_NAME = 100
#: The shape of the random ids of what belongs to one user (saved searches, watchlists, alerts):
#: anything else is no such thing, answered without a look at the database.
ID_SHAPE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True, slots=True)
class SavedSearch:
    id: str
    name: str
    query: str  # the search's query string, e.g. "q=Zarafshon&type=threat-actor"
    created_at: str

    @property
    def params(self) -> dict[str, str | list[str]]:
        found = parse_qs(self.query)
        return {k: (v if k == "type" else v[0]) for k, v in found.items() if k in PARAMETERS}

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "params": self.params, "created_at": self.created_at}


def query_string(params: dict[str, str | list[str] | None]) -> str:
    """The parameters a saved search keeps, as a query string in a fixed order, empty ones left out."""
    pairs = []
    for key in PARAMETERS:
        value = params.get(key)
        for item in value if isinstance(value, list | tuple) else [value]:
            if item:
                pairs.append((key, str(item)))
    return urlencode(pairs)


def list_saved(conn: Connection, principal: Principal) -> list[SavedSearch]:
    principal.require(Action.READ)
    return [SavedSearch(*row) for row in store.list_saved(conn, principal)]


def get_saved(conn: Connection, principal: Principal, search_id: str) -> SavedSearch:
    principal.require(Action.READ)
    row = store.get_saved(conn, principal, search_id) if ID_SHAPE.match(search_id) else None
    if row is None:
        raise NotFound(f"no saved search {search_id}")
    return SavedSearch(*row)


def save(conn: Connection, principal: Principal, name: str, params: dict[str, str | list[str] | None]) -> SavedSearch:
    """Save the search `params` (see PARAMETERS) as `name` for the principal's user. The search is
    checked as the search page checks it: one that would be refused is not saved."""
    principal.require(Action.READ)
    if principal.user_id is None:
        raise InvalidInput("only a user saves searches")
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"a saved search needs a name of 1 to {MAX_NAME} characters", parameter="name")
    query = query_string(params)
    if not query:
        raise InvalidInput("there is nothing to save: give words to look for or a filter", parameter="q")
    types = params.get("type") or []
    make_query(
        conn,
        conn.dialect.name,
        q=str(params.get("q") or ""),
        types=types if isinstance(types, list | tuple) else [types],
        owner=params.get("owner") or None,
        tlp=params.get("tlp") or None,
        modified_from=params.get("modified_from") or None,
        modified_until=params.get("modified_until") or None,
        order=params.get("order") or None,
    )
    search_id = store.insert_saved(conn, principal, name, query)
    return get_saved(conn, principal, search_id)


def delete(conn: Connection, principal: Principal, search_id: str) -> None:
    """Delete one of the principal's saved searches; another user's is 'not found', as is a missing one."""
    principal.require(Action.READ)
    if not ID_SHAPE.match(search_id) or not store.delete_saved(conn, principal, search_id):
        raise NotFound(f"no saved search {search_id}")
