"""Printed results: the result sheet (计票结果报告单), the announcement (当选公告) and the
certificates of election (当选证书).

The result sheet is the official record of the count, signed on paper by the chair
(主持人), the scrutineers (监票人), the counters (计票人) and the callers (唱票人): the
ballots (registered voters, printed, issued, returned, valid, invalid), whether the election
is valid and why, and per office the votes of everyone who received any, who is elected and
the decision with its rule and source. It carries the SHA-256 digest of the canonical result
as text and as a QR code, so that an auditor can recompute it and
compare it with the paper.

The announcement lists the elected per office; the certificates are one landscape page per
elected person. Both are refused for a void election, which elects nobody.

A recall vote (罢免表决) elects nobody: its result sheet (罢免表决计票结果报告单) gives, for
the member named, the votes 赞成罢免 / 不赞成罢免 / 弃权, the thresholds of
``[recall.passage]`` applied and the decision (罢免通过 / 罢免未通过); its announcement is the
recall result announcement (罢免结果公告).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from juwei.ballots._layout import (
    CONTENT_WIDTH,
    MARGIN,
    PAGE_WIDTH,
    BoldHeading,
    atomic_output,
    build_document,
    committee_block,
    draw_bold,
    format_date,
    grid_table_style,
    new_canvas,
    page_label,
    para,
    text_style,
    wrap_text,
)
from juwei.ballots.fonts import FontChoice, GlyphChecker
from juwei.elections.readmodels import (
    CandidateResult,
    OfficeResult,
    RecallResult,
    ResultSheet,
)
from juwei.errors import StateError
from juwei.i18n import _

TITLE_SIZE = 20.0
BODY_SIZE = 10.5
TABLE_SIZE = 10.0
FOOTER_SIZE = 8.5
QR_SIZE = 34 * mm
ELECTED_FILL = colors.Color(0.9, 0.9, 0.9)


# --------------------------------------------------------------------------- result sheet


def render_result_sheet(sheet: ResultSheet, out: Path, font: FontChoice) -> int:
    """Write the result sheet (计票结果报告单) of ``sheet`` to ``out`` (A4); the page count.

    Every text is checked against ``font`` first; nothing is written if a character is
    missing (:class:`juwei.ballots.fonts.MissingGlyphError`). Written atomically; the same
    input gives the same bytes. A recall vote (``sheet.kind == "recall"``) gets the recall
    result sheet (罢免表决计票结果报告单, :func:`render_recall_sheet`).
    """
    if sheet.kind == "recall":
        return render_recall_sheet(sheet, out, font)
    texts = _SheetTexts(sheet)
    checker = _checker(font, sheet, texts.fixed(), _("the labels of the result sheet"))
    for office in sheet.offices:
        what = _("the count of the office {office}").format(office=office.title)
        checker.check(texts.office(office) + texts.sections(office) + office.decision, what)
        for result in office.results:
            checker.check(result.note, what)
    checker.check(sheet.validity_reason, _("the reason for the validity of the election"))
    checker.raise_if_missing()

    def on_page(canvas: Canvas, page: int, pages: int) -> None:
        canvas.setFont(font.name, FOOTER_SIZE)
        canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN - 2, page_label(page, pages))
        canvas.drawString(MARGIN, MARGIN - 2, texts.footer)
        _draw_head(canvas, font.name, sheet, CONTENT_WIDTH, MARGIN - 12)

    return build_document(
        Path(out),
        font_name=font.name,
        title=f"{sheet.election_title} {texts.title}",
        subject=texts.title,
        story=lambda: _sheet_story(sheet, font.name, texts),
        on_page=on_page,
    )


class _SheetTexts:
    """The fixed texts of the result sheet in the language selected now."""

    def __init__(self, sheet: ResultSheet) -> None:
        self.title = _("Result sheet")
        self.place = "　".join(
            [
                _("Community: {community}").format(community=sheet.community),
                _("Election day: {date}").format(date=format_date(sheet.election_day)),
            ]
        )
        self.ballots_heading = _("1. Ballots")
        base = sheet.registered_voters if sheet.electorate is None else sheet.electorate
        base_label = {
            "households": _("Households"),
            "representatives": _("Residents' representatives"),
        }.get(sheet.electorate_kind, _("Registered voters"))
        self.counts = (
            (base_label, base),
            (_("Ballots printed"), sheet.ballots_printed),
            (_("Ballots issued"), sheet.ballots_issued),
            (_("Ballots returned"), sheet.ballots_returned),
            (_("Valid ballots"), sheet.ballots_valid),
            (_("Invalid ballots"), sheet.ballots_invalid),
        )
        self.turnout = ""
        if base > 0 and sheet.electorate_kind == "households":
            self.turnout = _("Turnout: {returned} of {base} households ({percent}%).").format(
                returned=sheet.ballots_returned,
                base=base,
                percent=_percent(sheet.ballots_returned, base),
            )
        elif base > 0 and sheet.electorate_kind == "representatives":
            self.turnout = _(
                "Turnout: {returned} of {base} residents' representatives ({percent}%)."
            ).format(
                returned=sheet.ballots_returned,
                base=base,
                percent=_percent(sheet.ballots_returned, base),
            )
        elif base > 0:
            self.turnout = _(
                "Turnout: {returned} of {registered} registered voters ({percent}%)."
            ).format(
                returned=sheet.ballots_returned,
                registered=base,
                percent=_percent(sheet.ballots_returned, base),
            )
        if sheet.counting:  # how the ballots were counted (issue 14 §4)
            self.turnout = f"{self.turnout} {sheet.counting}".strip()
        if sheet.kind != "recall":  # blank ballots (空白票): valid, with no name marked
            blank = _("Blank ballots (valid, no name marked): {n}.").format(n=sheet.ballots_blank)
            self.turnout = f"{self.turnout} {blank}".strip()
        self.validity_heading = _("2. Validity of the election")
        self.validity = _("The election is valid.") if sheet.valid else _("The election is void.")
        self.offices_heading = _("3. Votes by office")
        self.columns = (
            _("Rank"),
            _("Name"),
            _("Votes"),
            _("Kind"),
            _("Result"),
            _("Note"),
        )
        self.candidate = _("candidate")
        self.write_in = _("write-in")
        self.elected = _("Elected")
        self.nobody = _("(no votes)")
        self.decision = _("Decision: {decision}")
        self.signatures_heading = _("4. Signatures")
        self.roles = (_("Chair"), _("Scrutineers"), _("Counters"), _("Callers"))
        self.signed_on = _("Date: ____________")
        self.digest_heading = _("Digest of the result (SHA-256)")
        self.digest_note = _(
            "The SHA-256 of the count result as juwei stored it (every tally, decision and "
            "rule); a re-count of the stored ballots under the same charter gives the same digest."
        )
        self.footer = _("Digest: {digest}").format(digest=sheet.digest[:16] + "…")

    def office(self, office: OfficeResult) -> str:
        return _("{title} ({seats} to be elected)").format(title=office.title, seats=office.seats)

    def sections(self, office: OfficeResult) -> str:
        text = _("Valid sections: {valid}; invalid sections: {invalid}.").format(
            valid=office.valid_sections, invalid=office.invalid_sections
        )
        if office.threshold_words:
            text += " " + _("Needed to be elected: {threshold}.").format(
                threshold=office.threshold_words
            )
        return text

    def fixed(self) -> str:
        return "".join(
            [
                self.title,
                self.place,
                self.ballots_heading,
                *(label for label, _count in self.counts),
                self.turnout,
                self.validity_heading,
                _("The election is valid."),
                _("The election is void."),
                self.offices_heading,
                *self.columns,
                self.candidate,
                self.write_in,
                self.elected,
                self.nobody,
                self.decision,
                self.signatures_heading,
                *self.roles,
                self.signed_on,
                self.digest_heading,
                self.digest_note,
                self.footer,
                page_label(1234567890, 1234567890),
            ]
        )


def _percent(part: int, whole: int) -> str:
    """``part / whole`` as a percentage with two decimals, rounded half up (exact)."""
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{value}"


def _ranked(results: tuple[CandidateResult, ...]) -> Iterator[tuple[int, CandidateResult]]:
    """Results by votes, most first (equal votes keep the engine's order), with their rank
    (1, 2, 2, 4: equal votes share a rank)."""
    ordered = sorted(results, key=lambda r: -r.votes)
    rank = 0
    previous: int | None = None
    for position, result in enumerate(ordered, start=1):
        if result.votes != previous:
            rank, previous = position, result.votes
        yield rank, result


def _sheet_story(sheet: ResultSheet, font: str, texts: _SheetTexts) -> list[Flowable]:
    body = text_style(font, BODY_SIZE)
    centred = text_style(font, 12.5, alignment=TA_CENTER)
    place = text_style(font, BODY_SIZE, alignment=TA_CENTER)
    cell = text_style(font, TABLE_SIZE, leading=TABLE_SIZE * 1.3)
    centred_cell = text_style(font, TABLE_SIZE, leading=TABLE_SIZE * 1.3, alignment=TA_CENTER)

    def heading(text: str) -> BoldHeading:
        return BoldHeading(text, font, 12.5, align="left", space_after=4)

    story: list[Flowable] = [
        BoldHeading(texts.title, font, TITLE_SIZE, space_after=4),
        para(sheet.election_title, centred),
        para(texts.place, place),
        HRFlowable(width="100%", thickness=1.2, color="black", spaceBefore=4, spaceAfter=8),
        heading(texts.ballots_heading),
    ]
    counts = Table(
        [
            [para(label, centred_cell) for label, _count in texts.counts],
            [str(count) for _label, count in texts.counts],
        ],
        colWidths=[CONTENT_WIDTH / len(texts.counts)] * len(texts.counts),
    )
    counts.setStyle(grid_table_style(font, 11, extra=[("ALIGN", (0, 1), (-1, 1), "CENTER")]))
    story += [counts]
    if texts.turnout:
        story += [Spacer(1, 3), para(texts.turnout, body)]
    verdict = BoldHeading(texts.validity, font, 12, align="left", space_after=2)
    story += [
        Spacer(1, 10),
        heading(texts.validity_heading),
        verdict,
        para(sheet.validity_reason, body),
        Spacer(1, 10),
        heading(texts.offices_heading),
    ]
    widths = (13 * mm, 48 * mm, 20 * mm, 22 * mm, 20 * mm, CONTENT_WIDTH - 123 * mm)
    for office in sheet.offices:
        rows: list[list[Any]] = [[para(c, centred_cell) for c in texts.columns]]
        extra: list[tuple[Any, ...]] = [
            ("ALIGN", (0, 1), (0, -1), "CENTER"),
            ("ALIGN", (2, 1), (2, -1), "RIGHT"),
            ("ALIGN", (3, 1), (4, -1), "CENTER"),
        ]
        for row, (rank, result) in enumerate(_ranked(office.results), start=1):
            rows.append(
                [
                    str(rank),
                    para(result.name, cell),
                    str(result.votes),
                    texts.candidate if result.on_ballot else texts.write_in,
                    texts.elected if result.elected else "",
                    para(result.note, cell),
                ]
            )
            if result.elected:
                extra.append(("BACKGROUND", (0, row), (-1, row), ELECTED_FILL))
        if not office.results:
            rows.append([para(texts.nobody, centred_cell), "", "", "", "", ""])
            extra.append(("SPAN", (0, 1), (-1, 1)))
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(grid_table_style(font, TABLE_SIZE, extra=extra))
        story += [
            KeepTogether(
                [
                    BoldHeading(texts.office(office), font, 11.5, align="left", space_after=2),
                    para(texts.sections(office), body),
                    Spacer(1, 3),
                    table,
                ]
            ),
            Spacer(1, 3),
            para(texts.decision.format(decision=office.decision), body),
            Spacer(1, 9),
        ]
    story += [
        KeepTogether([Spacer(1, 4), heading(texts.signatures_heading), _signatures(font, texts)]),
        Spacer(1, 14),
        KeepTogether(_digest_block(sheet.digest, font, texts)),
    ]
    return story


def _signatures(font: str, texts: _SheetTexts) -> Table:
    """Label and a long blank line to sign on, for each role; the date."""
    style = text_style(font, BODY_SIZE)
    rows = [[para(role, style), ""] for role in texts.roles] + [[para(texts.signed_on, style), ""]]
    table = Table(rows, colWidths=[30 * mm, CONTENT_WIDTH - 30 * mm], rowHeights=26)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, BODY_SIZE),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (1, 0), (1, len(texts.roles) - 1), 0.6, colors.black),
                ("SPAN", (0, -1), (-1, -1)),
            ]
        )
    )
    return table


def qr_modules(value: str) -> list[tuple[float, float, float, float]]:
    """The dark rectangles ``(x, y, width, height)`` of the QR code of ``value`` (error
    correction level M, quiet zone included), in a unit square."""
    widget = QrCodeWidget(value, barLevel="M")
    x1, y1, x2, _y2 = widget.getBounds()
    scale = 1 / (x2 - x1)
    return [
        ((r.x - x1) * scale, (r.y - y1) * scale, r.width * scale, r.height * scale)
        for r in widget.draw().contents
        if getattr(r, "fillColor", None) is not None
    ]


class QrCode(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A QR code drawn as filled rectangles (no text, so no font enters the PDF)."""

    def __init__(self, value: str, size: float) -> None:
        super().__init__()
        self.rectangles = qr_modules(value)
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        canvas, size = self.canv, self.size
        canvas.setFillColor(colors.black)
        path = canvas.beginPath()
        for x, y, width, height in self.rectangles:
            path.rect(x * size, y * size, width * size, height * size)
        canvas.drawPath(path, stroke=0, fill=1)


def _digest_block(digest: str, font: str, texts: _SheetTexts) -> list[Flowable]:
    digest_style = text_style(font, 9.5, leading=13)
    note = text_style(font, 9, leading=12.5)
    words = [
        BoldHeading(texts.digest_heading, font, 11, align="left", space_after=3),
        para(digest, digest_style),
        Spacer(1, 4),
        para(texts.digest_note, note),
    ]
    widths = [QR_SIZE + 8, CONTENT_WIDTH - QR_SIZE - 8]
    table = Table([[QrCode(digest, QR_SIZE), words]], colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9.5),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("BOX", (0, 0), (-1, -1), 0.6, colors.Color(0.4, 0.4, 0.4)),
            ]
        )
    )
    return [table]


