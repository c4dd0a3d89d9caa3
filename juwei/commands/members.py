"""``juwei members list|resign|terminate``: the committee's members and how a membership ends."""

import typer
from rich.table import Table

from juwei.commands import _values as values
from juwei.commands._common import JSON_OPTION, console, print_json, state
from juwei.commands.election import opened
from juwei.commands.roll import parse_day
from juwei.elections.members import MemberInfo, cause_label
from juwei.i18n import _

app = typer.Typer(no_args_is_help=True)

DAY_OPTION = typer.Option(..., "--on", help="The day it takes effect, YYYY-MM-DD.")
REASON_OPTION = typer.Option(..., "--reason", help="The written reason.")


def _json(info: MemberInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "name": info.name,
        "office_key": info.office_key,
        "office": info.office,
        "term_start": info.term_start,
        "term_end": info.term_end,
        "ended_on": info.ended_on,
        "end_reason": info.end_reason,
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    serving: bool = typer.Option(False, "--serving", help="Only the members now serving."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The committee's members: serving ones first, then former ones with how they left."""
    st = state(ctx)
    with opened(ctx) as db:
        from juwei.elections.members import list_members

        infos = list_members(db, community=st.community, include_former=not serving)
    if as_json:
        print_json([_json(i) for i in infos])
        return
    if not infos:
        console.print(_("No members yet: a certified election seats them."))
        return
    table = Table()
    for header in (_("Id"), _("Name"), _("Office"), _("Term"), _("Ended")):
        table.add_column(header)
    for i in infos:
        table.add_row(
            str(i.id),
            i.name,
            i.office,
            f"{i.term_start.isoformat()} – {i.term_end.isoformat()}",
            ""
            if i.ended_on is None
            else f"{i.ended_on.isoformat()} {cause_label(i.end_reason or '')}",
            style=None if i.serving else "dim",
        )
    console.print(table)


def _report(info: MemberInfo, as_json: bool) -> None:
    if as_json:
        print_json(_json(info))
        return
    console.print(
        _("{name} ({office}) left the committee on {day}: {cause}. The seat is vacant.").format(
            name=info.name,
            office=info.office,
            day=info.ended_on.isoformat() if info.ended_on else "",
            cause=cause_label(info.end_reason or ""),
        ),
        markup=False,
    )


@app.command("resign")
def resign(
    ctx: typer.Context,
    member: str = typer.Argument(..., help="The member: member id or name."),
    on: str = DAY_OPTION,
    reason: str = REASON_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a resignation (辞职) the committee accepted; it ends an open recall."""
    st = state(ctx)
    day = parse_day(on, "--on")
    assert day is not None
    with opened(ctx) as db:
        from juwei.elections.members import resign as do_resign

        info = do_resign(
            db, member, on=day, reason=reason, community=st.community, operator=st.who()
        )
    _report(info, as_json)


@app.command("terminate")
def terminate(
    ctx: typer.Context,
    member: str = typer.Argument(..., help="The member: member id or name."),
    on: str = DAY_OPTION,
    cause: str = typer.Option(
        ...,
        "--cause",
        help="sentence | capacity | death | unfit | other (charter termination).",
        callback=values.CAUSE_VALUE,
    ),
    reason: str = REASON_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record that a membership ended by itself (终止): sentence, capacity, death, other."""
    st = state(ctx)
    day = parse_day(on, "--on")
    assert day is not None
    with opened(ctx) as db:
        from juwei.elections.members import terminate as do_terminate

        info = do_terminate(
            db,
            member,
            on=day,
            cause=cause,
            reason=reason,
            community=st.community,
            operator=st.who(),
        )
    _report(info, as_json)
