"""Realistic scans without a scanner (issue 16 §5): for the tests, the benchmark and the demo.

Printed ballots are rendered to images (pypdfium2) at 150, 200 or 300 dpi, marked as voters
mark them, then degraded as scanners and copiers degrade them; the truth of every box is
kept. Marks (``MARKS``): ``circle`` ○, ``check`` ✓, ``cross`` ×, ``filled`` (the box filled
in), ``pencil`` (a light pencil ✓ or ○), ``partly_outside`` (a ○ half over the box's rule),
``hesitation`` (a mark written over by another) — all of them marks — and ``stray_dot`` (a dot
on the rule beside a box: no mark) or nothing. Degradations (``DEGRADATIONS``): rotation up
to ±3°, shift, scale ±2 %, blur, noise, JPEG at quality 60, photocopy darkening, slight
perspective, upside down, and ``all`` of the first eight at once.

Images are 8-bit grey arrays ``(height, width)``; lengths in the layout are PDF points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium

from juwei.scan.reader import Gray

MARKED_KINDS = ("circle", "check", "cross", "filled", "pencil", "partly_outside", "hesitation")
MARKS = (*MARKED_KINDS, "stray_dot")
DEGRADATIONS = (
    "clean",
    "rotation",
    "shift",
    "scale",
    "blur",
    "noise",
    "jpeg",
    "photocopy",
    "perspective",
    "upside_down",
    "all",
)


def render_page(pdf: Path, page: int, dpi: int) -> Gray:
    """Page ``page`` (0-based) of ``pdf`` as a grey image at ``dpi``."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        bitmap = document[page].render(scale=dpi / 72, grayscale=True)
        array = np.array(bitmap.to_numpy(), dtype=np.uint8)
    finally:
        document.close()
    if array.ndim == 3:
        array = array[:, :, 0]
    return np.ascontiguousarray(array)


@dataclass(frozen=True)
class Truth:
    """What was put on one page: box index → mark kind (``None``: nothing), write-in box
    indices whose name box was written in."""

    marks: Mapping[int, str | None]
    names: frozenset[int]

    def marked(self, index: int) -> bool:
        """True if box ``index`` carries a mark (a stray dot beside it is none)."""
        kind = self.marks.get(index)
        return kind is not None and kind in MARKED_KINDS


class Pen:
    """Draws hand-made strokes onto an image at ``dpi`` (pt coordinates, y up, as printed)."""

    def __init__(self, image: Gray, dpi: int, page_height: float, rng: np.random.Generator):
        self.image = image
        self.scale = dpi / 72
        self.page_height = page_height
        self.rng = rng

    def px(self, x: float, y: float) -> tuple[float, float]:
        return x * self.scale, (self.page_height - y) * self.scale

    def stroke(self, points: Sequence[tuple[float, float]], width_pt: float, ink: int) -> None:
        """A wobbly stroke through ``points`` (pt), ``width_pt`` wide, of grey ``ink``."""
        dense: list[tuple[float, float]] = []
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            steps = max(2, int(math.hypot(x1 - x0, y1 - y0) / 1.5))
            for i in range(steps):
                t = i / steps
                dense.append((x0 + (x1 - x0) * t, y0 + (y1 - y0) * t))
        dense.append(points[-1])
        wobble = self.rng.normal(0, 0.25, (len(dense), 2))
        shift = 16  # fixed-point bits for sub-pixel drawing
        pts = np.array(
            [
                [
                    round((x + dx) * self.scale * (1 << shift)),
                    round((self.page_height - y - dy) * self.scale * (1 << shift)),
                ]
                for (x, y), (dx, dy) in zip(dense, wobble, strict=True)
            ],
            dtype=np.int64,
        ).astype(np.int32)
        thickness = max(1, round(width_pt * self.scale))
        mask = np.zeros_like(self.image)
        cv2.polylines(
            mask, [pts.reshape(-1, 1, 2)], False, 255, thickness, cv2.LINE_AA, shift=shift
        )
        self._lay(mask, ink)

    def dot(self, x: float, y: float, radius_pt: float, ink: int) -> None:
        mask = np.zeros_like(self.image)
        cx, cy = self.px(x, y)
        cv2.circle(
            mask,
            (round(cx * 16), round(cy * 16)),
            max(1, round(radius_pt * self.scale * 16)),
            255,
            -1,
            cv2.LINE_AA,
            shift=4,
        )
        self._lay(mask, ink)

    def _lay(self, mask: Gray, ink: int) -> None:
        """Ink darkens what is under it (like a pen over print), never lightens it."""
        alpha = mask.astype(np.float32) / 255
        inked = self.image.astype(np.float32) * (1 - alpha) + ink * alpha
        np.minimum(self.image, inked.astype(np.uint8), out=self.image)


