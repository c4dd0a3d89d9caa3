"""Finding a voter by name as well as by ID number (查找选民, issue 13 §3).

A clerk types ``余洋`` (or ``余洋/第1组`` among namesakes) where a command wants a voter.
One match is used; several are listed with masked ID, group and age, and the clerk picks one
at a terminal, or, without one (a script, a pipe), the command is refused with the list.
"""

import re
import sys

import typer

from juwei.commands._common import console
from juwei.elections.db import Database
from juwei.elections.roll import NameMatch, find_voters_by_name
from juwei.errors import InputError, NotFoundError
from juwei.i18n import _

#: An ID number as typed: 18 characters (17 digits and a digit or X) or the old 15 digits.
_ID_LIKE = re.compile(r"\s*(\d{17}[\dXx]|\d{15})\s*")
#: ``余洋/第1组``, ``余洋（第1组）``, ``余洋(第1组)``, ``余洋,第1组``, ``余洋@第1组``
_NAME_GROUP = re.compile(
    r"\s*(?P<name>[^/（(,，@]+?)\s*(?:[/@,，]\s*(?P<g1>.+?)|[（(](?P<g2>.+?)[）)])\s*"
)


def split_name(text: str) -> tuple[str, str | None]:
    """``"余洋/第1组"`` → ``("余洋", "第1组")``; ``"余洋"`` → ``("余洋", None)``."""
    match = _NAME_GROUP.fullmatch(text)
    if match is None:
        return text.strip(), None
    return match.group("name"), match.group("g1") or match.group("g2")


def describe(match: NameMatch) -> str:
    """One namesake on one line: name, masked ID, group, age (and 不在名单 if delisted)."""
    line = _("{name}  {id}  {group}  {age} years").format(
        name=match.name, id=match.id_masked, group=match.group, age=match.age
    )
    return line if match.listed else line + "  " + _("(no longer listed)")


def voter_id(
    db: Database, text: str, *, community: str | None, interactive: bool | None = None
) -> str:
    """The full ID number of the voter ``text`` names: an ID number as is, else a name.

    ``interactive`` (default: stdin is a terminal) lets the clerk choose among namesakes.
    Raises ``NotFoundError`` (no such name) or ``InputError`` (several, without a terminal),
    the latter listing each namesake with masked ID, group and age.
    """
    if _ID_LIKE.fullmatch(text):
        return text.strip()
    name, group = split_name(text)
    matches = find_voters_by_name(db, name, group=group, community=community)
    if not matches:
        where = _(" in {group}").format(group=group) if group else ""
        raise NotFoundError(
            _("No voter called {name}{where} on this roll.").format(name=name, where=where)
        )
    if len(matches) == 1:
        return str(matches[0].id_number)
    listing = "\n".join(f"  {n}. {describe(m)}" for n, m in enumerate(matches, 1))
    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        raise InputError(
            _(
                "{count} voters are called {name}; give the ID number, or the name with the "
                "group (e.g. {name}/{group}):\n{listing}"
            ).format(count=len(matches), name=name, group=matches[0].group, listing=listing)
        )
    console.print(_("{count} voters are called {name}:").format(count=len(matches), name=name))
    console.print(listing)
    while True:
        pick: int = typer.prompt(_("Which one (number)?"), type=int)
        if 1 <= pick <= len(matches):
            return str(matches[pick - 1].id_number)
