"""Web UI sessions, stored by the digest of their cookie token."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from liaison.db.tables import user, web_session


def create(conn: Connection, digest: str, user_id: int, csrf_token: str, created_at: str, expires_at: str) -> None:
    conn.execute(
        insert(web_session).values(
            token_hash=digest, user_id=user_id, csrf_token=csrf_token, created_at=created_at, expires_at=expires_at
        )
    )


def live(conn: Connection, digest: str, now: str):
    """(user_id, csrf_token) of the unexpired session with `digest` of an enabled user, or None."""
    return conn.execute(
        select(web_session.c.user_id, web_session.c.csrf_token)
        .join(user, user.c.id == web_session.c.user_id)
        .where(web_session.c.token_hash == digest, web_session.c.expires_at > now, user.c.disabled.is_(False))
    ).first()


def end(conn: Connection, digest: str) -> None:
    conn.execute(delete(web_session).where(web_session.c.token_hash == digest))


def end_for_user(conn: Connection, user_id: int) -> int:
    """End every session of a user; return how many."""
    return conn.execute(delete(web_session).where(web_session.c.user_id == user_id)).rowcount


def purge_expired(conn: Connection, now: str) -> int:
    return conn.execute(delete(web_session).where(web_session.c.expires_at <= now)).rowcount
