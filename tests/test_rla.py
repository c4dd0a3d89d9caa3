"""Risk-limiting audit of a counted election: plan, record, status (engine and CLI)."""

import json
from fractions import Fraction

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections import rla as engine
from juwei.elections.count import BallotEntry, count_election, record_ballots
from juwei.elections.db import Database
from juwei.elections.models import Event, RlaDraw
from juwei.elections.readmodels import BallotPaper
from juwei.errors import InputError, NotFoundError, StateError
from juwei.rules import rla
from tests.audit_setup import ballot, number, polling_election, serial
from tests.conftest import Scenario

N = 60
SEED = "31415926535897932384"
TEN = Fraction(1, 10)


def marks(n: int, mode: str = "clear") -> tuple[int, int, tuple[int, ...]]:
    """Ballot n's marks (director, deputy, 委员). ``clear``: director 48–12, deputy 45–15,
    委员 1–4 on every ballot, 5 on 50, 6 on 10. ``below``: director 30–30, so neither
    reaches the threshold of 31. ``tie``: 委员 4, 5 and 6 get 40 votes each, a tie for
    the last two seats."""
    director = (1 if n <= 30 else 2) if mode == "below" else (1 if n <= 48 else 2)
    members = (1, 2, 3, 4, 5) if n <= 50 else (1, 2, 3, 4, 6)
    if mode == "tie":
        members = (1, 2, 3, 4, 5) if n <= 20 else (1, 2, 3, 4, 6) if n <= 40 else (1, 2, 3, 5, 6)
    return director, 1 if n <= 45 else 2, members


@pytest.fixture
def paper(scenario: Scenario) -> BallotPaper:
    """60 ballots printed and issued to 60 of 100 voters (``N`` is polling_election's 60)."""
    return scenario(polling_election)


def counted(db: Database, paper: BallotPaper, mode: str = "clear") -> dict[str, BallotEntry]:
    entries = [ballot(paper, n, *marks(n, mode)) for n in range(1, N + 1)]
    record_ballots(db, entries, operator="clerk")
    assert count_election(db, operator="t").valid
    return {e.ballot: e for e in entries}


def test_plan_sizes_offices_and_draws_from_the_seed(db: Database, paper: BallotPaper) -> None:
    counted(db, paper)
    plan = engine.plan(db, risk_limit=TEN, seed=SEED, election_id=1, operator="chair")
    by_key = {o.key: o for o in plan.offices}
    assert set(by_key) == {"director", "deputy", "member"}
    assert not any(o.hand_count for o in plan.offices)
    # the sample is the largest comparison size over the offices
    assert len(plan.draws) == max(o.comparison or 0 for o in plan.offices)
    # director 48 vs 12 of 60: the rules module gives the same numbers
    director = rla.sample_sizes(
        rla.Contest(
            N,
            {"a": 48, "b": 12},
            frozenset("a"),
            frozenset("b"),
            threshold=31,  # more than half of the 60 ballots returned
        ),
        TEN,
    )
    assert by_key["director"].comparison == director.comparison
    # anyone can redraw the sample from the seed and the ballots in bundle order (the label
    # padded: 00001-00001 …)
    population = [f"{(n - 1) // 25 + 1:05d}-{(n - 1) % 25 + 1:05d}" for n in range(1, N + 1)]
    expected = rla.draw_sample(SEED, population, len(plan.draws))
    assert [s for _p, _t, s in plan.draws] == [
        "-".join(str(int(part)) for part in d.serial.split("-")) for d in expected
    ]
    with db.read() as session:
        assert len(session.exec(select(RlaDraw)).all()) == len(plan.draws)
        event = session.exec(select(Event).where(Event.kind == "rla.plan")).one()
        assert json.loads(event.payload)["seed"] == SEED


def test_the_seed_is_fixed_once_planned(db: Database, paper: BallotPaper) -> None:
    counted(db, paper)
    engine.plan(db, risk_limit=TEN, seed=SEED, election_id=1, operator="chair")
    with pytest.raises(StateError, match="already has a risk-limiting audit"):
        engine.plan(db, risk_limit=TEN, seed="11111111111111111111", election_id=1, operator="x")


