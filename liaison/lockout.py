"""Throttling of failed authentication: lock-outs per account name and per client address.

Passwords are guessable, so more than five failed logins for an account name within any five
minutes lock that name for five minutes (MISP's default), whether or not the account exists, so a
lock-out says nothing about who has an account; more than twenty from one client address lock the
address. A password attempt is counted before the password is checked, under a per-key row lock,
so parallel guesses get no more tries than the limit; a right password takes its own count back.

Tokens carry 256 random bits and cannot be guessed. A valid token is always accepted: an address
lock-out must not let anyone who shares a NAT or a proxy with a partner stop its sync. Bad tokens
count against the client address only (an account lock-out on them would let anyone lock a
partner's sync account out by naming it), and a locked-out address is told so instead of
"invalid credentials".

Every record is written in its own transaction, so it stands whatever becomes of the request; each
lock-out is audited; admins unlock their organisation's accounts, operators addresses.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine

from liaison import audit
from liaison.errors import TooManyAttempts
from liaison.stix.timestamps import format_ts, parse_ts
from liaison.store import auth_failures

WINDOW = timedelta(minutes=5)
LOCK = timedelta(minutes=5)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20


def account_key(user_name: str) -> str:
    return f"user:{user_name}"


def address_key(address: str | None) -> str:
    return f"addr:{address or 'unknown'}"


def _limit(key: str) -> int:
    return ACCOUNT_LIMIT if key.startswith("user:") else ADDRESS_LIMIT


def _refusal(until: str, moment: datetime) -> TooManyAttempts:
    left = parse_ts(until) - moment
    minutes = max(1, -(-int(left.total_seconds()) // 60))
    return TooManyAttempts(
        f"too many failed attempts: locked for {minutes} more minute{'s' if minutes > 1 else ''}; "
        "wait, or ask an administrator to unlock it",
        retry_after=minutes * 60,
    )


def _count(conn: Connection, keys: list[str], moment: datetime, **detail) -> tuple[list[int], str | None]:
    """Count one failure against each key (serialised per key); lock and audit the keys now over
    their limit. Returns the failures' ids and, if a key is locked out, until when."""
    now, window_start = format_ts(moment), format_ts(moment - WINDOW)
    for key in sorted(keys):  # one order, so two attempts never wait for each other's rows
        auth_failures.serialise(conn, key)
    current = [until for until in auth_failures.locked_until(conn, keys) if until > now]
    if current:
        return [], max(current)
    events, until = [], None
    for key in keys:
        event, count = auth_failures.record(conn, key, now, window_start)
        events.append(event)
        if count > _limit(key):
            until = format_ts(moment + LOCK)
            auth_failures.lock(conn, key, count - 1, until)
            audit.record(conn, "system", "auth.lockout", key, until=until, **detail)
    return events, until


def attempt(engine: Engine, keys: list[str], **detail) -> list[int]:
    """Count a password attempt against each key before the password is checked; raise
    TooManyAttempts when a key is (or thereby becomes) locked out. Returns what to take back if
    the password is right (passed to `succeeded`)."""
    moment = datetime.now(UTC)
    with engine.begin() as conn:
        events, until = _count(conn, keys, moment, **detail)
    if until is not None:
        raise _refusal(until, moment)
    return events


def succeeded(engine: Engine, user_name: str, events: list[int]) -> None:
    """A right password: the account's failures are forgotten, and the attempt no longer counts
    against the address."""
    with engine.begin() as conn:
        auth_failures.clear(conn, account_key(user_name))
        auth_failures.forget(conn, events)


def token_failed(engine: Engine, address: str | None) -> None:
    """Count a bad token against the client address; raise TooManyAttempts when the address is
    (or thereby becomes) locked out."""
    moment = datetime.now(UTC)
    with engine.begin() as conn:
        _events, until = _count(conn, [address_key(address)], moment, via="token")
    if until is not None:
        raise _refusal(until, moment)


def locked_keys(conn: Connection, prefix: str) -> list:
    """Lock rows of the keys starting with `prefix` that are locked out now."""
    return auth_failures.locked(conn, format_ts(datetime.now(UTC)), prefix)