# --------------------------------------------------------------------------- announcement


def render_announcement(
    sheet: ResultSheet, out: Path, font: FontChoice, *, announced_on: date | None = None
) -> int:
    """Write the announcement of the elected (当选公告) to ``out`` (A4); the page count.

    Per office, the elected with their votes, and the seats left empty. ``announced_on``
    (default: the election day) is printed under the committee's name.

    Raises :class:`juwei.errors.StateError` for a void election (nothing is announced,
    nothing written), :class:`juwei.ballots.fonts.MissingGlyphError` as the other renderers.
    A recall vote gets the recall result announcement (:func:`render_recall_announcement`).
    """
    if sheet.kind == "recall":
        return render_recall_announcement(sheet, out, font, announced_on=announced_on)
    if not sheet.valid:
        raise StateError(
            _("Cannot print the announcement: the election is void ({reason}).").format(
                reason=sheet.validity_reason
            )
        )
    texts = _AnnouncementTexts(sheet, announced_on or sheet.election_day)
    checker = _checker(font, sheet, texts.fixed(), _("the labels of the announcement"))
    for office in sheet.offices:
        checker.check(
            office.title + texts.unfilled(office),
            _("the title of the office {office}").format(office=office.title),
        )
    checker.raise_if_missing()

    def on_page(canvas: Canvas, page: int, pages: int) -> None:
        canvas.setFont(font.name, FOOTER_SIZE)
        canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN - 2, page_label(page, pages))
        _draw_head(canvas, font.name, sheet, CONTENT_WIDTH, MARGIN - 12)

    return build_document(
        Path(out),
        font_name=font.name,
        title=f"{sheet.election_title} {texts.title}",
        subject=texts.title,
        story=lambda: _announcement_story(sheet, font.name, texts),
        on_page=on_page,
    )


