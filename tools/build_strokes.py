"""Regenerate ``juwei/rules/data/strokes.tsv`` and ``stroke_counts.tsv`` (run by hand).

The files drive surname-stroke ordering (姓氏笔画排序, GF 3003-1999) in
``juwei/rules/collation.py``. They are generated once and committed; nothing here runs at
install or at run time.

Sources (both permissive, see ``juwei/rules/data/README.md``):

* stroke orders: the npm package ``cnchar-order`` (MIT, © theajack), file
  ``cnchar.order.min.js``, a JSON map ``char -> letters`` (one letter per stroke, in writing
  order; the letters are explained by the ``strokeTable`` map in the same file);
* stroke counts: Unicode Unihan ``kTotalStrokes`` (first value = mainland China form),
  ``kGB0`` (GB 2312) and ``kTGH`` (通用规范汉字表, 2013), Unicode licence; Debian's
  ``unicode-data`` ships them as ``/usr/share/unicode/Unihan_*.txt.bz2``.

Usage::

    cd /tmp && npm pack cnchar-order@3.2.6          # writes cnchar-order-3.2.6.tgz
    python tools/build_strokes.py --cnchar /tmp/cnchar-order-3.2.6.tgz
    # optional: --unihan DIR (a folder with Unihan_*.txt[.bz2] or Unihan.zip)

The script maps cnchar's 26 stroke letters onto the five classes of GF 3003-1999
(1 横 incl. 提, 2 竖 incl. 竖钩, 3 撇, 4 点 incl. 捺, 5 折 = every stroke with a turn),
applies the override table below, cross-checks every stroke count against Unihan and prints
where they disagree, and checks that GB 2312 is fully covered. It exits non-zero when a check
fails, so a bad upstream version is caught before it is committed.
"""

from __future__ import annotations

import argparse
import bz2
import hashlib
import io
import json
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "juwei" / "rules" / "data"
CNCHAR_VERSION = "3.2.6"

# cnchar stroke letters -> GF 3003-1999 stroke class. Names from cnchar's strokeTable:
# j 横, i 提, f 竖, g 竖钩, s 撇, k 点, d 点 (second form), l 捺; all other letters are folded
# strokes (横折, 横撇/横钩, 竖弯钩, 撇折, 弯钩, 斜钩/卧钩, ...) and fall in class 5 (折).
LETTER_CLASS = {"j": "1", "i": "1", "f": "2", "g": "2", "s": "3", "k": "4", "d": "4", "l": "4"}
FOLD_LETTERS = set("abcehmnopqrtuvwxyz")

# Overrides: char -> (stroke classes, why). Applied on top of cnchar. Every entry is checked
# against Unihan's count below; a disagreement there is reported, not silently accepted.
OVERRIDES: dict[str, tuple[str, str]] = {
    # cnchar 3.2.6 drops the first 撇 of 白 (12 strokes); 析 (8) + 白 (5) = 13, as Unihan.
    "皙": ("1234331232511", "cnchar has 12 strokes; 析 + 白 is 13 (Unihan 13)"),
    # 达 has 6 strokes (一ノ丶丶㇋㇏). cnchar agrees; one widely copied data set says 5, so it is
    # pinned here to keep a future upstream change from slipping in unnoticed.
    "达": ("134454", "pinned: 6 strokes; some data sets say 5"),
    # The 31 GB 2312 radicals cnchar lacks, each taken from a host character's strokes in
    # cnchar (checked by check_radicals below).
    "丨": ("2", "radical"),
    "丬": ("412", "radical, as in 将"),
    "丶": ("4", "radical"),
    "丿": ("3", "radical"),
    "亠": ("41", "radical, as in 六"),
    "冖": ("45", "radical, as in 军"),
    "冫": ("41", "radical, as in 冰"),
    "刂": ("22", "radical, as in 刚"),
    "匚": ("15", "radical, as in 匹 (first and last strokes)"),
    "卩": ("52", "radical, as in 卫"),
    "夂": ("354", "radical, as in 冬"),
    "宀": ("445", "radical, as in 宁"),
    "屮": ("522", "radical, as in 出"),
    "廴": ("54", "radical, as in 建"),
    "彐": ("511", "radical, as in 归"),
    "彡": ("333", "radical, as in 形"),
    "彳": ("332", "radical, as in 行"),
    "忄": ("442", "radical, as in 忆"),
    "扌": ("121", "radical, as in 打"),
    "氵": ("441", "radical, as in 江"),
    "灬": ("4444", "radical, as in 点"),
    "犭": ("353", "radical, as in 狗"),
    "疒": ("41341", "radical, as in 病"),
    "礻": ("4524", "radical, as in 礼"),
    "纟": ("551", "radical, as in 红"),
    "艹": ("122", "radical, as in 草"),
    "衤": ("45234", "radical, as in 补"),
    "讠": ("45", "radical, as in 计"),
    "辶": ("454", "radical, as in 这"),
    "阝": ("52", "radical, as in 阳"),
    "饣": ("355", "radical, as in 饭"),
}

