"""Organisations, sharing groups, audiences, users and API tokens."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from liaison import clock
from liaison.access.principal import Principal, Role
from liaison.db.tables import (
    api_token,
    audience,
    group_invitation,
    group_member,
    organization,
    sharing_group,
    user,
)
from liaison.errors import Conflict, InvalidInput, NotFound


def audience_label(kind: str, org: str | None = None, group: str | None = None) -> str:
    """How an audience of `kind` is shown, everywhere: 'org:<organisation name>', 'group:<group
    name>' or 'instance'."""
    return {"org": f"org:{org}", "group": f"group:{group}", "instance": "instance"}[kind]


def audience_spec(label: str) -> str:
    """What a caller names the audience labelled `label` by when sharing with it: 'org' for its own
    organisation (the only one it shares with), the label itself for a group or the instance."""
    return "org" if label.startswith("org:") else label


@dataclass(frozen=True, slots=True)
class Audience:
    """An audience row with its readable label (audience_label)."""

    id: int
    kind: str
    label: str

    @property
    def spec(self) -> str:
        """What the caller names it by (audience_spec): 'org', 'org:<name>' (another organisation,
        shared with directly), 'group:<name>' or 'instance'."""
        return self.label if self.kind == "direct" else audience_spec(self.label)


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
        conn,
        organization,
        "organisation",
        name,
        identity_id=identity_id,
        created_at=clock.now(),
        partner_id=partner_id,
    )
    conn.execute(insert(audience).values(kind="org", org_id=org_id))
    return org_id


def org_by_name(conn: Connection, name: str):
    row = conn.execute(select(organization).where(organization.c.name == name)).first()
    if row is None:
        raise NotFound(f"no organisation named '{name}'")
    return row


def local_org_named(conn: Connection, name: str):
    """The local organisation (not a partner's) named `name`, or None."""
    return conn.execute(
        select(organization).where(organization.c.name == name, organization.c.partner_id.is_(None))
    ).first()


def list_orgs(conn: Connection):
    return conn.execute(select(organization).order_by(organization.c.name)).all()


def org_ids_by_identity(conn: Connection) -> dict[str, int]:
    """Map each local organisation's STIX identity id to the organisation id."""
    return dict(conn.execute(select(organization.c.identity_id, organization.c.id)).all())


def create_group(
    conn: Connection, name: str, member_org_ids: list[int], description: str = "", owner_org_id: int | None = None
) -> int:
    """Add a sharing group of organisations and its audience; return the group id."""
    group_id = _insert_unique(
        conn,
        sharing_group,
        "sharing group",
        name,
        description=description,
        created_at=clock.now(),
        owner_org_id=owner_org_id,
    )
    conn.execute(insert(audience).values(kind="group", group_id=group_id))
    if member_org_ids:
        conn.execute(insert(group_member), [{"group_id": group_id, "org_id": o} for o in set(member_org_ids)])
    return group_id


def list_groups(conn: Connection) -> list[tuple[str, str, list[str]]]:
    """(name, description, member organisation names) for every sharing group."""
    return [(g.name, g.description, g.members) for g in group_views(conn)]


@dataclass(frozen=True, slots=True)
class GroupView:
    """A sharing group as its administrators see it."""

    id: int
    name: str
    description: str
    owner: str | None
    members: list[str]
    invited: list[str]


def group_views(conn: Connection, org_id: int | None = None) -> list[GroupView]:
    """Every sharing group (with `org_id`, only those the organisation owns, belongs to or is
    invited to), with owner, members and pending invitations, by name."""
    owner = organization.alias("owner")
    query = (
        select(sharing_group.c.id, sharing_group.c.name, sharing_group.c.description, owner.c.name)
        .outerjoin(owner, owner.c.id == sharing_group.c.owner_org_id)
        .order_by(sharing_group.c.name)
    )
    if org_id is not None:
        query = query.where(
            or_(
                sharing_group.c.owner_org_id == org_id,
                sharing_group.c.id.in_(select(group_member.c.group_id).where(group_member.c.org_id == org_id)),
                sharing_group.c.id.in_(select(group_invitation.c.group_id).where(group_invitation.c.org_id == org_id)),
            )
        )
    groups = conn.execute(query).all()
    ids = [g.id for g in groups]

    def names(table) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for group_id, name in conn.execute(
            select(table.c.group_id, organization.c.name)
            .join(organization, organization.c.id == table.c.org_id)
            .where(table.c.group_id.in_(ids))
            .order_by(organization.c.name)
        ):
            found.setdefault(group_id, []).append(name)
        return found

    members, invited = names(group_member), names(group_invitation)
    return [GroupView(g.id, g.name, g.description, g[3], members.get(g.id, []), invited.get(g.id, [])) for g in groups]


