"""``juwei district status``: every community of the database at a glance (issue 6)."""

from dataclasses import asdict

import typer
from rich.table import Table

from juwei.commands._common import JSON_OPTION, console, print_json
from juwei.commands.election import opened
from juwei.elections.district import district_status
from juwei.i18n import _

app = typer.Typer(no_args_is_help=True)


@app.command("status")
def status(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Every community: its newest election's state, registered voters, turnout, certified.

    Turnout is ballots issued / voters registered (exact counts in ``--json``, with the
    charter and election number).
    """
    with opened(ctx) as db:
        rows = district_status(db)
    if as_json:
        print_json({"communities": [asdict(r) for r in rows]})
        return
    table = Table(title=_("District: {count} communities").format(count=len(rows)))
    table.add_column(_("Community"), no_wrap=True)
    for header in (_("Election day"), _("State")):
        table.add_column(header)
    for header in (_("Voters"), _("Issued"), _("Turnout")):
        table.add_column(header, justify="right")
    table.add_column(_("Certified"))
    for r in rows:
        table.add_row(
            r.community,
            str(r.election_day) if r.election_day is not None else "—",
            r.state_label or _("no election yet"),
            f"{r.registered:,}",
            f"{r.ballots_issued:,}",
            f"{r.turnout_percent}%" if r.turnout_percent is not None else "—",
            _("yes") if r.certified else _("no"),
        )
    console.print(table)
