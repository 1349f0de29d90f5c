"""Throttling of failed authentication: lock-outs per account and per client address.

Passwords are guessable, so five wrong ones for an account name within five minutes lock that
name for five minutes (MISP's default), whether or not the account exists, so a lock-out says
nothing about who has an account. Tokens carry 256 random bits and cannot be guessed; locking an
account for bad tokens would only let anyone lock a partner's sync account out by naming it, so
token failures count against the client address alone, as password failures also do (twenty
within five minutes lock the address). Every record is written in its own transaction, so it
stands whatever becomes of the request; each lock-out is audited; admins unlock their
organisation's accounts, operators addresses.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine

from liaison import audit, clock
from liaison.errors import TooManyAttempts
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


def _minutes_left(until: str, now: datetime) -> int:
    left = datetime.strptime(until, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc) - now
    return max(1, -(-int(left.total_seconds()) // 60))


def check(engine: Engine, keys: list[str]) -> None:
    """Raise TooManyAttempts when any of `keys` is locked out now."""
    moment = datetime.now(timezone.utc)
    now = clock.format_ts(moment)
    with engine.connect() as conn:
        locks = [row.locked_until for row in auth_failures.get(conn, keys) if row.locked_until and row.locked_until > now]
    if locks:
        minutes = _minutes_left(max(locks), moment)
        raise TooManyAttempts(f"too many failed attempts: locked for {minutes} more minute{'s' if minutes > 1 else ''}; "
                              "wait, or ask an administrator to unlock it", retry_after=minutes * 60)


def failed(engine: Engine, keys: list[str], **detail) -> None:
    """Count a failure against each key, in its own transaction; lock (and audit) those at their limit."""
    moment = datetime.now(timezone.utc)
    now, window_start = clock.format_ts(moment), clock.format_ts(moment - WINDOW)
    with engine.begin() as conn:
        for key in keys:
            if auth_failures.count(conn, key, now, window_start) == _limit(key):
                until = clock.format_ts(moment + LOCK)
                auth_failures.lock(conn, key, until)
                audit.record(conn, "system", "auth.lockout", key, until=until, **detail)


def succeeded(engine: Engine, user_name: str) -> None:
    """A right password clears the account's failures (the address's run on until their window ends)."""
    with engine.begin() as conn:
        auth_failures.clear(conn, account_key(user_name))


def locked_keys(engine: Engine, prefix: str) -> list:
    """Keys starting with `prefix` that are locked out now."""
    with engine.connect() as conn:
        return auth_failures.locked(conn, clock.format_ts(datetime.now(timezone.utc)), prefix)
