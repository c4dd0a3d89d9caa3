"""The published voter list (选民榜 / 选民名单) as an A4 portrait PDF.

Rendered with a plain reportlab canvas loop rather than a platypus ``Table``: a long
``Table`` is re-split at every page break (quadratic in the number of rows), while this loop
lays out 100,000 voters in one linear pass and draws them in a second.

Layout of every page: title "选民名单", the community and the day ages are counted on; the
column header 序号 · 姓名 · 性别 · 年龄 · 登记类别 (public paper carries no ID number and no
household code, issue 11: name, sex, age and residents' group only); the voters grouped by
residents' group, each group under a band with its voter count (repeated with "（续）" at the
top of a page the group continues on); footer "第 N 页 共 M 页" and the print date. Voters are
numbered 1..total across the whole list in the order given (the engine sorts them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from juwei.ballots._layout import (
    CONTENT_WIDTH,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    Align,
    atomic_output,
    draw_footer,
    draw_title,
    fit_text,
    format_date,
    new_canvas,
    page_label,
    printed_label,
    shrink_to_fit,
    text_x,
)
from juwei.ballots.fonts import FontChoice, GlyphChecker
from juwei.elections.readmodels import VoterListing, VoterListRow
from juwei.i18n import _

# Type sizes (pt). 10.5 pt is 五号, the size of ordinary Chinese official documents.
TITLE_SIZE = 18.0
SUBTITLE_SIZE = 11.0
HEAD_SIZE = 10.0
BODY_SIZE = 10.5
MIN_SIZE = 8.0  # long names shrink to this, then wrap
BAND_SIZE = 11.0
FOOTER_SIZE = 9.0
LEADING = MIN_SIZE * 1.25

# Vertical geometry (pt from the bottom of the page).
TOP = PAGE_HEIGHT - MARGIN
TITLE_BASELINE = TOP - TITLE_SIZE
SUBTITLE_BASELINE = TOP - 40
TABLE_TOP = TOP - 50
HEAD_HEIGHT = 20.0
BODY_TOP = TABLE_TOP - HEAD_HEIGHT
FOOTER_BASELINE = MARGIN - 2
BODY_BOTTOM = MARGIN + 14
ROW_HEIGHT = 17.0
BAND_HEIGHT = 21.0
TOTAL_HEIGHT = 26.0
PADDING = 3.0

GRID_GREY = 0.55
HEAD_FILL = 0.86
BAND_FILL = 0.94

_FULL_ID = re.compile(r"\d{17}[\dXx]|\d{15}")


@dataclass(frozen=True)
class _Column:
    label: str
    width: float  # pt
    align: Align


@dataclass(frozen=True)
class _Labels:
    """Everything printed that is not data, in the current language."""

    columns: tuple[_Column, ...]
    sexes: dict[str, str]
    registrations: dict[str, str]

    @classmethod
    def current(cls) -> _Labels:
        """The labels in the language :mod:`juwei.i18n` has selected now."""
        columns = (
            _Column(_("No."), 14 * mm, "center"),
            _Column(_("Name"), CONTENT_WIDTH - 68 * mm, "left"),
            _Column(_("Sex"), 12 * mm, "center"),
            _Column(_("Age"), 12 * mm, "center"),
            _Column(_("Registration"), 30 * mm, "center"),
        )
        sexes = {"M": _("male"), "F": _("female")}
        registrations = {"hukou": _("hukou"), "residence": _("lives here"), "work": _("works here")}
        return cls(columns, sexes, registrations)

    def cells(self, number: int, row: VoterListRow) -> tuple[str, ...]:
        """The five texts of a row, in column order."""
        return (
            str(number),
            row.name,
            self.sexes[row.sex],
            str(row.age),
            self.registrations[row.registration],
        )

    def fixed_text(self, listing: VoterListing) -> str:
        """Every fixed text a page can carry, with all ten digits, for the glyph check."""
        digits = 1234567890
        return "".join(
            [
                *(c.label for c in self.columns),
                *self.sexes.values(),
                *self.registrations.values(),
                _("Voter list"),
                _("Community: {community}").format(community=""),
                _("Ages as of {date}").format(date=format_date(listing.as_of)),
                printed_label(listing.printed_on),
                page_label(digits, digits),
                _("Residents' group: {group}").format(group=""),
                _("Residents' group: {group} (cont.)").format(group=""),
                _("Voters: {count}").format(count=digits),
                _("Total voters: {count}").format(count=digits),
            ]
        )


@dataclass(frozen=True, slots=True)
class _Band:
    """A residents' group heading; ``continued`` at the top of a page the group goes on."""

    group: str
    count: int
    continued: bool