def _ellipse(
    cx: float, cy: float, rx: float, ry: float, turns: float = 1.08
) -> list[tuple[float, float]]:
    start = 0.0
    steps = 28
    return [
        (
            cx + rx * math.cos(start + turns * 2 * math.pi * i / steps),
            cy + ry * math.sin(start + turns * 2 * math.pi * i / steps),
        )
        for i in range(steps + 1)
    ]


def draw_mark(pen: Pen, rect: Sequence[float], kind: str) -> None:
    """Draw a voter's mark of ``kind`` (one of ``MARKS``) in or at the box ``rect`` (pt)."""
    rng = pen.rng
    x0, y0, x1, y1 = rect
    w, h = x1 - x0, y1 - y0
    cx = x0 + w / 2 + rng.uniform(-0.2, 0.2) * w
    cy = y0 + h / 2 + rng.uniform(-0.12, 0.12) * h
    size = min(h, w) * rng.uniform(0.32, 0.48)  # half height of the mark
    pen_width = rng.uniform(1.1, 1.8)  # 0.4–0.65 mm
    ink = int(rng.integers(10, 70))
    if kind == "circle":
        pen.stroke(_ellipse(cx, cy, size * rng.uniform(1.0, 1.5), size), pen_width, ink)
    elif kind == "check":
        pen.stroke(
            [(cx - size, cy), (cx - size / 3, cy - size), (cx + size * 1.2, cy + size)],
            pen_width,
            ink,
        )
    elif kind == "cross":
        pen.stroke([(cx - size, cy - size), (cx + size, cy + size)], pen_width, ink)
        pen.stroke([(cx - size, cy + size), (cx + size, cy - size)], pen_width, ink)
    elif kind == "filled":
        left, right = x0 + w * rng.uniform(0.05, 0.25), x1 - w * rng.uniform(0.05, 0.25)
        y = y0 + h * 0.15
        zigzag: list[tuple[float, float]] = []
        while y < y1 - h * 0.15:
            zigzag += [(left, y), (right, y + 1.2)]
            y += 2.0
        pen.stroke(zigzag, 2.6, ink)
    elif kind == "pencil":
        grey = int(rng.integers(135, 175))
        if rng.random() < 0.5:
            pen.stroke(_ellipse(cx, cy, size * 1.2, size), rng.uniform(0.9, 1.2), grey)
        else:
            pen.stroke(
                [(cx - size, cy), (cx - size / 3, cy - size), (cx + size * 1.2, cy + size)],
                rng.uniform(0.9, 1.2),
                grey,
            )
    elif kind == "partly_outside":
        edge = int(rng.integers(0, 4))
        r = min(h, w) * 0.4  # a ○ over the rule: about a third of it outside the box
        ex, ey = ((x0 + r * 0.7, cy), (x1 - r * 0.7, cy), (cx, y0 + r * 0.5), (cx, y1 - r * 0.5))[
            edge
        ]
        pen.stroke(_ellipse(ex, ey, r * 1.2, r), pen_width, ink)
    elif kind == "hesitation":
        pen.stroke(_ellipse(cx, cy, size * 1.2, size), pen_width, ink)
        pen.stroke([(cx - size, cy - size), (cx + size, cy + size)], pen_width, ink)
        pen.stroke(
            [(cx - size * 1.3, cy + size * 0.2), (cx + size * 1.3, cy - size * 0.1)], pen_width, ink
        )
    elif kind == "stray_dot":
        # on the rule beside the box (between two boxes): a slip of the pen, no mark
        edge = int(rng.integers(0, 4))
        along = rng.uniform(0.25, 0.75)
        dx, dy = [
            (x0, y0 + h * along),
            (x1, y0 + h * along),
            (x0 + w * along, y0),
            (x0 + w * along, y1),
        ][edge]
        pen.dot(
            dx + rng.uniform(-0.5, 0.5), dy + rng.uniform(-0.5, 0.5), rng.uniform(0.9, 1.5), ink
        )
    else:
        raise ValueError(f"unknown mark kind {kind!r}")


