"""CLI: a general election through the commands — exact exit codes and messages."""

import json
import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.db import Database
from juwei.elections.synthetic import synthetic_roll, write_roll_csv
from tests.conftest import Scenario

DAY = date(2026, 12, 20)


class Juwei:
    """Runs juwei commands against one database, as a clerk would type them."""

    def __init__(self, runner: CliRunner, db_url: str) -> None:
        self.runner = runner
        self.db_url = db_url

    def __call__(self, *args: str, input: str | None = None) -> tuple[int, str, str]:
        result = self.runner.invoke(app, ["--db", self.db_url, *args], input=input)
        return result.exit_code, result.stdout, result.stderr

    def ok(self, *args: str, input: str | None = None) -> str:
        code, out, err = self(*args, input=input)
        assert code == 0, err or out
        return out


def nominated(db: Database, folder: Path) -> list[str]:
    """Scenario, through the commands: the ``db`` fixture's community, 80 voters and an
    election on DAY with all nominations made; the voters' ID numbers."""
    j = Juwei(CliRunner(), db.url)
    people = list(synthetic_roll(80, groups=3, seed=21, as_of=DAY))
    ids = [p.id_number for p in people]
    write_roll_csv(folder / "roll.csv", people)
    j.ok("roll", "import", str(folder / "roll.csv"), "--as-of", DAY.isoformat())
    j.ok("election", "new", "--day", DAY.isoformat())
    backers = folder / "backers.csv"
    for i, (office, person) in enumerate(
        [("director", ids[0]), ("deputy", ids[1])] + [("member", ids[2 + k]) for k in range(5)]
    ):
        backers.write_text(
            "公民身份号码\n" + "\n".join(ids[20 + 10 * (i % 5) : 30 + 10 * (i % 5)]) + "\n",
            encoding="utf-8",
        )
        j.ok(
            "nominate",
            person,
            "--office",
            office,
            "--supporters",
            str(backers),
            "--on",
            "2026-12-01",
        )
    return ids


@pytest.fixture
def juwei(runner: CliRunner, db_url: str, scenario: Scenario) -> tuple[Juwei, list[str]]:
    """A community with 80 voters and an election on DAY with all nominations made."""
    return Juwei(runner, db_url), scenario(nominated)


