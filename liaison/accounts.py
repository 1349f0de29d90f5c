"""Administration: organisations (each a STIX identity), sharing groups, users and API tokens."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache

from sqlalchemy import Engine

from liaison import clock
from liaison.access import credentials
from liaison.access.principal import Principal, Role
from liaison.errors import InvalidInput, NotFound, Unauthorized
from liaison.ingest.bundles import import_into
from liaison.store import sessions, tenancy


def organisation_identity(name: str, *, description: str | None = None) -> dict:
    """A new STIX identity object for an organisation, created by itself."""
    stamp = clock.now()[:23] + "Z"
    identity_id = f"identity--{uuid.uuid4()}"
    obj = {
        "type": "identity", "spec_version": "2.1", "id": identity_id, "created": stamp, "modified": stamp,
        "name": name, "identity_class": "organization", "created_by_ref": identity_id,
    }
    if description:
        obj["description"] = description
    return obj


def create_org(engine: Engine, name: str, identity: dict | None = None) -> int:
    """Add an organisation; its identity object (given, or made here) is shared with the instance."""
    name = name.strip()
    if not name:
        raise InvalidInput("an organisation needs a name")
    identity = identity or organisation_identity(name)
    if identity.get("type") != "identity":
        raise InvalidInput("an organisation's identity must be a STIX identity object")
    with engine.begin() as conn:
        org_id = tenancy.create_org(conn, name, identity["id"])
        import_into(conn, tenancy.org_principal(conn, org_id), [identity], audience="instance")
    return org_id


def create_group(engine: Engine, name: str, members: list[str], description: str = "") -> int:
    """Add a sharing group of the named organisations."""
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput("a group name uses letters, digits, '-' and '_' only", group=name)
    with engine.begin() as conn:
        org_ids = [tenancy.org_by_name(conn, member).id for member in members]
        return tenancy.create_group(conn, name, org_ids, description)


def create_user(engine: Engine, name: str, org: str, role: str, password: str | None = None) -> int:
    """Add a user of organisation `org` with `role`; the password (optional) is argon2-hashed."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role '{role}'; roles: {', '.join(r.value for r in Role)}") from None
    with engine.begin() as conn:
        org_id = tenancy.org_by_name(conn, org).id
        return tenancy.create_user(conn, name, org_id, role, credentials.hash_password(password) if password else None)


def create_token(engine: Engine, user_name: str, name: str = "api", *, replace: bool = False) -> str:
    """A new API token for the user; only its digest is kept, so this is the one time it is seen.
    With `replace`, the user's earlier tokens of the same name are revoked."""
    token = credentials.new_token()
    with engine.begin() as conn:
        user_id = tenancy.user_by_name(conn, user_name).id
        if replace:
            tenancy.revoke_tokens(conn, user_id, name)
        tenancy.create_token(conn, user_id, name, credentials.token_digest(token))
    return token


def principal_for_token(engine: Engine, token: str) -> Principal | None:
    """The principal a bearer token stands for, or None for unknown, revoked or disabled ones."""
    with engine.begin() as conn:
        user_id = tenancy.user_id_for_token(conn, credentials.token_digest(token))
        return tenancy.principal_for_user(conn, user_id) if user_id is not None else None


def principal_for_user(engine: Engine, user_name: str) -> Principal:
    """The principal of a named user (the CLI acts as a user with --as)."""
    with engine.begin() as conn:
        return tenancy.principal_for_user(conn, tenancy.user_by_name(conn, user_name).id)


#: How long a web UI session lasts after login.
SESSION_LIFETIME = timedelta(hours=12)
_WRONG_LOGIN = "wrong user name or password"


@dataclass(frozen=True, slots=True)
class WebSession:
    """A logged-in browser: the cookie token (shown once; only its digest is stored) and the
    session's CSRF token."""

    token: str
    csrf_token: str


@cache
def _unknown_user_hash() -> str:
    """Checked against when the user is unknown, so both failures take the same time."""
    return credentials.hash_password(secrets.token_urlsafe(16))


def start_session(engine: Engine, user_name: str, password: str) -> WebSession:
    """Log a user in with its password. Unknown users and wrong passwords get the same answer;
    disabled users and users without a password cannot log in."""
    with engine.connect() as conn:
        try:
            row = tenancy.user_by_name(conn, user_name)
        except NotFound:
            row = None
    # The same argon2 work whether the user is unknown, has no password (token-only) or has one.
    known_hash = row.password_hash if row is not None and row.password_hash else None
    if not credentials.check_password(known_hash or _unknown_user_hash(), password) or known_hash is None:
        raise Unauthorized(_WRONG_LOGIN)
    if row.disabled:
        raise Unauthorized("this account is disabled; ask an administrator")
    session = WebSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
    now = clock.now()
    expires = clock.format_ts(datetime.fromisoformat(now.replace("Z", "+00:00")) + SESSION_LIFETIME)
    with engine.begin() as conn:
        sessions.purge_expired(conn, now)
        sessions.create(conn, credentials.token_digest(session.token), row.id, session.csrf_token, now, expires)
    return session


def session_principal(engine: Engine, token: str) -> tuple[Principal, str] | None:
    """The principal and CSRF token of a live web session, or None (unknown, expired, disabled user)."""
    with engine.connect() as conn:
        found = sessions.live(conn, credentials.token_digest(token), clock.format_ts(datetime.now(timezone.utc)))
        if found is None:
            return None
        return tenancy.principal_for_user(conn, found.user_id), found.csrf_token


def end_session(engine: Engine, token: str) -> None:
    """Log out: the session is deleted."""
    with engine.begin() as conn:
        sessions.end(conn, credentials.token_digest(token))


def list_users(engine: Engine):
    with engine.connect() as conn:
        return tenancy.list_users(conn)


def list_orgs(engine: Engine):
    with engine.connect() as conn:
        return tenancy.list_orgs(conn)


def list_groups(engine: Engine) -> list[tuple[str, str, list[str]]]:
    with engine.connect() as conn:
        return tenancy.list_groups(conn)


def list_tokens(engine: Engine):
    with engine.connect() as conn:
        return tenancy.list_tokens(conn)


def set_role(engine: Engine, user_name: str, role: str) -> None:
    """Give a user another role."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role '{role}'; roles: {', '.join(r.value for r in Role)}") from None
    with engine.begin() as conn:
        tenancy.set_role(conn, tenancy.user_by_name(conn, user_name).id, role)


def set_disabled(engine: Engine, user_name: str, disabled: bool) -> None:
    """Disable a user (its web sessions end; its tokens stop working) or enable it again."""
    with engine.begin() as conn:
        user_id = tenancy.user_by_name(conn, user_name).id
        tenancy.set_disabled(conn, user_id, disabled)
        if disabled:
            sessions.end_for_user(conn, user_id)


def revoke_token(engine: Engine, token_id: int) -> None:
    with engine.begin() as conn:
        if not tenancy.revoke_token(conn, token_id):
            raise NotFound(f"no live token #{token_id}")


def change_group_member(engine: Engine, group: str, org: str, *, member: bool) -> None:
    """Add organisation `org` to sharing group `group` (member=True) or remove it."""
    with engine.begin() as conn:
        group_id = tenancy.group_by_name(conn, group).id
        org_id = tenancy.org_by_name(conn, org).id
        change = tenancy.add_group_member if member else tenancy.remove_group_member
        if not change(conn, group_id, org_id):
            raise InvalidInput(f"'{org}' {'already is' if member else 'is not'} a member of '{group}'")
