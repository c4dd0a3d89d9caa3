"""Issue 11 §1, the attack: nobody can link a voter to a ballot.

Written as an attacker would work. An election is built through the commands; 41 voters get
ballots in an order the attacker knows (the sign-in book), one of them alone at a mobile box
(流动票箱), with spoiled ballots exchanged between them; each voter marks a ballot no other
voter marks, so that the truth is known to the test. The poll is closed, the boxes are
opened, the counting team mixes every box's ballots and bundles them (the test shuffles
them, as hands do), the ballots are entered and counted, and the audit package is exported.
Then every linkage the issue names is tried on everything the attacker can read — the
database, the event log and the package: issue order against print order, entry order,
record ids, package order and event interleaving; the box of the mobile voter; times; stub
numbers and spoil events. None may link more voters to their ballots than chance does: a
random guess of 41 gets about one right. About fifty guesses are tried (six orders, each off by
up to three, and more), so the bar is set where all of them together fail by chance less than
once in ten thousand runs: nine or more right happens to one random guess about once in
900,000 (exactly 1.13e-6, from the derangement numbers). An attack that works links far more.
"""

import itertools
import json
import random
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text

from tests.test_cli_election import DAY, Juwei, juwei  # noqa: F401 (the fixture)

VOTERS = 41  # 40 at the polling station, one at the mobile box
CHANCE = 9  # right guesses one random guess of 41 reaches with probability 1.13e-6 (×~50 tried)


