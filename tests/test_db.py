"""The database: migrations on start, SQLite settings, refusing foreign or newer databases.

Backend-neutral tests use ``db_url`` (SQLite file or PostgreSQL schema, see conftest.py).
"""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from juwei.elections.db import Database, _alembic_config, head_revision
from juwei.errors import DatabaseError


def test_a_new_database_is_created_at_the_newest_schema(db_url: str) -> None:
    db = Database(db_url)
    try:
        assert db.current_revision() == head_revision()
    finally:
        db.close()


def test_migrations_have_one_head_and_match_the_models(db_url: str) -> None:
    script = ScriptDirectory.from_config(_alembic_config())
    assert len(script.get_heads()) == 1
    db = Database(db_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        assert diff == []
    finally:
        db.close()


@pytest.mark.sqlite_only
def test_sqlite_runs_with_foreign_keys_and_wal(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'fk.db'}")
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        with pytest.raises(IntegrityError), db.write() as s:
            s.execute(text("INSERT INTO residents_group (community_id, name) VALUES (999, 'x')"))
    finally:
        db.close()


def test_foreign_keys_are_enforced(db_url: str) -> None:
    db = Database(db_url)
    try:
        with pytest.raises(IntegrityError), db.write() as s:
            s.execute(text("INSERT INTO residents_group (community_id, name) VALUES (999, 'x')"))
    finally:
        db.close()


@pytest.mark.sqlite_only
def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is a text file, not a database" * 100)
    with pytest.raises(DatabaseError) as caught:
        Database(f"sqlite:///{path}")
    assert "not a juwei database" in str(caught.value)
    assert path.read_bytes().startswith(b"this is a text file")


def test_a_database_of_another_program_is_refused_untouched(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE customers (id INTEGER PRIMARY KEY)"))
        with pytest.raises(DatabaseError) as caught:
            Database(db_url)
        assert "not a juwei database" in str(caught.value) and "customers" in str(caught.value)
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == ["customers"]
    finally:
        engine.dispose()


def test_a_database_from_a_newer_juwei_is_refused(db_url: str) -> None:
    Database(db_url).close()
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    finally:
        engine.dispose()
    with pytest.raises(DatabaseError) as caught:
        Database(db_url)
    assert "newer juwei" in str(caught.value) and "9999_future" in str(caught.value)


@pytest.mark.sqlite_only
def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError) as caught:
        Database(f"sqlite:///{tmp_path / 'nope' / 'j.db'}")
    assert "does not exist" in str(caught.value)


def test_text_longer_than_its_column_is_refused_on_every_backend(db_url: str) -> None:
    """PostgreSQL enforces VARCHAR lengths and SQLite does not: juwei checks them itself."""
    from juwei.elections.community import init_community
    from juwei.errors import InputError

    db = Database(db_url)
    try:
        with pytest.raises(InputError) as caught:
            init_community(db, "钱牌社区", "qianpai", operator="王" * 101)
        assert "event.operator: at most 100 characters fit, 101 given" in str(caught.value)
        init_community(db, "钱牌社区", "qianpai", operator="王" * 100)  # exactly fits
    finally:
        db.close()
