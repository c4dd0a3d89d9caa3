"""Help screens and Click's own words in the user's language (``--help``, usage errors).

Command and option help texts are written in English in the command files, where they
belong; they are message ids like any other. They are translated when a help screen is
drawn, so the language chosen by ``--lang`` (read from the command line before parsing, see
:func:`language_in_args`), ``JUWEI_LANG`` or the locale applies, and no command file needs a
``_()`` call for it. Only the command shown and its direct sub-commands are translated, so
``juwei --help`` imports nothing more than it already has.

Click's own words (``Usage:``, ``Options``, ``No such option``, ``[required]`` …) come from
Typer's copy of Click, partly as gettext calls, partly as plain English in f-strings.
:func:`install` gives the gettext calls juwei's catalog, sets Typer's panel titles before each
screen, and translates error messages by their English shape (:data:`ERROR_SHAPES`). The
words are listed in :mod:`juwei.commands._click_words` so that the catalog tool extracts
them.

``tools/i18n.py`` collects every help text with :func:`help_texts` into the catalog, and
``tests/test_i18n.py`` fails on any without a Chinese translation.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Sequence
from typing import Any

import typer.core
import typer.rich_utils as rich_utils
from typer import _click
from typer._click.formatting import HelpFormatter

from juwei.i18n import _, current_language

#: Typer's module-level words, set again in the current language before each screen.
_RICH_WORDS = {
    "DEPRECATED_STRING": "(deprecated) ",
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}

#: Names of value types as Typer shows them (``<int>``), and the words for them.
TYPE_NAMES = {
    "str": "text",
    "int": "integer",
    "float": "number",
    "bool": "yes/no",
    "path": "path",
    "int range": "integer range",
    "file": "file",
    "directory": "directory",
    "datetime": "date and time",
}


def _click_gettext(message: str) -> str:
    return _(message)


def install() -> None:
    """Point Click's and Typer's message functions at juwei's catalog (idempotent).

    Also wraps Typer's help and error screens so that help texts and Typer's panel titles
    are translated in the language current when the screen is drawn.
    """
    for module in (typer.core, rich_utils):
        module._ = _click_gettext  # type: ignore[attr-defined]
    if getattr(rich_utils.rich_format_help, "_juwei", False):
        return
    format_help = rich_utils.rich_format_help
    format_error = rich_utils.rich_format_error

    def rich_format_help(*, obj: _click.Command, ctx: _click.Context, markup_mode: Any) -> None:
        translate_words()
        translate_command(obj, ctx, with_params=True)
        if isinstance(obj, typer.core.TyperGroup):
            for sub in _subcommands(obj, ctx):
                translate_command(sub, ctx, with_params=False)
        format_help(obj=obj, ctx=ctx, markup_mode=markup_mode)

    def rich_format_error(self: _click.ClickException) -> None:
        translate_words()
        ctx = getattr(self, "ctx", None)
        if ctx is not None:
            translate_command(ctx.command, ctx, with_params=True)
        english = self.format_message
        self.format_message = lambda: translate_error(english())  # type: ignore[method-assign]
        format_error(self)

    def write_usage(self: HelpFormatter, prog: str, args: str = "", prefix: Any = None) -> None:
        write_usage_english(self, prog, args, _("Usage: ") if prefix is None else prefix)

    write_usage_english = HelpFormatter.write_usage
    HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]

    rich_format_help._juwei = True  # type: ignore[attr-defined]
    rich_utils.rich_format_help = rich_format_help
    rich_utils.rich_format_error = rich_format_error


def translate_words() -> None:
    """Set Typer's panel titles and markers (``Options``, ``[required]`` …) in the language."""
    for name, english in _RICH_WORDS.items():
        setattr(rich_utils, name, _(english))


def help_key(text: str) -> str:
    """The message id of a help text: the text as Typer shows it (``inspect.cleandoc``)."""
    return inspect.cleandoc(text)


def _translated(text: str | None) -> str | None:
    if not text:
        return text
    return _(help_key(text))