def test_plan_before_the_count_is_refused(db: Database, paper: BallotPaper) -> None:
    with pytest.raises(StateError, match="plan a risk-limiting audit"):
        engine.plan(db, risk_limit=TEN, seed=SEED, election_id=1, operator="chair")


@pytest.mark.parametrize(
    ("mode", "key", "rule"),
    [
        # rla.tied: 委员 4, 5, 6 tie for the last two seats (a runoff): full hand count
        pytest.param("tie", "member", "rla.tied", id="rla.tied"),
        # rla.sample_exceeds_ballots: 30–30, both one vote under the threshold of 31
        pytest.param("below", "director", "rla.sample_exceeds_ballots", id="rla.near-threshold"),
    ],
)
def test_tied_or_near_tied_office_goes_to_a_full_hand_count(
    db: Database, paper: BallotPaper, mode: str, key: str, rule: str
) -> None:
    counted(db, paper, mode)
    plan = engine.plan(db, risk_limit=TEN, seed=SEED, election_id=1, operator="chair")
    office = next(o for o in plan.offices if o.key == key)
    assert office.hand_count and office.rule == rule
    assert office.polling is None and office.comparison is None
    status = engine.status(db, election_id=1)
    assert status.verdict == "escalate"
    assert next(o for o in status.offices if o.key == key).state == "hand_count"


def test_comparison_audit_completes_when_the_paper_agrees(db: Database, paper: BallotPaper) -> None:
    entries = counted(db, paper)
    plan = engine.plan(db, risk_limit=TEN, seed=SEED, election_id=1, operator="chair")
    before = engine.status(db, election_id=1)
    assert before.verdict == "continue" and before.observed == 0
    assert all(o.risk == 1.0 for o in before.offices)
    engine.record(db, [entries[s] for s in plan.to_pull], election_id=1, operator="audit")
    after = engine.status(db, election_id=1)
    assert after.observed == len(plan.draws) and not after.to_record
    assert after.verdict == "complete"
    assert all(o.risk is not None and o.risk <= 0.1 for o in after.offices)


def round_one_with_discrepancies(
    db: Database, paper: BallotPaper
) -> tuple[dict[str, BallotEntry], engine.AuditPlan]:
    """A comparison audit whose first round is recorded: the papers of three drawn ballots
    vote for the other director candidate than the count recorded (two-vote overstatements
    when the count gave the winner the vote)."""
    entries = counted(db, paper)
    plan = engine.plan(db, risk_limit=TEN, seed=SEED, election_id=1, operator="chair")
    wrong: list[BallotEntry] = []
    for s in plan.to_pull[:3]:
        director, deputy, members = marks(number(s))
        wrong.append(ballot(paper, number(s), 3 - director, deputy, members))
    rest = [entries[s] for s in plan.to_pull[3:]]
    engine.record(db, [*wrong, *rest], election_id=1, operator="audit")
    return entries, plan


def test_a_discrepancy_raises_the_risk_and_a_further_round_is_drawn(
    db: Database, paper: BallotPaper
) -> None:
    entries, plan = round_one_with_discrepancies(db, paper)
    status = engine.status(db, election_id=1)
    office = next(o for o in status.offices if o.key == "director")
    assert office.risk is not None and office.risk > 0.1
    # the other offices agree with the count and are confirmed
    assert {o.key: o.state for o in status.offices}["member"] == "complete"
    # not straight to a hand count: a further round, sized from the risk measured so far
    assert office.state == "next_round" and status.verdict == "next_round"
    assert status.round == 1 and status.next_round == office.next_round
    assert office.next_round is not None and office.next_round > 0
    second = engine.draw_next_round(db, election_id=1, operator="chair")
    assert second.number == 2 and second.total == len(plan.draws) + office.next_round
    # the same seeded sampler, continued: tickets after round 1's
    assert [t for _p, t, _s in second.draws][0] == plan.draws[-1][1] + 1
    # anyone can redraw every round: the ballots in bundle order, named 00001-00001 …
    redrawn = rla.draw_sample(SEED, [engine.sampling_key(b) for b in entries], second.total)
    assert [(d.ticket, "-".join(str(int(p)) for p in d.serial.split("-"))) for d in redrawn] == [
        (t, s) for _p, t, s in (*plan.draws, *second.draws)
    ]
    with pytest.raises(StateError, match="still to be recorded"):
        engine.draw_next_round(db, election_id=1, operator="chair")
    engine.record(db, [entries[s] for s in second.to_pull], election_id=1, operator="audit")
    after = engine.status(db, election_id=1)
    assert after.round == 2 and after.observed == second.total
    director = next(o for o in after.offices if o.key == "director")
    assert director.risk is not None and director.risk < office.risk
    assert after.verdict == "complete"  # (risk 0.23 after round 1, 0.016 after round 2)


