"""``juwei audit rla plan|record|status``: the risk-limiting audit of the paper ballots."""

from pathlib import Path

import typer
from rich.table import Table

from juwei.commands import _values
from juwei.commands._common import JSON_OPTION, console, print_json, state
from juwei.commands.election import ELECTION_OPTION, opened
from juwei.elections.ballot_id import parse_ballot_label
from juwei.elections.count import BallotEntry, iter_ballot_file
from juwei.elections.rla import draw_next_round, parse_risk_limit, plan, record, status
from juwei.errors import InputError
from juwei.i18n import _

app = typer.Typer(no_args_is_help=True)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.2f}%"


@app.command("plan")
def plan_(
    ctx: typer.Context,
    election_arg: int = typer.Argument(None, metavar="ELECTION", help="Election number."),
    risk_limit: str = typer.Option(
        "0.05", "--risk-limit", help="The largest chance of missing a wrong outcome, e.g. 0.05."
    ),
    seed: str = typer.Option(
        ..., "--seed", help="At least 20 digits picked in public, e.g. by dice."
    ),
    kind: str = typer.Option(
        "comparison",
        "--kind",
        help="comparison: each paper ballot against its entry; polling: BRAVO.",
        callback=_values.RLA_KIND_VALUE,
    ),
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Plan the audit of a counted election: sample sizes per office and the ballots to pull.

    The sample is drawn from the seed with Rivest's SHA-256 sampler, so anyone can redraw
    it; a tied or nearly tied office goes straight to a full hand count.
    """
    st = state(ctx)
    limit = parse_risk_limit(risk_limit)
    with opened(ctx) as db:
        done = plan(
            db,
            risk_limit=limit,
            seed=seed,
            kind=kind,
            election_id=election_arg if election_arg is not None else election,
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json(
            {
                "election": done.election_id,
                "seed": done.seed,
                "risk_limit": str(done.risk_limit),
                "kind": done.kind,
                "ballots": done.ballots,
                "offices": [
                    {
                        "office": o.title,
                        "rule": o.rule,
                        "polling": o.polling,
                        "comparison": o.comparison,
                        "full_hand_count": o.hand_count,
                        "diluted_margin": o.diluted_margin,
                        "assertions": list(o.assertions),
                    }
                    for o in done.offices
                ],
                "draws": [{"position": p, "ticket": t, "serial": s} for p, t, s in done.draws],
                "to_pull": done.to_pull,
            }
        )
        return
    table = Table(
        title=_("Risk-limiting audit plan (risk limit {limit})").format(
            limit=_percent(float(done.risk_limit))
        )
    )
    for header in (_("Office"), _("Ballot polling"), _("Ballot comparison"), _("Decision")):
        table.add_column(header)
    for o in done.offices:
        decision = _("full hand count") if o.hand_count else _("sample")
        table.add_row(
            o.title,
            "—" if o.polling is None else str(o.polling),
            "—" if o.comparison is None else str(o.comparison),
            f"{decision} ({o.rule})",
        )
    console.print(table)
    console.print(
        _("{n} draws ({k}) from {total} ballots with seed {seed}; pull these {m} ballots:").format(
            n=len(done.draws),
            k=_("Ballot polling") if done.kind == "polling" else _("Ballot comparison"),
            total=done.ballots,
            seed=done.seed,
            m=len(done.to_pull),
        )
    )
    console.print("  ".join(done.to_pull))
    if any(o.hand_count for o in done.offices):
        console.print(
            _("Offices marked full hand count must be counted again by hand, every ballot.")
        )


def _entry(
    serial: str, fors: list[str], against: list[str], write_in: list[str], illegible: list[str]
) -> BallotEntry:
    sections: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for kind, values in (("for", fors), ("against", against), ("write_in", write_in)):
        for value in values:
            office, sep, name = value.partition(":")
            if not sep:
                office, sep, name = value.partition("：")
            if not sep or not office.strip() or not name.strip():
                raise InputError(
                    _("give OFFICE:NAME, e.g. 主任:张三 or 委员:3 (got {value})").format(
                        value=value
                    ),
                    column="--" + kind.replace("_", "-"),
                )
            lists = sections.setdefault(office.strip(), ([], [], []))
            lists[("for", "against", "write_in").index(kind)].append(name.strip())
    try:
        bundle, position = parse_ballot_label(serial)
    except ValueError as error:
        raise InputError(str(error), column="BALLOT") from None
    return BallotEntry(
        bundle,
        position,
        {k: (tuple(a), tuple(b), tuple(c)) for k, (a, b, c) in sections.items()},
        tuple(i.strip() for i in illegible),
        "command line",
        1,
    )


@app.command("record")
def record_(
    ctx: typer.Context,
    serial: str = typer.Argument(
        None, help="The drawn ballot: bundle-number, e.g. 12-37 (or use --file)."
    ),
    fors: list[str] = typer.Option(
        None, "--for", help="OFFICE:NAME or OFFICE:NUMBER marked 同意; repeat as needed."
    ),
    against: list[str] = typer.Option(None, "--against", help="OFFICE:NAME marked 不同意."),
    write_in: list[str] = typer.Option(None, "--write-in", help="OFFICE:NAME written in."),
    illegible: list[str] = typer.Option(None, "--illegible", help="An office ruled unreadable."),
    blank: bool = typer.Option(
        False, "--blank", help="The paper ballot is blank (no marks at all)."
    ),
    file: Path = typer.Option(
        None, "--file", help="Ballot records (JSON Lines or CSV, as count import) of drawn ballots."
    ),
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record what drawn paper ballots show (a blank ballot: --blank)."""
    st = state(ctx)
    if (serial is None) == (file is None):
        raise InputError(_("give a SERIAL with its marks, or --file, not both"))
    marked = bool(fors or against or write_in or illegible)
    if serial is not None and not marked and not blank:
        raise InputError(
            _(
                "no marks given for {serial}: give the marks the paper shows (--for, "
                "--against, --write-in, --illegible), or --blank for a blank ballot"
            ).format(serial=serial),
            column="--for",
        )
    if blank and (marked or file is not None):
        raise InputError(_("--blank is for one serial without marks"), column="--blank")
    entries = (
        iter_ballot_file(file)
        if file is not None
        else [_entry(serial, fors or [], against or [], write_in or [], illegible or [])]
    )
    with opened(ctx) as db:
        n = record(db, entries, election_id=election, community=st.community, operator=st.who())
    if as_json:
        print_json({"recorded": n})
        return
    console.print(_("Recorded {n} audited ballots.").format(n=n))


@app.command("status")
def status_(
    ctx: typer.Context,
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The measured risk per office; whether the audit is complete or must escalate."""
    st = state(ctx)
    with opened(ctx) as db:
        found = status(db, election_id=election, community=st.community)
    if as_json:
        print_json(
            {
                "election": found.election_id,
                "seed": found.seed,
                "risk_limit": str(found.risk_limit),
                "kind": found.kind,
                "round": found.round,
                "draws": found.draws,
                "observed": found.observed,
                "to_record": list(found.to_record),
                "verdict": found.verdict,
                "next_round": found.next_round,
                "offices": [
                    {
                        "office": o.title,
                        "state": o.state,
                        "risk": o.risk,
                        "rule": o.rule,
                        "next_round": o.next_round,
                    }
                    for o in found.offices
                ],
            }
        )
        return
    words = {
        "complete": _("complete: risk at or below the limit"),
        "continue": _("continue: record more drawn ballots"),
        "next_round": _("next round: {n} more draws"),
        "escalate": _("escalate: full hand count"),
        "hand_count": _("full hand count (planned)"),
    }
    table = Table(
        title=_("Risk-limiting audit, round {round}: {observed} of {draws} draws recorded").format(
            round=found.round, observed=found.observed, draws=found.draws
        )
    )
    for header in (_("Office"), _("Measured risk"), _("State")):
        table.add_column(header)
    for o in found.offices:
        word = words[o.state].format(n=o.next_round)
        table.add_row(o.title, _percent(o.risk), f"{word} ({o.rule})")
    console.print(table)
    if found.to_record:
        console.print(_("Still to record: {serials}").format(serials="  ".join(found.to_record)))
    verdict = {
        "complete": _(
            "The audit is complete: every office's outcome is confirmed at the risk limit {limit}."
        ),
        "continue": _("The audit goes on: record the remaining drawn ballots."),
        "escalate": _("Escalate: count every ballot of the offices marked above by hand."),
        "next_round": _(
            "Round {round} is recorded and the risk is still above the limit {limit}: the next "
            "round draws {n} more ballots (juwei audit rla round), from the same seed; a full "
            "hand count only when the sample would reach all {total} ballots."
        ),
    }[found.verdict]
    console.print(
        verdict.format(
            limit=_percent(float(found.risk_limit)),
            round=found.round,
            n=found.next_round,
            total=found.ballots,
        )
    )
    if found.verdict == "escalate" and found.next_round:
        console.print(
            _(
                "The other offices need a further round of {n} draws (juwei audit rla round)."
            ).format(n=found.next_round)
        )


@app.command("round")
def round_(
    ctx: typer.Context,
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Draw the next round of the audit when status says one is due (Arlo's escalation):
    its size comes from the risk measured so far; the draws continue the same seed."""
    st = state(ctx)
    with opened(ctx) as db:
        drawn = draw_next_round(db, election_id=election, community=st.community, operator=st.who())
    if as_json:
        print_json(
            {
                "election": drawn.election_id,
                "round": drawn.number,
                "draws": [{"position": p, "ticket": t, "serial": s} for p, t, s in drawn.draws],
                "to_pull": list(drawn.to_pull),
                "total": drawn.total,
            }
        )
        return
    console.print(
        _(
            "Round {round}: {n} more draws (draws {first} to {total}); pull these {m} ballots:"
        ).format(
            round=drawn.number,
            n=len(drawn.draws),
            first=drawn.draws[0][0] if drawn.draws else drawn.total,
            total=drawn.total,
            m=len(drawn.to_pull),
        )
    )
    console.print("  ".join(drawn.to_pull))
