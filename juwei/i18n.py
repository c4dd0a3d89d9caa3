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