class _AnnouncementTexts:
    def __init__(self, sheet: ResultSheet, announced_on: date) -> None:
        self.title = _("Announcement of the elected")
        self.body = _(
            "{community} held the {election} on {date}. Of {registered} registered voters, "
            "{returned} took part; the election is valid. The following were elected:"
        ).format(
            community=sheet.community,
            election=sheet.election_title,
            date=format_date(sheet.election_day),
            registered=sheet.registered_voters,
            returned=sheet.ballots_returned,
        )
        self.columns = (_("Office"), _("Elected person"), _("Votes"))
        self.none = _("(nobody elected)")
        self.closing = _("Hereby announced.")
        self.committee = _("{community} residents' election committee").format(
            community=sheet.community
        )
        self.seal = _("(seal)")
        self.date = format_date(announced_on)

    @staticmethod
    def unfilled(office: OfficeResult) -> str:
        empty = office.seats - sum(1 for r in office.results if r.elected)
        if empty <= 0:
            return ""
        return _("{count} seat(s) not filled").format(count=empty)

    def fixed(self) -> str:
        return "".join(
            [
                self.title,
                self.body,
                *self.columns,
                self.none,
                self.closing,
                self.committee,
                self.seal,
                self.date,
                page_label(1234567890, 1234567890),
            ]
        )


