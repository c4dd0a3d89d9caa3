"""``juwei charter list|show|check``: the charters (章程), the law as data.

Thin adapters over ``juwei.rules.charter``: load, print with rich (or one JSON document with
``--json``), and let the root group turn a ``CharterError`` into its message and exit code 3.
"""

from typing import Any

import typer
from rich.table import Table

from juwei.commands._common import JSON_OPTION, console, print_json
from juwei.errors import CharterError
from juwei.i18n import _
from juwei.rules.charter import Charter, RuleRow, list_profiles, load_charter

app = typer.Typer(no_args_is_help=True)


def _size_text(charter: Charter) -> str:
    size = charter.committee.size
    return str(size.min) if size.min == size.max else f"{size.min}-{size.max}"


def _summary(name: str, charter: Charter) -> dict[str, Any]:
    size = charter.committee.size
    return {
        "name": name,
        "title": charter.charter.title,
        "title_en": charter.charter.title_en,
        "source": charter.charter.source,
        "effective": charter.charter.effective,
        "size_min": size.min,
        "size_max": size.max,
        "seats": {key.value: office.seats for key, office in charter.committee.offices.items()},
        "term_years": charter.term.years,
        "digest": charter.digest(),
    }


@app.command("list")
def list_command(as_json: bool = JSON_OPTION) -> None:
    """List the built-in charter profiles with their title, committee size and term."""
    charters = [(name, load_charter(name)) for name in list_profiles()]
    if as_json:
        print_json([_summary(name, charter) for name, charter in charters])
        return
    table = Table(title=_("Charter profiles"))
    table.add_column(_("Profile"))
    table.add_column(_("Title"))
    table.add_column(_("Members"), justify="right")
    table.add_column(_("Term (years)"), justify="right")
    for name, charter in charters:
        table.add_row(name, charter.charter.title, _size_text(charter), str(charter.term.years))
    console.print(table)


@app.command("show")
def show_command(
    charter_name: str = typer.Argument(..., metavar="NAME|FILE", help="Profile name or file."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show every rule of a charter: its value in words (English, Chinese) and its source."""
    charter = load_charter(charter_name)
    rows = charter.rules()
    if as_json:
        document = _summary(charter.name, charter)
        document["rules"] = [
            {
                "key": r.key,
                "value_en": r.value_en,
                "value_zh": r.value_zh,
                "source": r.source,
                "confidence": r.confidence,
                "provisional": r.provisional,
            }
            for r in rows
        ]
        document["provisional_rules"] = [r.key for r in rows if r.provisional]
        print_json(document)
        return
    info = charter.charter
    table = Table(title=f"{info.title} ({info.title_en})", show_lines=True)
    table.add_column(_("Rule"), overflow="fold", ratio=2)
    table.add_column(_("Value"), overflow="fold", ratio=3)
    table.add_column(_("Chinese"), overflow="fold", ratio=3)
    table.add_column(_("Source"), overflow="fold", ratio=2)
    for row in rows:
        key = row.key + ("\n" + _provisional_mark(row) if row.provisional else "")
        table.add_row(key, row.value_en, row.value_zh, row.source)
    console.print(table)
    console.print(
        _("Digest: {digest}").format(digest=charter.digest()), markup=False, soft_wrap=True
    )
    _print_provisional(charter)


def _provisional_mark(row: RuleRow) -> str:
    if row.confidence:
        return _("provisional (confidence: {confidence})").format(confidence=row.confidence)
    return _("provisional")


def _print_provisional(charter: Charter) -> None:
    """List the provisional rules: what the committee must check before relying on them."""
    rows = charter.provisional_rules()
    if not rows:
        return
    console.print(
        _(
            "{n} provisional rules (official wording not confirmed; check each against the "
            "province's 选举办法 before relying on it):"
        ).format(n=len(rows)),
        markup=False,
    )
    for row in rows:
        console.print(
            f"  {row.key}: {row.value_zh} ({row.source}; {_provisional_mark(row)})", markup=False
        )


@app.command("check")
def check_command(
    file: str = typer.Argument(..., metavar="FILE", help="Charter file (TOML) or profile name."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Check a charter file: print OK and its digest, or the first error with line and key.

    Exit code 3 when the charter cannot be loaded.
    """
    try:
        charter = load_charter(file)
    except CharterError as error:
        if as_json:
            print_json(
                {
                    "ok": False,
                    "file": error.file,
                    "line": error.line,
                    "key": error.key,
                    "reason": error.reason,
                }
            )
        raise
    if as_json:
        print_json(
            {
                "ok": True,
                "file": file,
                "name": charter.name,
                "digest": charter.digest(),
                "provisional_rules": [
                    {"key": r.key, "source": r.source, "confidence": r.confidence}
                    for r in charter.provisional_rules()
                ],
            }
        )
        return
    console.print(
        _("OK: {file} ({name}), digest {digest}").format(
            file=file, name=charter.name, digest=charter.digest()
        ),
        markup=False,
        soft_wrap=True,
    )
    _print_provisional(charter)
