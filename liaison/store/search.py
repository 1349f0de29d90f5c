"""Full-text search over the latest visible object versions, with filters, counted and paged.

The text index is SQLite's FTS5 table `object_search` or PostgreSQL's expression index over
`liaison_search_vector(raw)` (both built by migration 0003). Every query applies the access
predicate: only versions the principal may see, and of those only each object's latest.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import (
    Connection,
    and_,
    case,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    union_all,
)

from liaison.access.predicate import current, holding_visible, visible, visible_to_org_holding
from liaison.access.principal import Principal
from liaison.db.tables import holding, name_key, object_version, organization

V = object_version
_FTS = table("object_search", column("rowid"))
#: What the text index reads of an object, as migration 0003 defined it: names, values and aliases
#: (weighted higher), and its texts.
NAME_PROPS = ("name", "value", "aliases", "x_mitre_aliases")
BODY_PROPS = ("description", "abstract", "content", "explanation", "objective", "pattern")


def _text(obj: dict, props: tuple[str, ...]) -> str:
    values = (obj.get(p) for p in props)
    found = [v if isinstance(v, str) else orjson.dumps(v).decode() for v in values if v is not None]
    return " ".join(found).replace("\x00", " ")


def document(obj: dict) -> tuple[str, str]:
    """(names, body): the text the index keeps of `obj`."""
    return _text(obj, NAME_PROPS), _text(obj, BODY_PROPS)


def index_documents(conn: Connection, rows: list[tuple[int, tuple[str, str]]]) -> None:
    """Add (version pk, document) rows to SQLite's text index, in the caller's transaction; done
    here rather than by a trigger that would extract each property from the JSON again in SQL, at
    several times the cost. PostgreSQL's expression index keeps itself."""
    if conn.dialect.name != "sqlite" or not rows:
        return
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.executemany(
            "INSERT INTO object_search (rowid, names, body) VALUES (?, ?, ?)",
            ((pk, names, body) for pk, (names, body) in rows),
        )
    finally:
        cursor.close()


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A search's words read as a name: their light fold and skeleton (stix.names.query_keys), and
    the keys (light folds) within a typo of it that the index holds (name_keys_near)."""

    exact: str
    key: str
    near: tuple[str, ...] = ()


#: How a name matched, best first; text matches that are no name match come after them all.
TIERS = (
    "exact name",
    "name",
    "start of a name",
    "word of a name",
    "start of a word of a name",
    "near a name",
    "near a word of a name",
    "text",
)
_TEXT_TIER = len(TIERS) - 1
#: Orders a caller may choose; relevance is the default when there is text to match.
ORDERS = ("relevance", "newest", "oldest", "name")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to look for. `match` is the text query in each database's syntax (see
    liaison.intel.search), already checked; None lists everything that passes the filters.
    `names` are the query's alternatives read as names, matched against the name keys too."""

    match: str | None = None
    names: tuple[NameMatch, ...] = ()
    types: tuple[str, ...] = ()
    owner_org_id: int | None = None
    tlp: str | None = None  # a TLP level, or "none" for unmarked objects
    modified_from: str | None = None
    modified_until: str | None = None  # exclusive
    order: str = "relevance"


def name_keys_near(conn: Connection, principal: Principal, key: str, limit: int = 5000) -> list[str]:
    """The name keys (light folds) starting like `key` (its first two letters) of versions
    `principal` may see, for the caller to pick those within a typo of it; at most `limit`."""
    K = name_key
    rows = conn.execute(
        select(K.c.key)
        .where(K.c.key >= key[:2], K.c.key < key[:2] + "\uffff", visible(principal, K.c.version_pk))
        .distinct()
        .limit(limit)
    )
    return [k for (k,) in rows]


def _filters(principal: Principal, query: SearchQuery, stmt, *, without: str = ""):
    """Latest visible, unrevoked versions passing the filters (but the one named `without`)."""
    stmt = stmt.where(current(principal))
    if query.owner_org_id is not None and without != "owner":
        stmt = stmt.where(visible_to_org_holding(principal, V.c.pk, query.owner_org_id))
    if query.types and without != "type":
        stmt = stmt.where(V.c.type.in_(query.types))
    if without != "tlp":
        if query.tlp == "none":
            stmt = stmt.where(V.c.tlp.is_(None))
        elif query.tlp:
            stmt = stmt.where(V.c.tlp == query.tlp)
    if query.modified_from:
        stmt = stmt.where(V.c.modified >= query.modified_from)
    if query.modified_until:
        stmt = stmt.where(V.c.modified < query.modified_until)
    return stmt


def _name_tier(match: NameMatch):
    """The rows of name_key matching `match`, each with its tier (see TIERS)."""
    K = name_key
    prefix = and_(K.c.key >= match.exact, K.c.key < match.exact + "\uffff")
    first = K.c.position == 0
    near = K.c.key.in_(match.near) if match.near else literal(False)
    tier = case(
        (and_(first, K.c.key == match.exact), 0),
        (and_(first, K.c.skeleton == match.key), 1),
        (and_(first, prefix), 2),
        (K.c.skeleton == match.key, 3),
        (prefix, 4),
        (first, 5),
        else_=6,
    )
    found = or_(prefix, K.c.skeleton == match.key, near)
    return select(K.c.version_pk.label("pk"), tier.label("tier")).where(found)


