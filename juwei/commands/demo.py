"""``juwei demo``: a whole general election on a temporary embedded database.

A synthetic community of about 3,000 voters in 16 residents' groups under the 钱牌 charter:
roll imported, voter list published, joint nominations, the slate confirmed (差额), ballots
printed and issued from a sign-in sheet, returned ballots imported (a few blank and invalid),
counted — which leaves one 委员 seat to a supplementary round (另行选举), run the same way —
results printed and certified. Every PDF goes into ``--out``.
"""

import json
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from juwei.commands._common import console, state, styled
from juwei.elections.community import init_community
from juwei.elections.count import (
    certify,
    count_election,
    iter_ballot_file,
    open_box,
    record_ballots,
    result_sheet,
)
from juwei.elections.db import Database
from juwei.elections.election import new_election
from juwei.elections.nomination import confirm_candidates, nominate
from juwei.elections.poll import close_poll, issue_from_sheet, print_ballots, read_ballot_paper
from juwei.elections.readmodels import BallotPaper, ResultSheet
from juwei.elections.roll import import_roll, roll_stats, voter_listing
from juwei.elections.synthetic import (
    SyntheticVoter,
    synthetic_ballots,
    synthetic_roll,
    write_roll_csv,
)
from juwei.i18n import _

if TYPE_CHECKING:
    from juwei.ballots.fonts import FontChoice

# chance that a voter marks each candidate 同意, in ballot order
FIRST_ROUND = {
    "主任": [0.72, 0.24],
    "副主任": [0.30, 0.66],
    "委员": [0.78, 0.74, 0.71, 0.69, 0.44, 0.42, 0.30],
}
SUPPLEMENTARY = {"委员": [0.55, 0.35, 0.30, 0.20]}