def translate_command(command: _click.Command, ctx: _click.Context, *, with_params: bool) -> None:
    """Replace ``command``'s help texts (and, ``with_params``, its options') by translations.

    The English originals are kept on the object, so that translating again (another
    language in the same process) starts from them.
    """
    language = current_language()
    if getattr(command, "_juwei_language", None) == language:
        return
    original = command.__dict__.setdefault(
        "_juwei_original", (command.help, command.short_help, command.epilog)
    )
    command.help, command.short_help, command.epilog = (_translated(t) for t in original)
    command._juwei_language = language  # type: ignore[attr-defined]
    options_metavar, subcommand_metavar = original_metavars(command)
    if options_metavar:
        command.options_metavar = _(options_metavar)
    if isinstance(command, typer.core.TyperGroup) and subcommand_metavar:
        command.subcommand_metavar = _(subcommand_metavar)
    if not with_params:
        return
    for param in command.get_params(ctx):
        first = param.__dict__.setdefault(
            "_juwei_original", (getattr(param, "help", None), param.metavar)
        )
        if isinstance(param, typer.core.TyperOption):
            param.help = _translated(first[0])
        if isinstance(param, typer.core.TyperArgument):
            param.metavar = _(first[1] or (param.name or "").upper())
            param.help = _translated(first[0])
        if isinstance(param, typer.core.TyperOption | typer.core.TyperArgument):
            _translate_type(param)


def _translate_type(param: typer.core.TyperOption | typer.core.TyperArgument) -> None:
    """Make the type shown for ``param`` (``<int>``) use the current language."""
    english = param.__dict__.setdefault("_juwei_display_type", param.display_type_rich)

    def display_type_rich(ctx: _click.Context) -> str | None:
        shown = english(ctx)
        return _type_label(shown) if shown else shown

    param.display_type_rich = display_type_rich  # type: ignore[method-assign]


def original_metavars(command: _click.Command) -> tuple[str | None, str | None]:
    """The English ``[OPTIONS]`` and ``COMMAND [ARGS]...`` of ``command``'s usage line."""
    kept: tuple[str | None, str | None] = command.__dict__.setdefault(
        "_juwei_metavars",
        (command.options_metavar, getattr(command, "subcommand_metavar", None)),
    )
    return kept


def _type_label(shown: str) -> str:
    """``<int>`` → ``<整数>``: the type name inside Typer's angle brackets, translated."""
    inner = shown[1:-1] if shown.startswith("<") and shown.endswith(">") else shown
    listed = re.fullmatch(r"list\[(\w+)\]", inner)
    if listed and listed.group(1).lower() in TYPE_NAMES:  # a repeatable option
        label = _("{type}, repeatable").format(type=_(TYPE_NAMES[listed.group(1).lower()]))
        return "<" + label + ">"
    if inner in TYPE_NAMES:
        return "<" + _(TYPE_NAMES[inner]) + ">"
    return shown


def _subcommands(group: typer.core.TyperGroup, ctx: _click.Context) -> Iterator[_click.Command]:
    for name in group.list_commands(ctx):
        sub = group.get_command(ctx, name)
        if sub is not None and not sub.hidden:
            yield sub


def language_in_args(args: Sequence[str]) -> str | None:
    """The value of a ``--lang X`` / ``--lang=X`` given before the sub-command, or None.

    Read before Click parses anything, so that ``juwei --lang zh_CN --help`` and usage
    errors are already in that language.
    """
    n = 0
    while n < len(args):
        arg = args[n]
        if arg == "--lang":
            return args[n + 1] if n + 1 < len(args) else None
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg in _ROOT_VALUE_OPTIONS:
            n += 2
        elif arg.startswith("-") and arg != "--":
            n += 1
        else:  # the sub-command (or "--") starts here
            return None
    return None


#: The root options that take a value (their value is not the sub-command).
_ROOT_VALUE_OPTIONS = ("--db", "--community", "--operator")


def help_texts(root: _click.Command) -> Iterator[tuple[str, str]]:
    """Every help text of the command tree under ``root``: ``(command path, text)`` pairs.

    Walks groups through ``list_commands``/``get_command`` (so lazily loaded commands are
    loaded). Texts are given as :func:`help_key` makes them.
    """
    ctx = _click.Context(root, info_name="juwei")
    yield from _walk(root, ctx, "juwei")


