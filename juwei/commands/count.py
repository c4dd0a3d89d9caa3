"""``juwei count open|import|enter|correct|run`` (the results: ``juwei.commands.results``)."""

from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import typer

from juwei.commands._common import (
    JSON_OPTION,
    confirm,
    console,
    err_console,
    print_json,
    state,
    styled,
)
from juwei.commands.double_entry import paper_entry, reconcile_command
from juwei.commands.election import ELECTION_OPTION, ON_OPTION, day_or_today, opened
from juwei.elections.ballot_id import parse_ballot_label
from juwei.elections.count import (
    BallotEntry,
    _names,
    correct_ballot,
    count_election,
    entry_tally,
    iter_ballot_file,
    open_box,
    record_ballots,
    undo_ballot,
)
from juwei.elections.db import Database
from juwei.elections.double_entry import record_second_pass, undo_second_pass
from juwei.elections.poll import read_ballot_paper
from juwei.errors import JuweiError, redact
from juwei.i18n import _

count_app = typer.Typer(no_args_is_help=True)

# issue 5, double entry (两人分别录入): pass 2 is a second clerk's independent entry
PASS_OPTION = typer.Option(
    1,
    "--pass",
    min=1,
    max=2,
    help="1: the entry that is counted; 2: a second clerk's independent entry (compared).",
)


