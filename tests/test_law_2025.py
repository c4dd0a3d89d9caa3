"""The law in force: the urban-2025 profile (S3, law-2025.md), its provisional rules, the law
in force on a day, and the warnings when a charter contradicts it."""

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from juwei.cli import app
from juwei.rules.charter import load_charter, parse_charter, profile_path
from juwei.rules.law import ConflictCode, law_conflicts, law_in_force
from tests.test_thresholds import threshold_at


def row(key: str, count: int, base: int, expected: bool, why: str) -> Any:
    return pytest.param(key, count, base, expected, id=f"urban-2025 {key}: {why}")


# One row per case, named by rule and source (law-2025.md section).
DECISIONS = [
    # 有户的代表的过半数参加投票 (S3 第十八条 probable, §3.8): 过半数 excludes half
    row("election.modes.household.quorum", 45, 91, False, "45 of 91 households §3.8"),
    row("election.modes.household.quorum", 46, 91, True, "46 of 91 is 过半数 §3.8"),
    row("election.modes.household.quorum", 50, 100, False, "exactly half §3.8"),
    # 须有选民……过半数……投票 (S3 recall article, §3.10, low)
    row("recall.passage.turnout", 120, 240, False, "half of voters §3.10"),
    row("recall.passage.turnout", 121, 240, True, "more than half §3.10"),
    row("recall.passage.turnout", 5, 240, False, "5 of 240 §3.10"),
    # passing majority: village analogy S4 art 16
    row("recall.passage.approval", 3, 5, True, "3 of 5 S4 art 16"),
    row("recall.passage.approval", 2, 4, False, "half S4 art 16"),
    # elected: village analogy S4 art 15 (§3.8 not found)
    row("count.elected.threshold", 151, 300, True, "more than half S4 art 15"),
    row("count.elected.threshold", 150, 300, False, "exactly half S4 art 15"),
]


@pytest.mark.parametrize(("key", "count", "base", "expected"), DECISIONS)
def test_decision_table(key: str, count: int, base: int, expected: bool) -> None:
    assert threshold_at(load_charter("urban-2025"), key).met(count, base) is expected


def test_profile_rules_and_sources() -> None:
    c = load_charter("urban-2025")
    assert c.charter.effective == date(2026, 1, 1)
    assert c.term.years == 5 and not c.term.provisional  # 居民委员会每届任期五年 (high)
    assert (c.committee.size.min, c.committee.size.max) == (5, 9)
    work = c.eligibility.registrations.work
    assert work.accepted and work.min_months == 6 and work.consent_required  # 六个月以上
    assert c.eligibility.registrations.residence.accepted
    assert c.timetable.voter_list.days_before == 20 and c.timetable.voter_list.objection_days == 5
    assert c.proxy.allowed and not c.proxy.close_relatives_only and c.proxy.list_published
    assert c.election_committee is not None
    assert c.election_committee.recusal and c.election_committee.runs_handover
    assert c.termination.unfit_ratings_in_a_row == 2
    assert not c.slate.competition.uncontested_allowed  # 候选人的名额应当多于应选名额
    for r in c.rules():
        assert r.source.startswith(("S", "P", "V", "JUWEI")), r
        if r.provisional:
            assert r.confidence is not None, r.key  # every provisional rule says how sure


def test_provisional_rules_are_the_unconfirmed_ones() -> None:
    c = load_charter("urban-2025")
    keys = [r.key for r in c.provisional_rules()]
    for key in (
        "committee.size",
        "eligibility.registrations.work",
        "timetable.voter_list",
        "proxy",
        "election_committee",
        "election.modes.household",
        "recall.passage",
        "termination",
    ):
        assert key in keys
    assert "term" not in keys and "charter" not in keys
    assert c.is_provisional("recall.passage") and not c.is_provisional("term")
    assert all(not r.provisional for r in load_charter("qianpai").rules())


