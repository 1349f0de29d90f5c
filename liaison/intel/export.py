"""Exports an analyst can hand on: an object, a report, a search result or a graph as a STIX bundle
with what it refers to (identities, markings, extension definitions, Liaison's own from the code
when not stored, the objects a report or a relationship names, and theirs in turn), so that a
partner importing it finds every reference it may be given; and a result list as CSV.

Everything is read as the exporter sees it: an object it may not see is not exported, and the
references left unresolved are counted, so the exporter knows the file is incomplete."""

from __future__ import annotations

import csv
import io
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import InvalidInput, NotFound
from liaison.intel import graph
from liaison.intel import search as searching
from liaison.stix.extensions import EXTENSION_DEFINITIONS, LIAISON_IDENTITY
from liaison.stix.tlp import LEVELS, PUBLISHED_IDS
from liaison.stix.validate import references
from liaison.store import reads

#: Liaison's own extension definitions and their author: every instance has them, stored or not.
_BUILT_IN = {o["id"]: orjson.dumps(o).decode() for o in (*EXTENSION_DEFINITIONS, LIAISON_IDENTITY)}
#: The most objects one export gathers (roots and what they refer to).
MAX_OBJECTS = 20_000
#: A result list exports at most this many hits.
MAX_HITS = 5_000


@dataclass(slots=True)
class Closure:
    """Objects (raw JSON, in the order found); the references none of them resolves for the
    reader (definitions OASIS publishes, such as the TLP 2.0 extension, are not counted); and the
    referenced objects withheld by their marking (see closure)."""

    objects: dict[str, str] = field(default_factory=dict)
    unresolved: set[str] = field(default_factory=set)
    withheld: set[str] = field(default_factory=set)

    def bundle(self) -> bytes:
        body = ",".join(self.objects.values())
        return f'{{"type":"bundle","id":"bundle--{uuid.uuid4()}","objects":[{body}]}}'.encode()


def closure(conn: Connection, principal: Principal, roots: Iterable[str]) -> Closure:
    """The roots and, transitively, everything they refer to, each in the reader's current view
    (revoked ones too: a revocation is what the reader holds). Missing roots are NotFound alike,
    whether unknown or invisible.

    The file is for handing on, so TLP bounds what it takes along: a referenced object marked
    stricter than the strictest root, or marked TLP:AMBER or stricter and held by other
    organisations only (theirs to hand on, not the exporter's), is withheld and counted."""
    found = Closure()
    ceiling: int | None = None
    wanted = list(dict.fromkeys(roots))
    done = set(wanted)  # asked for once: a published definition not stored is not asked again
    first = True
    while wanted:
        if len(found.objects) + len(wanted) > MAX_OBJECTS:
            raise InvalidInput(f"the export would hold more than {MAX_OBJECTS} objects; export less at a time")
        rows = reads.current_versions(conn, principal, wanted, include_revoked=True)
        if first and len(rows) < len(wanted):
            missing = next(i for i in wanted if i not in rows)
            raise NotFound(f"no object {missing}")
        first = False
        if ceiling is None:
            ceiling = max((_rank(r.tlp) for r in rows.values()), default=0)
        else:
            rows = _handed_on(conn, principal, rows, ceiling, found.withheld)
        following: list[str] = []
        for stix_id in wanted:
            if stix_id in found.withheld:
                continue
            row = rows.get(stix_id)
            raw = row.raw if row is not None else _BUILT_IN.get(stix_id)
            if raw is None:
                if stix_id not in PUBLISHED_IDS:
                    found.unresolved.add(stix_id)
                continue
            found.objects[stix_id] = raw
            following += references(orjson.loads(raw))
        wanted = [
            i
            for i in dict.fromkeys(following)
            if i not in found.objects and i not in found.unresolved and i not in done
        ]
        done.update(wanted)
    return found


def _rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else 0


def _handed_on(conn: Connection, principal: Principal, rows: dict, ceiling: int, withheld: set[str]) -> dict:
    """The referenced objects the exporter may hand on along with the roots; the others go to
    `withheld`."""
    strict = {i for i, r in rows.items() if _rank(r.tlp) > ceiling}
    foreign = [r for i, r in rows.items() if i not in strict and _rank(r.tlp) >= _rank("amber")]
    if foreign:
        holders = reads.holdings_of(conn, principal, [r.pk for r in foreign])
        strict |= {r.stix_id for r in foreign if all(h.owner != principal.org_name for h in holders.get(r.pk, []))}
    withheld |= strict
    return {i: r for i, r in rows.items() if i not in strict}


def of_object(conn: Connection, principal: Principal, stix_id: str) -> Closure:
    """An object (a report with everything it refers to) ready to hand on."""
    return closure(conn, principal, [graph.checked_id(stix_id)])


def of_graph(conn: Connection, principal: Principal, stix_id: str) -> Closure:
    """The graph around `stix_id` as drawn (its objects and links), with what they refer to."""
    return closure(conn, principal, sorted(graph.linked_ids(conn, principal, stix_id)))


def _all_hits(conn: Connection, principal: Principal, query: dict) -> list[searching.Hit]:
    hits: list[searching.Hit] = []
    while len(hits) < MAX_HITS:
        page = searching.search(conn, principal, **query, limit=searching.MAX_PAGE, offset=len(hits))
        hits += page.hits
        if not page.hits or len(hits) >= page.total:
            break
    return hits[:MAX_HITS]


def of_search(conn: Connection, principal: Principal, query: dict) -> Closure:
    """Every hit of a search (at most MAX_HITS, best first) with what they refer to. `query`
    holds search.search's parameters (q, types, owner, tlp, modified_from, modified_until, order)."""
    return closure(conn, principal, [h.stix_id for h in _all_hits(conn, principal, query)])


#: The columns of a result list's CSV.
CSV_COLUMNS = ("name", "type", "id", "modified", "tlp", "owners", "shared with", "matched", "summary")


def search_csv(conn: Connection, principal: Principal, query: dict) -> str:
    """A search's hits (at most MAX_HITS, best first) as CSV, one row each, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for hit in _all_hits(conn, principal, query):
        owners = "; ".join(dict.fromkeys(h.owner for h in hit.holdings))
        audiences = "; ".join(dict.fromkeys(h.audience for h in hit.holdings))
        row = (
            hit.name,
            hit.type,
            hit.stix_id,
            hit.modified,
            hit.tlp or "",
            owners,
            audiences,
            hit.matched,
            hit.summary,
        )
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula ('=', '+', '-', '@', a tab
    or a return) gets a leading apostrophe, so that an object's name cannot run in the reader's
    spreadsheet (CSV injection)."""
    first = unicodedata.normalize("NFKC", value[:1])  # a fullwidth ＝ is read as = too
    return "'" + value if first[:1] in ("=", "+", "-", "@", "\t", "\r") else value
