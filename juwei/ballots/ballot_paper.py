"""Ballot papers (选票): one A4 portrait ballot per page, thousands in one PDF.

Layout of a ballot, top to bottom: the counterfoil (存根) with the election, its date and the
stub number (编号), cut off along a dashed line and kept by the election committee; the
election title, "选票", the election day and the seal area (盖章处) — the ballot body carries
no number (ballot secrecy, issue 11: a ballot gets its identity only at the count); the
marking instructions (generated from the charter by the engine) in a box; then one section
per office: its title and "应选 N 名", the column header 序号 · 候选人姓名 · 同意 · 不同意, one row
per candidate in ballot order, and the write-in (另选他人) columns — a blank box for the name
above a box for the mark — when the charter allows write-ins.

A long section is laid out in two columns of candidates, then with lower rows; only when even
that does not fit, the ballot goes on over a second page (a "续页" that repeats the election
and the seal area, and the section heading marked "（续）"), so a page is never blank or
clipped.

Speed and memory: everything but the stub number is the same on every ballot, so reportlab
draws each page of the ballot once, as a PDF form XObject, and embeds the font; the ballot
pages are then streamed onto the end of that file as an incremental update — per page a
content stream "draw the form, write the stub number on the counterfoil" and a page
dictionary. 10,000 ballots take well under
a second and a few MB of file, and memory does not grow with the count (reportlab's canvas
would keep every page in memory until it saves). See ``bench/ballots_print.py``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from juwei.ballots._layout import (
    CONTENT_WIDTH,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    atomic_output,
    draw_bold,
    draw_dashed_rect,
    fit_lines,
    fit_text,
    format_date,
    new_canvas,
    page_label,
    shrink_to_fit,
    wrap_text,
)
from juwei.ballots.fonts import FontChoice, GlyphChecker
from juwei.ballots.results import qr_modules
from juwei.elections.readmodels import BallotPaper, CandidateLine, OfficeOnBallot
from juwei.i18n import _

# Vertical frame of a page (pt from the bottom).
TOP: float = PAGE_HEIGHT - 12 * mm
BOTTOM: float = 12 * mm
FOOTER_BASELINE: float = BOTTOM - 2
CONTENT_BOTTOM: float = BOTTOM + 10

# The counterfoil strip and the cut line under it.
STUB_HEIGHT: float = 17 * mm
STUB_BOTTOM: float = TOP - STUB_HEIGHT
CUT_Y: float = STUB_BOTTOM - 5 * mm
FIRST_HEADER_TOP: float = CUT_Y - 6 * mm

# The ballot header: election title, "选票", date and serial, seal area.
HEADER_HEIGHT = 74.0
SEAL_WIDTH: float = 30 * mm
SEAL_HEIGHT = 50.0
SERIAL_SIZE = 12.0
SERIAL_ROOM = 150.0  # widest serial, pt at SERIAL_SIZE; wider serials are set smaller

# The instructions box.
INSTRUCTION_SIZE = 9.0
INSTRUCTION_LEADING = 12.5
INSTRUCTION_PADDING = 7.0

# Sections.
BAND_HEIGHT = 22.0
COLUMN_HEAD_HEIGHT = 18.0
ROW_HEIGHT = 22.0
COMPACT_ROW_HEIGHT = 18.0  # still 6.3 mm: room for a hand-drawn circle
WRITE_IN_NAME_HEIGHT = 26.0  # room for a handwritten name
SECTION_GAP = 9.0
OFFICE_SIZE = 12.5
SEATS_SIZE = 10.5
HEAD_SIZE = 9.5
NUMBER_SIZE = 11.0
NAME_SIZE = 12.0
MIN_NAME_SIZE = 8.0
NAME_LEADING = MIN_NAME_SIZE * 1.25
PADDING = 4.0

# Column widths: one column of candidates, or two side by side.
NUMBER_WIDTH = 40.0
MARK_WIDTH = 84.0
HALF_WIDTH: float = CONTENT_WIDTH / 2
NUMBER_WIDTH_2 = 30.0
MARK_WIDTH_2 = 56.0
WRITE_IN_LABEL_WIDTH = 84.0
WRITE_IN_MIN_WIDTH = 62.0
WRITE_IN_MAX_WIDTH = 104.0

LINE_GREY = 0.25
BAND_FILL = 0.86
HEAD_FILL = 0.94
EMPTY_FILL = 0.88
INSTRUCTION_FILL = 0.965

PROGRESS_EVERY = 50  # ballots between two progress calls

# Scanning (issue 16): four solid registration squares in the margins, below the cut line so
# they stay on the ballot once the counterfoil is torn off, and a QR code in the header's left
# corner naming the election, round, page and layout digest (never a ballot's number).
REG_SIZE: float = 5 * mm
REG_INSET: float = 8.5 * mm  # centre of a square from the left / right edge and the bottom
REG_TOP: float = CUT_Y - 9 * mm  # centre of the two upper squares, on every page
QR_SIZE = 54.0  # with the quiet zone
LAYOUT_VERSION = 1


@dataclass(frozen=True)
class _Labels:
    """Every fixed text of a ballot, in the language :mod:`juwei.i18n` has selected now."""

    ballot: str
    ballot_continued: str
    counterfoil: str
    counterfoil_note: str
    serial: str
    election_day: str
    seal: str
    cut: str
    instructions: str
    number: str
    candidate: str
    agree: str
    disagree: str
    write_in: str

    @classmethod
    def current(cls, paper: BallotPaper) -> _Labels:
        recall = paper.kind == "recall"
        return cls(
            ballot=_("Recall ballot") if recall else _("Ballot"),
            ballot_continued=_("Recall ballot (continued)") if recall else _("Ballot (continued)"),
            counterfoil=_("Counterfoil"),
            counterfoil_note=_("kept by the election committee"),
            serial=_("Serial no."),
            election_day=_("Election day: {date}").format(date=format_date(paper.election_day)),
            seal=_("Seal"),
            cut=_("Cut along the dashed line"),
            instructions=_("How to mark this ballot"),
            number=_("No."),
            candidate=_("Member named") if recall else _("Candidate"),
            agree=_("For recall") if recall else _("For"),
            disagree=_("Against recall") if recall else _("Against"),
            write_in=_("Write-in"),
        )

    def seats(self, office: OfficeOnBallot, paper: BallotPaper) -> str:
        """``应选 N 名`` (nothing on a recall ballot, where a section is one member)."""
        if paper.kind == "recall":
            return ""
        return _("{seats} to be elected").format(seats=office.seats)

    @staticmethod
    def continued(title: str) -> str:
        return _("{title} (cont.)").format(title=title)


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True, slots=True)
class _Head:
    """An office's band (title, seats) and, unless ``columns`` is 0, its column header."""

    office: int
    continued: bool
    columns: int

    @property
    def height(self) -> float:
        return BAND_HEIGHT + (COLUMN_HEAD_HEIGHT if self.columns else 0.0)


