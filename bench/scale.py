"""Benchmark: how juwei scales (issue 6), on SQLite and PostgreSQL. Not a timed test.

- ballots: N ballot records imported (``record_ballots`` from JSON Lines), counted
  (``count_election``) and the audit chain verified (``verify_chain``), for each N: seconds and
  the process's peak resident memory after each phase (each N in a fresh process), to show
  the growth (goal: linear time, flat memory);
- writers: the same ballots entered by 4 concurrent writer processes vs by 1 (ballots/s);
- district: communities of V voters each (roll import, election, nominations, ballots
  printed and issued, ballots recorded, count) in one database, then ``district_status``;
  a fraction of the district is run and the whole extrapolated linearly (said so).

    python bench/scale.py [--pg postgresql+psycopg://juwei:juwei@127.0.0.1/juwei_bench]
        [--sizes 10000 100000] [--writers-ballots 20000] [--district 10 --voters 5000]

With ``--pg`` every PostgreSQL measurement runs in a fresh schema of that database.
"""

import argparse
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from juwei.elections.audit import verify_chain  # noqa: E402
from juwei.elections.community import init_community  # noqa: E402
from juwei.elections.count import (  # noqa: E402
    count_election,
    iter_ballot_file,
    open_box,
    record_ballots,
)
from juwei.elections.db import Database  # noqa: E402
from juwei.elections.district import district_status  # noqa: E402
from juwei.elections.election import current_day, new_election  # noqa: E402
from juwei.elections.nomination import confirm_candidates, nominate  # noqa: E402
from juwei.elections.poll import close_poll, issue_from_sheet, print_ballots  # noqa: E402
from juwei.elections.readmodels import BallotPaper  # noqa: E402
from juwei.elections.roll import import_roll  # noqa: E402
from juwei.elections.synthetic import synthetic_ballots, synthetic_roll, write_roll_csv  # noqa: E402

DAY = date(2026, 12, 20)
SUPPORT = {
    "主任": [0.7, 0.25],
    "副主任": [0.3, 0.65],
    "委员": [0.8, 0.75, 0.7, 0.68, 0.62, 0.4, 0.3],
}


def rss_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_url(backend: str, folder: Path, pg: str | None) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.db'}"
    assert pg
    import sqlalchemy

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = sqlalchemy.create_engine(pg, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine.dispose()
    url = sqlalchemy.engine.make_url(pg).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def prepare(
    url: str,
    folder: Path,
    ballots: int,
    community: str = "基准社区",
    seed: int = 9,
    taken: set[str] | None = None,
) -> tuple[BallotPaper, list[str]]:
    """A community with ``ballots`` ballots printed and issued (roll: ballots + 10% + 100).

    ``taken``: ID numbers already registered in other communities (skipped, then added)."""
    voters = ballots + ballots // 10 + 100
    people = [
        p
        for p in synthetic_roll(voters + 50, groups=16, seed=seed, as_of=DAY)
        if taken is None or p.id_number not in taken
    ][:voters]
    if taken is not None:
        taken.update(p.id_number for p in people)
    roll = folder / f"roll-{community}.csv"
    write_roll_csv(roll, people)
    db = Database(url)
    try:
        init_community(db, community, "qianpai", operator="bench")
        import_roll(db, roll, as_of=DAY, operator="bench", community=community)
        new_election(db, day=DAY, past=DAY < current_day(), operator="bench", community=community)
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
                    community=community,
                )
                nominee -= 1
        confirm_candidates(db, on=DAY - timedelta(days=10), operator="bench", community=community)
        papers: list[BallotPaper] = []
        serials: list[str] = []
        print_ballots(
            db,
            ballots,
            lambda p, s: (papers.append(p), serials.extend(s)),
            operator="bench",
            community=community,
        )
        sheet = folder / f"sheet-{community}.csv"
        sheet.write_text("公民身份号码\n" + "\n".join(ids[:ballots]) + "\n", encoding="utf-8")
        issue_from_sheet(db, sheet, box="中心会场", on=DAY, operator="bench", community=community)
        close_poll(db, on=DAY, operator="bench", community=community)  # then the count
        open_box(db, "中心会场", ballots, on=DAY, operator="bench", community=community)
    finally:
        db.close()
    return papers[0], serials


def write_ballots(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
    )
    return path


