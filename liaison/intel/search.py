"""Full-text search for people: web-search syntax, filters, a page of hits with the total.

The query language is the one of web search engines and of PostgreSQL's `websearch_to_tsquery`:
words all required, "quoted phrases", `-word` to exclude, `or` between alternatives. It is parsed
here once and rendered for each database, so both find the same objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import orjson
from rapidfuzz.distance import OSA
from sqlalchemy import Connection

from liaison.access.principal import Principal
from liaison.errors import InvalidInput
from liaison.intel import naming
from liaison.intel.objects import owner_filter, timestamp_filter
from liaison.stix import tlp as tlp_levels
from liaison.stix.names import query_keys
from liaison.store import reads
from liaison.store import search as store
from liaison.store.reads import HoldingInfo

MAX_PAGE = 200
#: The orders a search may be asked for, and how a hit may have matched (best first).
ORDERS, TIERS = store.ORDERS, store.TIERS
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{0,249}$")
#: Properties shown as a hit's summary, the first present.
_SUMMARY_PROPS = ("description", "abstract", "explanation", "content", "pattern", "value")


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    negated: bool = False


def parse(text: str) -> list[list[Term]]:
    """The query as alternatives (joined by `or`), each a list of terms. Terms without any letter
    or digit find nothing in either database and are dropped."""
    groups: list[list[Term]] = [[]]
    for negated, phrase, word in _TERM.findall(text or ""):
        if word and word.lower() == "or":
            if groups[-1]:
                groups.append([])
            continue
        value = (phrase if not word else word.lstrip("-")).replace('"', " ").strip()
        if word.startswith("-") and len(word) > 1:
            negated = "-"
        if re.search(r"\w", value):
            groups[-1].append(Term(value, bool(negated)))
    groups = [g for g in groups if g]
    if groups and not all(any(not t.negated for t in g) for g in groups):
        raise InvalidInput(
            "each alternative of a search needs a word to look for, not only words to exclude", parameter="q"
        )
    return groups


def fts5_query(groups: list[list[Term]]) -> str:
    """SQLite FTS5 syntax: each term a quoted string (its punctuation is then plain text)."""

    def quoted(term: Term) -> str:
        return '"' + term.text.replace('"', '""') + '"'

    alternatives = []
    for group in groups:
        expr = "(" + " AND ".join(quoted(t) for t in group if not t.negated) + ")"
        for term in (t for t in group if t.negated):
            expr += f" NOT {quoted(term)}"
        alternatives.append(f"({expr})")
    return " OR ".join(alternatives)


def websearch_query(groups: list[list[Term]]) -> str:
    """The same query normalised for PostgreSQL's websearch_to_tsquery."""
    return " or ".join(
        " ".join(("-" if t.negated else "") + (f'"{t.text}"' if " " in t.text else t.text) for t in group)
        for group in groups
    )


@dataclass(frozen=True, slots=True)
class Hit:
    stix_id: str
    type: str
    name: str
    modified: str
    tlp: str | None
    summary: str
    holdings: list[HoldingInfo]
    #: How it matched (store.search.TIERS): 'exact name', 'start of a name', 'near a name', 'text'...
    matched: str = "text"


@dataclass(frozen=True, slots=True)
class Results:
    total: int
    limit: int
    offset: int
    hits: list[Hit] = field(default_factory=list)
    order: str = "relevance"
    #: Counts by type, TLP and owner (store.search.facets), when asked for.
    facets: dict[str, list[tuple[str | None, int]]] | None = None


#: The shortest name a typo is forgiven in, and the typos forgiven (one edit: a letter added,
#: dropped, changed or two swapped; two from this length on), counted on the light folds: on
#: skeletons, which keep no vowels apart, one edit is often another name (Shirzai, Sherzod).
TYPO_FROM, TWO_TYPOS_FROM = 4, 9


def name_matches(conn: Connection, principal: Principal, groups: list[list[Term]]) -> tuple[store.NameMatch, ...]:
    """The query's alternatives read as names (those without excluded words), each with the keys of
    names the reader may see that are a typo away from it."""
    found = []
    for group in groups:
        if any(t.negated for t in group):
            continue  # "Nazarov -Rustam" is a text query: a name match would ignore the exclusion
        keys = query_keys(" ".join(t.text for t in group))
        if keys is None:
            continue
        exact, key = keys
        near: tuple[str, ...] = ()
        if len(exact) >= TYPO_FROM:
            allowed = 2 if len(exact) >= TWO_TYPOS_FROM else 1
            words = exact.count(" ") + 1
            near = tuple(
                k
                for k in store.name_keys_near(conn, principal, exact)
                if not k.startswith(exact) and OSA.distance(exact, " ".join(k.split(" ")[:words])) <= allowed
            )
        found.append(store.NameMatch(exact, key, near))
    return tuple(found)


