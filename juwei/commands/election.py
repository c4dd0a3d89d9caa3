"""``juwei election new|list|show``, ``juwei nominate``, ``withdraw``, ``candidates``."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from juwei.commands import _values as values
from juwei.commands._common import (
    FORCE_OPTION,
    JSON_OPTION,
    console,
    err_console,
    print_json,
    state,
    styled,
)
from juwei.commands._people import voter_id
from juwei.commands.roll import parse_day
from juwei.elections.community import community_charter, find_community
from juwei.elections.db import Database
from juwei.elections.election import (
    ElectionInfo,
    list_elections,
    mode_label,
    new_election,
    next_step,
    show_election,
    state_label,
)
from juwei.elections.nomination import (
    candidates_confirmed_on,
    confirm_candidates,
    list_nominations,
    nominate,
    withdraw,
)
from juwei.elections.tabular import id_column, read_table
from juwei.errors import InputError
from juwei.i18n import _
from juwei.rules.law import LawConflict, conflicts_on
from juwei.rules.timetable import timetable

app = typer.Typer(no_args_is_help=True)
candidates_app = typer.Typer(no_args_is_help=True)

ON_OPTION = typer.Option(
    None, "--on", help="The day this step was taken, YYYY-MM-DD (default today)."
)
ELECTION_OPTION = typer.Option(None, "--election", help="Election number (default: the newest).")


@contextmanager
def opened(ctx: typer.Context) -> Iterator[Database]:
    """The database of this invocation, closed afterwards."""
    db = state(ctx).database()
    try:
        yield db
    finally:
        db.close()


def day_or_today(value: str | None, option: str = "--on") -> date:
    """``--on`` as a date, today when not given."""
    return parse_day(value, option) or date.today()


def _seats(values: list[str] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values or []:
        key, sep, number = value.partition("=")
        if not sep or not number.strip().isdigit():
            raise InputError(
                _("--seats takes OFFICE=N, e.g. member=4: {value}").format(value=value),
                column="--seats",
            )
        out[key.strip()] = int(number)
    return out


def _election_json(info: ElectionInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "community": info.community,
        "kind": info.kind,
        "mode": info.mode,
        "title": info.title,
        "day": info.day,
        "state": info.state,
        "parent": info.parent_id,
        "serial_prefix": info.serial_prefix,
        "past": info.past,
        "offices": [{"key": o.key, "title": o.title, "seats": o.seats} for o in info.offices],
        "next": next_step(info.state),
    }


def _conflict_json(c: LawConflict) -> dict[str, object]:
    return {
        "code": c.code.value,
        "charter_rule": c.charter_key,
        "charter_value": c.charter_value.zh,
        "charter_source": c.charter_source,
        "law": c.law_name,
        "law_rule": c.law_key,
        "law_value": c.law_value.zh,
        "law_source": c.law_source,
        "law_provisional": c.law_provisional,
    }


def _law_conflicts(ctx: typer.Context, db: Database, day: date) -> list[LawConflict]:
    """The charter's conflicts with the law in force on the election ``day``."""
    with db.read() as session:
        charter = community_charter(session, find_community(session, state(ctx).community))
    return conflicts_on(charter, day)


def _warn_conflicts(conflicts: list[LawConflict]) -> None:
    for c in conflicts:
        provisional = _(" (provisional rule: check it against the province's 选举办法)")
        err_console.print(
            _(
                "Warning: the charter's rule {charter_rule} ({charter_value}; {charter_source}) "
                "conflicts with the law in force on the election day, {law} {law_rule} "
                "({law_value}; {law_source}){provisional}."
            ).format(
                charter_rule=c.charter_key,
                charter_value=c.charter_value.localized(),
                charter_source=c.charter_source,
                law=c.law_name,
                law_rule=c.law_key,
                law_value=c.law_value.localized(),
                law_source=c.law_source,
                provisional=provisional if c.law_provisional else "",
            ),
            markup=False,
        )


