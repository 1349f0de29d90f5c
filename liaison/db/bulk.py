"""Bulk inserts inside the caller's transaction: COPY on PostgreSQL, executemany on SQLite.

SQLAlchemy's per-row parameter processing dominates large imports; these go straight to the
driver, which both databases run many times faster, and still roll back with the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert `rows` (tuples in `columns` order) into `table`."""
    names = ", ".join(table.c[name].name for name in columns)
    driver = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    cursor = driver.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
    finally:
        cursor.close()


def upsert(conn: Connection, table: Table):
    """An INSERT of the connection's dialect, which has ON CONFLICT (both databases spell it alike)."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)
