"""The ``juwei`` command line: parse, call one engine function, print, map errors to exits.

Exit codes: 0 success; 1 unexpected failure; 2 usage error (Typer); 3 bad input file or
charter; 4 database unusable; 5 not found; 6 refused in the current state; 7 verification
failed (``juwei audit``).

Start-up is fast: the sub-commands are listed in ``COMMANDS`` with their one-line help, and a
sub-command's module (with the engine, SQLAlchemy, Alembic …) is imported only when that
sub-command is run or its own help is asked for. ``juwei --help`` and ``juwei --version``
import none of them.
"""

import importlib
import importlib.util
import inspect
import os
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

import typer
import typer.core

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


class Entry(NamedTuple):
    """One top-level sub-command: where it lives and, for a group, its help.

    ``attribute`` names a ``typer.Typer`` (a group of commands, with ``help``) or a command
    function in ``module`` (its help is its docstring, read from the source file for
    ``juwei --help`` without importing the module).
    """

    module: str
    attribute: str
    help: str | None = None


COMMANDS: dict[str, Entry] = {
    # in the order juwei --help lists them: single commands first, then groups
    "init": Entry("juwei.commands.community", "init"),
    "demo": Entry("juwei.commands.demo", "demo"),
    "nominate": Entry("juwei.commands.election", "nominate_command"),
    "withdraw": Entry("juwei.commands.election", "withdraw_command"),
    "vacancies": Entry("juwei.commands.committee", "vacancies"),
    "status": Entry("juwei.commands.committee", "status"),
    "backup": Entry("juwei.commands.maintenance", "backup"),
    "restore": Entry("juwei.commands.maintenance", "restore"),
    "board": Entry("juwei.commands.board", "board"),
    "charter": Entry("juwei.commands.charter", "app", "Charters: the law as data (章程)."),
    "roll": Entry("juwei.commands.roll", "app", "The electoral roll (选民登记)."),
    "election": Entry("juwei.commands.election", "app", "Elections and their timetable (选举)."),
    "candidates": Entry("juwei.commands.election", "candidates_app", "Candidates (候选人)."),
    "ballots": Entry("juwei.commands.poll", "ballots_app", "Ballot papers (选票)."),
    "poll": Entry("juwei.commands.poll", "poll_app", "The poll: issuing ballots (投票)."),
    "count": Entry("juwei.commands.count", "count_app", "Entering and counting ballots (计票)."),
    "results": Entry("juwei.commands.results", "results_app", "Results and certification."),
    "audit": Entry("juwei.commands.audit", "app", "The event log (审计日志) and its hash chain."),
    "representatives": Entry(
        "juwei.commands.representatives", "app", "Residents' representatives (居民代表)."
    ),
    "recall": Entry("juwei.commands.recall", "app", "Recall petitions and votes (罢免)."),
    "members": Entry("juwei.commands.members", "app", "Committee members (成员)."),
    "assembly": Entry(
        "juwei.commands.assembly", "app", "The representatives' assembly (居民代表会议)."
    ),
    "district": Entry("juwei.commands.district", "app", "Every community at a glance (街道)."),
}


def _prepare(name: str) -> None:
    """Cross-module wiring done when a sub-command is loaded (once)."""
    if name == "members":
        from juwei.commands import committee, members

        if not any(c.name == "evaluate" for c in members.app.registered_commands):
            members.app.command("evaluate")(committee.evaluate)
    elif name == "count":
        from juwei.commands import count, screen, tally

        if not any(c.name == "screen" for c in count.count_app.registered_commands):
            count.count_app.command("screen")(screen.screen)
            count.count_app.command("tally")(tally.tally)
            count.count_app.command("tally-sheets")(tally.tally_sheets)


def listed_help(name: str) -> str:
    """The help of sub-command ``name`` as Typer would give it, without importing its module:
    a group's from ``COMMANDS``, a function's docstring from its source file."""
    entry = COMMANDS[name]
    if entry.help is not None:
        return entry.help
    spec = importlib.util.find_spec(entry.module)
    assert spec is not None and spec.origin is not None
    source = Path(spec.origin).read_text(encoding="utf-8")
    found = re.search(rf'^def {entry.attribute}\(.*?\n    """(.*?)"""', source, re.S | re.M)
    return inspect.cleandoc(found.group(1)) if found else ""


def load_command(name: str) -> Any:
    """The Click command (or group) of top-level sub-command ``name``, built by Typer exactly
    as if it had been registered on the root app; imports its module."""
    entry = COMMANDS[name]
    _prepare(name)
    target = getattr(importlib.import_module(entry.module), entry.attribute)
    holder = typer.Typer()
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name, help=entry.help)
    else:
        holder.command(name)(target)
    group = typer.main.get_group(holder)
    return group.commands[name]


class JuweiGroup(typer.core.TyperGroup):
    """Root group: loads sub-commands on demand and turns any ``JuweiError`` into one line on
    stderr and its exit code."""

    _listing = False

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        """Choose the language from ``--lang`` before parsing, so help and usage errors use it."""
        lang = language_in_args(args)
        if lang and lang.lower().startswith(("zh", "en")):
            set_language(lang)
        install_help_translation()
        return super().make_context(info_name, args, parent, **extra)

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in COMMANDS if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # juwei --help: the name and one line, nothing imported
            # the same object each time: the help translation changes it in place
            stubs = self.__dict__.setdefault("_stubs", {})
            if cmd_name not in stubs:
                stubs[cmd_name] = typer.core.TyperCommand(cmd_name, help=listed_help(cmd_name))
            return stubs[cmd_name]
        self.commands[cmd_name] = load_command(cmd_name)
        return self.commands[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        try:
            return super().invoke(ctx)
        except JuweiError as error:
            _fail(str(error), error.exit_code)
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
        except Exception as error:
            if not _is_sqlalchemy_error(error):
                raise
            # never print SQL parameters: they may hold ID numbers
            reason = str(getattr(error, "orig", None) or type(error).__name__)
            _fail(_("The database refused the change: {reason}").format(reason=reason), 4)
        finally:
            if isinstance(ctx.obj, AppState):
                ctx.obj.close()  # PostgreSQL connections are not left to the garbage collector


def _is_sqlalchemy_error(error: BaseException) -> bool:
    """Whether ``error`` is SQLAlchemy's (only a command that opened a database raises one,
    so SQLAlchemy is never imported just to ask)."""
    if "sqlalchemy" not in sys.modules:
        return False
    from sqlalchemy.exc import SQLAlchemyError

    return isinstance(error, SQLAlchemyError)


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


def main() -> None:
    """Console-script entry point."""
    tolerate_console_encoding()
    app()
