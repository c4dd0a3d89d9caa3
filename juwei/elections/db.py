"""Opening the database: engine, per-dialect hooks, write transactions, migrations on start.

The embedded default is SQLite (``sqlite:///juwei.db`` in the current folder); a street office
or district uses PostgreSQL (``postgresql+psycopg://USER:PASS@HOST/DB``) with the same code.

Writers queue, on both backends, so that several terminals entering ballots at once never
fail half-way and never read a stale audit-chain head:

- SQLite: every connection turns foreign keys on, uses WAL and ``synchronous=NORMAL``; every
  write transaction starts with ``BEGIN IMMEDIATE`` (the file's single writer lock), waiting
  up to ``BUSY_TIMEOUT_S`` seconds (see engineering-notes.md).
- PostgreSQL: every write transaction (READ COMMITTED) first takes a transaction-level
  advisory lock for the schema (``pg_advisory_xact_lock``), waiting up to ``BUSY_TIMEOUT_S``
  seconds (``lock_timeout``). Every statement after the lock sees everything committed before
  it, so read-then-write code (the audit chain head, "has this voter had a ballot?") behaves
  exactly as under SQLite's single writer. Read sessions are REPEATABLE READ, READ ONLY: one
  consistent snapshot that never blocks a writer. Sessions run in UTC.

A writer that waited longer than ``BUSY_TIMEOUT_S`` gets ``DatabaseError`` (exit 4) saying that
another terminal is busy and that nothing was written, so the same command can simply be run
again. A read-only or full database gives ``DatabaseError`` too; the transaction is rolled
back, so nothing already committed is lost.

On open, the schema is upgraded to this juwei's newest migration (Alembic). A database that
is not juwei's (other tables and no juwei schema version), or was written by a newer juwei,
is refused untouched with a clear message.
"""

import importlib.util
import os
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Column, event, inspect
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlmodel import Session, create_engine

from juwei.errors import DatabaseError, InputError
from juwei.files import create_private
from juwei.i18n import _

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_READ_ONLY = "juwei_read_only"


def _busy_timeout() -> int:
    try:
        return max(1, int(os.environ.get("JUWEI_BUSY_TIMEOUT", "30")))
    except ValueError:
        return 30


BUSY_TIMEOUT_S = _busy_timeout()
"""Seconds a writer waits for another terminal's write transaction before giving up
(``JUWEI_BUSY_TIMEOUT``, default 30)."""
_PG_LOCK_CLASS = 0x4A57  # "JW": first key of juwei's advisory lock (second: the schema)


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest migration revision this juwei knows."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _install_postgresql_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SET TIME ZONE 'UTC'")
        finally:
            cursor.close()
            dbapi_connection.autocommit = autocommit

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_READ_ONLY):
            return
        # One writer at a time per juwei schema, like SQLite's BEGIN IMMEDIATE.
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{BUSY_TIMEOUT_S}s'")
        conn.exec_driver_sql(
            f"SELECT pg_advisory_xact_lock({_PG_LOCK_CLASS}, hashtext(current_schema()))"
        )


# Text columns that hold JSON written by juwei itself (escaped, any length): not free text.
JSON_COLUMNS = frozenset({"payload", "canonical_json", "outcome", "reading", "votes", "plan"})
# The one limit of a free-text column without a declared length (reasons, decisions, a
# defence), the same on every backend.
TEXT_LIMIT = 20_000


def check_stored_text(table: str, column: Column[Any], value: object) -> None:
    """Refuse, before anything is written, a text that cannot be stored alike on every
    backend or shown safely (issue 11): longer than its column's declared length (free
    text without one: :data:`TEXT_LIMIT`), or holding control characters (NUL, terminal
    escape sequences …; free text may hold line breaks and tabs). ``InputError`` names the
    field (``table.column``) and the reason."""
    if not isinstance(value, str) or column.key in JSON_COLUMNS:
        return
    field = f"{table}.{column.key}"
    length = getattr(column.type, "length", None)  # String, sqlmodel's AutoString
    limit = length if isinstance(length, int) else TEXT_LIMIT
    if len(value) > limit:
        raise InputError(
            _("{field}: at most {length} characters fit, {given} given").format(
                field=field, length=limit, given=len(value)
            )
        )
    allowed = "" if isinstance(length, int) else "\n\r\t"
    for ch in value:
        if (unicodedata.category(ch) == "Cc" and ch not in allowed) or ch in _INVISIBLE:
            raise InputError(
                _("{field}: control character U+{code:04X} is not allowed in text").format(
                    field=field, code=ord(ch)
                )
            )


