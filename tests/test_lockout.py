"""Lock-outs under pressure: parallel guesses and a sliding window (after the security review)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from liaison import accounts, lockout
from liaison.access.credentials import hash_password
from liaison.db.tables import user
from liaison.errors import TooManyAttempts, Unauthorized
from liaison.store import auth_failures


def test_parallel_guesses_get_no_more_tries_than_the_account_limit(tenants):
    """Attempts are counted under a per-key lock before the password is checked, so guesses sent
    together cannot all pass a check made before the earlier ones were counted."""
    engine = tenants.engine
    with engine.begin() as conn:
        conn.execute(update(user).where(user.c.name == "adam").values(password_hash=hash_password("right-password-1")))
    accounts._unknown_user_hash()  # warm the cache, so every thread does the same work
    verified, refused, barrier = [], [], threading.Barrier(12)

    def guess(i: int):
        barrier.wait()
        try:
            accounts.start_session(engine, "adam", f"wrong-{i}", address=f"10.0.0.{i}")
        except Unauthorized:
            verified.append(i)
        except TooManyAttempts:
            refused.append(i)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(verified) == lockout.ACCOUNT_LIMIT and len(refused) == 12 - lockout.ACCOUNT_LIMIT
    with pytest.raises(TooManyAttempts):
        accounts.start_session(engine, "adam", "right-password-1", address="10.0.0.99")
    with engine.connect() as conn:
        assert [row.key for row in lockout.locked_keys(conn, "user:")] == ["user:adam"]


def test_more_than_five_failures_within_any_five_minutes_lock(tenants, monkeypatch):
    """The window slides: a failure at 0:00, three at 4:59 and three at 5:01 are six within two
    minutes, and the sixth is refused."""
    start = datetime(2030, 1, 1, tzinfo=UTC)
    moment = [start]

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment[0]

    monkeypatch.setattr(lockout, "datetime", Clock)
    keys = [lockout.account_key("adam")]
    outcomes = []
    for offset, attempts in (
        (timedelta(0), 1),
        (timedelta(minutes=4, seconds=59), 3),
        (timedelta(minutes=5, seconds=1), 3),
    ):
        moment[0] = start + offset
        for _ in range(attempts):
            try:
                lockout.attempt(tenants.engine, keys)
                outcomes.append("checked")
            except TooManyAttempts:
                outcomes.append("refused")
    assert outcomes == ["checked"] * 6 + ["refused"]
    # Five minutes after the lock began, the name may try again; the old failures have slid out.
    moment[0] = start + timedelta(minutes=10, seconds=2)
    lockout.attempt(tenants.engine, keys)
    with tenants.engine.connect() as conn:
        assert auth_failures.failures(conn, keys) == {keys[0]: 1}
