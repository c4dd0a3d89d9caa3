"""Benchmark: print 10,000 ballot papers (not a timed test).

Compares ``juwei.ballots.ballot_paper.render_ballots`` with a bare reportlab loop that draws
the same text (every label, office, candidate, instruction line and the serial twice) with
the same embedded font, one page per ballot, same machine, same run. Goal (issue 3): ratio at
most 1.5. Also reports a lower bound: a loop that draws only the two serials on an otherwise
empty page.

Peak memory is measured for 1,000, 10,000 and 100,000 ballots, each in a fresh child process:
Python allocations with ``tracemalloc`` (a separate run, since tracing slows the code) and the
process's peak RSS where the OS offers it. Goal: flat as the number of ballots grows (the
list of serials itself, which the caller passes in, is the only part that grows).

    python bench/ballots_print.py [--ballots 10000]

The ballot: 7 seats — 主任 (1 seat, 2 candidates), 副主任 (1 seat, 2 candidates), 委员
(5 seats, 6 candidates) — with write-ins and four lines of instructions.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from juwei import i18n
from juwei.ballots.ballot_paper import _Labels, render_ballots
from juwei.ballots.fonts import BUNDLED_FONT, FontChoice, resolve_font
from juwei.elections.readmodels import BallotPaper, CandidateLine, OfficeOnBallot

NAMES = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "黄丽", "赵敏", "吴军", "周芳"]


def ballot_paper() -> BallotPaper:
    def candidates(names: list[str]) -> tuple[CandidateLine, ...]:
        return tuple(
            CandidateLine(i, name, "MF"[i % 2], 35 + i, f"第{i}居民小组")
            for i, name in enumerate(names, start=1)
        )

    return BallotPaper(
        community="钱牌社区",
        election_title="钱牌社区第十二届居民委员会换届选举",
        election_day=date(2026, 12, 20),
        kind="general",
        offices=(
            OfficeOnBallot("director", "主任", 1, candidates(NAMES[0:2]), 1),
            OfficeOnBallot("deputy", "副主任", 1, candidates(NAMES[2:4]), 1),
            OfficeOnBallot("member", "委员", 5, candidates(NAMES[4:10]), 5),
        ),
        instructions=(
            "1. 在候选人姓名后“同意”格内画○表示同意，在“不同意”格内画○表示不同意；不画的视为弃权。",
            "2. 另选他人的，在“另选他人”格内写上其姓名，并在其下方格内画○。",
            "3. 每一职位所选人数多于应选人数的，该职位的选票无效。",
            "4. 选票字迹模糊、无法辨认的部分无效。",
        ),
        serial_prefix="A",
    )


def serials(count: int) -> list[str]:
    return [f"A{n:06d}" for n in range(1, count + 1)]


def ballot_texts(paper: BallotPaper) -> list[str]:
    """Every text a ballot shows except the serial (which the loops add twice)."""
    labels = _Labels.current(paper)
    texts = [
        labels.counterfoil,
        labels.counterfoil_note,
        paper.election_title,
        labels.election_day,
        labels.serial,
        labels.cut,
        paper.election_title,
        labels.ballot,
        labels.election_day,
        labels.serial,
        labels.seal,
        labels.instructions,
        *paper.instructions,
    ]
    for office in paper.offices:
        texts += [office.title, labels.seats(office, paper)]
        texts += [labels.number, labels.candidate, labels.agree, labels.disagree]
        for candidate in office.candidates:
            texts += [str(candidate.number), candidate.name]
        texts += [labels.write_in, labels.agree]
    return texts


def bare_loop(out: Path, font: FontChoice, texts: list[str], numbers: list[str]) -> float:
    """The reference: draw the same strings with the same font, one page per ballot."""
    start = time.perf_counter()
    canvas = Canvas(str(out), pagesize=A4, invariant=1, pageCompression=1)
    for serial in numbers:
        canvas.setFont(font.name, 10)
        y = 800.0
        for text in texts:
            canvas.drawString(50, y, text)
            y -= 12
        canvas.drawString(450, 790, serial)
        canvas.drawString(450, 700, serial)
        canvas.showPage()
    canvas.save()
    return time.perf_counter() - start


def serials_only(out: Path, font: FontChoice, numbers: list[str]) -> float:
    """A lower bound: an empty page with the two serials."""
    start = time.perf_counter()
    canvas = Canvas(str(out), pagesize=A4, invariant=1, pageCompression=1)
    for serial in numbers:
        canvas.setFont(font.name, 12)
        canvas.drawString(450, 790, serial)
        canvas.drawString(450, 700, serial)
        canvas.showPage()
    canvas.save()
    return time.perf_counter() - start


def juwei_render(out: Path, font: FontChoice, numbers: list[str]) -> float:
    start = time.perf_counter()
    pages = render_ballots(ballot_paper(), numbers, out, font)
    elapsed = time.perf_counter() - start
    assert pages == len(numbers)
    return elapsed


def peak_rss_mb() -> float | None:
    """The process's peak resident memory: VmHWM on Linux (``ru_maxrss`` there survives
    ``exec`` and would report the parent's size), else ``ru_maxrss``."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def child(count: int, traced: bool) -> None:
    """Render ``count`` ballots in this (fresh) process and print its memory figures."""
    i18n.set_language("zh_CN")
    font = resolve_font(str(BUNDLED_FONT))
    numbers = serials(count)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ballots.pdf"
        if traced:
            tracemalloc.start()
        juwei_render(out, font, numbers)
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        size = out.stat().st_size
    print(json.dumps({"traced_peak": peak, "rss": peak_rss_mb(), "size": size}))


def measure(count: int, traced: bool) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", str(count)] + (["--traced"] if traced else [])
    result = subprocess.run(args, check=True, capture_output=True, text=True)
    figures: dict[str, float] = json.loads(result.stdout)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.traced)
        return

    i18n.set_language("zh_CN")
    font = resolve_font(str(BUNDLED_FONT))
    numbers = serials(args.ballots)
    texts = ballot_texts(ballot_paper())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        juwei_render(folder / "warm.pdf", font, numbers[:50])  # font tables, imports
        bare = bare_loop(folder / "bare.pdf", font, texts, numbers)
        floor = serials_only(folder / "floor.pdf", font, numbers)
        ours = juwei_render(folder / "juwei.pdf", font, numbers)
        size_mb = (folder / "juwei.pdf").stat().st_size / 1e6
        bare_mb = (folder / "bare.pdf").stat().st_size / 1e6

    print(f"ballots: {args.ballots}  ({len(texts) + 2} strings a ballot)")
    print(f"juwei render_ballots:        {ours:6.2f} s   {size_mb:6.1f} MB")
    print(f"bare reportlab loop, same text: {bare:6.2f} s   {bare_mb:6.1f} MB")
    print(f"ratio:                       {ours / bare:6.2f}x (goal <= 1.5)")
    print(f"serials only (lower bound):  {floor:6.2f} s   ratio to it {ours / floor:.2f}x")
    small, large = max(1, args.ballots // 10), args.ballots
    for count in (small, large, 10 * large):
        rss = measure(count, traced=False)["rss"]
        traced = measure(count, traced=True)["traced_peak"]
        rss_text = f"{rss:.0f} MB" if rss is not None else "n/a"
        print(
            f"peak memory, {count:>6} ballots: Python allocations {traced / 1e6:6.1f} MB,"
            f" process RSS {rss_text}"
        )


if __name__ == "__main__":
    main()