def one_size(backend: str, n: int, pg: str | None) -> dict[str, float]:
    """Child process: import, count and verify ``n`` ballots; seconds and peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = fresh_url(backend, folder, pg)
        start = time.perf_counter()
        paper, serials = prepare(url, folder, n)
        setup = time.perf_counter() - start
        jsonl = write_ballots(
            folder / "b.jsonl", synthetic_ballots(paper, len(serials), seed=1, support=SUPPORT)
        )
        del serials
        base = rss_mb()
        db = Database(url)
        try:
            start = time.perf_counter()
            record_ballots(db, iter_ballot_file(jsonl), operator="bench")
            imported = time.perf_counter() - start
            rss_import = rss_mb()
            start = time.perf_counter()
            count_election(db, election_id=1, operator="bench")
            counted = time.perf_counter() - start
            rss_count = rss_mb()
            start = time.perf_counter()
            with db.read() as session:
                assert verify_chain(session).ok
            verified = time.perf_counter() - start
            rss_verify = rss_mb()
        finally:
            db.close()
    return {
        "setup_s": setup,
        "import_s": imported,
        "count_s": counted,
        "verify_s": verified,
        "rss_before_mb": base,
        "rss_import_mb": rss_import,
        "rss_count_mb": rss_count,
        "rss_verify_mb": rss_verify,
    }


def _writer(url: str, path: str, barrier: Any, out: Any) -> None:
    db = Database(url, migrate=False)
    try:
        barrier.wait()
        start = time.time()
        record_ballots(db, iter_ballot_file(Path(path)), operator="bench")
        out.put((start, time.time()))
    finally:
        db.close()


def writers(backend: str, n: int, pg: str | None) -> dict[str, float]:
    """Ballots/s of 1 writer vs 4 concurrent writer processes entering ``n`` ballots."""
    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for count in (1, 4):
            url = fresh_url(backend, folder, pg)
            paper, serials = prepare(url, folder, n)
            records = synthetic_ballots(paper, len(serials), seed=1, support=SUPPORT)
            share = -(-len(records) // count)
            files = [
                write_ballots(folder / f"w{count}-{i}.jsonl", records[i * share : (i + 1) * share])
                for i in range(count)
            ]
            ctx = multiprocessing.get_context("spawn")
            barrier, out = ctx.Barrier(count), ctx.Queue()
            procs = [ctx.Process(target=_writer, args=(url, str(f), barrier, out)) for f in files]
            for p in procs:
                p.start()
            spans = [out.get(timeout=3600) for _ in procs]
            for p in procs:
                p.join()
                assert p.exitcode == 0
            wall = max(e for _, e in spans) - min(s for s, _ in spans)
            result[f"writers_{count}_s"] = wall
            result[f"writers_{count}_per_s"] = n / wall
    return result


def district(backend: str, communities: int, voters: int, pg: str | None) -> dict[str, float]:
    """``communities`` communities of ``voters`` voters each, about 90% of them voting; each
    one's election run from roll import to count."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = fresh_url(backend, folder, pg)
        ballots = (voters - 100) * 10 // 11  # roll = ballots + 10% + 100 = voters
        taken: set[str] = set()
        start = time.perf_counter()
        for c in range(communities):
            name = f"第{c + 1:03d}社区"
            # disjoint people per community: the seed; ballots ≈ voters / 1.1
            paper, serials = prepare(
                url, folder, ballots, community=name, seed=1000 + c, taken=taken
            )
            records = synthetic_ballots(paper, len(serials), seed=c, support=SUPPORT)
            path = write_ballots(folder / "b.jsonl", records)
            db = Database(url)
            try:
                record_ballots(db, iter_ballot_file(path), operator="bench", community=name)
                count_election(db, all_in=True, operator="bench", community=name)
            finally:
                db.close()
        total = time.perf_counter() - start
        db = Database(url)
        try:
            start = time.perf_counter()
            rows = district_status(db)
            status = time.perf_counter() - start
        finally:
            db.close()
        assert len(rows) == communities
    return {"district_s": total, "per_community_s": total / communities, "status_s": status}


def child(args: list[str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (a database to use)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--writers-ballots", type=int, default=20_000)
    parser.add_argument("--district", type=int, default=10, help="communities to run")
    parser.add_argument("--voters", type=int, default=5_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--child", nargs="*")
    args = parser.parse_args()
    if args.child:
        kind, backend, *rest = args.child
        pg = rest[1] if len(rest) > 1 else None
        if kind == "size":
            print(json.dumps(one_size(backend, int(rest[0]), pg)))
        elif kind == "writers":
            print(json.dumps(writers(backend, int(rest[0]), pg)))
        else:
            communities, voters = map(int, rest[0].split("x"))
            print(json.dumps(district(backend, communities, voters, pg)))
        return
    backends = ["sqlite"] + (["postgresql"] if args.pg else [])
    backends = [b for b in backends if args.only in (None, b)]
    pg = [args.pg] if args.pg else []
    for backend in backends:
        for n in args.sizes:
            r = child(["size", backend, str(n), *pg])
            print(
                f"{backend:10} {n:>9,} ballots: import {r['import_s']:7.1f} s"
                f" ({n / r['import_s']:,.0f}/s), count {r['count_s']:6.2f} s,"
                f" verify {r['verify_s']:6.2f} s; peak RSS MB before/import/count/verify"
                f" {r['rss_before_mb']:.0f}/{r['rss_import_mb']:.0f}/{r['rss_count_mb']:.0f}"
                f"/{r['rss_verify_mb']:.0f} (setup {r['setup_s']:.0f} s)",
                flush=True,
            )
        if args.writers_ballots:
            w = child(["writers", backend, str(args.writers_ballots), *pg])
            print(
                f"{backend:10} writers, {args.writers_ballots:,} ballots: 1 writer"
                f" {w['writers_1_per_s']:,.0f}/s ({w['writers_1_s']:.1f} s), 4 writers"
                f" {w['writers_4_per_s']:,.0f}/s ({w['writers_4_s']:.1f} s)",
                flush=True,
            )
        if args.district:
            d = child(["district", backend, f"{args.district}x{args.voters}", *pg])
            print(
                f"{backend:10} district: {args.district} communities x {args.voters:,} voters"
                f" in {d['district_s']:.0f} s ({d['per_community_s']:.1f} s each;"
                f" 200 would take about {200 * d['per_community_s'] / 60:.0f} min,"
                f" extrapolated); district status {d['status_s'] * 1000:.0f} ms",
                flush=True,
            )


if __name__ == "__main__":
    main()