def _show(ctx: typer.Context, db: Database, info: ElectionInfo) -> None:
    console.print(styled((info.title, "bold"), f"  (#{info.id})"))
    console.print(
        _("Election day {day}; mode {mode}; state: {state}.").format(
            day=info.day.isoformat(), mode=mode_label(info.mode), state=state_label(info.state)
        )
    )
    if info.past:
        console.print(_("Entered after the election day from its paper records (--past)."))
    seats = "、".join(f"{o.title} {o.seats}" for o in info.offices)
    console.print(_("Seats (应选名额): {seats}").format(seats=seats))
    with db.read() as session:
        charter = community_charter(session, find_community(session, state(ctx).community))
    table = Table(title=_("Timetable"))
    table.add_column(_("Step"))
    table.add_column(_("Latest day"))
    table.add_column(_("Rule"))
    table.add_column(_("Source"))
    marked = False
    for step in timetable(charter, info.day):
        source = step.source
        if charter.is_provisional(step.rule):
            source += "\n" + _("(provisional)")
            marked = True
        table.add_row(step.label, step.latest.isoformat(), step.requirement, source)
    console.print(table)
    if marked:
        console.print(
            _(
                "(provisional): the official wording of the rule is not confirmed; check it "
                "against the province's 选举办法."
            ),
            markup=False,
        )
    console.print(_("Next: {step}").format(step=next_step(info.state)))


