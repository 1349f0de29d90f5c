"""Where each sync with a partner stands: one row per partner, direction ('pull', 'push') and
collection, with the bookmark (the last date_added applied), counts and the last error. A failure
that ends a run is kept under the collection '*' of the direction that failed.

Principal-free by design: the host's own bookkeeping of its syncs, never intelligence; who may see
which partnership's state is decided in `federation/sync.py` (`status_for`)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from liaison import clock
from liaison.db.tables import sync_state

#: The collection under which a failure that ended a run is kept.
RUN = "*"


def _key(partner_id: int, direction: str, collection_id: str):
    return (
        sync_state.c.partner_id == partner_id,
        sync_state.c.direction == direction,
        sync_state.c.collection_id == collection_id,
    )


def bookmark(conn: Connection, partner_id: int, direction: str, collection_id: str) -> str | None:
    """The last date_added applied in this direction and collection, if any."""
    return conn.execute(select(sync_state.c.bookmark).where(*_key(partner_id, direction, collection_id))).scalar()


def save(
    conn: Connection,
    partner_id: int,
    direction: str,
    collection_id: str,
    *,
    bookmark: str | None,
    objects: int = 0,
    rejected: int = 0,
    error: str | None = None,
) -> None:
    """Note a run of one direction and collection: counts add up; the bookmark moves when given."""
    row = conn.execute(
        select(sync_state.c.objects, sync_state.c.rejected).where(*_key(partner_id, direction, collection_id))
    ).first()
    values = {"last_run_at": clock.now(), "last_error": error}
    if bookmark:
        values["bookmark"] = bookmark
    if row is None:
        conn.execute(
            sync_state.insert().values(
                partner_id=partner_id,
                direction=direction,
                collection_id=collection_id,
                objects=objects,
                rejected=rejected,
                **values,
            )
        )
    else:
        conn.execute(
            sync_state.update()
            .where(*_key(partner_id, direction, collection_id))
            .values(objects=row.objects + objects, rejected=row.rejected + rejected, **values)
        )


def streams(conn: Connection, partner_id: int) -> list:
    """Every row of one partner (direction, collection_id, bookmark, objects, rejected, last_run_at,
    last_error)."""
    return conn.execute(select(sync_state).where(sync_state.c.partner_id == partner_id)).all()


def clear_run_failures(conn: Connection, partner_id: int) -> None:
    """Forget the failures of earlier runs (a whole run went through)."""
    conn.execute(sync_state.delete().where(sync_state.c.partner_id == partner_id, sync_state.c.collection_id == RUN))
