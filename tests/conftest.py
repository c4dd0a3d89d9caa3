"""Shared fixtures: English messages by default, a database copied from a template, scenario
snapshots, roll files, a CLI runner, Hypothesis profiles.

The backend of ``db_url`` / ``db`` comes from the environment: unset, SQLite files in the
test's tmp_path; with ``JUWEI_TEST_PG=postgresql+psycopg://USER:PASS@HOST/DB`` PostgreSQL
databases on that server (tests marked ``sqlite_only`` are skipped).

Speed (issue 10 §6): migrating a database costs about a second, so each session (each xdist
worker) migrates one *template* and every test gets a copy of it (SQLite: a file copy;
PostgreSQL: ``CREATE DATABASE … TEMPLATE``). ``db`` is a copy of a migrated database holding
the 钱牌 community; ``db_url`` alone is a copy of a migrated, empty database. Tests of creating
a database (``tests/test_db.py``, and tests marked ``empty_db``) get an empty URL instead.
Whole scenarios (a certified committee, an election at the polls …) are built once per
session by the ``scenario`` fixture and copied into the test's database.

Hypothesis: profile ``dev`` (the default: at most 50 examples a property) or ``ci`` (full
strength, set by ``.ci/run``), chosen by ``HYPOTHESIS_PROFILE``; a test asking for more
examples than the default writes ``max_examples=examples(N)``.
"""

import copy
import csv
import os
import queue
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol, TypeVar, cast

import pytest
import sqlalchemy
import sqlalchemy.exc
import sqlalchemy.pool
from hypothesis import settings
from typer.testing import CliRunner

from juwei import i18n
from juwei.elections.community import init_community
from juwei.elections.db import Database
from juwei.rules.identity import check_character

HEADERS = ["姓名", "公民身份号码", "户号", "居民小组"]
T = TypeVar("T")

settings.register_profile("ci", settings.get_profile("default"))
settings.register_profile("dev", max_examples=50)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")

# The suite's dates were written on this day: an election day before it needs --past
# (issue 11). Fixed here, before any session fixture builds a scenario, so the suite does
# not age as the calendar moves on.
SUITE_TODAY = "2026-12-06"
os.environ["JUWEI_TODAY"] = SUITE_TODAY
settings.load_profile(HYPOTHESIS_PROFILE)


def examples(wanted: int) -> int:
    """``max_examples`` for a property that wants ``wanted``: all of them under the ``ci``
    profile, at most the profile's own number (50) under ``dev``."""
    if HYPOTHESIS_PROFILE == "ci":
        return wanted
    return min(wanted, settings().max_examples)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test runs with English messages unless it switches language itself."""
    monkeypatch.setenv("JUWEI_LANG", "en")
    monkeypatch.delenv("JUWEI_DB", raising=False)
    monkeypatch.delenv("JUWEI_FONT", raising=False)
    monkeypatch.delenv("JUWEI_COMMUNITY", raising=False)
    monkeypatch.setenv("JUWEI_OPERATOR", "tester")
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def id_number(birth: str, seq: str = "001", region: str = "110105") -> str:
    """A valid 18-digit ID number for ``birth`` (YYYYMMDD); odd last seq digit = male."""
    body = f"{region}{birth}{seq}"
    return body + check_character(body)


PG_ENV = "JUWEI_TEST_PG"
PG_URL = os.environ.get(PG_ENV, "").strip()
ON_POSTGRESQL = bool(PG_URL)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, skip the tests that need SQLite itself (file bytes, sqlite3 module)."""
    if not ON_POSTGRESQL:
        return
    skip = pytest.mark.skip(reason=f"needs SQLite itself ({PG_ENV} is set)")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


class _Dropper:
    """Drops PostgreSQL test databases in a background thread, so no test waits for it.

    ``DROP DATABASE`` waits for a checkpoint of the whole server, seconds when the server is
    busy. ``WITH (FORCE)``: connections a test left open (engines, killed subprocesses) do not
    block the drop. ``finish`` (at the end of the session) waits until all are dropped.
    """

    def __init__(self) -> None:
        self.names: queue.Queue[str | None] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.failures: list[str] = []

    def drop(self, name: str) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="drop-databases", daemon=True)
            self.thread.start()
        self.names.put(name)

    def _run(self) -> None:
        engine = sqlalchemy.create_engine(
            _pg_admin_url(), isolation_level="AUTOCOMMIT", poolclass=sqlalchemy.pool.NullPool
        )
        while (name := self.names.get()) is not None:
            try:
                with engine.connect() as conn:
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            except sqlalchemy.exc.SQLAlchemyError as error:
                self.failures.append(f"{name}: {error}")
        engine.dispose()

    def finish(self) -> None:
        if self.thread is not None:
            self.names.put(None)
            self.thread.join()
            self.thread = None
        if self.failures:
            raise RuntimeError("test databases not dropped: " + "; ".join(self.failures))