# Where a radical override comes from: (host character, slice of the host's strokes).
RADICAL_HOSTS: dict[str, tuple[str, slice]] = {
    "丬": ("将", slice(0, 3)),
    "亠": ("六", slice(0, 2)),
    "冖": ("军", slice(0, 2)),
    "冫": ("冰", slice(0, 2)),
    "刂": ("刚", slice(-2, None)),
    "卩": ("卫", slice(0, 2)),
    "夂": ("冬", slice(0, 3)),
    "宀": ("宁", slice(0, 3)),
    "屮": ("出", slice(0, 3)),
    "廴": ("建", slice(-2, None)),
    "彐": ("归", slice(-3, None)),
    "彡": ("形", slice(-3, None)),
    "彳": ("行", slice(0, 3)),
    "忄": ("忆", slice(0, 3)),
    "扌": ("打", slice(0, 3)),
    "氵": ("江", slice(0, 3)),
    "灬": ("点", slice(-4, None)),
    "犭": ("狗", slice(0, 3)),
    "疒": ("病", slice(0, 5)),
    "礻": ("礼", slice(0, 4)),
    "纟": ("红", slice(0, 3)),
    "艹": ("草", slice(0, 3)),
    "衤": ("补", slice(0, 5)),
    "讠": ("计", slice(0, 2)),
    "辶": ("这", slice(-3, None)),
    "阝": ("阳", slice(0, 2)),
    "饣": ("饭", slice(0, 3)),
}

# Name characters of 通用规范汉字表 that cnchar lacks, built from components that cnchar has,
# written in order (left before right, top before bottom). A left-hand 王/生 ends in 提
# instead of 横: both are class 1, so the sequence does not change.
COMPOSED: dict[str, str] = {
    "䶮": "龙天",  # yǎn, top 龙 bottom 天 (刘䶮)
    "琤": "王争",
    "禛": "礻真",
    "甡": "生生",
    "骉": "马马马",
    "赑": "贝贝贝",
    "劦": "力力力",
    "羴": "羊羊羊",
}


