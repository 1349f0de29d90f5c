"""An organisation sharing what it holds with more audiences, or withdrawing it from one.

Both act on the organisation's own chain of an object: its current version (its newest live
holding's version), or with `all_versions` every version it holds, superseded contents included
(an earlier version may hold what a sanitised later one left out). Withdrawing takes along the
organisation's own notes, opinions and sightings on the object in that audience.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, delete, exists, func, select, update

from liaison import clock
from liaison.db.bulk import insert_rows, upsert
from liaison.db.tables import audience, edge, holding, object_version, organization, partner_delivery, sharing_group
from liaison.store import events, exposure
from liaison.store.stamps import date_added_stamps
from liaison.store.tenancy import audience_label

V = object_version
#: The annotation types whose withdrawal follows their object's, and the refs that tie them to it.
ANNOTATIONS = ("note", "opinion", "sighting")
_ANNOTATION_REFS = ("object_refs", "sighting_of_ref")


def chain_versions(conn: Connection, org_id: int, stix_id: str, *, all_versions: bool):
    """The organisation's holdings of `stix_id` to act on: rows of (pk, modified, tlp, audience_id,
    live), for its current version only unless `all_versions`; empty when it holds none."""
    rows = conn.execute(
        select(V.c.pk, V.c.modified, V.c.tlp, holding.c.audience_id, holding.c.superseded_at.is_(None).label("live"))
        .join(holding, holding.c.version_pk == V.c.pk)
        .where(V.c.stix_id == stix_id, holding.c.org_id == org_id)
    ).all()
    if all_versions or not rows:
        return rows
    newest = max((row.modified for row in rows if row.live), default=None)
    return [row for row in rows if row.modified == newest]


def add_audience(conn: Connection, org_id: int, user_id: int | None, version_pks: list[int], audience_id: int) -> int:
    """Hold these contents for `audience_id` too (newly stamped); returns how many were added."""
    held = set(
        conn.execute(
            select(holding.c.version_pk).where(
                holding.c.org_id == org_id, holding.c.audience_id == audience_id, holding.c.version_pk.in_(version_pks)
            )
        ).scalars()
    )
    new = sorted(set(version_pks) - held)
    stamps = date_added_stamps(conn, len(new))
    insert_rows(
        conn,
        holding,
        ("version_pk", "org_id", "audience_id", "added_at", "added_by"),
        [(pk, org_id, audience_id, stamp, user_id) for pk, stamp in zip(new, stamps, strict=True)],
    )
    exposure.expose(conn, new)
    events.record(conn, (("shared", pk, audience_id) for pk in new), org_id)
    return len(new)


def live_audiences(conn: Connection, org_id: int, version_pk: int) -> list[int]:
    """The audiences organisation `org_id` holds a content for, live (whoever may read them now)."""
    return list(
        conn.execute(
            select(holding.c.audience_id)
            .where(holding.c.org_id == org_id, holding.c.version_pk == version_pk, holding.c.superseded_at.is_(None))
            .order_by(holding.c.audience_id)
        ).scalars()
    )


def remove_audience(
    conn: Connection, org_id: int, version_pks: list[int], audience_id: int, fallback_audience_id: int
) -> int:
    """Withdraw these contents from `audience_id`; one the organisation would then hold for no one
    stays held for `fallback_audience_id` (its own), newly stamped, live or superseded as it was.
    Returns how many holdings left the audience."""
    if not version_pks:
        return 0
    elsewhere = set(
        conn.execute(
            select(holding.c.version_pk).where(
                holding.c.org_id == org_id, holding.c.version_pk.in_(version_pks), holding.c.audience_id != audience_id
            )
        ).scalars()
    )
    lonely = sorted(set(version_pks) - elsewhere)
    mine = and_(holding.c.org_id == org_id, holding.c.audience_id == audience_id)
    for pk, stamp in zip(lonely, date_added_stamps(conn, len(lonely)), strict=True):
        conn.execute(
            update(holding)
            .where(mine, holding.c.version_pk == pk)
            .values(audience_id=fallback_audience_id, added_at=stamp)
        )
    # Held for the organisation now: its members are told (a superseded content tells no one).
    events.record(conn, (("shared", pk, fallback_audience_id) for pk in lonely), org_id)
    removed = conn.execute(delete(holding).where(mine, holding.c.version_pk.in_(sorted(elsewhere)))).rowcount
    exposure.refresh(conn, version_pks)
    return len(lonely) + removed


def own_annotations(conn: Connection, org_id: int, stix_id: str, audience_id: int) -> list[int]:
    """Contents of notes, opinions and sightings about `stix_id` that the organisation holds for
    `audience_id`."""
    return list(
        conn.execute(
            select(V.c.pk)
            .distinct()
            .join(
                holding,
                and_(holding.c.version_pk == V.c.pk, holding.c.org_id == org_id, holding.c.audience_id == audience_id),
            )
            .where(
                V.c.type.in_(ANNOTATIONS),
                exists(
                    select(1).where(
                        edge.c.version_pk == V.c.pk, edge.c.target_id == stix_id, edge.c.prop.in_(_ANNOTATION_REFS)
                    )
                ),
            )
        ).scalars()
    )


def first_shared(conn: Connection, org_id: int, stix_id: str, audience_ids: list[int]) -> dict[int, str]:
    """{audience id: when the organisation first shared a live version of `stix_id` with it}."""
    return dict(
        conn.execute(
            select(holding.c.audience_id, func.min(holding.c.added_at))
            .join(V, V.c.pk == holding.c.version_pk)
            .where(V.c.stix_id == stix_id, holding.c.org_id == org_id, holding.c.audience_id.in_(audience_ids))
            .group_by(holding.c.audience_id)
        ).all()
    )


def record_deliveries(
    conn: Connection, partner_org_id: int, audience_id: int, delivered: list[tuple[str, int]]
) -> None:
    """Note that the partner instance (its organisation here) received these (stix_id, holder
    organisation id) through `audience_id`."""
    if not delivered:
        return
    now = clock.now()
    rows = [
        {
            "partner_org_id": partner_org_id,
            "stix_id": stix_id,
            "org_id": org_id,
            "audience_id": audience_id,
            "first_at": now,
            "last_at": now,
        }
        for stix_id, org_id in dict.fromkeys(delivered)
    ]
    statement = upsert(conn, partner_delivery)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["partner_org_id", "stix_id", "org_id", "audience_id"],
            set_={"last_at": statement.excluded.last_at},
        ),
        rows,
    )


def partners_reached(conn: Connection, org_id: int, stix_id: str) -> list[tuple[str, str, str]]:
    """(partner, audience label, last received at) for each partner instance that received the
    organisation's versions of `stix_id`."""
    partner_org, audience_org = organization.alias("partner_org"), organization.alias("audience_org")
    rows = conn.execute(
        select(
            partner_org.c.name, audience.c.kind, audience_org.c.name, sharing_group.c.name, partner_delivery.c.last_at
        )
        .join(partner_org, partner_org.c.id == partner_delivery.c.partner_org_id)
        .join(audience, audience.c.id == partner_delivery.c.audience_id)
        .outerjoin(audience_org, audience_org.c.id == audience.c.org_id)
        .outerjoin(sharing_group, sharing_group.c.id == audience.c.group_id)
        .where(partner_delivery.c.stix_id == stix_id, partner_delivery.c.org_id == org_id)
        .order_by(partner_org.c.name, sharing_group.c.name)
    ).all()
    return [(name, audience_label(kind, org, group), at) for name, kind, org, group, at in rows]