def test_the_election_runs_through_the_commands(
    juwei: tuple[Juwei, list[str]], tmp_path: Path
) -> None:
    j, ids = juwei
    out = j.ok("candidates", "confirm", "--on", "2026-12-10", "--json")
    assert [o["kind"] for o in json.loads(out)] == ["uncontested"] * 3
    out = j.ok("ballots", "print", "--copies", "50", "--out", str(tmp_path / "b.pdf"))
    assert "serials A000001 to A000050" in out
    assert (tmp_path / "b.pdf").stat().st_size > 0
    for person in ids[:45]:
        j.ok("poll", "issue", person, "--on", DAY.isoformat())
    code, _, err = j("poll", "issue", ids[0], "--box", "流动票箱")
    assert code == 6 and "already received a ballot on 2026-12-20 at 中心会场" in err
    status = json.loads(j.ok("poll", "status", "--json"))
    assert (status["printed"], status["issued"], status["unused"]) == (50, 45, 5)
    lines = [
        json.dumps(
            {
                "bundle": 1,
                "position": n,
                "sections": {
                    "主任": {"for": ["1"]},
                    "副主任": {"for": ["1"]},
                    "委员": {"for": ["1", "2", "3", "4", "5"]},
                },
            },
            ensure_ascii=False,
        )
        for n in range(1, 43)
    ]
    (tmp_path / "ballots.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # counting starts only when the poll is closed: the open box is named
    code, _, err = j("count", "import", str(tmp_path / "ballots.jsonl"))
    assert code == 6 and "the poll is still open at 中心会场" in err
    j.ok("poll", "close")
    code, _, err = j("poll", "issue", ids[46])
    assert code == 6 and "The poll was closed on 2026-12-20" in err
    # the box is opened: 43 ballots found of the 45 issued
    out = j.ok("count", "open", "--box", "中心会场", "--found", "43")
    assert "43 ballots found, 45 issued there" in out
    out = j.ok("count", "import", str(tmp_path / "ballots.jsonl"))
    assert "Recorded 42 ballots: 42 valid (0 blank), 0 invalid" in out
    code, _, err = j("count", "run")
    assert code == 6 and "43 ballots were found when the boxes were opened but only 42" in err
    # one more by hand: ballot 1-43 (Enter), then per office illegible? / for / against /
    # write-ins, then save; q ends
    keys = "\nn\n1\n\n\nn\n1\n\n\nn\n1 2 3 4 5\n\n\ny\nq\n"
    out = j.ok("count", "enter", "--bundle", "1", "--from", "43", input=keys)
    assert "Saved ballot 1-43 (valid). Ballots entered: 1." in out
    # a 44th record would outnumber the ballots found
    code, _, err = j("count", "enter", "--bundle", "2", input=keys)
    assert "more than the 43 ballots found" in err
    out = j.ok("count", "run")
    assert "Counted." in out
    results = json.loads(j.ok("results", "show", "--json"))
    assert results["returned"] == 43 and results["valid"] is True
    assert all(r["votes"] == 43 and r["elected"] for o in results["offices"] for r in o["results"])
    j.ok("results", "print", "--out", str(tmp_path / "results"))
    assert (tmp_path / "results" / "result-sheet.pdf").exists()
    seated = json.loads(j.ok("results", "certify", "--on", DAY.isoformat(), "--json"))
    assert len(seated) == 7 and seated[0]["term_end"] == "2029-12-20"


def test_a_slate_outside_the_charter_is_refused_and_nothing_changes(
    juwei: tuple[Juwei, list[str]], tmp_path: Path
) -> None:
    j, ids = juwei
    backers = tmp_path / "more.csv"
    for k, person in enumerate(ids[10:12]):
        backers.write_text(
            "公民身份号码\n" + "\n".join(ids[60 + 10 * k : 70 + 10 * k]) + "\n", encoding="utf-8"
        )
        j.ok(
            "nominate",
            person,
            "--office",
            "director",
            "--supporters",
            str(backers),
            "--on",
            "2026-12-01",
        )
    code, _, err = j("candidates", "confirm", "--on", "2026-12-10")
    assert code == 6
    assert "Cannot confirm the candidates:" in err
    assert "主任" in err or "director" in err
    assert json.loads(j.ok("election", "show", "--json"))["state"] == "nominating"


def test_a_late_candidate_list_is_refused_under_the_seed_charter(
    juwei: tuple[Juwei, list[str]],
) -> None:
    j, _ids = juwei
    code, _, err = j("candidates", "confirm", "--on", "2026-12-16")
    assert code == 6 and "late" in err and "P6" in err


def test_a_nominee_twice_and_too_few_supporters(
    juwei: tuple[Juwei, list[str]], tmp_path: Path
) -> None:
    j, ids = juwei
    code, _, err = j("nominate", ids[0], "--office", "member", "--supporter", ids[40])
    assert code == 6 and "one office per person" in err
    code, _, err = j("nominate", ids[15], "--office", "member", "--supporter", ids[40])
    assert code == 3 and "at least 10 supporters; 1 given" in err


def one_ballot_out(juwei: tuple[Juwei, list[str]], tmp_path: Path) -> Juwei:
    """Candidates confirmed, 3 ballots printed, one issued (to the first voter)."""
    j, ids = juwei
    j.ok("candidates", "confirm", "--on", "2026-12-10")
    j.ok("ballots", "print", "--copies", "3", "--out", str(tmp_path / "b.pdf"))
    j.ok("poll", "issue", ids[0])
    return j


def closed_and_opened(j: Juwei, found: int) -> None:
    """The poll closed and its one box opened with ``found`` ballots: counting may begin."""
    j.ok("poll", "close")
    j.ok("count", "open", "--box", "中心会场", "--found", str(found))


def test_ballot_file_with_a_bad_identity_and_name_is_refused_whole(
    juwei: tuple[Juwei, list[str]], tmp_path: Path
) -> None:
    j = one_ballot_out(juwei, tmp_path)
    closed_and_opened(j, 1)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"bundle": 1, "position": 1, "sections": {"主任": {"for": ["诸葛亮"]}}}\n'
        '{"bundle": 0, "position": 1, "sections": {}}\n'
        '{"serial": "A000001", "box": "中心会场", "sections": {}}\n',
        encoding="utf-8",
    )
    code, _, err = j("count", "import", str(bad))
    assert code == 3
    assert "3 row(s) have errors; nothing was recorded:" in err
    assert "bad.jsonl:1:1-1: 诸葛亮 is not a candidate for 主任" in err
    assert "bad.jsonl:2: not a ballot record: bundle must be between 1 and 99999" in err
    assert "bad.jsonl:3: not a ballot record: a ballot is identified by its bundle" in err
    assert json.loads(j.ok("poll", "status", "--json"))["entered"] == 0


