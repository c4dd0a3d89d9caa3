"""Bulk inserts for large batches (a 100,000-voter roll, ballot records) inside a session.

SQLAlchemy's ``session.execute(insert(table), rows)`` spends most of its time building
parameters row by row. ``bulk_insert`` compiles the INSERT once for the session's dialect,
applies each column type's bind processor (so dates and booleans are stored exactly as the
ORM would store them), and hands all rows to the DBAPI cursor's ``executemany`` in the same
transaction. Portable: positional (SQLite ``?``) and named (psycopg ``%(x)s``) paramstyles.
"""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import Session


def bulk_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert ``rows`` (dicts with the same keys) into ``table``; returns the row count."""
    if not rows:
        return 0
    conn = session.connection()
    dialect = conn.dialect
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    processors: dict[str, Callable[[Any], Any] | None] = {
        key: table.c[key].type.bind_processor(dialect) for key in keys
    }
    cursor = conn.connection.cursor()
    try:
        if compiled.positional:
            order = list(compiled.positiontup or [])
            procs = [processors[name] for name in order]
            params: list[Any] = [
                tuple(
                    value if (proc is None or value is None) else proc(value)
                    for proc, value in zip(procs, (row[name] for name in order), strict=True)
                )
                for row in rows
            ]
        else:
            params = [
                {
                    key: value
                    if (processors[key] is None or value is None)
                    else processors[key](value)  # type: ignore[misc]
                    for key, value in row.items()
                }
                for row in rows
            ]
        cursor.executemany(str(compiled), params)
    finally:
        cursor.close()
    return len(rows)
