"""Messages: every user-facing string has a Chinese translation; the language follows the locale."""

import gettext
import re
import runpy
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from juwei import i18n

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "juwei" / "locale" / "zh_CN" / "LC_MESSAGES" / "juwei.po"
MO = PO.with_suffix(".mo")


def test_every_message_in_the_code_has_a_chinese_translation() -> None:
    tool = runpy.run_path(str(ROOT / "tools" / "i18n.py"))
    template = tool["build_template"]()
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    missing = [m.id for m in template if m.id and not (catalog.get(m.id) and catalog[m.id].string)]
    assert missing == [], "run python tools/i18n.py and translate these"


def test_placeholders_agree_between_english_and_chinese() -> None:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    for message in catalog:
        if message.id and message.string:
            fields_en = sorted(re.findall(r"\{(\w*)[^}]*\}", str(message.id)))
            fields_zh = sorted(re.findall(r"\{(\w*)[^}]*\}", str(message.string)))
            assert fields_en == fields_zh, message.id


def test_the_compiled_catalog_matches_its_source() -> None:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for message in catalog:
        if message.id and message.string:
            assert compiled.gettext(str(message.id)) == message.string, (
                "juwei.mo is stale: run python tools/i18n.py"
            )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({"JUWEI_LANG": "zh_CN"}, "zh_CN", id="JUWEI_LANG chooses Chinese"),
        pytest.param({"JUWEI_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en", id="JUWEI_LANG wins"),
        pytest.param({"LANG": "zh_CN.UTF-8"}, "zh_CN", id="a Chinese LANG"),
        pytest.param({"LANG": "zh_TW.UTF-8"}, "zh_CN", id="any Chinese locale: zh_CN catalog"),
        pytest.param({"LANGUAGE": "zh_CN:en", "LANG": "C.UTF-8"}, "zh_CN", id="LANGUAGE first"),
        pytest.param({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en", id="LC_ALL over LANG"),
        pytest.param({"LANG": "C.UTF-8"}, "en", id="C locale: English"),
        pytest.param({"LANG": "de_DE.UTF-8"}, "en", id="other locales: English"),
    ],
)
def test_language_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for var in ("JUWEI_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert i18n.detect_language() == expected


def test_translation_switches_at_run_time() -> None:
    i18n.set_language("zh_CN")
    assert i18n._("the file is empty") == "文件为空"
    i18n.set_language("en")
    assert i18n._("the file is empty") == "the file is empty"


def test_no_message_is_hidden_inside_an_f_string() -> None:
    """Babel cannot extract ``_()`` inside an f-string: such a message stays in English."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "juwei").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "{_(" in line
    ]
    assert offenders == []
