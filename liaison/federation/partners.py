"""Partner instances: registry, pinned keys, and the organisation that stands for each."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from liaison import clock
from liaison.db.tables import organization, partner
from liaison.errors import Conflict, NotFound
from liaison.federation.signing import key_id_of
from liaison.stix.extensions import stable_id
from liaison.store import tenancy


@dataclass(frozen=True, slots=True)
class Partner:
    id: int
    name: str
    url: str | None
    token: str | None
    public_key: str | None
    key_id: str | None
    org_id: int

    @property
    def signs(self) -> bool:
        return self.public_key is not None


def _partner(conn: Connection, row) -> Partner:
    org_id = conn.execute(select(organization.c.id).where(organization.c.partner_id == row.id)).scalar_one()
    return Partner(row.id, row.name, row.url, row.token, row.public_key, row.key_id, org_id)


def add_partner(conn: Connection, name: str, url: str | None, token: str | None, public_key: str | None) -> Partner:
    """Register a partner instance and the organisation that stands for it (same name), which
    sharing groups can include. Its key, when given, is pinned: everything it sends must be signed."""
    if conn.execute(select(partner.c.id).where(partner.c.name == name)).first():
        raise Conflict(f"partner '{name}' already exists")
    key_id = key_id_of(public_key) if public_key else None
    if key_id and conn.execute(select(partner.c.id).where(partner.c.key_id == key_id)).first():
        raise Conflict("that public key is already pinned for another partner")
    partner_id = conn.execute(insert(partner).values(
        name=name, url=url.rstrip("/") + "/" if url else None, token=token, public_key=public_key, key_id=key_id,
        created_at=clock.now()).returning(partner.c.id)).scalar_one()
    tenancy.create_org(conn, name, stable_id("identity", f"partner:{name}"), partner_id=partner_id)
    return get_partner(conn, name)


def update_partner(conn: Connection, name: str, **values) -> Partner:
    found = get_partner(conn, name)
    if "public_key" in values and values["public_key"]:
        values["key_id"] = key_id_of(values["public_key"])
    conn.execute(update(partner).where(partner.c.id == found.id).values(**values))
    return get_partner(conn, name)


def get_partner(conn: Connection, name: str) -> Partner:
    row = conn.execute(select(partner).where(partner.c.name == name)).first()
    if row is None:
        raise NotFound(f"no partner named '{name}'")
    return _partner(conn, row)


def list_partners(conn: Connection) -> list[Partner]:
    return [_partner(conn, row) for row in conn.execute(select(partner).order_by(partner.c.name))]


def partner_of_org(conn: Connection, org_id: int | None) -> Partner | None:
    """The partner an organisation stands for, if it is a partner's organisation."""
    if org_id is None:
        return None
    partner_id = conn.execute(select(organization.c.partner_id).where(organization.c.id == org_id)).scalar()
    if partner_id is None:
        return None
    return _partner(conn, conn.execute(select(partner).where(partner.c.id == partner_id)).one())


def pinned_keys(conn: Connection) -> dict[str, tuple[str, str]]:
    """key id -> (partner name, public key) of every pinned key."""
    rows = conn.execute(select(partner.c.key_id, partner.c.name, partner.c.public_key).where(partner.c.key_id.is_not(None)))
    return {key_id: (name, public_key) for key_id, name, public_key in rows}
