"""Correlation: which other objects the caller may see share a value with an object, or carry a
typed value. Everything is computed over the caller's view (store.postings joins the predicate):
hits, totals and "common" (a value more than `cap` visible objects carry is reported as common
instead of listed, and its count stops there). Each hit says why it correlates: the value, the value it
matched (a containing network, say), how the hit's value was normalised, and the warning lists
either is on. An object the caller may not see is answered exactly as one that does not exist.

The caller's organisation's flood control (liaison.intel.flood) applies throughout: warning lists
switched off mark nothing, and its exclusions narrow the carriers before they are counted, so
"common" is judged over what is left. An excluded value answers as one no object carries, with
`excluded` set."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import orjson
from sqlalchemy import Connection

from liaison.access.principal import Action, Principal
from liaison.errors import InvalidInput, NotFound
from liaison.intel import flood
from liaison.stix import values
from liaison.stix.validate import ENDPOINTS, IDENTIFIER_RE
from liaison.store import entities, reads
from liaison.store import postings as store

MAX_PAGE = 1000
#: The normalisation of a value that needed none.
AS_WRITTEN = "as written"
#: The kind of a correlation by resolved identity rather than by value.
ENTITY = "entity"
#: How an entity correlation came about.
MERGED = "same entity (duplicate-of)"
#: The most objects one resolved identity is followed to.
MAX_SAME = 200
#: Default for a value counted common (Settings.correlation_cap passes the instance's own).
DEFAULT_CAP = 100


@dataclass(frozen=True, slots=True)
class Value:
    """One correlatable value, with how many objects the caller may see carry it (besides the
    object asked about); `common` when more than the cap do, and then its hits are not listed and
    `count` is the cap + 1 ("more than the cap": counting on would only cost time)."""

    kind: str
    value: str
    how: str
    warning_lists: tuple[str, ...]
    count: int
    common: bool
    #: Taken out by the caller's organisation's flood control (by value or by kind): counted as
    #: carried by nothing, whoever holds it.
    excluded: bool = False


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    type: str
    name: str | None
    kind: str
    #: The value asked about (or the object's), as shown.
    value: str
    #: The hit's own value it matched by: the same, or a network containing it (or contained).
    matched: str
    #: How the hit's value was normalised to match.
    how: str
    warning_lists: tuple[str, ...]
    owner: str | None
    held_by: str
    shared_at: str


@dataclass(frozen=True, slots=True)
class Correlations:
    values: list[Value]
    total: int
    limit: int
    offset: int
    hits: list[Hit] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"'limit' must be between 1 and {MAX_PAGE}", parameter="limit")
    if offset < 0:
        raise InvalidInput("'offset' must not be negative", parameter="offset")


def _lookup(p: values.Posting) -> store.Lookup:
    return store.Lookup(tuple(values.lookup_keys(p)), tuple(values.ranges(p)))


def _matched(raw: str, asked: values.Posting, excluded: store.Excluded) -> tuple[str, str, str]:
    """(kind, key, how it was normalised) of the hit's own posting it correlates by: the smallest
    its content carries that the asked value finds and the exclusions leave."""
    lookup = _lookup(asked)
    found = sorted(
        (p.kind, p.key, p.how or AS_WRITTEN)
        for p in values.postings(orjson.loads(raw))
        if lookup.matches(p.kind, p.key) and not excluded.drops(p.kind, p.key)
    )
    return found[0] if found else (asked.kind, asked.key, AS_WRITTEN)


def same_entity(conn: Connection, principal: Principal, stix_id: str) -> list[str]:
    """The other objects the caller sees resolved to the same entity as `stix_id`: joined to it by
    `duplicate-of` merges either way, transitively, through merges and ends the caller sees."""
    seen, frontier = {stix_id}, {stix_id}
    while frontier and len(seen) <= MAX_SAME:
        links = [orjson.loads(raw) for _id, raw in entities.duplicate_links(conn, principal, frontier)]
        ends = reads.current_versions(conn, principal, {r[k] for r in links for k in ENDPOINTS})
        joined = {r[k] for r in links if all(r[e] in ends for e in ENDPOINTS) for k in ENDPOINTS}
        frontier = joined - seen
        seen |= frontier
    return sorted(seen - {stix_id})[:MAX_SAME]


def _same_entity_carriers(conn: Connection, principal: Principal, stix_id: str, name: str | None, rules: flood.Rules):
    """The objects resolved to the same entity, as (posting, carrier) pairs of the ENTITY kind,
    less those the organisation's exclusions drop (by type, or held only by excluded sources)."""
    found = reads.current_versions(conn, principal, same_entity(conn, principal, stix_id))
    rows = [row for row in found.values() if not rules.drops_type(row.type)]
    if rows and rules.excluded.org_ids:
        sources = store.hit_sources(conn, principal, [r.pk for r in rows], excluded_orgs=rules.excluded.org_ids)
        rows = [row for row in rows if row.pk in sources]
    own = values.Posting(ENTITY, stix_id, name or stix_id, MERGED)
    return own, [
        (own, store.Carrier(row.pk, row.stix_id, row.type, row.name, ENTITY, row.stix_id))
        for row in sorted(rows, key=lambda r: r.stix_id)
    ]


