"""Machine-readable ballots (issue 16 §1): registration squares, the QR code, the layout log."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp
from sqlmodel import select

from juwei.ballots.ballot_paper import ballot_layout, render_ballots
from juwei.ballots.fonts import BUNDLED_FONT, FontChoice, resolve_font
from juwei.elections.db import Database
from juwei.elections.models import Event
from tests.test_ballot_paper_pdf import office, paper, serials, standard


@pytest.fixture
def font() -> FontChoice:
    return resolve_font(str(BUNDLED_FONT))


def page_image(pdf: Path, page: int, dpi: int = 150) -> np.ndarray:
    document = pdfium.PdfDocument(str(pdf))
    array = np.array(document[page].render(scale=dpi / 72, grayscale=True).to_numpy())
    document.close()
    return array if array.ndim == 2 else array[:, :, 0]


def test_every_page_carries_squares_and_a_code_naming_no_ballot(
    tmp_path: Path, font: FontChoice
) -> None:
    long = replace(
        paper(office("member", "委员", 7, 60)), election_id=7, serial_prefix="B"
    )  # two pages
    out = tmp_path / "b.pdf"
    render_ballots(long, serials(2), out, font)
    layout = ballot_layout(long, font.name)
    assert layout["pages"] == 2
    codes = []
    for page in range(4):  # two ballots of two pages
        image = page_image(out, page)
        (found,) = zxingcpp.read_barcodes(
            image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        )
        codes.append(found.text)
        # a solid square at each recorded centre
        scale = 150 / 72
        for x, y in layout["registration"]:
            px, py = round(x * scale), round((841.89 - y) * scale)
            assert image[py - 3 : py + 4, px - 3 : px + 4].max() < 80
    digest = str(layout["digest"])[:16].upper()
    assert codes == [f"JW1:E7:RB:P1/2:D{digest}", f"JW1:E7:RB:P2/2:D{digest}"] * 2


def test_layout_names_every_box_and_changes_with_the_ballot(font: FontChoice) -> None:
    layout = ballot_layout(standard(), font.name)
    boxes = layout["boxes"]
    assert isinstance(boxes, list)
    kinds = [(b["office"], b["kind"], b["number"]) for b in boxes]
    assert ("director", "for", 1) in kinds and ("member", "against", 6) in kinds
    assert sum(1 for b in boxes if b["kind"] == "write_in") == 7  # 1 + 1 + 5 seats
    assert all(b["rect"][0] < b["rect"][2] and b["rect"][1] < b["rect"][3] for b in boxes)
    other = ballot_layout(paper(office("director", "主任", 1, 3)), font.name)
    assert other["digest"] != layout["digest"]
    assert ballot_layout(standard(), font.name) == layout


def test_printing_logs_the_layout_once(db: Database, tmp_path: Path, font: FontChoice) -> None:
    from tests.audit_setup import polling_election

    polling_election(db, tmp_path)  # prints without a layout: nothing logged
    from juwei.elections.poll import print_ballots

    layouts = []

    def render(p, s):  # type: ignore[no-untyped-def]
        render_ballots(p, s, tmp_path / "more.pdf", font)
        layouts.append(ballot_layout(p, font.name))
        return layouts[-1]

    print_ballots(db, 3, render, operator="t")
    print_ballots(db, 2, render, operator="t")
    with db.read() as session:
        rows = session.exec(select(Event.payload).where(Event.kind == "ballots.layout")).all()
    assert len(rows) == 1
    logged = json.loads(rows[0])
    assert logged["digest"] == layouts[0]["digest"]
    assert logged["layout"]["boxes"] == layouts[0]["boxes"]
