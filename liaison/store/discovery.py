"""Discoverability rules and the hit/no-hit reads over them. Which holdings answer an asker is the
access layer's rule (access.discovery.discoverable); every read here applies it. A holding's values
are those of its organisation's current version of the object, so a value a later version dropped
no longer answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, delete, insert, select, true

from liaison import clock
from liaison.access.discovery import DEFAULT, Asker, discoverable
from liaison.db.tables import (
    discovery_rule,
    group_member,
    holding,
    object_version,
    organization,
    posting,
    sharing_group,
)
from liaison.store.postings import Lookup

V, P, H, R = object_version, posting, holding, discovery_rule


@dataclass(frozen=True, slots=True)
class Rule:
    scope: str
    group: str | None = None

    @property
    def spec(self) -> str:
        return f"group:{self.group}" if self.scope == "group" else self.scope


def asker(conn: Connection, org_id: int) -> Asker:
    row = conn.execute(select(organization.c.partner_id).where(organization.c.id == org_id)).one()
    groups = conn.execute(select(group_member.c.group_id).where(group_member.c.org_id == org_id)).scalars()
    return Asker(org_id, row.partner_id is not None, frozenset(groups))


def rules(conn: Connection, org_id: int, stix_id: str) -> list[Rule]:
    """The organisation's own rules for `stix_id` ('*': its defaults), by scope."""
    rows = conn.execute(
        select(R.c.scope, sharing_group.c.name)
        .outerjoin(sharing_group, sharing_group.c.id == R.c.group_id)
        .where(R.c.org_id == org_id, R.c.stix_id == stix_id)
        .order_by(R.c.scope, sharing_group.c.name)
    ).all()
    return [Rule(scope, group) for scope, group in rows]


def set_rules(conn: Connection, org_id: int, stix_ids: Iterable[str], scopes: list[tuple[str, int | None]]) -> None:
    """Replace the organisation's rules for each of `stix_ids` by `scopes` ((scope, group id)
    pairs); an empty list removes them (an object then follows the default)."""
    ids = sorted(set(stix_ids))
    now = clock.now()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        conn.execute(delete(R).where(R.c.org_id == org_id, R.c.stix_id.in_(chunk)))
        rows = [
            {"org_id": org_id, "stix_id": s, "scope": scope, "group_id": group, "set_at": now}
            for s in chunk
            for scope, group in scopes
        ]
        if rows:
            conn.execute(insert(R), rows)


def defaults(conn: Connection, org_id: int) -> list[Rule]:
    """The organisation's default rules: for objects with none of their own."""
    return rules(conn, org_id, DEFAULT)


def set_defaults(conn: Connection, org_id: int, scopes: list[tuple[str, int | None]]) -> None:
    set_rules(conn, org_id, [DEFAULT], scopes)


def _holders(conn: Connection, asker: Asker, source, condition: ColumnElement[bool], *columns):
    """Distinct `columns` of the local organisations' holdings (joined from `source`) that
    answer `asker` and meet `condition`."""
    return conn.execute(
        select(*columns)
        .select_from(source.join(H, H.c.version_pk == V.c.pk).join(organization, organization.c.id == H.c.org_id))
        .where(condition, organization.c.partner_id.is_(None), discoverable(asker, H, V))
        .distinct()
    ).all()


_CARRIERS = P.join(V, V.c.pk == P.c.version_pk)


def holders(conn: Connection, asker: Asker, lookups: list[Lookup]) -> list[list[tuple[int, str]]]:
    """For each of `lookups` (exact keys), (organisation id, name) of every organisation holding a
    version that carries one of its postings and that it made discoverable by `asker`; one entry
    per organisation, however many objects it holds, so that an answer says whether, never how
    much. One query for all of them (a key list per kind): what matched is sorted out here."""
    if not lookups:
        return []
    everything = Lookup(tuple(k for lookup in lookups for k in lookup.exact))
    rows = _holders(
        conn, asker, _CARRIERS, everything.condition(), P.c.kind, P.c.key, organization.c.id, organization.c.name
    )
    by_key: dict[tuple[str, str], set[tuple[int, str]]] = {}
    for kind, key, org_id, name in rows:
        by_key.setdefault((kind, key), set()).add((org_id, name))
    return [
        sorted(set().union(*(by_key.get(k, set()) for k in lookup.exact)), key=lambda o: o[1]) for lookup in lookups
    ]


def entity_holders(conn: Connection, asker: Asker, stix_ids: Iterable[str]) -> list[tuple[int, str]]:
    """holders, for organisations holding one of `stix_ids` itself (an entity asked about)."""
    rows = _holders(conn, asker, V, V.c.stix_id.in_(sorted(set(stix_ids))), organization.c.id, organization.c.name)
    return sorted(((row.id, row.name) for row in rows), key=lambda o: o[1])


def discoverable_keys(conn: Connection, asker: Asker, entity_types: Iterable[str] = ()) -> dict[str, set[str]]:
    """{holding organisation's name: its discoverable postings as 'kind key' strings, and the ids
    of its discoverable objects of `entity_types` as 'entity ID'}: what a partner's private set
    intersection runs against."""
    found: dict[str, set[str]] = {}
    for name, kind, key in _holders(conn, asker, _CARRIERS, true(), organization.c.name, P.c.kind, P.c.key):
        found.setdefault(name, set()).add(f"{kind} {key}")
    types = sorted(set(entity_types))
    if types:
        for name, stix_id in _holders(conn, asker, V, V.c.type.in_(types), organization.c.name, V.c.stix_id):
            found.setdefault(name, set()).add(f"entity {stix_id}")
    return found


def matching_versions(
    conn: Connection, holder_org_id: int, asker: Asker, *, lookup: Lookup | None = None, stix_ids: Iterable[str] = ()
) -> list[tuple[str, int, str | None]]:
    """(stix_id, version pk, TLP) of the holder's current versions that carry `lookup` (or, for an
    entity, are one of `stix_ids`) and that it made discoverable by `asker`: what approving a
    request shares."""
    source, condition = (_CARRIERS, lookup.condition()) if lookup else (V, V.c.stix_id.in_(sorted(set(stix_ids))))
    rows = _holders(conn, asker, source, and_(condition, H.c.org_id == holder_org_id), V.c.stix_id, V.c.pk, V.c.tlp)
    return sorted((row.stix_id, row.pk, row.tlp) for row in rows)


def groups_of(conn: Connection, org_id: int) -> dict[str, int]:
    """{name: id} of the sharing groups the organisation is in: those a rule of its may name."""
    rows = conn.execute(
        select(sharing_group.c.name, sharing_group.c.id)
        .join(group_member, group_member.c.group_id == sharing_group.c.id)
        .where(group_member.c.org_id == org_id)
    ).all()
    return dict(rows)


def group_ids_by_name(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    names = sorted(set(names))
    if not names:
        return {}
    rows = conn.execute(select(sharing_group.c.name, sharing_group.c.id).where(sharing_group.c.name.in_(names))).all()
    return dict(rows)
