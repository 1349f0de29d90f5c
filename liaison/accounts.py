"""Administration: organisations (each a STIX identity), sharing groups, users and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import Connection, Engine

from liaison import clock, lockout
from liaison.access import credentials
from liaison.access.principal import Principal, Role
from liaison.errors import InvalidInput, NotFound, PasswordChangeRequired, Unauthorized
from liaison.ingest.bundles import import_objects
from liaison.stix.timestamps import format_ts, parse_ts, to_millis
from liaison.store import sessions, tenancy
from liaison.store.provenance import instance_key


def organisation_identity(name: str, *, description: str | None = None) -> dict:
    """A new STIX identity object for an organisation, created by itself."""
    stamp = to_millis(clock.now())
    identity_id = f"identity--{uuid.uuid4()}"
    obj = {
        "type": "identity",
        "spec_version": "2.1",
        "id": identity_id,
        "created": stamp,
        "modified": stamp,
        "name": name,
        "identity_class": "organization",
        "created_by_ref": identity_id,
    }
    if description:
        obj["description"] = description
    return obj


def create_org(conn: Connection, name: str, identity: dict | None = None) -> int:
    """Add an organisation; its identity object (given, or made here) is shared with the instance."""
    name = name.strip()
    if not name:
        raise InvalidInput("an organisation needs a name")
    identity = identity or organisation_identity(name)
    if identity.get("type") != "identity":
        raise InvalidInput("an organisation's identity must be a STIX identity object")
    org_id = tenancy.create_org(conn, name, identity["id"])
    import_objects(conn, tenancy.org_principal(conn, org_id), [identity], audience="instance")
    return org_id


def check_group_name(name: str) -> None:
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput("a group name uses letters, digits, '-' and '_' only", group=name)


def create_group(
    conn: Connection, name: str, members: list[str], description: str = "", owner: str | None = None
) -> int:
    """Add a sharing group of the named organisations, owned by `owner` (by default its first
    member that is no partner): the organisation whose admins invite others."""
    check_group_name(name)
    orgs = [tenancy.org_by_name(conn, member) for member in members]
    if owner is not None:
        owner_id = tenancy.org_by_name(conn, owner).id
    else:
        owner_id = next((o.id for o in orgs if o.partner_id is None), None)
    return tenancy.create_group(conn, name, [o.id for o in orgs], description, owner_id)


def role_of(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput(f"unknown role '{value}'; roles: {', '.join(r.value for r in Role)}") from None


#: Names the audit log gives actors that are no user.
RESERVED_NAMES = frozenset({"system"})


def check_user_name(name: str) -> str:
    """A user name of letters, digits, '.', '-' and '_' (so it sits in a URL path as it is), and
    none of the names the audit log uses for actors that are no user ('system', '…@host')."""
    name = name.strip()
    if (
        not name
        or not name.replace(".", "").replace("-", "").replace("_", "").isalnum()
        or name.lower() in RESERVED_NAMES
    ):
        raise InvalidInput("a user name uses letters, digits, '.', '-' and '_' only, and is not 'system'", user=name)
    return name


def create_user(conn: Connection, name: str, org: str | None, role: str, password: str | None = None) -> int:
    """Add a user of organisation `org` with `role` (an operator has no organisation); the
    password (optional) is argon2-hashed."""
    name = check_user_name(name)
    role = role_of(role)
    if (role == Role.OPERATOR) != (org is None):
        raise InvalidInput("an operator belongs to no organisation; every other user to one")
    org_id = tenancy.org_by_name(conn, org).id if org is not None else None
    return tenancy.create_user(conn, name, org_id, role, credentials.hash_password(password) if password else None)


#: The scopes a token of each role may have; the first is the default.
TOKEN_SCOPES = {
    Role.OPERATOR: ("read",),
    Role.ADMIN: ("write", "read"),
    Role.ANALYST: ("write", "read"),
    Role.READER: ("read",),
    Role.SYNC: ("sync",),
}
#: How long a token lives unless asked otherwise, and at most.
TOKEN_DAYS, MAX_TOKEN_DAYS = 90, 730


def token_terms(role: str, scope: str | None, days: int | None) -> tuple[str, str]:
    """(scope, expiry) of a new token of a user with `role`: the scope must suit the role (a
    reader's token cannot write, a sync account's only syncs); the expiry is 1 to 730 days away."""
    allowed = TOKEN_SCOPES[Role(role)]
    scope = scope or allowed[0]
    if scope not in allowed:
        raise InvalidInput(
            f"tokens of the {role} role have the scope {' or '.join(allowed)}, not '{scope}'", parameter="scope"
        )
    days = TOKEN_DAYS if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(f"a token lives from 1 to {MAX_TOKEN_DAYS} days", parameter="days")
    expires = datetime.now(UTC) + timedelta(days=days)
    return scope, format_ts(expires)


def create_token(
    conn: Connection,
    user_name: str,
    name: str = "api",
    *,
    replace: bool = False,
    scope: str | None = None,
    days: int | None = None,
) -> str:
    """A new API token for the named user; only its digest is kept, so this is the one time it is
    seen. With `replace`, the user's earlier tokens of the same name are revoked."""
    return issue_token(conn, tenancy.user_by_name(conn, user_name), name, scope=scope, days=days, replace=replace)


