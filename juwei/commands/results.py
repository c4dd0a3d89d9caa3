"""``juwei results show|export|print|certify``: the count's results and certification."""

from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from juwei.commands._common import (
    FORCE_OPTION,
    JSON_OPTION,
    console,
    print_json,
    state,
    styled,
)
from juwei.commands.election import ELECTION_OPTION, ON_OPTION, day_or_today, opened
from juwei.elections.community import election_charter
from juwei.elections.count import certified_term, certify, result_sheet
from juwei.elections.db import Database
from juwei.elections.election import find_election
from juwei.elections.readmodels import RecallResult, RecallThreshold, ResultSheet
from juwei.errors import InputError
from juwei.i18n import _
from juwei.rules.charter import RuleRow
from juwei.rules.law import count_rule_keys

results_app = typer.Typer(no_args_is_help=True)


def _provisional_applied(
    db: Database, community: str | None, election: int | None
) -> list[RuleRow]:
    """The provisional rules of the election's pinned charter that its count applies."""
    with db.read() as session:
        found = find_election(session, community, election)
        keys = ("recall",) if found.kind == "recall" else count_rule_keys(found.mode)
        return election_charter(session, found).provisional_in(keys)


@results_app.command("show")
def show(ctx: typer.Context, election: int = ELECTION_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The result per office: votes, percentage of ballots returned, elected, next round."""
    st = state(ctx)
    with opened(ctx) as db:
        sheet = result_sheet(db, election_id=election, community=st.community)
        provisional = _provisional_applied(db, st.community, election)
    if as_json:
        print_json(
            {"provisional_rules": [r.key for r in provisional]}
            | {
                "title": sheet.election_title,
                "day": sheet.election_day,
                "registered_voters": sheet.registered_voters,
                "printed": sheet.ballots_printed,
                "issued": sheet.ballots_issued,
                "returned": sheet.ballots_returned,
                "valid_ballots": sheet.ballots_valid,
                "blank_ballots": sheet.ballots_blank,
                "invalid_ballots": sheet.ballots_invalid,
                "valid": sheet.valid,
                "validity": sheet.validity_reason,
                "women": sheet.women_note or None,
                "digest": sheet.digest,
                "offices": [
                    {
                        "office": o.title,
                        "seats": o.seats,
                        "threshold": o.threshold_words,
                        "decision": o.decision,
                        "rules": list(o.rules),
                        "results": [
                            {
                                "name": c.name,
                                "votes": c.votes,
                                "elected": c.elected,
                                "write_in": not c.on_ballot,
                                "note": c.note,
                            }
                            for c in o.results
                        ],
                    }
                    for o in sheet.offices
                ],
            }
            | ({"recalls": [_recall_json(r) for r in sheet.recalls]} if sheet.recalls else {})
        )
        return
    console.print(styled((sheet.election_title, "bold"), "  " + sheet.election_day.isoformat()))
    console.print(
        _(
            "Registered voters {reg:,}; ballots printed {p:,}, issued {i:,}, returned "
            "{r:,} (valid {v:,}, of which blank {b:,}; invalid {x:,})."
        ).format(
            b=sheet.ballots_blank,
            reg=sheet.registered_voters,
            p=sheet.ballots_printed,
            i=sheet.ballots_issued,
            r=sheet.ballots_returned,
            v=sheet.ballots_valid,
            x=sheet.ballots_invalid,
        )
    )
    if provisional:
        console.print(
            _(
                "This result applies provisional rules (official wording not confirmed; check "
                "them against the province's 选举办法): {rules}"
            ).format(rules=", ".join(f"{r.key} ({r.source})" for r in provisional)),
            markup=False,
        )
    if sheet.kind == "recall":  # ---- a recall vote: 赞成罢免 / 不赞成罢免 / 弃权, no one elected
        _show_recall(sheet)
        return
    console.print(sheet.validity_reason)
    returned = max(sheet.ballots_returned, 1)
    for office in sheet.offices:
        seats_word = _("seats")
        table = Table(title=f"{office.title}（{seats_word} {office.seats}）")
        table.add_column(_("Name"))
        table.add_column(_("Votes"), justify="right")
        table.add_column(_("% of ballots returned"), justify="right")
        table.add_column("")
        table.add_column(_("Result"))
        top = max((c.votes for c in office.results), default=1) or 1
        for c in office.results:
            bar = "█" * (20 * c.votes // top)
            pct = f"{100 * c.votes // returned}.{(1000 * c.votes // returned) % 10}%"
            mark = styled(("✔ " + _("elected"), "green")) if c.elected else styled(c.note)
            name = c.name + ("" if c.on_ballot else " " + _("(write-in)"))
            table.add_row(name, f"{c.votes:,}", pct, bar, mark)
        console.print(table)
        console.print(f"  {office.threshold_words}  {office.decision}")
    if sheet.women_note:
        console.print(styled((sheet.women_note, "yellow")))
    console.print(_("Result digest: {digest}").format(digest=sheet.digest))


def _recall_json(recall: RecallResult) -> dict[str, object]:
    """A recall result as JSON: every field; the thresholds as objects (turnout may be null)."""
    return asdict(recall)


def _show_recall(sheet: ResultSheet) -> None:
    """A recall vote's result on the terminal: per member named, the votes, the thresholds
    applied and the decision (罢免通过 / 罢免未通过) with its rule and source."""
    if not sheet.valid:
        console.print(_("The recall vote is void.") + " " + sheet.validity_reason)
    for recall in sheet.recalls:
        total = max(recall.valid_sections, 1)
        table = Table(
            title=_("Member named: {name} ({office})").format(
                name=recall.name, office=recall.office
            )
        )
        table.add_column("")
        table.add_column(_("Votes"), justify="right")
        table.add_column(_("% of valid ballots"), justify="right")
        for label, votes in (
            (_("For recall"), recall.votes_for),
            (_("Against recall"), recall.votes_against),
            (_("Abstentions"), recall.abstentions),
        ):
            pct = f"{100 * votes // total}.{(1000 * votes // total) % 10}%"
            table.add_row(label, f"{votes:,}", pct)
        console.print(table)
        checks: list[tuple[str, RecallThreshold | None]] = [
            (_("Turnout: {words}"), recall.turnout),
            (_("For recall: {words}"), recall.approval),
        ]
        for label, check in checks:
            if check is None:
                console.print("  " + _("The charter sets no turnout threshold for a recall vote."))
                continue
            console.print(
                "  "
                + _("{threshold}: {count} of {base}, at least {minimum} needed: {met}").format(
                    threshold=label.format(words=check.words),
                    count=check.count,
                    base=check.base,
                    minimum="—" if check.minimum is None else check.minimum,
                    met=_("met") if check.met else _("not met"),
                )
            )
        verdict = _("Recall passed") if recall.passed else _("Recall not passed")
        console.print(styled((verdict, "bold"), "  " + recall.decision))
    console.print(_("Result digest: {digest}").format(digest=sheet.digest))


@results_app.command("export")
def export(
    ctx: typer.Context,
    out: Path = typer.Option(
        ..., "--out", help="The file to write: .xlsx, or CSV (UTF-8 with BOM) for any other name."
    ),
    election: int = ELECTION_OPTION,
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Export the result for Excel: one row per candidate and office, with the ballot figures."""
    from juwei.elections.exports import export_results

    st = state(ctx)
    st.check_output(out, force=force)
    with opened(ctx) as db:
        sheet = result_sheet(db, election_id=election, community=st.community)
    rows = export_results(sheet, out)
    if as_json:
        print_json({"out": str(out), "rows": rows})
        return
    console.print(_("Wrote {out}: {n} rows.").format(out=out, n=rows))


@results_app.command("print")
def print_(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="Folder for the PDFs."),
    font: str = typer.Option(None, "--font", envvar="JUWEI_FONT", help="PATH[#index]."),
    election: int = ELECTION_OPTION,
    force: bool = FORCE_OPTION,
) -> None:
    """Print the result sheet (计票结果报告单), the announcement (当选公告), the certificates.

    For a recall vote: the recall result sheet and announcement (罢免结果公告)."""
    from juwei.ballots.fonts import resolve_font
    from juwei.ballots.results import (
        render_announcement,
        render_certificates,
        render_result_sheet,
    )

    st = state(ctx)
    if out.exists() and not out.is_dir():
        raise InputError(_("this is a file; give a folder for the PDFs"), file=str(out))
    for name in ("result-sheet.pdf", "announcement.pdf", "certificates.pdf"):
        st.check_output(out / name, force=force)
    chosen = resolve_font(font)
    with opened(ctx) as db:
        sheet = result_sheet(db, election_id=election, community=st.community)
        term = certified_term(db, election_id=election, community=st.community)
    out.mkdir(parents=True, exist_ok=True)
    render_result_sheet(sheet, out / "result-sheet.pdf", chosen)
    written = ["result-sheet.pdf"]
    if sheet.valid:  # a recall vote: the recall result announcement (罢免结果公告)
        render_announcement(sheet, out / "announcement.pdf", chosen)
        written.append("announcement.pdf")
        if sheet.kind != "recall" and any(c.elected for o in sheet.offices for c in o.results):
            render_certificates(sheet, out / "certificates.pdf", chosen, term)
            written.append("certificates.pdf")
    console.print(_("Wrote {files} into {out}.").format(files=", ".join(written), out=out))


@results_app.command("certify")
def certify_(
    ctx: typer.Context,
    on: str = ON_OPTION,
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Lock the count and seat the elected members for the charter's term."""
    st = state(ctx)
    with opened(ctx) as db:
        seated = certify(
            db, on=day_or_today(on), election_id=election, community=st.community, operator=st.who()
        )
    if as_json:
        print_json(
            [
                {
                    "name": m.name,
                    "office": m.office,
                    "term_start": m.term_start,
                    "term_end": m.term_end,
                }
                for m in seated
            ]
        )
        return
    if not seated:  # ---- a recall vote seats nobody: say what it decided
        from juwei.elections.recall import recall_certified_note

        with opened(ctx) as db:
            note = recall_certified_note(db, election_id=election, community=st.community)
        if note:
            console.print(note)
            return
    for m in seated:
        console.print(
            _("{office}: {name}, term {start} to {end}").format(
                office=m.office,
                name=m.name,
                start=m.term_start.isoformat(),
                end=m.term_end.isoformat(),
            )
        )
    console.print(_("Certified: {n} members seated.").format(n=len(seated)))
