"""Click's and Typer's own words, listed so that ``tools/i18n.py`` puts them in the catalog.

:mod:`juwei.commands._help` looks them up at run time (Typer's panel titles, the usage
prefix, the message ids of :data:`juwei.commands._help.ERROR_SHAPES`, the type names);
``tests/test_help_i18n.py`` checks that this list and those tables agree. juwei itself never
imports this module.
"""

from juwei.i18n import _

CLICK_WORDS = (
    # Typer's panel titles and markers (juwei.commands._help._RICH_WORDS)
    _("(deprecated) "),
    _("[default: {}]"),
    _("[env var: {}]"),
    _("[required]"),
    _("Arguments"),
    _("Options"),
    _("Commands"),
    _("Error"),
    _("Aborted."),
    _("Try [blue]'{command_path} {help_option}'[/] for help."),
    # Typer's gettext calls and Click's help option
    _("Usage: "),
    _("Show this message and exit."),
    _("default: {default}"),
    _("required"),
    _("env var: {var}"),
    _("(dynamic)"),
    _("Aborted!"),
    _("Missing command."),
    _("No such command {name!r}."),
    _("[OPTIONS]"),
    _("COMMAND [ARGS]..."),
    _("The value must be at least {n}"),
    _("The value must be at most {n}"),
    _("The value must be more than {n}"),
    _("The value must be less than {n}"),
    _("Give a whole number."),
    _("Give a number."),
    _("{type}, repeatable"),
    # error messages (juwei.commands._help.ERROR_SHAPES)
    _("No such option: {name} (did you mean {options}?)"),
    _("No such option: {name}"),
    _("Invalid value for {param}: {message}"),
    _("Invalid value: {message}"),
    _("Missing option {param}.{rest}"),
    _("Missing argument {param}.{rest}"),
    _("Missing parameter: {param}"),
    _("No such command '{name}'."),
    _("Got unexpected extra arguments ({args})"),
    _("Option '{name}' requires a value."),
    _("Option '{name}' requires {n} values."),
    _("Option '{name}' does not take a value."),
    _("{value} is not one of {choices}."),
    _("{value} is not a valid {type}."),
    _("{value} is not in the range {range}."),
    _("{what} {path} does not exist."),
    _("{what} {path} is a folder."),
    _("{what} {path} is a file."),
    _("File"),
    _("Directory"),
    _("Path"),
    _("float"),
    _("int"),
    _("str"),
    # the names of value types in help screens (juwei.commands._help.TYPE_NAMES)
    _("text"),
    _("integer"),
    _("number"),
    _("yes/no"),
    _("path"),
    _("integer range"),
    _("file"),
    _("directory"),
    _("date and time"),
)
