"""Who may discover a holding by a hit/no-hit query, as SQL: the rule of visibility for hits, beside
the one for reads (access.predicate). A holding answers an asker when it is live, its
organisation's newest version of the object and not a revocation, and its organisation made the
object discoverable by the asker: by a rule of its own for the object, else by its default ('*');
no rule means no. TLP on top: TLP:RED only through a group scope, TLP:AMBER+STRICT never.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from liaison.db.tables import discovery_rule, group_member, holding, object_version

#: The stix_id of an organisation's default rules.
DEFAULT = "*"


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks a hit query: a local organisation, or the organisation that stands for a partner
    instance; `group_ids` are its sharing groups (a named group is the only way to TLP:RED)."""

    org_id: int
    is_partner: bool
    group_ids: frozenset[int]


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
_OWN_R, _DEFAULT_R = discovery_rule.alias("own_r"), discovery_rule.alias("default_r")
_NEWER_H, _NEWER_V = holding.alias("newer_h"), object_version.alias("newer_v")


def discoverable(asker: Asker, h=holding, v=object_version) -> ColumnElement[bool]:
    """True for the holdings `h` (of versions `v`) that answer `asker`'s hit queries."""
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
    by_default = select(1).where(
        default_r.c.org_id == h.c.org_id, default_r.c.stix_id == DEFAULT, _scope_allows(asker, default_r, v.c.tlp)
    )
    return and_(
        h.c.superseded_at.is_(None),
        v.c.revoked.is_(False),
        h.c.org_id != asker.org_id,
        v.c.tlp.is_distinct_from("amber+strict"),
        or_(exists(own.where(_scope_allows(asker, own_r, v.c.tlp))), and_(~exists(own), exists(by_default))),
        ~exists(newer),
    )
