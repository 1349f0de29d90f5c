"""Administration with two jobs kept apart, each audited in the transaction of its change.

The **operator** runs the instance and belongs to no organisation, so it reads no intelligence:
it adds organisations with their first admin, partners with their sync accounts and tokens,
unlocks client addresses, and repairs sharing groups. An organisation's **admin** manages its own
organisation's users, roles, tokens and lock-outs, and nothing of another's: a user, token or
group outside its reach answers exactly as one that does not exist. A sharing group has an owner
organisation; its admins invite, the invited organisation's admins accept or decline, and a
member leaves by its own choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from liaison import accounts, audit, lockout
from liaison.access import credentials
from liaison.access.principal import Action, Principal, Role
from liaison.errors import Conflict, InvalidInput, NotFound
from liaison.federation import partners, sync
from liaison.store import auth_failures, sessions, tenancy
from liaison.store.provenance import stored_key

#: Roles an organisation's admin gives; sync accounts are the operator's, for partners.
ORG_ROLES = (Role.ADMIN.value, Role.ANALYST.value, Role.READER.value)
#: Accounts the operator manages: its own kind, and partners' sync accounts.
OPERATOR_ROLES = (Role.OPERATOR.value, Role.SYNC.value)


@dataclass(frozen=True, slots=True)
class Overview:
    """What an administrator's page shows: only what its job reaches."""

    orgs: list
    users: list
    tokens: list
    groups: list[tenancy.GroupView]
    partners: list[dict]
    locked: list
    roles: tuple[str, ...]
    #: This instance's public signing key and its id (the operator's to hand to partners).
    instance_key: tuple[str, str] | None = None
    #: Names of the organisations that stand for partner instances.
    partner_orgs: frozenset[str] = frozenset()


def overview(conn: Connection, principal: Principal) -> Overview:
    principal.require(Action.ADMINISTER)
    orgs = tenancy.list_orgs(conn)
    if principal.is_operator:
        users = [u for u in tenancy.list_users(conn) if u.role == Role.ADMIN.value or _in_reach(principal, u)]
        tokens = [t for t in tenancy.list_tokens(conn, roles=(Role.SYNC.value,)) if t.partner_id is not None]
        key = stored_key(conn)
        return Overview(
            orgs,
            users,
            tokens,
            tenancy.group_views(conn),
            sync.status(conn),
            lockout.locked_keys(conn, "addr:") + _locked_accounts(conn, principal, users),
            (Role.ADMIN.value, *OPERATOR_ROLES),
            (key.public_key, key.key_id) if key else None,
            frozenset(o.name for o in orgs if o.partner_id is not None),
        )
    users = tenancy.list_users(conn, org_id=principal.org_id)
    return Overview(
        orgs,
        users,
        tenancy.list_tokens(conn, org_id=principal.org_id),
        tenancy.group_views(conn, principal.org_id),
        [],
        _locked_accounts(conn, principal, users),
        ORG_ROLES,
    )


def _locked_accounts(conn: Connection, principal: Principal, users) -> list:
    names = {lockout.account_key(u.name) for u in users if _in_reach(principal, u)}
    return [row for row in lockout.locked_keys(conn, "user:") if row.key in names]


def _audit(conn: Connection, principal: Principal, action: str, target: str, **detail) -> None:
    audit.record(conn, principal.user_name, action, target, **detail)


def _user_in_reach(conn: Connection, principal: Principal, name: str):
    """The user row an administrator may manage (_in_reach); anything else is NotFound, like an
    unknown name."""
    try:
        row = tenancy.user_by_name(conn, name)
    except NotFound:
        row = None
    if row is None or not _in_reach(principal, row):
        raise NotFound(f"no user named '{name}'")
    return row


def _in_reach(principal: Principal, account) -> bool:
    """Whether an administrator manages an account (a user row with its organisation's partner_id):
    an admin its own organisation's; the operator operators and partners' sync accounts — never a
    local organisation's account, whose token would read that organisation's intelligence."""
    if principal.is_operator:
        return account.role == Role.OPERATOR.value or (
            account.role == Role.SYNC.value and account.partner_id is not None
        )
    return account.org_id == principal.org_id


