"""The ``juwei`` command line: parse, call one engine function, print, map errors to exits.

Exit codes: 0 success; 1 unexpected failure; 2 usage error (Typer); 3 bad input file or
charter; 4 database unusable; 5 not found; 6 refused in the current state.
"""

import os
from typing import Any

import typer
import typer.core
from sqlalchemy.exc import SQLAlchemyError

from juwei import __version__
from juwei.commands._common import (
    DEFAULT_DB,
    AppState,
    err_console,
    styled,
    tolerate_console_encoding,
)
from juwei.commands._help import install as install_help_translation
from juwei.commands._help import language_in_args
from juwei.errors import JuweiError, redact
from juwei.i18n import _, set_language


class JuweiGroup(typer.core.TyperGroup):
    """Root group: turns any ``JuweiError`` into one line on stderr and its exit code."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        """Choose the language from ``--lang`` before parsing, so help and usage errors use it."""
        lang = language_in_args(args)
        if lang and lang.lower().startswith(("zh", "en")):
            set_language(lang)
        install_help_translation()
        return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        try:
            return super().invoke(ctx)
        except JuweiError as error:
            _fail(str(error), error.exit_code)
        except SQLAlchemyError as error:
            # never print SQL parameters: they may hold ID numbers
            reason = str(getattr(error, "orig", None) or type(error).__name__)
            _fail(_("The database refused the change: {reason}").format(reason=reason), 4)
        except OSError as error:
            # a rename names its target second: the file the user chose, not a temporary one
            named = error.filename2 if error.filename2 is not None else error.filename
            where = named if named is not None else ""
            _fail(
                _("Cannot use the file {path}: {reason}").format(
                    path=where, reason=error.strerror or type(error).__name__
                ),
                3,
            )
        finally:
            if isinstance(ctx.obj, AppState):
                ctx.obj.close()  # PostgreSQL connections are not left to the garbage collector


def _fail(message: str, code: int) -> None:
    label = _("Error")
    err_console.print(styled((f"{label}:", "bold red"), " ", redact(message)), soft_wrap=True)
    raise typer.Exit(code) from None


app = typer.Typer(
    cls=JuweiGroup,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="juwei (居委): elections and recalls for a community residents' committee.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"juwei {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    db: str = typer.Option(
        None,
        "--db",
        envvar="JUWEI_DB",
        help="Database URL (default sqlite:///juwei.db in the current folder).",
    ),
    lang: str = typer.Option(
        None, "--lang", envvar="JUWEI_LANG", help="Language of messages and paper: zh_CN or en."
    ),
    community: str = typer.Option(
        None, "--community", envvar="JUWEI_COMMUNITY", help="Community name (when several)."
    ),
    operator: str = typer.Option(
        None, "--operator", envvar="JUWEI_OPERATOR", help="Who is at the keyboard (audit log)."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """juwei (居委): elections and recalls for a community residents' committee."""
    if lang and not lang.lower().startswith(("zh", "en", "c.", "posix")) and lang != "C":
        raise typer.BadParameter(f"{lang!r}: use zh_CN or en", param_hint="--lang")
    set_language(lang)
    ctx.obj = AppState(
        db_url=db or os.environ.get("JUWEI_DB") or DEFAULT_DB,
        community=community,
        operator=operator,
    )


def _register() -> None:
    from juwei.commands import audit, charter, community, count, demo, election, poll, roll

    app.add_typer(charter.app, name="charter", help="Charters: the law as data (章程).")
    app.command("init")(community.init)
    app.command("demo")(demo.demo)
    app.add_typer(roll.app, name="roll", help="The electoral roll (选民登记).")
    app.add_typer(election.app, name="election", help="Elections and their timetable (选举).")
    app.command("nominate")(election.nominate_command)
    app.command("withdraw")(election.withdraw_command)
    app.add_typer(election.candidates_app, name="candidates", help="Candidates (候选人).")
    app.add_typer(poll.ballots_app, name="ballots", help="Ballot papers (选票).")
    app.add_typer(poll.poll_app, name="poll", help="The poll: issuing ballots (投票).")
    app.add_typer(count.count_app, name="count", help="Entering and counting ballots (计票).")
    app.add_typer(count.results_app, name="results", help="Results and certification.")
    app.add_typer(audit.app, name="audit", help="The event log (审计日志) and its hash chain.")
    _register_committee()
    _register_recall()
    _register_assembly()
    _register_district()
    from juwei.commands import board, screen, tally

    app.command("board")(board.board)
    count.count_app.command("screen")(screen.screen)
    count.count_app.command("tally")(tally.tally)
    count.count_app.command("tally-sheets")(tally.tally_sheets)


def _register_district() -> None:
    """A district's communities at a glance, backup and restore (issue 6)."""
    from juwei.commands import district, maintenance

    app.add_typer(district.app, name="district", help="Every community at a glance (街道).")
    app.command("backup")(maintenance.backup)
    app.command("restore")(maintenance.restore)


def _register_recall() -> None:
    """Recall (罢免) and the end of memberships (members resign / terminate)."""
    from juwei.commands import members, recall

    app.add_typer(recall.app, name="recall", help="Recall petitions and votes (罢免).")
    app.add_typer(members.app, name="members", help="Committee members (成员).")


def _register_committee() -> None:
    """Vacancies (缺额), by-elections and the committee's status (任期)."""
    from juwei.commands import committee

    app.command("vacancies")(committee.vacancies)
    app.command("status")(committee.status)
    from juwei.commands import members

    members.app.command("evaluate")(committee.evaluate)
    from juwei.commands import representatives

    app.add_typer(
        representatives.app, name="representatives", help="Residents' representatives (居民代表)."
    )


def _register_assembly() -> None:
    """Sittings of the residents' representatives' assembly (居民代表会议)."""
    from juwei.commands import assembly

    app.add_typer(
        assembly.app, name="assembly", help="The representatives' assembly (居民代表会议)."
    )


_register()


def main() -> None:
    """Console-script entry point."""
    tolerate_console_encoding()
    app()