def _walk(command: _click.Command, ctx: _click.Context, path: str) -> Iterator[tuple[str, str]]:
    texts: list[str | None] = [command.help, command.short_help, command.epilog]
    texts += [getattr(p, "help", None) for p in command.get_params(ctx)]
    texts += [
        p.metavar or (p.name or "").upper()
        for p in command.get_params(ctx)
        if isinstance(p, typer.core.TyperArgument)
    ]
    for text in texts:
        if text and text.strip():
            yield path, help_key(text)
    if isinstance(command, typer.core.TyperGroup):
        for sub in _subcommands(command, ctx):
            sub_ctx = _click.Context(sub, info_name=sub.name, parent=ctx)
            yield from _walk(sub, sub_ctx, f"{path} {sub.name}")


#: Click's and Typer's error messages (plain English f-strings in Typer's copy of Click), as
#: a pattern and the message id that renders the same fields in the user's language.
ERROR_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), msgid)
    for pattern, msgid in (
        (
            r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)",
            "No such option: {name} (did you mean {options}?)",
        ),
        (r"No such option: (?P<name>.+)", "No such option: {name}"),
        (
            r"Invalid value for (?P<param>.+?): (?P<message>.+)",
            "Invalid value for {param}: {message}",
        ),
        (r"Invalid value: (?P<message>.+)", "Invalid value: {message}"),
        (r"Missing option (?P<param>.+?)\.(?P<rest>.*)", "Missing option {param}.{rest}"),
        (r"Missing argument (?P<param>.+?)\.(?P<rest>.*)", "Missing argument {param}.{rest}"),
        (r"Missing parameter: (?P<param>.+)", "Missing parameter: {param}"),
        (r"Missing command\.", "Missing command."),
        (
            r"Input should be greater than or equal to (?P<n>\S+)",
            "The value must be at least {n}",
        ),
        (r"Input should be less than or equal to (?P<n>\S+)", "The value must be at most {n}"),
        (r"Input should be greater than (?P<n>\S+)", "The value must be more than {n}"),
        (r"Input should be less than (?P<n>\S+)", "The value must be less than {n}"),
        (r"Input should be a valid integer.*", "Give a whole number."),
        (r"Input should be a valid number.*", "Give a number."),
        (r"No such command '(?P<name>.+)'\.", "No such command '{name}'."),
        (
            r"Got unexpected extra arguments? \((?P<args>.+)\)",
            "Got unexpected extra arguments ({args})",
        ),
        (r"Option '(?P<name>.+)' requires an argument\.", "Option '{name}' requires a value."),
        (
            r"Option '(?P<name>.+)' requires (?P<n>\d+) arguments\.",
            "Option '{name}' requires {n} values.",
        ),
        (
            r"Option '(?P<name>.+)' does not take a value\.",
            "Option '{name}' does not take a value.",
        ),
        (r"(?P<value>'.*') is not one of (?P<choices>.+)\.", "{value} is not one of {choices}."),
        (
            r"Value (?P<value>'.*') is not a valid (?P<type>[\w ]+)\.",
            "{value} is not a valid {type}.",
        ),
        (
            r"(?P<value>-?[\d.]+) is not in the range (?P<range>.+)\.",
            "{value} is not in the range {range}.",
        ),
        (
            r"(?P<what>File|Directory|Path) (?P<path>.+) does not exist\.",
            "{what} {path} does not exist.",
        ),
        (
            r"(?P<what>File|Directory|Path) (?P<path>.+) is a directory\.",
            "{what} {path} is a folder.",
        ),
        (r"(?P<what>File|Directory|Path) (?P<path>.+) is a file\.", "{what} {path} is a file."),
    )
)

#: Words inside error messages that are translated on their own (kinds and types).
_ERROR_WORDS = ("File", "Directory", "Path", "integer", "float", "int", "str")


def translate_error(message: str) -> str:
    """Click's English error ``message`` in the current language (unchanged if unknown).

    Fields keep their values (option names, the value given); a nested message (the reason
    after ``Invalid value for …:``) is translated too.
    """
    for pattern, msgid in ERROR_SHAPES:
        match = pattern.fullmatch(message.strip())
        if match is None:
            continue
        fields = {}
        for key, value in match.groupdict().items():
            value = value or ""
            if key == "message":
                value = translate_error(value)
            elif key in ("what", "type") and value in _ERROR_WORDS:
                value = _(value)
            fields[key] = value
        return _(msgid).format(**fields)
    return message
