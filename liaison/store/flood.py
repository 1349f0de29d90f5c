"""Correlation flood control: the admins' exclusions (`correlation_exclusion`) and the warning lists
switched off (`warninglist_switch`). A row with no organisation is the instance's, set by an
operator; a row with one is that organisation's own. These reads take no principal: they are
settings, not intelligence, and which rows a caller is shown or may change is decided in
liaison.intel.flood (an organisation's own rows and the instance's, never another's)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, String, and_, cast, delete, insert, or_, select

from liaison import clock
from liaison.db.tables import correlation_exclusion, organization, warninglist_switch

X, W = correlation_exclusion, warninglist_switch


@dataclass(frozen=True, slots=True)
class ExclusionRow:
    """One exclusion: `what` is 'value' (`kind` and the normalised `key`), 'type' (`key` a STIX type
    or a value kind) or 'org' (`key` an organisation's id, named `org_name`)."""

    id: int
    org_id: int | None
    what: str
    kind: str | None
    key: str
    created_at: str
    created_by: str
    org_name: str | None


def _scope(column, org_id: int | None) -> ColumnElement[bool]:
    """Rows of exactly one scope: the instance's (None) or one organisation's."""
    return column.is_(None) if org_id is None else column == org_id


def _applying(column, org_id: int | None) -> ColumnElement[bool]:
    """Rows that apply to an organisation: the instance's and its own (the instance's alone for None)."""
    return column.is_(None) if org_id is None else or_(column.is_(None), column == org_id)


def _named_exclusions():
    named = organization.alias("excluded_org")
    return select(*X.c, named.c.name).select_from(
        X.outerjoin(named, and_(X.c.what == "org", cast(named.c.id, String) == X.c.key))
    )


#: Built once: every correlation read asks for its organisation's exclusions, and building the
#: aliased join cost more than running it.
_EXCLUSIONS = _named_exclusions()


def exclusions(conn: Connection, org_id: int | None) -> list[ExclusionRow]:
    """The exclusions that apply to organisation `org_id` (the instance's and its own), or the
    instance's alone for None; oldest first."""
    rows = conn.execute(_EXCLUSIONS.where(_applying(X.c.org_id, org_id)).order_by(X.c.id))
    return [ExclusionRow(*row) for row in rows]


def exclusion(conn: Connection, exclusion_id: int) -> ExclusionRow | None:
    row = conn.execute(_EXCLUSIONS.where(X.c.id == exclusion_id)).first()
    return ExclusionRow(*row) if row else None


def find_exclusion(conn: Connection, org_id: int | None, what: str, kind: str | None, key: str) -> int | None:
    """The id of the same exclusion in the same scope, if there is one."""
    same_kind = X.c.kind.is_(None) if kind is None else X.c.kind == kind
    return conn.execute(
        select(X.c.id).where(_scope(X.c.org_id, org_id), X.c.what == what, same_kind, X.c.key == key).limit(1)
    ).scalar()


def add_exclusion(conn: Connection, org_id: int | None, what: str, kind: str | None, key: str, by: str) -> int:
    return conn.execute(
        insert(X)
        .values(org_id=org_id, what=what, kind=kind, key=key, created_at=clock.now(), created_by=by)
        .returning(X.c.id)
    ).scalar_one()


def remove_exclusion(conn: Connection, exclusion_id: int) -> None:
    conn.execute(delete(X).where(X.c.id == exclusion_id))


def switched_off(conn: Connection, org_id: int | None) -> list[tuple[int | None, str]]:
    """(org_id, list name) of the warning lists switched off for organisation `org_id` (for the
    instance, and by itself), or for the instance alone for None."""
    rows = conn.execute(select(W.c.org_id, W.c.name).where(_applying(W.c.org_id, org_id)).order_by(W.c.id))
    return [(row.org_id, row.name) for row in rows]


def switch_off(conn: Connection, org_id: int | None, name: str, by: str) -> bool:
    """Switch list `name` off in one scope; False when it already was."""
    if conn.execute(select(W.c.id).where(_scope(W.c.org_id, org_id), W.c.name == name).limit(1)).first():
        return False
    conn.execute(insert(W).values(org_id=org_id, name=name, changed_at=clock.now(), changed_by=by))
    return True


def switch_on(conn: Connection, org_id: int | None, name: str) -> bool:
    """Switch list `name` back on in one scope; False when it was not off there."""
    return conn.execute(delete(W).where(_scope(W.c.org_id, org_id), W.c.name == name)).rowcount > 0
