"""juwei.ballots.fonts: where the embedded Chinese font comes from, and refusing bad ones."""

from __future__ import annotations

import gettext
import struct
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics

import juwei.i18n as i18n
from juwei.ballots import fonts
from juwei.ballots.fonts import (
    BUNDLED_FONT,
    FontChoice,
    FontError,
    MissingGlyphError,
    missing_glyphs,
    parse_font_spec,
    require_glyphs,
    resolve_font,
)
from juwei.errors import JuweiError

MICROHEI = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
ZENHEI = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

needs_zenhei = pytest.mark.skipif(not ZENHEI.is_file(), reason="fonts-wqy-zenhei not installed")


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages in English whatever the machine's locale; no JUWEI_FONT from outside."""
    monkeypatch.setattr(i18n, "_current", gettext.NullTranslations())
    monkeypatch.setattr(i18n, "_current_lang", "en")
    monkeypatch.delenv("JUWEI_FONT", raising=False)


def cff_font(path: Path) -> Path:
    """A file whose sfnt header says PostScript (CFF) outlines, like a Noto CJK .otf."""
    path.write_bytes(b"OTTO" + b"\x00" * 60)
    return path


def cff_collection(path: Path) -> Path:
    """A .ttc whose only face has CFF outlines, like some msyh.ttc versions."""
    path.write_bytes(b"ttcf" + struct.pack(">III", 0x00010000, 1, 16) + b"OTTO" + b"\x00" * 60)
    return path


# --- PATH[#index] ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "path", "index"),
    [
        ("fonts/simsun.ttc#1", Path("fonts/simsun.ttc"), 1),
        ("fonts/simsun.ttc", Path("fonts/simsun.ttc"), 0),
        (r"C:\Windows\Fonts\msyh.ttc#0", Path(r"C:\Windows\Fonts\msyh.ttc"), 0),
        ("my#fonts/simhei.ttf", Path("my#fonts/simhei.ttf"), 0),  # '#' not followed by digits
        ("  a.ttc#12  ", Path("a.ttc"), 12),
    ],
)
def test_parse_font_spec(spec: str, path: Path, index: int) -> None:
    assert parse_font_spec(spec) == (path, index)


# --- resolution order: option, env, system, bundled -----------------------------------------


def test_option_is_used_and_registered_once() -> None:
    first = resolve_font(f"{BUNDLED_FONT}#1")
    second = resolve_font(f"{BUNDLED_FONT}#1")
    assert first == second
    assert first.source == "option"
    assert first.path == BUNDLED_FONT
    assert first.subfont_index == 1
    assert first.name in pdfmetrics.getRegisteredFontNames()
    assert pdfmetrics.getFont(first.name).face.name == b"WenQuanYiMicroHeiMono"


def test_env_is_used_when_no_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUWEI_FONT", str(BUNDLED_FONT))
    choice = resolve_font()
    assert (choice.source, choice.path, choice.subfont_index) == ("env", BUNDLED_FONT, 0)


def test_option_wins_over_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JUWEI_FONT", str(tmp_path / "missing.ttf"))
    assert resolve_font(str(BUNDLED_FONT)).source == "option"


def test_bad_env_font_is_refused_not_skipped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.ttf"
    monkeypatch.setenv("JUWEI_FONT", str(missing))
    with pytest.raises(FontError) as info:
        resolve_font()
    assert str(info.value) == f"Font {missing} (from JUWEI_FONT): file not found"


def test_system_candidates_skip_missing_and_cff(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    candidates = [
        (tmp_path / "absent.ttc", 0),
        (cff_font(tmp_path / "noto.otf"), 0),
        (cff_collection(tmp_path / "msyh.ttc"), 0),
        (BUNDLED_FONT, 0),
    ]
    monkeypatch.setattr(fonts, "system_font_candidates", lambda: candidates)
    choice = resolve_font()
    assert (choice.source, choice.path) == ("system", BUNDLED_FONT)


@pytest.mark.skipif(not DEJAVU.is_file(), reason="fonts-dejavu-core not installed")
def test_system_candidate_without_chinese_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "system_font_candidates", lambda: [(DEJAVU, 0), (BUNDLED_FONT, 1)])
    choice = resolve_font()
    assert (choice.source, choice.subfont_index) == ("system", 1)


def test_bundled_font_when_no_system_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "system_font_candidates", lambda: [])
    choice = resolve_font()
    assert (choice.source, choice.path, choice.subfont_index) == ("bundled", BUNDLED_FONT, 0)


def test_no_font_at_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "system_font_candidates", lambda: [])
    monkeypatch.setattr(fonts, "BUNDLED_FONT", tmp_path / "gone.ttc")
    with pytest.raises(FontError, match="No Chinese TrueType font found"):
        resolve_font()


def test_windows_candidates_follow_windir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WINDIR", r"D:\WINNT")
    candidates = fonts.system_font_candidates()
    fonts_dir = Path(r"D:\WINNT") / "Fonts"
    for name in ("simsun.ttc", "simhei.ttf", "msyh.ttc"):
        assert (fonts_dir / name, 0) in candidates
    assert (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0) in candidates


@pytest.mark.skipif(not MICROHEI.is_file(), reason="fonts-wqy-microhei not installed")
def test_system_font_found_on_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    choice = resolve_font()
    assert choice.source == "system"
    assert choice.path.name in {"wqy-zenhei.ttc", "wqy-microhei.ttc"}


