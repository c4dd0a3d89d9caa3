"""Evaluation (考评): recorded, decided under [evaluation], and starting the recall procedure."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.db import Database
from juwei.elections.evaluation import evaluate_member
from juwei.elections.members import list_members, resign
from juwei.elections.models import Evaluation, Event, RecallPetition
from juwei.errors import InputError, StateError
from juwei.rules.evaluation import RepresentativesVerdicts, ResidentsBallots
from tests.committee import GENERAL_DAY, GENERAL_PLAN, certified_committee, roll, run_election
from tests.conftest import Scenario

DAY = date(2027, 12, 1)


@pytest.fixture
def committee(scenario: Scenario) -> list[str]:
    """A certified 钱牌 committee (members: the first seven voters); the roll's ID numbers."""
    return scenario(certified_committee)


def member(db: Database, office: str = "member") -> str:
    return str(next(m.id for m in list_members(db) if m.office_key == office and m.serving))


def counts(db: Database) -> tuple[int, int, int]:
    with db.read() as s:
        return (
            len(s.exec(select(Evaluation)).all()),
            len(s.exec(select(RecallPetition)).all()),
            len(s.exec(select(Event)).all()),
        )


def test_exactly_60_percent_is_recorded_and_starts_nothing(
    db: Database, committee: list[str]
) -> None:
    result = evaluate_member(
        db, member(db), on=DAY, residents=ResidentsBallots(40, 20, 40), operator="t"
    )
    assert not result.decision.triggered and result.petition_id is None
    assert (result.decision.count, result.decision.base) == (60, 100)
    with db.read() as s:
        [row] = s.exec(select(Evaluation)).all()
        assert (row.satisfied, row.basically, row.dissatisfied) == (40, 20, 40)
        assert row.kind == "residents" and not row.triggered
        assert s.exec(select(RecallPetition)).all() == []


def test_below_60_percent_starts_the_recall(db: Database, committee: list[str]) -> None:
    target = member(db)
    result = evaluate_member(
        db, target, on=DAY, residents=ResidentsBallots(40, 19, 41), operator="t"
    )
    assert result.decision.triggered and result.petition_id is not None
    # the petition is sufficient at once, with the charter's vote deadline (recall.vote: 30 days)
    assert result.vote_deadline == DAY + timedelta(days=30)
    with db.read() as s:
        petition = s.get(RecallPetition, result.petition_id)
        assert petition is not None
        assert (petition.origin, petition.state) == ("evaluation", "sufficient")
        assert petition.evaluation_ref == f"evaluation {result.id}"
        assert str(petition.member_id) == target
        row = s.get(Evaluation, result.id)
        assert row is not None and row.petition_id == petition.id
        kinds = [e.kind for e in s.exec(select(Event).order_by(Event.seq)).all()]
        assert kinds[-2:] == ["recall.petition", "member.evaluate"]
    # a second triggering evaluation is recorded, and says the recall is already under way
    again = evaluate_member(
        db, target, on=DAY, representatives=RepresentativesVerdicts(20, 30), operator="t"
    )
    assert again.decision.triggered and again.petition_id is None
    assert "already under way" in again.note


def test_two_thirds_of_representatives_start_the_recall(db: Database, committee: list[str]) -> None:
    low = evaluate_member(
        db, member(db, "deputy"), on=DAY,
        representatives=RepresentativesVerdicts(19, 30), operator="t",
    )  # fmt: skip
    assert not low.decision.triggered
    high = evaluate_member(
        db, member(db, "deputy"), on=DAY,
        representatives=RepresentativesVerdicts(20, 30), operator="t",
    )  # fmt: skip
    assert high.decision.triggered and high.petition_id is not None


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        pytest.param({}, InputError, "either the residents", id="neither"),
        pytest.param(
            {
                "residents": ResidentsBallots(1, 0, 1),
                "representatives": RepresentativesVerdicts(1, 3),
            },
            InputError,
            "not both",
            id="both",
        ),
        pytest.param(
            {"residents": ResidentsBallots(0, 0, 0)}, InputError, "no satisfaction", id="empty"
        ),
        pytest.param(
            {"residents": ResidentsBallots(1, 1, 10**12)},
            InputError,
            "only 120 voters are on the roll",
            id="more-ballots-than-voters",
        ),
        pytest.param(
            {"representatives": RepresentativesVerdicts(4, 3)},
            InputError,
            "more dissatisfied",
            id="more-dissatisfied-than-representatives",
        ),
        pytest.param(
            {"residents": ResidentsBallots(1, 0, 1), "on": GENERAL_DAY - timedelta(days=1)},
            StateError,
            "before",
            id="before-the-term",
        ),
    ],
)
def test_bad_evaluations_change_nothing(
    db: Database, committee: list[str], kwargs: dict[str, object], error: type, message: str
) -> None:
    before = counts(db)
    on = kwargs.pop("on", DAY)
    with pytest.raises(error, match=message):
        evaluate_member(db, member(db), on=on, operator="t", **kwargs)  # type: ignore[arg-type]
    assert counts(db) == before


