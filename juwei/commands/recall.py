"""``juwei recall petition|sign|unsign|decide|defence|vote|list|show|print-form``."""

from pathlib import Path

import typer
from rich.table import Table

from juwei.commands._common import (
    FORCE_OPTION,
    JSON_OPTION,
    console,
    err_console,
    print_json,
    state,
)
from juwei.commands.election import day_or_today, opened
from juwei.commands.roll import parse_day
from juwei.elections.recall import PetitionView, SignatureImport, SignerList, entered_signers
from juwei.errors import InputError
from juwei.i18n import _

app = typer.Typer(no_args_is_help=True)

ON_OPTION = typer.Option(None, "--on", help="The day, YYYY-MM-DD (default: today).")
SKIP_OPTION = typer.Option(
    False, "--skip-invalid", help="Record the good rows and list the refused ones."
)
ENTER_OPTION = typer.Option(
    False, "--enter", help="Type the signers' ID numbers one by one instead of a file."
)


def _signers(signatures: Path | None, enter: bool) -> "Path | SignerList | None":
    """The file, or the ID numbers typed in (an empty line ends)."""
    if signatures is not None and enter:
        raise InputError(_("give --signatures FILE or --enter, not both"))
    if not enter:
        return signatures
    console.print(_("Type each signer's ID number and press Enter; an empty line ends."))
    numbers: list[str] = []
    while True:
        line = typer.prompt(
            _("Signer {n}").format(n=len(numbers) + 1), default="", show_default=False
        )
        if not line.strip():
            break
        numbers.append(line.strip())
    return entered_signers(numbers)


def _import_report(result: SignatureImport, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "petition": result.petition_id,
                "added": result.added,
                "counted": result.counted,
                "rejected": [
                    {"file": r.file, "row": r.row, "reason": r.reason} for r in result.rejected
                ],
            }
        )
        return
    for rejected in result.rejected:
        err_console.print(_("refused: {line}").format(line=str(rejected)), markup=False)
    console.print(
        _("Petition {id}: {added} signatures added, {counted} counted now.").format(
            id=result.petition_id, added=result.added, counted=result.counted
        )
    )


def _decision_table(view: PetitionView) -> None:
    decision = view.decision
    if not decision:
        return
    alternatives = decision.get("alternatives") or []
    if alternatives:
        table = Table(title=_("Sufficiency (罢免要求)"))
        for header in (_("Rule"), _("Count"), _("Base"), _("Minimum"), _("Met")):
            table.add_column(header)
        for a in alternatives:
            table.add_row(
                f"{a['words']} ({a['rule']})",
                "—" if a["count"] is None else str(a["count"]),
                "—" if a["base"] is None else str(a["base"]),
                "—" if a["minimum"] is None else str(a["minimum"]),
                _("yes") if a["met"] else _("no"),
                style=None if a["count"] is not None else "dim",
            )
        console.print(table)
    console.print(f"{decision['reason']} ({decision['rule']}; {decision['source']})", markup=False)


def _show(view: PetitionView, *, full: bool = False) -> None:
    console.print(
        _("Recall petition {id} against {member} ({office}): {state}").format(
            id=view.id, member=view.member, office=view.office, state=view.state_words
        ),
        markup=False,
    )
    console.print(
        _("Filed on {day}; reasons: {reasons}").format(
            day=view.filed_on.isoformat(), reasons=view.reasons
        ),
        markup=False,
    )
    if view.origin == "evaluation":
        console.print(
            _("Started by an evaluation ({ref}).").format(ref=view.evaluation_ref or "—"),
            markup=False,
        )
    else:
        console.print(
            _("Signatures: {n} counted, {w} withdrawn.").format(n=view.signatures, w=view.withdrawn)
        )
    _decision_table(view)
    if view.vote_deadline is not None:
        console.print(
            _("The recall vote must be held by {day}.").format(day=view.vote_deadline.isoformat())
        )
    if view.vote_election_id is not None:
        console.print(
            _("Recall vote: election {id} ({state}).").format(
                id=view.vote_election_id, state=view.vote_state or "—"
            )
        )
    if view.late_reason:
        console.print(_("Late, because: {reason}").format(reason=view.late_reason), markup=False)
    if view.defence:
        console.print(_("Defence: {text}").format(text=view.defence), markup=False)
    if view.ended_on is not None:
        console.print(
            _("Ended on {day} ({note}).").format(
                day=view.ended_on.isoformat(), note=view.end_note or ""
            )
        )
    if full and view.signature_lines:
        table = Table(title=_("Signatures"))
        for header in ("#", _("Name"), _("ID number"), _("Signed"), _("Withdrawn")):
            table.add_column(header)
        for i, s in enumerate(view.signature_lines, start=1):
            table.add_row(
                str(i),
                s.name,
                s.masked_id,
                s.signed_on.isoformat(),
                "" if s.withdrawn_on is None else s.withdrawn_on.isoformat(),
            )
        console.print(table)


