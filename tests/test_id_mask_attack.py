"""Attack (issue 11 §2): collect every output of juwei that shows a person — terminal and
``--json`` of the roll, candidates, results and audit commands, the printed PDFs, the audit
log and the audit package, error messages — and try to restore an ID number from them.

The rule: no output, alone or combined with any other, shows more of an ID number than its
one mask (the last four characters). So no window of the number that reaches before its last
four characters, no region code next to a birth date, and no birth date in any form, may
appear anywhere in the pile.
"""

import re
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.db import Database
from juwei.elections.synthetic import synthetic_roll
from juwei.rules.identity import parse_id_number
from tests.audit_election import DAY, certified_election


def _birth_forms(born: date) -> list[str]:
    return [
        f"{born:%Y%m%d}",
        born.isoformat(),
        f"{born.year}年{born.month}月{born.day}日",
        f"{born.year}/{born.month}/{born.day}",
        f"{born:%Y/%m/%d}",
        f"{born:%Y.%m.%d}",
    ]


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_no_output_restores_more_of_an_id_number_than_its_mask(
    db: Database, db_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    certified_election(db, tmp_path)
    db.close()
    voters = list(synthetic_roll(120, groups=3, seed=21, as_of=DAY))
    ids = [v.id_number for v in voters]
    base = ["--db", db_url, "--operator", "t"]
    pile: list[str] = []

    def run(*args: str, code: int = 0) -> None:
        result = runner.invoke(app, [*base, *args])
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        pile.append(result.stdout + result.stderr)

    run("roll", "list")
    run("roll", "list", "--json")
    run("roll", "list", "--all", "--json")
    run("roll", "stats", "--json")
    for number in ids[:12]:
        run("roll", "show", number)
        run("roll", "show", number, "--json")
    run("candidates", "list")
    run("candidates", "list", "--json")
    run("election", "show", "1")
    run("results", "show")
    run("results", "show", "--json")
    run("audit", "log")
    run("audit", "log", "--json")
    run("poll", "status")
    run("poll", "status", "--json")
    # error messages that name a person
    run("nominate", ids[5], "--office", "director", "--supporter", ids[40], code=6)
    run("roll", "show", ids[0][:17] + ("0" if ids[0][-1] != "0" else "1"), code=3)
    # printed paper
    run("roll", "print", "--out", str(tmp_path / "voters.pdf"))
    pile.append(_pdf_text(tmp_path / "voters.pdf"))
    run("candidates", "print", "--out", str(tmp_path / "candidates.pdf"))
    pile.append(_pdf_text(tmp_path / "candidates.pdf"))
    run("results", "print", "--out", str(tmp_path / "results"))
    for path in sorted((tmp_path / "results").glob("*.pdf")):
        pile.append(_pdf_text(path))
    # the audit package, every file
    run("audit", "export", "1", "--out", str(tmp_path / "package"))
    for path in sorted((tmp_path / "package").iterdir()):
        pile.append(path.read_text(encoding="utf-8"))

    everything = "\n".join(pile)
    # hashes (hex) and times are not about a person; drop them before looking for digits
    plain = re.sub(r"\b[0-9a-f]{16,}\b", " ", everything)
    plain = re.sub(r"\d{4}-\d\d-\d\dT[0-9:.+]+Z?", " ", plain)
    digits_only = re.sub(r"[^0-9Xx*]", " ", plain)
    assert "**************" in everything  # the mask is shown, so the pile is not empty
    for number in ids:
        born = parse_id_number(number).birth_date
        for form in _birth_forms(born):
            assert form not in everything, (form, "a birth date")
        # any 6 characters of the number that reach before its last four
        for start in range(0, 13):
            window = number[start : start + 6]
            assert window not in digits_only, (number[-4:], start, "an ID window")
        # a longer mask than the one mask (e.g. region kept: 110105********002X)
        assert not re.search(re.escape(number[:3]) + r"[0-9]*\*+" + number[-4:], everything)