def test_a_former_member_cannot_be_evaluated(db: Database, committee: list[str]) -> None:
    target = member(db)
    resign(db, target, on=date(2027, 6, 1), reason="moved away", operator="t")
    before = counts(db)
    with pytest.raises(StateError, match="former member"):
        evaluate_member(db, target, on=DAY, residents=ResidentsBallots(0, 0, 5), operator="t")
    assert counts(db) == before


def test_a_charter_without_evaluation_refuses(db_url: str, tmp_path: Path) -> None:
    from juwei.elections.community import init_community

    urban = Database(db_url)  # a fresh database: no community yet
    try:
        init_community(urban, "城区社区", "urban-2018", operator="t")
        ids = roll(urban, tmp_path)
        run_election(urban, ids, day=GENERAL_DAY, plan=GENERAL_PLAN)
        with pytest.raises(StateError, match=r"no \[evaluation\] rule"):
            evaluate_member(
                urban, member(urban), on=DAY, residents=ResidentsBallots(0, 0, 5), operator="t"
            )
    finally:
        urban.close()


def test_cli_evaluate(db: Database, db_url: str, committee: list[str], runner: CliRunner) -> None:
    target = member(db)
    db.close()
    base = ["--db", db_url, "members", "evaluate", target, "--on", DAY.isoformat()]
    result = runner.invoke(app, [*base, "--satisfied", "30", "--basically", "29"])
    assert result.exit_code == 0, result.stderr  # 59 of 59: nobody dissatisfied
    assert "not below" in result.stdout
    result = runner.invoke(
        app, [*base, "--satisfied", "3", "--basically", "2", "--dissatisfied", "5", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["triggered"] is True and (doc["count"], doc["base"]) == (5, 10)
    assert doc["rule"] == "evaluation.satisfaction_below"
    assert doc["vote_deadline"] == (DAY + timedelta(days=30)).isoformat()
    assert isinstance(doc["petition"], int)
    # bad input: both kinds, or half of the representatives' figures: exit 3, nothing written
    result = runner.invoke(app, [*base, "--satisfied", "3", "--representatives", "30"])
    assert result.exit_code == 3 and "not both" in result.stderr
    result = runner.invoke(app, [*base, "--representatives", "30"])
    assert result.exit_code == 3 and "--representatives-dissatisfied" in result.stderr
    result = runner.invoke(app, [*base])
    assert result.exit_code == 3
    result = runner.invoke(
        app, [*base, "--representatives-dissatisfied", "31", "--representatives", "30"]
    )
    assert result.exit_code == 3 and "more dissatisfied" in result.stderr


def test_cli_representatives_base_defaults_to_those_recorded(
    db: Database, db_url: str, committee: list[str], runner: CliRunner
) -> None:
    """Without --representatives the base is the representatives serving that day."""
    from juwei.elections.representatives import add_representative

    target = member(db)
    base = ["--db", db_url, "members", "evaluate", target, "--on", DAY.isoformat()]
    result = runner.invoke(app, [*base, "--representatives-dissatisfied", "2"])
    assert result.exit_code == 3 and "no residents' representatives" in result.stderr
    for number in committee[10:13]:
        add_representative(db, number, on=GENERAL_DAY, unit="社区医院", operator="t")
    db.close()
    result = runner.invoke(app, [*base, "--representatives-dissatisfied", "2", "--json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["count"], doc["base"], doc["triggered"]) == (2, 3, True)
