"""Postings by audience (posting_exposure), kept in step with the postings and the live holdings by
every write of either: ingest after its holdings, sharing after it adds or withdraws an audience.
A version's rows are the product of its postings and the audiences of its live holdings, so a
read keyed by the reader's audiences walks only what the reader may see."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, delete, select

from liaison.db.bulk import upsert
from liaison.db.tables import holding, posting, posting_exposure
from liaison.store.chunks import chunks

E = posting_exposure


def expose(conn: Connection, version_pks: Iterable[int]) -> None:
    """Add the rows of these versions' live holdings that are not there yet (after holdings were
    added: new versions, or an audience added to what an organisation holds)."""
    for part in chunks(sorted(set(version_pks))):
        rows = (
            select(posting.c.kind, holding.c.audience_id, posting.c.key, posting.c.version_pk)
            .distinct()
            .join(holding, holding.c.version_pk == posting.c.version_pk)
            .where(posting.c.version_pk.in_(part), holding.c.superseded_at.is_(None))
        )
        insert = upsert(conn, E).from_select(["kind", "audience_id", "key", "version_pk"], rows)
        conn.execute(insert.on_conflict_do_nothing())


def refresh(conn: Connection, version_pks: Iterable[int]) -> None:
    """Make these versions' rows those of their live holdings now (after holdings were withdrawn
    from an audience or superseded by a correction; another organisation's holding may keep a
    version exposed to the same audience)."""
    pks = sorted(set(version_pks))
    for part in chunks(pks):
        conn.execute(delete(E).where(E.c.version_pk.in_(part)))
    expose(conn, pks)