def test_polling_audit_measures_bravo_in_draw_order(db: Database, paper: BallotPaper) -> None:
    entries = counted(db, paper)
    plan = engine.plan(
        db, risk_limit=TEN, seed=SEED, kind="polling", election_id=1, operator="chair"
    )
    assert len(plan.draws) == max(o.polling or 0 for o in plan.offices)
    # record all but the first drawn ballot: a sequential test cannot skip ahead
    first = plan.draws[0][2]
    engine.record(
        db, [entries[s] for s in plan.to_pull if s != first], election_id=1, operator="audit"
    )
    waiting = engine.status(db, election_id=1)
    assert waiting.observed == 0 and waiting.to_record == (first,)
    engine.record(db, [entries[first]], election_id=1, operator="audit")
    done = engine.status(db, election_id=1)
    assert done.observed == len(plan.draws)
    director = next(o for o in done.offices if o.key == "director")
    expected = rla.bravo_risk(
        rla.Contest(N, {"a": 48, "b": 12}, frozenset("a"), frozenset("b"), threshold=31),
        [frozenset("a" if number(s) <= 48 else "b") for _p, _t, s in plan.draws],
    )
    assert director.risk == pytest.approx(expected.risk)


@pytest.mark.parametrize(
    ("which", "message"),
    [
        pytest.param("undrawn", "was not drawn", id="not-in-sample"),
        pytest.param("twice", "already recorded", id="recorded-twice"),
    ],
)
def test_record_refusals(db: Database, paper: BallotPaper, which: str, message: str) -> None:
    entries = counted(db, paper)
    plan = engine.plan(db, risk_limit=TEN, seed=SEED, election_id=1, operator="chair")
    drawn = set(plan.to_pull)
    if which == "undrawn":
        target = next(e for s, e in entries.items() if s not in drawn)
    else:
        target = entries[plan.to_pull[0]]
        engine.record(db, [target], election_id=1, operator="audit")
    with pytest.raises(InputError, match=message):
        engine.record(db, [target], election_id=1, operator="audit")


def test_status_without_audit(db: Database, paper: BallotPaper) -> None:
    counted(db, paper)
    with pytest.raises(NotFoundError, match="no risk-limiting audit"):
        engine.status(db, election_id=1)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.05", Fraction(1, 20)), ("5%", Fraction(1, 20)), ("1/10", Fraction(1, 10))],
)
def test_risk_limit_forms(text: str, value: Fraction) -> None:
    assert engine.parse_risk_limit(text) == value


@pytest.mark.parametrize("text", ["0", "1", "abc", "-0.1", "150%"])
def test_bad_risk_limit(text: str) -> None:
    with pytest.raises(InputError, match="between 0 and 1"):
        engine.parse_risk_limit(text)


# --------------------------------------------------------------------------------- CLI