def test_voter_list_publication_is_checked_against_the_timetable(
    juwei: tuple[Juwei, list[str]], tmp_path: Path
) -> None:
    j, _ids = juwei
    out = tmp_path / "list.pdf"
    code, _, err = j("roll", "print", "--out", str(out), "--publish", "--on", "2026-12-01")
    assert code == 6 and "late" in err and "P7" in err
    assert not out.exists()  # refused: no list printed as published
    text = j.ok("roll", "print", "--out", str(out), "--publish", "--on", "2026-11-30")
    assert "on time" in text and out.exists()


def test_dated_steps_are_checked_against_the_election_day(
    juwei: tuple[Juwei, list[str]], tmp_path: Path
) -> None:
    j, ids = juwei
    j.ok("candidates", "confirm", "--on", "2026-12-10")
    j.ok("ballots", "print", "--copies", "3", "--out", str(tmp_path / "b.pdf"))
    code, _, err = j("poll", "issue", ids[0], "--on", "2027-03-01")
    assert code == 6 and "is after the election day 2026-12-20" in err
    out = j.ok("poll", "issue", ids[0], "--json")  # no --on: the election day
    assert json.loads(out)["box"] == "中心会场"
    assert json.loads(j.ok("poll", "status", "--json"))["issued"] == 1


def test_an_office_given_twice_on_one_ballot_is_refused(
    juwei: tuple[Juwei, list[str]], tmp_path: Path
) -> None:
    """Issue 12 §4: one section of paper read twice (by key and by title in JSON, or a second
    CSV row for the same ballot and office) would count a vote twice or replace an overvote:
    refused whole, naming the row, and nothing recorded."""
    j = one_ballot_out(juwei, tmp_path)
    closed_and_opened(j, 1)
    twice = tmp_path / "twice.jsonl"
    twice.write_text(
        '{"bundle": 1, "position": 1, '
        '"sections": {"director": {"for": ["1"]}, "主任": {"for": ["1"]}}}\n',
        encoding="utf-8",
    )
    code, _, err = j("count", "import", str(twice))
    assert code == 3, err
    assert "twice.jsonl:1:1-1: the office 主任 is given twice on one ballot" in err
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "bundle,position,office,for,against,write_in,illegible\n"
        "1,1,委员,1 2 3 4 5,,,\n"  # marks for every candidate …
        "1,1,委员,1,,,\n",  # … that a second row would silently replace
        encoding="utf-8",
    )
    code, _, err = j("count", "import", str(rows))
    assert code == 3, err
    assert "rows.csv:3:office: ballot 1-1 has a second row for the office 委员" in err
    assert "1 row(s) have errors" in err
    assert json.loads(j.ok("poll", "status", "--json"))["entered"] == 0


def test_count_enter_running_totals_are_the_engines(
    juwei: tuple[Juwei, list[str]], tmp_path: Path
) -> None:
    """Issue 12 §4: the totals shown while ballots are entered equal the engine's count: a
    ballot taken back is subtracted, an overvoted section is shown invalid and adds nothing."""
    j = one_ballot_out(juwei, tmp_path)
    _, ids = juwei
    j.ok("poll", "issue", ids[1])
    j.ok("poll", "issue", ids[2])
    closed_and_opened(j, 3)
    listed = json.loads(j.ok("candidates", "list", "--json"))
    director = next(c["name"] for c in listed if c["office"] == "主任")
    deputy = next(c["name"] for c in listed if c["office"] == "副主任")
    nothing = "n\n\n\n\n"
    keys = (
        f"\nn\n1\n\n\nn\n1\n\n\n{nothing}y\n"  # 1-1: 主任 1, 副主任 1
        f"\nn\n1\n\n{deputy}\n{nothing}{nothing}y\n"  # 1-2: 主任: two names, one seat
        "u\n"  # … taken back
        f"2\n{nothing}{nothing}{nothing}y\n"  # 1-2 again: a blank ballot
        "q\n"
    )
    out = j.ok("count", "enter", "--bundle", "1", input=keys)
    steps = out.split("Saved ballot")
    assert f"\n  主任: {director} 1 (1 invalid sections)\n" in steps[2]  # not the write-in
    taken_back = out.split("Last ballot taken back")[1].split("Saved ballot")[0]
    assert "Totals: 1 ballots, 1 valid (0 blank), 0 invalid." in taken_back
    assert f"\n  主任: {director} 1\n" in taken_back and "invalid sections" not in taken_back
    assert "Totals: 2 ballots, 2 valid (1 blank), 0 invalid." in steps[3]