DROPPER = _Dropper()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    DROPPER.finish()


def _pg_admin_url() -> "sqlalchemy.engine.URL":
    url = sqlalchemy.engine.make_url(PG_URL)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


@pytest.fixture(scope="session")
def pg_admin() -> Iterator["sqlalchemy.engine.Engine"]:
    """An autocommit engine on the test database of ``JUWEI_TEST_PG`` (PostgreSQL runs only)."""
    engine = sqlalchemy.create_engine(
        _pg_admin_url(), isolation_level="AUTOCOMMIT", poolclass=sqlalchemy.pool.NullPool
    )
    yield engine
    engine.dispose()


def _pg_schema_url(schema: str) -> str:
    url = _pg_admin_url().update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    return url.render_as_string(hide_password=False)


def database_exists(db_url: str) -> bool:
    """Whether anything was created at ``db_url``: the SQLite file, or any PostgreSQL table."""
    url = sqlalchemy.engine.make_url(db_url)
    if url.get_backend_name() == "sqlite":
        return Path(url.database or "").exists()
    engine = sqlalchemy.create_engine(db_url, poolclass=sqlalchemy.pool.NullPool)
    try:
        with engine.connect() as conn:
            return bool(sqlalchemy.inspect(conn).get_table_names())
    finally:
        engine.dispose()


class Databases:
    """More fresh databases than ``db_url`` gives, and copies of one (e.g. Hypothesis cases).

    SQLite: files in ``folder``; PostgreSQL: databases in the server of ``JUWEI_TEST_PG``
    (``CREATE DATABASE … TEMPLATE`` makes a copy), all dropped by ``close``. Copies use
    PostgreSQL 15's default strategy, WAL_LOG: FILE_COPY forces a checkpoint of the whole
    server, which on a busy server costs seconds per copy (and per drop).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.created: list[str] = []
        self.schemas: list[str] = []
        self.admin = (
            sqlalchemy.create_engine(
                _pg_admin_url(), isolation_level="AUTOCOMMIT", poolclass=sqlalchemy.pool.NullPool
            )
            if ON_POSTGRESQL
            else None
        )

    def _name(self) -> str:
        name = f"juwei_t_{uuid.uuid4().hex[:16]}"
        self.created.append(name)
        return name

    def new(self, *, copyable: bool = False) -> str:
        """The URL of a fresh, empty database; on PostgreSQL a schema (fast), or a whole
        database when ``copyable`` (``copy`` needs one)."""
        name = self._name()
        if self.admin is None:
            return f"sqlite:///{self.folder / (name + '.db')}"
        with self.admin.connect() as conn:
            if copyable:
                conn.exec_driver_sql(f"CREATE DATABASE {name}")
                return _pg_admin_url().set(database=name).render_as_string(hide_password=False)
            conn.exec_driver_sql(f"CREATE SCHEMA {name}")
            self.schemas.append(name)
        return _pg_schema_url(name)

    def copy(self, url: str) -> str:
        """A copy of the database at ``url`` (made by ``new``; no connection may be open)."""
        source = sqlalchemy.engine.make_url(url).database
        assert source is not None
        name = self._name()
        if self.admin is None:
            shutil.copy(source, self.folder / (name + ".db"))
            return f"sqlite:///{self.folder / (name + '.db')}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {source}")
        return _pg_admin_url().set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        if self.admin is None:
            return
        with self.admin.connect() as conn:
            for name in reversed(self.created):
                if name in self.schemas:
                    conn.exec_driver_sql(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        f"WHERE application_name = '{name}'"
                    )
                    conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
                else:
                    DROPPER.drop(name)
        self.admin.dispose()


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[Databases]:
    """A ``Databases`` factory for one test (everything dropped afterwards)."""
    made = Databases(tmp_path)
    yield made
    made.close()


def _named_url(name: str) -> str:
    """The URL of database ``name`` on the test server; its connections carry the name as
    their application_name (so a test can find them in pg_stat_activity)."""
    url = _pg_admin_url().set(database=name).update_query_dict({"application_name": name})
    return url.render_as_string(hide_password=False)


class Templates:
    """One session's (one xdist worker's) template databases and scenario snapshots.

    ``migrated``: the newest schema, no community; ``initialised``: plus the 钱牌 community
    that the ``db`` fixture promises. A scenario is ``build(db, folder)`` run once on a copy
    of ``initialised``; its database, the files it wrote in ``folder`` and its return value are
    kept and handed to every test that asks for it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.databases = Databases(folder)
        self._migrated: str | None = None
        self._initialised: str | None = None
        self.scenarios: dict[str, tuple[str, Path, object]] = {}

    @property
    def migrated(self) -> str:
        if self._migrated is None:
            url = self.databases.new(copyable=True)
            Database(url).close()
            self._migrated = url
        return self._migrated

    @property
    def initialised(self) -> str:
        if self._initialised is None:
            url = self.databases.copy(self.migrated)
            database = Database(url)
            init_community(database, "钱牌社区", "qianpai", operator="tester")
            database.close()
            self._initialised = url
        return self._initialised

    def scenario(self, build: Callable[[Database, Path], T]) -> tuple[str, Path, T]:
        """The snapshot of ``build`` (made on first use): URL, folder of files, value."""
        key = f"{build.__module__}.{build.__qualname__}"
        if key not in self.scenarios:
            url = self.databases.copy(self.initialised)
            folder = self.folder / f"scenario-{len(self.scenarios)}"
            folder.mkdir()
            database = Database(url)
            try:
                value: object = build(database, folder)
            finally:
                database.close()
            self.scenarios[key] = (url, folder, value)
        url, folder, value = self.scenarios[key]
        return url, folder, cast("T", copy.deepcopy(value))

    def copy_into(self, source: str, target: str) -> None:
        """Make the (closed) database at ``target`` a copy of ``source`` (made here)."""
        if self.databases.admin is None:
            target_file = Path(sqlalchemy.engine.make_url(target).database or "")
            for stale in (target_file, *(Path(f"{target_file}{x}") for x in ("-wal", "-shm"))):
                stale.unlink(missing_ok=True)
            _copy_sqlite(source, target_file)
            return
        name = sqlalchemy.engine.make_url(target).database
        template = sqlalchemy.engine.make_url(source).database
        with self.databases.admin.connect() as conn:
            if name is not None and not name.startswith("juwei_t_"):
                raise AssertionError(f"not a test database: {name}")
            # set aside and dropped in the background (a drop waits for a checkpoint); the
            # server's own workers (autovacuum) cannot be ended by us: then drop it here
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{name}' AND usename = current_user"
            )
            aside = f"juwei_t_{uuid.uuid4().hex[:16]}"
            try:
                conn.exec_driver_sql(f"ALTER DATABASE {name} RENAME TO {aside}")
                DROPPER.drop(aside)
            except sqlalchemy.exc.DBAPIError:
                conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
            conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {template}")


