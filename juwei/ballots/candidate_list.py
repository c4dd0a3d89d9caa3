"""The formal candidate list (正式候选人名单公告) as an A4 portrait PDF.

Posted by the election committee before the election (the charter says how many days):
the election and its day; per office its seats and candidates in ballot order with their
sex, age and residents' group; how the order was decided (by surname strokes, 按姓氏笔画排序,
or by votes in a primary); a note on candidates whose order was decided by drawing lots; the
committee, the date and a signature line. Labels follow :mod:`juwei.i18n`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table
from reportlab.platypus.flowables import HRFlowable

from juwei.ballots._layout import (
    CONTENT_WIDTH,
    MARGIN,
    PAGE_WIDTH,
    BoldHeading,
    build_document,
    committee_block,
    format_date,
    grid_table_style,
    page_label,
    para,
    text_style,
)
from juwei.ballots.fonts import FontChoice, GlyphChecker
from juwei.elections.readmodels import BallotPaper, OfficeOnBallot
from juwei.i18n import _

Order = Literal["strokes", "votes"]

TITLE_SIZE = 20.0
BODY_SIZE = 11.0
TABLE_SIZE = 10.5
FOOTER_SIZE = 9.0

#: Column widths (pt): 序号 · 姓名 · 性别 · 年龄 · 居民小组 · 备注.
WIDTHS = (14 * mm, 44 * mm, 15 * mm, 15 * mm, 50 * mm, CONTENT_WIDTH - 138 * mm)


def render_candidate_list(
    paper: BallotPaper,
    out: Path,
    font: FontChoice,
    published_on: date,
    *,
    order: Order = "strokes",
) -> int:
    """Write the formal candidate list of ``paper``'s election to ``out``; the page count.

    Candidates are printed per office in ballot order (the engine has ordered them: by
    surname strokes, or by ``order="votes"`` in a primary, as the charter says); a candidate
    whose ``tie_flag`` is set is marked, with a note that the committee drew lots.
    ``published_on`` is the date under the committee's signature.

    Every text is checked against ``font`` first; nothing is written if a character is
    missing (:class:`juwei.ballots.fonts.MissingGlyphError`). ``ValueError`` for an unknown
    sex code or order. The file is written atomically; the same input gives the same bytes.
    """
    if order not in ("strokes", "votes"):
        raise ValueError(f"unknown order {order!r}: 'strokes' or 'votes'")
    sexes = {"M": _("male"), "F": _("female")}
    texts = _Texts(paper, published_on, order)
    _check(paper, font, texts, sexes)
    title = texts.title

    def story() -> list[Flowable]:
        return _story(paper, font.name, texts, sexes)

    def on_page(canvas: Any, page: int, pages: int) -> None:
        canvas.setFont(font.name, FOOTER_SIZE)
        canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN - 2, page_label(page, pages))

    return build_document(
        Path(out),
        font_name=font.name,
        title=f"{paper.election_title} {title}",
        subject=title,
        story=story,
        on_page=on_page,
    )


class _Texts:
    """Every fixed text of the list, in the language selected now."""

    def __init__(self, paper: BallotPaper, published_on: date, order: Order) -> None:
        self.title = _("Formal candidate list")
        self.intro = _(
            "The election committee has confirmed the formal candidates of the {election}, "
            "to be held on {date}, and announces them as follows."
        ).format(election=paper.election_title, date=format_date(paper.election_day))
        if order == "strokes":
            self.order = _("The candidates of each office are listed by surname strokes.")
            self.lots = _(
                "Note: candidates marked “order drawn by lot” have surnames of the same "
                "strokes; the election committee decided their order by drawing lots."
            )
        else:
            self.order = _(
                "The candidates of each office are listed by their votes in the primary."
            )
            self.lots = _(
                "Note: candidates marked “order drawn by lot” had the same votes in the "
                "primary; the election committee decided their order by drawing lots."
            )
        self.columns = (
            _("No."),
            _("Name"),
            _("Sex"),
            _("Age"),
            _("Residents' group"),
            _("Note"),
        )
        self.drawn = _("order drawn by lot")
        self.none = _("(no candidates)")
        self.committee = _("{community} residents' election committee").format(
            community=paper.community
        )
        self.seal = _("(seal)")
        self.signature = _("Signature of the chair: ______________")
        self.date = format_date(published_on)

    def office(self, office: OfficeOnBallot) -> str:
        return _("{title} ({seats} to be elected, {count} candidates)").format(
            title=office.title, seats=office.seats, count=len(office.candidates)
        )

    def fixed(self) -> str:
        return "".join(
            [
                self.title,
                self.intro,
                self.order,
                self.lots,
                *self.columns,
                self.drawn,
                self.none,
                self.committee,
                self.seal,
                self.signature,
                self.date,
                page_label(1234567890, 1234567890),
            ]
        )


def _check(paper: BallotPaper, font: FontChoice, texts: _Texts, sexes: dict[str, str]) -> None:
    checker = GlyphChecker(font)
    checker.check(texts.fixed() + "".join(sexes.values()), _("the labels of the candidate list"))
    checker.check(paper.community, _("the community name"))
    checker.check(paper.election_title, _("the title of the election"))
    for office in paper.offices:
        checker.check(
            texts.office(office), _("the title of the office {office}").format(office=office.title)
        )
        for candidate in office.candidates:
            if candidate.sex not in sexes:
                raise ValueError(
                    f"candidate no. {candidate.number} for {office.title}: "
                    f"unknown sex {candidate.sex!r}"
                )
            checker.check(
                candidate.name,
                _("the name of candidate no. {number} {name} for {office}").format(
                    number=candidate.number, name=candidate.name, office=office.title
                ),
            )
            checker.check(
                candidate.group,
                _("the name of residents' group {group}").format(group=candidate.group),
            )
    checker.raise_if_missing()


def _story(paper: BallotPaper, font: str, texts: _Texts, sexes: dict[str, str]) -> list[Flowable]:
    body = text_style(font, BODY_SIZE, first_line_indent=2 * BODY_SIZE)
    centred = text_style(font, 12.5, alignment=TA_CENTER)
    cell = text_style(font, TABLE_SIZE, leading=TABLE_SIZE * 1.3)
    centred_cell = text_style(font, TABLE_SIZE, leading=TABLE_SIZE * 1.3, alignment=TA_CENTER)
    story: list[Flowable] = [
        BoldHeading(texts.title, font, TITLE_SIZE, space_after=4),
        para(paper.election_title, centred),
        Spacer(1, 4),
        HRFlowable(width="100%", thickness=1.2, color="black", spaceBefore=2, spaceAfter=10),
        para(texts.intro, body),
        para(texts.order, body),
        Spacer(1, 6),
    ]
    any_drawn = False
    for office in paper.offices:
        rows: list[list[Any]] = [[para(c, centred_cell) for c in texts.columns]]
        for candidate in office.candidates:
            any_drawn = any_drawn or candidate.tie_flag
            rows.append(
                [
                    str(candidate.number),
                    para(candidate.name, cell),
                    sexes[candidate.sex],
                    str(candidate.age),
                    para(candidate.group, cell),
                    para(texts.drawn, cell) if candidate.tie_flag else "",
                ]
            )
        extra: list[tuple[Any, ...]] = [
            ("ALIGN", (0, 1), (0, -1), "CENTER"),
            ("ALIGN", (2, 1), (3, -1), "CENTER"),
        ]
        if not office.candidates:
            rows.append([para(texts.none, centred_cell), "", "", "", "", ""])
            extra.append(("SPAN", (0, 1), (-1, 1)))
        table = Table(rows, colWidths=WIDTHS, repeatRows=1)
        table.setStyle(grid_table_style(font, TABLE_SIZE, extra=extra))
        heading = BoldHeading(texts.office(office), font, 13, align="left", space_after=3)
        story += [KeepTogether([Spacer(1, 8), heading, table])]
    if any_drawn:
        note = text_style(font, 9.5)
        story += [Spacer(1, 6), para(texts.lots, note)]
    signature = text_style(font, BODY_SIZE)
    story += [
        Spacer(1, 24),
        KeepTogether(
            [
                committee_block(font, [texts.committee, texts.seal, texts.date], CONTENT_WIDTH),
                Spacer(1, 10),
                para(texts.signature, signature),
            ]
        ),
    ]
    return story
