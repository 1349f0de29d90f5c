"""Draft reports: rows of the draft_report table, read only through the own-draft predicate."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select, update

from liaison import clock
from liaison.access.predicate import own_draft
from liaison.access.principal import Principal
from liaison.db.tables import draft_report, user

D = draft_report
_SUMMARY = (
    D.c.id,
    D.c.title,
    D.c.status,
    D.c.source,
    D.c.published,
    D.c.created_at,
    D.c.updated_at,
    D.c.report_id,
    user.c.name.label("created_by"),
)


def insert_draft(
    conn: Connection,
    principal: Principal,
    *,
    draft_id: str,
    title: str,
    source: str | None,
    published: str | None,
    text: str,
    review: str,
) -> str:
    """Insert a draft of `principal`'s organisation; returns its creation stamp."""
    stamp = clock.now()
    conn.execute(
        insert(D).values(
            id=draft_id,
            org_id=principal.org_id,
            created_by=principal.user_id,
            created_at=stamp,
            updated_at=stamp,
            status="draft",
            title=title,
            source=source,
            published=published,
            text=text,
            review=review,
        )
    )
    return stamp


def get_draft(conn: Connection, principal: Principal, draft_id: str, *, for_update: bool = False):
    """The draft with all its columns and its author's name, if `principal` may read it."""
    query = (
        select(*D.c, user.c.name.label("author"))
        .join(user, user.c.id == D.c.created_by)
        .where(D.c.id == draft_id, own_draft(principal))
    )
    if for_update:
        query = query.with_for_update(of=D)
    return conn.execute(query).first()


def list_drafts(conn: Connection, principal: Principal, *, status: str | None, limit: int, offset: int):
    """(total, rows) of the organisation's drafts, most recently changed first."""
    where = [own_draft(principal)] + ([D.c.status == status] if status else [])
    total = conn.execute(select(func.count()).select_from(D).where(*where)).scalar_one()
    rows = conn.execute(
        select(*_SUMMARY)
        .join(user, user.c.id == D.c.created_by)
        .where(*where)
        .order_by(D.c.updated_at.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return total, rows


def update_draft(conn: Connection, principal: Principal, draft_id: str, **values) -> None:
    conn.execute(update(D).where(D.c.id == draft_id, own_draft(principal)).values(updated_at=clock.now(), **values))
