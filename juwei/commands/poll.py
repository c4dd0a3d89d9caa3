"""``juwei ballots print`` and ``juwei poll issue|sheet|spoil|close|status``."""

from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from juwei.commands._common import FORCE_OPTION, JSON_OPTION, console, print_json, state
from juwei.commands._people import voter_id
from juwei.commands.election import ELECTION_OPTION, opened
from juwei.commands.roll import parse_day, progress_bar
from juwei.elections.poll import (
    close_poll,
    issue_ballot,
    issue_from_sheet,
    poll_status,
    print_ballots,
    spoil_ballots,
)
from juwei.elections.readmodels import BallotPaper
from juwei.i18n import _

ON_OPTION = typer.Option(
    None, "--on", help="The day, YYYY-MM-DD (default: the election day; never after it)."
)

ballots_app = typer.Typer(no_args_is_help=True)
poll_app = typer.Typer(no_args_is_help=True)
BOX_OPTION = typer.Option(
    "中心会场", "--box", help="Polling station or mobile ballot box (流动票箱) name."
)


@ballots_app.command("print")
def ballots_print(
    ctx: typer.Context,
    copies: int = typer.Option(..., "--copies", help="How many ballots to print."),
    out: Path = typer.Option(..., "--out", help="The PDF to write (one ballot per page)."),
    force: bool = FORCE_OPTION,
    font: str = typer.Option(None, "--font", envvar="JUWEI_FONT", help="PATH[#index]."),
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Print numbered ballot papers (选票) with counterfoils; serials are recorded."""
    from juwei.ballots.ballot_paper import ballot_layout, render_ballots
    from juwei.ballots.fonts import resolve_font

    st = state(ctx)
    st.check_output(out, force=force)
    chosen = resolve_font(font)

    with opened(ctx) as db, progress_bar(_("Printing ballots")) as progress:

        def render(paper: BallotPaper, serials: list[str]) -> dict[str, object]:
            render_ballots(paper, serials, out, chosen, progress=progress)
            return ballot_layout(paper, chosen.name)

        batch = print_ballots(
            db, copies, render, election_id=election, community=st.community, operator=st.who()
        )
    if as_json:
        print_json(
            {
                "out": str(out),
                "copies": batch.copies,
                "first": batch.first,
                "last": batch.last,
                "total_printed": batch.total_printed,
            }
        )
        return
    console.print(
        _(
            "Wrote {out}: {copies} ballots, serials {first} to {last} ({total} printed in all)."
        ).format(
            out=out,
            copies=batch.copies,
            first=batch.first,
            last=batch.last,
            total=batch.total_printed,
        )
    )


@poll_app.command("issue")
def issue(
    ctx: typer.Context,
    voter: str = typer.Argument(..., help="The voter: ID number or name (余洋/第1组)."),
    box: str = BOX_OPTION,
    proxy_for: list[str] = typer.Option(
        None, "--proxy-for", help="ID number of a voter who authorised this voter (repeat)."
    ),
    authorisation: str = typer.Option(
        None, "--authorisation", help="The written authorisation (委托书) for proxies."
    ),
    on: str = ON_OPTION,
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record that a voter received a ballot (one per voter; proxies as the charter allows)."""
    st = state(ctx)
    with opened(ctx) as db:
        receipt = issue_ballot(
            db,
            voter_id(db, voter, community=st.community),
            box=box,
            on=parse_day(on, "--on"),
            proxy_for=proxy_for or (),
            authorisation=authorisation,
            election_id=election,
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json(
            {
                "name": receipt.name,
                "id": receipt.id_masked,
                "box": receipt.box,
                "proxies": list(receipt.proxies),
            }
        )
        return
    console.print(
        _("Ballot issued to {name} ({id}) at {box}.").format(
            name=receipt.name, id=receipt.id_masked, box=receipt.box
        )
    )
    for masked in receipt.proxies:
        console.print(_("  and a proxy ballot for {id}").format(id=masked))


@poll_app.command("sheet")
def sheet(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Sign-in sheet (签到簿): CSV/XLSX with ID numbers."),
    box: str = BOX_OPTION,
    on: str = ON_OPTION,
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Issue ballots to everyone on a sign-in sheet, all or nothing."""
    st = state(ctx)
    with opened(ctx) as db:
        result = issue_from_sheet(
            db,
            file,
            box=box,
            on=parse_day(on, "--on"),
            election_id=election,
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json({"file": result.file, "issued": result.issued, "box": result.box})
        return
    console.print(_("{file}: {n} ballots issued.").format(file=result.file, n=result.issued))


@poll_app.command("spoil")
def spoil(
    ctx: typer.Context,
    box: str = BOX_OPTION,
    count: int = typer.Option(1, "--count", help="How many spoiled ballots were exchanged."),
    on: str = ON_OPTION,
    election: int = ELECTION_OPTION,
) -> None:
    """Record spoiled ballots (作废票) exchanged at a box: a count, never a number."""
    st = state(ctx)
    with opened(ctx) as db:
        total = spoil_ballots(
            db,
            box,
            count,
            on=parse_day(on, "--on"),
            election_id=election,
            community=st.community,
            operator=st.who(),
        )
    console.print(
        _("{n} spoiled ballots recorded at {box} ({total} there in all).").format(
            n=count, box=box, total=total
        ),
        markup=False,
    )


@poll_app.command("close")
def close(
    ctx: typer.Context,
    box: str = typer.Option(
        None, "--box", help="Close only this box (default: every box, and the poll)."
    ),
    on: str = ON_OPTION,
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Close the poll (投票结束), at one box or at all: no more ballots are issued; then the
    boxes are opened and counted (juwei count open)."""
    st = state(ctx)
    with opened(ctx) as db:
        done = close_poll(
            db,
            box=box,
            on=parse_day(on, "--on"),
            election_id=election,
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json(asdict(done))
        return
    boxes = "、".join(done.boxes) or "—"
    if done.poll_closed:
        console.print(
            _("The poll is closed ({day}); boxes closed now: {boxes}.").format(
                day=done.day.isoformat(), boxes=boxes
            ),
            markup=False,
        )
    else:
        console.print(
            _("Box {boxes} is closed ({day}); other boxes are still open.").format(
                boxes=boxes, day=done.day.isoformat()
            ),
            markup=False,
        )


@poll_app.command("status")
def status(
    ctx: typer.Context, election: int = ELECTION_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """Ballot accounting: printed, issued, spoiled, returned, unused."""
    st = state(ctx)
    with opened(ctx) as db:
        s = poll_status(db, election_id=election, community=st.community)
    if as_json:
        print_json(asdict(s))
        return
    table = Table(title=_("Ballot accounting"), show_header=False)
    table.add_column()
    table.add_column(justify="right")
    for label, value in (
        (_("Registered voters"), s.registered_voters),
        (_("Printed"), s.printed),
        (_("Issued"), s.issued),
        (_("of which by proxy"), s.proxies),
        (_("Spoiled"), s.spoiled),
        (_("Unused"), s.unused),
        (_("Returned"), s.returned),
    ):
        table.add_row(label, f"{value:,}")
    console.print(table)
    if s.boxes:
        boxes = Table(title=_("Ballot boxes"))
        for heading in (_("Box"), _("Issued"), _("Spoiled"), _("Closed"), _("Found"), _("Opened")):
            boxes.add_column(heading)
        for b in s.boxes:
            boxes.add_row(
                b.box,
                f"{b.issued:,}",
                f"{b.spoiled:,}",
                b.closed_on.isoformat() if b.closed_on else _("open"),
                "" if b.found is None else f"{b.found:,}",
                b.opened_on.isoformat() if b.opened_on else "",
            )
        console.print(boxes)
    console.print(
        _("Ballot records entered: {n}.").format(n=s.entered)
        + (
            " " + _("The poll was closed on {day}.").format(day=s.closed_on.isoformat())
            if s.closed_on
            else ""
        )
    )
