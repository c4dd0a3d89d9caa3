"""``juwei count reconcile``: compare the two clerks' entries and resolve each difference.

Registered on the ``count`` sub-app by ``juwei.commands.count`` (issue 5, double entry).
"""

from pathlib import Path

import typer
from rich.table import Table

from juwei.commands._common import JSON_OPTION, console, print_json, state
from juwei.commands.election import ELECTION_OPTION, opened
from juwei.elections.ballot_id import parse_ballot_label
from juwei.elections.count import BallotEntry, read_ballot_file
from juwei.elections.double_entry import candidate_names, describe, reconcile, resolve
from juwei.errors import InputError
from juwei.i18n import _


def paper_entry(value: str, ballot: str) -> BallotEntry:
    """``--paper``: what paper ballot ``ballot`` (``"12-37"``) shows, as a JSON ballot record
    (one line; bundle and position may be left out) or a file holding exactly that one ballot.
    Raises ``InputError`` (``--paper``) otherwise."""
    try:
        bundle, position = parse_ballot_label(ballot)
    except ValueError as error:
        raise InputError(str(error), column="--ballot") from None
    text = value.strip()
    if not text.startswith("{"):
        path = Path(value)
        entries = read_ballot_file(path)
    else:
        import json

        from juwei.elections.count import _names

        try:
            obj = json.loads(text)
            if not isinstance(obj, dict) or not isinstance(obj.get("sections", {}), dict):
                raise ValueError(_("sections must be an object keyed by office"))
            sections = {
                str(office): (
                    _names(marks.get("for")),
                    _names(marks.get("against")),
                    _names(marks.get("write_in")),
                )
                for office, marks in (obj.get("sections") or {}).items()
            }
        except (ValueError, AttributeError) as error:
            raise InputError(
                _("not a ballot record: {reason}").format(reason=error), column="--paper"
            ) from None
        entries = [
            BallotEntry(
                int(obj.get("bundle") or bundle),
                int(obj.get("position") or position),
                sections,
                _names(obj.get("illegible")),
                "--paper",
                1,
            )
        ]
    if len(entries) != 1 or (entries[0].bundle, entries[0].position) != (bundle, position):
        raise InputError(
            _("--paper must hold exactly one ballot, {ballot}").format(ballot=ballot),
            column="--paper",
        )
    return entries[0]


def reconcile_command(
    ctx: typer.Context,
    serial: str = typer.Option(
        None, "--ballot", help="Resolve this ballot's difference: bundle-number, e.g. 12-37."
    ),
    accept: int = typer.Option(
        None, "--accept", help="After re-reading the paper: 1 or 2, the pass that read it right."
    ),
    paper: str = typer.Option(
        None,
        "--paper",
        help="After re-reading the paper: what it shows, as a JSON ballot record or a file.",
    ),
    election: int = ELECTION_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Compare the two clerks' entries (两人分别录入): every ballot read differently or
    entered by one clerk only. With --ballot and --accept or --paper, resolve one after the
    paper ballot has been re-read (the counted record is corrected to what the paper shows).
    """
    st = state(ctx)
    with opened(ctx) as db:
        if serial is not None:
            entry = paper_entry(paper, serial) if paper is not None else None
            done = resolve(
                db,
                serial,
                accept=accept,
                paper=entry,
                election_id=election,
                community=st.community,
                operator=st.who(),
            )
            if as_json:
                print_json(
                    {
                        "ballot": done.ballot,
                        "paper": done.reading,
                        "accepted_pass": done.accepted_pass,
                        "corrected": done.corrected,
                    }
                )
                return
            agreed = (
                _("pass {n} read it right").format(n=done.accepted_pass)
                if done.accepted_pass
                else _("neither pass read it right")
            )
            fixed = (
                _("the counted record was corrected to what the paper shows")
                if done.corrected
                else _("the counted record already showed this")
            )
            console.print(
                _("Ballot {serial} resolved: {agreed}; {fixed}.").format(
                    serial=serial, agreed=agreed, fixed=fixed
                )
            )
            return
        if accept is not None or paper is not None:
            raise InputError(_("--accept and --paper need --ballot"))
        result = reconcile(db, election_id=election, community=st.community)
        names, titles = candidate_names(db, election_id=election, community=st.community)
    if as_json:
        print_json(
            {
                "second_pass": result.second_pass,
                "first": result.first,
                "second": result.second,
                "agreeing": result.agreeing,
                "unresolved": result.unresolved,
                "differences": [
                    {
                        "ballot": d.ballot,
                        "pass1": d.first,
                        "pass2": d.second,
                        "resolved": d.resolved,
                    }
                    for d in result.differences
                ],
            }
        )
        return
    if not result.second_pass:
        console.print(
            _("No second pass has been entered ({n} ballots in the first pass).").format(
                n=result.first
            )
        )
        return
    console.print(
        _(
            "First pass {first} ballots, second pass {second}; {agree} read the same, "
            "{diff} differ or are missing, {open} not yet resolved."
        ).format(
            first=result.first,
            second=result.second,
            agree=result.agreeing,
            diff=len(result.differences),
            open=result.unresolved,
        )
    )
    if not result.differences:
        return
    table = Table(title=_("Ballots to re-read"))
    for header in (_("Ballot"), _("Pass 1 read"), _("Pass 2 read"), _("Resolved")):
        table.add_column(header, overflow="fold")
    missing = _("(not entered)")
    for d in result.differences:
        one = "\n".join(describe(d.first, names, titles)) or _("(blank)")
        two = "\n".join(describe(d.second, names, titles)) or _("(blank)")
        table.add_row(
            d.ballot,
            one if d.first is not None else missing,
            two if d.second is not None else missing,
            _("yes") if d.resolved else _("no"),
        )
    console.print(table)
    if result.unresolved:
        console.print(
            _(
                "Re-read each paper ballot, then: juwei count reconcile --ballot 12-37 "
                "--accept 1|2, or --paper '{\"sections\": …}' when neither read it right."
            )
        )