def _correlate(
    conn: Connection,
    principal: Principal,
    asked: list[values.Posting],
    exclude_id: str | None,
    *,
    limit: int,
    offset: int,
    cap: int,
    rules: flood.Rules,
    same: tuple[values.Posting, list] | None = None,
) -> Correlations:
    found: list[Value] = []
    listed: list[tuple[values.Posting, store.Carrier]] = []
    if same and same[1]:  # the same entity first: a merge is an analyst's judgement, not a shared value
        found.append(Value(ENTITY, same[0].shown, MERGED, (), len(same[1]), False))
        listed += same[1]
    for p in sorted({(p.kind, p.key): p for p in asked}.values(), key=lambda p: (p.kind, p.key)):
        if rules.excludes(p):  # not looked up at all: the answer cannot depend on who holds it
            found.append(Value(p.kind, p.shown, p.how or AS_WRITTEN, rules.marks(p.shown), 0, False, True))
            continue
        carriers = store.carriers(
            conn, principal, _lookup(p), exclude_id=exclude_id, limit=cap + 1, excluded=rules.excluded
        )
        common = len(carriers) > cap
        found.append(Value(p.kind, p.shown, p.how or AS_WRITTEN, rules.marks(p.shown), len(carriers), common))
        if not common:
            listed += [(p, c) for c in sorted(carriers, key=lambda c: c.stix_id)]
    page = listed[offset : offset + limit]
    sources = store.hit_sources(conn, principal, [c.pk for _p, c in page], excluded_orgs=rules.excluded.org_ids)
    hits = []
    for p, c in page:
        source = sources.get(c.pk)
        if source is None:  # withdrawn between the two reads (PostgreSQL reads each statement afresh)
            continue
        entity = c.kind == ENTITY
        if entity:
            kind, matched, how = ENTITY, c.name or c.stix_id, MERGED
        else:
            kind, key, how = _matched(source.raw, p, rules.excluded)
            matched = values.display(kind, key)
        hits.append(
            Hit(
                c.stix_id,
                c.type,
                c.name,
                kind,
                p.shown,
                matched,
                how,
                () if entity else rules.marks(matched),
                source.owner,
                source.holder,
                source.shared_at,
            )
        )
    return Correlations(found, len(listed), limit, offset, hits)


def correlations(
    conn: Connection,
    principal: Principal,
    stix_id: str,
    *,
    limit: int = 100,
    offset: int = 0,
    cap: int = DEFAULT_CAP,
) -> Correlations:
    """The other objects the caller may see that are the same entity as its current view of
    `stix_id` (merged with it), or share a value with it."""
    principal.require(Action.READ)
    _page(limit, offset)
    if not IDENTIFIER_RE.match(stix_id):
        raise InvalidInput(f"'{stix_id}' is not a STIX identifier (type--uuid)", parameter="id")
    row = reads.current_versions(conn, principal, [stix_id]).get(stix_id)
    if row is None:
        raise NotFound(f"no object {stix_id}")
    asked = values.postings(orjson.loads(row.raw))
    rules = flood.rules_for(conn, principal)
    same = _same_entity_carriers(conn, principal, stix_id, row.name, rules)
    return _correlate(conn, principal, asked, stix_id, limit=limit, offset=offset, cap=cap, rules=rules, same=same)