def issue_token(
    conn: Connection, user_row, name: str, *, scope: str | None = None, days: int | None = None, replace: bool = False
) -> str:
    """create_token for a user row (which the administration has already checked is in reach)."""
    scope, expires = token_terms(user_row.role, scope, days)
    token = credentials.new_token()
    if replace:
        tenancy.revoke_tokens(conn, user_row.id, name)
    tenancy.create_token(conn, user_row.id, name, credentials.token_digest(token), scope, expires)
    return token


#: How stale a token's recorded last use may be before a request records it again: a write per
#: request (SQLite's single writer) bought nothing an administrator reads at that precision.
TOKEN_USE_GRANULARITY = timedelta(minutes=1)


def principal_for_token(engine: Engine, token: str) -> Principal | None:
    """The principal a bearer token stands for, or None for unknown, revoked, expired or disabled
    ones; its use is recorded (to the minute)."""
    # Takes the engine: authentication commits apart from the request (the token's use is recorded
    # whatever becomes of the request).
    now = datetime.now(UTC)
    with engine.begin() as conn:
        row = tenancy.live_token(conn, credentials.token_digest(token), format_ts(now))
        if row is None:
            return None
        if row.last_used_at is None or row.last_used_at < format_ts(now - TOKEN_USE_GRANULARITY):
            tenancy.token_used(conn, row.id)
        return tenancy.principal_for_user(conn, row.user_id, token_scope=row.scope)


def authenticate_token(engine: Engine, token: str, user_name: str | None, address: str | None) -> Principal:
    """The principal of an API request's token (and user name, with Basic credentials). A valid
    token is always accepted; bad ones count against the client address (see lockout)."""
    # Takes the engine: the failure count commits in its own transaction, apart from the request.
    principal = principal_for_token(engine, token)
    if principal is None or (user_name is not None and user_name != principal.user_name):
        lockout.token_failed(engine, address)
        raise Unauthorized("invalid credentials (unknown, revoked or expired token)")
    return principal


def principal_for_user(conn: Connection, user_name: str) -> Principal:
    """The principal of a named user (the CLI acts as a user with --as)."""
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


#: The shortest password anyone sets.
MIN_PASSWORD = 10