def read_cnchar(path: Path) -> tuple[dict[str, str], str]:
    """Return cnchar's ``char -> letters`` map and a provenance line (file + sha256)."""
    if path.is_dir():
        js_bytes = (path / "cnchar.order.min.js").read_bytes()
        origin = f"{path.name}/cnchar.order.min.js"
    else:
        with tarfile.open(path) as tar:
            member = tar.extractfile("package/cnchar.order.min.js")
            if member is None:
                raise SystemExit(f"{path}: no package/cnchar.order.min.js")
            js_bytes = member.read()
            pkg = tar.extractfile("package/package.json")
            assert pkg is not None
            meta = json.load(pkg)
            if meta.get("license") != "MIT":
                raise SystemExit(f"{path}: licence is {meta.get('license')!r}, expected MIT")
        origin = f"{path.name}:package/cnchar.order.min.js"
    text = js_bytes.decode("utf-8")
    marker = "JSON.parse('"
    start = text.index(marker) + len(marker)
    end = text.index("')", start)
    orders: dict[str, str] = json.loads(text[start:end])
    table_start = text.index(marker, end) + len(marker)
    table_end = text.index("')", table_start)
    stroke_table = json.loads(text[table_start:table_end])
    known = set(LETTER_CLASS) | FOLD_LETTERS
    if set(stroke_table) != known:
        raise SystemExit(f"cnchar stroke letters changed: {sorted(set(stroke_table) ^ known)}")
    for letter, info in stroke_table.items():
        folds = int(info["foldCount"])
        name = info["name"]
        # Plain strokes (no fold) must map to 1-4, folded ones to 5; 竖钩 is the exception
        # cnchar counts as folded but GF 3003 puts under 竖.
        if letter == "g":
            continue
        if (folds == 0) != (letter in LETTER_CLASS):
            raise SystemExit(f"cnchar letter {letter} ({name}) does not fit the mapping")
    digest = hashlib.sha256(js_bytes).hexdigest()
    return orders, f"{origin} sha256 {digest}"


def to_classes(letters: str) -> str:
    out = []
    for letter in letters:
        if letter in LETTER_CLASS:
            out.append(LETTER_CLASS[letter])
        elif letter in FOLD_LETTERS:
            out.append("5")
        else:
            raise SystemExit(f"unknown stroke letter {letter!r}")
    return "".join(out)


def read_unihan(folder: Path, fields: set[str]) -> dict[str, dict[str, str]]:
    """Return ``field -> {char: value}`` for the wanted Unihan fields."""
    result: dict[str, dict[str, str]] = {f: {} for f in fields}

    def lines() -> list[str]:
        zipped = folder / "Unihan.zip"
        texts: list[str] = []
        if zipped.exists():
            with zipfile.ZipFile(zipped) as zf:
                for name in zf.namelist():
                    if name.endswith(".txt"):
                        texts.append(zf.read(name).decode("utf-8"))
        else:
            for p in sorted(folder.glob("Unihan_*.txt*")):
                raw = p.read_bytes()
                texts.append((bz2.decompress(raw) if p.suffix == ".bz2" else raw).decode())
        if not texts:
            raise SystemExit(f"{folder}: no Unihan data (Unihan.zip or Unihan_*.txt[.bz2])")
        return [line for t in texts for line in io.StringIO(t)]

    for line in lines():
        if not line.startswith("U+"):
            continue
        cp, field, value = line.rstrip("\n").split("\t", 2)
        if field in fields:
            result[field][chr(int(cp[2:], 16))] = value
    return result


def unihan_count(value: str) -> int:
    return int(value.split()[0])  # first value: the form used in mainland China (G source)


def check_radicals(orders: dict[str, str]) -> list[str]:
    problems = []
    for radical, (host, part) in RADICAL_HOSTS.items():
        expected = orders[host][part]
        if OVERRIDES[radical][0] != expected:
            problems.append(f"{radical}: override {OVERRIDES[radical][0]} != {host}[{part}]")
    return problems


