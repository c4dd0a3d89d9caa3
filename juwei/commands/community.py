"""``juwei init NAME [--charter PROFILE|FILE]``."""

from datetime import date

import typer

from juwei.commands._common import JSON_OPTION, console, print_json, state
from juwei.elections.community import init_community
from juwei.i18n import _
from juwei.rules.law import law_in_force


def init(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The community's name, e.g. 钱牌社区."),
    charter: str = typer.Option(
        None,
        "--charter",
        help="A charter profile (see 'juwei charter list') or a TOML file (default: the law "
        "in force today).",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create the community under its charter (pinned by SHA-256 digest); without --charter,
    under the national law in force on today's date."""
    st = state(ctx)
    if charter is None:
        charter = law_in_force(date.today())
    operator = st.who()  # before the database file is created
    db = st.database(create=True)
    try:
        info = init_community(db, name, charter, operator=operator)
    finally:
        db.close()
    if as_json:
        print_json(
            {
                "community": info.name,
                "charter": info.charter_name,
                "digest": info.charter_digest,
                "database": db.location,
            }
        )
        return
    console.print(
        _("Created community {name} under charter {charter} (digest {digest}) in {db}.").format(
            name=info.name,
            charter=info.charter_name,
            digest=info.charter_digest[:16],
            db=db.location,
        )
    )
