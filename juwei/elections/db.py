"""Opening the database: engine, SQLite pragmas, write transactions, migrations on start.

The embedded default is SQLite (``sqlite:///juwei.db`` in the current folder). Every
connection turns foreign keys on, uses WAL and ``synchronous=NORMAL``; every write transaction
starts with ``BEGIN IMMEDIATE`` so that concurrent writers queue instead of failing with
"database is locked" half-way (see engineering-notes.md). Queries stay portable to PostgreSQL.

On open, the schema is upgraded to this juwei's newest migration (Alembic). A database that
is not juwei's, or was written by a newer juwei, is refused with a clear message.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlmodel import Session, create_engine

from juwei.errors import DatabaseError
from juwei.i18n import _

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_READ_ONLY = "juwei_read_only"


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
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


class Database:
    """An open juwei database. Use ``write()`` for a change (one transaction) and ``read()``.

    ``url``: an SQLAlchemy URL (``sqlite:///path``, ``postgresql+psycopg://…``). With
    ``create=False`` a missing SQLite file is an error instead of a new database.
    Raises ``DatabaseError`` when the URL is malformed, the file is not a juwei database, or
    it was written by a newer juwei.
    """

    def __init__(self, url: str, *, migrate: bool = True, create: bool = True) -> None:
        self.url = url
        try:
            parsed = make_url(url)
        except (ArgumentError, ValueError):
            raise DatabaseError(_("Not a database URL: {url}").format(url=url)) from None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.location = (
            parsed.database if self.is_sqlite else parsed.render_as_string(hide_password=True)
        )
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).resolve().parent
            if not folder.is_dir():
                raise DatabaseError(
                    _("The folder of the database does not exist: {folder}").format(folder=folder)
                )
            if not create and not Path(parsed.database).exists():
                raise DatabaseError(
                    _(
                        "There is no juwei database at {location}. Create one with: "
                        "juwei init NAME --charter PROFILE (or give --db)."
                    ).format(location=parsed.database)
                )
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
        if migrate:
            self.upgrade()

    def close(self) -> None:
        """Release every connection (call before deleting or copying the file)."""
        self.engine.dispose()

    # -- transactions -------------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commits at the end of the block, rolls back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
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
            if isinstance(error, OperationalError) and "readonly" in text.replace(" ", ""):
                raise DatabaseError(
                    _("{location} is read-only: juwei cannot write to it.").format(
                        location=self.location
                    )
                ) from None
            raise DatabaseError(
                _("Cannot open the database {location}: {reason}").format(
                    location=self.location, reason=text
                )
            ) from None
