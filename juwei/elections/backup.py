"""Backup and restore of an embedded (SQLite) juwei database (issue 6).

``backup_database`` copies the database with SQLite's online backup API
(``sqlite3.Connection.backup`` in one step: one read transaction, so the copy is consistent
even while other terminals are writing; they are not blocked, WAL). ``restore_database``
first checks the copy — an SQLite file, a juwei schema this juwei knows, the audit hash chain
whole (``juwei.elections.audit.verify_chain``) and every check registered in
``RESTORE_CHECKS`` (the hook for the fuller ``audit verify``) — and only then copies it over
the target, refusing a target that already holds a juwei community unless ``force``.

PostgreSQL databases are backed up and restored with the server's own tools (``pg_dump``,
``pg_restore``): these functions refuse them with that hint.
"""

import functools
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, func, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.pool import NullPool, StaticPool
from sqlmodel import Session, select

from juwei.elections.audit import verify_chain
from juwei.elections.db import Database, _alembic_config, _known
from juwei.elections.models import Community, Event
from juwei.errors import DatabaseError, InputError, StateError
from juwei.files import create_private
from juwei.i18n import _

RestoreCheck = Callable[[Session], str | None]
"""A check of a backup before restore: returns a reason to refuse it, or None when fine."""

RESTORE_CHECKS: list[RestoreCheck] = []
"""Extra checks run on a backup before it is restored (hook for the fuller ``audit verify``:
append a function taking a read Session and returning a refusal reason or None)."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds: file, schema revision, audit events and communities (counts)."""

    path: Path
    revision: str | None
    events: int
    communities: int


def _pg_hint(location: object) -> DatabaseError:
    return DatabaseError(
        _(
            "{location} is a PostgreSQL database: back it up and restore it with the server's "
            "own tools, e.g. pg_dump --format=custom --file=juwei.dump DBURL and "
            "pg_restore --dbname=DBURL juwei.dump."
        ).format(location=location)
    )


def _sqlite_path(db: Database) -> Path:
    if not db.is_sqlite:
        raise _pg_hint(db.location)
    if not db.location or db.location == ":memory:":
        raise DatabaseError(_("An in-memory database cannot be backed up."))
    return Path(db.location)


def backup_database(db: Database, out: Path) -> BackupInfo:
    """Copy the SQLite database of ``db`` to ``out`` (a new file), consistently, while other
    terminals may be writing. Raises ``InputError`` when ``out`` exists (never overwritten),
    ``DatabaseError`` for PostgreSQL (with the pg_dump hint)."""
    source = _sqlite_path(db)
    if out.exists():
        raise InputError(_("the file already exists; give a new file name"), file=str(out))
    if out.resolve() == source.resolve():
        raise InputError(_("refusing to write over the database itself"), file=str(out))
    if not out.parent.is_dir():
        raise InputError(_("no such folder"), file=str(out.parent))
    partial = out.with_name(out.name + ".partial")
    try:
        create_private(partial)  # the whole roll: readable by its owner only (POSIX)
    except OSError as error:
        raise InputError(
            _("cannot write here: {reason}").format(reason=error.strerror or error), file=str(out)
        ) from None
    src = sqlite3.connect(f"file:{source.as_posix()}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # one step: one consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    os.replace(partial, out)
    return inspect_backup(out)


SchemaObjects = dict[tuple[str, str], str]
"""``(type, name)`` → normalised SQL of every table, index, trigger and view of a database."""


def _schema_objects(conn: Connection) -> SchemaObjects:
    rows = conn.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    ).all()
    return {
        (str(kind), str(name)): _normalised(str(kind), str(sql or "")) for kind, name, sql in rows
    }


def _normalised(kind: str, sql: str) -> str:
    """``sql`` with runs of white space made one space; for a table, its column and
    constraint clauses sorted (a migration that rebuilds a table may write its foreign keys
    in another order: the same table)."""
    text = " ".join(sql.split())
    if kind != "table" or "(" not in text:
        return text
    head, _sep, body = text.partition("(")
    body = body[: body.rfind(")")]
    clauses, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            clauses.append(body[start:i].strip())
            start = i + 1
    clauses.append(body[start:].strip())
    return head + "(" + ", ".join(sorted(clauses)) + ")"


