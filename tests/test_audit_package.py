"""The audit package: exported from the database, verified in a fresh folder with no database;
any single-byte change in any exported file fails verification and names the file."""

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from juwei.cli import app
from juwei.elections.community import init_community
from juwei.elections.db import Database
from juwei.elections.package import export_package, manifest_bytes, verify_package
from tests.audit_election import certified_election
from tests.conftest import Scenario, examples

FILES = [
    "ballots.jsonl",
    "charter.json",
    "elections.json",
    "events.jsonl",
    "manifest.json",
    "results-1.json",
    "results.csv",
    "roll.json",
]


@pytest.fixture
def package(
    scenario: Scenario, db: Database, db_url: str, tmp_path: Path, runner: CliRunner
) -> Path:
    scenario(certified_election)
    db.close()
    out = tmp_path / "exported"
    result = runner.invoke(app, ["--db", db_url, "audit", "export", "1", "--out", str(out)])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Wrote the audit package of election 1" in result.stdout
    return out


def test_round_trip_on_a_fresh_folder_without_a_database(
    package: Path, tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "another machine"
    shutil.copytree(package, elsewhere / "package")
    monkeypatch.chdir(elsewhere)
    result = runner.invoke(app, ["audit", "verify", "--package", "package", "--json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] and document["election"] == 1
    assert [c["check"] for c in document["checks"]] == [
        "manifest",
        "event chain",
        "charter",
        "ballot accounting",
        "ballot records",
        "stored result",
        "re-tally",
        "quorum base",
        "results table",
        "roll counts",
    ]
    assert sorted(p.name for p in (elsewhere / "package").iterdir()) == FILES
    assert not (elsewhere / "juwei.db").exists()  # no database was opened or created


def test_the_package_holds_no_id_number_and_the_documented_shapes(package: Path) -> None:
    everything = "".join((package / name).read_text(encoding="utf-8") for name in FILES)
    # ID numbers of the synthetic roll are 18 characters starting with a 6-digit region
    assert not re.search(r"(?<!\d)\d{17}[\dX](?!\d)", everything)
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "juwei-audit-package" and manifest["version"] == 1
    assert sorted(manifest["files"]) == [f for f in FILES if f != "manifest.json"]
    first = json.loads((package / "ballots.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"election", "ballot", "valid", "blank", "sections", "marks"}
    roll = json.loads((package / "roll.json").read_text(encoding="utf-8"))
    assert roll["registered_voters"] == 120 and len(roll["groups"]) == 3


def reseal(package: Path, name: str) -> None:
    """What a forger does after editing ``name``: rewrite the manifest to match."""
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][name] = hashlib.sha256((package / name).read_bytes()).hexdigest()
    del manifest["digest"]
    manifest["digest"] = hashlib.sha256(manifest_bytes(manifest)).hexdigest()
    (package / "manifest.json").write_bytes(manifest_bytes(manifest))


def test_a_resealed_results_table_with_one_vote_moved_is_named_by_line(
    package: Path, runner: CliRunner
) -> None:
    """results.csv is rebuilt from the stored outcomes (themselves re-tallied and chained):
    a vote moved between two people and the manifest redone fails with exit 7 and the line."""
    lines = (package / "results.csv").read_text(encoding="utf-8").splitlines()
    first, second = lines[1].split(","), lines[2].split(",")
    first[5], second[5] = str(int(first[5]) + 1), str(int(second[5]) - 1)
    lines[1], lines[2] = ",".join(first), ",".join(second)
    (package / "results.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reseal(package, "results.csv")
    checks = {c.name: c for c in verify_package(package).checks}
    assert checks["manifest"].ok and checks["stored result"].ok
    assert not checks["results table"].ok
    assert checks["results table"].named == ("results.csv, line 2",)
    result = runner.invoke(app, ["audit", "verify", "--package", str(package), "--json"])
    assert result.exit_code == 7
    found = {c["check"]: c for c in json.loads(result.stdout)["checks"]}
    assert found["results table"]["found"] == "results.csv, line 2 differs from the stored results"


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (
            lambda roll: roll.update(registered_voters=roll["registered_voters"] + 1),
            "registered_voters",
        ),
        (
            lambda roll: roll["groups"][0].update(voters=roll["groups"][0]["voters"] + 5),
            "registered_voters",
        ),
        (
            lambda roll: [
                roll["groups"][0].update(voters=roll["groups"][0]["voters"] + 5),
                roll.update(registered_voters=roll["registered_voters"] + 5),
            ],
            "registered_voters",
        ),
        (lambda roll: roll.update(households=0), "households_with_voters"),
        (lambda roll: roll.update(as_of="2020-01-01"), "as_of"),
    ],
    ids=["total", "one group", "group and total together", "households", "as of"],
)
def test_a_resealed_roll_file_that_disagrees_with_itself_or_the_log_is_named(
    package: Path, edit: Any, field: str
) -> None:
    """roll.json holds counts only: its sums, and the log's roll imports, catch an edit even
    when the forger keeps the totals consistent and redoes the manifest."""
    roll = json.loads((package / "roll.json").read_text(encoding="utf-8"))
    edit(roll)
    (package / "roll.json").write_text(json.dumps(roll, ensure_ascii=False), encoding="utf-8")
    reseal(package, "roll.json")
    checks = {c.name: c for c in verify_package(package).checks}
    assert checks["manifest"].ok
    assert not checks["roll counts"].ok
    assert checks["roll counts"].found.startswith(f"roll.json, field {field}:")


def test_an_edited_ballot_in_the_package_is_named_after_the_manifest_is_redone(
    package: Path, tmp_path: Path
) -> None:
    """Someone who edits a ballot and rewrites the manifest still fails: the ballot's digest
    is in the hash-chained log."""
    lines = (package / "ballots.jsonl").read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if json.loads(line)["marks"])
    ballot = json.loads(lines[at])
    ballot["marks"] = ballot["marks"][:-1]  # one mark dropped
    lines[at] = json.dumps(ballot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    (package / "ballots.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reseal(package, "ballots.jsonl")
    checks = {c.name: c for c in verify_package(package).checks}
    assert checks["manifest"].ok
    assert not checks["ballot records"].ok
    assert checks["ballot records"].found.startswith(f"ballot {ballot['ballot']}: its marks differ")


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_single_byte_change_fails_and_names_the_file(
    package: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(FILES), label="file")
    size = (package / name).stat().st_size
    at = data.draw(st.integers(0, size - 1), label="byte")
    copy = tmp_path_factory.mktemp("changed") / "package"
    shutil.copytree(package, copy)
    raw = bytearray((copy / name).read_bytes())
    raw[at] = data.draw(st.integers(0, 255).filter(lambda b: b != raw[at]), label="new byte")
    (copy / name).write_bytes(bytes(raw))
    verification = verify_package(copy)
    assert not verification.ok
    failed = [c for c in verification.checks if not c.ok]
    assert any(name in line for c in failed for line in (c.found, *c.named)), failed


def test_export_refuses_a_folder_that_is_not_empty(
    package: Path, db_url: str, runner: CliRunner
) -> None:
    result = runner.invoke(app, ["--db", db_url, "audit", "export", "1", "--out", str(package)])
    assert result.exit_code == 3
    assert "the package folder must be new or empty" in result.stderr
    assert (package / "manifest.json").is_file()  # the package already there is untouched


def test_verify_package_refuses_what_is_not_a_folder(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["audit", "verify", "--package", str(tmp_path / "nothing")])
    assert result.exit_code == 3
    assert "not a folder" in result.stderr


def test_another_communitys_events_are_links_only(db: Database, tmp_path: Path) -> None:
    certified_election(db, tmp_path)
    init_community(db, "南厂宅社区", "nanchangzhai", operator="t")
    out = tmp_path / "package"
    export_package(db, out, election_id=1, community="钱牌社区")
    lines = [json.loads(x) for x in (out / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    withheld = [e for e in lines if e.get("withheld")]
    assert [sorted(e) for e in withheld] == [["hash", "prev_hash", "seq", "withheld"]]
    assert withheld[0]["seq"] == len(lines)  # the other community's init came last
    assert "南厂宅" not in (out / "events.jsonl").read_text(encoding="utf-8")
    verification = verify_package(out)
    assert verification.ok, [c for c in verification.checks if not c.ok]
