"""Looking at a PDF as a person would: render a page to PNG with poppler's pdftoppm."""

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image


def render_png(pdf: Path, stem: Path, page: int = 1, dpi: int = 60) -> Image.Image:
    """Render ``page`` of ``pdf`` to ``stem``.png and return it in grey levels.

    Skips the test (with the reason) when pdftoppm (Debian poppler-utils) is not installed.
    """
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (Debian package poppler-utils) is not installed")
    subprocess.run(
        [pdftoppm, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page)]
        + ["-singlefile", str(pdf), str(stem)],
        check=True,
        capture_output=True,
    )
    return Image.open(stem.with_suffix(".png")).convert("L")


def dark_pixels(image: Image.Image) -> int:
    """How many pixels are darker than mid-grey (ink on the page)."""
    return sum(count for value, count in enumerate(image.histogram()) if value < 128)
