"""Files that hold personal data are created readable by their owner only (POSIX, issue 11):
the database, a backup, the roll export (full ID numbers) and the rejected-rows file."""

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.cli import app
from tests.conftest import id_number, write_csv

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def test_personal_files_are_owner_only(tmp_path: Path, runner: CliRunner) -> None:
    old = os.umask(0o022)  # an ordinary umask: files would be world-readable
    try:
        db = tmp_path / "juwei.db"
        base = ["--db", f"sqlite:///{db}", "--operator", "t"]
        result = runner.invoke(app, [*base, "init", "钱牌社区", "--charter", "qianpai"])
        assert result.exit_code == 0, result.stderr
        assert private(db)
        roll = write_csv(
            tmp_path / "roll.csv",
            [["张三", id_number("19800101", "011"), "H1", "第1组"], ["李四", "123", "H1", "第1组"]],
        )
        result = runner.invoke(
            app, [*base, "roll", "import", str(roll), "--as-of", "2026-12-20", "--skip-invalid"]
        )
        assert result.exit_code == 0, result.stdout + result.stderr
        assert private(tmp_path / "roll.rejected.csv")
        result = runner.invoke(app, [*base, "roll", "export", "--out", str(tmp_path / "e.csv")])
        assert result.exit_code == 0, result.stderr
        assert "keep this file safe" in result.stdout
        assert private(tmp_path / "e.csv")
        result = runner.invoke(app, [*base, "backup", "--out", str(tmp_path / "b.db")])
        assert result.exit_code == 0, result.stderr
        assert private(tmp_path / "b.db")
    finally:
        os.umask(old)
