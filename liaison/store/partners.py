"""Partner instances: their rows, pinned keys, and the organisation that stands for each.

Principal-free by design: the partner registry is the host's configuration, not intelligence;
who may see which partnership is decided in `federation/sync.py` (`status_for`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, update

from liaison import clock
from liaison.db.tables import group_member, organization, partner, sharing_group
from liaison.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Partner:
    id: int
    name: str
    url: str | None
    token: str | None
    public_key: str | None
    key_id: str | None
    org_id: int  # the organisation that stands for the partner here

    @property
    def signs(self) -> bool:
        return self.public_key is not None


def _select():
    return select(
        partner.c.id,
        partner.c.name,
        partner.c.url,
        partner.c.token,
        partner.c.public_key,
        partner.c.key_id,
        organization.c.id,
    ).join(organization, organization.c.partner_id == partner.c.id)


def by_name(conn: Connection, name: str) -> Partner | None:
    row = conn.execute(_select().where(partner.c.name == name)).first()
    return Partner(*row) if row else None


def by_id(conn: Connection, partner_id: int) -> Partner | None:
    row = conn.execute(_select().where(partner.c.id == partner_id)).first()
    return Partner(*row) if row else None


def of_org(conn: Connection, org_id: int | None) -> Partner | None:
    """The partner an organisation stands for, if it is a partner's organisation."""
    if org_id is None:
        return None
    row = conn.execute(_select().where(organization.c.id == org_id)).first()
    return Partner(*row) if row else None


def all_partners(conn: Connection) -> list[Partner]:
    return [Partner(*row) for row in conn.execute(_select().order_by(partner.c.name))]


def name_taken(conn: Connection, name: str) -> bool:
    return conn.execute(select(partner.c.id).where(partner.c.name == name)).first() is not None


def key_pinned(conn: Connection, key_id: str) -> bool:
    return conn.execute(select(partner.c.id).where(partner.c.key_id == key_id)).first() is not None


def pinned_keys(conn: Connection) -> dict[str, tuple[str, str]]:
    """key id -> (partner name, public key) of every pinned key."""
    rows = conn.execute(
        select(partner.c.key_id, partner.c.name, partner.c.public_key).where(partner.c.key_id.is_not(None))
    )
    return {key_id: (name, public_key) for key_id, name, public_key in rows}


def add(
    conn: Connection, name: str, url: str | None, token: str | None, public_key: str | None, key_id: str | None
) -> int:
    """Insert a partner row (its organisation is added by the caller); returns its id."""
    return conn.execute(
        insert(partner)
        .values(
            name=name,
            url=url,
            token=token,
            public_key=public_key,
            key_id=key_id,
            created_at=clock.now(),
        )
        .returning(partner.c.id)
    ).scalar_one()


def change(conn: Connection, partner_id: int, **values) -> None:
    conn.execute(update(partner).where(partner.c.id == partner_id).values(**values))


def pair_group(conn: Connection, partner_id: int, group_name: str) -> None:
    """Make `group_name` a group agreed with partner instance `partner_id`: its members must be the
    partner's organisation and one local organisation, the only ones to read what goes through it.
    That organisation's earlier group with the partner is no longer paired."""
    found = conn.execute(select(sharing_group.c.id).where(sharing_group.c.name == group_name)).scalar()
    members = conn.execute(
        select(organization.c.id, organization.c.partner_id)
        .join(group_member, group_member.c.org_id == organization.c.id)
        .where(group_member.c.group_id == found)
    ).all()
    local = [m.id for m in members if m.partner_id is None]
    if found is None or sorted(m.partner_id for m in members if m.partner_id) != [partner_id] or len(local) != 1:
        raise InvalidInput(
            f"group '{group_name}' must have exactly two members: the partner's organisation and one of ours"
        )
    for earlier in _paired(conn, partner_id, local[0]):
        conn.execute(update(sharing_group).where(sharing_group.c.id == earlier).values(pair_partner_id=None))
    conn.execute(update(sharing_group).where(sharing_group.c.id == found).values(pair_partner_id=partner_id))


def _paired(conn: Connection, partner_id: int, org_id: int) -> list[int]:
    return list(
        conn.execute(
            select(sharing_group.c.id)
            .join(group_member, group_member.c.group_id == sharing_group.c.id)
            .where(sharing_group.c.pair_partner_id == partner_id, group_member.c.org_id == org_id)
        ).scalars()
    )


def paired_group(conn: Connection, partner_id: int, org_id: int) -> int | None:
    """The group agreed with the partner for local organisation `org_id`, if its members are still
    that organisation and the partner's alone."""
    for group_id in _paired(conn, partner_id, org_id):
        count = conn.execute(select(func.count()).where(group_member.c.group_id == group_id)).scalar_one()
        if count == 2:
            return group_id
    return None
