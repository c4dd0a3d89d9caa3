"""Benchmark: record and count 100,000 ballot records (7 seats), not a timed test.

Same machine, same run, as ratios:
- ``record_ballots`` of N records read from JSON Lines vs a bare ``sqlite3`` ``executemany``
  of the same marks into one plain table (goal: at most 3×);
- ``count_election`` vs a bare SQL ``GROUP BY`` over that plain table (goal: at most 1.5×);
- peak Python memory (tracemalloc) of the count at N/10 and N ballots (goal: flat).

    python bench/count.py [--ballots 100000]
"""

import argparse
import json
import shutil
import sqlite3
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from juwei.elections.community import init_community
from juwei.elections.count import count_election, iter_ballot_file, open_box, record_ballots
from juwei.elections.db import Database
from juwei.elections.election import current_day, new_election
from juwei.elections.nomination import confirm_candidates, nominate
from juwei.elections.poll import close_poll, issue_from_sheet, print_ballots
from juwei.elections.readmodels import BallotPaper
from juwei.elections.roll import import_roll
from juwei.elections.synthetic import synthetic_ballots, synthetic_roll, write_roll_csv

DAY = date(2026, 12, 20)
SUPPORT = {
    "主任": [0.7, 0.25],
    "副主任": [0.3, 0.65],
    "委员": [0.8, 0.75, 0.7, 0.68, 0.62, 0.4, 0.3],
}


def prepare(folder: Path, ballots: int) -> tuple[Path, BallotPaper, list[str]]:
    voters = ballots + ballots // 10 + 100
    people = list(synthetic_roll(voters, groups=16, seed=9, as_of=DAY))
    write_roll_csv(folder / "roll.csv", people)
    db = Database(f"sqlite:///{folder / 'base.db'}")
    init_community(db, "基准社区", "qianpai", operator="bench")
    import_roll(db, folder / "roll.csv", as_of=DAY, operator="bench")
    new_election(db, day=DAY, past=DAY < current_day(), operator="bench")
    ids = [p.id_number for p in people]
    nominee = len(ids) - 1
    for office, n in (("director", 2), ("deputy", 2), ("member", 7)):
        for i in range(n):
            nominate(
                db,
                office_key=office,
                nominee=ids[nominee],
                method="joint",
                supporters=ids[10 * i : 10 * i + 10],
                on=DAY - timedelta(days=30),
                operator="bench",
            )
            nominee -= 1
    confirm_candidates(db, on=DAY - timedelta(days=10), operator="bench")
    papers: list[BallotPaper] = []
    serials: list[str] = []
    print_ballots(db, ballots, lambda p, s: (papers.append(p), serials.extend(s)), operator="bench")
    (folder / "sheet.csv").write_text(
        "公民身份号码\n" + "\n".join(ids[:ballots]) + "\n", encoding="utf-8"
    )
    issue_from_sheet(db, folder / "sheet.csv", box="中心会场", on=DAY, operator="bench")
    close_poll(db, on=DAY, operator="bench")  # counting starts when the poll is closed
    open_box(db, "中心会场", ballots, on=DAY, operator="bench")
    db.close()
    return folder / "base.db", papers[0], serials


def bare(folder: Path, records: list[dict[str, object]]) -> tuple[float, float]:
    rows = []
    for record in records:
        sections = record["sections"]
        assert isinstance(sections, dict)
        for office, marks in sections.items():
            for kind in ("for", "against", "write_in"):
                for name in marks.get(kind, []):
                    rows.append((record["bundle"], record["position"], office, kind, name))
    conn = sqlite3.connect(folder / "bare.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE mark (id INTEGER PRIMARY KEY, bundle INT, position INT, office TEXT,"
        " kind TEXT, name TEXT)"
    )
    start = time.perf_counter()
    conn.executemany(
        "INSERT INTO mark (bundle, position, office, kind, name) VALUES (?,?,?,?,?)", rows
    )
    conn.commit()
    insert = time.perf_counter() - start
    start = time.perf_counter()
    conn.execute(
        "SELECT office, name, COUNT(*) FROM mark WHERE kind != 'against' GROUP BY office, name"
    ).fetchall()
    group_by = time.perf_counter() - start
    conn.close()
    return insert, group_by


def run(
    folder: Path, base: Path, jsonl: Path, tag: str, trace: bool, count: bool = True
) -> tuple[float, float, int]:
    """Record ``jsonl`` into a copy of ``base`` and count it (``count``: only when the file
    holds every ballot found at the box opening — the count refuses fewer)."""
    path = folder / f"{tag}.db"
    shutil.copy(base, path)
    db = Database(f"sqlite:///{path}")
    try:
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        record_ballots(db, iter_ballot_file(jsonl), operator="bench")
        recorded = time.perf_counter() - start
        start = time.perf_counter()
        if count:
            count_election(db, election_id=1, operator="bench")
        counted = time.perf_counter() - start
        peak = 0
        if trace:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        return recorded, counted, peak
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base, paper, serials = prepare(folder, args.ballots)
        records = synthetic_ballots(paper, len(serials), seed=1, support=SUPPORT)
        jsonl = folder / "ballots.jsonl"
        jsonl.write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
        )
        bare_insert, bare_group = bare(folder, records)
        recorded, counted, _ = run(folder, base, jsonl, "timed", trace=False)
        small = folder / "small.jsonl"
        small.write_text(
            "\n".join(jsonl.read_text(encoding="utf-8").splitlines()[: args.ballots // 10]) + "\n",
            encoding="utf-8",
        )
        _, _, peak_small = run(folder, base, small, "small", trace=True, count=False)
        _, _, peak_full = run(folder, base, jsonl, "full", trace=True)
    print(f"ballots: {args.ballots} (7 seats: 主任 1, 副主任 1, 委员 5; 11 candidates)")
    print(
        f"record_ballots (read JSONL + judge + store): {recorded:.2f} s;"
        f" bare executemany of the marks: {bare_insert:.2f} s;"
        f" ratio {recorded / bare_insert:.1f}x (goal <= 3)"
    )
    print(
        f"count_election: {counted:.3f} s; bare GROUP BY: {bare_group:.3f} s;"
        f" ratio {counted / bare_group:.1f}x (goal <= 1.5)"
    )
    print(
        f"peak Python memory: record {peak_small / 1e6:.0f} MB at {args.ballots // 10} ballots;"
        f" record + count {peak_full / 1e6:.0f} MB at {args.ballots}"
    )


if __name__ == "__main__":
    main()
