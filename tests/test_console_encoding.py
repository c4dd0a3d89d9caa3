"""A redirected Windows console (GBK code page): output never crashes for its encoding.

Each command runs in a real subprocess with ``PYTHONIOENCODING=gbk`` (what Python uses for a
redirected ``cmd``/PowerShell on a Chinese Windows), on an election whose elected director
is called 刘䶮 and whose deputy is 𠮷 (CJK Extension A and B: not in GBK).
"""

import codecs
import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.audit_election as audit_election
from juwei.commands._common import _replace_unencodable
from juwei.elections.db import Database
from juwei.elections.synthetic import SyntheticVoter, synthetic_roll
from tests.audit_election import certified_election

ROOT = Path(__file__).resolve().parent.parent
RARE = {0: "刘䶮", 2: "𠮷", 4: "王㛃"}


def _rare_roll(*args: object, **kwargs: object) -> Iterator[SyntheticVoter]:
    for n, voter in enumerate(synthetic_roll(*args, **kwargs)):  # type: ignore[arg-type]
        yield dataclasses.replace(voter, name=RARE[n]) if n in RARE else voter


@pytest.fixture
def rare_election(
    db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setattr(audit_election, "synthetic_roll", _rare_roll)
    certified_election(db, tmp_path)
    return db_url


def gbk_run(db_url: str, cwd: Path, *args: str, lang: str = "zh_CN") -> tuple[int, str, str]:
    env = {
        **os.environ,
        "PYTHONIOENCODING": "gbk",
        "PYTHONPATH": str(ROOT),
        "JUWEI_LANG": lang,
        "JUWEI_OPERATOR": "t",
        "COLUMNS": "120",
    }
    done = subprocess.run(
        [sys.executable, "-m", "juwei", "--db", db_url, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=120,
    )
    return done.returncode, done.stdout.decode("gbk"), done.stderr.decode("gbk")


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_results_audit_and_roll_print_on_a_gbk_console(
    rare_election: str, tmp_path: Path, lang: str
) -> None:
    for args in (("results", "show"), ("audit", "verify"), ("roll", "list")):
        code, out, err = gbk_run(rare_election, tmp_path, *args, lang=lang)
        assert code == 0, (args, err)
        assert "Traceback" not in err and "UnicodeEncodeError" not in err
        if args != ("audit", "verify"):
            # the missing characters are replaced, the rest of each name kept
            assert "刘？" in out and "王？" in out, out
            assert "䶮" not in out


def test_roll_list_json_on_a_gbk_console(rare_election: str, tmp_path: Path) -> None:
    code, out, err = gbk_run(rare_election, tmp_path, "roll", "list", "--json")
    assert code == 0, err
    assert '"刘？"' in out


def test_demo_on_a_gbk_console(tmp_path: Path) -> None:
    code, out, err = gbk_run(
        "sqlite:///unused.db", tmp_path, "demo", "--voters", "300", "--out", str(tmp_path / "d")
    )
    assert code == 0, err
    assert "> 共 300 名选民" in out and "选票" in out


def test_error_messages_on_a_gbk_console(rare_election: str, tmp_path: Path) -> None:
    code, _out, err = gbk_run(rare_election, tmp_path, "roll", "show", "𠮷𠮷")
    assert code in (3, 5), err
    assert err.startswith("错误") and "Traceback" not in err


def test_replacement_keeps_width_and_prefers_known_symbols() -> None:
    assert codecs.lookup_error("juwei-replace") is _replace_unencodable
    assert "刘䶮✓".encode("gbk", errors="juwei-replace") == "刘？√".encode("gbk")
    assert "𠮷é".encode("ascii", errors="juwei-replace") == b"???"


def test_a_pdf_open_in_a_viewer_is_named_not_its_temporary_file(
    db: Database, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows refuses to replace a file a viewer holds open (PermissionError on rename)."""
    from typer.testing import CliRunner

    import juwei.files
    from juwei.cli import app

    certified_election(db, tmp_path)

    def locked(source: object, target: object) -> None:
        raise PermissionError(13, "Permission denied", str(source), None, str(target))

    monkeypatch.setattr(juwei.files.os, "replace", locked)
    out = tmp_path / "选民榜.pdf"
    out.write_bytes(b"%PDF-old")
    result = CliRunner().invoke(
        app, ["--db", db_url, "roll", "print", "--out", str(out), "--force"]
    )
    assert result.exit_code == 3, result.stderr
    message = " ".join(result.stderr.split())
    assert f"Cannot write {out}: the file is open in another program" in message
    assert ".tmp" not in message
    assert out.read_bytes() == b"%PDF-old"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