def invite(conn: Connection, group_id: int, org_id: int, invited_by: str) -> bool:
    """Invite an organisation into a group; False when it is already a member or invited."""
    if is_member(conn, group_id, org_id) or is_invited(conn, group_id, org_id):
        return False
    conn.execute(
        insert(group_invitation).values(group_id=group_id, org_id=org_id, invited_at=clock.now(), invited_by=invited_by)
    )
    return True


def is_invited(conn: Connection, group_id: int, org_id: int) -> bool:
    return (
        conn.execute(
            select(group_invitation.c.org_id).where(
                group_invitation.c.group_id == group_id, group_invitation.c.org_id == org_id
            )
        ).first()
        is not None
    )


def drop_invitation(conn: Connection, group_id: int, org_id: int) -> bool:
    """Withdraw, decline or consume an invitation; False when there was none."""
    return (
        conn.execute(
            delete(group_invitation).where(group_invitation.c.group_id == group_id, group_invitation.c.org_id == org_id)
        ).rowcount
        > 0
    )


def is_member(conn: Connection, group_id: int, org_id: int) -> bool:
    return (
        conn.execute(
            select(group_member.c.org_id).where(group_member.c.group_id == group_id, group_member.c.org_id == org_id)
        ).first()
        is not None
    )


def set_group_owner(conn: Connection, group_id: int, org_id: int | None) -> None:
    conn.execute(update(sharing_group).where(sharing_group.c.id == group_id).values(owner_org_id=org_id))


def create_user(
    conn: Connection,
    name: str,
    org_id: int | None,
    role: Role,
    password_hash: str | None = None,
    *,
    must_change_password: bool = False,
) -> int:
    return _insert_unique(
        conn,
        user,
        "user",
        name,
        org_id=org_id,
        role=str(role),
        password_hash=password_hash,
        disabled=False,
        created_at=clock.now(),
        must_change_password=must_change_password,
    )


def user_count(conn: Connection, org_id: int) -> int:
    return conn.execute(select(func.count()).select_from(user).where(user.c.org_id == org_id)).scalar_one()


def user_by_name(conn: Connection, name: str):
    """The user row (with its organisation's partner_id, None for local organisations and operators)."""
    row = conn.execute(
        select(user, organization.c.partner_id)
        .outerjoin(organization, organization.c.id == user.c.org_id)
        .where(user.c.name == name)
    ).first()
    if row is None:
        raise NotFound(f"no user named '{name}'")
    return row


def set_password(conn: Connection, user_id: int, password_hash: str) -> None:
    """The user's own new password (it no longer has to change it)."""
    conn.execute(
        update(user).where(user.c.id == user_id).values(password_hash=password_hash, must_change_password=False)
    )


def create_token(conn: Connection, user_id: int, name: str, digest: str, scope: str, expires_at: str | None) -> int:
    return conn.execute(
        insert(api_token)
        .values(
            user_id=user_id, name=name, token_hash=digest, created_at=clock.now(), scope=scope, expires_at=expires_at
        )
        .returning(api_token.c.id)
    ).scalar_one()


