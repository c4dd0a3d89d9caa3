"""Hostile JSON in ballot files and audit packages (issue 11 §4): deep nesting, a key given
twice, ``"sections": 0`` and a box given as an object are refused with file, line and
reason — never a crash, never silently resolved, never a blank ballot."""

import json
from pathlib import Path

import pytest

from juwei.elections.count import BallotEntry, iter_ballot_file
from juwei.elections.package import verify_package
from juwei.errors import InputError

GOOD = {"bundle": 1, "position": 1, "sections": {"主任": {"for": ["张三"]}}}


def read(tmp_path: Path, line: str) -> list[BallotEntry | InputError]:
    path = tmp_path / "ballots.jsonl"
    path.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n" + line + "\n", encoding="utf-8")
    return list(iter_ballot_file(path))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        pytest.param(
            '{"bundle": 1, "position": 2, "sections": ' + "[" * 100_000 + "]" * 100_000 + "}",
            "nested deeper than 8 levels",
            id="deeply-nested",
        ),
        pytest.param(
            '{"bundle": 1, "position": 2, '
            '"sections": {"主任": {"for": ["张三"], "for": ["李四"]}}}',
            'the key "for" is given twice',
            id="duplicate-key-in-marks",
        ),
        pytest.param(
            '{"bundle": 1, "position": 2, "position": 3, "sections": {}}',
            'the key "position" is given twice',
            id="duplicate-position-key",
        ),
        pytest.param(
            '{"bundle": 1, "position": 2, "sections": 0}',
            "sections must be an object keyed by office",
            id="sections-zero",
        ),
        pytest.param(
            '{"bundle": 1, "position": 2, "box": {"name": "中心会场"}, "sections": {}}',
            "never by a serial or a box",
            id="box-refused",
        ),
    ],
)
def test_a_hostile_ballot_line_is_refused_naming_file_and_line(
    tmp_path: Path, line: str, reason: str
) -> None:
    first, second = read(tmp_path, line)
    assert isinstance(first, BallotEntry)
    assert isinstance(second, InputError), second
    assert second.file == "ballots.jsonl" and second.row == 2
    assert reason in str(second)


def test_a_blank_ballot_is_still_an_empty_sections_object(tmp_path: Path) -> None:
    first, second = read(tmp_path, '{"bundle": 1, "position": 2, "sections": {}}')
    assert isinstance(second, BallotEntry) and second.sections == {}


def test_a_deeply_nested_package_file_fails_verification_without_a_crash(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "package"
    folder.mkdir()
    for name in ("manifest.json", "elections.json", "charter.json", "roll.json"):
        (folder / name).write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    (folder / "events.jsonl").write_text("", encoding="utf-8")
    (folder / "ballots.jsonl").write_text("", encoding="utf-8")
    verification = verify_package(folder)
    assert not verification.ok