def test_seed_digests_unchanged_by_the_new_keys() -> None:
    # confidence/provisional/list_published/election_committee are left out while unset
    assert "provisional" not in load_charter("urban-2018").canonical_json()
    assert "election_committee" not in load_charter("nanchangzhai").canonical_json()
    c = load_charter("urban-2025")
    assert load_charter("urban-2025").digest() == c.digest()
    again = type(c).from_canonical_json(c.canonical_json())
    assert again == c and again.digest() == c.digest()


@pytest.mark.parametrize(
    ("day", "law"),
    [
        (date(2018, 12, 29), "urban-2018"),
        (date(2025, 12, 31), "urban-2018"),
        (date(2026, 1, 1), "urban-2025"),
        (date(2026, 12, 6), "urban-2025"),
    ],
)
def test_law_in_force(day: date, law: str) -> None:
    assert law_in_force(day) == law


def test_law_in_force_before_any_text() -> None:
    with pytest.raises(LookupError):
        law_in_force(date(2018, 12, 28))


def test_conflicts_name_both_rules() -> None:
    law = load_charter("urban-2025")
    assert law_conflicts(law, law) == []
    assert law_conflicts(load_charter("urban-2018"), law) == []
    qianpai = law_conflicts(load_charter("qianpai"), law)
    assert [c.code for c in qianpai] == [ConflictCode.TERM_YEARS]  # 7 members is within 5–9
    (term,) = qianpai
    assert term.charter_key == "term" and term.charter_source == "SEED 钱牌 第四条"
    assert "3" in term.charter_value.zh and "5" in term.law_value.zh
    assert term.law_name == "urban-2025" and not term.law_provisional
    nanchangzhai = law_conflicts(load_charter("nanchangzhai"), law)
    assert [c.code for c in nanchangzhai] == [ConflictCode.TERM_YEARS, ConflictCode.COMMITTEE_SIZE]
    size = nanchangzhai[1]
    assert size.law_key == "committee.size" and size.law_provisional


def test_recall_without_turnout_conflicts(tmp_path: Path) -> None:
    text = profile_path("qianpai").read_text(encoding="utf-8")
    old = 'turnout = { word = "more_than", fraction = "1/2", base = "registered_voters" }\n'
    assert text.count(old) == 1
    charter = parse_charter(text.replace(old, ""))
    codes = [c.code for c in law_conflicts(charter, load_charter("urban-2025"))]
    assert codes == [ConflictCode.TERM_YEARS, ConflictCode.RECALL_TURNOUT]


