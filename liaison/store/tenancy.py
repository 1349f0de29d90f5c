"""Organisations, sharing groups, audiences, users and API tokens."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from liaison import clock
from liaison.access.principal import Principal, Role
from liaison.db.tables import api_token, audience, group_member, organization, sharing_group, user
from liaison.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True, slots=True)
class Audience:
    """An audience row with its readable label: 'org', 'group:<name>' or 'instance'."""

    id: int
    kind: str
    label: str


def instance_audience_id(conn: Connection) -> int:
    """The id of the whole-instance audience, created on first use."""
    found = conn.execute(select(audience.c.id).where(audience.c.kind == "instance")).scalar()
    if found is None:
        found = conn.execute(insert(audience).values(kind="instance").returning(audience.c.id)).scalar_one()
    return found


def _insert_unique(conn: Connection, table, what: str, name: str, **values) -> int:
    try:
        with conn.begin_nested():
            return conn.execute(insert(table).values(name=name, **values).returning(table.c.id)).scalar_one()
    except IntegrityError:
        raise Conflict(f"{what} '{name}' already exists") from None


def create_org(conn: Connection, name: str, identity_id: str, partner_id: int | None = None) -> int:
    """Add an organisation and its own-organisation audience; return its id. With `partner_id`, the
    organisation stands for that partner instance."""
    org_id = _insert_unique(
        conn, organization, "organisation", name, identity_id=identity_id, created_at=clock.now(),
        partner_id=partner_id,
    )
    conn.execute(insert(audience).values(kind="org", org_id=org_id))
    return org_id


def org_by_name(conn: Connection, name: str):
    row = conn.execute(select(organization).where(organization.c.name == name)).first()
    if row is None:
        raise NotFound(f"no organisation named '{name}'")
    return row


def list_orgs(conn: Connection):
    return conn.execute(select(organization).order_by(organization.c.name)).all()


def org_ids_by_identity(conn: Connection) -> dict[str, int]:
    """Map each local organisation's STIX identity id to the organisation id."""
    return dict(conn.execute(select(organization.c.identity_id, organization.c.id)).all())


def create_group(conn: Connection, name: str, member_org_ids: list[int], description: str = "") -> int:
    """Add a sharing group of organisations and its audience; return the group id."""
    group_id = _insert_unique(
        conn, sharing_group, "sharing group", name, description=description, created_at=clock.now()
    )
    conn.execute(insert(audience).values(kind="group", group_id=group_id))
    if member_org_ids:
        conn.execute(insert(group_member), [{"group_id": group_id, "org_id": o} for o in set(member_org_ids)])
    return group_id


def list_groups(conn: Connection) -> list[tuple[str, str, list[str]]]:
    """(name, description, member organisation names) for every sharing group."""
    rows = conn.execute(
        select(sharing_group.c.name, sharing_group.c.description, organization.c.name)
        .select_from(sharing_group)
        .outerjoin(group_member, group_member.c.group_id == sharing_group.c.id)
        .outerjoin(organization, organization.c.id == group_member.c.org_id)
        .order_by(sharing_group.c.name, organization.c.name)
    ).all()
    groups: dict[str, tuple[str, list[str]]] = {}
    for name, description, member in rows:
        groups.setdefault(name, (description, []))[1].extend([member] if member else [])
    return [(name, desc, members) for name, (desc, members) in groups.items()]


def create_user(conn: Connection, name: str, org_id: int, role: Role, password_hash: str | None = None) -> int:
    return _insert_unique(
        conn, user, "user", name, org_id=org_id, role=str(role), password_hash=password_hash,
        disabled=False, created_at=clock.now(),
    )


def user_by_name(conn: Connection, name: str):
    row = conn.execute(select(user).where(user.c.name == name)).first()
    if row is None:
        raise NotFound(f"no user named '{name}'")
    return row


def set_password(conn: Connection, user_id: int, password_hash: str) -> None:
    conn.execute(update(user).where(user.c.id == user_id).values(password_hash=password_hash))