def carrying(
    conn: Connection,
    principal: Principal,
    value: str,
    type_: str | None = None,
    *,
    limit: int = 100,
    offset: int = 0,
    cap: int = DEFAULT_CAP,
) -> Correlations:
    """The objects the caller may see that carry `value` (read as `type_` when given, else as
    whatever it can be)."""
    principal.require(Action.READ)
    _page(limit, offset)
    asked = values.normalise(value, type_)
    if not asked:
        raise InvalidInput(f"'{value}' is not a value that correlates", parameter="value")
    rules = flood.rules_for(conn, principal)
    return _correlate(conn, principal, asked, None, limit=limit, offset=offset, cap=cap, rules=rules)


def hits(
    conn: Connection,
    principal: Principal,
    told: dict[int, str],
    *,
    cap: int = DEFAULT_CAP,
    carried: dict[int, tuple[str, list]] | None = None,
) -> dict[int, list[tuple[values.Posting, list[store.Carrier]]]]:
    """The correlation hits of changed versions the caller is told of ({pk: when}, from their
    correlation-hit events): {pk: [(value, the other objects the caller may see that carry it,
    held for it before that change), ...]} for those with any. A carrier that came later is the
    hit of its own change, not a retold one of this.
    Values the organisation's flood control excludes or a switched-on warning list marks are left
    out, and so are common ones (more than `cap` other carriers): such values alert no one. Judged
    over the caller's own view alone, by exact value (an address inside a network another object
    carries is a correlation to read, not a hit to be told), in one read of the carriers per few
    hundred values, whatever the number of changes. `carried` is the changes' postings when the
    caller read them already (the fan-out, once for every set of readers)."""
    if carried is None:
        carried = store.postings_of(conn, principal, told)
    else:
        carried = {pk: carried[pk] for pk in told if pk in carried}
    if not carried:
        return {}
    rules = flood.rules_for(conn, principal)
    asked: dict[tuple[str, str], values.Posting] = {}
    for _stix_id, pairs in carried.values():
        for kind, key in pairs:
            p = values.Posting(kind, key, values.display(kind, key), "")
            if not rules.excludes(p) and not rules.marks(p.shown):
                asked[(kind, key)] = p
    found = store.carriers_of_keys(conn, principal, asked, excluded=rules.excluded)
    made: dict[int, list[tuple[values.Posting, list[store.Carrier]]]] = {}
    for pk, (stix_id, pairs) in carried.items():
        for pair in sorted(set(pairs) & asked.keys()):
            others = [c for c, since in found.get(pair, ()) if c.stix_id != stix_id and since <= told[pk]]
            if 0 < len(others) <= cap:
                made.setdefault(pk, []).append((asked[pair], sorted(others, key=lambda c: c.stix_id)))
    return made


@dataclass(frozen=True, slots=True)
class Member:
    """One object a report refers to, with what correlates with it."""

    id: str
    type: str
    name: str | None
    found: Correlations


#: The most referred objects a report's correlation view reads.
MAX_REPORT_OBJECTS = 200


def of_report(
    conn: Connection, principal: Principal, report_id: str, *, per_object: int = 20, cap: int = DEFAULT_CAP
) -> list[Member]:
    """What correlates with each object a report refers to that carries a value, as the caller sees
    them; the report is answered as missing when the caller may not see it."""
    principal.require(Action.READ)
    row = reads.current_versions(conn, principal, [report_id]).get(report_id)
    if row is None or row.type != "report":
        raise NotFound(f"no object {report_id}")
    refs = list(dict.fromkeys(orjson.loads(row.raw).get("object_refs") or []))[:MAX_REPORT_OBJECTS]
    seen = reads.current_versions(conn, principal, refs)
    rules = flood.rules_for(conn, principal)
    members = []
    for ref in refs:
        if ref not in seen:
            continue
        asked = values.postings(orjson.loads(seen[ref].raw))
        if asked:
            found = _correlate(conn, principal, asked, ref, limit=per_object, offset=0, cap=cap, rules=rules)
            members.append(Member(ref, seen[ref].type, seen[ref].name, found))
    return members