def test_cli_init_without_charter_uses_the_law_in_force(tmp_path: Path) -> None:
    runner = CliRunner(env={"JUWEI_LANG": "en"})
    url = f"sqlite:///{tmp_path / 'c.db'}"
    r = runner.invoke(app, ["--db", url, "init", "某社区", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["charter"] == law_in_force(date.today())


def test_cli_election_new_warns_of_conflicts(tmp_path: Path) -> None:
    runner = CliRunner(env={"JUWEI_LANG": "en"})
    url = f"sqlite:///{tmp_path / 'c.db'}"
    r = runner.invoke(app, ["--db", url, "init", "钱牌社区", "--charter", "qianpai"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--db", url, "election", "new", "--day", "2026-12-20"])
    assert r.exit_code == 0, r.output
    warning = " ".join(r.stderr.split())
    assert "Warning: the charter's rule term (3 years" in warning
    assert "SEED 钱牌 第四条" in warning and "urban-2025 term (5 years" in warning
    r = runner.invoke(app, ["--db", url, "election", "list", "--json"])
    assert len(json.loads(r.stdout)) == 1  # the warning does not stop the election


def test_cli_election_new_json_and_no_conflict_under_the_law(tmp_path: Path) -> None:
    runner = CliRunner(env={"JUWEI_LANG": "en"})
    url = f"sqlite:///{tmp_path / 'c.db'}"
    runner.invoke(app, ["--db", url, "init", "X社区", "--charter", "urban-2025"])
    r = runner.invoke(app, ["--db", url, "election", "new", "--day", "2026-12-20", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["law_conflicts"] == [] and r.stderr == ""


def test_cli_show_and_check_list_provisional_rules() -> None:
    runner = CliRunner(env={"JUWEI_LANG": "en"})
    r = runner.invoke(app, ["charter", "check", "urban-2025"])
    assert r.exit_code == 0, r.output
    assert "32 provisional rules" in r.stdout
    assert "recall.passage:" in r.stdout and "confidence: low" in r.stdout
    r = runner.invoke(app, ["charter", "show", "urban-2025", "--json"])
    document = json.loads(r.stdout)
    assert "proxy" in document["provisional_rules"]
    by_key = {rule["key"]: rule for rule in document["rules"]}
    assert by_key["term"]["provisional"] is False and by_key["term"]["confidence"] == "high"
    r = runner.invoke(app, ["charter", "check", "qianpai"])
    assert "provisional" not in r.stdout
    r = runner.invoke(app, ["--lang", "zh_CN", "charter", "show", "urban-2025"])
    assert r.exit_code == 0 and "临时规则" in r.stdout


def test_screens_that_apply_provisional_rules_say_so(tmp_path: Path) -> None:
    """An election under urban-2025: its timetable (timetable.voter_list, provisional) and its
    result (election.modes.direct, count.elected … provisional) say so; qianpai's do not."""
    from juwei.elections.community import init_community
    from juwei.elections.db import Database
    from juwei.elections.roll import import_roll
    from juwei.elections.synthetic import synthetic_roll, write_roll_csv
    from tests.committee import GENERAL_DAY, run_election

    url = f"sqlite:///{tmp_path / 'u.db'}"
    db = Database(url)
    init_community(db, "某社区", "urban-2025", operator="t")
    # 社区工作者 need six months' work here (eligibility.registrations.work): give the dates
    people = [
        replace(p, residence_since=date(2024, 1, 1)) if p.registration == "工作" else p
        for p in synthetic_roll(150, groups=4, seed=11, as_of=GENERAL_DAY)
    ]
    write_roll_csv(tmp_path / "roll.csv", people)
    import_roll(db, tmp_path / "roll.csv", as_of=GENERAL_DAY, operator="t")
    ids = [p.id_number for p in people]
    plan = {"director": [0, 1], "deputy": [2, 3], "member": [4, 5, 6, 7, 8, 9]}  # 差额
    run_election(db, ids, day=GENERAL_DAY, plan=plan)
    db.close()
    runner = CliRunner(env={"JUWEI_LANG": "en"})
    r = runner.invoke(app, ["--db", url, "election", "show"])
    assert r.exit_code == 0, r.output
    assert "(provisional)" in r.stdout.split("Timetable")[1]  # in the table, by its rule
    assert "(provisional): the official wording of the rule is not confirmed" in r.stdout
    r = runner.invoke(app, ["--db", url, "results", "show"])
    assert r.exit_code == 0, r.output
    said = " ".join(r.stdout.split())
    assert "This result applies provisional rules" in said
    assert "election.modes.direct (S3 第十八条" in said and "count.elected" in said
    r = runner.invoke(app, ["--db", url, "results", "show", "--json"])
    rules = json.loads(r.stdout)["provisional_rules"]
    assert "count.elected" in rules and "election.modes.household" not in rules
    assert "term" not in rules


def test_qianpai_result_names_no_provisional_rule(tmp_path: Path) -> None:
    from juwei.elections.community import init_community
    from juwei.elections.db import Database
    from tests.committee import GENERAL_DAY, GENERAL_PLAN, roll, run_election

    url = f"sqlite:///{tmp_path / 'q.db'}"
    db = Database(url)
    init_community(db, "钱牌社区", "qianpai", operator="t")
    run_election(db, roll(db, tmp_path, 120), day=GENERAL_DAY, plan=GENERAL_PLAN)
    db.close()
    runner = CliRunner(env={"JUWEI_LANG": "en"})
    r = runner.invoke(app, ["--db", url, "results", "show", "--json"])
    assert json.loads(r.stdout)["provisional_rules"] == []
    r = runner.invoke(app, ["--db", url, "results", "show"])
    assert "provisional" not in r.stdout