@dataclass(frozen=True, slots=True)
class _Rows:
    """Candidate rows; with two columns, ``left`` reads down first, then ``right``."""

    office: int
    left: tuple[CandidateLine, ...]
    right: tuple[CandidateLine, ...] | None
    row_height: float

    @property
    def height(self) -> float:
        return len(self.left) * self.row_height


@dataclass(frozen=True, slots=True)
class _WriteIns:
    office: int
    count: int
    per_row: int
    mark_height: float

    @property
    def lines(self) -> int:
        return math.ceil(self.count / self.per_row)

    @property
    def height(self) -> float:
        return self.lines * (WRITE_IN_NAME_HEIGHT + self.mark_height)


_Block = _Head | _Rows | _WriteIns


@dataclass(frozen=True, slots=True)
class _Config:
    """One way to lay out sections: offices with ``two_columns_from`` candidates or more in
    two columns (None: never), rows ``row_height`` high."""

    two_columns_from: int | None
    row_height: float


CONFIGS = (
    _Config(None, ROW_HEIGHT),
    _Config(8, ROW_HEIGHT),
    _Config(8, COMPACT_ROW_HEIGHT),
    _Config(4, COMPACT_ROW_HEIGHT),
)


@dataclass(frozen=True)
class _Plan:
    """The static layout of one ballot: its pages, each a list of ``(top, block)``."""

    pages: tuple[tuple[tuple[float, _Block], ...], ...]
    instructions: tuple[str, ...]  # wrapped lines
    instructions_top: float
    sections_top: float  # first section on page 1


def _name_width(columns: int) -> float:
    if columns == 2:
        return HALF_WIDTH - NUMBER_WIDTH_2 - 2 * MARK_WIDTH_2
    return float(CONTENT_WIDTH - NUMBER_WIDTH - 2 * MARK_WIDTH)


def _row_height(font: str, office: OfficeOnBallot, columns: int, base: float) -> float:
    """``base``, or more when a long name has to wrap onto several lines."""
    inner = _name_width(columns) - 2 * PADDING
    lines = 1
    for candidate in office.candidates:
        _size, wrapped = fit_text(candidate.name, font, NAME_SIZE, inner, MIN_NAME_SIZE)
        lines = max(lines, len(wrapped))
    return base if lines == 1 else max(base, lines * NAME_LEADING + 2 * PADDING)


