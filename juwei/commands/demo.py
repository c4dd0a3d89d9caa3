"""``juwei demo``: the main job on a temporary embedded database, for a newcomer to watch.

So far (foundation): creates a synthetic community of about 3,000 voters in 16 residents'
groups under the 钱牌 charter, imports its roll, prints the published voter list (选民榜) as
PDF into ``--out``, and shows the roll statistics. The general election itself (nomination to
certified result) joins this command with the main-job issue.
"""

import tempfile
from datetime import date
from pathlib import Path

import typer

from juwei.commands._common import console, state
from juwei.elections.community import init_community
from juwei.elections.db import Database
from juwei.elections.roll import import_roll, roll_stats, voter_listing
from juwei.elections.synthetic import synthetic_roll, write_roll_csv
from juwei.i18n import _


def demo(
    ctx: typer.Context,
    out: Path = typer.Option(Path("juwei-demo"), "--out", help="Folder for the PDFs."),
    voters: int = typer.Option(3000, "--voters", min=50, max=200_000, help="Synthetic voters."),
    seed: int = typer.Option(2026, "--seed", help="Seed of the synthetic community."),
    font: str = typer.Option(None, "--font", envvar="JUWEI_FONT", help="PATH[#index] of a font."),
) -> None:
    """Run the main job on a temporary database with a synthetic community; PDFs into --out."""
    from juwei.ballots.fonts import resolve_font
    from juwei.ballots.voter_list import render_voter_list

    operator = state(ctx).who()
    election_day = date.today()
    out.mkdir(parents=True, exist_ok=True)
    chosen = resolve_font(font)
    with tempfile.TemporaryDirectory(prefix="juwei-demo-") as tmp:
        roll_file = Path(tmp) / "roll.csv"
        write_roll_csv(roll_file, synthetic_roll(voters, groups=16, seed=seed, as_of=election_day))
        db = Database(f"sqlite:///{Path(tmp) / 'demo.db'}")
        try:
            init_community(db, "示例社区", "qianpai", operator=operator)
            summary = import_roll(db, roll_file, as_of=election_day, operator=operator)
            console.print(_("Roll imported: {added} voters.").format(added=summary.added))
            stats = roll_stats(db, as_of=election_day)
            listing = voter_listing(db, as_of=election_day)
        finally:
            db.close()
    pages = render_voter_list(listing, out / "voter-list.pdf", chosen)
    console.print(
        _("{total} voters in {households} households and {groups} residents' groups.").format(
            total=stats.total, households=stats.households, groups=len(stats.by_group)
        )
    )
    console.print(
        _("Voter list (选民榜): {path} ({pages} pages).").format(
            path=out / "voter-list.pdf", pages=pages
        )
    )