def demo(
    ctx: typer.Context,
    out: Path = typer.Option(Path("juwei-demo"), "--out", help="Folder for the PDFs."),
    voters: int = typer.Option(3000, "--voters", min=300, max=200_000, help="Synthetic voters."),
    seed: int = typer.Option(2026, "--seed", help="Seed of the synthetic community."),
    font: str = typer.Option(None, "--font", envvar="JUWEI_FONT", help="PATH[#index] of a font."),
) -> None:
    """Run a whole general election on a temporary database; PDFs into --out."""
    from juwei.ballots.ballot_paper import render_ballots
    from juwei.ballots.candidate_list import render_candidate_list
    from juwei.ballots.fonts import resolve_font
    from juwei.ballots.results import (
        render_announcement,
        render_certificates,
        render_result_sheet,
    )
    from juwei.ballots.voter_list import render_voter_list

    op = state(ctx).operator or "demo"
    day = date.today() + timedelta(days=30)
    out.mkdir(parents=True, exist_ok=True)
    chosen = resolve_font(font)

    def say(text: str) -> None:
        console.print(styled(("›", "bold cyan"), " " + text))

    with tempfile.TemporaryDirectory(prefix="juwei-demo-") as tmp:
        folder = Path(tmp)
        people = list(synthetic_roll(voters, groups=16, seed=seed, as_of=day))
        write_roll_csv(folder / "roll.csv", people)
        db = Database(f"sqlite:///{folder / 'demo.db'}")
        try:
            init_community(db, "示例社区", "qianpai", operator=op)
            import_roll(db, folder / "roll.csv", as_of=day, operator=op)
            stats = roll_stats(db, as_of=day)
            say(
                _(
                    "{total} voters in {households} households and {groups} residents' groups."
                ).format(total=stats.total, households=stats.households, groups=len(stats.by_group))
            )
            render_voter_list(voter_listing(db, as_of=day), out / "voter-list.pdf", chosen)
            info = new_election(db, day=day, operator=op)
            say(
                _("Election {id}: {title}, on {day}.").format(
                    id=info.id, title=info.title, day=day.isoformat()
                )
            )
            ids = [p.id_number for p in people]
            plan = {"director": 2, "deputy": 2, "member": 7}
            backer, nominee = 100, 0
            for office, n in plan.items():
                for _i in range(n):
                    nominate(
                        db,
                        office_key=office,
                        nominee=ids[nominee],
                        method="joint",
                        supporters=ids[backer : backer + 10],
                        on=day - timedelta(days=15),
                        operator=op,
                    )
                    nominee += 1
                    backer += 10
            slate = confirm_candidates(db, on=day - timedelta(days=7), operator=op)
            for office_slate in slate:
                say(f"{office_slate.title}: " + "、".join(office_slate.names))
            paper = read_ballot_paper(db)
            render_candidate_list(
                paper, out / "candidate-list.pdf", chosen, day - timedelta(days=7)
            )
            turnout = ids[: voters * 4 // 5]
            first = _round(
                db,
                paper,
                turnout,
                out / "ballots.pdf",
                FIRST_ROUND,
                seed,
                folder,
                chosen,
                render_ballots,
                op,
                info.id,
                day,
                people,
            )
            say(
                _("Ballots: {printed} printed, {issued} issued, {returned} returned.").format(
                    **first
                )
            )
            counted = count_election(db, election_id=info.id, all_in=True, operator=op)
            sheet = result_sheet(db, election_id=info.id)
            render_result_sheet(sheet, out / "result-sheet.pdf", chosen)
            render_announcement(sheet, out / "announcement.pdf", chosen)
            _show(say, sheet)
            seated = certify(db, on=day, election_id=info.id, operator=op)
            term = (seated[0].term_start, seated[0].term_end) if seated else None
            render_certificates(sheet, out / "certificates.pdf", chosen, term)
            for round_id in counted.rounds:
                round_paper = read_ballot_paper(db, election_id=round_id)
                say(
                    _("Supplementary round (另行选举), election {id}: {names}").format(
                        id=round_id,
                        names="、".join(c.name for o in round_paper.offices for c in o.candidates),
                    )
                )
                _round(
                    db,
                    round_paper,
                    turnout[: len(turnout) * 9 // 10],
                    out / f"ballots-round-{round_id}.pdf",
                    SUPPLEMENTARY,
                    seed + round_id,
                    folder,
                    chosen,
                    render_ballots,
                    op,
                    round_id,
                    day,
                    people,
                )
                count_election(db, election_id=round_id, all_in=True, operator=op)
                round_sheet = result_sheet(db, election_id=round_id)
                render_result_sheet(round_sheet, out / f"result-sheet-round-{round_id}.pdf", chosen)
                render_announcement(round_sheet, out / f"announcement-round-{round_id}.pdf", chosen)
                _show(say, round_sheet)
                round_seated = certify(db, on=day, election_id=round_id, operator=op)
                if round_seated:  # the round's members get their certificates too
                    render_certificates(
                        round_sheet,
                        out / f"certificates-round-{round_id}.pdf",
                        chosen,
                        (round_seated[0].term_start, round_seated[0].term_end),
                    )
        finally:
            db.close()
    say(_("All PDFs are in {out}.").format(out=out))


def _round(
    db: Database,
    paper: BallotPaper,
    turnout: list[str],
    pdf: Path,
    support: dict[str, list[float]],
    seed: int,
    folder: Path,
    font: "FontChoice",
    render_ballots: Callable[..., int],
    op: str,
    election_id: int,
    day: date,
    people: list[SyntheticVoter],
) -> dict[str, int]:
    """Print, issue (sign-in sheet), close the poll, open the box, and import the ballots of
    one round by bundle and position."""

    def render(p: BallotPaper, serials: list[str]) -> None:
        render_ballots(p, serials, pdf, font)

    printed = len(turnout) + 20
    print_ballots(db, printed, render, election_id=election_id, operator=op)
    sheet = folder / f"sign-in-{election_id}.csv"
    sheet.write_text("公民身份号码\n" + "\n".join(turnout) + "\n", encoding="utf-8-sig")
    issue_from_sheet(db, sheet, box="中心会场", on=day, election_id=election_id, operator=op)
    close_poll(db, on=day, election_id=election_id, operator=op)
    returned = len(turnout) - 3
    open_box(db, "中心会场", returned, on=day, election_id=election_id, operator=op)
    names = tuple(p.name for p in people[200:205])
    records = synthetic_ballots(paper, returned, seed=seed, support=support, write_in_names=names)
    jsonl = folder / f"ballots-{election_id}.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
    )
    record_ballots(db, iter_ballot_file(jsonl), election_id=election_id, operator=op)
    return {"printed": printed, "issued": len(turnout), "returned": returned}


def _show(say: Callable[[str], None], sheet: ResultSheet) -> None:
    for office in sheet.offices:
        elected = [c for c in office.results if c.elected]
        text = f"{office.title}: " + "、".join(f"{c.name} {c.votes}" for c in elected)
        say(text if elected else f"{office.title}: —")
