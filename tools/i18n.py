"""Extract user-facing strings, update the zh_CN and en catalogs, and compile them.

Usage: ``python tools/i18n.py`` (needs Babel: ``pip install -e ".[test]"``).

1. extracts every ``_("…")`` and ``ngettext("…", "…", n)`` from ``juwei/`` into juwei.pot;
2. merges it into ``juwei/locale/{zh_CN,en}/LC_MESSAGES/juwei.po`` (new ids get an empty
   translation; fill the zh_CN ones in by hand);
3. compiles each .po into the .mo that juwei loads at run time.

``tests/test_i18n.py`` fails when a string is not in the catalogs or lacks a Chinese
translation, or when a .mo is older than its .po.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "juwei"
LOCALE = PKG / "locale"
KEYWORDS = {"_": None, "ngettext": (1, 2)}


def build_template() -> Catalog:
    template = Catalog(project="juwei", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PKG), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for where, text in command_help_texts():
        if text not in template:
            template.add(text, None, [(f"help: {where}", 0)])
    return template


def command_help_texts() -> list[tuple[str, str]]:
    """Every ``--help`` text of the command tree (``(command path, text)``): message ids too."""
    sys.path.insert(0, str(ROOT))
    import typer.main

    from juwei.cli import app
    from juwei.commands._help import help_texts

    return list(help_texts(typer.main.get_command(app)))


def update(template: Catalog, lang: str) -> Catalog:
    po_path = LOCALE / lang / "LC_MESSAGES" / "juwei.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    if po_path.exists():
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        catalog.update(template, no_fuzzy_matching=True)
    else:
        catalog = Catalog(locale=lang, project="juwei", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
    if lang == "zh_CN":
        merge_tsv(catalog)
    else:  # English msgids are the English text; an empty msgstr falls back to the msgid
        for message in catalog:
            if message.id:
                message.string = ""
    with po_path.open("wb") as fh:
        write_po(
            fh,
            catalog,
            width=100,
            omit_header=False,
            ignore_obsolete=True,
            include_lineno=False,
            sort_output=True,
        )
    return catalog


def merge_tsv(catalog: Catalog) -> int:
    """Fill empty translations from ``tools/translations/*.tsv`` (msgid<TAB>msgstr lines)."""
    filled = 0
    for tsv in sorted((ROOT / "tools" / "translations").glob("*.tsv")):
        for line in tsv.read_text(encoding="utf-8").splitlines():
            if "\t" not in line:
                continue
            msgid, msgstr = line.split("\t", 1)
            msgid = msgid.replace("\\n", "\n")
            message = catalog.get(msgid)
            if message is not None and not message.string:
                message.string = msgstr.replace("\\n", "\n")
                filled += 1
    return filled


def compile_po(lang: str) -> None:
    po_path = LOCALE / lang / "LC_MESSAGES" / "juwei.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    with (po_path.with_suffix(".mo")).open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)


def main() -> int:
    template = build_template()
    with (LOCALE / "juwei.pot").open("wb") as fh:
        write_po(fh, template, width=100, include_lineno=False, sort_output=True)
    missing = 0
    for lang in ("en", "zh_CN"):
        catalog = update(template, lang)
        compile_po(lang)
        if lang == "zh_CN":
            missing = sum(1 for m in catalog if m.id and not m.string)
    print(f"{len(template)} messages; zh_CN untranslated: {missing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