def _copy_sqlite(source: str, target: Path) -> None:
    source_file = sqlalchemy.engine.make_url(source).database
    assert source_file is not None
    shutil.copy(source_file, target)
    if Path(source_file + "-wal").exists():  # a closed juwei file has none; be safe anyway
        shutil.copy(source_file + "-wal", f"{target}-wal")


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """This session's templates and scenario snapshots (per xdist worker)."""
    made = Templates(tmp_path_factory.mktemp("templates"))
    yield made
    made.databases.close()


@pytest.fixture
def db_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL to this test's own database: a copy of the migrated template (holding the 钱牌
    community when the test also uses ``db``), or an empty database in ``tests/test_db.py``
    and for tests marked ``empty_db``."""
    empty = request.node.get_closest_marker("empty_db") is not None or (
        request.node.path.name == "test_db.py"
    )
    source: str | None = None
    if not empty:
        made: Templates = request.getfixturevalue("templates")
        source = made.initialised if "db" in request.fixturenames else made.migrated
    if not ON_POSTGRESQL:
        target = tmp_path / "juwei.db"
        if source is not None:
            _copy_sqlite(source, target)
        yield f"sqlite:///{target}"
        return
    admin: sqlalchemy.engine.Engine = request.getfixturevalue("pg_admin")
    name = f"juwei_t_{uuid.uuid4().hex[:16]}"
    with admin.connect() as conn:
        if source is None:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        else:
            template = sqlalchemy.engine.make_url(source).database
            conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield _named_url(name)
    finally:
        DROPPER.drop(name)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """The test's database (``db_url``), opened, holding the community 钱牌社区 (qianpai)."""
    database = Database(db_url)
    yield database
    database.close()


class Scenario(Protocol):
    """The ``scenario`` fixture's type."""

    def __call__(self, build: Callable[[Database, Path], T]) -> T: ...


@pytest.fixture
def scenario(templates: Templates, db: Database, db_url: str, tmp_path: Path) -> Scenario:
    """``scenario(build)``: the test's database becomes a copy of what ``build(db, folder)``
    made (built once per session, keyed by the function's module and name); the files it wrote
    in ``folder`` are copied into ``tmp_path``; returns a copy of its value. ``build`` must be
    a module-level function that depends on nothing but its arguments."""

    def use(build: Callable[[Database, Path], T]) -> T:
        url, folder, value = templates.scenario(build)
        db.close()
        templates.copy_into(url, db_url)
        for item in folder.iterdir():
            if item.is_file() and not (tmp_path / item.name).exists():
                shutil.copy(item, tmp_path / item.name)
        return value

    return use


def write_csv(
    path: Path,
    rows: Sequence[Sequence[object]],
    headers: Sequence[str] = HEADERS,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


ELECTION_DAY = date(2026, 12, 20)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