def revoke_tokens(conn: Connection, user_id: int, name: str) -> int:
    """Revoke the user's live tokens called `name`; return how many."""
    return conn.execute(
        update(api_token)
        .where(api_token.c.user_id == user_id, api_token.c.name == name, api_token.c.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    ).rowcount


def live_token(conn: Connection, digest: str, now: str):
    """(id, user_id, scope, last_used_at) of the unrevoked, unexpired token with `digest` of an
    enabled user, or None."""
    return conn.execute(_LIVE_TOKEN, {"digest": digest, "now": now}).first()


#: Made once: asked before every API request.
_LIVE_TOKEN = (
    select(api_token.c.id, api_token.c.user_id, api_token.c.scope, api_token.c.last_used_at)
    .join(user, user.c.id == api_token.c.user_id)
    .where(
        api_token.c.token_hash == bindparam("digest"),
        api_token.c.revoked_at.is_(None),
        user.c.disabled.is_(False),
        or_(api_token.c.expires_at.is_(None), api_token.c.expires_at > bindparam("now")),
    )
)


def token_used(conn: Connection, token_id: int) -> None:
    conn.execute(update(api_token).where(api_token.c.id == token_id).values(last_used_at=clock.now()))


def _principal(
    conn: Connection, org, user_id: int | None, user_name: str, role: Role, token_scope: str | None = None
) -> Principal:
    # One read for every audience (this runs before each API request): the organisation's own,
    # its groups', and the instance's.
    rows = conn.execute(_AUDIENCES_OF_ORG, {"org_id": org.id}).all()
    own = next(r.id for r in rows if r.kind == "org")
    groups = [r.id for r in rows if r.kind == "group"]
    # A partner instance reads what is shared with it or its groups, never the whole instance.
    everyone = []
    if org.partner_id is None:
        everyone = [r.id for r in rows if r.kind == "instance"] or [instance_audience_id(conn)]
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
        token_scope=token_scope,
    )


_AUDIENCES_OF_ORG = select(audience.c.id, audience.c.kind).where(
    or_(
        audience.c.org_id == bindparam("org_id"),
        audience.c.kind == "instance",
        audience.c.group_id.in_(select(group_member.c.group_id).where(group_member.c.org_id == bindparam("org_id"))),
    )
)
#: A user with its organisation (none for an operator), in one read.
_USER_AND_ORG = (
    select(
        user.c.id,
        user.c.name,
        user.c.role,
        user.c.org_id,
        organization.c.name.label("org_name"),
        organization.c.identity_id,
        organization.c.partner_id,
    )
    .outerjoin(organization, organization.c.id == user.c.org_id)
    .where(user.c.id == bindparam("user_id"))
)


def principal_for_user(conn: Connection, user_id: int, token_scope: str | None = None) -> Principal:
    """The principal of a user: its organisation's audience, its groups' audiences, the instance's.
    An operator belongs to no organisation and so to no audience."""
    row = conn.execute(_USER_AND_ORG, {"user_id": user_id}).one()
    if row.org_id is None:
        return Principal(
            user_id=row.id,
            user_name=row.name,
            org_id=None,
            org_name="",
            org_identity_id=None,
            role=Role(row.role),
            audience_ids=frozenset(),
            org_audience_id=None,
            token_scope=token_scope,
        )
    org = _Org(row.org_id, row.org_name, row.identity_id, row.partner_id)
    return _principal(conn, org, row.id, row.name, Role(row.role), token_scope)


@dataclass(frozen=True, slots=True)
class _Org:
    """What a principal is made of an organisation (the attributes of its row)."""

    id: int
    name: str
    identity_id: str
    partner_id: int | None


def org_principal(conn: Connection, org_id: int) -> Principal:
    """An organisation acting through a system job (setup, demo data): it reads and writes as the
    organisation does, with no user behind it."""
    org = conn.execute(select(organization).where(organization.c.id == org_id)).one()
    return _principal(conn, org, None, f"system@{org.name}", Role.ANALYST)


def all_audience_ids(conn: Connection) -> frozenset[int]:
    """Every audience: what the system principal reads."""
    return frozenset(conn.execute(select(audience.c.id)).scalars())


def _kind(kind: str, org_id: int | None, own_org_id: int | None) -> str:
    """An organisation's audience is 'org' to that organisation and 'direct' to one that shares
    with it by name (TLP:AMBER+STRICT never goes there)."""
    return "direct" if kind == "org" and own_org_id is not None and org_id != own_org_id else kind