# --- refusing bad fonts, with the path and the reason ---------------------------------------


def refused(spec: str) -> FontError:
    with pytest.raises(FontError) as info:
        resolve_font(spec)
    error = info.value
    assert isinstance(error, JuweiError)
    assert error.exit_code == 3
    return error


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "no such font.ttf"
    assert str(refused(str(path))) == f"Font {path}: file not found"


def test_folder_is_not_a_font(tmp_path: Path) -> None:
    assert str(refused(str(tmp_path))) == f"Font {tmp_path}: not a file"


def test_cff_font_is_refused_with_reason(tmp_path: Path) -> None:
    path = cff_font(tmp_path / "NotoSansCJK-Regular.otf")
    error = refused(str(path))
    assert error.path == path
    assert str(error).startswith(f"Font {path}: PostScript (CFF) outlines cannot be embedded")


def test_cff_face_in_a_collection_is_refused(tmp_path: Path) -> None:
    path = cff_collection(tmp_path / "msyh.ttc")
    assert "PostScript (CFF)" in str(refused(f"{path}#0"))


def test_woff_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "font.woff2"
    path.write_bytes(b"wOF2" + b"\x00" * 40)
    assert "WOFF" in str(refused(str(path)))


def test_garbage_is_not_a_font(tmp_path: Path) -> None:
    path = tmp_path / "font.ttf"
    path.write_text("hello, not a font", encoding="utf-8")
    assert str(refused(str(path))) == f"Font {path}: not a TrueType font (.ttf/.ttc)"


def test_truncated_truetype_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttf"
    path.write_bytes(b"\x00\x01\x00\x00" + b"\x00\x01")  # a TrueType header, then nothing
    assert "not a usable TrueType font" in str(refused(str(path)))


def test_face_index_beyond_collection() -> None:
    error = refused(f"{BUNDLED_FONT}#5")
    assert str(error) == (
        f"Font {BUNDLED_FONT}: the font collection has no face #5; it has #0 to #1"
    )


@pytest.mark.skipif(not DEJAVU.is_file(), reason="fonts-dejavu-core not installed")
def test_face_index_on_single_font() -> None:
    assert "not a collection" in str(refused(f"{DEJAVU}#1"))


@pytest.mark.skipif(not DEJAVU.is_file(), reason="fonts-dejavu-core not installed")
def test_font_without_chinese_is_refused() -> None:
    error = refused(str(DEJAVU))
    assert "has no glyphs for characters juwei must print" in str(error)
    assert "选 (U+9009)" in str(error)


# --- the bundled font --------------------------------------------------------------------------


def test_bundled_font_and_its_licence_are_shipped() -> None:
    folder = BUNDLED_FONT.parent
    assert 4_000_000 < BUNDLED_FONT.stat().st_size < 6_000_000
    assert (
        (folder / "LICENSE-Apache-2.0.txt")
        .read_text(encoding="utf-8")
        .startswith("\n                                 Apache License")
    )
    notice = (folder / "NOTICE.txt").read_text(encoding="utf-8")
    assert "Apache License 2.0" in notice
    assert "WenQuanYi" in notice


# --- glyph checks ------------------------------------------------------------------------------


@pytest.fixture
def microhei() -> FontChoice:
    return resolve_font(str(BUNDLED_FONT))


def test_missing_glyphs_lists_each_character_once_in_order(microhei: FontChoice) -> None:
    # 䶮 (U+4DAE, CJK Extension A) and 𠀀 (U+20000, Extension B) are not in Micro Hei.
    assert missing_glyphs(microhei, "刘䶮 王𠀀䶮\t李\u3000") == ["䶮", "𠀀"]
    assert missing_glyphs(microhei, "张三 Anna-Maria 0123456789X*") == []


def test_require_glyphs_names_character_code_and_place(microhei: FontChoice) -> None:
    require_glyphs(microhei, "王喆 张堃 龑", "names")  # rare but in GBK: present
    with pytest.raises(MissingGlyphError) as info:
        require_glyphs(microhei, "刘䶮", "the name of voter no. 3 刘䶮 (ID **************002X)")
    error = info.value
    assert error.exit_code == 3
    assert error.chars == ("䶮",)
    assert str(error).splitlines()[0] == (
        "Cannot print 䶮 (U+4DAE) in the name of voter no. 3 刘䶮 (ID **************002X): "
        f"font {BUNDLED_FONT}#0 has no glyph for it."
    )
    assert "--font" in str(error)


def test_missing_glyph_message_is_capped(microhei: FontChoice) -> None:
    checker = fonts.GlyphChecker(microhei)
    for number in range(1, 16):
        checker.check("刘䶮", f"voter no. {number}")
    with pytest.raises(MissingGlyphError) as info:
        checker.raise_if_missing()
    assert len(info.value.problems) == 15
    assert "voter no. 10:" in str(info.value)
    assert "voter no. 11:" not in str(info.value)
    assert "… and 5 more." in str(info.value)


@needs_zenhei
def test_zenhei_has_extension_a() -> None:
    zenhei = resolve_font(f"{ZENHEI}#0")
    assert missing_glyphs(zenhei, "刘䶮 㛃") == []
