"""``juwei audit verify``: a certified election verifies; every kind of direct database edit
is detected, named, and exits 7; printed result sheets are checked by text and QR code."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, text
from typer.testing import CliRunner

from juwei.ballots import results as results_pdf
from juwei.ballots.fonts import resolve_font
from juwei.ballots.verify_pdf import check_pdf
from juwei.cli import app
from juwei.elections.count import BallotEntry, result_sheet
from juwei.elections.db import Database
from juwei.elections.readmodels import BallotPaper
from juwei.elections.verify import verify_database
from tests.audit_election import certified_election
from tests.conftest import Scenario


@pytest.fixture
def paper(scenario: Scenario) -> BallotPaper:
    return scenario(certified_election)


def run(runner: CliRunner, db_url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db_url, "audit", "verify", *args])
    return result.exit_code, result.stdout, result.stderr


def edit(db_url: str, change: Callable[[Connection], None]) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        change(conn)
    engine.dispose()


def test_a_certified_election_verifies(
    db: Database, db_url: str, paper: BallotPaper, runner: CliRunner
) -> None:
    db.close()
    code, out, err = run(runner, db_url, "1", "--json")
    assert code == 0, out + err
    document = json.loads(out)
    assert document["ok"] is True
    assert [c["check"] for c in document["checks"]] == [
        "event chain",
        "charter",
        "ballot accounting",
        "ballot records",
        "stored result",
        "re-tally",
        "quorum base",
        "quorum base from the roll",
    ]
    accounting = document["checks"][2]["found"]
    assert "printed 100 = issued 90 + spoiled 1 + unused 9" in accounting
    assert "returned 86 ≤ issued 90" in accounting
    assert "same digest" in document["checks"][5]["found"]
    code, out, _err = run(runner, db_url)
    assert code == 0 and "✗" not in out and out.count("✓") == 8


# --------------------------------------------------------------- tampering: one row per edit


def _marks_changed(conn: Connection) -> str:
    """A ballot's marks changed with SQL: its 主任 vote moved to the other candidate."""
    record = conn.execute(
        text("SELECT id FROM ballot_record WHERE ballot = '1-5' AND election_id = 1")
    ).scalar_one()
    office = conn.execute(
        text("SELECT id FROM office WHERE election_id = 1 AND key = 'director'")
    ).scalar_one()
    mark, candidate = conn.execute(
        text("SELECT id, candidate_id FROM mark WHERE record_id = :r AND office_id = :o"),
        {"r": record, "o": office},
    ).one()
    other = conn.execute(
        text("SELECT id FROM candidate WHERE office_id = :o AND id != :c"),
        {"o": office, "c": candidate},
    ).scalar_one()
    conn.execute(text("UPDATE mark SET candidate_id = :c WHERE id = :m"), {"c": other, "m": mark})
    return "ballot 1-5: its marks differ from what event"


def _event_deleted(conn: Connection) -> str:
    conn.execute(text("DELETE FROM event WHERE seq = 9"))
    return "event 10 follows event 8: an event was removed or reordered"


def _event_edited(conn: Connection) -> str:
    payload = conn.execute(text("SELECT payload FROM event WHERE seq = 12")).scalar_one()
    kind = conn.execute(text("SELECT kind FROM event WHERE seq = 12")).scalar_one()
    conn.execute(
        text("UPDATE event SET payload = :p WHERE seq = 12"),
        {"p": payload.replace('"election":1', '"election":2')},
    )
    return f"event 12 ({kind}) was changed after it was written"


def _charter_altered(conn: Connection) -> str:
    body = conn.execute(text("SELECT canonical_json FROM charter_pin WHERE id = 1")).scalar_one()
    data = json.loads(body)
    data["term"]["years"] = 5
    altered = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    conn.execute(text("UPDATE charter_pin SET canonical_json = :j WHERE id = 1"), {"j": altered})
    return "charter qianpai pinned to election 1: its text has SHA-256"


def _vote_total_changed(conn: Connection) -> str:
    outcome = conn.execute(
        text("SELECT outcome FROM count_result WHERE election_id = 1")
    ).scalar_one()
    data = json.loads(outcome)
    member = next(o for o in data["offices"] if o["office"] == "member")
    last = member["tallies"][-1]
    last["votes"] += 40
    altered = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    conn.execute(text("UPDATE count_result SET outcome = :o WHERE election_id = 1"), {"o": altered})
    votes = last["votes"]
    return f"委员 {last['name']}: votes certified {votes}, re-tally {votes - 40}"


def _serial_added(conn: Connection) -> str:
    conn.execute(
        text(
            "INSERT INTO ballot_record (id, election_id, ballot, blank, valid, reason) "
            "VALUES (7, 1, '3-27', :f, :t, NULL)"
        ),
        {"f": False, "t": True},
    )
    return "ballot 3-27 is stored but no event recorded it"


