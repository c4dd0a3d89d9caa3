"""``juwei assembly sit|list``: sittings of the residents' representatives' assembly
(居民代表会议), their quorum and resolutions."""

from typing import Any

import typer
from rich.table import Table

from juwei.commands._common import JSON_OPTION, console, print_json, state
from juwei.commands.election import ON_OPTION, day_or_today, opened
from juwei.elections.assembly import SittingInfo, list_sittings, record_sitting
from juwei.i18n import _
from juwei.rules.assembly import Resolution

app = typer.Typer(no_args_is_help=True)


def _json(info: SittingInfo) -> dict[str, Any]:
    d = info.decision
    return {
        "id": info.id,
        "day": info.day,
        "serving": info.serving,
        "present": info.present,
        "quorate": d.quorate,
        "needed_present": d.needed_present,
        "matter": info.matter,
        "votes": None
        if info.votes is None
        else {"for": info.votes.for_, "against": info.votes.against, "abstain": info.votes.abstain},
        "resolution": None if d.resolution is None else d.resolution.value,
        "needed_for": d.needed_for,
        "reason": d.reason,
        "rule": d.rule,
        "source": d.source,
    }


def _resolution_label(resolution: Resolution | None) -> str:
    labels = {
        Resolution.ADOPTED: _("adopted"),
        Resolution.REJECTED: _("not adopted"),
        Resolution.NOT_DECIDED: _("not decided (no quorum)"),
    }
    return "" if resolution is None else labels[resolution]


@app.command("sit")
def sit(
    ctx: typer.Context,
    present: int = typer.Option(..., "--present", help="Representatives present."),
    matter: str = typer.Option(None, "--matter", help="The matter put to the vote."),
    votes_for: int = typer.Option(None, "--for", help="Votes for the matter."),
    votes_against: int = typer.Option(None, "--against", help="Votes against the matter."),
    abstain: int = typer.Option(None, "--abstain", help="Abstentions (default 0)."),
    on: str = ON_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a sitting of the representatives' assembly: the serving representatives are the
    base; the charter's [assembly] decides the quorum and the resolution."""
    st = state(ctx)
    with opened(ctx) as db:
        info = record_sitting(
            db,
            on=day_or_today(on),
            present=present,
            matter=matter,
            votes_for=votes_for,
            votes_against=votes_against,
            abstain=abstain,
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json(_json(info))
        return
    d = info.decision
    if d.quorate:
        console.print(
            _("Sitting {id} on {day}: quorate.").format(id=info.id, day=info.day.isoformat())
        )
    else:
        console.print(
            _("Sitting {id} on {day}: NO QUORUM.").format(id=info.id, day=info.day.isoformat())
        )
    if info.matter is not None:
        console.print(
            _("Matter: {matter} — {result}").format(
                matter=info.matter, result=_resolution_label(d.resolution)
            ),
            markup=False,
        )
    console.print(f"{d.reason} ({d.rule}; {d.source})", markup=False, soft_wrap=True)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Every sitting recorded, with its quorum and resolution."""
    st = state(ctx)
    with opened(ctx) as db:
        infos = list_sittings(db, community=st.community)
    if as_json:
        print_json([_json(i) for i in infos])
        return
    table = Table(title=_("Sittings of the representatives' assembly (居民代表会议)"))
    for header in ("#", _("Day"), _("Present"), _("Quorum"), _("Matter"), _("Result")):
        table.add_column(header)
    for i in infos:
        table.add_row(
            str(i.id),
            i.day.isoformat(),
            f"{i.present}/{i.serving}",
            _("yes") if i.decision.quorate else _("no"),
            i.matter or "",
            _resolution_label(i.decision.resolution),
        )
    console.print(table)
