"""One person, one office in a supplementary round (``[ballot.same_person]``, V1), decided in
``rules.counting`` — and the count that crashed on it (design-review F2) now completes."""

import json
from datetime import timedelta
from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.community import init_community
from juwei.elections.count import BallotEntry, record_ballots
from juwei.elections.db import Database
from juwei.elections.election import new_election
from juwei.elections.models import Candidate, Office, Voter
from juwei.elections.nomination import confirm_candidates, nominate
from juwei.elections.poll import issue_from_sheet, print_ballots
from juwei.elections.roll import import_roll
from juwei.elections.synthetic import synthetic_roll, write_roll_csv
from juwei.rules.charter import load_charter
from juwei.rules.counting import decide_outcome
from tests.boxes import close_and_open
from tests.committee import GENERAL_DAY as DAY
from tests.test_counting import DEP, M, counts, office

URBAN = load_charter("urban-2018")


def test_rule_row_higher_office_first() -> None:
    """ballot.same_person (V1): c leads the unelected for 副主任 and for 委员; nobody reaches
    过半数 in either. c stands for 副主任 only; 委员's list takes the next in line."""
    outcome = decide_outcome(
        URBAN,
        counts(
            office(DEP, 2, {"b": 40, "c": 30, "d": 20}),
            office(M, 1, {"c": 45, "e": 30, "f": 10}),
            returned=100,
        ),
    )
    deputy, member = outcome.office(DEP).supplementary, outcome.office(M).supplementary
    assert deputy is not None and member is not None
    assert "c" in deputy.candidates
    assert "c" not in member.candidates and member.candidates == ("e", "f")
    assert "one person stands for one office" in member.reason and "V1" in member.reason
    assert "one person stands" not in deputy.reason


def test_rule_row_nobody_else_listed_twice() -> None:
    outcome = decide_outcome(
        URBAN,
        counts(office(DEP, 1, {"c": 30, "d": 20}), office(M, 1, {"c": 45, "e": 30}), returned=100),
    )
    lists = [o.supplementary.candidates for o in outcome.offices if o.supplementary]
    everyone = [p for names in lists for p in names]
    assert len(everyone) == len(set(everyone))


def test_repro_two_offices_counts_through_the_cli(tmp_path: Path) -> None:
    """shared/spec/repro-same-person-two-offices.py: it died with IntegrityError (exit 4)."""
    d = tmp_path
    url = f"sqlite:///{d}/x.db"
    db = Database(url)
    init_community(db, "社区", "urban-2018", operator="t")
    people = list(synthetic_roll(150, groups=4, seed=11, as_of=DAY))
    write_roll_csv(d / "roll.csv", people)
    import_roll(db, d / "roll.csv", as_of=DAY, operator="t")
    ids = [p.id_number for p in people]
    name = {p.id_number: p.name for p in people}
    info = new_election(db, day=DAY, seats={"deputy": 2}, operator="t")
    seats = {o.key: o.seats for o in info.offices}
    plan = {"director": [0], "deputy": [1, 2, 3], "member": list(range(4, 4 + seats["member"]))}
    k = 0
    for key, nominees in plan.items():
        for p in nominees:
            backers = ids[100 + (k % 5) * 10 : 110 + (k % 5) * 10]
            nominate(
                db,
                office_key=key,
                nominee=ids[p],
                method="joint",
                supporters=backers,
                on=DAY - timedelta(days=30),
                operator="t",
            )
            k += 1
    confirm_candidates(db, on=DAY - timedelta(days=10), operator="t")
    papers: list[object] = []
    print_ballots(db, 80, lambda paper, serials: papers.append(paper), operator="t")
    (d / "sheet.csv").write_text("公民身份号码\n" + "\n".join(ids[20:100]) + "\n", encoding="utf-8")
    issue_from_sheet(db, d / "sheet.csv", box="中心会场", on=DAY, operator="t")
    title = {o.key: o.title for o in info.offices}
    b, c, dd = name[ids[1]], name[ids[2]], name[ids[3]]
    members = [name[ids[i]] for i in plan["member"]]
    entries = []
    for n in range(1, 81):
        pair = (b, c) if n <= 26 else ((b, dd) if n <= 53 else (c, dd))
        entries.append(
            BallotEntry(
                1 + (n - 1) // 40,
                1 + (n - 1) % 40,
                {
                    title["director"]: ((name[ids[0]],), (), ()),
                    title["deputy"]: (pair, (), ()),
                    title["member"]: (tuple(members[: seats["member"] - 1]), (), (c,)),
                },
            )
        )
    close_and_open(db, on=DAY)
    record_ballots(db, entries, operator="t")
    db.close()
    runner = CliRunner(env={"JUWEI_LANG": "en"})
    r = runner.invoke(app, ["--db", url, "count", "run", "--all-in"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["--db", url, "results", "show", "--json"])
    assert r.exit_code == 0, r.output
    sheet = json.loads(r.stdout)
    r = runner.invoke(app, ["--db", url, "election", "list", "--json"])
    rounds = [e for e in json.loads(r.stdout) if e["kind"] == "supplementary"]
    assert len(rounds) == 1
    db = Database(url)
    with db.read() as session:
        rows = session.exec(
            select(Office.key, Voter.name)
            .join(Candidate, Candidate.office_id == Office.id)  # type: ignore[arg-type]
            .join(Voter, Voter.id == Candidate.voter_id)  # type: ignore[arg-type]
            .where(Candidate.election_id == rounds[0]["id"])
        ).all()
    db.close()
    by_office: dict[str, list[str]] = {}
    for key, person in rows:
        by_office.setdefault(key, []).append(person)
    assert by_office["deputy"].count(c) == 1 and c not in by_office["member"]  # the higher office
    assert "one person stands for one office" in json.dumps(sheet, ensure_ascii=False)