def _day(value: str | None, name: str, *, end: bool = False) -> str | None:
    """A date (YYYY-MM-DD) or STIX timestamp bound; a date as the end of a range includes that day."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return timestamp_filter(value, name)
    return timestamp_filter((day + timedelta(days=1) if end else day).isoformat() + "T00:00:00Z", name)


def make_query(
    conn: Connection,
    dialect: str,
    *,
    q: str = "",
    types=(),
    owner: str | None = None,
    tlp: str | None = None,
    modified_from: str | None = None,
    modified_until: str | None = None,
    order: str | None = None,
    principal: Principal | None = None,
) -> store.SearchQuery:
    """A checked query from user input; `dialect` picks the text-query syntax. With `principal`,
    the query's words are also matched as names (prefixes and typos of the names it may see)."""
    groups = parse(q)
    match = None
    if groups:
        match = websearch_query(groups) if dialect == "postgresql" else fts5_query(groups)
    if order and order not in store.ORDERS:
        raise InvalidInput(f"unknown order '{order}'; orders: {', '.join(store.ORDERS)}", parameter="order")
    types = tuple(t for t in (types or ()) if t)
    for type_ in types:
        if not _TYPE.match(type_):
            raise InvalidInput(f"'{type_}' is not a STIX type name", parameter="type")
    if tlp and tlp != "none" and tlp not in tlp_levels.LEVELS:
        raise InvalidInput(
            f"unknown TLP level '{tlp}'; levels: {', '.join(tlp_levels.LEVELS)} or none", parameter="tlp"
        )
    return store.SearchQuery(
        match=match,
        names=name_matches(conn, principal, groups) if principal is not None else (),
        order=order or ("relevance" if groups else "newest"),
        types=types,
        owner_org_id=owner_filter(conn, owner),
        tlp=tlp or None,
        modified_from=_day(modified_from, "modified_from"),
        modified_until=_day(modified_until, "modified_until", end=True),
    )


def _summary(raw: str) -> str:
    obj = orjson.loads(raw)
    for prop in _SUMMARY_PROPS:
        value = obj.get(prop)
        if isinstance(value, str) and value.strip():
            text = " ".join(value.split())
            return text if len(text) <= 240 else text[:239] + "…"
    return ""


def search(
    conn: Connection,
    principal: Principal,
    *,
    q: str = "",
    types=(),
    owner: str | None = None,
    tlp: str | None = None,
    modified_from: str | None = None,
    modified_until: str | None = None,
    limit: int = 25,
    offset: int = 0,
    order: str | None = None,
    with_facets: bool = False,
) -> Results:
    """A page of the latest versions `principal` may see that match, best first (exact names, then
    other name matches, then text matches; the newest first within each) or in the chosen `order`,
    with the total and, `with_facets`, the counts by type, TLP and owner."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"'limit' must be between 1 and {MAX_PAGE}", parameter="limit")
    if offset < 0:
        raise InvalidInput("'offset' must not be negative", parameter="offset")
    query = make_query(
        conn,
        conn.dialect.name,
        q=q,
        types=types,
        owner=owner,
        tlp=tlp,
        modified_from=modified_from,
        modified_until=modified_until,
        order=order,
        principal=principal,
    )
    total = store.count(conn, principal, query)
    rows = store.search(conn, principal, query, limit=limit, offset=offset) if total > offset else []
    holdings = reads.holdings_of(conn, principal, [row.pk for row in rows])
    labels = naming.list_labels(
        conn, principal, (orjson.loads(row.raw) for row in rows if row.type in naming.ABOUT_TYPES)
    )
    hits = [
        Hit(
            row.stix_id,
            row.type,
            labels.get(row.stix_id) or naming.display_name(row.type, row.name, row.raw),
            row.modified,
            row.tlp,
            _summary(row.raw),
            holdings.get(row.pk, []),
            store.TIERS[row.tier],
        )
        for row in rows
    ]
    found = store.facets(conn, principal, query) if with_facets else None
    return Results(total, limit, offset, hits, query.order, found)
