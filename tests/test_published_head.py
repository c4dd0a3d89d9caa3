"""Attacks on the completeness of the record (issue 11 §3): a truncated log and a log
rewritten with recomputed hashes both keep ``audit chain`` whole, but fail ``audit verify
--head`` against the head the committee published; a changed quorum base fails ``audit
verify``; the head is printed on the result sheet."""

import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Connection, create_engine, text
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.audit import event_hash
from juwei.elections.db import Database
from juwei.elections.readmodels import BallotPaper
from tests.audit_election import certified_election


@pytest.fixture
def paper(db: Database, tmp_path: Path) -> BallotPaper:
    return certified_election(db, tmp_path)


def juwei(runner: CliRunner, db_url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db_url, "--operator", "t", *args])
    return result.exit_code, result.stdout, result.stderr


def published(runner: CliRunner, db_url: str) -> str:
    code, out, err = juwei(runner, db_url, "audit", "head", "--json")
    assert code == 0, err
    document = json.loads(out)
    assert document["head"] == f"{document['seq']}:{document['hash']}"
    code, out, _err = juwei(runner, db_url, "audit", "head")
    assert code == 0 and document["head"] in out
    return str(document["head"])


def edit(db_url: str, sql: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def rewrite_chain(conn: Connection, from_seq: int) -> None:
    """Recompute every hash from ``from_seq`` on, as a forger with the database would."""
    rows = conn.execute(
        text(
            "SELECT seq, at, operator, kind, community_id, payload, prev_hash FROM event "
            "ORDER BY seq"
        )
    ).all()
    previous = None
    for seq, at, operator, kind, community_id, payload, prev_hash in rows:
        if seq < from_seq:
            previous = conn.execute(
                text("SELECT hash FROM event WHERE seq = :s"), {"s": seq}
            ).scalar_one()
            continue
        from datetime import UTC, datetime

        when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        digest = event_hash(
            previous or prev_hash,
            seq=seq,
            at=when,
            operator=operator,
            kind=kind,
            community_id=community_id,
            payload=payload,
        )
        conn.execute(
            text("UPDATE event SET prev_hash = :p, hash = :h WHERE seq = :s"),
            {"p": previous or prev_hash, "h": digest, "s": seq},
        )
        previous = digest


def test_the_head_holds_while_the_log_is_untouched(
    db: Database, db_url: str, paper: BallotPaper, runner: CliRunner
) -> None:
    db.close()
    head = published(runner, db_url)
    code, out, err = juwei(runner, db_url, "audit", "verify", "--head", head, "--json")
    assert code == 0, out + err
    checks = {c["check"]: c for c in json.loads(out)["checks"]}
    assert checks["published head"]["ok"]


def test_a_truncated_log_fails_against_the_published_head(
    db: Database, db_url: str, paper: BallotPaper, runner: CliRunner
) -> None:
    db.close()
    head = published(runner, db_url)
    seq = int(head.split(":")[0])
    edit(db_url, f"DELETE FROM event WHERE seq >= {seq - 2}")  # the certification and more
    code, _out, _err = juwei(runner, db_url, "audit", "chain")
    assert code == 0  # the chain alone cannot see a cut at its end
    code, out, err = juwei(runner, db_url, "audit", "verify", "--head", head, "--json")
    assert code == 7, out + err
    failed = {c["check"]: c for c in json.loads(out)["checks"] if not c["ok"]}
    assert f"the published head {head} is missing" in failed["published head"]["found"]
    assert "events were removed" in failed["published head"]["found"]
    assert "published head" in err


def test_a_rewritten_log_fails_against_the_published_head(
    db: Database, db_url: str, paper: BallotPaper, runner: CliRunner
) -> None:
    db.close()
    head = published(runner, db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE event SET operator = 'forger' WHERE seq = 5"))
        rewrite_chain(conn, 5)
    engine.dispose()
    code, _out, _err = juwei(runner, db_url, "audit", "chain")
    assert code == 0  # recomputed hashes: the chain is whole again
    code, out, err = juwei(runner, db_url, "audit", "verify", "--head", head, "--json")
    assert code == 7, out + err
    failed = {c["check"]: c for c in json.loads(out)["checks"] if not c["ok"]}
    assert "the log was rewritten" in failed["published head"]["found"]
    assert head in failed["published head"]["named"]


def test_a_bad_head_is_refused_naming_the_option(
    db: Database, db_url: str, paper: BallotPaper, runner: CliRunner
) -> None:
    db.close()
    code, _out, err = juwei(runner, db_url, "audit", "verify", "--head", "12:abc")
    assert code == 3 and "--head" in err


def test_the_package_is_checked_against_the_head(
    db: Database, db_url: str, paper: BallotPaper, runner: CliRunner, tmp_path: Path
) -> None:
    db.close()
    head = published(runner, db_url)
    code, _out, err = juwei(runner, db_url, "audit", "export", "1", "--out", str(tmp_path / "p"))
    assert code == 0, err
    code, out, err = juwei(
        runner, db_url, "audit", "verify", "--package", str(tmp_path / "p"), "--head", head
    )
    assert code == 0, out + err
    later = f"{int(head.split(':')[0]) + 5}:{'0' * 64}"
    code, out, err = juwei(
        runner, db_url, "audit", "verify", "--package", str(tmp_path / "p"), "--head", later
    )
    assert code == 7 and "published head" in err


def test_the_result_sheet_prints_the_head_as_of_its_making(
    db: Database, db_url: str, paper: BallotPaper, runner: CliRunner, tmp_path: Path
) -> None:
    db.close()
    head = published(runner, db_url)
    code, _out, err = juwei(runner, db_url, "results", "print", "--out", str(tmp_path / "r"))
    assert code == 0, err
    pdfs = sorted((tmp_path / "r").glob("*.pdf"))
    assert len(pdfs) >= 2  # the sheet, the announcement, the certificates
    for pdf in pdfs:
        text_ = "".join("".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages)
        assert head in text_, pdf.name


def test_a_changed_quorum_base_fails_verification(
    db: Database, db_url: str, paper: BallotPaper, runner: CliRunner
) -> None:
    db.close()
    edit(db_url, "UPDATE election SET registered_voters = 400 WHERE id = 1")
    code, out, err = juwei(runner, db_url, "audit", "verify", "1", "--json")
    assert code == 7, out + err
    failed = {c["check"]: c for c in json.loads(out)["checks"] if not c["ok"]}
    assert (
        "registered_voters: 400 used, 120 recorded when the poll opened"
        in (failed["quorum base"]["found"])
    )


def test_voters_hidden_from_the_roll_fail_the_recomputed_base(
    db: Database, db_url: str, paper: BallotPaper, runner: CliRunner
) -> None:
    db.close()
    # a later import row for them to point at (the foreign key holds on PostgreSQL)
    edit(
        db_url,
        "INSERT INTO roll_import (id, community_id, file_name, file_sha256, as_of, imported_at,"
        " operator, rows, added, updated, unchanged, delisted, relisted, rejected)"
        " SELECT 99, community_id, file_name, file_sha256, as_of, imported_at, operator, rows,"
        " added, updated, unchanged, delisted, relisted, rejected FROM roll_import"
        " ORDER BY id LIMIT 1",
    )
    edit(db_url, "UPDATE voter SET first_import_id = 99 WHERE id <= 3")
    code, out, err = juwei(runner, db_url, "audit", "verify", "1", "--json")
    assert code == 7, out + err
    failed = {c["check"]: c for c in json.loads(out)["checks"] if not c["ok"]}
    assert (
        "registered_voters: the roll gives 117, the log recorded 120"
        in (failed["quorum base from the roll"]["found"])
    )
