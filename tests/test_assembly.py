"""Sittings of the residents' representatives' assembly (居民代表会议): engine and CLI."""

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.assembly import list_sittings, record_sitting
from juwei.elections.db import Database
from juwei.elections.models import AssemblySitting, Event, Voter
from juwei.elections.representatives import add_representative, end_representative
from juwei.errors import InputError, StateError
from juwei.rules.assembly import Resolution
from tests.committee import roll
from tests.conftest import Scenario

DAY = date(2027, 3, 1)
SEATED = date(2027, 1, 10)


@pytest.fixture
def fifteen(scenario: Scenario) -> list[int]:
    """15 serving representatives: 3 per group (4 groups) and 3 sent by units; their ids."""
    return scenario(fifteen_representatives)


def fifteen_representatives(db: Database, folder: Path) -> list[int]:
    """Scenario: the 120-voter roll and 15 serving representatives; their ids."""
    ids = roll(db, folder)
    by_group: dict[int, list[str]] = {}
    with db.read() as s:
        for number in ids:
            voter = s.exec(select(Voter).where(Voter.id_number == number)).one()
            assert voter.group_id is not None
            by_group.setdefault(voter.group_id, []).append(number)
        from juwei.elections.models import ResidentsGroup

        names = {g.id: g.name for g in s.exec(select(ResidentsGroup)).all()}
    reps = []
    for group_id, numbers in sorted(by_group.items()):
        for number in numbers[:3]:
            info = add_representative(db, number, on=SEATED, group=names[group_id], operator="t")
            reps.append(info.id)
    for n, number in enumerate(by_group[min(by_group)][3:6]):
        info = add_representative(db, number, on=SEATED, unit=f"单位{n}", operator="t")
        reps.append(info.id)
    assert len(reps) == 15
    return reps


def rows(db: Database) -> tuple[int, int]:
    with db.read() as s:
        return len(s.exec(select(AssemblySitting)).all()), len(s.exec(select(Event)).all())


# 15 serving: 三分之二以上 → 10 present needed; 过半数 of those present
@pytest.mark.parametrize(
    ("present", "votes", "quorate", "resolution"),
    [
        pytest.param(10, None, True, None, id="S4 art 26: exactly 2/3 of 15 present"),
        pytest.param(9, None, False, None, id="S4 art 26: 9 of 15 is below 2/3"),
        pytest.param(10, (6, 4, 0), True, Resolution.ADOPTED, id="6 of 10 present: 过半数"),
        pytest.param(10, (5, 5, 0), True, Resolution.REJECTED, id="5 of 10: exactly half"),
        pytest.param(11, (5, 1, 5), True, Resolution.REJECTED, id="abstentions count in base"),
        pytest.param(9, (9, 0, 0), False, Resolution.NOT_DECIDED, id="no quorum, no decision"),
    ],
)
def test_a_sitting_is_decided_with_the_serving_representatives_as_base(
    db: Database,
    fifteen: list[int],
    present: int,
    votes: tuple[int, int, int] | None,
    quorate: bool,
    resolution: Resolution | None,
) -> None:
    matter = None if votes is None else "社区停车管理办法"
    f, a, b = votes or (None, None, None)
    info = record_sitting(
        db,
        on=DAY,
        present=present,
        matter=matter,
        votes_for=f,
        votes_against=a,
        abstain=b,
        operator="t",
    )
    assert (info.serving, info.decision.quorate, info.decision.resolution) == (
        15,
        quorate,
        resolution,
    )
    assert info.decision.needed_present == 10
    [again] = list_sittings(db)
    assert again.decision == info.decision  # decided again under the pinned charter
    with db.read() as s:
        event = s.exec(select(Event).where(Event.kind == "assembly.sit")).one()
        assert json.loads(event.payload)["serving"] == 15


def test_the_base_is_the_representatives_serving_on_the_day(
    db: Database, fifteen: list[int]
) -> None:
    end_representative(db, fifteen[0], on=DAY, reason="moved away", operator="t")
    info = record_sitting(db, on=DAY, present=10, operator="t")
    assert info.serving == 14
    assert info.decision.needed_present == 10  # ceil(2/3 × 14) = 10
    with pytest.raises(StateError, match="No residents' representative serves on 2027-01-09"):
        record_sitting(db, on=date(2027, 1, 9), present=0, operator="t")  # before their term


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        pytest.param({"present": 16}, InputError, "16 present, but only 15", id="present>serving"),
        pytest.param({"present": -1}, InputError, "cannot be negative", id="negative"),
        pytest.param(
            {"present": 10, "votes_for": 5, "votes_against": 1},
            InputError,
            "without the matter",
            id="votes without matter",
        ),
        pytest.param(
            {"present": 10, "matter": "x"}, InputError, "needs its votes", id="matter no votes"
        ),
        pytest.param(
            {"present": 10, "matter": "x", "votes_for": 8, "votes_against": 3},
            InputError,
            "11 votes",
            id="votes>present",
        ),
        pytest.param({"present": 10, "matter": " "}, InputError, "empty", id="empty matter"),
    ],
)
def test_bad_sittings_are_refused_and_nothing_is_written(
    db: Database, fifteen: list[int], kwargs: dict[str, object], error: type, message: str
) -> None:
    before = rows(db)
    with pytest.raises(error, match=message):
        record_sitting(db, on=DAY, operator="t", **kwargs)  # type: ignore[arg-type]
    assert rows(db) == before


