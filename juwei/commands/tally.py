"""``juwei count tally``: record a counting table's tally sheet (计票统计表)."""

from pathlib import Path

import typer

from juwei.commands._common import FORCE_OPTION, confirm, console, err_console, state
from juwei.commands.election import ELECTION_OPTION, ON_OPTION, day_or_today, opened
from juwei.elections.count import _names
from juwei.elections.readmodels import BallotPaper
from juwei.elections.tally import TallyInput
from juwei.i18n import _


def tally(
    ctx: typer.Context,
    file: Path = typer.Argument(
        None,
        help="The table's tally sheet: CSV or XLSX (office,item,count). Without it, the sheet "
        "is typed at prompts.",
    ),
    table: str = typer.Option(..., "--table", help="The counting table (计票组), e.g. 第一组."),
    counters: str = typer.Option(
        ..., "--counters", help="Who counted and signed the sheet: names separated by 、"
    ),
    election: int = ELECTION_OPTION,
    on: str = ON_OPTION,
) -> None:
    """Record one counting table's tally sheet when the committee counts by hand (正 marks).

    The sheet gives the ballots counted at the table, blank and invalid ballots, and per
    office each candidate's votes (by ballot number or name), names written in (另选:NAME)
    and invalid sections. It is checked before anything is stored. The count is the sum of
    the tables; an election counted this way takes no ballots entered one by one.
    juwei count tally-sheets --out FILE.xlsx writes the sheet ready to fill in.
    """
    from juwei.elections.poll import read_ballot_paper
    from juwei.elections.tally import read_tally_sheet, record_tally

    st = state(ctx)
    with opened(ctx) as db:
        if file is not None:
            sheet = read_tally_sheet(file, table=table, counters=_names(counters))
        else:
            paper = read_ballot_paper(db, election_id=election, community=st.community)
            sheet = _typed_sheet(paper, table, _names(counters))
            asked = _("Record the tally sheet of table {table}?").format(table=table)
            if not confirm(asked, default=True):
                console.print(_("Not recorded."))
                return
        summary = record_tally(
            db,
            sheet,
            on=day_or_today(on),
            election_id=election,
            community=st.community,
            operator=st.who(),
        )
    console.print(
        _(
            "Recorded the tally sheet of table {table}: {ballots} ballots. {tables} table(s) so "
            "far, {all} ballots in all."
        ).format(
            table=summary.table,
            ballots=summary.ballots,
            tables=summary.tables,
            all=summary.ballots_all_tables,
        ),
        markup=False,
    )


def _count(label: str) -> int:
    """A whole number typed at a prompt (asked again until it is one)."""
    while True:
        typed = str(typer.prompt(label)).strip()
        if typed.isascii() and typed.isdigit():
            return int(typed)
        err_console.print(
            _("“{value}” is not a whole number of ballots or votes").format(value=typed),
            markup=False,
        )


def _typed_sheet(paper: BallotPaper, table: str, counters: tuple[str, ...]) -> TallyInput:
    """The table's sheet typed at prompts, office by office as printed (checked on saving
    exactly as a file is: ``record_tally``)."""
    from juwei.elections.tally import add_item

    sheet = TallyInput(table, counters)
    add_item(sheet, "", "ballots", _count(_("Ballots counted at this table")))
    add_item(sheet, "", "blank", _count(_("  of which blank ballots")))
    add_item(sheet, "", "invalid", _count(_("  of which invalid ballots")))
    for office in paper.offices:
        console.print(office.title, style="bold", markup=False)
        for cand in office.candidates:
            add_item(sheet, office.title, str(cand.number), _count(f"  {cand.number}. {cand.name}"))
        while office.write_ins:
            typed = typer.prompt(
                _("  a name written in (Enter: none, or no more)"), default="", show_default=False
            ).strip()
            if not typed:
                break
            add_item(
                sheet,
                office.title,
                f"另选:{typed}",
                _count(_("    votes for {name}").format(name=typed)),
            )
        add_item(sheet, office.title, "invalid_sections", _count(_("  invalid sections")))
    return sheet


def tally_sheets(
    ctx: typer.Context,
    out: Path = typer.Option(
        ...,
        "--out",
        help="The file to write: PDF to print, or .xlsx / .csv to fill in on a computer.",
    ),
    font: str = typer.Option(None, "--font", envvar="JUWEI_FONT", help="PATH[#index]."),
    election: int = ELECTION_OPTION,
    force: bool = FORCE_OPTION,
) -> None:
    """Blank tally sheets (计票统计表) for the counting tables: printed (PDF, one page per
    office, the candidates numbered as on the ballot, room for 正 marks, totals and
    signatures), or as a spreadsheet to fill in (--out FILE.xlsx or .csv) that juwei count
    tally reads back."""
    from juwei.elections.poll import read_ballot_paper

    st = state(ctx)
    st.check_output(out, force=force)
    with opened(ctx) as db:
        paper = read_ballot_paper(db, election_id=election, community=st.community)
    if out.suffix.lower() in (".xlsx", ".csv"):
        from juwei.elections.exports import export_tally_form

        rows = export_tally_form(paper, out)
        console.print(
            _("Wrote the tally sheet to fill in ({n} rows) to {out}.").format(n=rows, out=out),
            markup=False,
        )
        return
    from juwei.ballots.fonts import resolve_font
    from juwei.ballots.tally_sheet import render_tally_sheets

    chosen = resolve_font(font)
    pages = render_tally_sheets(paper, out, chosen)
    console.print(_("Wrote {n} blank tally sheet(s) to {out}.").format(n=pages, out=out))
