"""Bulk inserts for large batches (a 100,000-voter roll, ballot records) inside a session.

SQLAlchemy's ``session.execute(insert(table), rows)`` spends most of its time building
parameters row by row. ``bulk_insert`` compiles the INSERT once for the session's dialect,
applies each column type's bind processor (so dates and booleans are stored exactly as the
ORM would store them), and hands all rows to the DBAPI cursor's ``executemany`` in the same
transaction. Portable: positional (SQLite ``?``) and named paramstyles; on PostgreSQL the
rows are streamed with ``COPY … FROM STDIN`` (psycopg), in the same transaction.
"""

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Table, insert
from sqlmodel import Session


def _is_text(column: Any) -> bool:
    try:
        return column.type.python_type is str
    except NotImplementedError:
        return False


def bulk_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert ``rows`` (dicts with the same keys) into ``table``; returns the row count."""
    if not rows:
        return 0
    from juwei.elections.db import check_stored_text

    keys = list(rows[0])
    texts = [table.c[name] for name in keys if _is_text(table.c[name])]
    for row in rows:  # one limit and no control characters, as for the ORM (issue 11)
        for column in texts:
            check_stored_text(table.name, column, row[column.key])
    conn = session.connection()
    dialect = conn.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    order = list(compiled.positiontup or []) if compiled.positional else keys
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for i, name in enumerate(order):
        column_type = table.c[name].type
        if dialect.name == "sqlite" and isinstance(column_type, Boolean):
            continue  # sqlite3 stores True/False as 1/0 itself, exactly as the processor does
        proc = column_type.bind_processor(dialect)
        if proc is not None:
            processors.append((i, proc))
    pick = itemgetter(*order)
    tuples: list[Any] = [pick(row) if len(order) > 1 else (pick(row),) for row in rows]
    if processors:
        converted = []
        for values in tuples:
            out = list(values)
            for i, convert in processors:
                if out[i] is not None:
                    out[i] = convert(out[i])
            converted.append(out)
        tuples = converted
    if dialect.name == "postgresql":
        # COPY: one stream instead of one round trip per row (executemany): about 10× faster
        quote = dialect.identifier_preparer
        columns = ", ".join(quote.quote(name) for name in order)
        cursor = conn.connection.cursor()
        try:
            with cursor.copy(f"COPY {quote.format_table(table)} ({columns}) FROM STDIN") as copy:
                for values in tuples:
                    copy.write_row(values)
        finally:
            cursor.close()
        return len(rows)
    params: list[Any] = (
        [tuple(v) for v in tuples]
        if compiled.positional
        else [dict(zip(order, v, strict=True)) for v in tuples]
    )
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(str(compiled), params)
    finally:
        cursor.close()
    return len(rows)
