"""Option values in Chinese as well as English (主任 for director, 联名 for joint …).

Each table maps the English key the engine uses to the Chinese words a clerk types. A
Typer ``callback`` made by :func:`choice` turns either into the key and refuses anything
else with a message that lists the valid values in the user's language. Offices are open
(a charter may define its own): an office word that is not in the table is passed on as
given, and the engine matches it against the charter's office keys and titles.
"""

from collections.abc import Callable, Mapping
from typing import Any

import typer

from juwei.i18n import _, is_chinese

#: key → Chinese words (the first one is the label shown).
OFFICES = {"director": ("主任",), "deputy": ("副主任",), "member": ("委员", "成员")}
METHODS = {
    "self": ("自荐", "本人自荐"),
    "joint": ("联名", "联名推荐", "选民联名"),
    "group": ("小组提名", "居民小组提名", "小组推荐"),
}
MODES = {
    "direct": ("全体选民", "直接选举", "全体选民直接选举"),
    "household": ("户代表", "每户派代表"),
    "representative": ("居民代表", "居民代表选举"),
}
KINDS = {
    "general": ("换届", "换届选举"),
    "by-election": ("补选", "补选选举"),
    "representatives": ("居民代表推选", "推选居民代表"),
}
CAUSES = {
    "sentence": ("判刑", "被判处刑罚"),
    "capacity": ("丧失行为能力", "无行为能力"),
    "death": ("死亡",),
    "unfit": ("不宜", "不宜继续任职"),
    "other": ("其他",),
}
RLA_KINDS = {"comparison": ("比对", "逐票比对"), "polling": ("抽样", "抽样审计")}


def label(table: Mapping[str, tuple[str, ...]], key: str) -> str:
    """``key`` as the user reads it: ``主任`` in Chinese, ``director`` in English."""
    words = table.get(key)
    return words[0] if words and is_chinese() else key


def valid_values(table: Mapping[str, tuple[str, ...]]) -> str:
    """The values of ``table`` for an error message.

    ``主任（director）、…`` in Chinese, ``director (主任), …`` in English.
    """
    if is_chinese():
        return "、".join(f"{words[0]}（{key}）" for key, words in table.items())
    return ", ".join(f"{key} ({words[0]})" for key, words in table.items())


def normalise(table: Mapping[str, tuple[str, ...]], value: str, *, open_ended: bool = False) -> str:
    """The key for ``value`` (an English key, or one of its Chinese words; spaces ignored).

    Raises ``typer.BadParameter`` listing the valid values, unless ``open_ended`` (then an
    unknown value is returned as given, for the engine to judge).
    """
    given = "".join(value.split())
    for key, words in table.items():
        if given.lower() == key or given.lower() == key.replace("-", "_") or given in words:
            return key
    if open_ended:
        return value.strip()
    raise typer.BadParameter(
        _("{value} is not a valid value; use one of: {values}").format(
            value=value, values=valid_values(table)
        )
    )


def choice(
    table: Mapping[str, tuple[str, ...]], *, open_ended: bool = False
) -> Callable[[Any], Any]:
    """A Typer option callback that normalises a value (or each of a list) with ``table``."""

    def callback(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, list | tuple):
            return [normalise(table, v, open_ended=open_ended) for v in value]
        return normalise(table, value, open_ended=open_ended)

    return callback


OFFICE_VALUE = choice(OFFICES, open_ended=True)
METHOD_VALUE = choice(METHODS)
MODE_VALUE = choice(MODES)
KIND_VALUE = choice(KINDS)
CAUSE_VALUE = choice(CAUSES)
RLA_KIND_VALUE = choice(RLA_KINDS)