@pytest.mark.parametrize(
    ("change", "check"),
    [
        pytest.param(_marks_changed, "ballot records", id="ballot-marks-changed-with-sql"),
        pytest.param(_event_deleted, "event chain", id="event-deleted"),
        pytest.param(_event_edited, "event chain", id="event-edited"),
        pytest.param(_charter_altered, "charter", id="pinned-charter-altered"),
        pytest.param(_vote_total_changed, "re-tally", id="vote-total-changed"),
        pytest.param(_serial_added, "ballot records", id="serial-added-to-ballot-records"),
    ],
)
def test_a_direct_edit_is_detected_and_named(
    db: Database,
    db_url: str,
    paper: BallotPaper,
    runner: CliRunner,
    change: Callable[[Connection], str],
    check: str,
) -> None:
    db.close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        expected = change(conn)
    engine.dispose()
    code, out, err = run(runner, db_url, "1", "--json")
    assert code == 7, out + err
    assert "Verification failed" in err and check in err
    document = json.loads(out)
    assert document["ok"] is False
    failed = {c["check"]: c for c in document["checks"] if not c["ok"]}
    assert check in failed
    named = [failed[check]["found"], *failed[check]["named"]]
    assert any(expected in line for line in named), named


def test_a_marks_edit_is_also_caught_by_the_re_tally(
    db: Database, db_url: str, paper: BallotPaper
) -> None:
    db.close()
    edit(db_url, _marks_changed)
    fresh = Database(db_url)
    try:
        checks = {c.name: c for c in verify_database(fresh, election_id=1).checks}
    finally:
        fresh.close()
    assert not checks["re-tally"].ok
    director = paper.offices[0]
    assert any(
        f"{director.title} {c.name}: votes certified" in line
        for c in director.candidates
        for line in (checks["re-tally"].found, *checks["re-tally"].named)
    )
    assert checks["event chain"].ok and checks["charter"].ok


def test_a_stub_marked_spoiled_behind_the_logs_back_breaks_the_accounting(
    db: Database, db_url: str, paper: BallotPaper
) -> None:
    db.close()
    edit(
        db_url,
        lambda c: c.execute(
            text("UPDATE ballot_serial SET state = 'spoiled' WHERE serial = 'A000003'")
        ),
    )
    fresh = Database(db_url)
    try:
        checks = {c.name: c for c in verify_database(fresh, election_id=1).checks}
    finally:
        fresh.close()
    accounting = checks["ballot accounting"]
    assert not accounting.ok
    assert "spoiled: 2 stored, 1 in the log" in accounting.named


def test_a_candidate_named_twice_in_a_section_counts_once_and_verifies(
    db: Database, tmp_path: Path
) -> None:
    """By name and by ballot number in the same section: one vote (rules.counting, JUWEI
    convention). The count used to give two; the re-tally found it."""
    named_twice: list[str] = []

    def twice(entries: list[BallotEntry], paper: BallotPaper) -> None:
        director = paper.offices[0]
        first = director.candidates[0]
        for n, entry in enumerate(entries[:20]):
            marks = entry.sections.get(director.title)
            if marks and marks[0] == (first.name,):
                entry.sections[director.title] = ((first.name, "1"), (), ())
                named_twice.append(entry.ballot)
                assert n < 20

    paper = certified_election(db, tmp_path, twice)
    assert named_twice
    sheet = result_sheet(db, election_id=1)
    first = paper.offices[0].candidates[0].name
    votes = {c.name: c.votes for c in sheet.offices[0].results}
    expected = sum(
        1
        for n in range(1, 87)
        if n % 25 and n % 29 and n % 3  # the ballots that vote for the first candidate
    )
    assert votes[first] == expected
    verification = verify_database(db, election_id=1)
    assert verification.ok, [c for c in verification.checks if not c.ok]


# --------------------------------------------------------------- printed result sheets


def test_the_printed_result_sheet_carries_the_recomputed_digest(
    db: Database, db_url: str, paper: BallotPaper, tmp_path: Path, runner: CliRunner
) -> None:
    font = resolve_font(None)
    sheet = result_sheet(db, election_id=1)
    results_pdf.render_result_sheet(sheet, tmp_path / "result-sheet.pdf", font)
    db.close()
    pdf = str(tmp_path / "result-sheet.pdf")
    code, out, err = run(runner, db_url, "1", "--pdf", pdf, "--json")
    assert code == 0, out + err
    last = json.loads(out)["checks"][-1]
    assert last["check"] == "result sheet result-sheet.pdf" and last["ok"]
    assert last["found"] == (
        f"text and QR code carry the recomputed digest {sheet.digest[:16]} of election 1"
    )


def test_a_result_sheet_with_another_qr_code_fails(
    db: Database, paper: BallotPaper, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    font = resolve_font(None)
    sheet = result_sheet(db, election_id=1)
    drawn = results_pdf.qr_modules
    monkeypatch.setattr(results_pdf, "qr_modules", lambda value: drawn("0" * 64))
    results_pdf.render_result_sheet(sheet, tmp_path / "forged.pdf", font)
    monkeypatch.undo()
    check = check_pdf(tmp_path / "forged.pdf", {1: sheet.digest})
    assert not check.ok
    assert "its QR code does not encode that digest" in check.found
    assert check.named == ("forged.pdf",)


def test_a_result_sheet_of_another_result_fails(
    db: Database, paper: BallotPaper, tmp_path: Path
) -> None:
    font = resolve_font(None)
    sheet = result_sheet(db, election_id=1)
    results_pdf.render_result_sheet(sheet, tmp_path / "sheet.pdf", font)
    other = "ab" * 32
    check = check_pdf(tmp_path / "sheet.pdf", {1: other})
    assert not check.ok
    assert f"its text carries digest {sheet.digest[:16]}" in check.found
    assert other[:16] in check.found
