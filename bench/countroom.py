"""Benchmark: the count room (issue 14), not a timed test.

1. 2,400 ballots keyed in through the entry screen's code path (``juwei.tui.entry.EntryApp``
   under Textual's test driver: each key is a real key event through the screen's bindings,
   judgement, drawing, the save transaction, the engine's running totals and the next
   identity) vs ``count import`` (``record_ballots`` of the same ballots from JSON Lines).
   Per ballot: the screen's own work from the first key event to the ballot saved and the
   form redrawn, excluding typing (goal: under 20 ms). The two databases must tally alike.
2. The board's update latency: ``juwei board`` serving, four processes (tables) saving
   ballots one at a time into the same database, a server-sent-events client as the page:
   time from each save's commit to the first board state that includes it (goal: < 1 s).

    PYTHONPATH=. python bench/countroom.py [--ballots 2400] [--per-table 60]
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from textual import events

from bench.count import SUPPORT, prepare
from juwei.elections.count import entry_tally, iter_ballot_file, record_ballots
from juwei.elections.db import Database
from juwei.elections.entry import load_form
from juwei.elections.synthetic import synthetic_ballots
from juwei.tui.entry import EntryApp, keys_for

CHARS = {"minus": "-", "slash": "/", "asterisk": "*", "space": " "}  # tab, enter: no character


def screen_run(url: str, records: list[dict[str, Any]]) -> tuple[list[float], list[float], int]:
    """Key every record into the screen: wall seconds and CPU seconds (this process, the
    totals' worker thread included) per ballot, and the keys in all."""
    db = Database(url)
    form = load_form(db)
    plans = [keys_for(form, r) for r in records]
    app = EntryApp(db, form, operator="bench", table="1")
    per: list[float] = []
    cpu: list[float] = []
    own: list[float] = []

    async def main() -> None:
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause()
            for done, keys in enumerate(plans, start=1):
                start, started = time.perf_counter(), time.process_time()
                mine = time.thread_time()
                for key in keys:
                    char = CHARS.get(key, key if len(key) == 1 else None)  # as Pilot.press
                    app.post_message(events.Key(key, char))  # in order, as a driver would
                while len(app.saved.identities) < done:
                    await asyncio.sleep(0)
                await pilot.pause(0)  # the form redrawn for the next ballot
                per.append(time.perf_counter() - start)
                cpu.append(time.process_time() - started)
                own.append(time.thread_time() - mine)

    asyncio.run(main())
    db.close()
    return per, cpu, own, sum(len(k) for k in plans)


def table_writer(url: str, records: list[dict[str, Any]], out: Any, pause: float) -> None:
    """One counting table: saves its ballots one at a time (as the screen does)."""
    from juwei.elections.count import BallotEntry

    db = Database(url)
    for record in records:
        sections = {
            office: (tuple(m.get("for", ())), tuple(m.get("against", ())), tuple(m["write_in"]))
            for office, m in record["sections"].items()
        }
        entry = BallotEntry(
            record["bundle"], record["position"], sections, tuple(record.get("illegible", ()))
        )
        record_ballots(db, [entry], operator="table")
        out.put(time.time())
        time.sleep(pause)
    db.close()


def board_latency(
    url: str, records: list[dict[str, Any]], tables: int, pause: float
) -> list[float]:
    """Seconds from each commit to the first board state counting it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "juwei", "--db", url, "board", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    arrivals: list[tuple[float, int]] = []
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/state", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)

        def listen() -> None:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/events", timeout=60) as stream:
                for raw in stream:
                    line = raw.decode("utf-8")
                    if line.startswith("data:"):
                        arrivals.append((time.time(), json.loads(line[5:])["counted"]))
                        if arrivals[-1][1] >= len(records):
                            return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(1)
        queue: Any = multiprocessing.Queue()
        writers = [
            multiprocessing.Process(
                target=table_writer, args=(url, records[i::tables], queue, pause)
            )
            for i in range(tables)
        ]
        for w in writers:
            w.start()
        commits = sorted(queue.get(timeout=120) for _ in records)
        for w in writers:
            w.join()
        listener.join(timeout=10)
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies = []
    for k, committed in enumerate(commits, start=1):
        seen = next((t for t, counted in arrivals if counted >= k), None)
        if seen is not None:
            latencies.append(max(0.0, seen - committed))
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=2400)
    parser.add_argument("--per-table", type=int, default=60, help="ballots per table (board)")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between saves")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base, paper, serials = prepare(folder, args.ballots)
        names = ("王芳", "李强")
        records = synthetic_ballots(
            paper, len(serials), seed=5, support=SUPPORT, write_in_names=names
        )
        for record in records:  # write-ins the roll may not have are left out here
            for marks in record["sections"].values():  # type: ignore[union-attr]
                marks["write_in"] = []
        (folder / "ballots.jsonl").write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", "utf-8"
        )
        urls = {}
        for name in ("screen", "import", "board"):
            shutil.copy(base, folder / f"{name}.db")
            urls[name] = f"sqlite:///{folder / name}.db"

        per, cpu, own, keys = screen_run(urls["screen"], records)
        db = Database(urls["import"])
        start = time.perf_counter()
        record_ballots(db, iter_ballot_file(folder / "ballots.jsonl"), operator="bench")
        imported = time.perf_counter() - start
        same = entry_tally(db) == entry_tally(Database(urls["screen"]))
        db.close()
        if hasattr(os, "getloadavg"):  # POSIX only
            print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"screen: {len(per)} ballots, {keys / len(per):.2f} keys a ballot")
        for label, values in (("wall", per), ("CPU, process", cpu), ("CPU, screen thread", own)):
            ms = sorted(p * 1000 for p in values)
            print(
                f"  own work per ballot ({label}): median {statistics.median(ms):.1f} ms, "
                f"p95 {ms[int(len(ms) * 0.95)]:.1f} ms, max {ms[-1]:.1f} ms, "
                f"mean {statistics.fmean(ms):.1f} ms (goal < 20 ms)"
            )
        print(
            f"count import: {imported:.2f} s, {imported / len(records) * 1000:.2f} ms a ballot; "
            f"tallies equal: {same}"
        )
        board_records = records[: 4 * args.per_table]
        latencies = board_latency(urls["board"], board_records, 4, args.pause)
        lat = sorted(latencies)
        print(
            f"board: 4 tables, {len(board_records)} saves, {len(lat)} seen; latency median "
            f"{statistics.median(lat) * 1000:.0f} ms, p95 {lat[int(len(lat) * 0.95)] * 1000:.0f} "
            f"ms, max {lat[-1] * 1000:.0f} ms (goal < 1,000 ms)"
        )


if __name__ == "__main__":
    main()
