"""``juwei count tally``: record a counting table's tally sheet (计票统计表)."""

from pathlib import Path

import typer

from juwei.commands._common import FORCE_OPTION, console, state
from juwei.commands.election import ELECTION_OPTION, ON_OPTION, day_or_today, opened
from juwei.elections.count import _names
from juwei.i18n import _


def tally(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The table's tally sheet: CSV (office,item,count)."),
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
    """
    from juwei.elections.tally import read_tally_csv, record_tally

    st = state(ctx)
    sheet = read_tally_csv(file, table=table, counters=_names(counters))
    with opened(ctx) as db:
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


def tally_sheets(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The PDF to write."),
    font: str = typer.Option(None, "--font", envvar="JUWEI_FONT", help="PATH[#index]."),
    election: int = ELECTION_OPTION,
    force: bool = FORCE_OPTION,
) -> None:
    """Print blank tally sheets (计票统计表) for the counting tables: one page per office,
    the candidates numbered as on the ballot, room for 正 marks, totals and signatures."""
    from juwei.ballots.fonts import resolve_font
    from juwei.ballots.tally_sheet import render_tally_sheets
    from juwei.elections.poll import read_ballot_paper

    st = state(ctx)
    st.check_output(out, force=force)
    chosen = resolve_font(font)
    with opened(ctx) as db:
        paper = read_ballot_paper(db, election_id=election, community=st.community)
    pages = render_tally_sheets(paper, out, chosen)
    console.print(_("Wrote {n} blank tally sheet(s) to {out}.").format(n=pages, out=out))