def audience_kinds(conn: Connection, ids: set[int], own_org_id: int | None = None) -> dict[int, str]:
    """{audience id: 'org', 'direct', 'group' or 'instance'} for these audiences, as the
    organisation `own_org_id` shares with them."""
    if not ids:
        return {}
    rows = conn.execute(
        select(audience.c.id, audience.c.kind, audience.c.org_id).where(audience.c.id.in_(sorted(ids)))
    ).all()
    return {a_id: _kind(kind, org_id, own_org_id) for a_id, kind, org_id in rows}


def audiences(conn: Connection, ids: frozenset[int] | set[int], own_org_id: int | None = None) -> dict[int, Audience]:
    """Audiences by id, labelled 'org:<name>', 'group:<name>' or 'instance'; with `own_org_id`,
    another organisation's audience is of kind 'direct'."""
    rows = conn.execute(
        select(audience.c.id, audience.c.kind, audience.c.org_id, organization.c.name, sharing_group.c.name)
        .outerjoin(organization, organization.c.id == audience.c.org_id)
        .outerjoin(sharing_group, sharing_group.c.id == audience.c.group_id)
        .where(audience.c.id.in_(sorted(ids)))
    ).all()
    return {
        a_id: Audience(a_id, _kind(kind, org_id, own_org_id), audience_label(kind, org, grp))
        for a_id, kind, org_id, org, grp in rows
    }


def direct_audience(conn: Connection, org_id: int) -> Audience:
    """The audience of organisation `org_id` as another organisation shares with it by name."""
    a_id, name = conn.execute(
        select(audience.c.id, organization.c.name)
        .join(organization, organization.c.id == audience.c.org_id)
        .where(audience.c.org_id == org_id)
    ).one()
    return Audience(a_id, "direct", audience_label("org", name))


def group_audience(conn: Connection, group_id: int) -> Audience:
    """The audience of sharing group `group_id`."""
    row = conn.execute(
        select(audience.c.id, sharing_group.c.name)
        .join(sharing_group, sharing_group.c.id == audience.c.group_id)
        .where(sharing_group.c.id == group_id)
    ).one()
    return Audience(row.id, "group", audience_label("group", group=row.name))


def resolve_audience(conn: Connection, principal: Principal, spec: str) -> Audience:
    """The audience named by `spec` ('org', 'org:<name>' for another local organisation directly,
    'group:<name>', 'instance') among those the principal may share with; unknown names and groups
    the principal's organisation is not in are refused alike."""
    if spec == "org" and principal.org_audience_id is not None:
        return Audience(principal.org_audience_id, "org", audience_label("org", principal.org_name))
    if spec == "instance":
        instance_id = instance_audience_id(conn)
        if instance_id in principal.audience_ids or principal.is_system:  # partners' organisations are not in it
            return Audience(instance_id, "instance", audience_label("instance"))
    if spec.startswith("org:") and principal.org_id is not None and not principal.is_partner:
        other = local_org_named(conn, spec[4:])
        if other is not None and other.id == principal.org_id:
            return Audience(principal.org_audience_id, "org", audience_label("org", principal.org_name))
        if other is not None:
            return direct_audience(conn, other.id)
    if spec.startswith("group:"):
        found = conn.execute(
            select(audience.c.id)
            .join(sharing_group, sharing_group.c.id == audience.c.group_id)
            .where(sharing_group.c.name == spec[6:], audience.c.id.in_(sorted(principal.audience_ids)))
        ).scalar()
        if found is not None:
            return Audience(found, "group", audience_label("group", group=spec[6:]))
    known = audiences(conn, principal.audience_ids).values()
    choices = (
        ["org"]
        + ([] if principal.is_partner else ["org:<organisation>"])
        + ["instance" for a in known if a.kind == "instance"]
        + sorted(a.label for a in known if a.kind == "group")
    )
    raise InvalidInput(f"unknown audience '{spec}'; you can share with: {', '.join(choices)}", audience=spec)