def _write_ins_per_row(count: int) -> int:
    room = CONTENT_WIDTH - WRITE_IN_LABEL_WIDTH
    return max(1, min(count, int(room // WRITE_IN_MIN_WIDTH)))


def _paginate(
    paper: BallotPaper, font: str, config: _Config, sections_top: float
) -> list[list[tuple[float, _Block]]]:
    """Flow the sections over as many pages as needed; a heading never ends a page alone."""
    pages: list[list[tuple[float, _Block]]] = [[]]
    y = sections_top
    continued_top = TOP - HEADER_HEIGHT - SECTION_GAP

    def new_page() -> None:
        nonlocal y
        pages.append([])
        y = continued_top

    def place(block: _Block) -> None:
        nonlocal y
        pages[-1].append((y, block))
        y -= block.height

    for index, office in enumerate(paper.offices):
        threshold = config.two_columns_from
        columns = 2 if threshold is not None and len(office.candidates) >= threshold else 1
        row_height = _row_height(font, office, columns, config.row_height)
        write_ins = None
        if office.write_ins > 0:
            write_ins = _WriteIns(
                index, office.write_ins, _write_ins_per_row(office.write_ins), config.row_height
            )
        first_height = row_height if office.candidates else write_ins.height if write_ins else 0
        head = _Head(index, False, columns if office.candidates else 0)
        if y - head.height - first_height < CONTENT_BOTTOM and pages[-1]:
            new_page()
        place(head)
        remaining = office.candidates
        while remaining:
            room = int((y - CONTENT_BOTTOM) // row_height)
            if room < 1:
                new_page()
                place(_Head(index, True, columns))
                continue
            rows = min(room, math.ceil(len(remaining) / columns))
            chunk, remaining = remaining[: rows * columns], remaining[rows * columns :]
            if columns == 1:
                place(_Rows(index, chunk, None, row_height))
            else:
                down = math.ceil(len(chunk) / 2)
                place(_Rows(index, chunk[:down], chunk[down:], row_height))
        if write_ins is not None:
            if y - write_ins.height < CONTENT_BOTTOM:
                new_page()
                place(_Head(index, True, 0))
            place(write_ins)
        y -= SECTION_GAP
    return pages


def _plan(paper: BallotPaper, font: str) -> _Plan:
    """Lay the ballot out once, in the first configuration that fits on one page."""
    width = CONTENT_WIDTH - 2 * INSTRUCTION_PADDING
    lines = [
        line
        for text in paper.instructions
        for line in wrap_text(text, font, INSTRUCTION_SIZE, width)
    ]
    instructions_top = FIRST_HEADER_TOP - HEADER_HEIGHT - 2
    box = _instructions_height(len(lines)) if lines else 0.0
    if box > (instructions_top - CONTENT_BOTTOM) / 2:
        raise ValueError(
            f"the marking instructions ({len(lines)} lines) take more than half of the ballot"
        )
    sections_top = instructions_top - box - (SECTION_GAP if lines else 0)
    best: list[list[tuple[float, _Block]]] | None = None
    for config in CONFIGS:
        pages = _paginate(paper, font, config, sections_top)
        if best is None or len(pages) < len(best):
            best = pages
        if len(pages) == 1:
            break
    assert best is not None
    return _Plan(
        pages=tuple(tuple(page) for page in best),
        instructions=tuple(lines),
        instructions_top=instructions_top,
        sections_top=sections_top,
    )


def _instructions_height(lines: int) -> float:
    return 2 * INSTRUCTION_PADDING + INSTRUCTION_LEADING * (lines + 1)


# --------------------------------------------------------------------------- scan geometry


def registration_centres() -> tuple[tuple[float, float], ...]:
    """Centres (pt from the bottom-left) of the registration squares, in the order top-left,
    top-right, bottom-right, bottom-left; the same on every page of every ballot."""
    left, right = REG_INSET, PAGE_WIDTH - REG_INSET
    return ((left, REG_TOP), (right, REG_TOP), (right, REG_INSET), (left, REG_INSET))


def qr_rect(index: int) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` in pt of the QR code (quiet zone included) on page ``index``."""
    top = _Static.header_top(index) + 2
    x0 = MARGIN - 6
    return (x0, top - QR_SIZE, x0 + QR_SIZE, top)


def scan_code(paper: BallotPaper, layout_digest: str, page: int, pages: int) -> str:
    """The text of a page's QR code: ``JW1:E<election>:R<round>:P<page>/<pages>:D<digest>``.

    The round is the election's serial prefix (A general, B the first next round …), the
    ballot style is the page of the ballot, the digest the first 16 hex digits of the layout
    digest (upper case, so the code stays in the QR alphanumeric mode). Nothing in it differs
    between two ballots of one election: it names no ballot.
    """
    return (
        f"JW1:E{paper.election_id}:R{paper.serial_prefix}:P{page}/{pages}"
        f":D{layout_digest[:16].upper()}"
    )


def ballot_layout(paper: BallotPaper, font_name: str) -> dict[str, Any]:
    """The printed geometry of ``paper`` set in ``font_name``, as :func:`render_ballots` draws it.

    A JSON-ready dict: ``version``, ``pages``, ``page_size`` [w, h], ``registration`` (square
    centres, top-left first, clockwise) and ``registration_size``, ``qr`` (rect per page),
    ``boxes`` — one per mark box and write-in column: ``page`` (1-based), ``office`` (key),
    ``kind`` (``for`` / ``against`` / ``write_in``), ``number`` (candidate ballot number, or the
    write-in column 1, 2 …), ``rect`` [x0, y0, x1, y1] in pt from the bottom-left, and for a
    write-in ``name_rect`` (the box for the written name) — and ``digest``, the SHA-256 of all
    the rest as canonical JSON. The same paper and font always give the same layout; the
    scanner reads a page against the layout whose digest its QR code names (issue 16).
    """
    return _geometry(paper, _plan(paper, font_name))


def _round(rect: tuple[float, float, float, float]) -> list[float]:
    return [round(v, 3) for v in rect]


def _geometry(paper: BallotPaper, plan: _Plan) -> dict[str, Any]:
    boxes: list[dict[str, object]] = []
    write_in_seen: dict[int, int] = {}
    for page, blocks in enumerate(plan.pages, start=1):
        for top, block in blocks:
            office = paper.offices[block.office]
            if isinstance(block, _Rows):
                columns = 1 if block.right is None else 2
                widths = _Static._widths(columns)
                halves = (block.left,) if block.right is None else (block.left, block.right)
                for left, candidates in zip(_Static._halves(columns), halves, strict=True):
                    x = left + widths[0] + widths[1]
                    for row, candidate in enumerate(candidates):
                        y = top - row * block.row_height
                        for kind, x0, width in (
                            ("for", x, widths[2]),
                            ("against", x + widths[2], widths[3]),
                        ):
                            boxes.append(
                                {
                                    "page": page,
                                    "office": office.key,
                                    "kind": kind,
                                    "number": candidate.number,
                                    "rect": _round((x0, y - block.row_height, x0 + width, y)),
                                }
                            )
            elif isinstance(block, _WriteIns):
                room = CONTENT_WIDTH - WRITE_IN_LABEL_WIDTH
                width = min(WRITE_IN_MAX_WIDTH, room / block.per_row)
                line_height = WRITE_IN_NAME_HEIGHT + block.mark_height
                remaining = block.count
                for line in range(block.lines):
                    y = top - line * line_height
                    count = min(remaining, block.per_row)
                    remaining -= count
                    x = MARGIN + WRITE_IN_LABEL_WIDTH
                    for _column in range(count):
                        number = write_in_seen.get(block.office, 0) + 1
                        write_in_seen[block.office] = number
                        boxes.append(
                            {
                                "page": page,
                                "office": office.key,
                                "kind": "write_in",
                                "number": number,
                                "rect": _round(
                                    (x, y - line_height, x + width, y - WRITE_IN_NAME_HEIGHT)
                                ),
                                "name_rect": _round((x, y - WRITE_IN_NAME_HEIGHT, x + width, y)),
                            }
                        )
                        x += width
    layout: dict[str, Any] = {
        "version": LAYOUT_VERSION,
        "pages": len(plan.pages),
        "page_size": [round(PAGE_WIDTH, 3), round(PAGE_HEIGHT, 3)],
        "registration": [[round(x, 3), round(y, 3)] for x, y in registration_centres()],
        "registration_size": round(REG_SIZE, 3),
        "qr": [_round(qr_rect(index)) for index in range(len(plan.pages))],
        "boxes": boxes,
    }
    body = json.dumps(layout, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    layout["digest"] = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return layout


# --------------------------------------------------------------------------- rendering


def render_ballots(
    paper: BallotPaper,
    serials: Sequence[str],
    out: Path,
    font: FontChoice,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write one ballot per serial, in the order given, to ``out`` (A4 PDF); the page count.

    Each ballot is one page, or more when its sections do not fit. ``serials`` are the stub
    numbers the engine records for paper accounting: each is printed on the counterfoil only,
    never on the ballot body. ``progress(done, total)`` is called with the
    number of ballots drawn so far, every few dozen ballots and at the end.

    Every text (the election, offices, candidates, instructions, serials, labels) is checked
    against ``font`` first; nothing is written if a character is missing. The file is written
    under a temporary name and renamed at the end, so a failure leaves no partial PDF. The same
    input gives byte-identical output.

    Raises :class:`juwei.ballots.fonts.MissingGlyphError`; ``ValueError`` for no serials, an
    empty or repeated serial, an office without seats or without anything to mark, or
    instructions too long for the ballot (engine bugs: nothing is written); ``OSError`` if
    ``out`` cannot be written.
    """
    _validate(paper, serials)
    labels = _Labels.current(paper)
    _check_glyphs(paper, serials, font, labels)
    plan = _plan(paper, font.name)
    layout = _geometry(paper, plan)
    serial_size = SERIAL_SIZE
    widest = max(pdfmetrics.stringWidth(s, font.name, SERIAL_SIZE) for s in serials)
    if widest > SERIAL_ROOM:
        serial_size = SERIAL_SIZE * SERIAL_ROOM / widest
        widest = SERIAL_ROOM
    static = _Static(paper, font.name, labels, plan, widest, str(layout["digest"]))
    total = len(serials)
    title = labels.ballot
    with atomic_output(Path(out)) as tmp:
        # 1. reportlab writes the shared part: one form per page of the ballot, and the font
        #    (subset with every character of every serial), but no page yet.
        canvas = new_canvas(
            tmp, font_name=font.name, title=f"{paper.election_title} {title}", subject=title
        )
        forms = [static.draw_form(canvas, index) for index in range(len(plan.pages))]
        encoder = _SerialEncoder(font.name, canvas, serials, serial_size)
        canvas.save()
        # 2. the pages, streamed onto the end of that file as one incremental update.
        with tmp.open("r+b") as fh:
            appender = _PageAppender(fh, canvas, forms)
            stub = (static.stub_serial_x, static.stub_serial_y)
            # the stub number goes on the counterfoil only: the ballot body has no number
            shows = [[stub] if index == 0 else [] for index in range(len(forms))]
            if progress is not None:
                progress(0, total)
            for done, serial in enumerate(serials, start=1):
                for index in range(len(forms)):
                    appender.add_page(index, encoder.show(serial, shows[index]))
                if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
                    progress(done, total)
            appender.finish()
    return total * len(plan.pages)


def _validate(paper: BallotPaper, serials: Sequence[str]) -> None:
    if isinstance(serials, str):
        raise TypeError("serials must be a sequence of strings, not one string")
    if not serials:
        raise ValueError("no serial numbers: nothing to print")
    seen: set[str] = set()
    for position, serial in enumerate(serials, start=1):
        if not serial or serial != serial.strip():
            raise ValueError(f"serial no. {position} is empty or has blanks around it: {serial!r}")
        if serial in seen:
            raise ValueError(f"serial {serial!r} is given twice; serials are unique per election")
        seen.add(serial)
    if not paper.offices:
        raise ValueError("the ballot has no office to vote on")
    for office in paper.offices:
        if office.seats < 1 and paper.kind != "recall":
            raise ValueError(f"office {office.title!r} has {office.seats} seats")
        if office.write_ins < 0:
            raise ValueError(f"office {office.title!r} has {office.write_ins} write-in columns")
        if not office.candidates and not office.write_ins:
            raise ValueError(f"office {office.title!r} has neither candidates nor write-ins")


def _check_glyphs(
    paper: BallotPaper, serials: Sequence[str], font: FontChoice, labels: _Labels
) -> None:
    """Refuse, before anything is written, any text the font cannot print."""
    checker = GlyphChecker(font)
    fixed = "".join(
        [
            *(str(value) for value in vars(labels).values()),
            _Labels.continued(""),
            page_label(1234567890, 1234567890),
            *(labels.seats(office, paper) for office in paper.offices),
            *(str(c.number) for office in paper.offices for c in office.candidates),
        ]
    )
    checker.check(fixed, _("the labels printed on every ballot"))
    checker.check(paper.election_title, _("the title of the election"))
    for office in paper.offices:
        checker.check(
            office.title, _("the title of the office {office}").format(office=office.title)
        )
        for candidate in office.candidates:
            checker.check(
                candidate.name,
                _("the name of candidate no. {number} {name} for {office}").format(
                    number=candidate.number, name=candidate.name, office=office.title
                ),
            )
    for number, line in enumerate(paper.instructions, start=1):
        checker.check(line, _("line {number} of the marking instructions").format(number=number))
    for serial in serials:
        checker.check(serial, _("the serial number {serial}").format(serial=serial))
    checker.raise_if_missing()


class _Static:
    """Draws what every ballot shares, once per page of a ballot, as a PDF form."""

    def __init__(
        self,
        paper: BallotPaper,
        font: str,
        labels: _Labels,
        plan: _Plan,
        serial_width: float,
        layout_digest: str,
    ) -> None:
        self.layout_digest = layout_digest
        self.paper = paper
        self.font = font
        self.labels = labels
        self.plan = plan
        self.serial_x = PAGE_WIDTH - MARGIN - serial_width
        self.stub_serial_x = self.serial_x - 8
        self.stub_serial_y = STUB_BOTTOM + STUB_HEIGHT / 2 - 0.36 * SERIAL_SIZE - 7

    @staticmethod
    def header_top(index: int) -> float:
        return FIRST_HEADER_TOP if index == 0 else TOP

    def draw_form(self, canvas: Canvas, index: int) -> str:
        """Draw page ``index`` of the ballot (all but the serial) into a form; its name."""
        name = f"ballot-page-{index + 1}"
        canvas.beginForm(name, 0, 0, PAGE_WIDTH, PAGE_HEIGHT)
        if index == 0:
            self._counterfoil(canvas)
            self._instructions(canvas)
        self._header(canvas, index)
        self._sections(canvas, self.plan.pages[index])
        pages = len(self.plan.pages)
        self._scan_furniture(canvas, index, pages)
        if pages > 1:
            canvas.setFillGray(0)
            canvas.setFont(self.font, 9)
            canvas.drawCentredString(PAGE_WIDTH / 2, FOOTER_BASELINE, page_label(index + 1, pages))
        canvas.endForm()
        return name

    # --- furniture

    def _scan_furniture(self, canvas: Canvas, index: int, pages: int) -> None:
        """Registration squares and the page's QR code (issue 16), the same on every ballot."""
        canvas.setFillGray(0)
        for x, y in registration_centres():
            canvas.rect(x - REG_SIZE / 2, y - REG_SIZE / 2, REG_SIZE, REG_SIZE, stroke=0, fill=1)
        x0, y0, _x1, _y1 = qr_rect(index)
        path = canvas.beginPath()
        code = scan_code(self.paper, self.layout_digest, index + 1, pages)
        for x, y, width, height in qr_modules(code):
            path.rect(x0 + x * QR_SIZE, y0 + y * QR_SIZE, width * QR_SIZE, height * QR_SIZE)
        canvas.drawPath(path, stroke=0, fill=1)

    def _counterfoil(self, canvas: Canvas) -> None:
        font, labels, paper = self.font, self.labels, self.paper
        left = MARGIN
        middle = STUB_BOTTOM + STUB_HEIGHT / 2
        canvas.setStrokeGray(LINE_GREY)
        canvas.setLineWidth(0.8)
        canvas.rect(left, STUB_BOTTOM, CONTENT_WIDTH, STUB_HEIGHT, stroke=1, fill=0)
        canvas.setFillGray(0)
        size = shrink_to_fit(labels.counterfoil, font, 13, 100, 8)
        draw_bold(canvas, font, labels.counterfoil, size, left + 8, middle + 2)
        canvas.setFillGray(0.35)
        note_size = shrink_to_fit(labels.counterfoil_note, font, 7.5, 100, 5)
        canvas.setFont(font, note_size)
        canvas.drawString(left + 8, middle - 13, labels.counterfoil_note)
        canvas.setFillGray(0)
        # the election and its day, between the label and the serial
        x = left + 120
        room = self.stub_serial_x - 6 - pdfmetrics.stringWidth(labels.serial, font, 10.5) - 10 - x
        size, lines = fit_lines(paper.election_title, font, 10, room, 6.5, 2)
        baseline = middle + 6 if len(lines) == 1 else middle + 11
        canvas.setFont(font, size)
        for line in lines:
            canvas.drawString(x, baseline, line)
            baseline -= size * 1.2
        canvas.setFont(font, 9)
        canvas.drawString(x, middle - 14, labels.election_day)
        canvas.setFont(font, 10.5)
        canvas.drawRightString(self.stub_serial_x - 2, self.stub_serial_y, labels.serial)
        # the cut line
        canvas.saveState()
        canvas.setStrokeGray(0.3)
        canvas.setLineWidth(0.7)
        canvas.setDash(5, 3)
        canvas.line(MARGIN / 2, CUT_Y, PAGE_WIDTH - MARGIN / 2, CUT_Y)
        canvas.restoreState()
        cut_width = pdfmetrics.stringWidth(labels.cut, font, 8)
        canvas.setFillGray(1)
        canvas.rect(
            (PAGE_WIDTH - cut_width) / 2 - 6, CUT_Y - 5, cut_width + 12, 10, stroke=0, fill=1
        )
        canvas.setFillGray(0.3)
        canvas.setFont(font, 8)
        canvas.drawCentredString(PAGE_WIDTH / 2, CUT_Y - 2.8, labels.cut)
        canvas.setFillGray(0)

    def _header(self, canvas: Canvas, index: int) -> None:
        font, labels, paper = self.font, self.labels, self.paper
        top = self.header_top(index)
        room = CONTENT_WIDTH - 2 * (SEAL_WIDTH + 8)
        size, lines = fit_lines(paper.election_title, font, 14, room, 9, 2)
        baseline = top - 14 if len(lines) == 1 else top - 10
        canvas.setFillGray(0)
        for line in lines:
            draw_bold(canvas, font, line, size, PAGE_WIDTH / 2, baseline, "center")
            baseline -= size * 1.2
        word = labels.ballot if index == 0 else labels.ballot_continued
        word_size = shrink_to_fit(word, font, 24, room, 12)
        spacing = 0.0 if word.isascii() else word_size * (0.35 if index == 0 else 0.1)
        draw_bold(canvas, font, word, word_size, PAGE_WIDTH / 2, top - 44, "center", spacing)
        canvas.setFont(font, 10.5)
        canvas.drawString(MARGIN, top - 64, labels.election_day)
        seal_x = PAGE_WIDTH - MARGIN - SEAL_WIDTH
        draw_dashed_rect(canvas, seal_x, top - 2 - SEAL_HEIGHT, SEAL_WIDTH, SEAL_HEIGHT)
        canvas.setFillGray(0.55)
        canvas.setFont(font, 9)
        canvas.drawCentredString(
            seal_x + SEAL_WIDTH / 2, top - 2 - SEAL_HEIGHT / 2 - 3, labels.seal
        )
        canvas.setFillGray(0)
        canvas.setStrokeGray(0)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN, top - HEADER_HEIGHT + 2, PAGE_WIDTH - MARGIN, top - HEADER_HEIGHT + 2)

    def _instructions(self, canvas: Canvas) -> None:
        lines = self.plan.instructions
        if not lines:
            return
        top = self.plan.instructions_top
        height = _instructions_height(len(lines))
        canvas.setFillGray(INSTRUCTION_FILL)
        canvas.setStrokeGray(LINE_GREY)
        canvas.setLineWidth(0.6)
        canvas.rect(MARGIN, top - height, CONTENT_WIDTH, height, stroke=1, fill=1)
        canvas.setFillGray(0)
        x = MARGIN + INSTRUCTION_PADDING
        baseline = top - INSTRUCTION_PADDING - INSTRUCTION_SIZE
        draw_bold(canvas, self.font, self.labels.instructions, 10, x, baseline)
        text = canvas.beginText()
        text.setFont(self.font, INSTRUCTION_SIZE, INSTRUCTION_LEADING)
        text.setTextOrigin(x, baseline - INSTRUCTION_LEADING)
        for line in lines:
            text.textLine(line)
        canvas.drawText(text)

    # --- sections

    def _sections(self, canvas: Canvas, blocks: tuple[tuple[float, _Block], ...]) -> None:
        frames: dict[int, list[float]] = {}  # office -> [top, bottom] on this page
        for top, block in blocks:
            if isinstance(block, _Head):
                self._head(canvas, top, block)
            elif isinstance(block, _Rows):
                self._rows(canvas, top, block)
            else:
                self._write_ins(canvas, top, block)
            span = frames.setdefault(block.office, [top, top])
            span[1] = top - block.height
        canvas.setStrokeGray(0)
        canvas.setLineWidth(1.3)
        for top, bottom in frames.values():
            canvas.rect(MARGIN, bottom, CONTENT_WIDTH, top - bottom, stroke=1, fill=0)

    def _head(self, canvas: Canvas, top: float, head: _Head) -> None:
        font, labels = self.font, self.labels
        office = self.paper.offices[head.office]
        canvas.setFillGray(BAND_FILL)
        canvas.setStrokeGray(LINE_GREY)
        canvas.setLineWidth(0.6)
        canvas.rect(MARGIN, top - BAND_HEIGHT, CONTENT_WIDTH, BAND_HEIGHT, stroke=1, fill=1)
        canvas.setFillGray(0)
        title = labels.continued(office.title) if head.continued else office.title
        seats = labels.seats(office, self.paper)
        seats_width = pdfmetrics.stringWidth(seats, font, SEATS_SIZE)
        room = CONTENT_WIDTH - 3 * PADDING - (seats_width + 14 if seats else 0)
        size = shrink_to_fit(title, font, OFFICE_SIZE, room, 7)
        baseline = top - BAND_HEIGHT / 2 - 0.36 * OFFICE_SIZE
        width = draw_bold(canvas, font, title, size, MARGIN + 2 * PADDING, baseline)
        if seats:
            canvas.setFont(font, SEATS_SIZE)
            canvas.drawString(MARGIN + 2 * PADDING + width + 14, baseline, seats)
        if not head.columns:
            return
        y = top - BAND_HEIGHT
        canvas.setFillGray(HEAD_FILL)
        canvas.rect(
            MARGIN, y - COLUMN_HEAD_HEIGHT, CONTENT_WIDTH, COLUMN_HEAD_HEIGHT, stroke=0, fill=1
        )
        canvas.setFillGray(0)
        baseline = y - COLUMN_HEAD_HEIGHT / 2 - 0.36 * HEAD_SIZE
        texts = (labels.number, labels.candidate, labels.agree, labels.disagree)
        for left in self._halves(head.columns):
            x = left
            for text, width in zip(texts, self._widths(head.columns), strict=True):
                size = shrink_to_fit(text, font, HEAD_SIZE, width - 2, 6)
                canvas.setFont(font, size)
                canvas.drawCentredString(x + width / 2, baseline, text)
                x += width
        self._grid(canvas, y, COLUMN_HEAD_HEIGHT, 1, head.columns)

    @staticmethod
    def _halves(columns: int) -> tuple[float, ...]:
        return (MARGIN,) if columns == 1 else (MARGIN, MARGIN + HALF_WIDTH)

    @staticmethod
    def _widths(columns: int) -> tuple[float, float, float, float]:
        if columns == 1:
            return (NUMBER_WIDTH, _name_width(1), MARK_WIDTH, MARK_WIDTH)
        return (NUMBER_WIDTH_2, _name_width(2), MARK_WIDTH_2, MARK_WIDTH_2)

    def _grid(self, canvas: Canvas, top: float, row_height: float, rows: int, columns: int) -> None:
        """Cell rules for ``rows`` rows of 序号 · 姓名 · 同意 · 不同意 (per candidate column)."""
        bottom = top - rows * row_height
        canvas.setStrokeGray(LINE_GREY)
        canvas.setLineWidth(0.6)
        path = canvas.beginPath()
        for row in range(rows + 1):
            path.moveTo(MARGIN, top - row * row_height)
            path.lineTo(PAGE_WIDTH - MARGIN, top - row * row_height)
        for left in self._halves(columns):
            x = left
            for width in self._widths(columns)[:-1]:
                x += width
                path.moveTo(x, top)
                path.lineTo(x, bottom)
        canvas.drawPath(path, stroke=1, fill=0)
        if columns == 2:  # a heavier rule between the two columns of candidates
            canvas.setLineWidth(1.3)
            canvas.line(MARGIN + HALF_WIDTH, top, MARGIN + HALF_WIDTH, bottom)

    def _rows(self, canvas: Canvas, top: float, rows: _Rows) -> None:
        font = self.font
        columns = 1 if rows.right is None else 2
        widths = self._widths(columns)
        halves = (rows.left,) if rows.right is None else (rows.left, rows.right)
        inner = widths[1] - 2 * PADDING
        for left, candidates in zip(self._halves(columns), halves, strict=True):
            for row in range(len(rows.left)):
                y = top - row * rows.row_height
                middle = y - rows.row_height / 2
                if row >= len(candidates):  # the second column is one short: grey it out
                    canvas.setFillGray(EMPTY_FILL)
                    canvas.rect(left, y - rows.row_height, HALF_WIDTH, rows.row_height, 0, 1)
                    canvas.setFillGray(0)
                    continue
                candidate = candidates[row]
                canvas.setFont(font, NUMBER_SIZE)
                canvas.drawCentredString(
                    left + widths[0] / 2, middle - 0.36 * NUMBER_SIZE, str(candidate.number)
                )
                size, lines = fit_text(candidate.name, font, NAME_SIZE, inner, MIN_NAME_SIZE)
                leading = size * 1.25
                baseline = middle + (len(lines) - 1) * leading / 2 - 0.36 * size
                canvas.setFont(font, size)
                for line in lines:
                    canvas.drawString(left + widths[0] + PADDING, baseline, line)
                    baseline -= leading
        self._grid(canvas, top, rows.row_height, len(rows.left), columns)

    def _write_ins(self, canvas: Canvas, top: float, block: _WriteIns) -> None:
        font, labels = self.font, self.labels
        room = CONTENT_WIDTH - WRITE_IN_LABEL_WIDTH
        width = min(WRITE_IN_MAX_WIDTH, room / block.per_row)
        line_height = WRITE_IN_NAME_HEIGHT + block.mark_height
        remaining = block.count
        canvas.setStrokeGray(LINE_GREY)
        canvas.setLineWidth(0.6)
        for line in range(block.lines):
            y = top - line * line_height
            count = min(remaining, block.per_row)
            remaining -= count
            canvas.setFillGray(HEAD_FILL)
            canvas.rect(MARGIN, y - line_height, WRITE_IN_LABEL_WIDTH, line_height, 1, 1)
            canvas.setFillGray(0)
            canvas.line(
                MARGIN,
                y - WRITE_IN_NAME_HEIGHT,
                MARGIN + WRITE_IN_LABEL_WIDTH,
                y - WRITE_IN_NAME_HEIGHT,
            )
            centre = MARGIN + WRITE_IN_LABEL_WIDTH / 2
            for text, middle in (
                (labels.write_in, y - WRITE_IN_NAME_HEIGHT / 2),
                (labels.agree, y - WRITE_IN_NAME_HEIGHT - block.mark_height / 2),
            ):
                size = shrink_to_fit(text, font, 10, WRITE_IN_LABEL_WIDTH - 2 * PADDING, 6)
                canvas.setFont(font, size)
                canvas.drawCentredString(centre, middle - 0.36 * size, text)
            x = MARGIN + WRITE_IN_LABEL_WIDTH
            for _column in range(count):
                canvas.rect(x, y - WRITE_IN_NAME_HEIGHT, width, WRITE_IN_NAME_HEIGHT, 1, 0)
                canvas.rect(x, y - line_height, width, block.mark_height, 1, 0)
                x += width
            if x < PAGE_WIDTH - MARGIN - 0.5:  # the rest of the line is not for writing
                canvas.setFillGray(EMPTY_FILL)
                canvas.rect(x, y - line_height, PAGE_WIDTH - MARGIN - x, line_height, 1, 1)
                canvas.setFillGray(0)


# --------------------------------------------------------------------------- streaming pages


class _SerialEncoder:
    """Serials as PDF text operators in the subsets of the embedded font.

    Every character of every serial is given its code in the font's subsets (reportlab's
    ``splitString``, as ``drawString`` does) before reportlab writes the font, so the subset
    embedded in the file holds them all.
    """

    def __init__(self, font_name: str, canvas: Canvas, serials: Sequence[str], size: float):
        ttf = pdfmetrics.getFont(font_name)
        doc = canvas._doc
        self._codes: dict[str, tuple[int, int]] = {}
        for char in sorted(set("".join(serials))):
            ((subset, code),) = ttf.splitString(char, doc)
            self._codes[char] = (subset, code[0])
        subsets = sorted({subset for subset, _code in self._codes.values()})
        self._fonts = {subset: ttf.getSubsetInternalName(subset, doc) for subset in subsets}
        self._size = fp_str(size)

    def show(self, serial: str, positions: Sequence[tuple[float, float]]) -> bytes:
        """``BT … ET`` drawing ``serial`` with its baseline starting at each position."""
        runs: list[tuple[int, list[str]]] = []
        for char in serial:
            subset, code = self._codes[char]
            if not runs or runs[-1][0] != subset:
                runs.append((subset, []))
            runs[-1][1].append(f"{code:02X}")
        shown = " ".join(
            f"{self._fonts[subset]} {self._size} Tf <{''.join(codes)}> Tj" for subset, codes in runs
        )
        return "".join(
            f"BT 1 0 0 1 {fp_str(x)} {fp_str(y)} Tm {shown} ET\n" for x, y in positions
        ).encode("ascii")


_TRAILER = {
    "startxref": re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$"),
    "root": re.compile(rb"/Root (\d+) 0 R"),
    "info": re.compile(rb"/Info (\d+) 0 R"),
    "size": re.compile(rb"/Size (\d+)"),
    "id": re.compile(rb"/ID\s*\[\s*(<[0-9A-Fa-f]*>\s*<[0-9A-Fa-f]*>)\s*\]"),
}


class _PageAppender:
    """Append pages to the PDF reportlab has just written, as one incremental update.

    reportlab keeps every page in memory until it saves, then builds the whole file in
    memory; for thousands of ballots that grows with the count. Here reportlab writes only
    what all ballots share (the forms, the font, the catalog, an empty page tree); each
    ballot page is then written straight to the file as two small objects (its content
    stream — the form and the serial — and its page dictionary), and the update ends with
    the page tree (same object number, now listing every page), a cross-reference section
    and a trailer pointing back to reportlab's (``/Prev``). Only the byte offsets are kept:
    16 bytes a page.
    """

    def __init__(self, fh: BinaryIO, canvas: Canvas, forms: Sequence[str]) -> None:
        doc = canvas._doc
        numbers = doc.idToObjectNumberAndVersion
        self._fh = fh
        self._pages_object = numbers[doc.Pages.__InternalName__][0]
        fonts_object = numbers["BasicFonts"][0]
        fh.seek(0, os.SEEK_END)
        self._position = fh.tell()
        fh.seek(max(0, self._position - 4096))
        tail = fh.read()
        found = {key: pattern.search(tail) for key, pattern in _TRAILER.items()}
        missing = [key for key, match in found.items() if match is None]
        if missing:  # pragma: no cover - a reportlab whose output we do not know
            raise RuntimeError(f"unexpected PDF trailer from reportlab: no {', '.join(missing)}")
        self._trailer = {key: match.group(1) for key, match in found.items() if match}
        self._next = int(self._trailer["size"])
        self._first = self._next
        self._offsets: array[int] = array("Q")
        self._kids = 0
        fh.seek(self._position)
        xobjects = " ".join(
            f"/{doc.getXObjectName(name)} {numbers[doc.getXObjectName(name)][0]} 0 R"
            for name in forms
        )
        resources = (
            f"<< /Font {fonts_object} 0 R /XObject << {xobjects} >> /ProcSet [ /PDF /Text ] >>"
        )
        self._resources = self._object(resources.encode("ascii"))
        self._draw_form = [
            f"q /{doc.getXObjectName(name)} Do Q\n".encode("ascii") for name in forms
        ]
        self._page_head = (
            f"<< /Type /Page /Parent {self._pages_object} 0 R "
            f"/MediaBox [ 0 0 {fp_str(PAGE_WIDTH)} {fp_str(PAGE_HEIGHT)} ] "
            f"/Resources {self._resources} 0 R /Contents "
        ).encode("ascii")

    def _object(self, body: bytes, number: int | None = None) -> int:
        """Write ``body`` as an indirect object (the next number unless given); its number."""
        if number is None:
            number = self._next
            self._next += 1
            self._offsets.append(self._position)
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, body)
        self._fh.write(chunk)
        self._position += len(chunk)
        return number

    def add_page(self, form: int, text: bytes) -> None:
        """A page showing form number ``form`` (0-based) with ``text`` (operators) on top."""
        content = self._draw_form[form] + text
        stream = self._object(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        self._object(self._page_head + b"%d 0 R >>" % stream)
        self._kids += 1

    def finish(self) -> None:
        """Write the page tree, the cross-reference section and the trailer."""
        fh = self._fh
        pages_at = self._position
        first_page = self._first + 2  # after the resources, each page follows its content
        head = b"%d 0 obj\n<< /Type /Pages /Count %d /Kids [" % (self._pages_object, self._kids)
        fh.write(head)
        self._position += len(head)
        for start in range(0, self._kids, 1000):
            kids = "".join(
                f" {first_page + 2 * i} 0 R" for i in range(start, min(start + 1000, self._kids))
            ).encode("ascii")
            fh.write(kids)
            self._position += len(kids)
        end = b" ] >>\nendobj\n"
        fh.write(end)
        self._position += len(end)

        xref_at = self._position
        # the free-list head first, as readers expect a section to start at object 0
        fh.write(b"xref\n0 1\n0000000000 65535 f \n")
        fh.write(b"%d 1\n%010d 00000 n \n" % (self._pages_object, pages_at))
        fh.write(b"%d %d\n" % (self._first, len(self._offsets)))
        for start in range(0, len(self._offsets), 1000):
            fh.write(
                b"".join(
                    b"%010d 00000 n \n" % offset for offset in self._offsets[start : start + 1000]
                )
            )
        trailer = self._trailer
        fh.write(
            b"trailer\n<< /Size %d /Root %s 0 R /Info %s 0 R /ID [ %s ] /Prev %s >>\n"
            b"startxref\n%d\n%%%%EOF\n"
            % (
                self._next,
                trailer["root"],
                trailer["info"],
                trailer["id"],
                trailer["startxref"],
                xref_at,
            )
        )
        fh.truncate()
