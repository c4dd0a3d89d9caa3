"""Choose, check and register the embedded Chinese TrueType font that printed matter uses.

Chinese text goes into PDFs only through an embedded, subsetted TrueType font (glyf
outlines): reportlab's CID font STSong-Light is not embedded, so a viewer without the font
shows nothing or tofu. CFF/PostScript-outline fonts (Noto CJK .otf, some msyh.ttc) cannot be
embedded by reportlab and are refused with a reason.

Where the font comes from, first match wins (see :func:`resolve_font`):

1. ``option`` — the ``--font PATH[#index]`` the user gave;
2. ``env`` — the ``JUWEI_FONT`` environment variable, same syntax;
3. ``system`` — the first usable font of :func:`system_font_candidates` (Windows, Linux,
   macOS);
4. ``bundled`` — WenQuanYi Micro Hei shipped in ``juwei/ballots/fonts/`` (Apache-2.0).

reportlab drops a character the font has no glyph for without a word, so every text is
checked with :func:`require_glyphs` before anything is drawn.
"""

from __future__ import annotations

import os
import re
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from juwei.errors import JuweiError
from juwei.i18n import _

FontSource = Literal["option", "env", "system", "bundled"]

ENV_VAR = "JUWEI_FONT"
BUNDLED_FONT = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"

#: Characters every usable font must have: the digits of ID numbers, ages and page numbers,
#: and a few common Han characters (a font without them is not a Chinese font).
PROBE_TEXT = "0123456789X*选民名单第页共"

_SFNT_TRUETYPE = (b"\x00\x01\x00\x00", b"true")
_SFNT_CFF = b"OTTO"
_TTC = b"ttcf"
_WOFF = (b"wOFF", b"wOF2")


class FontError(JuweiError):
    """A font that cannot be used: names the path (and where it came from) and the reason."""

    exit_code = 3

    def __init__(self, reason: str, *, path: Path | None = None, source: str | None = None):
        self.reason = reason
        self.path = path
        self.source = source
        if path is None:
            message = reason
        elif source == "env":
            message = _("Font {path} (from JUWEI_FONT): {reason}").format(path=path, reason=reason)
        else:
            message = _("Font {path}: {reason}").format(path=path, reason=reason)
        super().__init__(message)


class MissingGlyphError(JuweiError):
    """Text that the chosen font cannot print.

    ``problems`` holds ``(character, what)`` pairs: the character without a glyph and the
    text it occurs in (e.g. "name of voter no. 12 (ID 110105********002X)"). ``chars`` is the
    distinct missing characters in order of first appearance.
    """

    exit_code = 3
    MAX_LISTED = 10

    def __init__(self, font: FontChoice, problems: Sequence[tuple[str, str]]):
        self.font = font
        self.problems = tuple(problems)
        self.chars = tuple(dict.fromkeys(c for c, _what in self.problems))
        lines = [
            _("Cannot print {char} ({code}) in {what}: font {font} has no glyph for it.").format(
                char=char, code=codepoint(char), what=what, font=font.spec
            )
            for char, what in self.problems[: self.MAX_LISTED]
        ]
        if len(self.problems) > self.MAX_LISTED:
            lines.append(
                _("… and {count} more.").format(count=len(self.problems) - self.MAX_LISTED)
            )
        lines.append(
            _(
                "Give a font that has these characters with --font PATH[#index] or "
                "JUWEI_FONT (e.g. wqy-zenhei.ttc, simsun.ttc)."
            )
        )
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class FontChoice:
    """A registered, embeddable TrueType font.

    ``name`` is the reportlab font name to draw with (already registered with
    ``pdfmetrics``); ``path`` the absolute font file; ``subfont_index`` the face inside a
    ``.ttc`` collection (0 for a ``.ttf``); ``source`` where the choice came from.
    """

    name: str
    path: Path
    subfont_index: int
    source: FontSource

    @property
    def spec(self) -> str:
        """``PATH#index``, the form ``--font`` and ``JUWEI_FONT`` accept."""
        return f"{self.path}#{self.subfont_index}"

    def __str__(self) -> str:
        return f"{self.spec} ({self.source})"


def codepoint(char: str) -> str:
    """``"U+4DAE"`` for ``"䶮"`` (at least four hex digits, upper case)."""
    return f"U+{ord(char):04X}"


def parse_font_spec(spec: str) -> tuple[Path, int]:
    """Split ``PATH[#index]`` into the path (``~`` expanded) and the face index (default 0).

    Only a ``#`` followed by digits at the very end is an index, so a path that contains
    ``#`` elsewhere still works.
    """
    match = re.fullmatch(r"(.*)#(\d+)", spec.strip())
    if match:
        return Path(match.group(1)).expanduser(), int(match.group(2))
    return Path(spec.strip()).expanduser(), 0


