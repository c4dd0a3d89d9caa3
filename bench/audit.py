"""Benchmark: ``juwei audit verify`` of an election of 100,000 ballots and its event log, not a
timed test.

Same machine, same run, as ratios:
- ``verify_database`` (chain, charter, accounting, every ballot's digest, stored result,
  re-tally of every ballot under the pinned charter) vs ``count_election`` alone (goal: at
  most 3×), and vs recording + counting;
- ``export_package`` and ``verify_package`` (the same checks from the files, no database);
- peak Python memory (tracemalloc) and the process's peak RSS.

    python bench/audit.py [--ballots 100000]
"""

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from count import SUPPORT, prepare  # bench/count.py: the same election, synthesised

from juwei.elections.count import count_election, iter_ballot_file, record_ballots
from juwei.elections.db import Database
from juwei.elections.package import export_package, verify_package
from juwei.elections.synthetic import synthetic_ballots
from juwei.elections.verify import verify_database


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (ru_maxrss: KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1e6 if sys.platform == "darwin" else 1e3)


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
        del records
        path = folder / "audit.db"
        shutil.copy(base, path)
        db = Database(f"sqlite:///{path}")
        try:
            start = time.perf_counter()
            record_ballots(db, iter_ballot_file(jsonl), operator="bench")
            recorded = time.perf_counter() - start
            start = time.perf_counter()
            count_election(db, election_id=1, operator="bench")
            counted = time.perf_counter() - start
            rss_before = peak_rss_mb()
            start = time.perf_counter()
            verification = verify_database(db, election_id=1)
            verified = time.perf_counter() - start
            rss_verify = peak_rss_mb()
            assert verification.ok, [c for c in verification.checks if not c.ok]
            tracemalloc.start()  # a second run, traced (tracemalloc slows Python down)
            verify_database(db, election_id=1)
            peak_verify = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            start = time.perf_counter()
            export_package(db, folder / "package", election_id=1)
            exported = time.perf_counter() - start
        finally:
            db.close()
        size = sum(p.stat().st_size for p in (folder / "package").iterdir())
        start = time.perf_counter()
        from_files = verify_package(folder / "package")
        package_verified = time.perf_counter() - start
        tracemalloc.start()
        verify_package(folder / "package")
        peak_package = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert from_files.ok, [c for c in from_files.checks if not c.ok]
    print(f"ballots: {args.ballots} (7 seats: 主任 1, 副主任 1, 委员 5; 11 candidates)")
    print(f"record_ballots: {recorded:.2f} s; count_election: {counted:.2f} s")
    print(
        f"audit verify (database): {verified:.2f} s; ratio to the count alone"
        f" {verified / counted:.1f}x (goal <= 3); to record + count"
        f" {verified / (recorded + counted):.2f}x"
    )
    print(
        f"audit export: {exported:.2f} s ({size / 1e6:.1f} MB);"
        f" verify --package: {package_verified:.2f} s"
    )
    print(
        f"peak Python memory: verify {peak_verify / 1e6:.0f} MB,"
        f" verify --package {peak_package / 1e6:.0f} MB;"
        f" process peak RSS {rss_before:.0f} MB after record + count,"
        f" {rss_verify:.0f} MB after verify"
    )


if __name__ == "__main__":
    main()