@dataclass(frozen=True, slots=True)
class _Row:
    number: int
    cells: tuple[str, ...]
    height: float


@dataclass(frozen=True, slots=True)
class _Total:
    count: int


_Item = _Band | _Row | _Total


def render_voter_list(listing: VoterListing, out: Path, font: FontChoice) -> int:
    """Write ``listing`` as the published voter list, an A4 portrait PDF, to ``out``.

    ``font`` comes from :func:`juwei.ballots.fonts.resolve_font`. Labels are in the language
    :mod:`juwei.i18n` has selected. Every text printed (the community, group names, voters'
    names and the labels) is checked against the font first;
    nothing is written if a character is missing. The file is written beside ``out`` under a
    temporary name and renamed at the end, so a failure leaves no partial PDF (an older
    ``out`` stays as it was). The same input gives byte-identical output.

    Returns the number of pages written (at least 1; an empty listing prints its header).

    Raises :class:`juwei.ballots.fonts.MissingGlyphError` naming each character the font
    lacks and where it occurs; ``ValueError`` if a name looks like an ID number or a row has an
    unknown sex / registration code (an engine bug; nothing is written); ``OSError`` if
    ``out``'s folder is missing or not writable.
    """
    labels = _Labels.current()
    _check(listing, font, labels)
    pages = _paginate(listing, font, labels)
    title = _("Voter list")
    with atomic_output(Path(out)) as tmp:
        canvas = new_canvas(
            tmp, font_name=font.name, title=f"{listing.community} {title}", subject=title
        )
        for index, items in enumerate(pages, start=1):
            _draw_page(canvas, listing, font, labels, items, index, len(pages))
            canvas.showPage()
        canvas.save()
    return len(pages)


def _rows(listing: VoterListing) -> Iterator[tuple[int, str, VoterListRow]]:
    """``(number, group, row)`` for every voter, numbered 1.. in the order given."""
    number = 0
    for group in listing.groups:
        for row in group.rows:
            number += 1
            yield number, group.group, row


def _check(listing: VoterListing, font: FontChoice, labels: _Labels) -> None:
    """Refuse, before anything is written, what cannot be printed correctly."""
    checker = GlyphChecker(font)
    checker.check(labels.fixed_text(listing), _("the labels printed on every page"))
    checker.check(listing.community, _("the community name"))
    for group in listing.groups:
        checker.check(
            group.group, _("the name of residents' group {group}").format(group=group.group)
        )
    for number, group_name, row in _rows(listing):
        if row.sex not in labels.sexes:
            raise ValueError(f"voter no. {number}: unknown sex {row.sex!r}")
        if row.registration not in labels.registrations:
            raise ValueError(f"voter no. {number}: unknown registration {row.registration!r}")
        if _FULL_ID.search(row.name):
            raise ValueError(
                f"voter no. {number} in group {group_name}: the name holds an ID number; "
                "the published voter list carries no ID numbers"
            )
        checker.check(
            row.name,
            _("the name of voter no. {number} {name} (group {group})").format(
                number=number, name=row.name, group=group_name
            ),
        )
    checker.raise_if_missing()


def _columns_to_check(listing: VoterListing, font: FontChoice, labels: _Labels) -> tuple[int, ...]:
    """The columns whose text may not fit at body size: free text, or labels too wide."""

    def width(text: str) -> float:
        return float(pdfmetrics.stringWidth(text, font.name, BODY_SIZE))

    widest = {
        0: width(str(max(listing.total, 1))),
        2: max(map(width, labels.sexes.values())),
        3: width("888"),
        4: max(map(width, labels.registrations.values())),
    }
    return tuple(
        i
        for i, column in enumerate(labels.columns)
        if i not in widest or widest[i] > column.width - 2 * PADDING
    )


def _row_height(
    font: FontChoice, columns: tuple[_Column, ...], cells: tuple[str, ...], check: tuple[int, ...]
) -> float:
    """Height of a row: one line, or more when a long text wraps; ``check``: columns to test."""
    lines = 1
    for i in check:
        text, column = cells[i], columns[i]
        inner = column.width - 2 * PADDING
        if pdfmetrics.stringWidth(text, font.name, BODY_SIZE) > inner:
            _size, wrapped = fit_text(text, font.name, BODY_SIZE, inner, MIN_SIZE)
            lines = max(lines, len(wrapped))
    return ROW_HEIGHT if lines == 1 else lines * LEADING + 2 * PADDING