def system_font_candidates() -> list[tuple[Path, int]]:
    """Chinese TrueType fonts commonly installed on Windows, Linux and macOS, best first.

    Returns ``(path, face index)`` pairs; most will not exist on a given machine. Fonts with
    wider coverage (CJK Extension A, for rare characters in names) come first.
    """
    windir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
    local_fonts: list[Path] = []
    localappdata = os.environ.get("LOCALAPPDATA")
    if localappdata:
        local_fonts.append(Path(localappdata) / "Microsoft" / "Windows" / "Fonts")
    windows = [
        (folder / name, index)
        for folder in (windir, *local_fonts)
        for name, index in (
            ("simsun.ttc", 0),  # 宋体 / SimSun: GB18030 incl. Extension A
            ("simhei.ttf", 0),  # 黑体
            ("msyh.ttc", 0),  # 微软雅黑: CFF-in-TTC on some versions, then skipped
            ("msyh.ttf", 0),
            ("simkai.ttf", 0),
            ("simfang.ttf", 0),
        )
    ]
    linux_dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]
    try:
        home = Path.home()
    except (RuntimeError, KeyError):  # no home folder known (a bare service account)
        pass
    else:
        linux_dirs += [home / ".local" / "share" / "fonts", home / ".fonts"]
    linux_names = [
        ("truetype/wqy/wqy-zenhei.ttc", 0),  # widest coverage (Extension A)
        ("truetype/wqy/wqy-microhei.ttc", 0),
        ("wqy-zenhei/wqy-zenhei.ttc", 0),  # Fedora / Arch layouts
        ("wqy-microhei/wqy-microhei.ttc", 0),
        ("wenquanyi/wqy-zenhei/wqy-zenhei.ttc", 0),
        ("wenquanyi/wqy-microhei/wqy-microhei.ttc", 0),
        ("truetype/arphic/uming.ttc", 0),
        ("truetype/arphic/ukai.ttc", 0),
        ("truetype/droid/DroidSansFallbackFull.ttf", 0),  # lacks ASCII: probe skips it
        ("google-droid/DroidSansFallbackFull.ttf", 0),
    ]
    linux = [(folder / name, index) for folder in linux_dirs for name, index in linux_names]
    macos = [
        (Path("/System/Library/Fonts/STHeiti Light.ttc"), 0),
        (Path("/System/Library/Fonts/STHeiti Medium.ttc"), 0),
        (Path("/System/Library/Fonts/PingFang.ttc"), 0),
        (Path("/Library/Fonts/Arial Unicode.ttf"), 0),
        (Path("/System/Library/Fonts/Supplemental/Arial Unicode.ttf"), 0),
        (Path("/System/Library/Fonts/Supplemental/Songti.ttc"), 0),
        (Path("/Library/Fonts/Songti.ttc"), 0),
    ]
    if sys.platform == "win32":
        return windows + linux + macos
    if sys.platform == "darwin":
        return macos + linux + windows
    return linux + windows + macos


# (resolved path, face index) -> registered reportlab font name
_registered: dict[tuple[str, int], str] = {}


def resolve_font(spec: str | None = None) -> FontChoice:
    """Return the font to print with, registered with reportlab (once per process).

    ``spec`` is ``--font``'s ``PATH[#index]`` (index of the face in a ``.ttc``, default 0).
    Order: ``spec``; else ``JUWEI_FONT``; else the first usable system font (a candidate that
    is absent, CFF, unreadable or lacks Chinese/digits is skipped); else the bundled
    WenQuanYi Micro Hei.

    Raises :class:`FontError` (exit code 3) when ``spec`` or ``JUWEI_FONT`` names a missing,
    unreadable, CFF/PostScript or non-Chinese font (never falls through silently), or when
    no font at all is found.
    """
    if spec is not None and spec.strip():
        path, index = parse_font_spec(spec)
        return load_font(path, index, "option")
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        path, index = parse_font_spec(env)
        return load_font(path, index, "env")
    for path, index in system_font_candidates():
        if not path.is_file():
            continue
        try:
            return load_font(path, index, "system")
        except FontError:
            continue
    if BUNDLED_FONT.is_file():
        return load_font(BUNDLED_FONT, 0, "bundled")
    raise FontError(
        _(
            "No Chinese TrueType font found and the bundled font {path} is missing; "
            "give one with --font PATH[#index] or JUWEI_FONT."
        ).format(path=BUNDLED_FONT)
    )


