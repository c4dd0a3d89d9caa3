"""User-facing text through gettext: Simplified Chinese when the locale is Chinese, else English.

Message ids are English. Catalogs live in ``juwei/locale/<lang>/LC_MESSAGES/juwei.mo``
(sources ``.po`` beside them; ``python tools/i18n.py`` extracts and compiles them).

The language is chosen, first match wins, from ``JUWEI_LANG``, ``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG`` and finally the OS locale (Windows included): any value starting with
``zh`` (or ``Chinese``) selects ``zh_CN``; anything else selects ``en``.
"""

import gettext
import locale
import os
import re
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "juwei"
LANGUAGES = ("zh_CN", "en")

_current: gettext.NullTranslations | None = None
_current_lang: str | None = None


def detect_language() -> str:
    """Return ``"zh_CN"`` or ``"en"`` from the environment and the OS locale."""
    for var in ("JUWEI_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "").strip()
        if value:
            return _normalise(value.split(":")[0])
    try:
        os_locale = locale.getlocale()[0] or ""
    except ValueError:  # pragma: no cover - unusual OS locale strings
        os_locale = ""
    return _normalise(os_locale)


def _normalise(value: str) -> str:
    low = value.lower()
    return "zh_CN" if low.startswith(("zh", "chinese")) else "en"


def set_language(lang: str | None = None) -> str:
    """Select the catalog for ``lang`` (``"zh_CN"``/``"en"``; None: detect). Returns it."""
    global _current, _current_lang
    chosen = _normalise(lang) if lang else detect_language()
    _current = gettext.translation(DOMAIN, LOCALE_DIR, languages=[chosen], fallback=True)
    _current_lang = chosen
    return chosen


def current_language() -> str:
    """The language in use, ``"zh_CN"`` or ``"en"`` (detected on first use)."""
    if _current_lang is None:
        set_language()
    assert _current_lang is not None
    return _current_lang


def _(message: str) -> str:
    """Translate ``message`` (an English msgid) into the current language."""
    if _current is None:
        set_language()
    assert _current is not None
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Plural-aware translation; ``n`` is the count the message is about."""
    if _current is None:
        set_language()
    assert _current is not None
    return _current.ngettext(singular, plural, n)


def is_chinese() -> bool:
    """True when user-facing text is in Chinese (so that e.g. PDFs use Chinese labels)."""
    return current_language() == "zh_CN"


# ------------------------------------------------------------------------- legal sources
# How a source code of the charters (``juwei.rules.charter._SOURCE_CODE``; the table in
# ../shared/spec/legal-sources.md) reads on paper and screen: the title a reader knows,
# then the article. Rule keys (``count.elected``) never appear here: they stay in --json
# and the log (issue 10 §1).
_SOURCE_TITLES: dict[str, tuple[str, str]] = {  # code → (Chinese title, English title)
    "S1": (
        "《城市居民委员会组织法》（2018年修正）",
        "Organic Law of Urban Residents' Committees (2018)",
    ),
    "S2": (
        "《全国人大常委会关于修改〈村民委员会组织法〉〈城市居民委员会组织法〉的决定》",
        "NPCSC decision amending the two organic laws (2018)",
    ),
    "S3": (
        "《城市居民委员会组织法》（2025年修订）",
        "Organic Law of Urban Residents' Committees (2025)",
    ),
    "S4": ("《村民委员会组织法》", "Organic Law of Villagers' Committees"),
    "S5": ("《民法典》", "Civil Code"),
    "P1": ("《北京市实施〈城市居民委员会组织法〉办法》", "Beijing implementing measures"),
    "P2": ("《河南省实施〈城市居民委员会组织法〉办法》", "Henan implementing measures"),
    "P5": ("《广西壮族自治区实施〈城市居民委员会组织法〉办法》", "Guangxi implementing measures"),
    "P6": ("省级实施办法", "a provincial implementing measure"),
    "P7": ("《福建省社区居民委员会选举实施意见（试行）》", "Fujian election opinions (2009)"),
    "P8": ("《福建省社区居民委员会选举暂行规定》", "Fujian provisional election rules (2015)"),
    "P9": ("《甘肃省居民委员会选举办法》", "Gansu election measures (2025)"),
    "P10": ("《重庆市居民委员会选举办法》", "Chongqing election measures (2025)"),
    "P12": ("社区选举问答", "a community-election Q&A"),
    "V1": ("《浙江省村民委员会选举办法》", "Zhejiang village election measures"),
    "V2": ("《上海市村民委员会选举办法》", "Shanghai village election measures"),
    "V3": ("《北京市村民委员会选举办法》", "Beijing village election measures"),
    "V4": ("省级村民委员会选举办法", "a provincial village election measure"),
    "LOCAL": ("本社区决定", "the community's own decision"),
    "JUWEI": ("本系统约定", "a convention of juwei"),
}
_SEED_TITLES = {"钱牌": "《钱牌社区自治章程》", "南厂宅": "《南厂宅社区自治章程》"}
_ARTICLE = re.compile(r"^art\.?\s*(\d+)")
_CN_ARTICLE = re.compile(r"^第[〇零一二三四五六七八九十百千]+条")
_NOTES = (  # commentary after a source, as it reads in Chinese
    ("by analogy", "参照"),
    ("wording not found", "条文未核实"),
    ("probable", "推定"),
)


def chinese_number(n: int) -> str:
    """``n`` (0 ≤ n < 10000) in Chinese numerals as articles are numbered: 9 → 九,
    16 → 十六, 21 → 二十一, 105 → 一百零五, 1259 → 一千二百五十九. Raises ``ValueError``
    outside that range."""
    if not 0 <= n < 10000:
        raise ValueError(f"out of range: {n}")
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero and out:
                out += "零"
            out += digits[d] + unit
            zero = False
        else:
            zero = True
    return out


def number_from_chinese(text: str) -> int:
    """The inverse of ``chinese_number``: 四 → 4, 十六 → 16, 一千二百五十九 → 1259. Raises
    ``ValueError`` for a character that is not a Chinese numeral."""
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
    units = {"十": 10, "百": 100, "千": 1000}
    total, pending = 0, 0
    for char in text:
        if char in digits:
            pending = digits[char]
        elif char in units:
            total += (pending or 1) * units[char]
            pending = 0
        else:
            raise ValueError(f"not a Chinese numeral: {char}")
    return total + pending


def _cite_one(part: str, chinese: bool) -> str:
    code, _space, rest = part.strip().partition(" ")
    code = code.rstrip(":")
    if code == "SEED":
        name, _space, rest = rest.partition(" ")
        title = _SEED_TITLES.get(name, f"《{name}社区自治章程》")
        if not chinese:
            title = f"{name} community charter"
    elif code in _SOURCE_TITLES:
        title = _SOURCE_TITLES[code][0 if chinese else 1]
    elif re.fullmatch(r"P\d+", code):  # a province's rule not named in legal-sources.md
        title = "省级规定" if chinese else "a provincial rule"
    else:
        return part.strip()
    rest = rest.strip()
    article = ""
    found = _ARTICLE.match(rest)
    if found:
        number = int(found.group(1))
        article = f"第{chinese_number(number)}条" if chinese else f", art. {number}"
        rest = rest[found.end() :].strip()
    else:
        cn = _CN_ARTICLE.match(rest)
        if cn:
            number = number_from_chinese(cn.group(0)[1:-1])
            article = cn.group(0) if chinese else f", art. {number}"
            rest = rest[cn.end() :].strip()
    note = rest.strip(" ,:")
    if not chinese:
        return f"{title}{article}" + (
            "" if not note else f" {note}" if note[0] == "(" else f" ({note})"
        )
    if re.search("[A-Za-z]", note):
        note = "、".join(zh for en, zh in _NOTES if en in note)  # the rest: --json and the log
    note = note.strip("()（）")
    return f"{title}{article}" + (f"（{note}）" if note else "")


def cite(*sources: str) -> str:
    """The sources of a decision as a reader expects them, in the current language: each
    ``source`` is a charter source such as ``"SEED 钱牌 第四条; S1 art 9"`` (parts
    separated by ``;``). Chinese: ``《钱牌社区自治章程》第四条；《城市居民委员会组织法》
    （2018年修正）第九条``; English: ``钱牌 community charter, 第四条; Organic Law of Urban
    Residents' Committees (2018), art. 9``. Repeated parts are given once; an unknown code
    is shown as written."""
    chinese = is_chinese()
    seen: list[str] = []
    for source in sources:
        for part in source.split(";"):
            if part.strip():
                text = _cite_one(part, chinese)
                if text not in seen:
                    seen.append(text)
    return ("；" if chinese else "; ").join(seen)


def cited(text: str, *sources: str) -> str:
    """``text`` followed by its sources (``cite``) in brackets, as paper prints a decision:
    Chinese ``…。（《…》第九条）``, English ``… (…, art. 9)``."""
    citation = cite(*sources)
    if not citation:
        return text
    return f"{text}（{citation}）" if is_chinese() else f"{text} ({citation})"