def _paginate(listing: VoterListing, font: FontChoice, labels: _Labels) -> list[list[_Item]]:
    """Split the list into pages of items; a group heading never ends a page alone."""
    check = _columns_to_check(listing, font, labels)
    columns = labels.columns
    pages: list[list[_Item]] = [[]]
    y = BODY_TOP
    number = 0

    def new_page() -> None:
        nonlocal y
        pages.append([])
        y = BODY_TOP

    for group in listing.groups:
        first_height = 0.0
        if group.rows:
            first_cells = labels.cells(number + 1, group.rows[0])
            first_height = _row_height(font, columns, first_cells, check)
        if y - BAND_HEIGHT - first_height < BODY_BOTTOM and pages[-1]:
            new_page()
        pages[-1].append(_Band(group.group, len(group.rows), continued=False))
        y -= BAND_HEIGHT
        for row in group.rows:
            number += 1
            cells = labels.cells(number, row)
            height = _row_height(font, columns, cells, check)
            if y - height < BODY_BOTTOM:
                new_page()
                pages[-1].append(_Band(group.group, len(group.rows), continued=True))
                y -= BAND_HEIGHT
            pages[-1].append(_Row(number, cells, height))
            y -= height
    if y - TOTAL_HEIGHT < BODY_BOTTOM:
        new_page()
    pages[-1].append(_Total(number))
    return pages


def _draw_page(
    canvas: Canvas,
    listing: VoterListing,
    font: FontChoice,
    labels: _Labels,
    items: list[_Item],
    page: int,
    pages: int,
) -> None:
    """Draw one page: header, column header, the items, the grid, the footer."""
    _draw_header(canvas, listing, font.name, labels)
    rules, runs = _draw_items(canvas, font.name, labels, items)
    _draw_grid(canvas, labels.columns, rules, runs)
    draw_footer(canvas, font.name, FOOTER_SIZE, FOOTER_BASELINE, page, pages, listing.printed_on)


def _draw_header(canvas: Canvas, listing: VoterListing, name: str, labels: _Labels) -> None:
    draw_title(canvas, name, _("Voter list"), TITLE_SIZE, TITLE_BASELINE)
    community = _("Community: {community}").format(community=listing.community)
    as_of = _("Ages as of {date}").format(date=format_date(listing.as_of))
    as_of_width = pdfmetrics.stringWidth(as_of, name, SUBTITLE_SIZE)
    size = shrink_to_fit(community, name, SUBTITLE_SIZE, CONTENT_WIDTH - as_of_width - 12, 8)
    canvas.setFillGray(0)
    canvas.setFont(name, size)
    canvas.drawString(MARGIN, SUBTITLE_BASELINE, community)
    canvas.setFont(name, SUBTITLE_SIZE)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, SUBTITLE_BASELINE, as_of)

    canvas.setFillGray(HEAD_FILL)
    canvas.rect(MARGIN, BODY_TOP, CONTENT_WIDTH, HEAD_HEIGHT, stroke=0, fill=1)
    canvas.setFillGray(0)
    text = canvas.beginText()
    x = MARGIN
    for column in labels.columns:
        size, lines = fit_text(column.label, name, HEAD_SIZE, column.width - 2 * PADDING, 6)
        _cell_text(text, name, size, lines, x, column.width, "center", TABLE_TOP, HEAD_HEIGHT)
        x += column.width
    canvas.drawText(text)