def write_name(pen: Pen, rect: Sequence[float]) -> None:
    """Scribble a handwritten name (three characters' worth of strokes) into ``rect``."""
    rng = pen.rng
    x0, y0, x1, y1 = rect
    h = y1 - y0
    x = x0 + 6
    for _char in range(3):
        for _stroke in range(int(rng.integers(3, 6))):
            ax, ay = x + rng.uniform(0, 12), y0 + h * rng.uniform(0.25, 0.75)
            bx, by = x + rng.uniform(0, 12), y0 + h * rng.uniform(0.25, 0.75)
            pen.stroke([(ax, ay), (bx, by)], 1.3, 30)
        x += 16
        if x > x1 - 16:
            break


def random_truth(
    layout: Mapping[str, Any],
    page: int,
    rng: np.random.Generator,
    *,
    marked: float = 0.4,
    stray: float = 0.06,
    kinds: Sequence[str] = MARKED_KINDS,
) -> Truth:
    """A random filling of page ``page`` (1-based): each box marked with probability
    ``marked`` (kind drawn from ``kinds``), else a stray dot with probability ``stray``;
    a write-in's name box is written in when its mark box is marked (and now and then not)."""
    marks: dict[int, str | None] = {}
    names: set[int] = set()
    for index, box in enumerate(layout["boxes"]):
        if int(box["page"]) != page:
            continue
        roll = rng.random()
        if roll < marked:
            marks[index] = str(kinds[int(rng.integers(0, len(kinds)))])
        elif roll < marked + stray:
            marks[index] = "stray_dot"
        else:
            marks[index] = None
        if box["kind"] == "write_in" and (marks[index] in MARKED_KINDS or rng.random() < 0.1):
            names.add(index)
    return Truth(marks, frozenset(names))


def mark_page(
    blank: Gray, layout: Mapping[str, Any], truth: Truth, dpi: int, rng: np.random.Generator
) -> Gray:
    """A copy of the printed page ``blank`` (rendered at ``dpi``) filled in as ``truth`` says."""
    image = blank.copy()
    pen = Pen(image, dpi, float(layout["page_size"][1]), rng)
    boxes = layout["boxes"]
    for index, kind in truth.marks.items():
        if kind is not None:
            draw_mark(pen, boxes[index]["rect"], kind)
    for index in truth.names:
        write_name(pen, boxes[index]["name_rect"])
    return image


def _u8(array: object) -> Gray:
    return np.asarray(array, dtype=np.uint8)


def degrade(image: Gray, kind: str, dpi: int, rng: np.random.Generator) -> Gray:
    """``image`` as a scanner or copier would give it back (``kind`` in ``DEGRADATIONS``)."""
    if kind == "clean":
        return image
    if kind == "all":
        for step in (
            "perspective",
            "rotation",
            "scale",
            "shift",
            "photocopy",
            "blur",
            "noise",
            "jpeg",
        ):
            image = degrade(image, step, dpi, rng)
        return image
    h, w = image.shape
    px_mm = dpi / 25.4
    if kind in ("rotation", "shift", "scale", "upside_down"):
        angle, dx, dy, factor = 0.0, 0.0, 0.0, 1.0
        if kind == "rotation":
            angle = float(rng.uniform(-3, 3))
        elif kind == "upside_down":
            angle = 180.0 + float(rng.uniform(-1, 1))
        elif kind == "shift":
            dx, dy = (float(v) for v in rng.uniform(-4, 4, 2) * px_mm)
        else:
            factor = float(rng.uniform(0.98, 1.02))
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, factor)
        matrix[:, 2] += np.array([dx, dy])
        return _u8(cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255))
    if kind == "perspective":
        jitter = 0.006 * min(h, w)
        src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
        dst = src + rng.uniform(-jitter, jitter, src.shape).astype(np.float32)
        matrix = cv2.getPerspectiveTransform(src, dst)
        return _u8(
            cv2.warpPerspective(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
        )
    if kind == "blur":
        return _u8(cv2.GaussianBlur(image, (0, 0), sigmaX=0.35 * px_mm / 4 * 1.6))
    if kind == "noise":
        noisy = image.astype(np.float32) + rng.normal(0, 9, image.shape).astype(np.float32)
        return np.clip(noisy, 0, 255).astype(np.uint8)
    if kind == "jpeg":
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 60])
        assert ok
        return _u8(cv2.imdecode(data, cv2.IMREAD_GRAYSCALE))
    if kind == "photocopy":
        dark = 255 - (255 - image.astype(np.float32)) * 1.15 - float(rng.uniform(30, 55))
        speckles = rng.random(image.shape) < 0.00015
        dark[speckles] -= 90
        return _u8(np.clip(dark, 0, 255))
    raise ValueError(f"unknown degradation {kind!r}")