def pattern(k: int) -> dict[str, dict[str, list[str]]]:
    """The ballot voter k marks: 同意 / 不同意 / nothing for each of the 5 委员 candidates and
    for the 主任 — a different ballot for every voter (3^6 patterns)."""
    digits = [(k // 3**i) % 3 for i in range(6)]
    sections: dict[str, dict[str, list[str]]] = {}
    member = {"for": [str(n) for n in range(1, 6) if digits[n] == 1]}
    member["against"] = [str(n) for n in range(1, 6) if digits[n] == 2]
    sections["委员"] = member
    if digits[0]:
        sections["主任"] = {"for" if digits[0] == 1 else "against": ["1"]}
    return sections


def reading_key(sections: dict[str, Any]) -> str:
    return json.dumps(sections, sort_keys=True, ensure_ascii=False)


def right(guess: dict[int, str], truth: dict[int, str]) -> int:
    """How many voters a guess (voter → ballot) links to their own ballot."""
    return sum(1 for k, ballot in guess.items() if truth.get(k) == ballot)


def attacked(
    juwei: tuple[Juwei, list[str]],  # noqa: F811
    tmp_path: Path,
    db_url: str,
) -> dict[str, Any]:
    """The election as the attacker finds it after the count: what they know and can read."""
    j, ids = juwei
    j.ok("candidates", "confirm", "--on", "2026-12-10")
    j.ok("ballots", "print", "--copies", "60", "--out", str(tmp_path / "b.pdf"))
    voters = ids[30:71]  # the sign-in order the attacker knows: voter k is voters[k]
    order: list[tuple[str, int]] = []  # (box, voter) in issue order
    for k, number in enumerate(voters):
        box = "流动票箱1" if k == 17 else "中心会场"  # the mobile box serves one voter
        j.ok("poll", "issue", number, "--box", box)
        order.append((box, k))
        if k in (4, 5, 22):  # a spoiled ballot exchanged right after a voter signed in
            j.ok("poll", "spoil", "--box", box)
        if k == 9:  # a clerk tries to count while the poll is open: refused, naming the box
            early = tmp_path / "early.jsonl"
            early.write_text('{"bundle": 1, "position": 1, "sections": {}}\n', encoding="utf-8")
            code, _, err = j("count", "import", str(early))
            assert code == 6 and "the poll is still open at 中心会场" in err
    code, _, err = j(
        "count", "enter", "--bundle", "1", input="\nn\n1\n\n\nn\n1\n\n\nn\n\n\n\ny\nq\n"
    )
    assert "the poll is still open at 中心会场、流动票箱1" in err
    j.ok("poll", "close", "--box", "流动票箱1")
    j.ok("poll", "close")
    j.ok("count", "open", "--box", "中心会场", "--found", "40")
    j.ok("count", "open", "--box", "流动票箱1", "--found", "1")
    # the counting team mixes the mobile box's ballot with the station's and bundles them
    ballots = [pattern(k) for k in range(VOTERS)]
    mixed = list(range(VOTERS))
    random.Random(20261220).shuffle(mixed)
    truth: dict[int, str] = {}
    lines = []
    for place, k in enumerate(mixed):
        bundle, position = 1 + place // 25, 1 + place % 25
        truth[k] = f"{bundle}-{position}"
        lines.append({"bundle": bundle, "position": position, "sections": ballots[k]})
    first, rest = lines[:30], lines[30:]
    for name, part in (("a.jsonl", first), ("b.jsonl", rest)):
        (tmp_path / name).write_text(
            "\n".join(json.dumps(line, ensure_ascii=False) for line in part) + "\n",
            encoding="utf-8",
        )
    j.ok("count", "import", str(tmp_path / "a.jsonl"))
    # a ballot read wrong, corrected (the correction is logged with the ballot's identity)
    wrong = dict(rest[0], sections={})
    (tmp_path / "b.jsonl").write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in [wrong, *rest[1:]]) + "\n",
        encoding="utf-8",
    )
    j.ok("count", "import", str(tmp_path / "b.jsonl"))
    label = f"{rest[0]['bundle']}-{rest[0]['position']}"
    j.ok(
        "count",
        "correct",
        "--ballot",
        label,
        "--paper",
        json.dumps({"sections": rest[0]["sections"]}, ensure_ascii=False),
        "--reason",
        "复核纸质选票",
    )
    j.ok("count", "run")
    package = tmp_path / "package"
    j.ok("audit", "export", "1", "--out", str(package))
    # what the attacker reads: every table, the whole event log, the package
    engine = create_engine(db_url)
    tables: dict[str, list[dict[str, Any]]] = {}
    columns: dict[str, list[str]] = {}
    try:
        with engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                columns[table] = [c["name"] for c in inspect(conn).get_columns(table)]
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).mappings().all()
                tables[table] = [dict(r) for r in rows]
    finally:
        engine.dispose()
    events = sorted(tables["event"], key=lambda e: e["seq"])
    package_lines = [
        json.loads(line)
        for line in (package / "ballots.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return {
        "truth": truth,
        "order": order,
        "voters": voters,
        "tables": tables,
        "columns": columns,
        "events": events,
        "package": package,
        "package_lines": package_lines,
        "ballots": {reading_key(b): k for k, b in enumerate(ballots)},
    }


def check_the_truth_is_in_the_count(attacked: dict[str, Any]) -> None:
    """The ballots were counted as marked (so the attacks below have something to find)."""
    records = attacked["tables"]["ballot_record"]
    assert len(records) == VOTERS
    assert {r["ballot"] for r in records} == set(attacked["truth"].values())


def check_issue_order_against_every_order_of_the_ballots(attacked: dict[str, Any]) -> None:
    """Issue order × print order, entry order, record ids, package order, event order: the
    k-th voter issued is guessed to hold the k-th ballot of each order."""
    truth: dict[int, str] = attacked["truth"]
    issued = [k for _box, k in attacked["order"]]
    records = attacked["tables"]["ballot_record"]
    record_events = [e for e in attacked["events"] if e["kind"] == "count.record"]
    logged = list(
        itertools.chain.from_iterable(
            json.loads(e["payload"])["ballot_digests"] for e in record_events
        )
    )
    listed = list(
        itertools.chain.from_iterable(
            [b["ballot"] for b in json.loads(e["payload"])["ballots"]] for e in record_events
        )
    )
    stubs = sorted(s["serial"] for s in attacked["tables"]["ballot_serial"])
    orders = {
        "record id": [r["ballot"] for r in sorted(records, key=lambda r: r["id"])],
        "table order": [r["ballot"] for r in records],
        "package order": [line["ballot"] for line in attacked["package_lines"]],
        "logged digests": logged,
        "logged listing": listed,
        "bundle order": sorted(truth.values(), key=lambda b: tuple(map(int, b.split("-")))),
    }
    for name, ballots in orders.items():
        assert len(ballots) == VOTERS, name
        for shift in range(-3, 4):  # and off by a few (a spoiled ballot moves the stack)
            guess = {k: ballots[(i + shift) % VOTERS] for i, k in enumerate(issued)}
            assert right(guess, truth) < CHANCE, (name, shift)
    # the printed stub numbers are on no ballot: no ballot record names one
    assert not {r["ballot"] for r in records} & set(stubs)


def check_the_entry_order_cannot_interleave_with_issuing(attacked: dict[str, Any]) -> None:
    """Event interleaving: every ballot was recorded after the poll closed, so the last
    ballot issued before each recording is the same voter for every ballot."""
    events = attacked["events"]
    closed = max(e["seq"] for e in events if e["kind"] == "poll.close")
    issues = [e for e in events if e["kind"] == "poll.issue"]
    counting = [e for e in events if e["kind"].startswith("count.") and "election" in e["payload"]]
    assert issues and counting
    assert max(e["seq"] for e in issues) < closed < min(e["seq"] for e in counting)
    refused_while_open = [e for e in events if e["kind"] == "count.record" and e["seq"] < closed]
    assert refused_while_open == []


def check_the_mobile_box_names_no_ballot(attacked: dict[str, Any]) -> None:
    """Box singletons: the mobile box served one voter (known from the sign-in book); no
    ballot row, logged ballot or package line carries a box, so its ballot is one of 41."""
    assert "box" not in attacked["columns"]["ballot_record"]
    for table in ("ballot_record", "section_record", "mark", "ballot_entry_pass", "rla_draw"):
        for row in attacked["tables"][table]:
            assert "流动票箱1" not in json.dumps(row, default=str, ensure_ascii=False)
    for line in attacked["package_lines"]:
        assert "box" not in line and "serial" not in line
    for event in attacked["events"]:
        if event["kind"] in ("count.record", "count.correct", "count.result"):
            assert "流动票箱1" not in event["payload"]
    # the box is accounted as a whole: found 1, issued 1 — and nothing else
    boxes = {b["box"]: b for b in attacked["tables"]["poll_box"]}
    assert boxes["流动票箱1"]["found"] == 1 and boxes["中心会场"]["found"] == 40


def check_no_time_finer_than_the_day_next_to_a_voter_or_a_ballot(attacked: dict[str, Any]) -> None:
    """Timestamps: the poll's events carry the day (midnight UTC), so their times order no
    voter; no ballot row has a time at all (and a second pass only its day)."""
    midnight = datetime.combine(DAY, time(), UTC)
    for event in attacked["events"]:
        if event["kind"].startswith("poll."):
            at = event["at"]
            at = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
            assert at.replace(tzinfo=UTC) == midnight, event["kind"]
    for table in ("ballot_record", "section_record", "mark"):
        assert not [c for c in attacked["columns"][table] if c.endswith(("_at", "_on", "time"))]
    assert not [c for c in attacked["columns"]["issuance"] if c.endswith("_at")]
    assert "serial" not in attacked["columns"]["issuance"]


def check_spoil_events_are_counts_not_numbers(attacked: dict[str, Any]) -> None:
    """Spoiled ballots were exact reference points in the stack; now a count per box."""
    spoils = [json.loads(e["payload"]) for e in attacked["events"] if e["kind"] == "poll.spoil"]
    assert len(spoils) == 3
    for payload in spoils:
        assert set(payload) == {"election", "box", "count", "on"}
    assert all(s["state"] == "printed" for s in attacked["tables"]["ballot_serial"])
    # no event payload names a stub number except the print run (first and last printed)
    stubs = {s["serial"] for s in attacked["tables"]["ballot_serial"]}
    for event in attacked["events"]:
        if event["kind"] != "ballots.print":
            assert not any(stub in event["payload"] for stub in stubs), event["kind"]


def check_the_package_links_no_voter_either(attacked: dict[str, Any]) -> None:
    """The package's events carry voter rows (poll.issue) next to day-only times; its
    ballots carry no box, no time, and come in the random order of their record ids."""
    package: Path = attacked["package"]
    lines = [
        json.loads(line)
        for line in (package / "events.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    issues = [e for e in lines if e.get("kind") == "poll.issue"]
    assert len(issues) == VOTERS
    assert len({e["at"] for e in issues}) == 1  # one day, no moment
    truth: dict[int, str] = attacked["truth"]
    in_package = [line["ballot"] for line in attacked["package_lines"]]
    issued = [k for _box, k in attacked["order"]]
    assert right({k: in_package[i] for i, k in enumerate(issued)}, truth) < CHANCE


def test_no_voter_can_be_linked_to_a_ballot(
    juwei: tuple[Juwei, list[str]],  # noqa: F811
    tmp_path: Path,
    db_url: str,
) -> None:
    """Built once (41 voters through the commands), attacked every way the issue names."""
    found = attacked(juwei, tmp_path, db_url)
    check_the_truth_is_in_the_count(found)
    check_issue_order_against_every_order_of_the_ballots(found)
    check_the_entry_order_cannot_interleave_with_issuing(found)
    check_the_mobile_box_names_no_ballot(found)
    check_no_time_finer_than_the_day_next_to_a_voter_or_a_ballot(found)
    check_spoil_events_are_counts_not_numbers(found)
    check_the_package_links_no_voter_either(found)
