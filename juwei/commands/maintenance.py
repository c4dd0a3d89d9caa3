"""``juwei backup --out FILE`` and ``juwei restore FILE`` (issue 6)."""

from pathlib import Path

import typer

from juwei.commands._common import JSON_OPTION, console, print_json, state
from juwei.commands.election import opened
from juwei.elections.backup import backup_database, restore_database
from juwei.i18n import _


def backup(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The backup file to write (must not exist)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Copy the database consistently, even while other terminals write (SQLite).

    PostgreSQL: exits 4 with the pg_dump command to use instead.
    """
    with opened(ctx) as db:
        info = backup_database(db, out)
    if as_json:
        print_json({"file": str(info.path), "schema": info.revision, "events": info.events})
        return
    console.print(
        _("Wrote {file}: schema {revision}, {events} audit events, audit log whole.").format(
            file=info.path, revision=info.revision, events=info.events
        )
    )


def restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A backup made by juwei backup."),
    force: bool = typer.Option(
        False, "--force", help="Replace a database that already holds a community."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Check a backup (schema, audit log) and restore it into --db (SQLite)."""
    st = state(ctx)
    info = restore_database(file, st.db_url, force=force)
    if as_json:
        print_json({"file": str(file), "schema": info.revision, "events": info.events})
        return
    console.print(
        _("Restored {file} into {db}: {events} audit events, audit log whole.").format(
            file=file, db=st.db_url, events=info.events
        )
    )