def add_org(conn: Connection, principal: Principal, name: str, admin: str, password: str) -> None:
    """Operator: a new organisation and its first admin, together or not at all."""
    principal.require(Action.OPERATE)
    _check_new_account(admin, password)
    org_id = accounts.create_org(conn, name)
    tenancy.create_user(
        conn, admin.strip(), org_id, Role.ADMIN, credentials.hash_password(password), must_change_password=True
    )
    _audit(conn, principal, "admin.org-add", name.strip(), admin=admin.strip())


def _check_new_account(name: str, password: str) -> None:
    accounts.check_user_name(name)
    _check_password(password)


def _check_password(password: str) -> None:
    if len(password) < accounts.MIN_PASSWORD:
        raise InvalidInput(f"the password needs at least {accounts.MIN_PASSWORD} characters")


def add_user(
    conn: Connection, principal: Principal, name: str, role: str, password: str, org: str | None = None
) -> None:
    """An admin adds a user to its own organisation (admin, analyst or reader). The operator adds
    operators, a partner's sync account, or the first admin of an organisation that has none."""
    principal.require(Action.ADMINISTER)
    role = accounts.role_of(role).value
    name = accounts.check_user_name(name)
    if role != Role.SYNC.value or password:  # a sync account may go without one: it logs in by token
        _check_password(password)
    if principal.is_operator:
        org_id = _operator_account_org(conn, role, org)
    else:
        if role not in ORG_ROLES:
            raise InvalidInput(f"an organisation's admin gives the roles {', '.join(ORG_ROLES)}")
        org_id = principal.org_id
    secret = credentials.hash_password(password) if password else None
    # The administrator chose the password: its owner replaces it at the first login.
    tenancy.create_user(conn, name, org_id, Role(role), secret, must_change_password=secret is not None)
    _audit(conn, principal, "admin.user-add", name, role=role, org_id=org_id)


def _operator_account_org(conn: Connection, role: str, org: str | None) -> int | None:
    if role == Role.OPERATOR.value:
        return None
    found = tenancy.org_by_name(conn, org or "")
    if role == Role.SYNC.value and found.partner_id is None:
        raise InvalidInput("sync accounts belong to partner instances' organisations")
    if role == Role.ADMIN.value and (found.partner_id is not None or tenancy.user_count(conn, found.id)):
        # Only an organisation with no account yet: an admin planted later would read what it holds.
        raise InvalidInput(f"'{found.name}' has accounts already: its admins add its users")
    if role not in (Role.SYNC.value, Role.ADMIN.value):
        raise InvalidInput("the operator adds operators, sync accounts and an organisation's first admin")
    return found.id


def set_role(conn: Connection, principal: Principal, name: str, role: str) -> None:
    """An admin changes the role of a user of its organisation (never its own)."""
    principal.require(Action.ADMINISTER)
    row = _user_in_reach(conn, principal, name)
    if principal.is_operator or role not in ORG_ROLES:
        raise InvalidInput(f"roles an organisation's admin gives: {', '.join(ORG_ROLES)}")
    if row.id == principal.user_id:
        raise InvalidInput("you cannot change your own role")
    tenancy.set_role(conn, row.id, Role(role))
    _audit(conn, principal, "admin.user-role", name, role=role)


def set_disabled(conn: Connection, principal: Principal, name: str, disabled: bool) -> None:
    """Disable a user in reach (its sessions end, its tokens stop working), or enable it again."""
    principal.require(Action.ADMINISTER)
    row = _user_in_reach(conn, principal, name)
    if row.id == principal.user_id:
        raise InvalidInput("you cannot disable yourself")
    tenancy.set_disabled(conn, row.id, disabled)
    if disabled:
        sessions.end_for_user(conn, row.id)
    _audit(conn, principal, "admin.user-disable" if disabled else "admin.user-enable", name)


