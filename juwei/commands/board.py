"""``juwei board``: the public count board for a projector (read-only web page)."""

import typer

from juwei.commands._common import console, err_console, state
from juwei.commands.election import ELECTION_OPTION, opened
from juwei.i18n import _


def board(
    ctx: typer.Context,
    election: int = ELECTION_OPTION,
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Address to serve on: 127.0.0.1 (this computer only) or 0.0.0.0 (the room's network).",
    ),
    port: int = typer.Option(8765, "--port", min=1, max=65535, help="Port to serve on."),
) -> None:
    """Show the running count on a projector: a read-only page, updated as ballots are saved.

    Open the address it prints in a browser (full screen: F11). Every terminal entering
    ballots into the same database updates it within a second. It shows names and votes
    only (no ID number, age or box) and writes nothing. Stop it with Ctrl+C.
    """
    import uvicorn

    from juwei.web.board import Board, create_app

    st = state(ctx)
    with opened(ctx) as db:
        shown = Board(db, election, st.community)  # refuses a missing election at once
        first = shown.state()
        app = create_app(shown)
        shown_host = "localhost" if host == "127.0.0.1" else host
        console.print(
            _(
                "The count board of {election} is at http://{host}:{port}/ (Ctrl+C stops it)."
            ).format(election=first.election, host=shown_host, port=port),
            markup=False,
        )
        if host not in ("127.0.0.1", "localhost", "::1"):
            err_console.print(
                _(
                    "The board is shared on the network at {host}: anyone in the room's "
                    "network can open it (it shows names and votes only)."
                ).format(host=host),
                markup=False,
            )
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
