"""Double entry (两人分别录入): a second clerk's pass, the reconciliation, the count's refusal."""

import json
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from juwei.cli import app
from juwei.elections.count import BallotEntry, count_election, record_ballots, result_sheet
from juwei.elections.db import Database
from juwei.elections.double_entry import reconcile, record_second_pass, resolve
from juwei.elections.models import BallotEntryResolution, Event
from juwei.elections.readmodels import BallotPaper
from juwei.errors import InputError, StateError
from tests.audit_setup import ballot, polling_election, serial
from tests.conftest import Scenario

N = 60  # ballots issued and returned (more than half of the 100 voters: a valid count)
SPLIT = 40  # pass 1 reads ballots 1–40 for director 1, the rest for director 2


@pytest.fixture
def paper(scenario: Scenario) -> BallotPaper:
    """60 ballots printed and issued to 60 of 100 voters (``N`` is polling_election's 60)."""
    return scenario(polling_election)


def first_pass(paper: BallotPaper) -> list[BallotEntry]:
    """Pass 1: ballots 1–SPLIT for director 1, the rest for director 2."""
    return [ballot(paper, n, 1 if n <= SPLIT else 2) for n in range(1, N + 1)]


def director_votes(db: Database) -> dict[str, int]:
    sheet = result_sheet(db)
    return {c.name: c.votes for c in sheet.offices[0].results}


def test_agreeing_passes_count_as_usual(db: Database, paper: BallotPaper) -> None:
    record_ballots(db, first_pass(paper), operator="clerk1")
    assert record_second_pass(db, first_pass(paper), operator="clerk2").entered == N
    result = reconcile(db)
    assert (result.second_pass, result.agreeing, result.unresolved) == (True, N, 0)
    assert count_election(db, operator="t").valid


def test_second_pass_never_changes_the_count(db: Database, paper: BallotPaper) -> None:
    record_ballots(db, first_pass(paper), operator="clerk1")
    second = [ballot(paper, n, 2) for n in range(1, N + 1)]  # reads every ballot for 2
    record_second_pass(db, second, operator="clerk2")
    for n in range(1, SPLIT + 1):
        resolve(db, serial(n), accept=1, operator="chair")
    count_election(db, operator="t")
    names = [c.name for c in paper.offices[0].candidates]
    assert director_votes(db) == {names[0]: SPLIT, names[1]: N - SPLIT}


def test_count_is_refused_while_a_difference_is_unresolved(
    db: Database, paper: BallotPaper
) -> None:
    record_ballots(db, first_pass(paper), operator="clerk1")
    second = first_pass(paper)[:-1]  # the last ballot not entered by the second clerk
    second[2] = ballot(paper, 3, 2)  # ballot 3 read differently
    record_second_pass(db, second, operator="clerk2")
    result = reconcile(db)
    assert [(d.ballot, d.second is None) for d in result.differences] == [
        (serial(3), False),
        (serial(N), True),
    ]
    with pytest.raises(StateError, match="2 ballots were read differently"):
        count_election(db, operator="t")
    resolve(db, serial(3), accept=1, operator="chair")
    with pytest.raises(StateError, match="1 ballots were read differently"):
        count_election(db, operator="t")
    resolve(db, serial(N), accept=1, operator="chair")
    assert reconcile(db).unresolved == 0
    assert count_election(db, operator="t").valid


def test_accepting_pass_2_corrects_the_counted_record(db: Database, paper: BallotPaper) -> None:
    record_ballots(db, first_pass(paper), operator="clerk1")
    second = first_pass(paper)
    second[0] = ballot(paper, 1, 2)  # the paper of ballot 1 really votes for 2
    record_second_pass(db, second, operator="clerk2")
    done = resolve(db, serial(1), accept=2, operator="chair")
    assert (done.accepted_pass, done.corrected) == (2, True)
    assert reconcile(db).unresolved == 0
    count_election(db, operator="t")
    names = [c.name for c in paper.offices[0].candidates]
    assert director_votes(db) == {names[0]: SPLIT - 1, names[1]: N - SPLIT + 1}
    with db.read() as session:
        row = session.exec(select(BallotEntryResolution)).one()
        assert (row.ballot, row.operator, row.accepted_pass) == (serial(1), "chair", 2)
        kinds = [e.kind for e in session.exec(select(Event)).all()]
        assert "count.reconcile" in kinds and "count.record_pass2" in kinds