def _announcement_story(sheet: ResultSheet, font: str, texts: _AnnouncementTexts) -> list[Flowable]:
    body = text_style(font, 12, leading=20, first_line_indent=24)
    centred = text_style(font, 12.5, alignment=TA_CENTER)
    cell = text_style(font, 12, leading=16)
    header = text_style(font, 11, alignment=TA_CENTER)
    rows: list[list[Any]] = [[para(c, header) for c in texts.columns]]
    extra: list[tuple[Any, ...]] = [
        ("ALIGN", (2, 1), (2, -1), "RIGHT"),
        ("TOPPADDING", (0, 1), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 6),
    ]
    for office in sheet.offices:
        elected = [r for r in office.results if r.elected]
        first = len(rows)
        for result in elected:
            rows.append(["", para(result.name, cell), str(result.votes)])
        unfilled = texts.unfilled(office)
        if not elected:
            rows.append(["", para(texts.none + ("，" + unfilled if unfilled else ""), cell), ""])
        elif unfilled:
            rows.append(["", para(unfilled, cell), ""])
        rows[first][0] = para(office.title, cell)
        if len(rows) - first > 1:
            extra.append(("SPAN", (0, first), (0, len(rows) - 1)))
    table = Table(rows, colWidths=[45 * mm, CONTENT_WIDTH - 80 * mm, 35 * mm], repeatRows=1)
    table.setStyle(grid_table_style(font, 12, extra=extra))
    return [
        Spacer(1, 10),
        BoldHeading(texts.title, font, 24, space_after=6),
        para(sheet.election_title, centred),
        Spacer(1, 14),
        para(texts.body, body),
        Spacer(1, 8),
        table,
        Spacer(1, 12),
        para(texts.closing, body),
        Spacer(1, 30),
        KeepTogether(
            committee_block(font, [texts.committee, texts.seal, texts.date], CONTENT_WIDTH, 12)
        ),
    ]


# --------------------------------------------------------------------------- certificates

CERT_WIDTH, CERT_HEIGHT = landscape(A4)
CERT_RED = colors.Color(0.62, 0.08, 0.08)
CERT_TEXT_LEFT = 42 * mm
CERT_TEXT_WIDTH = CERT_WIDTH - 2 * CERT_TEXT_LEFT
CERT_BODY_SIZE = 17.0
CERT_LEADING = 31.0


def render_certificates(
    sheet: ResultSheet,
    out: Path,
    font: FontChoice,
    term: tuple[date, date] | None = None,
    *,
    issued_on: date | None = None,
) -> int:
    """Write a certificate of election (当选证书) for each elected person to ``out``.

    One A4 landscape page per elected person, in the order of the offices and of the
    results: the name, the office, the election and its day, the term (``term`` = first and
    last day; blank lines to fill in by hand when None), the committee and ``issued_on``
    (default: the election day). Returns the number of pages.

    Raises :class:`juwei.errors.StateError` for a void election or when nobody was elected
    (nothing written); :class:`juwei.ballots.fonts.MissingGlyphError`; ``ValueError`` for a
    term that ends before it starts.
    """
    if not sheet.valid:
        raise StateError(
            _("Cannot print certificates: the election is void ({reason}).").format(
                reason=sheet.validity_reason
            )
        )
    elected = [(o, r) for o in sheet.offices for r in o.results if r.elected]
    if not elected:
        raise StateError(_("Cannot print certificates: nobody was elected."))
    if term is not None and term[1] < term[0]:
        raise ValueError(f"the term ends ({term[1]}) before it starts ({term[0]})")
    texts = _CertificateTexts(sheet, term, issued_on or sheet.election_day)
    checker = _checker(font, sheet, texts.fixed(), _("the labels of the certificates"))
    for office, result in elected:
        checker.check(
            texts.greeting(result) + texts.body(office),
            _("the certificate of {name} ({office})").format(name=result.name, office=office.title),
        )
    checker.raise_if_missing()

    with atomic_output(Path(out)) as tmp:
        canvas = new_canvas(tmp, font_name=font.name, title=texts.title, subject=texts.title)
        canvas.setPageSize((CERT_WIDTH, CERT_HEIGHT))
        for office, result in elected:
            _certificate(canvas, font.name, texts, office, result)
            canvas.setFillColor(colors.black)
            _draw_head_at(canvas, font.name, sheet, CERT_WIDTH - 40 * mm, CERT_WIDTH / 2, 19 * mm)
            canvas.showPage()
        canvas.save()
    return len(elected)


