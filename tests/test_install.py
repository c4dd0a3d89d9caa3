"""The install (issue 13 §2): PostgreSQL's driver is an optional extra, dependencies bounded."""

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest

from juwei.elections.db import Database
from juwei.errors import DatabaseError

ROOT = Path(__file__).resolve().parent.parent


def test_the_default_install_needs_no_database_driver() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(d.startswith("psycopg") for d in project["dependencies"])
    assert project["optional-dependencies"]["postgres"][0].startswith("psycopg[binary]")


def test_every_dependency_has_version_bounds() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    required = [*project["dependencies"], *project["optional-dependencies"]["postgres"]]
    unbounded = [d for d in required if not (re.search(">=", d) and re.search("<", d))]
    assert unbounded == []


def test_postgresql_without_its_driver_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "psycopg" else real(name, *a)
    )
    with pytest.raises(DatabaseError) as info:
        Database("postgresql://juwei:secret@127.0.0.1/juwei")
    assert 'pip install "juwei[postgres]"' in str(info.value)
    assert "secret" not in str(info.value)
