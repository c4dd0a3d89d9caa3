"""A result sheet's turnout figures are taken of the base the validity rule of the
election's mode uses (election.modes.<mode>.quorum: P5; S1 art 8)."""

from dataclasses import replace
from pathlib import Path

import pytest

from juwei.ballots.fonts import BUNDLED_FONT, FontChoice, resolve_font
from juwei.ballots.results import render_result_sheet
from tests.test_results_pdf import page_texts, sheet, words


@pytest.fixture
def font() -> FontChoice:
    return resolve_font(str(BUNDLED_FONT))


@pytest.mark.parametrize(
    ("kind", "base", "line", "absent"),
    [
        pytest.param(
            "representatives",
            15,
            "Turnout: 10 of 15 residents' representatives (66.",
            "of 120 registered voters",
            id="election.modes.representative-10-of-15",
        ),
        pytest.param(
            "households",
            91,
            "Turnout: 10 of 91 households (",
            "of 120 registered voters",
            id="election.modes.household-10-of-91",
        ),
        pytest.param(
            "registered_voters",
            120,
            "Turnout: 10 of 120 registered voters (",
            "households",
            id="election.modes.direct-10-of-120",
        ),
    ],
)
def test_turnout_uses_the_mode_base(
    tmp_path: Path, font: FontChoice, kind: str, base: int, line: str, absent: str
) -> None:
    hand = replace(
        sheet(),
        registered_voters=120,
        ballots_printed=20,
        ballots_issued=10,
        ballots_returned=10,
        ballots_valid=10,
        ballots_invalid=0,
        electorate_kind=kind,
        electorate=base,
    )
    out = tmp_path / "sheet.pdf"
    render_result_sheet(hand, out, font)
    text = words("\n".join(page_texts(out)))
    assert line in text
    assert absent not in text
