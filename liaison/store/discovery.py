"""Discoverability: who may learn, by a hit/no-hit query, that an organisation holds an object.

A holding answers a hit query only when its organisation made the object discoverable by the asker:
by a rule of its own for the object, else by the organisation's default ('*'); no rule means no.
TLP is applied on top: TLP:RED only to named groups, TLP:AMBER+STRICT never. A holding's values are
those of the organisation's current version of the object (the newest it holds live), so a value
a later version dropped no longer answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, delete, exists, false, insert, or_, select

from liaison import clock
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
#: The stix_id of an organisation's default rules.
DEFAULT = "*"
SCOPES = ("none", "instance", "partners", "group")


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks a hit query: a local organisation, or the organisation that stands for a partner
    instance; `group_ids` are its sharing groups (a named group is the only way to TLP:RED)."""

    org_id: int
    is_partner: bool
    group_ids: frozenset[int]


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


def _scope_allows(asker: Asker, r, tlp: ColumnElement) -> ColumnElement[bool]:
    """Rule row `r` lets `asker` discover a version of TLP `tlp`."""
    wide = r.c.scope == ("partners" if asker.is_partner else "instance")
    named = (
        and_(
            r.c.scope == "group",
            r.c.group_id.in_(sorted(asker.group_ids)),
            # A rule for a group the holder has left no longer answers anyone in it.
            exists(select(1).where(group_member.c.group_id == r.c.group_id, group_member.c.org_id == r.c.org_id)),
        )
        if asker.group_ids
        else false()
    )
    by_tlp = or_(tlp.is_(None), tlp.not_in(("red", "amber+strict")), and_(tlp == "red", r.c.scope == "group"))
    return and_(or_(wide, named), by_tlp, r.c.org_id != asker.org_id)


#: Made once: an alias's column collection costs about a millisecond to build.
_OWN_R, _DEFAULT_R, _NEWER_H, _NEWER_V = R.alias("own_r"), R.alias("default_r"), H.alias("newer_h"), V.alias("newer_v")


def _discoverable(asker: Asker, h, v) -> ColumnElement[bool]:
    """The holding `h` of version `v` answers `asker`: live, its organisation's current version of
    the object (not a revocation), and discoverable by `asker` under the organisation's rules."""
    own_r, default_r, h2, v2 = _OWN_R, _DEFAULT_R, _NEWER_H, _NEWER_V
    own = select(1).where(own_r.c.org_id == h.c.org_id, own_r.c.stix_id == v.c.stix_id)
    newer = (
        select(1)
        .select_from(h2.join(v2, v2.c.pk == h2.c.version_pk))
        .where(
            h2.c.org_id == h.c.org_id,
            h2.c.superseded_at.is_(None),
            v2.c.stix_id == v.c.stix_id,
            v2.c.modified > v.c.modified,
        )
    )
    return and_(
        h.c.superseded_at.is_(None),
        v.c.revoked.is_(False),
        h.c.org_id != asker.org_id,
        v.c.tlp.is_distinct_from("amber+strict"),
        or_(
            exists(own.where(_scope_allows(asker, own_r, v.c.tlp))),
            and_(
                ~exists(own),
                exists(
                    select(1).where(
                        default_r.c.org_id == h.c.org_id,
                        default_r.c.stix_id == DEFAULT,
                        _scope_allows(asker, default_r, v.c.tlp),
                    )
                ),
            ),
        ),
        ~exists(newer),
    )


