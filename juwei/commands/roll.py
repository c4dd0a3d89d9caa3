"""``juwei roll import|list|stats|show|print|export``: the electoral roll (选民登记)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from juwei.commands._common import (
    FORCE_OPTION,
    JSON_OPTION,
    console,
    err_console,
    print_json,
    state,
    styled,
)
from juwei.elections.db import Database
from juwei.elections.roll import (
    export_roll,
    import_roll,
    list_voters,
    roll_stats,
    show_voter,
    voter_listing,
)
from juwei.elections.tabular import parse_date_text
from juwei.errors import InputError, redact
from juwei.files import replace_file
from juwei.i18n import _

app = typer.Typer(no_args_is_help=True)
PROGRESS_FROM_ROWS = 3000


def parse_day(value: str | None, option: str) -> date | None:
    """A day given on the command line → date; raises ``InputError`` naming the option.

    Accepts ``2027-04-20``, ``2027-4-20``, ``2027/4/20`` and ``2027年4月20日`` (see
    :func:`juwei.elections.tabular.parse_date_text`).
    """
    if value is None:
        return None
    try:
        return parse_date_text(value)
    except ValueError:
        raise InputError(
            _("{option}: not a date in the form YYYY-MM-DD: {value}").format(
                option=option, value=value
            )
        ) from None


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    bar: Progress | None = None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if total < PROGRESS_FROM_ROWS:
            return
        if bar is None:
            bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            )
            bar.start()
            task = bar.add_task(label, total=total)
        assert task is not None
        bar.update(task, completed=done)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


@contextmanager
def _open(ctx: typer.Context) -> Iterator[Database]:
    db = state(ctx).database()
    try:
        yield db
    finally:
        db.close()


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="The roll: CSV (UTF-8, UTF-16, GB18030) or XLSX."),
    as_of: str = typer.Option(
        None, "--as-of", help="Day on which age is counted (the election day), YYYY-MM-DD."
    ),
    skip_invalid: bool = typer.Option(
        False,
        "--skip-invalid",
        help="Import the good rows; write the bad ones to NAME.rejected.csv.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import (or re-import) the whole electoral roll; every bad row is reported."""
    st = state(ctx)
    day = parse_day(as_of, "--as-of")
    with _open(ctx) as db, progress_bar(_("Checking the roll")) as progress:
        summary = import_roll(
            db,
            file,
            community=st.community,
            as_of=day,
            skip_invalid=skip_invalid,
            operator=st.who(),
            progress=progress,
        )
    for warning in summary.warnings:
        label = _("Warning")
        err_console.print(styled((f"{label}:", "yellow"), " ", redact(warning)))
    if as_json:
        print_json(
            {
                "file": summary.file,
                "rows": summary.rows,
                "added": summary.added,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "no_longer_listed": summary.delisted,
                "relisted": summary.relisted,
                "rejected": summary.rejected,
                "rejected_file": str(summary.rejected_file) if summary.rejected_file else None,
                "warnings": list(summary.warnings),
            }
        )
        return
    console.print(
        _(
            "Imported {file}: {rows} rows; {added} added, {updated} updated, "
            "{unchanged} unchanged, {delisted} no longer listed, {relisted} listed again, "
            "{rejected} rejected."
        ).format(
            file=summary.file,
            rows=summary.rows,
            added=summary.added,
            updated=summary.updated,
            unchanged=summary.unchanged,
            delisted=summary.delisted,
            relisted=summary.relisted,
            rejected=summary.rejected,
        )
    )
    if summary.rejected_file is not None:
        console.print(_("Rejected rows written to {path}").format(path=summary.rejected_file))


_REG = {"hukou": "户籍", "residence": "居住", "work": "工作"}


def _sex(code: str) -> str:
    return _("male") if code == "M" else _("female")


