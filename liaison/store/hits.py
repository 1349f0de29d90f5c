"""Hit queries (each user's history, and what the rate limit counts), the opaque references of hits,
and the requests for information that follow them."""

from __future__ import annotations

import secrets

from sqlalchemy import Connection, func, insert, or_, select, text, update

from liaison.db.tables import hit_query, hit_ref, info_request, partner
from liaison.store.stamps import take_write_lock

Q, F, RQ = hit_query, hit_ref, info_request


#: Advisory lock namespace of an organisation's hit budget ("HITS").
_BUDGET_LOCK = 0x48495453


def lock_budget(conn: Connection, org_id: int) -> None:
    """Serialise an organisation's hit queries until the transaction ends, so that two at once
    cannot both pass the budget (on SQLite, the single writer lock does)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :org)"), {"ns": _BUDGET_LOCK, "org": org_id})
    else:
        take_write_lock(conn)


def asked_since(conn: Connection, org_id: int, since: str) -> tuple[int, str | None]:
    """How many values the organisation asked about since `since`, and when it first did."""
    used, first = conn.execute(
        select(func.coalesce(func.sum(Q.c.size), 0), func.min(Q.c.at)).where(Q.c.org_id == org_id, Q.c.at >= since)
    ).one()
    return used, first


def add_query(conn: Connection, org_id: int, user_id: int | None, at: str, size: int) -> int:
    return conn.execute(
        insert(Q).values(org_id=org_id, user_id=user_id, at=at, size=size, answer="{}").returning(Q.c.id)
    ).scalar_one()


def set_answer(conn: Connection, query_id: int, answer: str) -> None:
    conn.execute(update(Q).where(Q.c.id == query_id).values(answer=answer))


def history(conn: Connection, user_id: int, limit: int) -> list:
    """The user's own queries, newest first."""
    return conn.execute(
        select(Q.c.id, Q.c.at, Q.c.size, Q.c.answer).where(Q.c.user_id == user_id).order_by(Q.c.id.desc()).limit(limit)
    ).all()


def fresh_reference() -> str:
    """A new hit reference: random, so that two hits' references say nothing of each other, and
    prefixed, so that none starts with '-' (a command line would read it as an option)."""
    return "hit_" + secrets.token_urlsafe(24)


def add_refs(conn: Connection, query_id: int, at: str, refs: list[dict]) -> list[str]:
    """A fresh reference for each hit (holder_org_id, partner_id, holder_name, kind, key, value)."""
    tokens = [fresh_reference() for _ in refs]
    if refs:
        conn.execute(
            insert(F),
            [{**ref, "token": t, "query_id": query_id, "created_at": at} for ref, t in zip(refs, tokens, strict=True)],
        )
    return tokens


def ref_of_org(conn: Connection, token: str, org_id: int):
    """The reference `token` if a query of organisation `org_id` received it, else None."""
    return conn.execute(
        select(F).join(Q, Q.c.id == F.c.query_id).where(F.c.token == token, Q.c.org_id == org_id)
    ).first()


def add_request(conn: Connection, **values) -> None:
    conn.execute(insert(RQ).values(**values))


#: A request with the name of the partner instance on the other side (None for a local one).
_REQUESTS = select(RQ, partner.c.name.label("partner_name")).outerjoin(partner, partner.c.id == RQ.c.partner_id)


def request_row(conn: Connection, request_id: str):
    return conn.execute(_REQUESTS.where(RQ.c.id == request_id)).first()


def requests_of(conn: Connection, org_id: int, box: str) -> list:
    """The organisation's requests: those it received ('inbox') or sent ('sent'), newest first."""
    column = RQ.c.holder_org_id if box == "inbox" else RQ.c.requester_org_id
    query = _REQUESTS.where(column == org_id)
    if box == "sent":  # a partner's request is held by the partner's organisation, not sent by a local one
        query = query.where(or_(RQ.c.holder_org_id.is_(None), RQ.c.partner_id.is_(None)))
    return conn.execute(query.order_by(RQ.c.created_at.desc())).all()


def decide(conn: Connection, request_id: str, **values) -> bool:
    """Record a decision on an open request; False when it was decided already."""
    done = conn.execute(update(RQ).where(RQ.c.id == request_id, RQ.c.status == "open").values(**values))
    return done.rowcount == 1


def undelivered(conn: Connection, partner_id: int) -> tuple[list, list]:
    """What has yet to reach partner instance `partner_id`: our requests to it, and our decisions
    on its requests."""
    theirs = RQ.c.partner_id == partner_id
    requests = conn.execute(
        select(RQ).where(theirs, RQ.c.holder_org_id.is_(None), RQ.c.delivered_at.is_(None)).order_by(RQ.c.created_at)
    ).all()
    decisions = conn.execute(
        select(RQ)
        .where(theirs, RQ.c.holder_org_id.is_not(None), RQ.c.status != "open", RQ.c.delivered_at.is_(None))
        .order_by(RQ.c.decided_at)
    ).all()
    return requests, decisions


def delivered(conn: Connection, request_id: str, at: str, remote_id: str | None = None) -> None:
    values = {"delivered_at": at} if remote_id is None else {"delivered_at": at, "remote_id": remote_id}
    conn.execute(update(RQ).where(RQ.c.id == request_id).values(**values))