@functools.lru_cache(maxsize=4)
def reference_schema(revision: str) -> SchemaObjects:
    """The schema juwei itself creates at ``revision``: an empty SQLite database in memory
    migrated to it, read back from ``sqlite_master``."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        with engine.begin() as conn:
            cfg = _alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        with engine.connect() as conn:
            return _schema_objects(conn)
    finally:
        engine.dispose()


def schema_difference(found: SchemaObjects, expected: SchemaObjects) -> str | None:
    """Why ``found`` is not exactly juwei's schema ``expected``, naming the first object
    (table, index, trigger or view) that is extra, missing or different; None when equal
    (issue 11: a restored database must hold nothing juwei did not create, such as a hidden
    trigger that changes a count)."""
    for key in sorted(found.keys() - expected.keys()):
        return _(
            "not a juwei backup: it holds the {kind} {name}, which juwei never creates"
        ).format(kind=key[0], name=key[1])
    for key in sorted(expected.keys() - found.keys()):
        return _("not a juwei backup: the {kind} {name} of juwei's schema is missing").format(
            kind=key[0], name=key[1]
        )
    for key in sorted(found):
        if found[key] != expected[key]:
            return _("not a juwei backup: the {kind} {name} differs from juwei's schema").format(
                kind=key[0], name=key[1]
            )
    return None


def inspect_backup(path: Path) -> BackupInfo:
    """Check a backup file without changing it: an SQLite file with a juwei schema this juwei
    knows, its audit chain whole, and every ``RESTORE_CHECKS`` passing. Raises
    ``InputError`` (exit 3) naming the file and the reason otherwise."""
    if not path.is_file():
        raise InputError(_("no such file"), file=str(path))
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise InputError(_("not a juwei backup (not an SQLite file)"), file=str(path))
    engine = create_engine(
        f"sqlite:///file:{path.resolve().as_posix()}?mode=ro&uri=true", poolclass=NullPool
    )
    try:
        with engine.connect() as conn:
            from alembic.runtime.migration import MigrationContext
            from alembic.script import ScriptDirectory

            revision = MigrationContext.configure(conn).get_current_revision()
            tables = set(inspect(conn).get_table_names())
            if revision is None or "event" not in tables:
                raise InputError(_("not a juwei backup (no juwei schema)"), file=str(path))
            if not _known(ScriptDirectory.from_config(_alembic_config()), revision):
                raise InputError(
                    _("written by a newer juwei (schema {revision})").format(revision=revision),
                    file=str(path),
                )
            wrong = schema_difference(_schema_objects(conn), reference_schema(revision))
            if wrong is not None:
                raise InputError(wrong, file=str(path))
            with Session(bind=conn) as session:
                chain = verify_chain(session)
                if not chain.ok:
                    raise InputError(
                        _("the audit log of the backup is broken: {problem}").format(
                            problem=chain.problem
                        ),
                        file=str(path),
                    )
                for check in RESTORE_CHECKS:
                    reason = check(session)
                    if reason is not None:
                        raise InputError(reason, file=str(path))
                events = int(session.exec(select(func.count()).select_from(Event)).one())
                communities = int(session.exec(select(func.count()).select_from(Community)).one())
    except (sqlite3.DatabaseError, SADatabaseError):
        raise InputError(_("not a juwei backup (damaged SQLite file)"), file=str(path)) from None
    finally:
        engine.dispose()
    return BackupInfo(path, revision, events, communities)


def restore_database(backup: Path, target_url: str, *, force: bool = False) -> BackupInfo:
    """Check ``backup`` (``inspect_backup``) and copy it over the SQLite database at
    ``target_url``, then upgrade it to this juwei's schema.

    Refuses (``StateError``) a target that already holds a juwei community unless ``force``;
    (``DatabaseError``) a PostgreSQL target, with the pg_restore hint. The target is replaced
    whole only after the checks pass; the backup file is never changed.
    """
    info = inspect_backup(backup)
    url = make_url(target_url)
    if url.get_backend_name() != "sqlite":
        raise _pg_hint(url.render_as_string(hide_password=True))
    target = Path(url.database or "")
    if not url.database or url.database == ":memory:":
        raise DatabaseError(_("Give a database file to restore into (--db sqlite:///FILE)."))
    if target.resolve() == backup.resolve():
        raise InputError(_("refusing to restore a file over itself"), file=str(backup))
    if target.exists() and not force:
        engine = create_engine(f"sqlite:///{target.as_posix()}", poolclass=NullPool)
        try:
            with engine.connect() as conn:
                has_data = "community" in set(inspect(conn).get_table_names()) and bool(
                    conn.execute(select(func.count()).select_from(Community)).scalar_one()
                )
        except Exception:  # not even an SQLite file: never overwritten without --force
            has_data = True
        finally:
            engine.dispose()
        if has_data:
            raise StateError(
                _(
                    "{target} already holds a juwei database; restoring would replace it. "
                    "Back it up first, then give --force."
                ).format(target=target)
            )
    src = sqlite3.connect(f"file:{backup.resolve().as_posix()}?mode=ro", uri=True)
    try:
        if not target.exists():
            create_private(target)
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    Database(f"sqlite:///{target.as_posix()}").close()  # upgrade to this juwei's schema
    return info
