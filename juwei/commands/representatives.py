"""``juwei representatives list|add|add-unit|end``: residents' representatives (居民代表)."""

from typing import Any

import typer
from rich.table import Table

from juwei.commands._common import JSON_OPTION, console, print_json, state
from juwei.commands.election import ON_OPTION, day_or_today, opened
from juwei.elections.representatives import (
    RepresentativeInfo,
    add_representative,
    end_representative,
    list_representatives,
)
from juwei.i18n import _

app = typer.Typer(no_args_is_help=True)


def _json(info: RepresentativeInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "id_number": info.masked_id,
        "group": info.group,
        "unit": info.unit,
        "method": info.method,
        "term_start": info.term_start,
        "term_end": info.term_end,
        "ended_on": info.ended_on,
        "end_reason": info.end_reason,
    }


def _added(info: RepresentativeInfo, as_json: bool) -> None:
    if as_json:
        print_json(_json(info))
        return
    console.print(
        _("Representative {id}: {name} ({masked}) for {whom}, {start} to {end}.").format(
            id=info.id,
            name=info.name,
            masked=info.masked_id,
            whom=info.group or info.unit,
            start=info.term_start.isoformat(),
            end=info.term_end.isoformat(),
        )
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    on: str = ON_OPTION,
    all_: bool = typer.Option(False, "--all", help="Also former representatives."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The representatives serving on the day, and each group's seats and vacancies."""
    st = state(ctx)
    day = day_or_today(on)
    with opened(ctx) as db:
        infos, seats = list_representatives(db, on=day, include_former=all_, community=st.community)
    if as_json:
        print_json(
            {
                "representatives": [_json(i) for i in infos],
                "groups": [
                    {
                        "group": g.group,
                        "serving": g.serving,
                        "min": g.minimum,
                        "max": g.maximum,
                        "vacancies": g.vacancies,
                    }
                    for g in seats
                ],
            }
        )
        return
    table = Table(title=_("Residents' representatives (居民代表) on {day}").format(day=day))
    table.add_column("#", justify="right")
    table.add_column(_("Name"))
    table.add_column(_("ID number"))
    table.add_column(_("Group or unit"))
    table.add_column(_("Term"))
    table.add_column(_("Left"))
    for i in infos:
        table.add_row(
            str(i.id),
            i.name,
            i.masked_id,
            i.group or _("unit: {unit}").format(unit=i.unit),
            f"{i.term_start.isoformat()} – {i.term_end.isoformat()}",
            "" if i.ended_on is None else f"{i.ended_on.isoformat()} {i.end_reason or ''}",
        )
    console.print(table)
    short = [g for g in seats if g.vacancies]
    for g in short:
        console.print(
            _("Group {group}: {serving} serving, {n} short of the charter's {min}.").format(
                group=g.group, serving=g.serving, n=g.vacancies, min=g.minimum
            )
        )


@app.command("add")
def add(
    ctx: typer.Context,
    id_number: str = typer.Argument(..., help="ID number of the representative."),
    group: str = typer.Option(..., "--group", help="The residents' group that chose them."),
    on: str = ON_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a representative chosen by a residents' group (推选), from --on."""
    st = state(ctx)
    with opened(ctx) as db:
        info = add_representative(
            db,
            id_number,
            on=day_or_today(on),
            group=group,
            community=st.community,
            operator=st.who(),
        )
    _added(info, as_json)


@app.command("add-unit")
def add_unit(
    ctx: typer.Context,
    id_number: str = typer.Argument(..., help="ID number of the representative."),
    unit: str = typer.Option(..., "--unit", help="The unit based in the community (驻社区单位)."),
    on: str = ON_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a representative nominated by a unit based in the community, from --on."""
    st = state(ctx)
    with opened(ctx) as db:
        info = add_representative(
            db,
            id_number,
            on=day_or_today(on),
            unit=unit,
            community=st.community,
            operator=st.who(),
        )
    _added(info, as_json)


@app.command("end")
def end(
    ctx: typer.Context,
    representative: int = typer.Argument(..., help="Representative number (see list)."),
    reason: str = typer.Option(..., "--reason", help="The written reason."),
    on: str = ON_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """End a representative's term early; the group (or unit) fills the seat again."""
    st = state(ctx)
    with opened(ctx) as db:
        info = end_representative(
            db,
            representative,
            on=day_or_today(on),
            reason=reason,
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json(_json(info))
        return
    console.print(
        _("Representative {id} ({name}) left on {day}.").format(
            id=info.id, name=info.name, day=info.ended_on
        )
    )
