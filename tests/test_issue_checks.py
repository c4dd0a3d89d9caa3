"""Issuing a ballot checks the law again: one ballot per household in household mode
(``[election.modes.household]``), and eligibility on the election day (``[eligibility]``),
through the CLI (``poll issue``, ``poll sheet``) as the committee uses it."""

import csv
import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.db import Database
from juwei.elections.election import new_election
from juwei.elections.poll import print_ballots
from juwei.elections.roll import import_roll
from juwei.elections.synthetic import synthetic_roll, write_roll_csv
from tests.committee import GENERAL_PLAN, nominate_plan
from tests.conftest import id_number

DAY = date(2026, 12, 20)


def prepare(db: Database, tmp_path: Path, mode: str) -> dict[str, list[str]]:
    """A 钱牌 roll of 120 (as of the election day), an election in ``mode`` with a confirmed
    等额 slate and ballots printed; returns household number → its voters' ID numbers."""
    people = list(synthetic_roll(120, groups=4, seed=11, as_of=DAY))
    write_roll_csv(tmp_path / "roll.csv", people)
    import_roll(db, tmp_path / "roll.csv", as_of=DAY, operator="t")
    ids = [p.id_number for p in people]
    new_election(db, day=DAY, mode=mode, operator="t")
    nominate_plan(db, ids, day=DAY, plan=GENERAL_PLAN)
    print_ballots(db, 120, lambda _p, _s: None, operator="t")
    with (tmp_path / "roll.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    households: dict[str, list[str]] = {}
    for row in rows:
        households.setdefault(row["户号"], []).append(row["公民身份号码"])
    return households


def test_household_mode_one_ballot_per_household(
    db: Database, db_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    households = prepare(db, tmp_path, "household")
    code, (first, second, *_rest) = next((h, m) for h, m in households.items() if len(m) >= 2)
    base = ["--db", db_url, "--lang", "en", "poll"]
    r = runner.invoke(app, [*base, "issue", first, "--box", "一号票箱", "--on", str(DAY)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*base, "issue", second, "--box", "二号票箱", "--on", str(DAY)])
    assert r.exit_code == 6, r.output
    message = " ".join(r.stderr.split())
    assert f"household {code} already received its ballot on {DAY} at 一号票箱" in message
    assert "one ballot per household (election.modes.household; SEED 钱牌 第四条" in message
    # a sign-in sheet: the same household twice, and a household already served, are refused
    others = [m for h, m in households.items() if h != code and len(m) >= 2]
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "公民身份号码\n" + "\n".join([others[0][0], others[0][1], second]) + "\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, [*base, "sheet", str(sheet), "--box", "中心会场", "--on", str(DAY)])
    assert r.exit_code != 0
    message = " ".join(r.stderr.split())
    assert "sheet.csv:3:公民身份号码: household" in message
    assert "is listed twice (also at row 2)" in message
    assert f"sheet.csv:4:公民身份号码: household {code} already received its ballot" in message
    # nothing half-written: one ballot issued in all
    r = runner.invoke(app, ["--db", db_url, "poll", "status", "--json"])
    assert json.loads(r.stdout)["issued"] == 1


def test_direct_mode_issues_to_every_member_of_a_household(
    db: Database, db_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    households = prepare(db, tmp_path, "direct")
    members = next(m for m in households.values() if len(m) >= 2)
    for number in members[:2]:
        r = runner.invoke(app, ["--db", db_url, "poll", "issue", number, "--box", "中心会场"])
        assert r.exit_code == 0, r.output


def test_under_18_on_the_election_day_gets_no_ballot(
    db: Database, db_url: str, tmp_path: Path, runner: CliRunner
) -> None:
    """A roll imported as of an earlier day (when the roll was made) lists someone who is 18
    then; the election day is what counts (eligibility.age, P7, P9). Here the reverse slip: a
    roll checked as of a later day lets in someone who is 17 on the election day."""
    prepare(db, tmp_path, "direct")
    young = id_number("20090105", "123")  # 18 on 2027-01-05, 17 on the election day
    path = tmp_path / "late.csv"
    path.write_text(
        "姓名,公民身份号码,户号,居民小组\n少年," + young + ",H-late,第1组\n",
        encoding="utf-8",
    )
    import_roll(db, path, as_of=date(2027, 1, 10), operator="t")
    r = runner.invoke(app, ["--db", db_url, "poll", "issue", young, "--box", "中心会场"])
    assert r.exit_code == 8, r.output  # EligibilityError: the person, not the state
    message = " ".join(r.stderr.split())
    assert "may not receive a ballot: aged 17 on 2026-12-20, under the minimum age of 18" in message
    assert "(eligibility.age; S1 art 8" in message
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("公民身份号码\n" + young + "\n", encoding="utf-8")
    r = runner.invoke(app, ["--db", db_url, "poll", "sheet", str(sheet), "--box", "中心会场"])
    assert r.exit_code != 0 and "aged 17 on 2026-12-20" in r.stderr