class _CertificateTexts:
    def __init__(self, sheet: ResultSheet, term: tuple[date, date] | None, issued: date) -> None:
        self.sheet = sheet
        self.title = _("Certificate of election")
        blank = _("____-__-__")
        start, end = (format_date(term[0]), format_date(term[1])) if term else (blank, blank)
        self.term = _("Term of office: from {start} to {end}.").format(start=start, end=end)
        self.closing = _("Hereby certified.")
        self.committee = _("{community} residents' election committee").format(
            community=sheet.community
        )
        self.seal = _("(seal)")
        self.date = format_date(issued)

    @staticmethod
    def greeting(result: CandidateResult) -> str:
        return _("{name}:").format(name=result.name)

    def body(self, office: OfficeResult) -> str:
        if self.sheet.kind == "representatives":  # a group's residents' representatives
            return _(
                "In the {election} held on {date}, you were elected {office} of {community}."
            ).format(
                election=self.sheet.election_title,
                date=format_date(self.sheet.election_day),
                office=office.title,
                community=self.sheet.community,
            )
        return _(
            "In the {election} held on {date}, you were elected {office} of the {community} "
            "residents' committee."
        ).format(
            election=self.sheet.election_title,
            date=format_date(self.sheet.election_day),
            office=office.title,
            community=self.sheet.community,
        )

    def fixed(self) -> str:
        return "".join([self.title, self.term, self.closing, self.committee, self.seal, self.date])


def _certificate(
    canvas: Canvas,
    font: str,
    texts: _CertificateTexts,
    office: OfficeResult,
    result: CandidateResult,
) -> None:
    """One certificate: a double red frame, the title, the text, the committee and date."""
    canvas.setStrokeColor(CERT_RED)
    canvas.setLineWidth(2.4)
    canvas.rect(12 * mm, 12 * mm, CERT_WIDTH - 24 * mm, CERT_HEIGHT - 24 * mm, stroke=1, fill=0)
    canvas.setLineWidth(0.8)
    canvas.rect(15 * mm, 15 * mm, CERT_WIDTH - 30 * mm, CERT_HEIGHT - 30 * mm, stroke=1, fill=0)
    canvas.setFillColor(CERT_RED)
    canvas.setStrokeColor(CERT_RED)
    spacing = 0.0 if texts.title.isascii() else 12.0
    title_y = CERT_HEIGHT - 42 * mm
    draw_bold(canvas, font, texts.title, 38, CERT_WIDTH / 2, title_y, "center", spacing)
    canvas.setFillColor(colors.black)
    canvas.setStrokeColor(colors.black)

    y = CERT_HEIGHT - 68 * mm
    greeting = texts.greeting(result)
    size = min(20.0, 20.0 * CERT_TEXT_WIDTH / max(pdfmetrics.stringWidth(greeting, font, 20), 1))
    draw_bold(canvas, font, greeting, size, CERT_TEXT_LEFT, y)
    y -= CERT_LEADING + 4
    body = texts.body(office)
    indent = 2 * CERT_BODY_SIZE
    paragraphs = [body, texts.term]
    canvas.setFont(font, CERT_BODY_SIZE)
    for text in paragraphs:
        first, *rest = _indented_lines(text, font, indent)
        canvas.drawString(CERT_TEXT_LEFT + indent, y, first)
        y -= CERT_LEADING
        for line in rest:
            canvas.drawString(CERT_TEXT_LEFT, y, line)
            y -= CERT_LEADING
    canvas.drawString(CERT_TEXT_LEFT + indent, y, texts.closing)

    right = CERT_WIDTH - CERT_TEXT_LEFT
    base = 36 * mm
    canvas.setFont(font, 15)
    for line in (texts.date, texts.seal, texts.committee):
        canvas.drawRightString(right, base, line)
        base += 24


def _indented_lines(text: str, font: str, indent: float) -> list[str]:
    """``text`` wrapped to the certificate's width, the first line ``indent`` shorter."""
    first = wrap_text(text, font, CERT_BODY_SIZE, CERT_TEXT_WIDTH - indent)[0]
    rest = text[len(first) :].lstrip()
    return [first] + (wrap_text(rest, font, CERT_BODY_SIZE, CERT_TEXT_WIDTH) if rest else [])


# --------------------------------------------------------------------------- recall vote

PASSED_FILL = colors.Color(0.9, 0.9, 0.9)


