"""``juwei count screen``: the full-screen entry form of one counting table."""

import typer

from juwei.commands._common import console, state
from juwei.commands.election import ELECTION_OPTION, opened
from juwei.i18n import _


def screen(
    ctx: typer.Context,
    election: int = ELECTION_OPTION,
    table: str = typer.Option("", "--table", help="Name of this counting table (计票组), shown."),
    counters: str = typer.Option(
        "",
        "--counters",
        help="Who counts at this table (唱票、计票、监票), names separated by 、; with --table, "
        "recorded for the result sheet.",
    ),
    start: str = typer.Option(
        "",
        "--start",
        help="The first ballot: bundle-number, e.g. 12-1 (default: the first free in bundle 1).",
    ),
    pass_no: int = typer.Option(
        1, "--pass", min=1, max=2, help="2: a second clerk's independent entry (compared)."
    ),
) -> None:
    """Enter paper ballots at the public count on a full screen (one terminal per table).

    Offices stand side by side as on the paper: type a candidate's number for 同意, - and
    the number for 不同意, Tab for the next office, * for an illegible section, / to write
    a name in, Enter to save. F3 calls an entered ballot back to correct it (with a reason,
    logged). Several terminals may enter into the same database at once.
    For scripted entry without a screen use juwei count enter or juwei count import.
    """
    from juwei.elections.count import _names
    from juwei.elections.entry import load_form, register_table
    from juwei.tui.entry import EntryApp

    st = state(ctx)
    operator = st.who()
    with opened(ctx) as db:
        form = load_form(db, election_id=election, community=st.community)
        if counters:
            register_table(
                db,
                table=table,
                counters=_names(counters),
                election_id=form.election_id,
                operator=operator,
            )
        app = EntryApp(
            db,
            form,
            operator=operator,
            table=table,
            second_pass=pass_no == 2,
            start=start,
        )
        saved = app.run()
    count = len(saved.identities) if saved is not None else len(app.saved.identities)
    console.print(_("Saved {n} ballots at this table.").format(n=count))