def test_cli_plan_record_status(
    db: Database, paper: BallotPaper, db_url: str, runner: CliRunner
) -> None:
    entries = counted(db, paper)
    base = ["--db", db_url, "audit", "rla"]
    bad = runner.invoke(app, [*base, "plan", "1", "--seed", "123"])
    assert bad.exit_code == 3 and "at least 20 decimal digits" in bad.stderr
    planned = runner.invoke(
        app, [*base, "plan", "1", "--risk-limit", "0.1", "--seed", SEED, "--json"]
    )
    assert planned.exit_code == 0, planned.stderr
    data = json.loads(planned.stdout)
    assert data["seed"] == SEED and data["risk_limit"] == "1/10"
    assert {o["office"] for o in data["offices"]} == {o.title for o in paper.offices}
    keys = ("director", "deputy", "member")
    titles = {key: o.title for key, o in zip(keys, paper.offices, strict=True)}
    for s in data["to_pull"]:
        director, deputy, members = marks(number(s))
        args = [
            "--for",
            f"{titles['director']}:{director}",
            "--for",
            f"{titles['deputy']}:{deputy}",
        ]
        for m in members:
            args += ["--for", f"{titles['member']}:{m}"]
        done = runner.invoke(app, [*base, "record", s, *args])
        assert done.exit_code == 0, done.stderr
    assert entries  # the CLI readings agree with the counted entries
    shown = runner.invoke(app, [*base, "status"])
    assert shown.exit_code == 0, shown.stderr
    assert "The audit is complete" in shown.stdout
    status = json.loads(runner.invoke(app, [*base, "status", "--json"]).stdout)
    assert status["verdict"] == "complete" and status["observed"] == len(data["draws"])


def test_cli_record_needs_office_and_name(
    db: Database, paper: BallotPaper, db_url: str, runner: CliRunner
) -> None:
    counted(db, paper)
    base = ["--db", db_url, "audit", "rla"]
    runner.invoke(app, [*base, "plan", "--seed", SEED])
    result = runner.invoke(app, [*base, "record", serial(1), "--for", "张三"])
    assert result.exit_code == 3 and "OFFICE:NAME" in result.stderr


def test_cli_record_without_marks_needs_blank(
    db: Database, paper: BallotPaper, db_url: str, runner: CliRunner
) -> None:
    """Issue 11 §4: a serial given without marks is not silently a blank ballot."""
    counted(db, paper)
    base = ["--db", db_url, "--operator", "t", "audit", "rla"]
    drawn = json.loads(runner.invoke(app, [*base, "plan", "--seed", SEED, "--json"]).stdout)
    first = drawn["to_pull"][0]
    result = runner.invoke(app, [*base, "record", first])
    assert result.exit_code == 3 and "--blank" in result.stderr
    status = json.loads(runner.invoke(app, [*base, "status", "--json"]).stdout)
    assert status["observed"] == 0  # nothing recorded
    result = runner.invoke(app, [*base, "record", first, "--blank"])
    assert result.exit_code == 0, result.stderr


def test_cli_status_shows_the_next_round_and_round_draws_it(
    db: Database, paper: BallotPaper, db_url: str, runner: CliRunner
) -> None:
    """Issue 12 §5: audit rla status names the next round's size; audit rla round draws it."""
    round_one_with_discrepancies(db, paper)
    base = ["--db", db_url, "audit", "rla"]
    shown = runner.invoke(app, [*base, "status"])
    assert shown.exit_code == 0, shown.stderr
    assert "next round: 17 more draws" in shown.stdout
    assert "the next round draws 17 more ballots (juwei audit rla round)" in shown.stdout
    assert json.loads(runner.invoke(app, [*base, "status", "--json"]).stdout)["next_round"] == 17
    drawn = runner.invoke(app, [*base, "round", "--json"])
    assert drawn.exit_code == 0, drawn.stderr
    data = json.loads(drawn.stdout)
    assert data["round"] == 2 and len(data["draws"]) == 17 and data["total"] == 39
    again = runner.invoke(app, [*base, "round"])
    assert again.exit_code == 6
    assert "No further round is due: drawn ballots are still to be recorded." in again.stderr
    shown = runner.invoke(app, [*base, "status"])
    assert "round 2: 22 of 39 draws recorded" in shown.stdout