@app.command("petition")
def petition(
    ctx: typer.Context,
    member: str = typer.Argument(..., help="The member: member id or name."),
    reasons: str = typer.Option(..., "--reasons", help="The written reasons (罢免理由)."),
    signatures: Path = typer.Option(
        None, "--signatures", help="CSV/XLSX of signers with an ID-number column (公民身份号码)."
    ),
    on: str = ON_OPTION,
    skip_invalid: bool = SKIP_OPTION,
    enter: bool = ENTER_OPTION,
    new_grounds: bool = typer.Option(
        False,
        "--new-grounds",
        help="The committee finds that the petition raises grounds other than a failed recall.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """File a recall petition (罢免要求) against a serving member, with its signatures."""
    st = state(ctx)
    signers = _signers(signatures, enter)
    with opened(ctx) as db:
        from juwei.elections.recall import file_petition

        result = file_petition(
            db,
            member,
            reasons=reasons,
            on=day_or_today(on),
            signatures=signers,
            skip_invalid=skip_invalid,
            new_grounds=new_grounds,
            community=st.community,
            operator=st.who(),
        )
    _import_report(result, as_json)
    if not as_json:
        console.print(
            _("Next: juwei recall decide {id} (signatures may be added until then).").format(
                id=result.petition_id
            )
        )


@app.command("sign")
def sign(
    ctx: typer.Context,
    petition_id: int = typer.Argument(..., metavar="PETITION"),
    signatures: Path = typer.Option(None, "--signatures", help="CSV/XLSX of further signers."),
    on: str = ON_OPTION,
    skip_invalid: bool = SKIP_OPTION,
    enter: bool = ENTER_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add signatures to a petition that is not yet decided."""
    st = state(ctx)
    signers = _signers(signatures, enter)
    if signers is None:
        raise InputError(_("give --signatures FILE or --enter"))
    with opened(ctx) as db:
        from juwei.elections.recall import add_signatures

        result = add_signatures(
            db,
            petition_id,
            signers,
            on=day_or_today(on),
            skip_invalid=skip_invalid,
            community=st.community,
            operator=st.who(),
        )
    _import_report(result, as_json)


@app.command("unsign")
def unsign(
    ctx: typer.Context,
    petition_id: int = typer.Argument(..., metavar="PETITION"),
    id_number: str = typer.Option(..., "--id", help="The signer's ID number."),
    on: str = ON_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record that a signer withdrew the signature (until the petition is decided)."""
    st = state(ctx)
    with opened(ctx) as db:
        from juwei.elections.recall import withdraw_signature

        line = withdraw_signature(
            db,
            petition_id,
            id_number,
            on=day_or_today(on),
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json(
            {
                "petition": petition_id,
                "name": line.name,
                "id": line.masked_id,
                "withdrawn_on": line.withdrawn_on,
            }
        )
        return
    console.print(
        _("{name} ({masked}) withdrew from petition {id} on {day}.").format(
            name=line.name,
            masked=line.masked_id,
            id=petition_id,
            day=line.withdrawn_on.isoformat() if line.withdrawn_on else "",
        ),
        markup=False,
    )


@app.command("decide")
def decide(
    ctx: typer.Context,
    petition_id: int = typer.Argument(..., metavar="PETITION"),
    on: str = ON_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Decide whether the petition is sufficient; a sufficient one fixes the vote deadline."""
    st = state(ctx)
    with opened(ctx) as db:
        from juwei.elections.recall import decide_petition

        view = decide_petition(
            db, petition_id, on=day_or_today(on), community=st.community, operator=st.who()
        )
    if as_json:
        print_json(view.as_json())
        return
    _show(view)


@app.command("defence")
def defence(
    ctx: typer.Context,
    petition_id: int = typer.Argument(..., metavar="PETITION"),
    text: str = typer.Option(None, "--text", help="The member's defence (申辩意见)."),
    file: Path = typer.Option(None, "--file", help="A UTF-8 text file with the defence."),
    on: str = ON_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record the member's defence (申辩意见); it is printed on the recall ballot."""
    if (text is None) == (file is None):
        raise InputError(_("give the defence with --text or --file (one of them)"))
    if file is not None:
        try:
            body = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(
                _("cannot read the defence: {reason}").format(reason=error), file=str(file)
            ) from None
    else:
        body = text
    st = state(ctx)
    with opened(ctx) as db:
        from juwei.elections.recall import record_defence

        view = record_defence(
            db, petition_id, body, on=day_or_today(on), community=st.community, operator=st.who()
        )
    if as_json:
        print_json(view.as_json())
        return
    console.print(_("Defence recorded for petition {id}.").format(id=petition_id))


@app.command("vote")
def vote(
    ctx: typer.Context,
    petition_id: int = typer.Argument(..., metavar="PETITION"),
    day: str = typer.Option(..., "--day", help="The day of the recall vote, YYYY-MM-DD."),
    late: str = typer.Option(None, "--late", help="Why the vote is after its deadline."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create the recall vote (罢免表决); then print ballots with juwei ballots print."""
    st = state(ctx)
    vote_day = parse_day(day, "--day")
    assert vote_day is not None
    with opened(ctx) as db:
        from juwei.elections.recall import open_recall_vote

        view = open_recall_vote(
            db,
            petition_id,
            day=vote_day,
            late_reason=late,
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json(view.as_json())
        return
    console.print(
        _(
            "Recall vote on {day}: election {id}. Next: juwei ballots print --election {id} "
            "--copies N --out FILE.pdf"
        ).format(day=vote_day.isoformat(), id=view.vote_election_id)
    )


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Every recall petition of the community, newest first."""
    st = state(ctx)
    with opened(ctx) as db:
        from juwei.elections.recall import list_petitions

        views = list_petitions(db, community=st.community)
    if as_json:
        print_json([v.as_json() for v in views])
        return
    if not views:
        console.print(_("No recall petitions."))
        return
    table = Table()
    for header in (
        _("Petition"),
        _("Member"),
        _("Office"),
        _("Filed"),
        _("Signatures"),
        _("State"),
        _("Vote by"),
    ):
        table.add_column(header)
    for v in views:
        table.add_row(
            str(v.id),
            v.member,
            v.office,
            v.filed_on.isoformat(),
            str(v.signatures) if v.origin == "residents" else _("evaluation"),
            v.state_words,
            "" if v.vote_deadline is None else v.vote_deadline.isoformat(),
        )
    console.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    petition_id: int = typer.Argument(..., metavar="PETITION"),
    as_json: bool = JSON_OPTION,
) -> None:
    """One petition: reasons, signatures (masked), decision, deadline, defence, vote."""
    st = state(ctx)
    with opened(ctx) as db:
        from juwei.elections.recall import show_petition

        view = show_petition(db, petition_id, community=st.community)
    if as_json:
        print_json(view.as_json())
        return
    _show(view, full=True)


@app.command("print-form")
def print_form(
    ctx: typer.Context,
    petition_id: int = typer.Argument(..., metavar="PETITION"),
    out: Path = typer.Option(..., "--out", help="The PDF to write."),
    force: bool = FORCE_OPTION,
    lines: int = typer.Option(None, "--lines", help="Numbered signature lines (default: enough)."),
    font: str = typer.Option(None, "--font", envvar="JUWEI_FONT", help="PATH[#index]."),
) -> None:
    """Print the petition form (罢免联名书) with numbered signature lines."""
    from juwei.ballots.fonts import resolve_font
    from juwei.ballots.petition import render_petition_form
    from juwei.elections.recall import petition_form

    st = state(ctx)
    st.check_output(out, force=force)
    chosen = resolve_font(font)
    with opened(ctx) as db:
        form = petition_form(db, petition_id, lines=lines, community=st.community)
    pages = render_petition_form(form, out, chosen)
    console.print(
        _("Wrote {file}: {lines} signature lines on {pages} pages.").format(
            file=str(out), lines=form.lines, pages=pages
        ),
        markup=False,
    )