def load_font(path: Path, index: int, source: FontSource) -> FontChoice:
    """Check that ``path``/face ``index`` is an embeddable Chinese TrueType font; register it.

    Registration happens once per process per (file, face); later calls reuse the name.
    Raises :class:`FontError` naming ``path`` and the reason (not found, not a file, CFF
    outlines, WOFF, no such face in the collection, not a TrueType font, lacks Chinese or
    digits).
    """
    path = Path(path).expanduser()
    try:
        path = path.resolve()
    except (OSError, RuntimeError):  # pragma: no cover - a symlink loop, say
        pass
    key = (str(path), index)
    name = _registered.get(key)
    if name is None:
        reason = _sniff(path, index)
        if reason is None:
            name = _unique_name(path, index)
            try:
                font = TTFont(name, str(path), subfontIndex=index)
            except (TTFError, OSError, ValueError, IndexError, KeyError, struct.error) as exc:
                reason = _("not a usable TrueType font ({detail})").format(detail=exc)
            else:
                lacking = [c for c in PROBE_TEXT if ord(c) not in font.face.charToGlyph]
                if lacking:
                    reason = _("has no glyphs for characters juwei must print: {chars}").format(
                        chars=", ".join(f"{c} ({codepoint(c)})" for c in lacking)
                    )
        if reason is not None:
            raise FontError(reason, path=path, source=source)
        assert name is not None
        pdfmetrics.registerFont(font)
        _registered[key] = name
    return FontChoice(name=name, path=path, subfont_index=index, source=source)


def _unique_name(path: Path, index: int) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", path.stem).strip("-") or "font"
    base = f"Juwei-{stem}-{index}"
    name, n = base, 1
    taken = set(_registered.values()) | set(pdfmetrics.getRegisteredFontNames())
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def _sniff(path: Path, index: int) -> str | None:
    """The reason ``path`` cannot be a TrueType font face ``index``, or None if it may be."""
    try:
        if not path.exists():
            return _("file not found")
        if not path.is_file():
            return _("not a file")
        with path.open("rb") as fh:
            head = fh.read(12)
            tag = head[:4]
            if tag == _TTC:
                if len(head) < 12:
                    return _("not a TrueType font (file too short)")
                (count,) = struct.unpack(">I", head[8:12])
                if index >= count:
                    return _(
                        "the font collection has no face #{index}; it has #0 to #{last}"
                    ).format(index=index, last=count - 1)
                fh.seek(12 + 4 * index)
                (offset,) = struct.unpack(">I", fh.read(4))
                fh.seek(offset)
                tag = fh.read(4)
            elif index != 0:
                return _(
                    "face #{index} given, but the file is a single font, not a collection (.ttc)"
                ).format(index=index)
    except (OSError, struct.error) as exc:
        return _("cannot be read ({detail})").format(detail=exc)
    if tag == _SFNT_CFF:
        return _(
            "PostScript (CFF) outlines cannot be embedded; use a TrueType font with glyf "
            "outlines (.ttf/.ttc, e.g. simsun.ttc, wqy-zenhei.ttc)"
        )
    if tag in _WOFF:
        return _("web fonts (WOFF) are not supported; use a .ttf or .ttc file")
    if tag not in _SFNT_TRUETYPE:
        return _("not a TrueType font (.ttf/.ttc)")
    return None


def missing_glyphs(font: FontChoice, text: str) -> list[str]:
    """The distinct characters of ``text`` that ``font`` has no glyph for, in text order.

    Whitespace is ignored (it is drawn as space, never as a glyph that could be lost).
    """
    cmap = pdfmetrics.getFont(font.name).face.charToGlyph
    missing: dict[str, None] = {}
    for char in text:
        if ord(char) not in cmap and not char.isspace():
            missing[char] = None
    return list(missing)


def require_glyphs(font: FontChoice, text: str, what: str) -> None:
    """Raise :class:`MissingGlyphError` naming each character of ``text`` the font lacks.

    ``what`` says where the text comes from (e.g. "name of voter no. 12 (ID 1101…)").
    """
    missing = missing_glyphs(font, text)
    if missing:
        raise MissingGlyphError(font, [(char, what) for char in missing])


class GlyphChecker:
    """Collect every missing glyph over many texts, then raise once for all of them.

    Fast for large inputs: each distinct character is looked up in the font once.
    """

    def __init__(self, font: FontChoice) -> None:
        self.font = font
        self._cmap: dict[int, int] = pdfmetrics.getFont(font.name).face.charToGlyph
        self._seen: set[str] = set()
        self.problems: list[tuple[str, str]] = []

    def check(self, text: str, what: str) -> None:
        """Record each distinct character of ``text`` without a glyph, with ``what``."""
        seen = self._seen
        reported: set[str] = set()
        for char in text:
            if char in seen or char in reported:
                continue
            if ord(char) in self._cmap or char.isspace():
                seen.add(char)
            else:
                reported.add(char)
                self.problems.append((char, what))

    def raise_if_missing(self) -> None:
        """Raise :class:`MissingGlyphError` if any checked text had a missing glyph."""
        if self.problems:
            raise MissingGlyphError(self.font, self.problems)