def test_paper_showing_neither_reading(db: Database, paper: BallotPaper) -> None:
    record_ballots(db, first_pass(paper), operator="clerk1")
    second = first_pass(paper)
    second[4] = ballot(paper, 5, 2)
    record_second_pass(db, second, operator="clerk2")
    # the paper: director 1, but 委员 4 5 6 (both clerks misread the members)
    done = resolve(db, serial(5), paper=ballot(paper, 5, 1, 1, (4, 5, 6)), operator="chair")
    assert (done.accepted_pass, done.corrected) == (0, True)
    assert done.reading["sections"]["member"]["for"] == [4, 5, 6]
    # pass 1 now holds the paper; pass 2 still differs from it, but the paper settled it
    assert reconcile(db).unresolved == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"accept": 1, "serial": "1-1"}, "not a difference", id="not-a-difference"),
        pytest.param({"accept": 3, "serial": "1-3"}, "1 or 2", id="accept-1-or-2"),
        pytest.param({"accept": 2, "serial": serial(N)}, "pass 2 has no entry", id="missing-pass"),
        pytest.param({"serial": "1-3"}, "either --accept", id="neither-option"),
    ],
)
def test_bad_resolutions_are_refused(
    db: Database, paper: BallotPaper, kwargs: dict[str, object], message: str
) -> None:
    record_ballots(db, first_pass(paper), operator="clerk1")
    second = first_pass(paper)[:-1]
    second[2] = ballot(paper, 3, 2)
    record_second_pass(db, second, operator="clerk2")
    serial_no = str(kwargs.pop("serial"))
    with pytest.raises(InputError, match=message):
        resolve(db, serial_no, operator="chair", **kwargs)  # type: ignore[arg-type]
    assert reconcile(db).unresolved == 2  # nothing changed


def test_second_pass_refuses_bad_entries_and_writes_nothing(
    db: Database, paper: BallotPaper
) -> None:
    record_second_pass(db, first_pass(paper)[:2], operator="clerk2")
    bad = [ballot(paper, 1, 1), ballot(paper, 3, 1), ballot(paper, 3, 2)]
    with pytest.raises(InputError) as caught:
        record_second_pass(db, bad, operator="clerk2")
    text = str(caught.value)
    assert "already entered in the second pass" in text and "appears twice" in text
    assert reconcile(db).second == 2


# --------------------------------------------------------------------------------- CLI


def cli(runner: CliRunner, db_url: str, *args: str) -> Result:
    return runner.invoke(app, ["--db", db_url, *args])


def test_cli_double_entry_round(
    db: Database, paper: BallotPaper, db_url: str, runner: CliRunner, tmp_path: Path
) -> None:
    titles = [o.title for o in paper.offices]

    def line(e: BallotEntry) -> str:
        return json.dumps(
            {
                "bundle": e.bundle,
                "position": e.position,
                "sections": {t: {"for": list(marks[0])} for t, marks in e.sections.items()},
            },
            ensure_ascii=False,
        )

    one = first_pass(paper)
    two = first_pass(paper)
    two[6] = ballot(paper, 7, 2)
    (tmp_path / "p1.jsonl").write_text("\n".join(map(line, one)) + "\n", encoding="utf-8")
    (tmp_path / "p2.jsonl").write_text("\n".join(map(line, two)) + "\n", encoding="utf-8")
    assert cli(runner, db_url, "count", "import", str(tmp_path / "p1.jsonl")).exit_code == 0
    result = cli(runner, db_url, "count", "import", str(tmp_path / "p2.jsonl"), "--pass", "2")
    assert result.exit_code == 0, result.stderr
    assert f"Second pass: {N} ballots entered" in result.stdout

    listing = cli(runner, db_url, "count", "reconcile", "--json")
    data = json.loads(listing.stdout)
    assert data["unresolved"] == 1
    assert data["differences"][0]["ballot"] == serial(7)
    assert data["differences"][0]["pass2"]["sections"]["director"]["for"] == [2]

    shown = cli(runner, db_url, "count", "reconcile")
    assert serial(7) in shown.stdout and "1 not yet resolved" in shown.stdout
    director = paper.offices[0].candidates
    assert f"for 2 {director[1].name}" in shown.stdout

    refused = cli(runner, db_url, "count", "run")
    assert refused.exit_code == 6
    assert "1 ballots were read differently" in refused.stderr

    paper_json = json.dumps({"sections": {titles[0]: {"for": ["2"]}}}, ensure_ascii=False)
    done = cli(runner, db_url, "count", "reconcile", "--ballot", serial(7), "--paper", paper_json)
    assert done.exit_code == 0, done.stderr
    assert "neither pass read it right" in done.stdout
    assert "corrected" in done.stdout
    counted = cli(runner, db_url, "count", "run")
    assert counted.exit_code == 0, counted.stderr


