"""Reading one scanned ballot page (扫描识别): pure, no database, no files.

A page is found by its four registration squares, turned the right way up by its QR code
(which names the election, the round, the page of the ballot and the layout digest), mapped
onto the printed layout by the perspective transform the squares give (rotation, including
upside down and a quarter turn, shift, scale, slight perspective), and every box judged by
the ink inside it. The judgement is calibrated per sheet: the paper's white and the ink's
black are measured on the sheet itself, and the empty boxes of the sheet (at least half of
the boxes of a ballot: a candidate has a 同意 and a 不同意 box) give the level of an empty box.

A box is ``marked``, ``unmarked`` or ``doubtful``; nothing doubtful is decided here. A mark
partly outside its box counts by the ink inside; a mark plainly outside counts for nothing.

Units: layout rectangles are PDF points from the bottom-left of the page (as printed);
images are 8-bit grey arrays ``(height, width)``; ink scores are fractions of a box's inner
area (0 … 1), floats used only to sort a box into one of the three verdicts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt
import zxingcpp

Gray = npt.NDArray[np.uint8]
Verdict = Literal["marked", "unmarked", "doubtful"]

CANON_DPI = 200  # the page is mapped onto a raster of this resolution before judging
PT_PER_MM = 72 / 25.4
A4_WIDTH_MM = 210.0
INSET_PT = 3.2  # a box's inner area keeps this far from its printed rules
INK = 0.2  # a pixel is ink when at least this dark between the sheet's paper and black
EMPTY_MAX = 0.0015  # ink above the sheet's empty level still read as unmarked
MARKED_MIN = 0.005  # ink above the sheet's empty level read as a mark
NAME_INK_MIN = 0.004  # ink in a write-in name box that sends it to the committee
CODE = re.compile(r"^JW1:E(\d+):R([A-Z]+):P(\d+)/(\d+):D([0-9A-F]{16})$")

UnreadableKind = Literal["blank", "no_marks", "no_code", "foreign", "double_feed", "geometry"]


class UnreadablePage(Exception):
    """A page that cannot be read; never guessed. ``kind``: ``blank`` (no print on it),
    ``no_marks`` (registration squares not found), ``no_code`` (no readable QR code),
    ``foreign`` (another election or round, or a layout that was not printed for it),
    ``double_feed`` (two sheets in one image: two codes, or squares that do not fit one
    page), ``geometry`` (the squares do not form the printed rectangle)."""

    def __init__(self, kind: UnreadableKind, detail: str) -> None:
        super().__init__(detail)
        self.kind: UnreadableKind = kind
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ScanCode:
    """What a page's QR code says: election id, round (serial prefix), page of the ballot,
    number of pages, first 16 hex digits of the layout digest (lower case)."""

    election: int
    round: str
    page: int
    pages: int
    digest: str


@dataclass(frozen=True, slots=True)
class BoxReading:
    """The reading of one box of the layout (``index`` into its ``boxes``).

    ``score``: ink above the sheet's empty level (fraction of the inner area); ``name_ink``:
    for a write-in, whether its name box has ink (then the committee reads the name).
    """

    index: int
    office: str
    kind: str  # "for" | "against" | "write_in"
    number: int
    verdict: Verdict
    score: float
    name_ink: bool = False


@dataclass(frozen=True)
class PageReading:
    """One page read: its code, its boxes, the sheet's calibration, and the page mapped onto
    the printed layout at ``CANON_DPI`` (for crops shown to the committee)."""

    code: ScanCode
    boxes: tuple[BoxReading, ...]
    empty_level: float
    rotation: int  # quarter turns the page was found in (0 upright, 2 upside down)
    canonical: Gray | None = field(default=None, repr=False, compare=False)


def parse_code(text: str) -> ScanCode | None:
    """The ``ScanCode`` in a QR text, or None when it is not a juwei ballot code."""
    match = CODE.match(text.strip())
    if match is None:
        return None
    election, rnd, page, pages, digest = match.groups()
    return ScanCode(int(election), rnd, int(page), int(pages), digest.lower())


def to_gray(image: npt.NDArray[Any]) -> Gray:
    """An 8-bit grey copy of ``image`` (grey, BGR or BGRA; 8 or 16 bits)."""
    if image.dtype != np.uint8:
        image = (image / (np.iinfo(image.dtype).max / 255)).astype(np.uint8)
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        return np.ascontiguousarray(cv2.cvtColor(image, code))
    return np.ascontiguousarray(image)


def read_page(
    image: npt.NDArray[Any],
    layouts: Mapping[str, Mapping[str, Any]] | Callable[[str], Mapping[str, Any] | None],
    *,
    election: int | None = None,
    round_: str | None = None,
    keep_canonical: bool = False,
) -> PageReading:
    """Read one page image against the printed layout its QR code names.

    ``layouts``: digest prefix (16 lower-case hex digits) → layout (as
    ``juwei.ballots.ballot_paper.ballot_layout`` gives it), or a function doing that lookup.
    ``election`` / ``round_``: refuse a page of any other election or round.
    Raises :class:`UnreadablePage` (never a guess).
    """
    gray = to_gray(image)
    height, width = gray.shape
    if height < 200 or width < 200:
        raise UnreadablePage("blank", f"image of {width}×{height} pixels is too small for a page")
    paper = float(np.percentile(gray[::4, ::4], 90))
    darkest = float(np.percentile(gray[::4, ::4], 0.2))
    if paper - darkest < 60:
        raise UnreadablePage("blank", "nothing is printed on the page")
    px_per_mm = min(height, width) / A4_WIDTH_MM
    code, code_centre = _find_code(gray)
    lookup = layouts.get if isinstance(layouts, Mapping) else layouts
    layout = lookup(code.digest)
    if layout is None:
        raise UnreadablePage("foreign", f"layout {code.digest} was not printed for this election")
    if election is not None and code.election != election:
        raise UnreadablePage("foreign", f"ballot of election {code.election}, not {election}")
    if round_ is not None and code.round != round_:
        raise UnreadablePage("foreign", f"ballot of round {code.round}, not {round_}")
    if not 1 <= code.page <= int(layout["pages"]) or code.pages != int(layout["pages"]):
        raise UnreadablePage("foreign", f"page {code.page}/{code.pages} is not in the layout")
    threshold = (paper + darkest) / 2
    squares, black = _find_squares(gray, threshold, px_per_mm, float(layout["registration_size"]))
    # a blurred QR code's finder patterns look like squares: not registration marks
    squares = [p for p in squares if np.hypot(*(np.array(p) - code_centre)) > 14 * px_per_mm]
    if len(squares) < 4:
        raise UnreadablePage("no_marks", f"{len(squares)} of the 4 registration squares found")
    corners = _corners(squares, width, height)
    page_h = float(layout["page_size"][1])
    printed = np.array(
        [[x, page_h - y] for x, y in layout["registration"]], dtype=np.float64
    )  # y down
    qr = layout["qr"][code.page - 1]
    qr_centre = np.array([(qr[0] + qr[2]) / 2, page_h - (qr[1] + qr[3]) / 2])
    rotation, to_image = _orient(corners, printed, qr_centre, code_centre, px_per_mm)
    scale = CANON_DPI / 72
    canon_w = round(float(layout["page_size"][0]) * scale)
    canon_h = round(page_h * scale)
    to_canon = np.diag([scale, scale, 1.0]) @ np.linalg.inv(to_image)
    canonical: Gray = np.asarray(
        cv2.warpPerspective(
            gray, to_canon, (canon_w, canon_h), flags=cv2.INTER_LINEAR, borderValue=int(paper)
        ),
        dtype=np.uint8,
    )
    boxes = [b for b in layout["boxes"] if int(b["page"]) == code.page]
    indices = [i for i, b in enumerate(layout["boxes"]) if int(b["page"]) == code.page]
    readings, empty = _judge(canonical, boxes, indices, page_h, scale, black)
    return PageReading(code, readings, empty, rotation, canonical if keep_canonical else None)


def _find_code(gray: Gray) -> tuple[ScanCode, npt.NDArray[np.float64]]:
    formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    found = zxingcpp.read_barcodes(gray, formats=formats)
    if not found:  # a noisy or blurred scan: once more, smoothed and enlarged
        smooth = cv2.resize(
            cv2.medianBlur(gray, 3), None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC
        )
        found = zxingcpp.read_barcodes(smooth, formats=formats)
        factor = 0.5
    else:
        factor = 1.0
    codes: list[tuple[ScanCode, npt.NDArray[np.float64]]] = []
    for barcode in found:
        code = parse_code(barcode.text)
        if code is None:
            continue
        pos = barcode.position
        points = [pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left]
        centre = factor * np.array(
            [sum(p.x for p in points) / 4, sum(p.y for p in points) / 4], dtype=np.float64
        )
        codes.append((code, centre))
    if not codes:
        others = [b.text for b in found]
        detail = "no juwei ballot code on the page"
        if others:
            detail += f" (found another code: {others[0][:40]!r})"
        raise UnreadablePage("foreign" if others else "no_code", detail)
    if len(codes) > 1:
        raise UnreadablePage("double_feed", f"{len(codes)} ballot codes in one image")
    return codes[0]


def _find_squares(
    gray: Gray, threshold: float, px_per_mm: float, size_pt: float
) -> tuple[list[tuple[float, float]], float]:
    """Centres of solid dark squares of the registration size; the sheet's black level."""
    side = size_pt / PT_PER_MM * px_per_mm
    binary = (gray < threshold).astype(np.uint8)
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    found: list[tuple[float, float]] = []
    blacks: list[float] = []
    for label in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[label])
        if not (0.7 * side <= w <= 1.45 * side and 0.7 * side <= h <= 1.45 * side):
            continue
        if abs(w - h) > 0.3 * side or area < 0.76 * w * h or area < 0.55 * side * side:
            continue
        found.append((float(centroids[label][0]), float(centroids[label][1])))
        inner = gray[y + h // 4 : y + 3 * h // 4, x + w // 4 : x + 3 * w // 4]
        blacks.append(float(np.median(inner)))
    if len(found) < 4:
        raise UnreadablePage("no_marks", f"{len(found)} of the 4 registration squares found")
    return found, float(np.median(blacks))


def _corners(
    squares: list[tuple[float, float]], width: int, height: int
) -> npt.NDArray[np.float64]:
    """The square nearest to each image corner: top-left, top-right, bottom-right, bottom-left."""
    points = np.array(squares, dtype=np.float64)
    chosen: list[int] = []
    reach = 0.3 * float(np.hypot(width, height))
    for cx, cy in ((0, 0), (width, 0), (width, height), (0, height)):
        distance = np.hypot(points[:, 0] - cx, points[:, 1] - cy)
        best = int(np.argmin(distance))
        if distance[best] > reach or best in chosen:
            raise UnreadablePage("no_marks", "no registration square near a corner of the image")
        chosen.append(best)
    return points[chosen]


def _orient(
    corners: npt.NDArray[np.float64],
    printed: npt.NDArray[np.float64],
    qr_printed: npt.NDArray[np.float64],
    qr_found: npt.NDArray[np.float64],
    px_per_mm: float,
) -> tuple[int, npt.NDArray[np.float64]]:
    """The quarter turn and the page (pt, y down) → image transform that puts the QR code
    where it was printed; refuses squares that do not form the printed rectangle."""
    sides = [float(np.hypot(*(corners[(i + 1) % 4] - corners[i]))) for i in range(4)]
    if abs(sides[0] - sides[2]) > 0.05 * max(sides) or abs(sides[1] - sides[3]) > 0.05 * max(sides):
        raise UnreadablePage("double_feed", "the registration squares do not form one page")
    printed_w = float(printed[1][0] - printed[0][0])
    printed_h = float(printed[3][1] - printed[0][1])
    best: tuple[float, int, npt.NDArray[np.float64]] | None = None
    for turn in range(4):
        target = np.roll(corners, -turn, axis=0).astype(np.float32)
        transform = cv2.getPerspectiveTransform(printed.astype(np.float32), target)
        point = transform @ np.array([qr_printed[0], qr_printed[1], 1.0])
        predicted = point[:2] / point[2]
        miss = float(np.hypot(*(predicted - qr_found)))
        if best is None or miss < best[0]:
            best = (miss, turn, transform.astype(np.float64))
    assert best is not None
    miss, turn, transform = best
    across = (sides[turn] + sides[(turn + 2) % 4]) / 2
    down = (sides[(turn + 1) % 4] + sides[(turn + 3) % 4]) / 2
    ratio = (across / down) / (printed_w / printed_h)
    if not 0.96 <= ratio <= 1.04:
        raise UnreadablePage(
            "geometry", f"the registration squares are out of proportion ({ratio:.3f})"
        )
    if miss > 12 * px_per_mm:
        raise UnreadablePage("geometry", "the QR code is not where the layout printed it")
    return turn, transform


def _inner(
    rect: list[float], page_h: float, scale: float, inset: float
) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = rect
    return (
        round((x0 + inset) * scale),
        round((page_h - y1 + inset) * scale),
        round((x1 - inset) * scale),
        round((page_h - y0 - inset) * scale),
    )


def _ink(darkness: npt.NDArray[np.float32], box: tuple[int, int, int, int]) -> float:
    left, top, right, bottom = box
    region = darkness[top:bottom, left:right]
    if region.size == 0:
        return 0.0
    return float(region.sum()) / region.size


STRIP_PT = 5.0  # width of the band along an inner edge where a neighbour's mark spills in


def _neighbours(boxes: list[Mapping[str, Any]]) -> list[list[tuple[int, int, int]]]:
    """Per box: ``(edge, other box, other's facing edge)`` for every box sharing a rule with it.

    Edges: 0 left, 1 right, 2 bottom, 3 top (pt, y up). Mark boxes of a table tile it, so a
    mark drawn over a rule puts ink into both boxes; this is how the ink is told apart.
    """
    found: list[list[tuple[int, int, int]]] = [[] for _ in boxes]
    tol = 1.0
    for i, a in enumerate(boxes):
        ax0, ay0, ax1, ay1 = a["rect"]
        for j, b in enumerate(boxes):
            if i == j:
                continue
            bx0, by0, bx1, by1 = b["rect"]
            overlap_y = min(ay1, by1) - max(ay0, by0) > tol
            overlap_x = min(ax1, bx1) - max(ax0, bx0) > tol
            if overlap_y and abs(ax1 - bx0) < tol:
                found[i].append((1, j, 0))
            elif overlap_y and abs(ax0 - bx1) < tol:
                found[i].append((0, j, 1))
            elif overlap_x and abs(ay0 - by1) < tol:
                found[i].append((2, j, 3))
            elif overlap_x and abs(ay1 - by0) < tol:
                found[i].append((3, j, 2))
    return found


def _strips(box: tuple[int, int, int, int], width: int) -> tuple[tuple[int, int, int, int], ...]:
    """The bands along the left, right, bottom and top inner edges (pixel boxes, y down)."""
    left, top, right, bottom = box
    return (
        (left, top, left + width, bottom),
        (right - width, top, right, bottom),
        (left, bottom - width, right, bottom),
        (left, top, right, top + width),
    )


def _judge(
    canonical: Gray,
    boxes: list[Mapping[str, Any]],
    indices: list[int],
    page_h: float,
    scale: float,
    black: float,
) -> tuple[tuple[BoxReading, ...], float]:
    """Verdicts for ``boxes`` on the page mapped onto the layout (``canonical``).

    Ink of a box = mean darkness of its ink pixels over its inner area. A mark drawn over the
    rule between two boxes leaves ink in both: the ink in the band along that rule is given
    to the box with more ink, and a box whose own ink is then empty is unmarked only when its
    neighbour is marked; otherwise the remainder decides, and anything between the sheet's
    empty level and a clear mark is doubtful.
    """
    inners = [_inner(b["rect"], page_h, scale, INSET_PT) for b in boxes]
    parts = [canonical[t:b, left:r].ravel() for left, t, r, b in inners if b > t and r > left]
    samples = np.concatenate(parts) if parts else np.array([255], dtype=np.uint8)
    paper = float(np.percentile(samples, 75))
    span = max(paper - black, 40.0)
    darkness = np.clip((paper - canonical.astype(np.float32)) / span, 0.0, 1.0)
    darkness[darkness < INK] = 0.0
    raw = [_ink(darkness, box) for box in inners]
    ordered = sorted(raw)
    empty = ordered[: max(1, len(ordered) // 2)]
    empty_level = float(np.median(empty)) if empty else 0.0
    spread = float(np.median(np.abs(np.array(empty) - empty_level))) if empty else 0.0
    low = max(EMPTY_MAX, 6 * spread)
    high = max(MARKED_MIN, 3 * low)
    strip = max(1, round(STRIP_PT * scale))
    areas = [max(1, (r - left) * (b - t)) for left, t, r, b in inners]
    bands = [
        [float(darkness[t:b, left:r].sum()) / area for left, t, r, b in _strips(box, strip)]
        for box, area in zip(inners, areas, strict=True)
    ]
    own = list(raw)
    takers: list[list[int]] = [[] for _ in boxes]
    for i, links in enumerate(_neighbours(boxes)):
        for edge, j, facing in links:
            crossing = bands[i][edge] > low / 4 and bands[j][facing] > low / 4
            if crossing and (raw[j], j) > (raw[i], i):
                own[i] -= bands[i][edge]
                takers[i].append(j)
    verdicts: list[Verdict] = []
    for i, score in enumerate(raw):
        rest = own[i] - empty_level
        if rest >= high:
            verdicts.append("marked")
        elif score - empty_level <= low:
            verdicts.append("unmarked")
        else:
            verdicts.append("doubtful")
    for i in range(len(boxes)):
        explained = takers[i] and all(verdicts[j] == "marked" for j in takers[i])
        if verdicts[i] == "doubtful" and explained and own[i] - empty_level <= low:
            verdicts[i] = "unmarked"  # only the spill of a neighbour's mark
    readings: list[BoxReading] = []
    for i, (index, box) in enumerate(zip(indices, boxes, strict=True)):
        name_ink = False
        if box.get("name_rect") is not None:
            name_score = _ink(darkness, _inner(box["name_rect"], page_h, scale, INSET_PT))
            name_ink = name_score - empty_level > NAME_INK_MIN
        readings.append(
            BoxReading(
                index,
                str(box["office"]),
                str(box["kind"]),
                int(box["number"]),
                verdicts[i],
                round(raw[i] - empty_level, 5),
                name_ink,
            )
        )
    return tuple(readings), empty_level
