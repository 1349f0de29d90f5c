"""Full-text search over the latest visible object versions, with filters, counted and paged.

The text index is SQLite's FTS5 table `object_search` or PostgreSQL's expression index over
`liaison_search_vector(raw)` (both built by migration 0003). Every query applies the access
predicate: only versions the principal may see, and of those only each object's latest.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import Connection, column, func, literal_column, select, table, text

from liaison.access.predicate import current, visible_to_org_holding
from liaison.access.principal import Principal
from liaison.db.tables import object_version

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


#: SQLite's relevance (lower is better): names, values and aliases weigh more than descriptions.


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to look for. `match` is the text query in each database's syntax (see
    liaison.intel.search), already checked; None lists everything that passes the filters."""

    match: str | None = None
    types: tuple[str, ...] = ()
    owner_org_id: int | None = None
    tlp: str | None = None  # a TLP level, or "none" for unmarked objects
    modified_from: str | None = None
    modified_until: str | None = None  # exclusive


def _matching(principal: Principal, query: SearchQuery, columns: list):
    """Latest visible, unrevoked versions passing the filters."""
    stmt = select(*columns).where(current(principal))
    if query.owner_org_id is not None:
        stmt = stmt.where(visible_to_org_holding(principal, V.c.pk, query.owner_org_id))
    if query.types:
        stmt = stmt.where(V.c.type.in_(query.types))
    if query.tlp == "none":
        stmt = stmt.where(V.c.tlp.is_(None))
    elif query.tlp:
        stmt = stmt.where(V.c.tlp == query.tlp)
    if query.modified_from:
        stmt = stmt.where(V.c.modified >= query.modified_from)
    if query.modified_until:
        stmt = stmt.where(V.c.modified < query.modified_until)
    return stmt


def _statement(conn: Connection, principal: Principal, query: SearchQuery, columns: list):
    """The statement selecting `columns` of the matches, and its order: on PostgreSQL the best match
    (ts_rank, which reads the document alone) first, then the newest; on SQLite the newest."""
    stmt = _matching(principal, query, columns)
    newest = [V.c.modified.desc(), V.c.pk.desc()]
    if not query.match:
        return stmt, newest
    if conn.dialect.name == "postgresql":
        vector = func.liaison_search_vector(V.c.raw)
        tsquery = func.websearch_to_tsquery(literal_column("'simple'::regconfig"), query.match)
        return stmt.where(vector.op("@@")(tsquery)), [func.ts_rank(vector, tsquery).desc(), *newest]
    # SQLite's bm25() weighs terms by statistics over every indexed version, visible or not, so its
    # order would tell a reader about documents it may not see: newest first instead.
    hits = select(_FTS.c.rowid).where(text("object_search MATCH :match").bindparams(match=query.match)).subquery("hits")
    return stmt.join_from(V, hits, V.c.pk == hits.c.rowid), newest


def count(conn: Connection, principal: Principal, query: SearchQuery) -> int:
    """How many objects (latest visible versions) match."""
    stmt, _order = _statement(conn, principal, query, [V.c.pk])
    return conn.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()


def search(conn: Connection, principal: Principal, query: SearchQuery, *, limit: int, offset: int = 0):
    """A page of matches, best first: rows of (pk, stix_id, type, modified, tlp, name, raw)."""
    stmt, order = _statement(
        conn, principal, query, [V.c.pk, V.c.stix_id, V.c.type, V.c.modified, V.c.tlp, V.c.name, V.c.raw]
    )
    return conn.execute(stmt.order_by(*order).limit(limit).offset(offset)).all()