def render_recall_sheet(sheet: ResultSheet, out: Path, font: FontChoice) -> int:
    """Write the result sheet of a recall vote (罢免表决计票结果报告单) to ``out`` (A4).

    The same ballot counts, signatures and digest as an election's sheet; instead of
    "elected", for each member named: the votes 赞成罢免 / 不赞成罢免 / 弃权, the thresholds
    of ``[recall.passage]`` applied (turnout when the charter has one, approval) with count,
    base, minimum and whether each is met, and the decision (罢免通过 / 罢免未通过) with its
    rule and source. Returns the page count; written atomically, the same input gives the
    same bytes. Raises ``ValueError`` for a sheet that is not a recall vote's,
    :class:`juwei.ballots.fonts.MissingGlyphError` when ``font`` lacks a character.
    """
    if sheet.kind != "recall":
        raise ValueError(f"not a recall vote: {sheet.kind}")
    texts = _RecallSheetTexts(sheet)
    checker = _checker(font, sheet, texts.fixed(), _("the labels of the result sheet"))
    for recall in sheet.recalls:
        what = _("the recall of {name} ({office})").format(name=recall.name, office=recall.office)
        checker.check(texts.member(recall) + texts.recall_sections(recall) + recall.decision, what)
        checker.check("".join(row[0] for row in texts.threshold_rows(recall)), what)
        checker.check(texts.verdict(recall) + texts.ends(recall), what)
    checker.check(sheet.validity_reason, _("the reason for the validity of the election"))
    checker.raise_if_missing()

    def on_page(canvas: Canvas, page: int, pages: int) -> None:
        canvas.setFont(font.name, FOOTER_SIZE)
        canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN - 2, page_label(page, pages))
        canvas.drawString(MARGIN, MARGIN - 2, texts.footer)
        _draw_head(canvas, font.name, sheet, CONTENT_WIDTH, MARGIN - 12)

    return build_document(
        Path(out),
        font_name=font.name,
        title=f"{sheet.election_title} {texts.title}",
        subject=texts.title,
        story=lambda: _recall_sheet_story(sheet, font.name, texts),
        on_page=on_page,
    )


class _RecallSheetTexts(_SheetTexts):
    """The texts of a recall vote's result sheet: the election sheet's ballot counts,
    signatures and digest, with the recall's own words for the rest."""

    def __init__(self, sheet: ResultSheet) -> None:
        super().__init__(sheet)
        self.sheet = sheet
        self.title = _("Recall vote result sheet")
        self.place = "　".join(
            [
                _("Community: {community}").format(community=sheet.community),
                _("Vote day: {date}").format(date=format_date(sheet.election_day)),
            ]
        )
        self.validity_heading = _("2. Validity of the recall vote")
        self.validity = (
            _("The recall vote is valid.") if sheet.valid else _("The recall vote is void.")
        )
        self.recalls_heading = _("3. Votes on the recall and decision")
        self.void_note = _("The recall vote is void: it decides nothing, and the member stays.")
        self.vote_columns = (
            _("For recall"),
            _("Against recall"),
            _("Abstentions"),
            _("Valid ballots"),
        )
        self.threshold_columns = (
            _("Threshold applied"),
            _("Actual"),
            _("Base"),
            _("Least needed"),
            _("Met"),
        )
        self.no_turnout = _("The charter sets no turnout threshold for a recall vote.")
        self.yes = _("yes")
        self.no = _("no")
        self.passed = _("Recall passed")
        self.failed = _("Recall not passed")

    def member(self, recall: RecallResult) -> str:
        return _("Member named: {name} ({office})").format(name=recall.name, office=recall.office)

    def recall_sections(self, recall: RecallResult) -> str:
        return _("Valid ballots on this recall: {valid}; invalid: {invalid}.").format(
            valid=recall.valid_sections, invalid=recall.invalid_sections
        )

    def verdict(self, recall: RecallResult) -> str:
        return _("Decision: {decision}").format(
            decision=self.passed if recall.passed else self.failed
        )

    def threshold_rows(self, recall: RecallResult) -> list[tuple[str, str, str, str, str]]:
        """One row per threshold applied: words, count, base, minimum, met."""
        rows: list[tuple[str, str, str, str, str]] = []
        checks: list[tuple[str, Any]] = []
        if recall.turnout is not None:
            checks.append((_("Turnout: {words}"), recall.turnout))
        checks.append((_("For recall: {words}"), recall.approval))
        for label, check in checks:
            rows.append(
                (
                    label.format(words=check.words),
                    str(check.count),
                    str(check.base),
                    "—" if check.minimum is None else str(check.minimum),
                    self.yes if check.met else self.no,
                )
            )
        return rows

    def ends(self, recall: RecallResult) -> str:
        if not recall.passed:
            return _("{name} remains a member of the residents' committee.").format(
                name=recall.name
            )
        return _(
            "{name}'s membership of the residents' committee ends on the day of the vote, "
            "{date}, once the result is certified."
        ).format(name=recall.name, date=format_date(self.sheet.election_day))

    def fixed(self) -> str:
        return "".join(
            [
                self.title,
                self.place,
                self.ballots_heading,
                *(label for label, _count in self.counts),
                self.turnout,
                self.validity_heading,
                self.validity,
                self.recalls_heading,
                self.void_note,
                *self.vote_columns,
                *self.threshold_columns,
                self.no_turnout,
                self.yes,
                self.no,
                self.passed,
                self.failed,
                self.signatures_heading,
                *self.roles,
                self.signed_on,
                self.digest_heading,
                self.digest_note,
                self.footer,
                page_label(1234567890, 1234567890),
            ]
        )


