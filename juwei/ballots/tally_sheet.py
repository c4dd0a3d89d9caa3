"""The blank tally sheet (计票统计表) a counting table fills in by hand (issue 14 §2).

One A4 landscape page per office: the election, the office and its seats, each candidate
numbered as printed with a wide cell for 正 marks and a total, rows for names written in
(另选他人), the table's accounting (ballots counted, blank, invalid ballots, invalid
sections of this office) and lines for the counters' and scrutineers' signatures. The rows
the table writes into ``juwei count tally`` follow the same order. Always Chinese (official
paper).
"""

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from juwei.ballots._layout import atomic_output
from juwei.ballots.fonts import FontChoice, GlyphChecker
from juwei.elections.readmodels import BallotPaper

WRITE_IN_ROWS = 3


def render_tally_sheets(paper: BallotPaper, out: Path, font: FontChoice) -> int:
    """Write the blank tally sheets of ``paper``'s election to ``out`` (one page per office);
    returns the number of pages. Every text is checked against ``font`` first
    (``MissingGlyphError``); the file is written atomically."""
    checker = GlyphChecker(font)
    checker.check(paper.election_title, "election title")
    for office in paper.offices:
        checker.check(office.title, "office")
        for cand in office.candidates:
            checker.check(cand.name, f"candidate {cand.number}")
    checker.raise_if_missing()
    title = ParagraphStyle("title", fontName=font.name, fontSize=18, leading=24, alignment=1)
    body = ParagraphStyle("body", fontName=font.name, fontSize=12, leading=18)
    story: list[object] = []
    for index, office in enumerate(paper.offices):
        if index:
            story.append(PageBreak())
        story.append(Paragraph(f"{paper.election_title}　计票统计表", title))
        story.append(
            Paragraph(
                f"职务：{office.title}（应选 {office.seats} 名）　　计票组：________　　"
                f"日期：____年__月__日",
                body,
            )
        )
        story.append(Spacer(1, 4 * mm))
        rows = [["序号", "姓名", "划“正”字记票", "合计"]]
        rows += [[str(c.number), c.name, "", ""] for c in office.candidates]
        if office.write_ins:
            rows += [["另选", "", "", ""] for _ in range(WRITE_IN_ROWS)]
        table = Table(
            rows,
            colWidths=[18 * mm, 40 * mm, 170 * mm, 30 * mm],
            rowHeights=[10 * mm] + [14 * mm] * (len(rows) - 1),
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), font.name, 13),
                    ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("ALIGN", (0, 0), (1, -1), "CENTER"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ]
            )
        )
        story.append(table)
        story.append(Spacer(1, 5 * mm))
        story.append(
            Paragraph(
                "本组清点选票 ______ 张，其中空白票 ______ 张，无效票 ______ 张；"
                f"本职务（{office.title}）无效部分 ______ 份。",
                body,
            )
        )
        story.append(Spacer(1, 3 * mm))
        story.append(
            Paragraph("计票人（签名）：______________　　监票人（签名）：______________", body)
        )
    with atomic_output(out) as tmp:
        document = SimpleDocTemplate(
            str(tmp),
            pagesize=landscape(A4),
            leftMargin=12 * mm,
            rightMargin=12 * mm,
            topMargin=10 * mm,
            bottomMargin=10 * mm,
            title=f"{paper.election_title} 计票统计表",
            invariant=1,
        )
        document.build(story)
    return len(paper.offices)