def list_users(conn: Connection, org_id: int | None = None, roles: tuple[str, ...] | None = None):
    """Users with their organisation's name (None for operators), role and state, by name: every
    one, or those of one organisation, or those of some roles."""
    query = (
        select(
            user.c.id,
            user.c.name,
            organization.c.name.label("org"),
            user.c.role,
            user.c.disabled,
            user.c.created_at,
            user.c.password_hash.is_not(None).label("has_password"),
            user.c.org_id,
            organization.c.partner_id,
        )
        .outerjoin(organization, organization.c.id == user.c.org_id)
        .order_by(user.c.name)
    )
    if org_id is not None:
        query = query.where(user.c.org_id == org_id)
    if roles is not None:
        query = query.where(user.c.role.in_(roles))
    return conn.execute(query).all()


def enabled_admins(conn: Connection, org_id: int) -> int:
    """How many enabled admins an organisation has."""
    return conn.execute(
        select(func.count())
        .select_from(user)
        .where(user.c.org_id == org_id, user.c.role == "admin", user.c.disabled.is_(False))
    ).scalar_one()


def set_role(conn: Connection, user_id: int, role: Role) -> None:
    conn.execute(update(user).where(user.c.id == user_id).values(role=str(role)))


def set_disabled(conn: Connection, user_id: int, disabled: bool) -> None:
    conn.execute(update(user).where(user.c.id == user_id).values(disabled=disabled))


def list_tokens(conn: Connection, org_id: int | None = None, roles: tuple[str, ...] | None = None):
    """API tokens (never the token itself) with their user: every one, or those of one
    organisation's users, or of users of some roles; live ones first, then by last use."""
    query = (
        select(
            api_token.c.id,
            user.c.name.label("user"),
            user.c.org_id,
            user.c.role,
            api_token.c.name,
            api_token.c.scope,
            api_token.c.created_at,
            api_token.c.expires_at,
            api_token.c.last_used_at,
            api_token.c.revoked_at,
            organization.c.partner_id,
        )
        .join(user, user.c.id == api_token.c.user_id)
        .outerjoin(organization, organization.c.id == user.c.org_id)
        .order_by(
            api_token.c.revoked_at.is_not(None),
            api_token.c.last_used_at.is_(None),
            api_token.c.last_used_at.desc(),
            api_token.c.created_at.desc(),
        )
    )
    if org_id is not None:
        query = query.where(user.c.org_id == org_id)
    if roles is not None:
        query = query.where(user.c.role.in_(roles))
    return conn.execute(query).all()


def token_owner(conn: Connection, token_id: int):
    """The user row of a token's user (with its organisation's partner_id), or None."""
    return conn.execute(
        select(user, organization.c.partner_id)
        .join(api_token, api_token.c.user_id == user.c.id)
        .outerjoin(organization, organization.c.id == user.c.org_id)
        .where(api_token.c.id == token_id)
    ).first()


def revoke_token(conn: Connection, token_id: int) -> int:
    """Revoke one live token; return how many were revoked (0 or 1)."""
    return conn.execute(
        update(api_token)
        .where(api_token.c.id == token_id, api_token.c.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    ).rowcount


def group_by_name(conn: Connection, name: str):
    row = conn.execute(select(sharing_group).where(sharing_group.c.name == name)).first()
    if row is None:
        raise NotFound(f"no sharing group named '{name}'")
    return row


def add_group_member(conn: Connection, group_id: int, org_id: int) -> bool:
    """Add an organisation to a group; False when it already is a member."""
    if is_member(conn, group_id, org_id):
        return False
    conn.execute(insert(group_member).values(group_id=group_id, org_id=org_id))
    drop_invitation(conn, group_id, org_id)
    return True


def remove_group_member(conn: Connection, group_id: int, org_id: int) -> bool:
    """Remove an organisation from a group; False when it was not a member."""
    return (
        conn.execute(
            group_member.delete().where(group_member.c.group_id == group_id, group_member.c.org_id == org_id)
        ).rowcount
        > 0
    )


def audience_reaches_partners(conn: Connection, audience_id: int) -> bool:
    """Whether a group audience includes an organisation standing for a partner instance (partners
    never read the whole-instance audience)."""
    return (
        conn.execute(
            select(organization.c.id)
            .join(group_member, group_member.c.org_id == organization.c.id)
            .join(audience, audience.c.group_id == group_member.c.group_id)
            .where(audience.c.id == audience_id, organization.c.partner_id.is_not(None))
            .limit(1)
        ).first()
        is not None
    )
