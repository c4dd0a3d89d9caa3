"""``juwei audit log|chain``: the append-only event log and its hash chain.

(The full verification of issue 5 — re-tally, accounting, printed digests — is to come;
``chain`` checks only that no event was changed, removed or reordered.)
"""

import typer
from rich.markup import escape
from rich.table import Table

from juwei.commands._common import JSON_OPTION, console, print_json, state
from juwei.commands.election import opened
from juwei.elections.audit import read_log, verify_chain
from juwei.elections.community import find_community
from juwei.errors import StateError, redact
from juwei.i18n import _

app = typer.Typer(no_args_is_help=True)


@app.command("log")
def log(
    ctx: typer.Context,
    election: int = typer.Option(None, "--election", help="Only events of this election."),
    kind: str = typer.Option(None, "--kind", help="Only this kind, e.g. poll or count.record."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The event log of the community: sequence, time (UTC), operator, kind, payload."""
    st = state(ctx)
    with opened(ctx) as db, db.read() as session:
        comm = find_community(session, st.community)
        events = read_log(session, community_id=comm.id, election_id=election, kind=kind)
    if as_json:
        print_json(
            [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "operator": e.operator,
                    "kind": e.kind,
                    "payload": e.payload,
                }
                for e in events
            ]
        )
        return
    table = Table(title=_("Event log"))
    for header in ("#", _("Time (UTC)"), _("Operator"), _("Kind"), _("Payload")):
        table.add_column(header, overflow="fold")
    for e in events:
        table.add_row(
            str(e.seq),
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.operator,
            e.kind,
            escape(redact(e.payload)),
        )
    console.print(table)


@app.command("chain")
def chain(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Check that no event was changed, removed or reordered (SHA-256 chain); exit 6 if so."""
    with opened(ctx) as db, db.read() as session:
        check = verify_chain(session)
    if as_json:
        print_json(
            {
                "ok": check.ok,
                "events": check.events,
                "broken_at": check.broken_at,
                "problem": check.problem,
            }
        )
    if not check.ok:
        raise StateError(_("The event log is broken: {problem}").format(problem=check.problem))
    if not as_json:
        console.print(
            _("The event log is whole: {n} events, each chained to the one before.").format(
                n=check.events
            )
        )


# issue 5, risk-limiting audit (juwei/commands/rla.py): juwei audit rla plan|record|status
from juwei.commands.rla import app as rla_app  # noqa: E402

app.add_typer(rla_app, name="rla", help="Risk-limiting audit of the paper ballots.")