def create_token(
    conn: Connection, principal: Principal, user: str, name: str, scope: str | None, days: int | None
) -> str:
    """A token for a user in reach (shown once), with a scope its role allows and an expiry."""
    principal.require(Action.ADMINISTER)
    row = _user_in_reach(conn, principal, user)
    if principal.is_operator and row.role != Role.SYNC.value:
        raise InvalidInput("the operator makes tokens for partners' sync accounts only")
    token = accounts.issue_token(conn, row, name, scope=scope, days=days)
    _audit(conn, principal, "admin.token-create", user, name=name, scope=scope, days=days)
    return token


def revoke_token(conn: Connection, principal: Principal, token_id: int) -> None:
    principal.require(Action.ADMINISTER)
    owner = tenancy.token_owner(conn, token_id)
    if owner is None or not _in_reach(principal, owner) or not tenancy.revoke_token(conn, token_id):
        raise NotFound(f"no live token #{token_id}")
    _audit(conn, principal, "admin.token-revoke", str(token_id), user=owner.name)


def unlock(conn: Connection, principal: Principal, key: str) -> None:
    """Lift a lock-out: an admin its organisation's accounts, the operator client addresses and
    the accounts it manages."""
    principal.require(Action.ADMINISTER)
    kind, _, value = key.partition(":")
    if kind == "user":
        _user_in_reach(conn, principal, value)
    elif not (kind == "addr" and principal.is_operator):
        raise NotFound(f"no lock-out '{key}'")
    if not auth_failures.clear(conn, key):
        raise NotFound(f"no lock-out '{key}'")
    _audit(conn, principal, "admin.unlock", key)


def _group_in_reach(conn: Connection, principal: Principal, name: str):
    """A group the administrator may act on: any for the operator; for an admin, those its
    organisation owns, belongs to or is invited to. Others answer as unknown ones."""
    try:
        row = tenancy.group_by_name(conn, name)
    except NotFound:
        row = None
    if row is not None and (
        principal.is_operator
        or row.owner_org_id == principal.org_id
        or tenancy.is_member(conn, row.id, principal.org_id)
        or tenancy.is_invited(conn, row.id, principal.org_id)
    ):
        return row
    raise NotFound(f"no sharing group named '{name}'")


def _require_owner(principal: Principal, group, *, operator: bool = False) -> None:
    """Only the owner's admins (and, with `operator`, the operator, repairing) act on a group's
    membership: never the operator for invitations, or it could bring a partner it registered
    itself into any group and read it through that partner's sync account."""
    if not (principal.is_operator and operator) and group.owner_org_id != principal.org_id:
        raise InvalidInput(f"only the admins of the organisation that owns '{group.name}' do that")


def create_group(conn: Connection, principal: Principal, name: str, description: str = "") -> None:
    """An admin's new group is owned by its organisation, its only member until others accept an
    invitation. (The operator makes none: members join by invitation; `liaison group add` on
    the host sets one up with its members.)"""
    principal.require(Action.ADMINISTER)
    if principal.is_operator:
        raise InvalidInput("sharing groups are made by organisations' admins, who invite the others")
    name = name.strip()
    accounts.check_group_name(name)
    tenancy.create_group(conn, name, [principal.org_id], description.strip(), principal.org_id)
    _audit(conn, principal, "admin.group-add", name, owner=principal.org_name)


def _owned(conn: Connection, principal: Principal, group: str, org: str, *, operator: bool = False):
    """(group row, organisation row) for a change of the group's membership that only its owner's
    admins (and, with `operator`, the operator) make."""
    row = _group_in_reach(conn, principal, group)
    _require_owner(principal, row, operator=operator)
    return row, tenancy.org_by_name(conn, org)


def invite(conn: Connection, principal: Principal, group: str, org: str) -> None:
    """The owner's admin invites an organisation into the group."""
    principal.require(Action.ADMINISTER)
    row, target = _owned(conn, principal, group, org)
    if not tenancy.invite(conn, row.id, target.id, principal.user_name):
        raise Conflict(f"'{org}' is already a member of '{group}' or invited to it")
    _audit(conn, principal, "admin.group-invite", group, org=org)


