"""Shared pieces of the command layer: consoles, JSON output, the database option.

Commands print data with rich on stdout; with ``--json`` they print exactly one JSON document
on stdout instead. Errors go to stderr (see ``juwei.cli.JuweiGroup``).
"""

import codecs
import json
import os
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from rich.text import Text

    from juwei.elections.db import Database

# Markup and emoji codes off (issue 11): every stored text (a name, a box, a title, an
# operator) is shown as text; "[bold]" in a name is printed, not obeyed. Styles are given as
# rich ``Text`` objects (see ``styled``), never by formatting data into markup.
console = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def styled(*parts: "str | tuple[str, str]") -> "Text":
    """A line of text with styles: ``styled(("Error:", "bold red"), " ", message)``.

    Every part is shown as given (no markup is read from it)."""
    from rich.text import Text

    return Text.assemble(*parts)


DEFAULT_DB = "sqlite:///juwei.db"


#: Symbols juwei prints that GBK lacks, and the GBK symbol that stands in for each.
_SYMBOLS = {"✓": "√", "✔": "√", "✗": "×", "✘": "×", "❱": ">", "›": ">"}


def _replace_unencodable(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: a known symbol becomes its GBK stand-in (✓ → √), any other
    unencodable character ``？`` when it is wide (CJK) or ``?``."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for char in error.object[error.start : error.end]:
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        for mark in (_SYMBOLS.get(char, ""), "？" if wide else "", "?"):
            try:
                if mark and mark.encode(error.encoding):
                    break
            except (UnicodeError, LookupError):
                continue
        out.append(mark * (2 if wide and mark == "?" else 1))
    return "".join(out), error.end


codecs.register_error("juwei-replace", _replace_unencodable)


def tolerate_console_encoding() -> None:
    """Let stdout and stderr replace what their encoding cannot hold instead of crashing.

    A Windows console redirected to a file or pipe encodes with the ANSI code page (GBK,
    cp936), which lacks CJK Extension A/B characters such as 䶮 or 𠮷 found in real names;
    Python's default ``strict`` error handler then aborts the command half-way through its
    output. With ``errors="replace"`` such a character prints as ``?`` and everything else
    as written (a wide character as the full-width ``？``, so that tables stay
    aligned). UTF-8 streams are left alone (they hold every character).
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        reconfigure = getattr(stream, "reconfigure", None)
        if encoding.startswith("utf") or reconfigure is None:
            continue
        try:
            reconfigure(errors="juwei-replace")
        except (ValueError, OSError):  # pragma: no cover - a closed or detached stream
            continue


@dataclass
class AppState:
    """Options given before the sub-command (``juwei --db URL roll list``)."""

    db_url: str = DEFAULT_DB
    community: str | None = None
    operator: str | None = None
    opened: list["Database"] = field(default_factory=list)

    def close(self) -> None:
        """Release the connections of every database this command opened (issue 6)."""
        while self.opened:
            self.opened.pop().close()

    def database(self, *, create: bool = False) -> "Database":
        """Open (and upgrade) the database named by ``--db`` / ``JUWEI_DB``.

        Only ``juwei init`` creates a new database file (``create=True``); every other command
        refuses a missing one, so that a typo in ``--db`` leaves no empty file behind.
        """
        from juwei.elections.db import Database

        database = Database(self.db_url, create=create)
        self.opened.append(database)
        return database

    def check_output(self, out: Path, *, force: bool = False) -> Path:
        """Refuse an output path that is the database itself, a folder where a file goes, or
        an existing file unless ``force`` (``--force``, issue 11).

        Raises ``InputError`` (exit 3) naming the path.
        """
        from sqlalchemy.engine import make_url

        from juwei.errors import InputError
        from juwei.i18n import _

        try:
            database = make_url(self.db_url).database
        except Exception:  # the database option is checked when the database opens
            database = None
        target = out.resolve()
        if database and database != ":memory:" and target == Path(database).resolve():
            raise InputError(_("refusing to write over the database itself"), file=str(out))
        if target.suffix.lower() in (".db", ".sqlite", ".sqlite3"):
            raise InputError(
                _("refusing to write a PDF or CSV over a database file"), file=str(out)
            )
        if target.is_dir():
            raise InputError(_("this is a folder; give a file name"), file=str(out))
        if target.exists() and not force:
            raise InputError(_("the file exists; give --force to overwrite it"), file=str(out))
        return out

    def who(self) -> str:
        """The operator recorded in the audit log: ``--operator`` or ``JUWEI_OPERATOR``.

        Required for every command that writes (issue 5: each event names who made the
        change). Raises ``InputError`` (exit 3) when neither is given.
        """
        from juwei.errors import InputError
        from juwei.i18n import _

        name = (self.operator or "").strip()
        if not name:
            raise InputError(
                _(
                    "who is making this change? Give --operator NAME or set JUWEI_OPERATOR; "
                    "every change is recorded in the audit log with its operator"
                )
            )
        if len(name) > 100 or any(not ch.isprintable() for ch in name):
            raise InputError(_("the operator name must be printable and at most 100 characters"))
        return name


def state(ctx: typer.Context) -> AppState:
    """The ``AppState`` of this invocation (created by the root callback)."""
    obj = ctx.find_root().obj
    if not isinstance(obj, AppState):
        obj = AppState(db_url=os.environ.get("JUWEI_DB") or DEFAULT_DB)
        ctx.find_root().obj = obj
    return obj


def _default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(document: Any) -> None:
    """Print one JSON document on stdout (UTF-8, Chinese unescaped, sorted keys)."""
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True, default=_default))


JSON_OPTION = typer.Option(False, "--json", help="Print one JSON document on stdout, for scripts.")


YES_WORDS = ("y", "yes", "是", "是的", "对", "好", "确定")
NO_WORDS = ("n", "no", "否", "不", "不是", "不对", "取消")


def parse_yes_no(answer: str) -> bool | None:
    """``True`` for 是/y/yes …, ``False`` for 否/n/no …, ``None`` for anything else."""
    word = answer.strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def confirm(text: str, *, default: bool) -> bool:
    """Ask a yes/no question; 是/否 are accepted as well as y/n (Enter takes ``default``).

    The hint shows the words of the user's language: ``[是/否，默认否]`` or ``[y/N]``.
    """
    from juwei.i18n import _

    hint = _("[y/N]") if not default else _("[Y/n]")
    while True:
        answer = typer.prompt(f"{text} {hint}", default="", show_default=False)
        if not answer.strip():
            return default
        decided = parse_yes_no(answer)
        if decided is not None:
            return decided
        err_console.print(_("Answer 是 or 否 (y or n)."))


FORCE_OPTION = typer.Option(False, "--force", help="Overwrite the output if it exists.")


#: The committee's time zone unless ``JUWEI_TZ`` names another (an IANA name).
DEFAULT_ZONE = "Asia/Shanghai"


def local_zone() -> tzinfo:
    """The time zone times are shown in: ``JUWEI_TZ`` or Asia/Shanghai (records stay UTC).

    Windows has no time-zone database of its own; without the ``tzdata`` package China's
    zone is the fixed UTC+8 it has kept since 1991. Raises ``InputError`` for an unknown name.
    """
    from datetime import timedelta, timezone
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from juwei.errors import InputError
    from juwei.i18n import _

    name = os.environ.get("JUWEI_TZ", "").strip() or DEFAULT_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name in (DEFAULT_ZONE, "Asia/Chongqing", "PRC"):
            return timezone(timedelta(hours=8), DEFAULT_ZONE)
        raise InputError(
            _("JUWEI_TZ: unknown time zone {name} (e.g. Asia/Shanghai)").format(name=name)
        ) from None


def zone_label(zone: tzinfo) -> str:
    """The zone as column heads name it: 北京时间 for China's in Chinese, else its name."""
    from juwei.i18n import is_chinese

    name = str(getattr(zone, "key", None) or zone)
    if is_chinese() and name in (DEFAULT_ZONE, "Asia/Chongqing", "PRC", "UTC+08:00"):
        return "北京时间"
    return name


def local_time(at: datetime, zone: tzinfo) -> datetime:
    """A recorded UTC time (naive or aware) in ``zone``."""
    from datetime import UTC

    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(zone)