@count_app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Ballot records: JSON Lines or CSV."),
    election: int = ELECTION_OPTION,
    pass_no: int = PASS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record returned ballots from a file, all or nothing; every bad line is reported."""
    st = state(ctx)
    entries = iter_ballot_file(file)
    if pass_no == 2:
        second_pass_import(ctx, entries, election, as_json)
        return
    with opened(ctx) as db:
        summary = record_ballots(
            db, entries, election_id=election, community=st.community, operator=st.who()
        )
    if as_json:
        print_json(
            {
                "recorded": summary.recorded,
                "valid": summary.valid,
                "invalid": summary.invalid,
                "blank": summary.blank,
                "invalid_sections": summary.invalid_sections,
            }
        )
        return
    console.print(
        _(
            "Recorded {n} ballots: {valid} valid ({blank} blank), {invalid} invalid; "
            "{sections} invalid sections."
        ).format(
            n=summary.recorded,
            valid=summary.valid,
            blank=summary.blank,
            invalid=summary.invalid,
            sections=summary.invalid_sections,
        )
    )


@count_app.command("open")
def open_(
    ctx: typer.Context,
    box: str = typer.Option(..., "--box", help="The ballot box opened (开箱)."),
    found: int = typer.Option(..., "--found", help="How many ballots were found in it."),
    on: str = ON_OPTION,
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a box opened at the count and the ballots found in it (开箱), after the poll is
    closed; then mix the ballots of all boxes and count them in numbered bundles."""
    st = state(ctx)
    with opened(ctx) as db:
        done = open_box(
            db,
            box,
            found,
            on=day_or_today(on) if on else None,
            election_id=election,
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json(asdict(done))
        return
    console.print(
        _("Box {box} opened: {found} ballots found, {issued} issued there.").format(
            box=done.box, found=done.found, issued=done.issued
        ),
        markup=False,
    )
    if done.found > done.issued:
        err_console.print(
            _("More ballots were found than were issued at this box: the count will decide."),
            markup=False,
        )


def _next_position(text: str, bundle: int, position: int) -> tuple[int, int]:
    """What the clerk typed at the ballot prompt: empty (the next position), a position in
    the bundle (``37``), or another bundle and position (``13-1``). ``ValueError``."""
    if not text:
        return bundle, position
    if text.isdigit():
        return bundle, int(text)
    return parse_ballot_label(text)


@count_app.command("enter")
def enter(
    ctx: typer.Context,
    bundle: int = typer.Option(
        ..., "--bundle", min=1, help="The numbered bundle (扎) of mixed ballots being entered."
    ),
    start: int = typer.Option(1, "--from", min=1, help="The first ballot's number in it."),
    election: int = ELECTION_OPTION,
    pass_no: int = PASS_OPTION,
) -> None:
    """Enter paper ballots one by one at the public count (唱票), bundle by bundle.

    The ballots of all opened boxes are mixed and counted into numbered bundles; each ballot
    is identified by its bundle and its number in it (12-37). Press Enter to take the next
    number, or type a number (37) or another bundle and number (13-1); q finishes, u takes
    back the last ballot saved in this session. Then for each office whether the section is
    illegible (y/N), the numbers or names marked 同意 (for), those marked 不同意 (against), and
    write-in names, separated by spaces or 、. Each ballot is confirmed and saved on its own; a
    refused ballot is explained and nothing is saved. With --pass 2 a second clerk enters the
    same ballots independently (compared by juwei count reconcile; never counted).
    """
    st = state(ctx)
    second = pass_no == 2
    with opened(ctx) as db:
        paper = read_ballot_paper(db, election_id=election, community=st.community)
        entered = 0
        last: list[str] = []
        position = start
        try:
            while True:
                typed = typer.prompt(
                    _(
                        "Ballot {bundle}-{position} (Enter; or a number; q to finish, u to undo)"
                    ).format(bundle=bundle, position=position),
                    default="",
                    show_default=False,
                ).strip()
                if typed.lower() in ("q", "quit"):
                    break
                if typed.lower() in ("u", "undo"):
                    if not last:
                        err_console.print(_("Nothing to undo."))
                        continue
                    taken = last.pop()
                    (undo_second_pass if second else undo_ballot)(
                        db,
                        taken,
                        election_id=election,
                        community=st.community,
                        operator=st.who(),
                    )
                    bundle, position = parse_ballot_label(taken)  # that ballot is next again
                    entered -= 1
                    console.print(
                        _("Last ballot taken back. Ballots entered: {n}.").format(n=entered)
                    )
                    if not second:
                        _show_totals(db, election, st.community)
                    continue
                try:
                    bundle, position = _next_position(typed, bundle, position)
                    serial = BallotEntry(bundle, position, {}).ballot
                except ValueError as error:
                    err_console.print(str(error))
                    continue
                sections: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}
                illegible: list[str] = []
                for office in paper.offices:
                    console.print(
                        styled(
                            (office.title, "bold"),
                            " " + "  ".join(f"{c.number}.{c.name}" for c in office.candidates),
                        )
                    )
                    if confirm(_("  illegible?"), default=False):
                        illegible.append(office.title)
                        continue
                    recall = paper.kind == "recall"  # ---- recall ballot: 赞成罢免 / 不赞成罢免
                    for_ = _names(
                        typer.prompt(
                            _("  for recall (赞成罢免)")
                            if recall
                            else _("  for (numbers or names)"),
                            default="",
                            show_default=False,
                        )
                    )
                    against = _names(
                        typer.prompt(
                            _("  against recall (不赞成罢免)") if recall else _("  against"),
                            default="",
                            show_default=False,
                        )
                    )
                    write_in = (
                        _names(typer.prompt(_("  write-ins"), default="", show_default=False))
                        if office.write_ins
                        else ()
                    )
                    if for_ or against or write_in:
                        sections[office.title] = (for_, against, write_in)
                if not confirm(_("Save ballot {serial}?").format(serial=serial), default=True):
                    console.print(_("Not saved."))
                    continue
                entry = BallotEntry(
                    bundle, position, sections, tuple(illegible), "keyboard", entered + 1
                )
                try:
                    if second:
                        record_second_pass(
                            db,
                            [entry],
                            election_id=election,
                            community=st.community,
                            operator=st.who(),
                        )
                    else:
                        summary = record_ballots(
                            db,
                            [entry],
                            election_id=election,
                            community=st.community,
                            operator=st.who(),
                        )
                except JuweiError as error:
                    refused = _("Refused")
                    err_console.print(styled((f"{refused}:", "red"), " ", redact(str(error))))
                    continue
                entered += 1
                position += 1
                last.append(serial)
                if second:
                    console.print(
                        _("Saved ballot {serial} (second pass). Ballots entered: {n}.").format(
                            serial=serial, n=entered
                        )
                    )
                    continue
                state_word = _("valid") if summary.valid else _("invalid")
                console.print(
                    _("Saved ballot {serial} ({state}). Ballots entered: {n}.").format(
                        serial=serial, state=state_word, n=entered
                    )
                )
                _show_totals(db, election, st.community)
        except typer.Abort:  # end of input (Ctrl-D, Ctrl-Z): finish, exit 0
            console.print()
            console.print(_("End of input: the ballot being typed was not saved."))
    console.print(_("{n} ballots entered.").format(n=entered))