def test_cli_accept_needs_a_ballot(
    db: Database, paper: BallotPaper, db_url: str, runner: CliRunner
) -> None:
    result = cli(runner, db_url, "count", "reconcile", "--accept", "1")
    assert result.exit_code == 3
    assert "--accept and --paper need --ballot" in result.stderr


def test_cli_enter_second_pass(
    db: Database, paper: BallotPaper, db_url: str, runner: CliRunner
) -> None:
    # Enter for ballot 1-1, then per office: illegible? for, against (+ write-ins), confirm
    answers = []
    for office in paper.offices:
        answers += ["n", "1", ""] + ([""] if office.write_ins else [])
    keystrokes = "\n".join(["", *answers, "y", "q"]) + "\n"
    result = runner.invoke(
        app, ["--db", db_url, "count", "enter", "--bundle", "1", "--pass", "2"], input=keystrokes
    )
    assert result.exit_code == 0, result.stderr
    assert "(second pass)" in result.stdout
    assert reconcile(db).second == 1
    assert reconcile(db).first == 0  # nothing counted


def test_a_corrected_ballot_still_verifies(
    db: Database, paper: BallotPaper, db_url: str, runner: CliRunner
) -> None:
    """The correction is logged with the ballot's new digest, so audit verify finds every
    stored ballot as the log says (count.reconcile carries ballot_digests)."""
    record_ballots(db, first_pass(paper), operator="clerk1")
    second = first_pass(paper)
    second[0] = ballot(paper, 1, 2)
    record_second_pass(db, second, operator="clerk2")
    resolve(db, serial(1), accept=2, operator="chair")
    count_election(db, operator="t")
    result = cli(runner, db_url, "audit", "verify", "1")
    assert result.exit_code == 0, result.stdout + result.stderr


def variant(paper: BallotPaper, how: str) -> BallotEntry:
    """Ballot 1 as the second clerk might read it (pass 1: director 1, deputy 1, 委员 1 2 3)."""
    titles = [o.title for o in paper.offices]
    director = paper.offices[0].candidates
    base = ballot(paper, 1, 1)
    sections = dict(base.sections)
    illegible: tuple[str, ...] = ()
    if how == "number-for-name":
        sections[titles[0]] = (("1",), (), ())
    elif how == "key-for-title":
        sections["director"] = sections.pop(titles[0])
    elif how == "other-order":
        for_, against, write_in = sections[titles[2]]
        sections[titles[2]] = (tuple(reversed(for_)), against, write_in)
    elif how == "other-candidate":
        sections[titles[0]] = ((director[1].name,), (), ())
    elif how == "against-instead":
        sections[titles[0]] = ((), (director[0].name,), ())
    elif how == "section-missed":
        del sections[titles[1]]
    elif how == "illegible":
        del sections[titles[1]]
        illegible = (titles[1],)
    return BallotEntry(base.bundle, base.position, sections, illegible, "test", 1)


@pytest.mark.parametrize(
    ("how", "differs"),
    [
        # the same marks, written differently: not a difference
        pytest.param("number-for-name", False, id="same-number-for-name"),
        pytest.param("key-for-title", False, id="same-office-key-for-title"),
        pytest.param("other-order", False, id="same-names-in-another-order"),
        # a different reading of the paper: a difference
        pytest.param("other-candidate", True, id="differs-other-candidate"),
        pytest.param("against-instead", True, id="differs-against-for-for"),
        pytest.param("section-missed", True, id="differs-section-missed"),
        pytest.param("illegible", True, id="differs-ruled-illegible"),
    ],
)
def test_what_counts_as_a_difference(
    db: Database, paper: BallotPaper, how: str, differs: bool
) -> None:
    record_ballots(db, first_pass(paper), operator="clerk1")
    record_second_pass(db, [variant(paper, how), *first_pass(paper)[1:]], operator="clerk2")
    result = reconcile(db)
    assert [d.ballot for d in result.differences] == ([serial(1)] if differs else [])
