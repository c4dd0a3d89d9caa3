"""A district (issue 6): several communities in one database, each isolated from the others.

Community A (东湖社区, qianpai charter) has 100 voters and a counted election with 60
ballots; community B (西岭社区, urban-2018 charter) has 80 other voters and an election taking
nominations. Every command with ``--community`` sees only its own community; ``juwei district
status`` shows both.
"""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.community import init_community
from juwei.elections.count import count_election, iter_ballot_file, record_ballots
from juwei.elections.db import Database
from juwei.elections.district import percent
from juwei.elections.election import new_election
from juwei.elections.nomination import confirm_candidates, nominate
from juwei.elections.poll import issue_from_sheet, print_ballots
from juwei.elections.readmodels import BallotPaper
from juwei.elections.roll import import_roll
from juwei.elections.synthetic import SyntheticVoter, synthetic_roll, write_roll_csv
from tests.boxes import close_and_open
from tests.test_concurrency import ballot_file

DAY = date(2026, 12, 20)
A, B = "东湖社区", "西岭社区"


@pytest.fixture
def district(db_url: str, tmp_path: Path) -> tuple[list[SyntheticVoter], list[SyntheticVoter]]:
    people_a = list(synthetic_roll(100, groups=3, seed=3, as_of=DAY))
    taken = {p.id_number for p in people_a}
    people_b = [
        p for p in synthetic_roll(90, groups=2, seed=11, as_of=DAY) if p.id_number not in taken
    ][:80]
    write_roll_csv(tmp_path / "a.csv", people_a)
    write_roll_csv(tmp_path / "b.csv", people_b)
    db = Database(db_url)
    try:
        init_community(db, A, "qianpai", operator="t")
        init_community(db, B, "urban-2018", operator="t")
        import_roll(db, tmp_path / "a.csv", as_of=DAY, operator="t", community=A)
        import_roll(db, tmp_path / "b.csv", as_of=DAY, operator="t", community=B)
        new_election(db, day=DAY, operator="t", community=A)
        new_election(db, day=DAY, operator="t", community=B)
        ids = [p.id_number for p in people_a]
        plan = {"director": ids[0:2], "deputy": ids[2:4], "member": ids[4:10]}
        for office, nominees in plan.items():
            for i, person in enumerate(nominees):
                nominate(
                    db,
                    office_key=office,
                    nominee=person,
                    method="joint",
                    supporters=ids[40 + 10 * i : 50 + 10 * i],
                    on=DAY - timedelta(days=30),
                    operator="t",
                    community=A,
                )
        confirm_candidates(db, on=DAY - timedelta(days=10), operator="t", community=A)
        papers: list[BallotPaper] = []
        print_ballots(db, 60, lambda p, s: papers.append(p), operator="t", community=A)
        sheet = tmp_path / "sheet.csv"
        sheet.write_text("公民身份号码\n" + "\n".join(ids[40:100]) + "\n", encoding="utf-8")
        issue_from_sheet(db, sheet, box="中心会场", on=DAY, operator="t", community=A)
        path = ballot_file(tmp_path / "a.jsonl", papers[0], range(1, 61))
        close_and_open(db, on=DAY, community=A)
        record_ballots(db, iter_ballot_file(path), operator="t", community=A)
        count_election(db, operator="t", community=A)
    finally:
        db.close()
    return people_a, people_b


def run(runner: CliRunner, db_url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", db_url, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "pct",
    [
        pytest.param((1, 3, "33.3"), id="one third rounds down"),
        pytest.param((2, 3, "66.7"), id="two thirds round up"),
        pytest.param((1, 8, "12.5"), id="exact"),
        pytest.param((1, 1600, "0.1"), id="0.0625 rounds half up"),
        pytest.param((5, 5, "100.0"), id="everyone"),
        pytest.param((0, 7, "0.0"), id="nobody"),
    ],
)
def test_turnout_percent_is_exact_integer_rounding(pct: tuple[int, int, str]) -> None:
    part, whole, shown = pct
    assert percent(part, whole) == shown
    assert percent(1, 0) is None