def test_the_sheets_name_people_say_each_decision_once_and_show_blank_ballots(
    juwei: tuple[Juwei, list[str]], tmp_path: Path
) -> None:
    """Issue 12 §6 through the commands: a 委员 seat left to a supplementary round whose seats
    may stay empty (6 elected, at least 3: count.supplementary, S4 art 15; V1) — the decision
    names people by name and says once which applies; blank ballots are reported; the round's
    candidates are listed; its ballot has one write-in box for its one seat and says 另行选举
    once in its title."""
    from pypdf import PdfReader

    j, ids = juwei
    people = {p.id_number: p.name for p in synthetic_roll(80, groups=3, seed=21, as_of=DAY)}
    j.ok("candidates", "confirm", "--on", "2026-12-10")
    j.ok("ballots", "print", "--copies", "50", "--out", str(tmp_path / "b.pdf"))
    for person in ids[:45]:
        j.ok("poll", "issue", person, "--on", DAY.isoformat())
    written = people[ids[10]]

    def line(n: int) -> str:
        members = ["1", "2", "3", "4"] + (["5"] if n <= 10 else [])
        sections = {
            "主任": {"for": ["1"]},
            "副主任": {"for": ["1"]},
            "委员": {"for": members} | ({"write_in": [written]} if 10 < n <= 15 else {}),
        }
        return json.dumps(
            {"bundle": 1, "position": n, "sections": {} if n > 40 else sections},
            ensure_ascii=False,
        )

    (tmp_path / "ballots.jsonl").write_text(
        "\n".join(line(n) for n in range(1, 43)) + "\n", encoding="utf-8"
    )
    closed_and_opened(j, 42)
    out = j.ok("count", "import", str(tmp_path / "ballots.jsonl"))
    assert "Recorded 42 ballots: 42 valid (2 blank), 0 invalid" in out
    j.ok("count", "run")
    shown = json.loads(j.ok("results", "show", "--json"))
    assert (shown["valid_ballots"], shown["blank_ballots"], shown["invalid_ballots"]) == (42, 2, 0)
    assert "of which blank 2" in j.ok("results", "show")
    member = next(o for o in shown["offices"] if o["office"] == "委员")
    decision = member["decision"]
    fifth = next(r["name"] for r in member["results"] if not r["elected"] and not r["write_in"])
    assert f"among {fifth}, {written}" in decision and not re.search(r"\bv\d+", decision)
    assert decision.count("supplementary round") == 1 and "is not required" in decision
    assert member["rules"][0] == "count.elected" and "count.supplementary" in member["rules"]
    assert "count." not in decision  # rule keys stay in the rules field, not in the words
    j.ok("--lang", "zh_CN", "results", "print", "--out", str(tmp_path / "results"))
    sheet = "".join(
        page.extract_text() for page in PdfReader(tmp_path / "results" / "result-sheet.pdf").pages
    ).replace("\n", "")
    assert "空白票（有效票中未选任何人的）2 张。" in sheet and not re.search(r"\bv\d+", sheet)
    assert sheet.count("另行选举") == 1 and "缺额可以暂缺，不必另行选举" in sheet.replace("\n", "")
    listed = json.loads(j.ok("candidates", "list", "--election", "2", "--json"))
    assert sorted((c["office"], c["name"], c["method"]) for c in listed) == sorted(
        [("委员", fifth, "supplementary"), ("委员", written, "supplementary")]
    )
    rounds = json.loads(j.ok("election", "list", "--json"))
    title = next(e["title"] for e in rounds if e["id"] == 2)
    assert title.count("另行选举") == 1
    j.ok("ballots", "print", "--election", "2", "--copies", "1", "--out", str(tmp_path / "r2.pdf"))
    text = PdfReader(tmp_path / "r2.pdf").pages[0].extract_text()
    assert text.count("另行选举") == 2  # once in the stub's title, once on the ballot's
    from juwei.elections.db import Database
    from juwei.elections.poll import read_ballot_paper

    db = Database(j.db_url)
    try:
        paper = read_ballot_paper(db, election_id=2)
    finally:
        db.close()
    assert [(o.title, o.seats, o.write_ins) for o in paper.offices] == [("委员", 1, 1)]