def _draw_items(
    canvas: Canvas, name: str, labels: _Labels, items: list[_Item]
) -> tuple[list[float], list[tuple[float, float]]]:
    """Draw bands, rows and the total from ``BODY_TOP`` down.

    Returns the y of every horizontal rule and the ``(top, bottom)`` spans of rows (with the
    column header) that need column rules.
    """
    left, right = MARGIN, PAGE_WIDTH - MARGIN
    rules: list[float] = [TABLE_TOP, BODY_TOP]
    runs: list[tuple[float, float]] = []
    run_top = TABLE_TOP
    y = BODY_TOP
    text = canvas.beginText()
    text_size = 0.0  # the size the text object is set to; setFont only when it changes
    for item in items:
        if isinstance(item, _Row):
            x = left
            baseline = y - item.height / 2 - 0.36 * BODY_SIZE
            for cell, column in zip(item.cells, labels.columns, strict=True):
                inner = column.width - 2 * PADDING
                width = pdfmetrics.stringWidth(cell, name, BODY_SIZE)
                if width <= inner:  # the common case: one line at body size
                    if text_size != BODY_SIZE:
                        text_size = BODY_SIZE
                        text.setFont(name, text_size)
                    text.setTextOrigin(
                        text_x(column.align, x, column.width, width, PADDING), baseline
                    )
                    text.textOut(cell)
                else:
                    text_size, lines = fit_text(cell, name, BODY_SIZE, inner, MIN_SIZE)
                    _cell_text(
                        text, name, text_size, lines, x, column.width, column.align, y, item.height
                    )
                x += column.width
            y -= item.height
            rules.append(y)
            continue
        if run_top != y:
            runs.append((run_top, y))
        if isinstance(item, _Band):
            canvas.setFillGray(BAND_FILL)
            canvas.rect(left, y - BAND_HEIGHT, CONTENT_WIDTH, BAND_HEIGHT, stroke=0, fill=1)
            canvas.setFillGray(0)
            if item.continued:
                heading = _("Residents' group: {group} (cont.)").format(group=item.group)
            else:
                heading = _("Residents' group: {group}").format(group=item.group)
            count = _("Voters: {count}").format(count=item.count)
            count_width = pdfmetrics.stringWidth(count, name, BAND_SIZE)
            room = CONTENT_WIDTH - count_width - 8 * PADDING
            baseline = y - BAND_HEIGHT / 2 - 0.36 * BAND_SIZE
            text_size = shrink_to_fit(heading, name, BAND_SIZE, room, MIN_SIZE)
            text.setFont(name, text_size)
            text.setTextOrigin(left + 2 * PADDING, baseline)
            text.textOut(heading)
            text_size = BAND_SIZE
            text.setFont(name, text_size)
            text.setTextOrigin(right - 2 * PADDING - count_width, baseline)
            text.textOut(count)
            y -= BAND_HEIGHT
            rules.append(y)
        else:
            total = _("Total voters: {count}").format(count=item.count)
            text_size = SUBTITLE_SIZE
            text.setFont(name, text_size)
            width = pdfmetrics.stringWidth(total, name, text_size)
            text.setTextOrigin(right - width, y - TOTAL_HEIGHT + 8)
            text.textOut(total)
        run_top = y
    if run_top != y:
        runs.append((run_top, y))
    canvas.drawText(text)
    return rules, runs


def _draw_grid(
    canvas: Canvas,
    columns: tuple[_Column, ...],
    rules: list[float],
    runs: list[tuple[float, float]],
) -> None:
    """Thin grey rules between rows and columns; a darker frame round the table."""
    left, right = MARGIN, PAGE_WIDTH - MARGIN
    canvas.saveState()
    canvas.setStrokeGray(GRID_GREY)
    canvas.setLineWidth(0.4)
    path = canvas.beginPath()
    for rule in rules:
        path.moveTo(left, rule)
        path.lineTo(right, rule)
    x = left
    for column in columns[:-1]:
        x += column.width
        for top, bottom in runs:
            path.moveTo(x, top)
            path.lineTo(x, bottom)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.setStrokeGray(0.2)
    canvas.setLineWidth(0.8)
    bottom = rules[-1]
    canvas.rect(left, bottom, CONTENT_WIDTH, TABLE_TOP - bottom, stroke=1, fill=0)
    canvas.restoreState()


def _cell_text(
    text: PDFTextObject,
    font_name: str,
    size: float,
    lines: list[str],
    left: float,
    width: float,
    align: Align,
    top: float,
    height: float,
) -> None:
    """Add ``lines`` to the text object, centred vertically in the cell below ``top``."""
    leading = size * 1.25 if len(lines) > 1 else size
    centre = top - height / 2
    first = centre + (len(lines) - 1) * leading / 2 - 0.36 * size
    text.setFont(font_name, size)
    for i, line in enumerate(lines):
        line_width = pdfmetrics.stringWidth(line, font_name, size)
        text.setTextOrigin(text_x(align, left, width, line_width, PADDING), first - i * leading)
        text.textOut(line)