def withdraw_invitation(conn: Connection, principal: Principal, group: str, org: str) -> None:
    principal.require(Action.ADMINISTER)
    row, target = _owned(conn, principal, group, org)
    if not tenancy.drop_invitation(conn, row.id, target.id):
        raise NotFound(f"'{org}' is not invited to '{group}'")
    _audit(conn, principal, "admin.group-uninvite", group, org=org)


def answer_invitation(conn: Connection, principal: Principal, group: str, accept: bool, org: str | None = None) -> None:
    """The invited organisation's admin accepts (it joins) or declines. Partners' organisations
    have no admins here, so the operator answers for them."""
    principal.require(Action.ADMINISTER)
    row = _group_in_reach(conn, principal, group)
    if principal.is_operator:
        invited = tenancy.org_by_name(conn, org or "")
        if invited.partner_id is None:
            raise InvalidInput("the organisation's own admins answer its invitations")
        org_id, org_name = invited.id, invited.name
    else:
        org_id, org_name = principal.org_id, principal.org_name
    if not tenancy.drop_invitation(conn, row.id, org_id):
        raise NotFound(f"no invitation of '{org_name}' to '{group}'")
    if accept:
        tenancy.add_group_member(conn, row.id, org_id)
    _audit(conn, principal, "admin.group-join" if accept else "admin.group-decline", group, org=org_name)


def leave(conn: Connection, principal: Principal, group: str) -> None:
    """An admin takes its organisation out of a group (the owner hands ownership on first)."""
    principal.require(Action.ADMINISTER)
    row = _group_in_reach(conn, principal, group)
    if principal.is_operator or not tenancy.is_member(conn, row.id, principal.org_id):
        raise InvalidInput(f"your organisation is not a member of '{group}'")
    if row.owner_org_id == principal.org_id:
        raise InvalidInput(f"your organisation owns '{group}': hand it to another member first")
    tenancy.remove_group_member(conn, row.id, principal.org_id)
    _audit(conn, principal, "admin.group-leave", group, org=principal.org_name)


def hand_over(conn: Connection, principal: Principal, group: str, org: str) -> None:
    """The owner's admin (or the operator) makes another member organisation the group's owner."""
    principal.require(Action.ADMINISTER)
    row, target = _owned(conn, principal, group, org, operator=True)
    if not tenancy.is_member(conn, row.id, target.id) or target.partner_id is not None:
        raise InvalidInput(f"the owner of '{group}' must be one of its members, and no partner")
    tenancy.set_group_owner(conn, row.id, target.id)
    _audit(conn, principal, "admin.group-owner", group, org=org)


def remove_member(conn: Connection, principal: Principal, group: str, org: str) -> None:
    """Operator, repairing a group: take an organisation out (a group left without its owner is
    the operator's to hand to a member). It adds none: members join by invitation only."""
    principal.require(Action.OPERATE)
    row = tenancy.group_by_name(conn, group)
    target = tenancy.org_by_name(conn, org)
    if not tenancy.remove_group_member(conn, row.id, target.id):
        raise InvalidInput(f"'{org}' is not a member of '{group}'")
    if row.owner_org_id == target.id:
        tenancy.set_group_owner(conn, row.id, None)
    _audit(conn, principal, "admin.group-member-remove", group, org=org)


def add_partner(conn: Connection, principal: Principal, name: str, url: str, token: str, public_key: str) -> None:
    """Operator: register a partner instance (and the organisation that stands for it)."""
    principal.require(Action.OPERATE)
    name = name.strip()
    if not name:
        raise InvalidInput("a partner needs a name")
    if url and not url.startswith(("https://", "http://")):
        raise InvalidInput("the partner's URL starts with https:// (or http://)")
    partners.add_partner(conn, name, url.strip() or None, token.strip() or None, public_key.strip() or None)
    _audit(conn, principal, "admin.partner-add", name, url=url.strip() or None)
