"""``juwei audit log|chain|verify|export``: the append-only event log, its hash chain, the
verification of an election (from the database or from an audit package) and the audit
package itself.

``verify`` exits 0 only when every check passes, 7 (``VerificationError``) otherwise.
"""

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from juwei.commands._common import (
    JSON_OPTION,
    console,
    local_time,
    local_zone,
    print_json,
    state,
    styled,
    zone_label,
)
from juwei.commands.election import opened
from juwei.elections.audit import read_log, verify_chain
from juwei.elections.community import find_community
from juwei.errors import InputError, StateError, VerificationError, redact
from juwei.i18n import _, is_chinese

if TYPE_CHECKING:
    from juwei.elections.verify import Verification

app = typer.Typer(no_args_is_help=True)


SHOWN_PAYLOAD = 400  # characters of a payload shown in the table (--json shows it whole)


def _shortened(payload: str) -> str:
    """A payload cut for the table: a count.record of 100,000 ballots holds their digests."""
    if len(payload) <= SHOWN_PAYLOAD:
        return payload
    return (
        payload[:SHOWN_PAYLOAD]
        + "… "
        + _("({n} characters; --json shows all)").format(n=len(payload))
    )


@app.command("log")
def log(
    ctx: typer.Context,
    election: int = typer.Option(None, "--election", help="Only events of this election."),
    kind: str = typer.Option(None, "--kind", help="Only this kind, e.g. poll or count.record."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The event log of the community: sequence, time (UTC), operator, kind, payload."""
    st = state(ctx)
    with opened(ctx) as db, db.read() as session:
        comm = find_community(session, st.community)
        events = read_log(session, community_id=comm.id, election_id=election, kind=kind)
    if as_json:
        print_json(
            [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "operator": e.operator,
                    "kind": e.kind,
                    "payload": e.payload,
                }
                for e in events
            ]
        )
        return
    zone = local_zone()
    table = Table(title=_("Event log"))
    for header in (
        "#",
        _("Time ({zone})").format(zone=zone_label(zone)),
        _("Operator"),
        _("Kind"),
        _("Payload"),
    ):
        table.add_column(header, overflow="fold")
    for e in events:
        table.add_row(
            str(e.seq),
            local_time(e.at, zone).strftime("%Y-%m-%d %H:%M:%S"),
            e.operator,
            event_label(e.kind),
            redact(_shortened(e.payload)),
        )
    console.print(table)


#: Chinese names of the event kinds (the key stays in ``--json`` and in the record).
EVENT_LABELS = {
    "assembly.sit": "居民代表会议",
    "ballots.layout": "选票版式",
    "ballots.print": "印制选票",
    "candidates.confirm": "确定正式候选人",
    "community.init": "建立社区",
    "count.certify": "确认选举结果",
    "count.correct": "更正已录选票",
    "count.open": "开箱清点",
    "count.reconcile": "两人录入核对",
    "count.record": "录入选票",
    "count.result": "计票结果",
    "count.table": "计票组登记",
    "count.tally": "计票组汇总",
    "count.undo": "撤回录入",
    "election.new": "开始选举",
    "member.end": "成员离任",
    "member.evaluate": "成员考评",
    "nomination.add": "提名",
    "nomination.withdraw": "被提名人退出",
    "poll.close": "结束投票",
    "poll.issue": "发放选票",
    "poll.issue_sheet": "按签到簿发放选票",
    "poll.open": "开始投票",
    "poll.spoil": "作废选票",
    "recall.decide": "审查罢免要求",
    "recall.defence": "罢免申辩",
    "recall.petition": "提出罢免要求",
    "recall.result": "罢免表决结果",
    "recall.sign": "罢免联名签名",
    "recall.unsign": "撤回罢免签名",
    "recall.vote": "罢免表决",
    "representative.add": "居民代表就任",
    "representative.end": "居民代表离任",
    "rla.plan": "抽查方案",
    "rla.record": "抽查记录",
    "rla.round": "追加抽查轮次",
    "roll.import": "导入选民名单",
    "roll.publish": "公布选民名单",
    "vacancy.fill": "补缺",
}


def event_label(kind: str) -> str:
    """The event kind as the user reads it: its Chinese name under Chinese, else the key."""
    return EVENT_LABELS.get(kind, kind) if is_chinese() else kind


@app.command("head")
def head(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Print the head of the event chain (SEQ:HASH): publish it with the announcement."""
    from juwei.elections.audit import chain_head

    with opened(ctx) as db, db.read() as session:
        found = chain_head(session)
    if found is None:
        raise StateError(_("The event log is empty: there is no head yet."))
    if as_json:
        print_json({"seq": found.seq, "hash": found.hash, "head": str(found)})
        return
    console.print(_("Head of the event log (publish it; verify later with audit verify --head):"))
    console.print(str(found))


@app.command("chain")
def chain(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Check that no event was changed, removed or reordered (SHA-256 chain); exit 7 if so."""
    with opened(ctx) as db, db.read() as session:
        check = verify_chain(session)
    if as_json:
        print_json(
            {
                "ok": check.ok,
                "events": check.events,
                "broken_at": check.broken_at,
                "problem": check.problem,
            }
        )
    if not check.ok:
        raise VerificationError(
            _("The event log is broken: {problem}").format(problem=check.problem)
        )
    if not as_json:
        console.print(
            _("The event log is whole: {n} events, each chained to the one before.").format(
                n=check.events
            )
        )


def _show(verification: "Verification", as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "ok": verification.ok,
                "election": verification.election_id,
                "checks": [
                    {"check": c.name, "ok": c.ok, "found": c.found, "named": list(c.named)}
                    for c in verification.checks
                ],
            }
        )
    else:
        table = Table(title=_("Verification"))
        for header in (_("Check"), _("Result"), _("What was found")):
            table.add_column(header, overflow="fold")
        for c in verification.checks:
            found = redact(c.found)
            if len(c.named) > 1:
                found += "".join("\n  • " + redact(n) for n in c.named[1:])
            table.add_row(c.name, styled(("✓", "green")) if c.ok else styled(("✗", "red")), found)
        console.print(table)
    if not verification.ok:
        failed = [c.name for c in verification.checks if not c.ok]
        raise VerificationError(
            _("Verification failed: {checks}.").format(checks=", ".join(failed))
        )


@app.command("verify")
def verify(
    ctx: typer.Context,
    election: int = typer.Argument(None, help="Election number (default: the newest)."),
    pdf: list[Path] = typer.Option(
        None, "--pdf", help="A printed result sheet PDF to check (repeatable)."
    ),
    package: Path = typer.Option(
        None, "--package", help="Verify an exported audit package folder, without a database."
    ),
    head: str = typer.Option(
        None,
        "--head",
        help="A published head SEQ:HASH (juwei audit head) that the log must still hold.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Verify an election: chain, charter, accounting, ballots, result, re-tally; exit 7 if not."""
    from juwei.ballots.verify_pdf import check_pdf
    from juwei.elections.audit import chain_hashes, head_problem, package_hashes, parse_head
    from juwei.elections.readmodels import Check

    published = parse_head(head) if head is not None else None
    hashes: list[tuple[int, str]] = []

    if package is not None:
        from juwei.elections.package import verify_package

        if election is not None:
            raise InputError(_("give either an election or --package, not both"))
        verification = verify_package(package)
        if published is not None:
            hashes = package_hashes(package / "events.jsonl")
    else:
        from juwei.elections.verify import verify_database

        st = state(ctx)
        with opened(ctx) as db:
            verification = verify_database(db, election_id=election, community=st.community)
            if published is not None:
                with db.read() as session:
                    hashes = chain_hashes(session)
    if published is not None:
        problem = head_problem(hashes, published)
        verification.checks.insert(
            1,
            Check(
                _("published head"),
                problem is None,
                problem
                or _("the log holds event {seq} with the published hash, and all before it").format(
                    seq=published.seq
                ),
                () if problem is None else (str(published),),
            ),
        )
    for path in pdf or []:
        verification.checks.append(check_pdf(path, verification.digests))
    _show(verification, as_json)


@app.command("export")
def export(
    ctx: typer.Context,
    election: int = typer.Argument(..., help="Election number."),
    out: Path = typer.Option(..., "--out", help="A new or empty folder for the package."),
    force: bool = typer.Option(
        False, "--force", help="Overwrite the audit package already in that folder."
    ),
) -> None:
    """Write the audit package of an election: verify it anywhere with verify --package."""
    from juwei.elections.package import export_package

    st = state(ctx)
    with opened(ctx) as db:
        manifest = export_package(
            db, out, election_id=election, community=st.community, force=force
        )
    console.print(
        _("Wrote the audit package of election {id} into {out}: {n} files.").format(
            id=election, out=out, n=len(manifest)
        )
    )


# issue 5, risk-limiting audit (juwei/commands/rla.py): juwei audit rla plan|record|status
from juwei.commands.rla import app as rla_app  # noqa: E402

app.add_typer(rla_app, name="rla", help="Risk-limiting audit of the paper ballots.")