def start_session(
    engine: Engine, user_name: str, password: str, address: str | None = None, new_password: str | None = None
) -> WebSession:
    """Log a user in with its password, replacing it by `new_password` when given; a password an
    administrator chose must be replaced (PasswordChangeRequired) before a session starts, so no
    administrator keeps a credential of another's account. Unknown users and wrong passwords get
    the same answer; disabled users, users without a password and partners' sync accounts cannot
    log in. Too many failures lock the account name and the client address out (see lockout)."""
    # Takes the engine: failed logins count, and the session is stored, apart from the request.
    attempt = lockout.attempt(engine, [lockout.account_key(user_name), lockout.address_key(address)], via="password")
    with engine.connect() as conn:
        try:
            row = tenancy.user_by_name(conn, user_name)
        except NotFound:
            row = None
    # The same argon2 work whether the user is unknown, has no password (token-only) or has one.
    known_hash = row.password_hash if row is not None and row.password_hash else None
    if not credentials.check_password(known_hash or _unknown_user_hash(), password) or known_hash is None:
        raise Unauthorized(_WRONG_LOGIN)
    lockout.succeeded(engine, user_name, attempt)
    if row.disabled:
        raise Unauthorized("this account is disabled; ask an administrator")
    if row.role == Role.SYNC:
        raise Unauthorized("a partner's sync account has no access to the web UI")
    if new_password:
        if len(new_password) < MIN_PASSWORD or new_password == password:
            raise InvalidInput(
                f"the new password needs at least {MIN_PASSWORD} characters and must differ from the old one"
            )
        with engine.begin() as conn:
            tenancy.set_password(conn, row.id, credentials.hash_password(new_password))
    elif row.must_change_password:
        raise PasswordChangeRequired("an administrator chose this password: choose your own to log in")
    session = WebSession(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
    now = clock.now()
    expires = format_ts(parse_ts(now) + SESSION_LIFETIME)
    with engine.begin() as conn:
        sessions.purge_expired(conn, now)
        sessions.create(conn, credentials.token_digest(session.token), row.id, session.csrf_token, now, expires)
    return session


def session_principal(conn: Connection, token: str) -> tuple[Principal, str] | None:
    """The principal and CSRF token of a live web session, or None (unknown, expired, disabled user).
    A read only, so it runs in the request's own transaction: a page holds one connection."""
    found = sessions.live(conn, credentials.token_digest(token), format_ts(datetime.now(UTC)))
    if found is None:
        return None
    principal = tenancy.principal_for_user(conn, found.user_id)
    return None if principal.role == Role.SYNC else (principal, found.csrf_token)


#: How long a login form stays valid.
LOGIN_FORM_SECONDS = 2 * 3600


@cache
def _login_form_key(engine: Engine) -> bytes:
    """A key only this server knows, derived from the instance's private signing key."""
    # Takes the engine: the login form is served and checked before anyone is authenticated, apart
    # from any request transaction; the key is read once per engine.
    with engine.connect() as conn:
        private = instance_key(conn).private.private_bytes_raw()
    return hashlib.sha256(b"liaison login form\0" + private).digest()


def login_form_token(engine: Engine, nonce: str, issued: int | None = None) -> str:
    """The login form's CSRF token for the browser holding cookie `nonce`: the time it was issued
    and a MAC over both under a server key, so a client cannot choose a pair that passes."""
    # Takes the engine, as _login_form_key does: this is authentication, apart from the request.
    issued = int(time.time()) if issued is None else issued
    mac = hmac.new(_login_form_key(engine), f"{nonce}|{issued}".encode(), hashlib.sha256).hexdigest()
    return f"{issued}.{mac}"


def login_form_valid(engine: Engine, nonce: str, token: str) -> bool:
    """Whether `token` is one this server issued for `nonce`, less than LOGIN_FORM_SECONDS ago."""
    # Takes the engine, as login_form_token does.
    issued, _, _mac = token.partition(".")
    if not nonce or not issued.isdigit() or not 0 <= time.time() - int(issued) <= LOGIN_FORM_SECONDS:
        return False
    return secrets.compare_digest(login_form_token(engine, nonce, int(issued)).encode(), token.encode())


def end_session(engine: Engine, token: str) -> None:
    """Log out: the session is deleted."""
    # Takes the engine: the session ends whatever becomes of the request that asked for it.
    with engine.begin() as conn:
        sessions.end(conn, credentials.token_digest(token))


def set_disabled(conn: Connection, user_name: str, disabled: bool) -> None:
    """Disable a user (its web sessions end; its tokens stop working) or enable it again."""
    user_id = tenancy.user_by_name(conn, user_name).id
    tenancy.set_disabled(conn, user_id, disabled)
    if disabled:
        sessions.end_for_user(conn, user_id)
