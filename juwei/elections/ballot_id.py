"""The identity of a counted ballot (选票的计票编号): bundle and position.

A ballot has no identity while it can still be linked to a voter. After the poll is closed
and the boxes are opened and their ballots mixed (开箱), the counting team makes numbered
bundles (扎) and numbers the ballots inside each: bundle 12, ballot 37 is ``"12-37"``. That
label is what ``ballot_record.ballot`` and every ballot-level table store, what the log's
per-ballot digests are keyed by, and what the risk-limiting audit draws. Elections recorded
before juwei 0.9 keep their printed serials (``A000123``) as labels.

Pure functions; no database.
"""

import re

from juwei.i18n import _

__all__ = ["MAX_BUNDLE", "MAX_POSITION", "ballot_label", "label_order", "parse_ballot_label"]

MAX_BUNDLE = 99_999  # bundles (扎) of one round
MAX_POSITION = 99_999  # ballots in one bundle (a scanned batch may be long)
_LABEL = re.compile(r"\s*(\d{1,5})\s*[-/]\s*(\d{1,5})\s*")


def ballot_label(bundle: int, position: int) -> str:
    """The identity of a counted ballot as stored and printed: ``"12-37"`` for bundle 12,
    ballot 37 (both from 1). Raises ``ValueError`` outside 1 … 99,999."""
    if not (1 <= bundle <= MAX_BUNDLE and 1 <= position <= MAX_POSITION):
        raise ValueError(
            _("a bundle and a ballot number run from 1 to {max}, not {bundle}-{position}").format(
                max=MAX_BUNDLE, bundle=bundle, position=position
            )
        )
    return f"{bundle}-{position}"


def parse_ballot_label(text: str) -> tuple[int, int]:
    """``"12-37"`` (or ``12/37``) → (bundle 12, position 37). Raises ``ValueError`` with the
    reason for anything else (a printed serial such as ``A000123`` is no ballot identity)."""
    found = _LABEL.fullmatch(text)
    if found is None:
        raise ValueError(
            _("{text!r} is not a ballot: give bundle and ballot number, e.g. 12-37").format(
                text=text
            )
        )
    bundle, position = int(found.group(1)), int(found.group(2))
    ballot_label(bundle, position)
    return bundle, position


def label_order(label: str) -> tuple[int, int, str]:
    """Sort key of ballot labels: by bundle, then position (older serials after, by text)."""
    found = _LABEL.fullmatch(label)
    if found is None:
        return (MAX_BUNDLE + 1, 0, label)
    return (int(found.group(1)), int(found.group(2)), "")
