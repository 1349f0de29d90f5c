"""How far an annotation may go: one rule for creating, importing and sharing one.

An annotation — an opinion, note or sighting, or a `duplicate-of` relationship (a merge) — may be
held for audience A by organisation O when A is O's own organisation, or when every object it is
about (`object_refs`, `sighting_of_ref`, `source_ref` and `target_ref`) that O sees is, in O's view
of it (access.predicate.latest_visible), held for A so that everyone in A sees it
(store.entities.audiences_seeing), and the annotation's TLP is not weaker than that view's. So
everyone an annotation reaches also sees what it is about, under a marking no weaker. Refs O cannot
see are not checked, exactly as refs to objects that do not exist: no answer depends on invisible
data.

What O keeps to itself is not limited here (an organisation may mark its own notes as it likes;
they leave it only by a share or an import for another audience, which this rule checks). The
annotation form is stricter: it never offers a TLP weaker than the object's (intel.annotations).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import InvalidInput
from liaison.stix import tlp
from liaison.stix.validate import ENDPOINTS
from liaison.store import entities, tenancy

#: The annotation types and the refs that say what each is about; merges are relationships.
ANNOTATION_REFS = {"note": ("object_refs",), "opinion": ("object_refs",), "sighting": ("sighting_of_ref",)}
MERGE = "duplicate-of"
#: Every property checked, for reading refs from the store.
PROPS = ("object_refs", "sighting_of_ref", *ENDPOINTS)


def about(type_: str, relationship_type: str | None, refs: Iterable[tuple[str, str]]) -> frozenset[str] | None:
    """The ids an annotation of `type_` with `refs` ((property, id) pairs) is about; None when it is
    no annotation (so nothing is checked)."""
    props = ANNOTATION_REFS.get(type_)
    if props is None:
        if type_ != "relationship" or relationship_type != MERGE:
            return None
        props = ENDPOINTS
    return frozenset(target for prop, target in refs if prop in props)


@dataclass(frozen=True, slots=True)
class Claim:
    """An annotation to be held for an audience: its id, TLP and what it is about; `index` is its
    position in an import, for errors."""

    stix_id: str
    level: str | None
    about: frozenset[str]
    index: int | None = None


def _rank(level: str | None) -> int:
    return tlp.LEVELS.index(level or "clear")


class Views:
    """The principal's view of every object some claims are about (one query), to judge them."""

    def __init__(self, conn: Connection, principal: Principal, claims: Iterable[Claim]) -> None:
        self.conn, self.principal = conn, principal
        ids = set().union(*(c.about for c in claims))
        self.views = entities.current_holdings(conn, principal, ids) if ids else {}
        self._seeing: dict[int, set[int]] = {}

    def problem(self, claim: Claim, target: tenancy.Audience) -> str | None:
        """Why `claim` may not be held for `target`, naming only what the principal sees; None when it may."""
        if target.id == self.principal.org_audience_id:
            return None
        for ref in sorted(claim.about):
            if ref not in self.views:
                continue
            level, held = self.views[ref]
            if target.id not in self._seeing:
                self._seeing[target.id] = entities.audiences_seeing(self.conn, target.id, target.kind)
            if not held & self._seeing[target.id]:
                return f"not everyone in '{target.spec}' sees {ref}, which it is about"
            if level and _rank(claim.level) < _rank(level):
                return (
                    f"{ref}, which it is about, is TLP:{level.upper()}; what is said about it must be "
                    f"TLP:{level.upper()} or stricter"
                )
        return None

    def audiences(self, claim: Claim) -> list[tenancy.Audience]:
        """The audiences the principal may share with that `claim` may be held for (TLP of the
        audience kind aside), by id."""
        mine = tenancy.audiences(self.conn, self.principal.audience_ids)
        return [a for _id, a in sorted(mine.items()) if self.problem(claim, a) is None]


def specs(audiences: Iterable[tenancy.Audience]) -> list[str]:
    """The audiences as the caller names them, own organisation first, then groups, then the instance."""
    order = {"org": 0, "group": 1, "instance": 2}
    return [a.spec for a in sorted(audiences, key=lambda a: (order[a.kind], a.label))]


def check(conn: Connection, principal: Principal, target: tenancy.Audience, claims: list[Claim]) -> None:
    """Raise InvalidInput (with the claim's index and id) for the first of `claims` that may not be
    held for `target`: one query for all of them."""
    if not claims:
        return
    views = Views(conn, principal, claims)
    for claim in claims:
        problem = views.problem(claim, target)
        if problem is not None:
            where = f"object #{claim.index} ({claim.stix_id})" if claim.index is not None else claim.stix_id
            raise InvalidInput(
                f"{where}: {problem}; an annotation goes no further than what it is about",
                index=claim.index,
                object_id=claim.stix_id,
                audience=target.spec,
            )
