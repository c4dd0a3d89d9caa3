"""Page furniture shared by printed matter: A4 geometry, dates, fitting text, safe output.

Units are PDF points (1/72 inch) unless a name says ``_mm``. The origin of a reportlab
canvas is the bottom-left corner of the page; ``y`` grows upwards.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from juwei.files import replace_file
from juwei.i18n import _

PAGE_WIDTH, PAGE_HEIGHT = A4  # 595.27 x 841.89 pt
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN

Align = Literal["left", "center", "right"]


def format_date(day: date) -> str:
    """A date as printed on paper: ``2025年6月1日`` in Chinese, ``2025-06-01`` in English."""
    return _("{year}-{month:02d}-{day:02d}").format(year=day.year, month=day.month, day=day.day)


def page_label(page: int, pages: int) -> str:
    """``第 3 页 共 12 页`` / ``Page 3 of 12`` (1-based ``page``)."""
    return _("Page {page} of {pages}").format(page=page, pages=pages)


def printed_label(day: date) -> str:
    """``打印日期：2025年6月1日`` / ``Printed on 2025-06-01``."""
    return _("Printed on {date}").format(date=format_date(day))


def new_canvas(path: Path, *, font_name: str, title: str, subject: str) -> Canvas:
    """An A4 canvas writing to ``path`` whose bytes depend only on what is drawn.

    ``invariant=1`` fixes the creation date and document ID, so the same input gives the same
    file (audits and tests can hash it). ``font_name`` (a registered TrueType font) is the
    initial font, so no unembedded standard font (Helvetica) enters the file.
    """
    canvas = Canvas(
        str(path),
        pagesize=A4,
        invariant=1,
        pageCompression=1,
        initialFontName=font_name,
        initialFontSize=10,
    )
    canvas.setTitle(title)
    canvas.setSubject(subject)
    canvas.setAuthor("juwei")
    canvas.setCreator("juwei")
    return canvas


@contextmanager
def atomic_output(out: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``out``; rename it to ``out`` when the block succeeds.

    If the block raises, the temporary file is deleted and ``out`` is left as it was (absent
    or the previous version), so a failure never leaves a half-written file. The rename
    replaces an existing ``out`` on Windows too.
    """
    out = Path(out)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        replace_file(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def fit_text(
    text: str, font_name: str, size: float, width: float, min_size: float
) -> tuple[float, list[str]]:
    """The font size and lines in which ``text`` fits into ``width`` points.

    Shrinks from ``size`` down to ``min_size``; if the text is still too wide it is wrapped
    at ``min_size`` (between any two Han characters, at a space for Latin words where one
    is near). Returns ``(size, lines)``; one line in the common case.
    """
    full = pdfmetrics.stringWidth(text, font_name, size)
    if full <= width:
        return size, [text]
    shrunk = size * width / full
    if shrunk >= min_size:
        return shrunk, [text]
    return min_size, wrap_text(text, font_name, min_size, width)


def shrink_to_fit(text: str, font_name: str, size: float, width: float, min_size: float) -> float:
    """The largest size up to ``size`` (not below ``min_size``) at which ``text`` fits."""
    full = pdfmetrics.stringWidth(text, font_name, size)
    return size if full <= width else max(min_size, size * width / full)


def wrap_text(text: str, font_name: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (at least one character a line).

    Han text breaks between any two characters; a line ends preferably after a space, a
    middle dot (as in 阿卜杜热合曼·买买提) or a hyphen when one is in its second half.
    """
    lines: list[str] = []
    line = ""
    for char in text:
        if line and pdfmetrics.stringWidth(line + char, font_name, size) > width:
            cut = max(line.rfind(" "), line.rfind("·"), line.rfind("-")) + 1
            if cut * 2 < len(line):
                cut = len(line)
            lines.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        line += char
    lines.append(line)
    return lines


def draw_title(canvas: Canvas, font_name: str, title: str, size: float, baseline: float) -> None:
    """Draw ``title`` centred on the page, slightly emboldened; Han titles letter-spaced."""
    spacing = 0.0 if title.isascii() else size * 0.25
    width = pdfmetrics.stringWidth(title, font_name, size) + spacing * (len(title) - 1)
    canvas.saveState()
    canvas.setLineWidth(size / 40)
    text = canvas.beginText()
    text.setTextRenderMode(2)  # fill and stroke: a bold look from a regular face
    text.setFont(font_name, size)
    text.setCharSpace(spacing)
    text.setTextOrigin((PAGE_WIDTH - width) / 2, baseline)
    text.textOut(title)
    canvas.drawText(text)
    canvas.restoreState()


def draw_footer(
    canvas: Canvas,
    font_name: str,
    size: float,
    baseline: float,
    page: int,
    pages: int,
    printed_on: date,
) -> None:
    """Draw "第 N 页 共 M 页" centred and the print date at the right margin."""
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.setFont(font_name, size)
    canvas.drawCentredString(PAGE_WIDTH / 2, baseline, page_label(page, pages))
    canvas.drawRightString(PAGE_WIDTH - MARGIN, baseline, printed_label(printed_on))
    canvas.restoreState()


def text_x(align: Align, left: float, width: float, text_width: float, padding: float) -> float:
    """The x where a string of ``text_width`` starts inside the cell ``left``..``left+width``."""
    if align == "left":
        return left + padding
    if align == "right":
        return left + width - padding - text_width
    return left + (width - text_width) / 2


# --------------------------------------------------------------------------- additions for
# ballots, the candidate list, result sheets and certificates


def draw_bold(
    canvas: Canvas,
    font_name: str,
    text: str,
    size: float,
    x: float,
    baseline: float,
    align: Align = "left",
    spacing: float = 0.0,
) -> float:
    """Draw ``text`` slightly emboldened (fill and stroke) from a regular face; its width.

    ``align`` says whether ``x`` is the left end, the centre or the right end of the text;
    ``spacing`` is extra space between characters (letter-spaced Han headings).
    """
    width = pdfmetrics.stringWidth(text, font_name, size) + spacing * max(len(text) - 1, 0)
    left = x if align == "left" else x - width / 2 if align == "center" else x - width
    canvas.saveState()
    canvas.setLineWidth(size / 40)
    text_object = canvas.beginText()
    text_object.setTextRenderMode(2)
    text_object.setFont(font_name, size)
    if spacing:
        text_object.setCharSpace(spacing)
    text_object.setTextOrigin(left, baseline)
    text_object.textOut(text)
    canvas.drawText(text_object)
    canvas.restoreState()
    return float(width)


def fit_lines(
    text: str, font_name: str, size: float, width: float, min_size: float, max_lines: int
) -> tuple[float, list[str]]:
    """Like :func:`fit_text`, but refuse (``ValueError``) text that needs over ``max_lines``."""
    fitted, lines = fit_text(text, font_name, size, width, min_size)
    if len(lines) > max_lines:
        raise ValueError(
            f"{text!r} does not fit in {max_lines} line(s) of {width:.0f} pt at {min_size} pt"
        )
    return fitted, lines


def draw_dashed_rect(
    canvas: Canvas, x: float, y: float, width: float, height: float, gray: float = 0.45
) -> None:
    """A dashed rectangle (a seal area, a box to cut out); ``x, y`` is its lower-left corner."""
    canvas.saveState()
    canvas.setStrokeGray(gray)
    canvas.setLineWidth(0.6)
    canvas.setDash(3, 2)
    canvas.rect(x, y, width, height, stroke=1, fill=0)
    canvas.restoreState()


# --------------------------------------------------------------------------- flowing documents
# Short documents (the candidate list, result sheets, announcements) flow with platypus:
# tables that split over pages with their header repeated, Chinese text wrapped anywhere.


def text_style(
    font_name: str,
    size: float,
    *,
    leading: float | None = None,
    alignment: int = TA_LEFT,
    first_line_indent: float = 0.0,
    space_before: float = 0.0,
    space_after: float = 0.0,
) -> ParagraphStyle:
    """A paragraph style in the embedded font that wraps Chinese between any two characters."""
    return ParagraphStyle(
        f"juwei-{size}-{alignment}",
        fontName=font_name,
        fontSize=size,
        leading=leading if leading is not None else size * 1.45,
        alignment=alignment,
        firstLineIndent=first_line_indent,
        spaceBefore=space_before,
        spaceAfter=space_after,
        wordWrap="CJK",
    )


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain ``text`` (escaped: ``<`` or ``&`` in a name is printed as is)."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


class BoldHeading(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A heading in the frame, emboldened; a centred Han heading is letter-spaced."""

    def __init__(
        self,
        text: str,
        font_name: str,
        size: float,
        *,
        align: Align = "center",
        space_after: float = 0.0,
    ) -> None:
        super().__init__()
        self.text = text
        self.font_name = font_name
        self.size = size
        self.align = align
        self.spaceAfter = space_after

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        spaced = self.align == "center" and not self.text.isascii()
        spacing = self.size * 0.25 if spaced else 0.0
        natural = pdfmetrics.stringWidth(self.text, self.font_name, self.size)
        natural += spacing * (len(self.text) - 1)
        self._size = self.size * min(1.0, available_width / natural) if natural else self.size
        self._spacing = self._size * 0.25 if spaced else 0.0
        return available_width, self._size * 1.5

    def draw(self) -> None:
        x = {"left": 0.0, "center": self.width / 2, "right": self.width}[self.align]
        draw_bold(
            self.canv,
            self.font_name,
            self.text,
            self._size,
            x,
            self._size * 0.4,
            self.align,
            self._spacing,
        )


def build_document(
    out: Path,
    *,
    font_name: str,
    title: str,
    subject: str,
    story: Callable[[], list[Flowable]],
    on_page: Callable[[Canvas, int, int], None],
    pagesize: tuple[float, float] = A4,
    margins: tuple[float, float, float, float] = (MARGIN, MARGIN, MARGIN, MARGIN + 8),
) -> int:
    """Lay ``story()`` out on pages and write it atomically to ``out``; the page count.

    ``on_page(canvas, page, pages)`` draws the furniture of each page (footer …) and knows
    the total, because the story is laid out twice: once to count the pages, once to write.
    ``margins`` are left, right, top, bottom. Same input, same bytes (``invariant``).
    """

    def make(target: Any, pages: int, counted: list[int]) -> BaseDocTemplate:
        left, right, top, bottom = margins
        doc = BaseDocTemplate(
            target,
            pagesize=pagesize,
            leftMargin=left,
            rightMargin=right,
            topMargin=top,
            bottomMargin=bottom,
            title=title,
            subject=subject,
            author="juwei",
            creator="juwei",
            invariant=1,
            pageCompression=1,
            initialFontName=font_name,
            initialFontSize=10,
        )

        def furniture(canvas: Canvas, document: BaseDocTemplate) -> None:
            page = canvas.getPageNumber()
            counted.append(page)
            canvas.saveState()
            on_page(canvas, page, pages)
            canvas.restoreState()

        width, height = pagesize[0] - left - right, pagesize[1] - top - bottom
        frame = Frame(left, bottom, width, height, id="body")
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=furniture)])
        return doc

    counted: list[int] = []
    make(io.BytesIO(), 0, counted).build(story())
    pages = max(counted, default=1)
    with atomic_output(Path(out)) as tmp:
        make(str(tmp), pages, []).build(story())
    return pages


def grid_table_style(
    font_name: str, size: float, *, header_rows: int = 1, extra: list[tuple[Any, ...]] | None = None
) -> TableStyle:
    """Thin grey grid, a darker frame, a grey header row, text in the embedded font."""
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), font_name, size),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.Color(0.45, 0.45, 0.45)),
        ("BOX", (0, 0), (-1, -1), 0.9, colors.Color(0.15, 0.15, 0.15)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header_rows:
        commands += [
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.Color(0.88, 0.88, 0.88)),
            ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"),
        ]
    return TableStyle(commands + (extra or []))


def committee_block(font_name: str, lines: list[str], width: float, size: float = 11.0) -> Table:
    """Right-aligned closing lines: the committee, "（盖章）", the date (no grid)."""
    style = text_style(font_name, size, alignment=TA_RIGHT)
    table = Table([[para(line, style)] for line in lines], colWidths=[width], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font_name, size),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table