# Format characters that reorder or hide text on screen (bidi overrides and isolates).
_INVISIBLE = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@event.listens_for(Session, "before_flush")
def _check_lengths(session: Session, _context: Any, _instances: Any) -> None:
    """Refuse text longer than its column or holding control characters, on every backend
    alike (PostgreSQL enforces VARCHAR lengths, SQLite does not): ``InputError`` naming the
    field, nothing written (see :func:`check_stored_text`)."""
    for obj in (*session.new, *session.dirty):
        mapper = sa_inspect(obj.__class__)
        for column in mapper.columns:
            check_stored_text(mapper.local_table.name, column, getattr(obj, column.key, None))


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


class Database:
    """An open juwei database. Use ``write()`` for a change (one transaction) and ``read()``.

    ``url``: an SQLAlchemy URL (``sqlite:///path``, ``postgresql+psycopg://…``;
    ``postgresql://`` means psycopg). With ``create=False`` a missing SQLite file, or a
    PostgreSQL database (schema) without any table, is an error instead of a new database.
    Raises ``DatabaseError`` when the URL is malformed, the file is not a juwei database, or
    it was written by a newer juwei.
    """

    def __init__(self, url: str, *, migrate: bool = True, create: bool = True) -> None:
        self.url = url
        self.create = create
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError):
            raise DatabaseError(_("Not a database URL: {url}").format(url=url)) from None
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")  # the driver juwei ships with
            url = parsed.render_as_string(hide_password=False)
        self.backend = parsed.get_backend_name()
        self.is_sqlite = self.backend == "sqlite"
        self.is_postgresql = self.backend == "postgresql"
        if not (self.is_sqlite or self.is_postgresql):
            raise DatabaseError(
                _("juwei runs on SQLite or PostgreSQL, not on {backend}.").format(
                    backend=self.backend
                )
            )
        if self.is_postgresql and importlib.util.find_spec("psycopg") is None:
            raise DatabaseError(
                _(
                    "PostgreSQL needs its driver, an optional part of juwei: "
                    'pip install "juwei[postgres]"'
                )
            )
        self.location = (
            parsed.database if self.is_sqlite else parsed.render_as_string(hide_password=True)
        )
        file_path = parsed.database
        if self.is_sqlite and file_path and str(parsed.query.get("uri", "")).lower() == "true":
            # sqlite:///file:PATH?mode=ro&uri=true (a read-only view of the file)
            file_path = file_path.removeprefix("file:").split("?", 1)[0]
            self.location = file_path
        if self.is_sqlite and file_path and file_path != ":memory:":
            folder = Path(file_path).resolve().parent
            if not folder.is_dir():
                raise DatabaseError(
                    _("The folder of the database does not exist: {folder}").format(folder=folder)
                )
            if not create and not Path(file_path).exists():
                raise DatabaseError(
                    _(
                        "There is no juwei database at {location}. Create one with: "
                        "juwei init NAME --charter PROFILE (or give --db)."
                    ).format(location=file_path)
                )
            if create and not Path(file_path).exists():
                try:  # the roll lives here: readable by its owner only (POSIX), issue 11
                    create_private(Path(file_path))
                except OSError as error:
                    raise DatabaseError(
                        _("Cannot create the database {location}: {reason}").format(
                            location=file_path, reason=error.strerror or error
                        )
                    ) from None
        try:
            self.engine = create_engine(url)
        except (ArgumentError, ImportError, ValueError) as error:
            raise DatabaseError(
                _("Cannot use the database URL {url}: {reason}").format(
                    url=parsed.render_as_string(hide_password=True), reason=error
                )
            ) from None
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine)
        else:
            _install_postgresql_hooks(self.engine)
        if migrate:
            try:
                self.upgrade()
            except BaseException:
                self.engine.dispose()  # a refused database keeps no connection open
                raise

    def close(self) -> None:
        """Release every connection (call before deleting or copying the file)."""
        self.engine.dispose()

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commits at the end of the block, rolls back on any error.

        Waits for another terminal's write transaction (up to ``BUSY_TIMEOUT_S`` seconds).
        Raises ``DatabaseError`` when the wait was too long (nothing written: run the command
        again), the database is read-only or the disk is full (rolled back).
        """
        with self._busy_guard(), Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (deferred BEGIN on SQLite: does not block writers)."""
        conn = self.engine.connect().execution_options(**{_READ_ONLY: True})
        if self.is_postgresql:
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        try:
            with Session(bind=conn) as session:
                yield session
        finally:
            conn.close()

    # -- migrations ---------------------------------------------------------------------
    def current_revision(self) -> str | None:
        """The schema revision stored in the database (None for an empty database)."""
        with self._guard(), self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def upgrade(self) -> None:
        """Bring the schema to this juwei's newest migration, or refuse the database.

        The check reads only; a write transaction (and, on SQLite, switching the file to
        WAL) happens only once the file is known to be juwei's and needs it, so a foreign
        file is left byte-for-byte untouched and read commands never wait for a writer.
        """
        script = ScriptDirectory.from_config(_alembic_config())
        with self._guard(), self.engine.connect().execution_options(**{_READ_ONLY: True}) as conn:
            current = MigrationContext.configure(conn).get_current_revision()
            up_to_date = current is not None and current == script.get_current_head()
        if up_to_date:
            self._ensure_wal()
            return
        with self._guard(), self.engine.begin() as conn:
            tables = set(inspect(conn).get_table_names())
            current = MigrationContext.configure(conn).get_current_revision()
            if not tables and not self.create:
                raise DatabaseError(
                    _(
                        "There is no juwei database at {location}. Create one with: "
                        "juwei init NAME --charter PROFILE (or give --db)."
                    ).format(location=self.location)
                )
            if current is None and tables - {"alembic_version"}:
                raise DatabaseError(
                    _("{location} is not a juwei database (it has other tables: {tables}).").format(
                        location=self.location, tables=", ".join(sorted(tables)[:5])
                    )
                )
            if current is not None and not _known(script, current):
                raise DatabaseError(
                    _(
                        "{location} was written by a newer juwei (schema {current}); "
                        "this juwei knows schema {head}. Install the newer juwei."
                    ).format(location=self.location, current=current, head=head_revision())
                )
            if current != script.get_current_head():
                cfg = _alembic_config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        self._ensure_wal()

    def _ensure_wal(self) -> None:
        """Switch a juwei SQLite file to WAL (persistent in the file; once is enough)."""
        if not self.is_sqlite or self.location in (None, "", ":memory:"):
            return
        with self._guard():
            raw = self.engine.raw_connection()  # no transaction open: PRAGMA may change mode
            try:
                cursor = raw.cursor()
                mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    cursor.execute("PRAGMA journal_mode=WAL")
                cursor.close()
            finally:
                raw.close()

    @contextmanager
    def _busy_guard(self) -> Iterator[None]:
        """Turn "another writer is busy", read-only and disk-full failures into DatabaseError."""
        try:
            yield
        except Exception as error:
            # SQLAlchemy's errors, and the DBAPI's own (bulk_insert uses the raw cursor)
            dbapi = isinstance(error, sqlite3.DatabaseError) or hasattr(error, "sqlstate")
            if not (isinstance(error, SADatabaseError) or dbapi):
                raise
            message = _classify(error, self.location)
            if message is None:
                raise
            raise DatabaseError(message) from None

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except DatabaseError:
            raise
        except (SADatabaseError, sqlite3.DatabaseError) as error:
            orig = getattr(error, "orig", error)
            text = str(orig)
            if "file is not a database" in text or "not a database" in text:
                raise DatabaseError(
                    _("{location} is not a juwei database (not an SQLite file).").format(
                        location=self.location
                    )
                ) from None
            message = (
                _classify(error, self.location) if isinstance(error, SADatabaseError) else None
            )
            if message is not None:
                raise DatabaseError(message) from None
            if self.is_postgresql and "connection" in text and "failed" in text:
                raise DatabaseError(
                    _("Cannot connect to the PostgreSQL server for {location}: {reason}").format(
                        location=self.location, reason=text.strip().splitlines()[-1]
                    )
                ) from None
            raise DatabaseError(
                _("Cannot open the database {location}: {reason}").format(
                    location=self.location, reason=text
                )
            ) from None


def _classify(error: BaseException, location: object) -> str | None:
    """A clear message for the failures a clerk can act on, or None for any other error.

    Busy (SQLite "database is locked", PostgreSQL lock timeout / serialization failure /
    deadlock), read-only database, full disk. In each case the transaction was rolled back.
    """
    text = str(getattr(error, "orig", error))
    lowered = text.lower()
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None)
    if (
        "database is locked" in lowered
        or "lock timeout" in lowered
        or sqlstate in ("55P03", "40001", "40P01")
    ):
        return _(
            "The database is busy: another terminal has been writing for more than {seconds} "
            "seconds. Nothing was written; run the same command again."
        ).format(seconds=BUSY_TIMEOUT_S)
    if "readonly" in lowered.replace(" ", "").replace("-", "") or sqlstate == "25006":
        return _("{location} is read-only: juwei cannot write to it. Nothing was written.").format(
            location=location
        )
    if (
        "database or disk is full" in lowered
        or "no space left" in lowered
        or "disk i/o error" in lowered
        or sqlstate in ("53100", "53000")
    ):
        return _(
            "Cannot write to {location}: the disk is full (or failed). Nothing of this change "
            "was written; what was saved before is kept. Free some space and run the command "
            "again."
        ).format(location=location)
    return None