def create_token(conn: Connection, user_id: int, name: str, digest: str) -> int:
    return conn.execute(
        insert(api_token)
        .values(user_id=user_id, name=name, token_hash=digest, created_at=clock.now())
        .returning(api_token.c.id)
    ).scalar_one()


def revoke_tokens(conn: Connection, user_id: int, name: str) -> int:
    """Revoke the user's live tokens called `name`; return how many."""
    return conn.execute(
        update(api_token)
        .where(api_token.c.user_id == user_id, api_token.c.name == name, api_token.c.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    ).rowcount


def user_id_for_token(conn: Connection, digest: str) -> int | None:
    """The enabled user owning the live token with `digest`, recording its use."""
    row = conn.execute(
        select(api_token.c.id, api_token.c.user_id)
        .join(user, user.c.id == api_token.c.user_id)
        .where(api_token.c.token_hash == digest, api_token.c.revoked_at.is_(None), user.c.disabled.is_(False))
    ).first()
    if row is None:
        return None
    conn.execute(update(api_token).where(api_token.c.id == row.id).values(last_used_at=clock.now()))
    return row.user_id


def _principal(conn: Connection, org, user_id: int | None, user_name: str, role: Role) -> Principal:
    own = conn.execute(select(audience.c.id).where(audience.c.org_id == org.id)).scalar_one()
    groups = conn.execute(
        select(audience.c.id)
        .join(group_member, group_member.c.group_id == audience.c.group_id)
        .where(group_member.c.org_id == org.id)
    ).scalars()
    # A partner instance reads what is shared with it or its groups, never the whole instance.
    everyone = [] if org.partner_id is not None else [instance_audience_id(conn)]
    return Principal(
        user_id=user_id,
        user_name=user_name,
        org_id=org.id,
        org_name=org.name,
        org_identity_id=org.identity_id,
        role=role,
        audience_ids=frozenset([own, *everyone, *groups]),
        org_audience_id=own,
        is_partner=org.partner_id is not None,
    )


def principal_for_user(conn: Connection, user_id: int) -> Principal:
    """The principal of a user: its organisation's audience, its groups' audiences, the instance's."""
    row = conn.execute(select(user).where(user.c.id == user_id)).one()
    org = conn.execute(select(organization).where(organization.c.id == row.org_id)).one()
    return _principal(conn, org, row.id, row.name, Role(row.role))


def org_principal(conn: Connection, org_id: int) -> Principal:
    """An organisation acting through a system job (setup, demo data): it reads and writes as the
    organisation does, with no user behind it."""
    org = conn.execute(select(organization).where(organization.c.id == org_id)).one()
    return _principal(conn, org, None, f"system@{org.name}", Role.ANALYST)


def all_audience_ids(conn: Connection) -> frozenset[int]:
    """Every audience: what the system principal reads."""
    return frozenset(conn.execute(select(audience.c.id)).scalars())


def audience_kinds(conn: Connection, ids: set[int]) -> dict[int, str]:
    """{audience id: 'org', 'group' or 'instance'} for these audiences."""
    if not ids:
        return {}
    return dict(conn.execute(select(audience.c.id, audience.c.kind).where(audience.c.id.in_(sorted(ids)))).all())


def audiences(conn: Connection, ids: frozenset[int] | set[int]) -> dict[int, Audience]:
    """Audiences by id, labelled 'org:<name>', 'group:<name>' or 'instance'."""
    rows = conn.execute(
        select(audience.c.id, audience.c.kind, organization.c.name, sharing_group.c.name)
        .outerjoin(organization, organization.c.id == audience.c.org_id)
        .outerjoin(sharing_group, sharing_group.c.id == audience.c.group_id)
        .where(audience.c.id.in_(sorted(ids)))
    ).all()
    labels = {"org": "org:{0}", "group": "group:{1}", "instance": "instance"}
    return {a_id: Audience(a_id, kind, labels[kind].format(org, grp)) for a_id, kind, org, grp in rows}


def resolve_audience(conn: Connection, principal: Principal, spec: str) -> Audience:
    """The audience named by `spec` ('org', 'group:<name>', 'instance') among those the principal
    may share with; unknown names and groups the principal's organisation is not in are refused alike."""
    if spec == "org" and principal.org_audience_id is not None:
        return Audience(principal.org_audience_id, "org", f"org:{principal.org_name}")
    if spec == "instance":
        instance_id = instance_audience_id(conn)
        if instance_id in principal.audience_ids or principal.is_system:  # partners' organisations are not in it
            return Audience(instance_id, "instance", "instance")
    if spec.startswith("group:"):
        found = conn.execute(
            select(audience.c.id)
            .join(sharing_group, sharing_group.c.id == audience.c.group_id)
            .where(sharing_group.c.name == spec[6:], audience.c.id.in_(sorted(principal.audience_ids)))
        ).scalar()
        if found is not None:
            return Audience(found, "group", spec)
    choices = ["org", "instance"] + sorted(
        a.label for a in audiences(conn, principal.audience_ids).values() if a.kind == "group"
    )
    raise InvalidInput(f"unknown audience '{spec}'; you can share with: {', '.join(choices)}", audience=spec)


def list_users(conn: Connection):
    """Every user with its organisation's name, role and state, by name."""
    return conn.execute(
        select(user.c.id, user.c.name, organization.c.name.label("org"), user.c.role, user.c.disabled,
               user.c.created_at, user.c.password_hash.is_not(None).label("has_password"))
        .join(organization, organization.c.id == user.c.org_id)
        .order_by(user.c.name)
    ).all()


def set_role(conn: Connection, user_id: int, role: Role) -> None:
    conn.execute(update(user).where(user.c.id == user_id).values(role=str(role)))


def set_disabled(conn: Connection, user_id: int, disabled: bool) -> None:
    conn.execute(update(user).where(user.c.id == user_id).values(disabled=disabled))


def list_tokens(conn: Connection):
    """Every API token (never the token itself) with its user, live ones first, newest first."""
    return conn.execute(
        select(api_token.c.id, user.c.name.label("user"), api_token.c.name, api_token.c.created_at,
               api_token.c.last_used_at, api_token.c.revoked_at)
        .join(user, user.c.id == api_token.c.user_id)
        .order_by(api_token.c.revoked_at.is_not(None), api_token.c.created_at.desc())
    ).all()


def revoke_token(conn: Connection, token_id: int) -> int:
    """Revoke one live token; return how many were revoked (0 or 1)."""
    return conn.execute(
        update(api_token).where(api_token.c.id == token_id, api_token.c.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    ).rowcount


def group_by_name(conn: Connection, name: str):
    row = conn.execute(select(sharing_group).where(sharing_group.c.name == name)).first()
    if row is None:
        raise NotFound(f"no sharing group named '{name}'")
    return row


def add_group_member(conn: Connection, group_id: int, org_id: int) -> bool:
    """Add an organisation to a group; False when it already is a member."""
    exists = conn.execute(select(group_member.c.org_id).where(
        group_member.c.group_id == group_id, group_member.c.org_id == org_id)).first()
    if exists:
        return False
    conn.execute(insert(group_member).values(group_id=group_id, org_id=org_id))
    return True


def remove_group_member(conn: Connection, group_id: int, org_id: int) -> bool:
    """Remove an organisation from a group; False when it was not a member."""
    return conn.execute(group_member.delete().where(
        group_member.c.group_id == group_id, group_member.c.org_id == org_id)).rowcount > 0


def audience_reaches_partners(conn: Connection, audience_id: int) -> bool:
    """Whether a group audience includes an organisation standing for a partner instance (partners
    never read the whole-instance audience)."""
    return conn.execute(
        select(organization.c.id)
        .join(group_member, group_member.c.org_id == organization.c.id)
        .join(audience, audience.c.group_id == group_member.c.group_id)
        .where(audience.c.id == audience_id, organization.c.partner_id.is_not(None))
        .limit(1)
    ).first() is not None