def build(cnchar: Path, unihan_dir: Path) -> int:
    letters, provenance = read_cnchar(cnchar)
    orders = {ch: to_classes(v) for ch, v in letters.items()}
    unihan = read_unihan(unihan_dir, {"kTotalStrokes", "kGB0", "kTGH"})
    counts = {ch: unihan_count(v) for ch, v in unihan["kTotalStrokes"].items()}

    problems = check_radicals(orders)
    notes: list[str] = []
    for ch, (seq, why) in OVERRIDES.items():
        if ch in orders and orders[ch] != seq:
            notes.append(f"override {ch}: cnchar {orders[ch]} -> {seq} ({why})")
        orders[ch] = seq
    for ch, parts in COMPOSED.items():
        if ch in orders:
            problems.append(f"{ch}: composed entry but cnchar now has it; drop it from COMPOSED")
            continue
        orders[ch] = "".join(orders[p] for p in parts)
        notes.append(f"composed {ch} = {'+'.join(parts)} = {orders[ch]}")

    for ch, seq in sorted(orders.items()):
        if not seq or set(seq) - set("12345"):
            problems.append(f"{ch}: bad sequence {seq!r}")
        if ch in counts and counts[ch] != len(seq):
            ours, theirs = len(seq), counts[ch]
            notes.append(f"count differs {ch} U+{ord(ch):04X}: ours {ours}, Unihan {theirs}")

    gb2312 = set(unihan["kGB0"])
    missing_gb = sorted(gb2312 - set(orders))
    if missing_gb:
        problems.append(f"GB 2312 characters without stroke order: {''.join(missing_gb)}")
    tgh = set(unihan["kTGH"])

    # Characters whose order we lack but whose count Unihan gives: the BMP ideograph blocks
    # (URO, Extension A) and every character of 通用规范汉字表 (some are in Extension B+).
    def wanted(ch: str) -> bool:
        cp = ord(ch)
        return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or ch in tgh

    count_only: dict[int, list[str]] = {}
    for ch, n in counts.items():
        if ch not in orders and wanted(ch):
            count_only.setdefault(n, []).append(ch)

    header = [
        "# Stroke order of Chinese characters in the five classes of GF 3003-1999:",
        "# 1 横(提) 2 竖(竖钩) 3 撇 4 点(捺) 5 折. Format: character TAB classes in writing order.",
        f"# Generated by tools/build_strokes.py from cnchar-order {CNCHAR_VERSION} (MIT,",
        f"# (c) theajack): {provenance}",
        "# modified: letters mapped to the five classes, overrides and composed entries added,",
        "# counts checked against Unicode Unihan kTotalStrokes (Unicode licence).",
        "# Licences: juwei/rules/data/LICENSES.txt. Do not edit by hand: rerun the script.",
    ]
    body = [f"{ch}\t{orders[ch]}" for ch in sorted(orders)]
    (OUT_DIR / "strokes.tsv").write_text("\n".join(header + body) + "\n", encoding="utf-8")

    header_counts = [
        "# Total stroke counts of the CJK ideographs that strokes.tsv lacks (URO, Extension A",
        "# and all of 通用规范汉字表), modified (regrouped) from Unicode Unihan 15.0",
        "# kTotalStrokes, first value. Copyright (c) 1991-2022 Unicode, Inc.; Unicode licence,",
        "# see juwei/rules/data/LICENSES.txt. Format: count TAB characters, code point order.",
        "# Do not edit by hand: generated by tools/build_strokes.py.",
    ]
    body_counts = [f"{n}\t{''.join(sorted(chs))}" for n, chs in sorted(count_only.items())]
    (OUT_DIR / "stroke_counts.tsv").write_text(
        "\n".join(header_counts + body_counts) + "\n", encoding="utf-8"
    )

    n_count_only = sum(len(v) for v in count_only.values())
    print(f"strokes.tsv: {len(orders)} characters with stroke order")
    print(f"stroke_counts.tsv: {n_count_only} characters with a count only")
    print(f"GB 2312: {len(gb2312 & set(orders))}/{len(gb2312)} with stroke order")
    print(f"通用规范汉字表: {len(tgh & set(orders))}/{len(tgh)} with stroke order")
    for note in notes:
        print("note:", note)
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cnchar", type=Path, required=True, help="cnchar-order .tgz or dir")
    parser.add_argument("--unihan", type=Path, default=Path("/usr/share/unicode"))
    args = parser.parse_args()
    return build(args.cnchar, args.unihan)


if __name__ == "__main__":
    sys.exit(main())