def test_no_sitting_without_serving_representatives(db: Database, tmp_path: Path) -> None:
    roll(db, tmp_path)
    with pytest.raises(StateError, match="No residents' representative serves on 2027-03-01"):
        record_sitting(db, on=DAY, present=0, operator="t")


def test_cli_assembly(db: Database, db_url: str, fifteen: list[int]) -> None:
    runner = CliRunner()
    base = ["--db", db_url, "--operator", "t", "assembly"]
    result = runner.invoke(app, [*base, "sit", "--on", "2027-03-01", "--present", "16"])
    assert result.exit_code == 3, result.output
    assert "16 present, but only 15 representatives serve on 2027-03-01" in result.stderr
    assert rows(db)[0] == 0
    result = runner.invoke(
        app,
        [*base, "sit", "--on", "2027-03-01", "--present", "10", "--matter", "停车管理",
         "--for", "6", "--against", "3", "--abstain", "1", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["quorate"], doc["resolution"], doc["needed_for"], doc["rule"]) == (
        True,
        "adopted",
        6,
        "assembly.majority",
    )
    assert doc["source"].startswith("S4 art 26")
    result = runner.invoke(app, [*base, "sit", "--on", "2027-03-02", "--present", "9"])
    assert result.exit_code == 0, result.output
    assert "NO QUORUM" in result.stdout
    result = runner.invoke(app, [*base, "list", "--json"])
    assert [(d["present"], d["quorate"]) for d in json.loads(result.stdout)] == [
        (10, True),
        (9, False),
    ]


def test_a_sittings_verdict_feeds_an_evaluation(db: Database, db_url: str, tmp_path: Path) -> None:
    """members evaluate --sitting N: the sitting's serving representatives are the base (SEED
    钱牌 第二十一条: 三分之二以上居民代表不满意 starts the recall), its day the default day."""
    from juwei.elections.members import list_members
    from tests.committee import GENERAL_DAY, GENERAL_PLAN, run_election

    ids = roll(db, tmp_path)
    run_election(db, ids, day=GENERAL_DAY, plan=GENERAL_PLAN)
    for n, number in enumerate(ids[60:75]):
        add_representative(db, number, on=SEATED, unit=f"单位{n}", operator="t")
    target = str(next(m.id for m in list_members(db) if m.office_key == "member"))
    db.close()
    runner = CliRunner()
    base = ["--db", db_url, "--operator", "t"]
    result = runner.invoke(app, [*base, "assembly", "sit", "--on", "2027-03-01", "--present", "9"])
    assert result.exit_code == 0, result.output  # no quorum (9 of 15)
    result = runner.invoke(app, [*base, "assembly", "sit", "--on", "2027-03-02", "--present", "12"])
    assert result.exit_code == 0, result.output
    evaluate = [*base, "members", "evaluate", target]
    result = runner.invoke(
        app, [*evaluate, "--sitting", "1", "--representatives-dissatisfied", "9"]
    )
    assert result.exit_code == 6 and "Sitting 1 had no quorum" in result.stderr
    result = runner.invoke(
        app, [*evaluate, "--sitting", "2", "--representatives-dissatisfied", "13"]
    )
    assert result.exit_code == 3 and "only 12 were present at sitting 2" in result.stderr
    result = runner.invoke(
        app, [*evaluate, "--sitting", "3", "--representatives-dissatisfied", "1"]
    )
    assert result.exit_code == 5 and "No sitting 3" in result.stderr
    result = runner.invoke(
        app,
        [*evaluate, "--sitting", "2", "--representatives-dissatisfied", "10", "--on", "2027-03-01"],
    )
    assert result.exit_code == 3, result.output
    assert "--on: 2027-03-01 is before sitting 2 was held on 2027-03-02" in result.stderr
    # 10 of the 15 serving: exactly 2/3 (以上 includes): the recall procedure starts
    result = runner.invoke(
        app, [*evaluate, "--sitting", "2", "--representatives-dissatisfied", "10", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["count"], doc["base"], doc["triggered"]) == (10, 15, True)
    assert doc["evaluation"] == 1  # the refused evaluation wrote nothing
    assert doc["on"] == "2027-03-02"
    assert isinstance(doc["petition"], int)
