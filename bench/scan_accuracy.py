"""Scanner accuracy and speed (issue 16 §5): synthetic scans of a printed ballot, read back.

    python bench/scan_accuracy.py --dpi 200 --pages 750 --degradations clean,rotation,all

Per degradation: boxes read, wrong readings among those the machine decided (goal: 0),
doubtful boxes (goal at 200 dpi clean: ≤ 1 %), pages refused, and reading time per page
(ballots a minute on one core). 750 pages of the standard ballot are 20,250 boxes.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from juwei.ballots.ballot_paper import ballot_layout, render_ballots  # noqa: E402
from juwei.ballots.fonts import BUNDLED_FONT, resolve_font  # noqa: E402
from juwei.scan.reader import UnreadablePage, read_page  # noqa: E402
from juwei.scan.synthetic import (  # noqa: E402
    DEGRADATIONS,
    degrade,
    mark_page,
    random_truth,
    render_page,
)
from tests.test_ballot_paper_pdf import serials, standard  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--pages", type=int, default=750)
    parser.add_argument("--degradations", default=",".join(DEGRADATIONS))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    font = resolve_font(str(BUNDLED_FONT))
    paper = replace(standard(), election_id=12)
    layout = ballot_layout(paper, font.name)
    layouts = {str(layout["digest"])[:16]: layout}
    with TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "ballot.pdf"
        render_ballots(paper, serials(1), pdf, font)
        blank = render_page(pdf, 0, args.dpi)
    rng = np.random.default_rng(args.seed)
    print(f"{args.dpi} dpi, {args.pages} pages per degradation")
    for kind in args.degradations.split(","):
        boxes = wrong = doubtful = refused = 0
        seconds = 0.0
        for _page in range(args.pages):
            truth = random_truth(layout, 1, rng)
            image = degrade(mark_page(blank, layout, truth, args.dpi, rng), kind, args.dpi, rng)
            started = time.perf_counter()
            try:
                reading = read_page(image, layouts, election=12)
            except UnreadablePage:
                refused += 1
                continue
            finally:
                seconds += time.perf_counter() - started
            for box in reading.boxes:
                boxes += 1
                if box.verdict == "doubtful":
                    doubtful += 1
                elif (box.verdict == "marked") != truth.marked(box.index):
                    wrong += 1
        per_page = seconds / max(1, args.pages)
        print(
            f"{kind:12s} boxes {boxes:6d}  wrong {wrong}  doubtful {doubtful} "
            f"({100 * doubtful / max(1, boxes):.2f} %)  refused {refused}  "
            f"{1000 * per_page:.0f} ms/page ({60 / per_page:.0f} ballots/min, one core)",
            flush=True,
        )


if __name__ == "__main__":
    main()