def test_a_command_without_community_asks_which(
    runner: CliRunner, db_url: str, district: object
) -> None:
    code, _, err = run(runner, db_url, "roll", "stats")
    assert code == 5 and "--community" in err


def test_roll_is_per_community(
    runner: CliRunner,
    db_url: str,
    district: tuple[list[SyntheticVoter], list[SyntheticVoter]],
    tmp_path: Path,
) -> None:
    people_a, people_b = district
    for name, people in ((A, people_a), (B, people_b)):
        code, out, err = run(runner, db_url, "--community", name, "roll", "list", "--json")
        assert code == 0, err
        listed = json.loads(out)
        rows = listed["voters"] if isinstance(listed, dict) else listed
        assert sorted(r["name"] for r in rows) == sorted(p.name for p in people)
        code, out, err = run(runner, db_url, "--community", name, "roll", "stats", "--json")
        assert code == 0, err
        assert str(len(people)) in out
    out_pdf = tmp_path / "b.pdf"
    code, _, err = run(runner, db_url, "--community", B, "roll", "print", "--out", str(out_pdf))
    assert code == 0, err
    text = "".join(page.extract_text() for page in PdfReader(out_pdf).pages)
    assert people_b[0].name in text
    only_a = {p.name for p in people_a} - {p.name for p in people_b}
    assert not [n for n in only_a if n in text]


def test_elections_polls_and_counts_are_per_community(
    runner: CliRunner, db_url: str, district: object
) -> None:
    code, out, _ = run(runner, db_url, "--community", A, "election", "list", "--json")
    a_elections = json.loads(out)
    code, out, _ = run(runner, db_url, "--community", B, "election", "list", "--json")
    b_elections = json.loads(out)
    a_ids = {
        e["id"]
        for e in (a_elections if isinstance(a_elections, list) else a_elections["elections"])
    }
    b_ids = {
        e["id"]
        for e in (b_elections if isinstance(b_elections, list) else b_elections["elections"])
    }
    assert 1 in a_ids and 2 not in a_ids and b_ids == {2}  # A: its rounds too
    # A's election is not reachable from B, even by its number
    code, _, err = run(runner, db_url, "--community", B, "poll", "status", "--election", "1")
    assert code == 5 and "No election 1 in this community" in err
    code, out, err = run(runner, db_url, "--community", B, "poll", "status", "--json")
    assert code == 0, err
    status = json.loads(out)
    assert status["issued"] == 0 and status["returned"] == 0 and status["printed"] == 0
    code, out, err = run(
        runner, db_url, "--community", A, "poll", "status", "--election", "1", "--json"
    )
    status = json.loads(out)
    assert status["issued"] == 60 and status["returned"] == 60
    code, _, err = run(runner, db_url, "--community", B, "count", "run", "--all-in")
    assert code == 6  # B has no ballots to count: A's 60 are not B's
    code, out, err = run(runner, db_url, "--community", A, "results", "show", "--json")
    assert code == 0, err
    code, _, err = run(runner, db_url, "--community", B, "results", "show")
    assert code != 0 and "Traceback" not in err


def test_district_status_shows_every_community(
    runner: CliRunner, db_url: str, district: object
) -> None:
    code, out, err = run(runner, db_url, "district", "status", "--json")
    assert code == 0, err
    rows = {r["community"]: r for r in json.loads(out)["communities"]}
    assert rows[A]["registered"] == 100 and rows[B]["registered"] == 80
    assert rows[A]["ballots_issued"] == 60 and rows[B]["ballots_issued"] == 0
    assert rows[A]["turnout_percent"] == "60.0" and rows[B]["turnout_percent"] == "0.0"
    assert rows[A]["state"] == "counted" and rows[B]["state"] == "nominating"
    assert rows[A]["charter"] != rows[B]["charter"]
    assert not rows[A]["certified"] and not rows[B]["certified"]
    code, out, err = run(runner, db_url, "district", "status")
    assert code == 0 and A in out and B in out and "60.0%" in out