def holders(conn: Connection, asker: Asker, lookups: list[Lookup]) -> list[list[tuple[int, str]]]:
    """For each of `lookups`, (organisation id, name) of every organisation holding a version that
    carries one of its postings and that it made discoverable by `asker`; one entry per
    organisation, however many objects it holds, so that an answer says whether, never how much.
    One query for all of them: what matched is sorted out here."""
    if not lookups:
        return []
    rows = conn.execute(
        select(P.c.kind, P.c.key, organization.c.id, organization.c.name)
        .select_from(P.join(V, V.c.pk == P.c.version_pk).join(H, H.c.version_pk == V.c.pk))
        .join(organization, organization.c.id == H.c.org_id)
        .where(
            # One condition for all: a key list per kind (compiled once whatever the values).
            Lookup(
                tuple(k for lookup in lookups for k in lookup.exact),
                tuple(r for lookup in lookups for r in lookup.ranges),
            ).condition(),
            organization.c.partner_id.is_(None),
            _discoverable(asker, H, V),
        )
        .distinct()
    ).all()
    by_key: dict[tuple[str, str], set[tuple[int, str]]] = {}
    for kind, key, org_id, name in rows:
        by_key.setdefault((kind, key), set()).add((org_id, name))
    found = []
    for lookup in lookups:
        orgs = set().union(*(by_key.get(k, set()) for k in lookup.exact))
        for kind, low, high in lookup.ranges:
            orgs |= {o for (k, key), held in by_key.items() if k == kind and low <= key <= high for o in held}
        found.append(sorted(orgs, key=lambda o: o[1]))
    return found


def entity_holders(conn: Connection, asker: Asker, stix_ids: Iterable[str]) -> list[tuple[int, str]]:
    """holders, for organisations holding one of `stix_ids` itself (an entity asked about)."""
    rows = conn.execute(
        select(organization.c.id, organization.c.name)
        .select_from(V.join(H, H.c.version_pk == V.c.pk))
        .join(organization, organization.c.id == H.c.org_id)
        .where(V.c.stix_id.in_(sorted(set(stix_ids))), organization.c.partner_id.is_(None), _discoverable(asker, H, V))
        .distinct()
        .order_by(organization.c.name)
    ).all()
    return [(row.id, row.name) for row in rows]


def discoverable_keys(conn: Connection, asker: Asker) -> dict[str, set[str]]:
    """{holding organisation's name: its discoverable postings as 'kind key' strings}: what a
    partner's private set intersection runs against."""
    rows = conn.execute(
        select(organization.c.name, P.c.kind, P.c.key)
        .select_from(P.join(V, V.c.pk == P.c.version_pk).join(H, H.c.version_pk == V.c.pk))
        .join(organization, organization.c.id == H.c.org_id)
        .where(organization.c.partner_id.is_(None), _discoverable(asker, H, V))
        .distinct()
    ).all()
    found: dict[str, set[str]] = {}
    for name, kind, key in rows:
        found.setdefault(name, set()).add(f"{kind} {key}")
    return found


def matching_versions(conn: Connection, holder_org_id: int, asker: Asker, lookup: Lookup) -> list[tuple[str, int]]:
    """(stix_id, version pk) of the holder's current versions that carry `lookup` and that it made
    discoverable by `asker`: what approving a request shares."""
    rows = conn.execute(
        select(V.c.stix_id, V.c.pk)
        .select_from(P.join(V, V.c.pk == P.c.version_pk).join(H, H.c.version_pk == V.c.pk))
        .where(lookup.condition(), H.c.org_id == holder_org_id, _discoverable(asker, H, V))
        .distinct()
        .order_by(V.c.stix_id)
    ).all()
    return [(row.stix_id, row.pk) for row in rows]


def group_ids_by_name(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    names = sorted(set(names))
    if not names:
        return {}
    rows = conn.execute(select(sharing_group.c.name, sharing_group.c.id).where(sharing_group.c.name.in_(names))).all()
    return dict(rows)


def entity_versions(
    conn: Connection, holder_org_id: int, asker: Asker, stix_ids: Iterable[str]
) -> list[tuple[str, int]]:
    """matching_versions for an entity asked about by id."""
    rows = conn.execute(
        select(V.c.stix_id, V.c.pk)
        .select_from(V.join(H, H.c.version_pk == V.c.pk))
        .where(V.c.stix_id.in_(sorted(set(stix_ids))), H.c.org_id == holder_org_id, _discoverable(asker, H, V))
        .distinct()
        .order_by(V.c.stix_id)
    ).all()
    return [(row.stix_id, row.pk) for row in rows]


def levels(conn: Connection, version_pks: Iterable[int]) -> dict[int, str | None]:
    """The TLP level of each version."""
    return dict(conn.execute(select(V.c.pk, V.c.tlp).where(V.c.pk.in_(sorted(set(version_pks))))).all())