def _recall_sheet_story(sheet: ResultSheet, font: str, texts: _RecallSheetTexts) -> list[Flowable]:
    body = text_style(font, BODY_SIZE)
    centred = text_style(font, 12.5, alignment=TA_CENTER)
    place = text_style(font, BODY_SIZE, alignment=TA_CENTER)
    cell = text_style(font, TABLE_SIZE, leading=TABLE_SIZE * 1.3)
    centred_cell = text_style(font, TABLE_SIZE, leading=TABLE_SIZE * 1.3, alignment=TA_CENTER)

    def heading(text: str) -> BoldHeading:
        return BoldHeading(text, font, 12.5, align="left", space_after=4)

    story: list[Flowable] = [
        BoldHeading(texts.title, font, TITLE_SIZE, space_after=4),
        para(sheet.election_title, centred),
        para(texts.place, place),
        HRFlowable(width="100%", thickness=1.2, color="black", spaceBefore=4, spaceAfter=8),
        heading(texts.ballots_heading),
    ]
    counts = Table(
        [
            [para(label, centred_cell) for label, _count in texts.counts],
            [str(count) for _label, count in texts.counts],
        ],
        colWidths=[CONTENT_WIDTH / len(texts.counts)] * len(texts.counts),
    )
    counts.setStyle(grid_table_style(font, 11, extra=[("ALIGN", (0, 1), (-1, 1), "CENTER")]))
    story += [counts]
    if texts.turnout:
        story += [Spacer(1, 3), para(texts.turnout, body)]
    story += [
        Spacer(1, 10),
        heading(texts.validity_heading),
        BoldHeading(texts.validity, font, 12, align="left", space_after=2),
    ]
    if not sheet.valid:
        story += [para(sheet.validity_reason, body)]
    story += [Spacer(1, 10), heading(texts.recalls_heading)]
    if not sheet.recalls:
        story += [para(texts.void_note, body), Spacer(1, 9)]
    quarter = CONTENT_WIDTH / 4
    for recall in sheet.recalls:
        votes = Table(
            [
                [para(c, centred_cell) for c in texts.vote_columns],
                [
                    str(n)
                    for n in (
                        recall.votes_for,
                        recall.votes_against,
                        recall.abstentions,
                        recall.votes_for + recall.votes_against + recall.abstentions,
                    )
                ],
            ],
            colWidths=[quarter] * 4,
        )
        votes.setStyle(grid_table_style(font, 11, extra=[("ALIGN", (0, 1), (-1, 1), "CENTER")]))
        rows: list[list[Any]] = [[para(c, centred_cell) for c in texts.threshold_columns]]
        for words, count, base, needed, met in texts.threshold_rows(recall):
            rows.append([para(words, cell), count, base, needed, met])
        widths = [CONTENT_WIDTH - 90 * mm, 20 * mm, 20 * mm, 28 * mm, 22 * mm]
        thresholds = Table(rows, colWidths=widths)
        thresholds.setStyle(
            grid_table_style(font, TABLE_SIZE, extra=[("ALIGN", (1, 1), (-1, -1), "CENTER")])
        )
        block: list[Flowable] = [
            BoldHeading(texts.member(recall), font, 11.5, align="left", space_after=2),
            para(texts.recall_sections(recall), body),
            Spacer(1, 3),
            votes,
            Spacer(1, 6),
            thresholds,
        ]
        if recall.turnout is None:
            block += [Spacer(1, 3), para(texts.no_turnout, body)]
        fill = PASSED_FILL if recall.passed else colors.white
        verdict = Table(
            [[BoldHeading(texts.verdict(recall), font, 12, align="left", space_after=0)]],
            colWidths=[CONTENT_WIDTH],
        )
        verdict.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.9, colors.black),
                    ("BACKGROUND", (0, 0), (-1, -1), fill),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        block += [
            Spacer(1, 6),
            verdict,
            Spacer(1, 3),
            para(recall.decision, body),
            para(texts.ends(recall), body),
        ]
        story += [KeepTogether(block), Spacer(1, 6)]
    story += [
        KeepTogether([Spacer(1, 4), heading(texts.signatures_heading), _signatures(font, texts)]),
        Spacer(1, 8),
        KeepTogether(_digest_block(sheet.digest, font, texts)),
    ]
    return story


def render_recall_announcement(
    sheet: ResultSheet, out: Path, font: FontChoice, *, announced_on: date | None = None
) -> int:
    """Write the recall result announcement (罢免结果公告) to ``out`` (A4); the page count.

    For each member named: the office, the votes 赞成罢免 / 不赞成罢免 / 弃权 and the
    decision (罢免通过 / 罢免未通过) with its reason, rule and source; when passed, that the
    membership ends on the day of the vote (``certify`` ends it with that date). In the style
    of the announcement of the elected; ``announced_on`` (default: the vote day) is printed
    under the committee's name.

    Raises :class:`juwei.errors.StateError` for a void vote (it decided nothing; nothing is
    written), ``ValueError`` for a sheet that is not a recall vote's,
    :class:`juwei.ballots.fonts.MissingGlyphError` as the other renderers.
    """
    if sheet.kind != "recall":
        raise ValueError(f"not a recall vote: {sheet.kind}")
    if not sheet.valid or not sheet.recalls:
        raise StateError(
            _("Cannot print the recall announcement: the vote is void ({reason}).").format(
                reason=sheet.validity_reason
            )
        )
    texts = _RecallAnnouncementTexts(sheet, announced_on or sheet.election_day)
    checker = _checker(font, sheet, texts.fixed(), _("the labels of the announcement"))
    for recall in sheet.recalls:
        checker.check(
            recall.name + recall.office + texts.outcome(recall) + recall.decision,
            _("the recall of {name} ({office})").format(name=recall.name, office=recall.office),
        )
    checker.raise_if_missing()

    def on_page(canvas: Canvas, page: int, pages: int) -> None:
        canvas.setFont(font.name, FOOTER_SIZE)
        canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN - 2, page_label(page, pages))
        _draw_head(canvas, font.name, sheet, CONTENT_WIDTH, MARGIN - 12)

    return build_document(
        Path(out),
        font_name=font.name,
        title=f"{sheet.election_title} {texts.title}",
        subject=texts.title,
        story=lambda: _recall_announcement_story(sheet, font.name, texts),
        on_page=on_page,
    )


