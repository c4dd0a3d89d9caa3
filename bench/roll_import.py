"""Benchmark: import a generated 100,000-voter roll CSV (not a timed test).

Reports seconds and peak memory of ``juwei.elections.roll.import_roll`` and the ratio to a
bare ``sqlite3`` ``executemany`` of the same rows into one plain table, same machine, same run.
Goal (issue 2): ratio at most 3, peak memory under 300 MB.

    python bench/roll_import.py [--voters 100000]

Peak memory is measured twice: Python allocations with ``tracemalloc`` (a separate run, since
tracing slows the code) and, where the OS offers it, the process's peak RSS.
"""

import argparse
import csv
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

from juwei.elections.community import init_community
from juwei.elections.db import Database
from juwei.elections.roll import import_roll
from juwei.elections.synthetic import synthetic_roll, write_roll_csv

AS_OF = date(2026, 12, 20)


def juwei_import(folder: Path, roll: Path, tag: str) -> float:
    db = Database(f"sqlite:///{folder / f'{tag}.db'}")
    try:
        init_community(db, "基准社区", "qianpai", operator="bench")
        start = time.perf_counter()
        summary = import_roll(db, roll, as_of=AS_OF, operator="bench")
        elapsed = time.perf_counter() - start
        assert summary.added > 0
        return elapsed
    finally:
        db.close()


def bare_executemany(folder: Path, roll: Path) -> float:
    with roll.open(encoding="utf-8-sig", newline="") as fh:
        rows = [tuple(r) for r in csv.reader(fh)][1:]
    conn = sqlite3.connect(folder / "bare.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE voter (id INTEGER PRIMARY KEY, name TEXT, id_number TEXT UNIQUE, household"
        " TEXT, grp TEXT, address TEXT, registration TEXT, residence_since TEXT, consent TEXT)"
    )
    start = time.perf_counter()
    conn.executemany(
        "INSERT INTO voter (name, id_number, household, grp, address, registration,"
        " residence_since, consent) VALUES (?,?,?,?,?,?,?,?)",
        rows,
    )
    conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def peak_rss_mb() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        roll = folder / "roll.csv"
        write_roll_csv(roll, synthetic_roll(args.voters, groups=16, seed=1, as_of=AS_OF))
        size_mb = roll.stat().st_size / 1e6
        bare = bare_executemany(folder, roll)
        ours = juwei_import(folder, roll, "timed")
        rss = peak_rss_mb()
        tracemalloc.start()
        juwei_import(folder, roll, "traced")
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(f"voters: {args.voters}  file: {size_mb:.1f} MB")
    print(f"juwei import_roll:      {ours:.2f} s")
    print(f"bare sqlite3 executemany: {bare:.2f} s")
    print(f"ratio:                  {ours / bare:.1f}x (goal <= 3)")
    print(f"peak Python allocations (tracemalloc): {peak / 1e6:.0f} MB (goal < 300)")
    if rss is not None:
        print(f"peak RSS of the process:  {rss:.0f} MB")


if __name__ == "__main__":
    main()
