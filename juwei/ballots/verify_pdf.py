"""Check a printed result sheet (计票结果报告单) PDF against the result digest that
``juwei audit verify`` recomputes.

Two things are checked in the file, both without trusting anything else the file says:

* **text** — the text extracted with pypdf (white space removed) contains the 64-digit
  SHA-256 of the stored result, which verify has recomputed;
* **QR code** — juwei draws the QR code as filled rectangles (``results.qr_modules``, error
  correction M). Every run of rectangles filled together in a page's content stream is scaled
  to its own bounding box and compared, module by module, with the QR code of the recomputed
  digest drawn the same way. A QR code of any other value draws other modules.
"""

import re
from collections.abc import Mapping
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ContentStream

from juwei.ballots.results import qr_modules
from juwei.elections.readmodels import Check
from juwei.i18n import _

Rect = tuple[float, float, float, float]
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEAD = re.compile(r"\d+:[0-9a-f]{64}")
_PLACES = 3  # rectangles compared at 1/1000 of the code's width


def _normalised(rects: list[Rect]) -> list[Rect]:
    """Rectangles (normalised to positive width and height) scaled to their bounding box."""
    boxes = [(min(x, x + w), min(y, y + h), abs(w), abs(h)) for x, y, w, h in rects if w and h]
    if not boxes:
        return []
    left = min(b[0] for b in boxes)
    bottom = min(b[1] for b in boxes)
    size = max(max(b[0] + b[2] for b in boxes) - left, max(b[1] + b[3] for b in boxes) - bottom)
    return sorted(
        (
            round((x - left) / size, _PLACES),
            round((y - bottom) / size, _PLACES),
            round(w / size, _PLACES),
            round(h / size, _PLACES),
        )
        for x, y, w, h in boxes
    )


def qr_groups(reader: PdfReader) -> list[list[Rect]]:
    """Runs of rectangles filled together (``re`` … ``f``/``f*``), page by page."""
    groups: list[list[Rect]] = []
    for page in reader.pages:
        contents = page.get_contents()
        if contents is None:
            continue
        current: list[Rect] = []
        for operands, operator in ContentStream(contents, reader).operations:
            if operator == b"re":
                x, y, w, h = (float(v) for v in operands)
                current.append((x, y, w, h))
            elif operator in (b"f", b"f*", b"F", b"B", b"B*"):
                if len(current) >= 20:
                    groups.append(current)
                current = []
            elif operator in (b"n", b"S", b"s"):
                current = []
    return groups


def check_pdf(path: Path, digests: Mapping[int, str]) -> Check:
    """Check the result sheet PDF at ``path`` against ``digests`` (election id → recomputed
    result digest). Passes when its text carries one of the digests and its QR code draws
    exactly that digest's QR code."""
    name = _("result sheet {file}").format(file=path.name)
    try:
        reader = PdfReader(path)
        text = "".join("".join((page.extract_text() or "").split()) for page in reader.pages)
        groups = qr_groups(reader)
    except (OSError, PdfReadError, ValueError) as error:
        return Check(name, False, _("cannot read the PDF: {reason}").format(reason=error))
    # the event log's head (SEQ:HASH, issue 11) is not a result digest
    printed = list(dict.fromkeys(_HEX64.findall(_HEAD.sub(" ", text))))
    matches = [(eid, d) for eid, d in digests.items() if d in printed]
    if not matches:
        if not printed:
            found = _("no result digest in its text")
        else:
            found = _(
                "its text carries digest {printed}, which is not the recomputed result digest "
                "{expected}"
            ).format(
                printed=printed[0][:16],
                expected=", ".join(d[:16] for d in digests.values()) or "—",
            )
        return Check(name, False, found, (path.name,))
    election_id, digest = matches[0]
    expected = _normalised(qr_modules(digest))
    if not any(_normalised(group) == expected for group in groups):
        return Check(
            name,
            False,
            _(
                "its text carries the digest of election {id}, but its QR code does not "
                "encode that digest"
            ).format(id=election_id),
            (path.name,),
        )
    return Check(
        name,
        True,
        _("text and QR code carry the recomputed digest {digest} of election {id}").format(
            digest=digest[:16], id=election_id
        ),
    )
