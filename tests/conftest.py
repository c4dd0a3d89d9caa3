"""Shared fixtures: English messages by default, a fresh database, roll files, a CLI runner."""

import csv
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import pytest
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


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'juwei.db'}"


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