@app.command("list")
def list_(
    ctx: typer.Context,
    group: str = typer.Option(None, "--group", help="Only this residents' group."),
    all_: bool = typer.Option(False, "--all", help="Include voters no longer listed."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the voters by residents' group, names by surname strokes (ID numbers masked)."""
    st = state(ctx)
    with _open(ctx) as db:
        voters = list_voters(db, community=st.community, group=group, include_delisted=all_)
    if as_json:
        print_json(
            [
                {
                    "name": v.name,
                    "id": v.id_masked,
                    "sex": v.sex,
                    "age": v.age,
                    "group": v.group,
                    "household": v.household,
                    "registration": v.registration,
                    "listed": v.listed,
                }
                for v in voters
            ]
        )
        return
    table = Table(title=_("Electoral roll"), show_lines=False)
    table.add_column(_("No."), justify="right")
    table.add_column(_("Name"), no_wrap=True)
    table.add_column(_("Sex"))
    table.add_column(_("Age"), justify="right")
    table.add_column(_("ID number"), no_wrap=True, min_width=18)
    table.add_column(_("Household"))
    table.add_column(_("Group"))
    table.add_column(_("Registration"))
    for number, v in enumerate(voters, start=1):
        name = styled(v.name) if v.listed else styled((v.name, "strike"))
        table.add_row(
            str(number),
            name,
            _sex(v.sex),
            str(v.age),
            v.id_masked,
            v.household,
            v.group,
            _REG.get(v.registration, v.registration),
        )
    console.print(table)
    console.print(_("{n} voters").format(n=len(voters)))


@app.command("stats")
def stats(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Counts of voters by residents' group, age band, sex and registration kind."""
    st = state(ctx)
    with _open(ctx) as db:
        s = roll_stats(db, community=st.community)
    if as_json:
        print_json(
            {
                "total": s.total,
                "households": s.households,
                "by_group": s.by_group,
                "by_age_band": s.by_age_band,
                "by_sex": s.by_sex,
                "by_registration": s.by_registration,
            }
        )
        return
    console.print(
        _("{total} voters in {households} households").format(
            total=s.total, households=s.households
        )
    )
    for title, data, label in (
        (_("By residents' group"), s.by_group, str),
        (_("By age band"), s.by_age_band, str),
        (_("By sex"), s.by_sex, _sex),
        (_("By registration kind"), s.by_registration, lambda k: _REG.get(k, k)),
    ):
        table = Table(title=title)
        table.add_column(title)
        table.add_column(_("Voters"), justify="right")
        for key, count in data.items():
            table.add_row(label(key), str(count))
        console.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    id_number: str = typer.Argument(
        ..., help="The voter: full ID number or name (余洋, or 余洋/第1组 among namesakes)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show one voter (the ID number is shown masked)."""
    from juwei.commands._people import voter_id

    st = state(ctx)
    with _open(ctx) as db:
        v = show_voter(db, voter_id(db, id_number, community=st.community), community=st.community)
    if as_json:
        print_json(
            {
                "name": v.name,
                "id": v.id_masked,
                "sex": v.sex,
                "age": v.age,
                "group": v.group,
                "household": v.household,
                "address": v.address,
                "registration": v.registration,
                "listed": v.listed,
            }
        )
        return
    table = Table(show_header=False)
    table.add_column()
    table.add_column()
    for key, value in (
        (_("Name"), v.name),
        (_("ID number"), v.id_masked),
        (_("Sex"), _sex(v.sex)),
        (_("Age"), str(v.age)),
        (_("Residents' group"), v.group),
        (_("Household"), v.household),
        (_("Address"), v.address or ""),
        (_("Registration"), _REG.get(v.registration, "")),
        (_("On the roll"), _("yes") if v.listed else _("no, no longer listed")),
    ):
        table.add_row(key, value)
    console.print(table)


@app.command("print")
def print_(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The PDF to write."),
    force: bool = FORCE_OPTION,
    as_of: str = typer.Option(None, "--as-of", help="Day on which age is counted, YYYY-MM-DD."),
    font: str = typer.Option(
        None, "--font", envvar="JUWEI_FONT", help="A TrueType font for Chinese: PATH[#index]."
    ),
    publish: bool = typer.Option(
        False, "--publish", help="Record that this list is published for the open election."
    ),
    on: str = typer.Option(None, "--on", help="Day of publication, YYYY-MM-DD (default today)."),
    late: str = typer.Option(None, "--late", help="Reason for a late publication (if allowed)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Print the voter list (选民榜) as PDF: by group, names by surname strokes.

    With ``--publish`` the publication is recorded for the open election and checked against
    the charter's timetable (at least 20 days before the election day under the seed charters).
    """
    from juwei.ballots.fonts import resolve_font
    from juwei.ballots.voter_list import render_voter_list

    st = state(ctx)
    st.check_output(out, force=force)
    chosen = resolve_font(font)
    with _open(ctx) as db:
        listing = voter_listing(db, community=st.community, as_of=parse_day(as_of, "--as-of"))
    timing = None
    if not publish:
        pages = render_voter_list(listing, out, chosen)
    else:  # the PDF appears only if the publication is recorded, and the other way round
        from juwei.elections.election import publish_voter_list

        draft = out.with_name(f".{out.name}.draft")
        try:
            pages = render_voter_list(listing, draft, chosen)
            with _open(ctx) as db:
                timing = publish_voter_list(
                    db,
                    on=parse_day(on, "--on") or date.today(),
                    late_reason=late,
                    community=st.community,
                    operator=st.who(),
                )
            replace_file(draft, out)
        finally:
            draft.unlink(missing_ok=True)
    if as_json:
        print_json(
            {
                "out": str(out),
                "pages": pages,
                "voters": listing.total,
                "font": str(chosen.path),
                "published": timing,
            }
        )
        return
    if timing is not None:
        console.print(timing)
    console.print(
        _("Wrote {out}: {voters} voters on {pages} pages.").format(
            out=out, voters=listing.total, pages=pages
        )
    )


@app.command("export")
def export(
    ctx: typer.Context,
    out: Path = typer.Option(
        ..., "--out", help="The file to write: .xlsx (IDs as text) or CSV (UTF-8 with BOM)."
    ),
    xlsx: bool = typer.Option(False, "--xlsx", help="Write XLSX whatever the file name."),
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Export the roll as CSV or XLSX with full ID numbers (re-importable; keep it safe)."""
    st = state(ctx)
    if xlsx and out.suffix.lower() != ".xlsx":
        out = out.with_suffix(".xlsx")
    st.check_output(out, force=force)
    with _open(ctx) as db:
        n = export_roll(db, out, community=st.community)
    if as_json:
        print_json({"out": str(out), "voters": n})
        return
    console.print(
        _("Wrote {out}: {n} voters (full ID numbers: keep this file safe).").format(out=out, n=n)
    )


@app.command("template")
def template(
    ctx: typer.Context,
    out: Path = typer.Option(
        Path("选民登记表.xlsx"), "--out", help="The blank roll workbook to write (XLSX)."
    ),
    force: bool = FORCE_OPTION,
) -> None:
    """Write a blank roll workbook to fill in: the columns juwei reads, IDs formatted as text."""
    from juwei.elections.roll import write_roll_xlsx

    if out.suffix.lower() != ".xlsx":
        out = out.with_suffix(".xlsx")
    state(ctx).check_output(out, force=force)
    write_roll_xlsx(out, [])
    console.print(
        _("Wrote {out}: fill in one voter per row and import it with juwei roll import.").format(
            out=out
        )
    )