def _matches(conn: Connection, query: SearchQuery):
    """(pk, tier) of every version matching the text or a name, a version once at its best tier;
    None when the query has no text (everything passing the filters matches)."""
    parts = [_name_tier(m) for m in query.names]
    if query.match is not None:
        if conn.dialect.name == "postgresql":
            vector = func.liaison_search_vector(V.c.raw)
            tsquery = func.websearch_to_tsquery(literal_column("'simple'::regconfig"), query.match)
            parts.append(select(V.c.pk.label("pk"), literal(_TEXT_TIER).label("tier")).where(vector.op("@@")(tsquery)))
        else:
            parts.append(
                select(_FTS.c.rowid.label("pk"), literal(_TEXT_TIER).label("tier")).where(
                    text("object_search MATCH :match").bindparams(match=query.match)
                )
            )
    if not parts:
        return None
    every = union_all(*parts).subquery("every_match")
    return select(every.c.pk, func.min(every.c.tier).label("tier")).group_by(every.c.pk).subquery("matches")


def _statement(conn: Connection, principal: Principal, query: SearchQuery, columns: list, *, without: str = ""):
    """The statement selecting `columns` (and the tier) of the matches, and its order. Relevance:
    the tier (how the name matched), then on PostgreSQL ts_rank (which reads the document alone),
    then the newest. SQLite's bm25() weighs terms by statistics over every indexed version, visible
    or not, so its order would tell a reader about documents it may not see: never used."""
    matches = _matches(conn, query)
    newest = [V.c.modified.desc(), V.c.pk.desc()]
    chosen = {"newest": newest, "oldest": [V.c.modified, V.c.pk], "name": [func.lower(V.c.name), V.c.pk]}
    if matches is None:
        stmt = _filters(principal, query, select(*columns, literal(_TEXT_TIER).label("tier")), without=without)
        return stmt, chosen.get(query.order, newest)
    stmt = select(*columns, matches.c.tier).join_from(V, matches, V.c.pk == matches.c.pk)
    stmt = _filters(principal, query, stmt, without=without)
    if query.order in chosen:
        return stmt, chosen[query.order]
    relevance = [matches.c.tier]
    if conn.dialect.name == "postgresql" and query.match is not None:
        vector = func.liaison_search_vector(V.c.raw)
        tsquery = func.websearch_to_tsquery(literal_column("'simple'::regconfig"), query.match)
        relevance.append(func.ts_rank(vector, tsquery).desc())
    return stmt, [*relevance, *newest]


def count(conn: Connection, principal: Principal, query: SearchQuery) -> int:
    """How many objects (latest visible versions) match."""
    stmt, _order = _statement(conn, principal, query, [V.c.pk])
    return conn.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()


def search(conn: Connection, principal: Principal, query: SearchQuery, *, limit: int, offset: int = 0):
    """A page of matches, best first: rows of (pk, stix_id, type, modified, tlp, name, raw, tier)."""
    stmt, order = _statement(
        conn, principal, query, [V.c.pk, V.c.stix_id, V.c.type, V.c.modified, V.c.tlp, V.c.name, V.c.raw]
    )
    return conn.execute(stmt.order_by(*order).limit(limit).offset(offset)).all()


def among(conn: Connection, principal: Principal, query: SearchQuery, pks: list[int]) -> set[int]:
    """Which of the versions `pks` are matches (a watched search's test of new versions)."""
    stmt, _order = _statement(conn, principal, query, [V.c.pk])
    return set(conn.execute(stmt.where(V.c.pk.in_(sorted(set(pks))))).scalars())


#: The facets a result list is counted by, with at most this many values each.
FACETS = ("type", "tlp", "owner")
FACET_VALUES = 30


def facets(conn: Connection, principal: Principal, query: SearchQuery) -> dict[str, list[tuple[str | None, int]]]:
    """How many matches each type, TLP level and owning organisation has, each counted with the
    other filters applied but not its own (so that the other values of a chosen filter show).
    Owners: organisations holding a match through a holding the reader may see."""
    found: dict[str, list[tuple[str | None, int]]] = {}
    for facet, facet_column in (("type", V.c.type), ("tlp", V.c.tlp)):
        stmt, _order = _statement(conn, principal, query, [V.c.pk, facet_column.label("value")], without=facet)
        inner = stmt.subquery()
        found[facet] = [
            (value, n)
            for value, n in conn.execute(
                select(inner.c.value, func.count())
                .group_by(inner.c.value)
                .order_by(func.count().desc(), inner.c.value)
                .limit(FACET_VALUES)
            )
        ]
    stmt, _order = _statement(conn, principal, query, [V.c.pk], without="owner")
    inner = stmt.subquery()
    h = holding.alias("h_facet")
    found["owner"] = [
        (name, n)
        for name, n in conn.execute(
            select(organization.c.name, func.count(func.distinct(inner.c.pk)))
            .select_from(inner)
            .join(h, and_(h.c.version_pk == inner.c.pk, holding_visible(principal, h)))
            .join(organization, organization.c.id == h.c.org_id)
            .group_by(organization.c.name)
            .order_by(func.count(func.distinct(inner.c.pk)).desc(), organization.c.name)
            .limit(FACET_VALUES)
        )
    ]
    return found