class _RecallAnnouncementTexts:
    def __init__(self, sheet: ResultSheet, announced_on: date) -> None:
        self.sheet = sheet
        self.title = _("Announcement of the recall result")
        self.body = _(
            "{community} held the {election} on {date}. Of {registered} registered voters, "
            "{returned} took part. The result of the vote is as follows:"
        ).format(
            community=sheet.community,
            election=sheet.election_title,
            date=format_date(sheet.election_day),
            registered=sheet.registered_voters,
            returned=sheet.ballots_returned,
        )
        self.columns = (
            _("Member named"),
            _("Office"),
            _("For recall"),
            _("Against recall"),
            _("Abstentions"),
            _("Result"),
        )
        self.passed = _("Recall passed")
        self.failed = _("Recall not passed")
        self.closing = _("Hereby announced.")
        self.committee = _("{community} residents' election committee").format(
            community=sheet.community
        )
        self.seal = _("(seal)")
        self.date = format_date(announced_on)

    def outcome(self, recall: RecallResult) -> str:
        """The decision in a sentence: passed, the membership ends on the vote day."""
        if recall.passed:
            return _(
                "The recall of {name} ({office}) is passed: {name}'s membership of the "
                "{community} residents' committee ends on the day of the vote, {date}."
            ).format(
                name=recall.name,
                office=recall.office,
                community=self.sheet.community,
                date=format_date(self.sheet.election_day),
            )
        return _(
            "The recall of {name} ({office}) is not passed: {name} remains a member of the "
            "{community} residents' committee."
        ).format(name=recall.name, office=recall.office, community=self.sheet.community)

    def fixed(self) -> str:
        return "".join(
            [
                self.title,
                self.body,
                *self.columns,
                self.passed,
                self.failed,
                self.closing,
                self.committee,
                self.seal,
                self.date,
                page_label(1234567890, 1234567890),
            ]
        )


def _recall_announcement_story(
    sheet: ResultSheet, font: str, texts: _RecallAnnouncementTexts
) -> list[Flowable]:
    body = text_style(font, 12, leading=20, first_line_indent=24)
    centred = text_style(font, 12.5, alignment=TA_CENTER)
    cell = text_style(font, 12, leading=16)
    header = text_style(font, 11, alignment=TA_CENTER)
    rows: list[list[Any]] = [[para(c, header) for c in texts.columns]]
    for recall in sheet.recalls:
        rows.append(
            [
                para(recall.name, cell),
                para(recall.office, cell),
                str(recall.votes_for),
                str(recall.votes_against),
                str(recall.abstentions),
                para(texts.passed if recall.passed else texts.failed, cell),
            ]
        )
    number = 26 * mm
    widths = [CONTENT_WIDTH - 3 * number - 58 * mm, 26 * mm, number, number, number, 32 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        grid_table_style(
            font,
            12,
            extra=[
                ("ALIGN", (2, 1), (4, -1), "CENTER"),
                ("TOPPADDING", (0, 1), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 6),
            ],
        )
    )
    story: list[Flowable] = [
        Spacer(1, 10),
        BoldHeading(texts.title, font, 24, space_after=6),
        para(sheet.election_title, centred),
        Spacer(1, 14),
        para(texts.body, body),
        Spacer(1, 8),
        table,
        Spacer(1, 12),
    ]
    for recall in sheet.recalls:
        story += [para(recall.decision, body), para(texts.outcome(recall), body), Spacer(1, 6)]
    return story + [
        para(texts.closing, body),
        Spacer(1, 30),
        KeepTogether(
            committee_block(font, [texts.committee, texts.seal, texts.date], CONTENT_WIDTH, 12)
        ),
    ]


# --------------------------------------------------------------------------- shared


def _checker(font: FontChoice, sheet: ResultSheet, fixed: str, what: str) -> GlyphChecker:
    """A glyph checker that has seen the labels, the election and every name."""
    checker = GlyphChecker(font)
    checker.check(fixed + "0123456789" + head_label(sheet), what)
    checker.check(sheet.community, _("the community name"))
    checker.check(sheet.election_title, _("the title of the election"))
    for office in sheet.offices:
        what = _("the title of the office {office}").format(office=office.title)
        checker.check(office.title, what)
        for result in office.results:
            checker.check(
                result.name,
                _("the name of {name} ({office})").format(name=result.name, office=office.title),
            )
    return checker


def head_label(sheet: ResultSheet) -> str:
    """The line that prints the head of the event log as of the sheet's making
    (``SEQ:HASH``, issue 11); empty when the sheet carries none."""
    if not sheet.head:
        return ""
    return _("Audit log head when printed: {head}").format(head=sheet.head)


def _draw_head(canvas: Canvas, font: str, sheet: ResultSheet, width: float, y: float) -> None:
    """Draw :func:`head_label` centred on an A4 portrait page at ``y``, within ``width``."""
    _draw_head_at(canvas, font, sheet, width, PAGE_WIDTH / 2, y)


def _draw_head_at(
    canvas: Canvas, font: str, sheet: ResultSheet, width: float, x: float, y: float
) -> None:
    """Draw :func:`head_label` centred on ``x`` at ``y``, shrunk to ``width`` if need be."""
    label = head_label(sheet)
    if not label:
        return
    size = min(7.0, 7.0 * width / max(pdfmetrics.stringWidth(label, font, 7.0), 1.0))
    canvas.setFont(font, size)
    canvas.drawCentredString(x, y, label)