@app.command("new")
def new(
    ctx: typer.Context,
    day: str = typer.Option(..., "--day", help="Election day, YYYY-MM-DD."),
    mode: str = typer.Option(
        "direct",
        "--mode",
        help="direct | household | representative.",
        callback=values.MODE_VALUE,
    ),
    kind: str = typer.Option(
        "general",
        "--kind",
        help="general (换届) | by-election (补选) | representatives (a group's 居民代表).",
        callback=values.KIND_VALUE,
    ),
    seats: list[str] = typer.Option(
        None, "--seats", help="Override seats: OFFICE=N (repeat); representatives: N."
    ),
    title: str = typer.Option(None, "--title", help="Title printed on ballots and sheets."),
    office: list[str] = typer.Option(
        None,
        "--office",
        help="By-election: only this vacant office (repeat; default all).",
        callback=values.OFFICE_VALUE,
    ),
    group: str = typer.Option(
        None, "--group", help="Representatives: the residents' group that elects (e.g. 第1组)."
    ),
    past: bool = typer.Option(
        False,
        "--past",
        help="The election was held before today: enter it from its paper records.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Start an election: offices and seats from the charter (a by-election: the vacant
    seats, see juwei vacancies; a group's representatives: [representatives].per_group), and
    its timetable."""
    st = state(ctx)
    election_day = parse_day(day, "--day")
    assert election_day is not None
    if kind == "representatives" and seats and len(seats) == 1 and seats[0].strip().isdigit():
        seats = [f"representative={seats[0].strip()}"]
    with opened(ctx) as db:
        info = new_election(
            db,
            day=election_day,
            mode=mode,
            kind=kind,
            community=st.community,
            seats=_seats(seats),
            title=title,
            offices=office or None,
            group=group,
            past=past,
            operator=st.who(),
        )
        conflicts = _law_conflicts(ctx, db, info.day)
        if as_json:
            print_json(
                _election_json(info) | {"law_conflicts": [_conflict_json(c) for c in conflicts]}
            )
            return
        console.print(_("Created election {id}.").format(id=info.id))
        _warn_conflicts(conflicts)
        _show(ctx, db, info)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Every election and round of the community, with its state."""
    st = state(ctx)
    with opened(ctx) as db:
        infos = list_elections(db, community=st.community)
    if as_json:
        print_json([_election_json(i) for i in infos])
        return
    table = Table(title=_("Elections"))
    for header in ("#", _("Title"), _("Kind"), _("Day"), _("State"), _("Next")):
        table.add_column(header)
    for i in infos:
        table.add_row(
            str(i.id), i.title, i.kind, i.day.isoformat(), state_label(i.state), next_step(i.state)
        )
    console.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    election: int = typer.Argument(None, help="Election number (default: the newest)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """One election: state, seats, timetable and what to do next."""
    st = state(ctx)
    with opened(ctx) as db:
        info = show_election(db, election, community=st.community)
        if as_json:
            print_json(_election_json(info))
            return
        _show(ctx, db, info)


def _ids_from(file: Path | None, ids: list[str] | None) -> list[str]:
    out = list(ids or [])
    if file is not None:
        table = read_table(file)
        column = id_column(table)
        out.extend(str(cells[column] or "") for _n, cells in table.data if column < len(cells))
    return out


def nominate_command(
    ctx: typer.Context,
    nominee: str = typer.Argument(..., help="The nominee: ID number or name (余洋/第1组)."),
    office: str = typer.Option(
        ...,
        "--office",
        help="director | deputy | member.",
        callback=values.OFFICE_VALUE,
    ),
    method: str = typer.Option(
        "joint", "--method", help="self | joint | group.", callback=values.METHOD_VALUE
    ),
    supporter: list[str] = typer.Option(None, "--supporter", help="A supporter's ID number."),
    supporters: Path = typer.Option(None, "--supporters", help="CSV/XLSX of supporters' IDs."),
    group: str = typer.Option(None, "--group", help="The nominating residents' group."),
    on: str = ON_OPTION,
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a nomination (提名) of a registered voter for an office."""
    st = state(ctx)
    with opened(ctx) as db:
        info = nominate(
            db,
            office_key=office,
            nominee=voter_id(db, nominee, community=st.community),
            method=method,
            supporters=_ids_from(supporters, supporter),
            group=group,
            on=day_or_today(on),
            election_id=election,
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json(
            {
                "office": info.office,
                "name": info.name,
                "id": info.id_masked,
                "method": info.method,
                "supporters": info.supporters,
            }
        )
        return
    console.print(
        _("Nominated {name} ({id}) for {office} ({method}, {n} supporters).").format(
            name=info.name,
            id=info.id_masked,
            office=info.office,
            method=info.method,
            n=info.supporters,
        )
    )


def withdraw_command(
    ctx: typer.Context,
    nominee: str = typer.Argument(..., help="The nominee: ID number or name (余洋/第1组)."),
    reason: str = typer.Option(..., "--reason", help="Why the nominee withdrew."),
    on: str = ON_OPTION,
    election: int = ELECTION_OPTION,
) -> None:
    """Record that a nominee withdrew."""
    st = state(ctx)
    with opened(ctx) as db:
        info = withdraw(
            db,
            nominee=voter_id(db, nominee, community=st.community),
            reason=reason,
            on=day_or_today(on),
            election_id=election,
            community=st.community,
            operator=st.who(),
        )
    console.print(
        _("{name} ({id}) withdrew from {office}.").format(
            name=info.name, id=info.id_masked, office=info.office
        )
    )


@candidates_app.command("list")
def candidates_list(
    ctx: typer.Context, election: int = ELECTION_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """The nominations so far, by office."""
    st = state(ctx)
    with opened(ctx) as db:
        rows = list_nominations(db, election_id=election, community=st.community)
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    table = Table(title=_("Nominations"))
    for header in (_("Office"), _("Name"), _("ID number"), _("Method"), _("Supporters")):
        table.add_column(header)
    for r in rows:
        name = styled((r.name, "strike")) if r.withdrawn else styled(r.name)
        table.add_row(r.office, name, r.id_masked, r.method, str(r.supporters))
    console.print(table)


@candidates_app.command("confirm")
def candidates_confirm(
    ctx: typer.Context,
    on: str = ON_OPTION,
    late: str = typer.Option(None, "--late", help="Reason for a late step (if allowed)."),
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Check the slate (差额/等额) and fix the formal candidates in ballot order."""
    st = state(ctx)
    with opened(ctx) as db:
        offices = confirm_candidates(
            db,
            on=day_or_today(on),
            election_id=election,
            community=st.community,
            late_reason=late,
            operator=st.who(),
        )
    if as_json:
        print_json(
            [
                {
                    "office": o.title,
                    "seats": o.seats,
                    "kind": o.kind,
                    "candidates": list(o.names),
                    "draw_lots": [list(g) for g in o.lots],
                    "decision": o.decision,
                }
                for o in offices
            ]
        )
        return
    for o in offices:
        seats_word = _("seats")
        console.print(
            styled((o.title, "bold"), f" ({seats_word} {o.seats}): " + "、".join(o.names))
        )
        console.print(f"  {o.decision}")
        for group in o.lots:
            err_console.print(
                styled(
                    (
                        _("Equal ordering keys — the committee draws lots: {names}").format(
                            names="、".join(group)
                        ),
                        "yellow",
                    )
                )
            )


@candidates_app.command("print")
def candidates_print(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The PDF to write."),
    force: bool = FORCE_OPTION,
    on: str = ON_OPTION,
    font: str = typer.Option(None, "--font", envvar="JUWEI_FONT", help="PATH[#index]."),
    election: int = ELECTION_OPTION,
) -> None:
    """Print the formal candidate list (候选人名单公告) as PDF."""
    from juwei.ballots.candidate_list import render_candidate_list
    from juwei.ballots.fonts import resolve_font
    from juwei.elections.poll import read_ballot_paper

    st = state(ctx)
    st.check_output(out, force=force)
    chosen = resolve_font(font)
    with opened(ctx) as db:
        paper = read_ballot_paper(db, election_id=election, community=st.community)
        published = parse_day(on, "--on") or candidates_confirmed_on(
            db, election_id=election, community=st.community
        )
    pages = render_candidate_list(paper, out, chosen, published or date.today())
    console.print(_("Wrote {out} ({pages} pages).").format(out=out, pages=pages))