def _show_totals(db: Database, election: int | None, community: str | None) -> None:
    """The running totals after a ballot is saved or taken back: the engine's own tally
    (``count.entry_tally``), so that they always equal what ``count run`` will count."""
    tally = entry_tally(db, election_id=election, community=community)
    console.print(
        _("  Totals: {n} ballots, {valid} valid ({blank} blank), {invalid} invalid.").format(
            n=tally.recorded, valid=tally.valid, blank=tally.blank, invalid=tally.invalid
        )
    )
    for office in tally.offices:
        votes = "  ".join(f"{name} {n}" for name, n in office.votes)
        invalid = (
            _("({n} invalid sections)").format(n=office.invalid_sections)
            if office.invalid_sections
            else ""
        )
        if votes or invalid:
            console.print(f"  {office.title}: {votes} {invalid}".rstrip())


def second_pass_import(
    ctx: typer.Context, entries: Iterable[BallotEntry | JuweiError], election: int, as_json: bool
) -> None:
    """``count import --pass 2``: store the second clerk's entries (never counted)."""
    st = state(ctx)
    with opened(ctx) as db:
        summary = record_second_pass(
            db,
            entries,  # type: ignore[arg-type]
            election_id=election,
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json({"pass": 2, "entered": summary.entered})
        return
    console.print(
        _(
            "Second pass: {n} ballots entered (not counted; compare with juwei count reconcile)."
        ).format(n=summary.entered)
    )


@count_app.command("correct")
def correct(
    ctx: typer.Context,
    ballot: str = typer.Option(..., "--ballot", help="The ballot: bundle-number, e.g. 12-37."),
    paper: str = typer.Option(
        ...,
        "--paper",
        help="What the paper ballot shows: a JSON ballot record or a file holding that ballot.",
    ),
    reason: str = typer.Option(..., "--reason", help="Why the record is corrected."),
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Correct a recorded ballot before the count (the record is entered again as the paper
    shows; the reason, the operator and the old and new reading are logged)."""
    st = state(ctx)
    entry = paper_entry(paper, ballot)
    with opened(ctx) as db:
        done = correct_ballot(
            db,
            entry,
            reason=reason,
            election_id=election,
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json(asdict(done))
        return
    console.print(
        _("Ballot {ballot} corrected ({state}).").format(
            ballot=done.ballot, state=_("valid") if done.valid else _("invalid")
        ),
        markup=False,
    )


@count_app.command("run")
def run(
    ctx: typer.Context,
    all_in: bool = typer.Option(
        False,
        "--all-in",
        hidden=True,
        help="Accepted for older scripts: the box opening (juwei count open) says what came back.",
    ),
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Count the entered ballots under the election's pinned charter (final)."""
    st = state(ctx)
    with opened(ctx) as db:
        summary = count_election(
            db, election_id=election, community=st.community, all_in=all_in, operator=st.who()
        )
    if as_json:
        print_json(
            {
                "election": summary.election_id,
                "valid": summary.valid,
                "complete": summary.complete,
                "reason": summary.reason,
                "digest": summary.digest,
                "rounds": list(summary.rounds),
            }
        )
        return
    if not summary.valid:
        console.print(_("The election is void: {reason}").format(reason=summary.reason))
        return
    console.print(_("Counted. Result digest {digest}.").format(digest=summary.digest[:16]))
    for round_id in summary.rounds:
        console.print(
            _("A further round is needed: election {id} (see juwei election show {id}).").format(
                id=round_id
            )
        )


# issue 5, double entry: juwei count reconcile (juwei/commands/double_entry.py)
count_app.command("reconcile")(reconcile_command)
