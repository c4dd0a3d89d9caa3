"""Reading scanned ballot pages (issue 16 §2, §5): per mark kind, per degradation, refusals.

The scans are made by ``juwei.scan.synthetic`` from a ballot printed by ``render_ballots``,
with the truth of every box kept; ``bench/scan_accuracy.py`` runs the large sample.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from juwei.ballots.ballot_paper import ballot_layout, render_ballots
from juwei.ballots.fonts import BUNDLED_FONT, resolve_font
from juwei.scan.reader import UnreadablePage, read_page
from juwei.scan.synthetic import (
    DEGRADATIONS,
    MARKED_KINDS,
    Truth,
    degrade,
    mark_page,
    random_truth,
    render_page,
)
from tests.test_ballot_paper_pdf import serials, standard

DPI = 150


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any], Path]:
    font = resolve_font(str(BUNDLED_FONT))
    paper = replace(standard(), election_id=12)
    pdf = tmp_path_factory.mktemp("scan") / "ballot.pdf"
    render_ballots(paper, serials(1), pdf, font)
    layout = ballot_layout(paper, font.name)
    return render_page(pdf, 0, DPI), layout, pdf


def check(reading: Any, truth: Truth) -> tuple[int, int]:
    """(wrong, doubtful) readings against the truth."""
    wrong = doubtful = 0
    for box in reading.boxes:
        if box.verdict == "doubtful":
            doubtful += 1
        elif (box.verdict == "marked") != truth.marked(box.index):
            wrong += 1
    return wrong, doubtful


@pytest.mark.parametrize("kind", [*MARKED_KINDS, "stray_dot"])
def test_each_mark_kind(printed: tuple[Any, dict[str, Any], Path], kind: str) -> None:
    blank, layout, _pdf = printed
    rng = np.random.default_rng(len(kind))
    truth = random_truth(layout, 1, rng, marked=0.35, stray=0.0, kinds=(kind,))
    if kind == "stray_dot":
        truth = Truth({i: ("stray_dot" if i % 3 == 0 else None) for i in truth.marks}, frozenset())
    reading = read_page(mark_page(blank, layout, truth, DPI, rng), {layout["digest"][:16]: layout})
    wrong, doubtful = check(reading, truth)
    assert wrong == 0
    assert doubtful <= 2
    if kind != "stray_dot":
        assert (
            sum(b.verdict == "marked" for b in reading.boxes)
            >= sum(truth.marked(i) for i in truth.marks) - doubtful
        )


@pytest.mark.parametrize("degradation", DEGRADATIONS)
def test_each_degradation(printed: tuple[Any, dict[str, Any], Path], degradation: str) -> None:
    blank, layout, _pdf = printed
    rng = np.random.default_rng(7)
    truth = random_truth(layout, 1, rng)
    image = degrade(mark_page(blank, layout, truth, DPI, rng), degradation, DPI, rng)
    reading = read_page(image, {layout["digest"][:16]: layout}, election=12, round_="A")
    assert check(reading, truth)[0] == 0
    assert reading.rotation == (2 if degradation == "upside_down" else 0)
    names = {b.index for b in reading.boxes if b.name_ink}
    assert names == set(truth.names)


def test_quarter_turn(printed: tuple[Any, dict[str, Any], Path]) -> None:
    blank, layout, _pdf = printed
    rng = np.random.default_rng(3)
    truth = random_truth(layout, 1, rng)
    image = np.rot90(mark_page(blank, layout, truth, DPI, rng)).copy()
    reading = read_page(image, {layout["digest"][:16]: layout})
    assert reading.rotation in (1, 3)
    assert check(reading, truth)[0] == 0


def refusal(image: Any, layout: dict[str, Any], **kw: Any) -> str:
    with pytest.raises(UnreadablePage) as caught:
        read_page(image, {layout["digest"][:16]: layout}, **kw)
    return caught.value.kind


def test_unreadable_pages_are_refused(printed: tuple[Any, dict[str, Any], Path]) -> None:
    blank, layout, _pdf = printed
    assert refusal(np.full_like(blank, 250), layout) == "blank"
    no_marks = blank.copy()
    h, w = no_marks.shape
    no_marks[:, : w // 18] = 255
    assert refusal(no_marks, layout) == "no_marks"
    no_code = blank.copy()
    x0, y0, x1, y1 = (v * DPI / 72 for v in layout["qr"][0])
    page_h = layout["page_size"][1] * DPI / 72
    no_code[int(page_h - y1) : int(page_h - y0) + 1, int(x0) : int(x1) + 1] = 255
    assert refusal(no_code, layout) == "no_code"
    assert refusal(blank, layout, election=13) == "foreign"
    assert refusal(blank, layout, round_="B") == "foreign"
    assert refusal(blank, {"digest": "0" * 64}) == "foreign"  # a layout never printed
