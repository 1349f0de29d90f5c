"""Partner instances: registering one (its pinned key, and the organisation that stands for it),
changing and finding them. The rows are `store/partners.py`'s."""

from __future__ import annotations

from sqlalchemy import Connection

from liaison.errors import Conflict, NotFound
from liaison.stix.extensions import stable_id
from liaison.stix.provenance import key_id_of
from liaison.store import partners as registry
from liaison.store import tenancy
from liaison.store.partners import Partner


def add_partner(conn: Connection, name: str, url: str | None, token: str | None, public_key: str | None) -> Partner:
    """Register a partner instance and the organisation that stands for it (same name), which
    sharing groups can include. Its key, when given, is pinned: everything it sends must be signed."""
    if registry.name_taken(conn, name):
        raise Conflict(f"partner '{name}' already exists")
    key_id = key_id_of(public_key) if public_key else None
    if key_id and registry.key_pinned(conn, key_id):
        raise Conflict("that public key is already pinned for another partner")
    partner_id = registry.add(conn, name, url.rstrip("/") + "/" if url else None, token, public_key, key_id)
    tenancy.create_org(conn, name, stable_id("identity", f"partner:{name}"), partner_id=partner_id)
    return get_partner(conn, name)


def update_partner(conn: Connection, name: str, **values) -> Partner:
    found = get_partner(conn, name)
    if values.get("public_key"):
        values["key_id"] = key_id_of(values["public_key"])
    registry.change(conn, found.id, **values)
    return get_partner(conn, name)


def get_partner(conn: Connection, name: str) -> Partner:
    found = registry.by_name(conn, name)
    if found is None:
        raise NotFound(f"no partner named '{name}'")
    return found


def list_partners(conn: Connection) -> list[Partner]:
    return registry.all_partners(conn)


def pair_group(conn: Connection, name: str, group: str) -> None:
    """Agree `group` with partner `name`: what local organisations approve for that partner's
    requests for information is shared through it, and sync carries it there."""
    registry.pair_group(conn, get_partner(conn, name).id, group)
