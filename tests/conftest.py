"""Shared fixtures: English messages by default, a fresh database, roll files, a CLI runner.

The backend of ``db_url`` / ``db`` comes from the environment: unset, every test gets a fresh
SQLite file in its tmp_path; with ``JUWEI_TEST_PG=postgresql+psycopg://USER:PASS@HOST/DB``
every test gets a fresh, empty PostgreSQL schema in that database (created before the test,
dropped after it; the URL pins it with ``search_path``), and tests marked ``sqlite_only`` are
skipped.
"""

import csv
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy
import sqlalchemy.pool
from typer.testing import CliRunner

from juwei import i18n
from juwei.elections.community import init_community
from juwei.elections.db import Database
from juwei.rules.identity import check_character

HEADERS = ["姓名", "公民身份号码", "户号", "居民小组"]


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


@pytest.fixture
def db_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A URL to a fresh, empty juwei database: SQLite file, or PostgreSQL schema."""
    if not ON_POSTGRESQL:
        yield f"sqlite:///{tmp_path / 'juwei.db'}"
        return
    admin: sqlalchemy.engine.Engine = request.getfixturevalue("pg_admin")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.connect() as conn:
            # connections a test left open (engines, killed subprocesses) must not block the
            # drop: they carry the schema's name as their application_name
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE application_name = '{schema}'"
            )
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")


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
    (``CREATE DATABASE … TEMPLATE`` makes a copy), all dropped by ``close``.
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
                conn.exec_driver_sql(f"CREATE DATABASE {name} STRATEGY FILE_COPY")
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
            conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {source} STRATEGY FILE_COPY")
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
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.admin.dispose()


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[Databases]:
    """A ``Databases`` factory for one test (everything dropped afterwards)."""
    made = Databases(tmp_path)
    yield made
    made.close()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    init_community(database, "钱牌社区", "qianpai", operator="tester")
    yield database
    database.close()


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
