"""Administration: organisations (each a STIX identity), sharing groups, users and API tokens."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine

from liaison import clock
from liaison.access import credentials
from liaison.access.principal import Principal, Role
from liaison.errors import InvalidInput
from liaison.ingest.bundles import import_into
from liaison.store import tenancy


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
