"""The neighbourhood of an object as a graph: the objects linked to it by relationships, by the
references it embeds and by the references others embed to it (reports, notes, opinions,
sightings). Only current versions the principal may see take part, and a link is shown only when
both the link and the object at its other end are visible."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import InvalidInput, NotFound
from liaison.intel.link_words import ref_words, relationship_words
from liaison.intel.naming import display_name, object_name
from liaison.stix.validate import IDENTIFIER_RE
from liaison.store import links, reads

#: References left out unless asked for by name: they link nearly everything to a few objects.
NOISE = ("created_by_ref", "object_marking_refs", "marking_ref")
MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    type: str
    name: str
    tlp: str | None
    centre: bool
    pk: int

    def as_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "name": self.name, "tlp": self.tlp, "centre": self.centre}


@dataclass(frozen=True, slots=True)
class Edge:
    """A relationship (`id` is its STIX id) or an embedded reference (`id` is `ref:<prop>:<source>:<target>`)."""

    id: str
    source: str
    target: str
    label: str  # the relationship type or reference property, as STIX names it (filters take it)
    kind: str  # "relationship" | "ref"
    words: str = ""  # the label in words (intel.link_words), as pages show it

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "label": self.label,
            "words": self.words or self.label,
            "kind": self.kind,
        }


@dataclass(slots=True)
class Neighbourhood:
    centre: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    #: More neighbours exist than `limit` let in.
    truncated: bool = False

    def as_dict(self) -> dict:
        return {
            "centre": self.centre,
            "nodes": [n.as_dict() for n in self.nodes],
            "edges": [e.as_dict() for e in self.edges],
            "truncated": self.truncated,
        }

    def linked_ids(self) -> set[str]:
        """The centre, its neighbours and the relationships linking them."""
        return {n.id for n in self.nodes} | {e.id for e in self.edges if e.kind == "relationship"}


def checked_id(stix_id: str, parameter: str = "id") -> str:
    """`stix_id` if it has the form of a STIX identifier; a clear error otherwise."""
    if not IDENTIFIER_RE.match(stix_id or ""):
        raise InvalidInput(f"'{stix_id}' is not a STIX identifier (type--uuid)", parameter=parameter)
    return stix_id


def short_prop(prop: str) -> str:
    """`extensions.<definition id>.location_ref` -> `location_ref`."""
    return prop.rsplit(".", 1)[-1]


def _node(row) -> Node:
    return Node(row.stix_id, row.type, display_name(row.type, row.name, row.raw), row.tlp, False, row.pk)


def neighbourhood(
    conn: Connection,
    principal: Principal,
    stix_id: str,
    *,
    relationship_types: list[str] | None = None,
    limit: int = 150,
) -> Neighbourhood:
    """The objects linked to `stix_id` (at most `limit` of them) and the links. `relationship_types`
    keeps only links with those labels (relationship types or reference properties such as
    `object_refs`; `created_by_ref` and marking references only appear when named there)."""
    checked_id(stix_id)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"'limit' must be between 1 and {MAX_LIMIT}", parameter="limit")
    labels = sorted(set(relationship_types)) if relationship_types else None
    centre = reads.get_version(conn, principal, stix_id)
    if centre is None:
        raise NotFound(f"no object {stix_id}")
    rels = links.relationships_of(conn, principal, stix_id, types=labels, limit=limit + 1)
    outgoing = links.refs_from(conn, principal, centre.pk, labels=labels, noise=NOISE, limit=limit + 1)
    incoming = links.referrers_of(conn, principal, stix_id, labels=labels, noise=NOISE, limit=limit + 1)
    candidates: list[Edge] = [
        Edge(
            r.stix_id, r.source, r.target, r.relationship_type, "relationship", relationship_words(r.relationship_type)
        )
        for r in rels
    ]
    refs = [(r.prop, stix_id, r.target_id) for r in outgoing] + [(r.prop, r.stix_id, stix_id) for r in incoming]
    candidates += [
        Edge(f"ref:{prop}:{source}:{target}", source, target, short_prop(prop), "ref", ref_words(prop, target))
        for prop, source, target in _one_per_pair(refs)
    ]
    others = {e.target if e.source == stix_id else e.source for e in candidates}
    rows = reads.current_versions(conn, principal, others - {stix_id})

    result = Neighbourhood(stix_id, truncated=any(len(found) > limit for found in (rels, outgoing, incoming)))
    result.nodes.append(_centre_node(centre))
    placed = {stix_id}
    seen_edges: set[str] = set()
    for e in candidates:
        other = e.target if e.source == stix_id else e.source
        if (other != stix_id and other not in rows) or e.id in seen_edges:
            continue
        if other not in placed:
            if len(placed) > limit:
                result.truncated = True
                continue
            placed.add(other)
            result.nodes.append(_node(rows[other]))
        seen_edges.add(e.id)
        result.edges.append(e)
    return result


def _one_per_pair(refs: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """One reference per (source, target): a report that refers to an object and whose mentions
    extension names it too is drawn with one edge, its own property's (not an extension's)."""
    best: dict[tuple[str, str], tuple[str, str, str]] = {}
    for ref in sorted(refs, key=lambda r: (r[0].startswith("extensions."), r[0])):
        best.setdefault((ref[1], ref[2]), ref)
    return list(best.values())


def _centre_node(version) -> Node:
    """The centre, from its latest visible version (shown even when that version is revoked)."""
    obj = orjson.loads(version.raw)
    return Node(version.stix_id, obj["type"], object_name(obj), version.tlp, True, version.pk)


def linked_ids(conn: Connection, principal: Principal, stix_id: str) -> set[str]:
    """`stix_id`, the visible objects linked to it either way and the relationships linking them."""
    return neighbourhood(conn, principal, stix_id, limit=MAX_LIMIT).linked_ids()


def relations(conn: Connection, principal: Principal, stix_id: str, *, limit: int = 200) -> tuple[list[dict], bool]:
    """The links of `stix_id` to at most `limit` objects as table rows — label, direction ("out"
    or "in"), the edge, and the object at the other end with the audiences the principal may see
    it shared with — and whether more were left out."""
    graph = neighbourhood(conn, principal, stix_id, limit=limit)
    nodes = {n.id: n for n in graph.nodes}
    holdings = reads.holdings_of(conn, principal, [n.pk for n in graph.nodes if not n.centre])
    rows = []
    for e in graph.edges:
        outgoing = e.source == stix_id
        other = nodes[e.target if outgoing else e.source]
        rows.append(
            {
                "label": e.label,
                "words": e.words or e.label,
                "direction": "out" if outgoing else "in",
                "edge": e.as_dict(),
                "other": other.as_dict(),
                "audiences": sorted({h.audience for h in holdings.get(other.pk, [])}),
            }
        )
    return rows, graph.truncated
