"""The recall petition form (罢免联名书) as an A4 portrait PDF, signed by hand.

Top: the title, the community, the member named (name, office, term), the petition number
and its filing date, the written reasons (罢免理由), and the charter's initiation rule with the
number of signatures needed on the roll as of the filing date. Then numbered signature lines
(序号 · 姓名 · 居民小组 · 签名 · 日期): a petition passes from hand to hand, so it asks for no
ID number and no household code (issue 11); the committee finds each signer on the roll by
name and residents' group. Nothing personal is printed; the header is repeated on every
page; a page footer with the petition number and page. Labels follow :mod:`juwei.i18n`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table
from reportlab.platypus.flowables import HRFlowable

from juwei.ballots._layout import (
    CONTENT_WIDTH,
    MARGIN,
    PAGE_WIDTH,
    BoldHeading,
    build_document,
    format_date,
    grid_table_style,
    page_label,
    para,
    text_style,
)
from juwei.ballots.fonts import FontChoice, GlyphChecker
from juwei.elections.readmodels import PetitionForm
from juwei.i18n import _

TITLE_SIZE = 20.0
BODY_SIZE = 11.0
TABLE_SIZE = 10.5
FOOTER_SIZE = 9.0
ROW_HEIGHT = 9.5 * mm  # room for a handwritten signature

#: Column widths (pt): 序号 · 姓名 · 公民身份号码 · 签名 · 日期.
WIDTHS = (14 * mm, 32 * mm, 62 * mm, 34 * mm, CONTENT_WIDTH - 142 * mm)


class _Texts:
    """Every text of the form, in the language selected now."""

    def __init__(self, form: PetitionForm) -> None:
        self.title = _("Recall petition")
        self.community = _("{community} residents' committee").format(community=form.community)
        self.member = _("Member named: {member}, {office}, term {start} to {end}").format(
            member=form.member,
            office=form.office,
            start=format_date(form.term_start),
            end=format_date(form.term_end),
        )
        self.petition = _("Petition no. {id}, filed on {day}").format(
            id=form.petition_id, day=format_date(form.filed_on)
        )
        self.reasons_heading = _("Reasons for the recall")
        self.reasons = form.reasons
        self.intro = _(
            "We, registered voters of this community, jointly request the recall of the member "
            "named above for the reasons stated, and sign below in our own hand."
        )
        if form.needed is not None:
            self.rule = _(
                "Rule: {rule} ({source}). On the filing date {voters} voters are registered: "
                "at least {needed} signatures are needed."
            ).format(
                rule=form.rule,
                source=form.source,
                voters=form.registered_voters,
                needed=form.needed,
            )
        else:
            self.rule = _("Rule: {rule} ({source}).").format(rule=form.rule, source=form.source)
        self.columns = (_("No."), _("Name"), _("Residents' group"), _("Signature"), _("Date"))
        self.note = _(
            "Each signer writes the name and the residents' group legibly (no ID number: this "
            "form passes from hand to hand); the committee checks every signature against the "
            "roll. A signature may be withdrawn until the petition is decided."
        )
        self.footer = _("Recall petition no. {id}").format(id=form.petition_id)

    def all(self) -> str:
        return "".join(
            [
                self.title,
                self.community,
                self.member,
                self.petition,
                self.reasons_heading,
                self.reasons,
                self.intro,
                self.rule,
                *self.columns,
                self.note,
                self.footer,
                page_label(1234567890, 1234567890),
                "0123456789",
            ]
        )


def render_petition_form(form: PetitionForm, out: Path, font: FontChoice) -> int:
    """Write the petition form of ``form`` to ``out`` and return the page count.

    Every text is checked against ``font`` first; nothing is written if a character is
    missing (:class:`juwei.ballots.fonts.MissingGlyphError`). ``ValueError`` for fewer than
    one signature line. Written atomically; the same input gives the same bytes.
    """
    if form.lines < 1:
        raise ValueError("a petition form needs at least one signature line")
    texts = _Texts(form)
    checker = GlyphChecker(font)
    checker.check(texts.all(), _("the text of the petition form"))
    checker.raise_if_missing()

    def story() -> list[Flowable]:
        return _story(form, font.name, texts)

    def on_page(canvas: Any, page: int, pages: int) -> None:
        canvas.setFont(font.name, FOOTER_SIZE)
        canvas.drawString(MARGIN, MARGIN - 2, texts.footer)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 2, page_label(page, pages))

    return build_document(
        Path(out),
        font_name=font.name,
        title=f"{form.community} {texts.title} {form.petition_id}",
        subject=texts.title,
        story=story,
        on_page=on_page,
    )


def _story(form: PetitionForm, font: str, texts: _Texts) -> list[Flowable]:
    body = text_style(font, BODY_SIZE)
    indented = text_style(font, BODY_SIZE, first_line_indent=2 * BODY_SIZE)
    centred = text_style(font, 12.5, alignment=TA_CENTER)
    small = text_style(font, 9.5)
    head_cell = text_style(font, TABLE_SIZE, leading=TABLE_SIZE * 1.3, alignment=TA_CENTER)
    story: list[Flowable] = [
        BoldHeading(texts.title, font, TITLE_SIZE, space_after=4),
        para(texts.community, centred),
        Spacer(1, 4),
        HRFlowable(width="100%", thickness=1.2, color="black", spaceBefore=2, spaceAfter=8),
        para(texts.member, body),
        para(texts.petition, body),
        Spacer(1, 6),
        BoldHeading(texts.reasons_heading, font, 13, align="left", space_after=3),
        para(texts.reasons, indented),
        Spacer(1, 6),
        para(texts.intro, indented),
        para(texts.rule, small),
        Spacer(1, 8),
    ]
    rows: list[list[Any]] = [[para(c, head_cell) for c in texts.columns]]
    rows += [[str(n), "", "", "", ""] for n in range(1, form.lines + 1)]
    table = Table(
        rows, colWidths=WIDTHS, rowHeights=[None] + [ROW_HEIGHT] * form.lines, repeatRows=1
    )
    table.setStyle(grid_table_style(font, TABLE_SIZE, extra=[("ALIGN", (0, 1), (0, -1), "CENTER")]))
    story += [table, Spacer(1, 6), para(texts.note, small)]
    return story
