"""The audit package (审计数据包) of an election: written from the database by
``juwei audit export``, verified anywhere, with no database, by ``juwei audit verify --package``.

The format is documented in the README ("Audit package format"), precisely enough for an
independent verifier. In short, a folder with:

``manifest.json``   format, version, community, election, rounds, export time, and the SHA-256
                    of every other file (and nothing else may be in the folder);
``charter.json``    the charter pinned to the election, its canonical JSON exactly;
``roll.json``       roll counts: registered voters, households, residents' groups (no person);
``elections.json``  each round: kind, mode, electorate, ballot accounting, offices, seats,
                    candidates (name as printed, ballot number, person key, woman or not),
                    written-in names, members elected in earlier rounds;
``ballots.jsonl``   one returned ballot per line, in the random order of their record ids:
                    election, ballot (bundle-position given at the count, ``12-37``),
                    validity as stored, sections (valid, illegible) and marks — no box, no
                    time (an election recorded before juwei 0.9 keeps its serial and box);
``events.jsonl``    the whole event chain: this community's events in full, other
                    communities' events as links only (seq, prev_hash, hash);
``results-N.json``  the stored outcome of round N, byte for byte (its SHA-256 is the digest on
                    the result sheet);
``results.csv``     the same results as a table.
"""

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from juwei.elections.audit import GENESIS, canonical_json, event_hash
from juwei.elections.community import find_community
from juwei.elections.db import Database
from juwei.elections.election import find_election
from juwei.elections.models import Event, Household, ResidentsGroup, RollImport, Voter
from juwei.elections.readmodels import Check
from juwei.elections.retally import TallyBallot, TallyCandidate, TallyElection, TallyOffice
from juwei.elections.verify import (
    ElectionFacts,
    LoggedEvent,
    Verification,
    election_events,
    election_facts,
    family,
    prefixed,
    read_events,
    recorded_charter,
    stored_ballots,
    verify_election,
)
from juwei.errors import InputError
from juwei.i18n import _

FORMAT = "juwei-audit-package"
VERSION = 1
MANIFEST = "manifest.json"


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    """The one byte form of a manifest: JSON, sorted keys, 2-space indent, UTF-8, newline."""
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


# ------------------------------------------------------------------------------ export


def _ballot_line(
    election_id: int, ballot: TallyBallot, names: Mapping[tuple[str, int], str]
) -> str:
    marks = [
        [office, kind, number, write_in if number is None else names.get((office, number), "")]
        for office, kind, number, write_in in ballot.marks
    ]
    sections = {
        key: {"valid": valid, "illegible": key in ballot.illegible}
        for key, valid in sorted(ballot.sections_valid.items())
    }
    line: dict[str, Any] = {
        "election": election_id,
        "ballot": ballot.ballot,
        "valid": ballot.valid,
        "blank": ballot.blank,
        "sections": sections,
        "marks": marks,
    }
    if ballot.legacy_box is not None:  # recorded before juwei 0.9: its digest holds the box
        line["box"] = ballot.legacy_box
    return canonical_json(line)


def _roll_counts(session: Session, community_id: int) -> dict[str, Any]:
    groups = []
    for group in session.exec(
        select(ResidentsGroup).where(ResidentsGroup.community_id == community_id)
    ).all():
        voters = int(
            session.execute(
                sa_select(func.count())
                .select_from(Voter)
                .where(col(Voter.group_id) == group.id, col(Voter.listed).is_(True))
            ).scalar_one()
        )
        households = int(
            session.execute(
                sa_select(func.count(func.distinct(Voter.household_id))).where(
                    col(Voter.group_id) == group.id, col(Voter.listed).is_(True)
                )
            ).scalar_one()
        )
        groups.append({"name": group.name, "voters": voters, "households": households})
    last = session.exec(
        select(RollImport)
        .where(RollImport.community_id == community_id)
        .order_by(col(RollImport.id).desc())
    ).first()
    all_households = int(
        session.execute(
            sa_select(func.count())
            .select_from(Household)
            .where(col(Household.community_id) == community_id)
        ).scalar_one()
    )
    return {
        "as_of": None if last is None else last.as_of.isoformat(),
        "registered_voters": sum(g["voters"] for g in groups),
        "households_with_voters": sum(g["households"] for g in groups),
        "households": all_households,
        "groups": sorted(groups, key=lambda g: str(g["name"])),
    }


def _round_json(facts: ElectionFacts, session: Session, election_id: int) -> dict[str, Any]:
    from juwei.elections.models import Election

    election = session.get(Election, election_id)
    assert election is not None
    t = facts.tally
    return {
        "id": t.id,
        "parent": election.parent_id,
        "kind": t.kind,
        "mode": t.mode,
        "title": election.title,
        "day": election.day.isoformat(),
        "state": election.state,
        "serial_prefix": election.serial_prefix,
        "registered_voters": t.registered_voters,
        "households": t.households,
        "representatives": t.representatives,
        "charter_digest": facts.charter_digest,
        "ballots": {
            "printed": facts.printed,
            "spoiled": facts.spoiled,
            "issued": facts.issued,
            "returned": facts.returned,
        },
        "offices": [
            {
                "key": o.key,
                "title": o.title,
                "seats": o.seats,
                "candidates": [
                    {
                        "number": c.number,
                        "name": c.name,
                        "person": c.person,
                        "woman": c.person in t.women,
                    }
                    for c in o.candidates
                ],
            }
            for o in t.offices
        ],
        "write_ins": {
            name: {"person": person, "name": t.names.get(person, name), "woman": person in t.women}
            for name, person in sorted(t.write_ins.items())
        },
        "elected_before": t.elected_before,
        "women_elected_before": t.women_elected_before,
        "result_digest": facts.outcome_digest,
        "certified": facts.certified,
    }


def _event_line(event: Event, community_id: int) -> str:
    if event.community_id != community_id:
        return canonical_json(
            {"seq": event.seq, "prev_hash": event.prev_hash, "hash": event.hash, "withheld": True}
        )
    return canonical_json(
        {
            "seq": event.seq,
            "at": event.at.astimezone(UTC).isoformat(),
            "operator": event.operator,
            "kind": event.kind,
            "community_id": event.community_id,
            "payload": event.payload,
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }
    )


def results_csv(rounds: Sequence[tuple[ElectionFacts, dict[str, Any]]]) -> str:
    """The package's ``results.csv``: one row per office and person of every round's stored
    outcome (``rounds``: the round's facts and its outcome document, parsed), in the rounds'
    order. The export writes it and ``verify_package`` rebuilds it byte for byte."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["election", "office", "title", "person", "name", "votes", "standing", "elected"]
    )
    for facts, outcome in rounds:
        for office in outcome.get("offices", []):
            elected = {e["person"] for e in office.get("elected", [])}
            for t in office.get("tallies", []):
                writer.writerow(
                    [
                        facts.id,
                        office["office"],
                        facts.titles.get(office["office"], office["office"]),
                        t["person"],
                        t["name"],
                        t["votes"],
                        t["standing"],
                        "yes" if t["person"] in elected else "no",
                    ]
                )
    return buffer.getvalue()


def _package_file(name: str) -> bool:
    """Whether ``name`` is a file an audit package holds (what ``--force`` may replace)."""
    fixed = {
        "ballots.jsonl",
        "charter.json",
        "elections.json",
        "events.jsonl",
        "manifest.json",
        "results.csv",
        "roll.json",
    }
    return name in fixed or (name.startswith("results-") and name.endswith(".json"))


def export_package(
    db: Database,
    out: Path,
    *,
    election_id: int,
    community: str | None = None,
    force: bool = False,
) -> dict[str, str]:
    """Write the audit package of ``election_id`` and its rounds into the folder ``out``
    (created; it must be empty) and return the manifest's file → SHA-256 table.

    Personal data: names of candidates and of written-in persons (as printed on the result
    sheet), operators' names, and the internal row numbers (``v<row>``, ``voter``) that the
    events use; never an ID number, an address or a birth date. Raises ``InputError`` when
    ``out`` is a file or a folder that is not empty (with ``force``: a folder holding only
    an earlier audit package, whose files are replaced), ``NotFoundError`` for an unknown
    election.
    """
    if out.exists() and not out.is_dir():
        raise InputError(_("the package folder must be new or empty"), file=str(out))
    present = sorted(p.name for p in out.iterdir()) if out.exists() else []
    if present and not force:
        raise InputError(
            _("the package folder must be new or empty; give --force to replace the package"),
            file=str(out),
        )
    strangers = [name for name in present if not _package_file(name)]
    if strangers:
        raise InputError(
            _("the folder holds files that are not an audit package: {files}").format(
                files=", ".join(strangers[:5])
            ),
            file=str(out),
        )
    with db.read() as session:
        election = find_election(session, community, election_id)
        for name in present:  # --force: the earlier package goes, none of its files stays
            (out / name).unlink()
        comm = find_community(session, community)
        assert comm.id is not None
        events = read_events(session, comm.id)
        rounds = family(session, election)
        out.mkdir(parents=True, exist_ok=True)
        files: dict[str, bytes] = {}
        first = election_facts(session, rounds[0], events)
        files["charter.json"] = first.charter_json.encode("utf-8")
        files["roll.json"] = (
            json.dumps(
                {"community": comm.name, **_roll_counts(session, comm.id)},
                ensure_ascii=False,
                indent=2,
                sort_keys=True,
            )
            + "\n"
        ).encode("utf-8")
        described = []
        results: list[tuple[ElectionFacts, dict[str, Any]]] = []
        with (out / "ballots.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
            for one in rounds:
                assert one.id is not None
                facts = election_facts(session, one, events)
                described.append(_round_json(facts, session, one.id))
                names = {
                    (o.key, c.number): c.name for o in facts.tally.offices for c in o.candidates
                }
                for ballot in stored_ballots(session, one.id):
                    fh.write(_ballot_line(one.id, ballot, names) + "\n")
                if facts.outcome is not None:
                    files[f"results-{one.id}.json"] = facts.outcome.encode("utf-8")
                    try:
                        results.append((facts, json.loads(facts.outcome)))
                    except (ValueError, RecursionError):
                        results.append((facts, {}))
        files["elections.json"] = (
            json.dumps(described, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        ).encode("utf-8")
        files["results.csv"] = results_csv(results).encode("utf-8")
        with (out / "events.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
            for event in session.exec(select(Event).order_by(col(Event.seq))).all():
                fh.write(_event_line(event, comm.id) + "\n")
    for name, data in files.items():
        (out / name).write_bytes(data)
    table = {
        name: sha256_file(out / name) for name in sorted([*files, "ballots.jsonl", "events.jsonl"])
    }
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "community": comm.name,
        "election": election_id,
        "rounds": [r["id"] for r in described],
        "exported_at": datetime.now(UTC).isoformat(),
        "files": table,
    }
    manifest["digest"] = hashlib.sha256(manifest_bytes(manifest)).hexdigest()
    (out / MANIFEST).write_bytes(manifest_bytes(manifest))
    return table


# ------------------------------------------------------------------------------ verify


class _Broken(Exception):
    """A package file that cannot be read as its format says (names the file and line)."""


def _json(folder: Path, name: str) -> Any:
    try:
        return json.loads((folder / name).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise _Broken(
            _("{file}: cannot be read: {reason}").format(file=name, reason=error)
        ) from None


def _lines(folder: Path, name: str) -> Iterator[dict[str, Any]]:
    try:
        with (folder / name).open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                try:
                    line = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, ValueError, RecursionError) as error:
                    raise _Broken(
                        _("{file}, line {line}: not JSON: {reason}").format(
                            file=name, line=number, reason=error
                        )
                    ) from None
                if not isinstance(line, dict):
                    raise _Broken(
                        _("{file}, line {line}: not a JSON object").format(file=name, line=number)
                    )
                yield line
    except OSError as error:
        raise _Broken(
            _("{file}: cannot be read: {reason}").format(file=name, reason=error)
        ) from None


def check_manifest(folder: Path) -> tuple[Check, dict[str, Any]]:
    """The manifest is in its one byte form and every file's SHA-256 matches it; no file
    missing or extra. Returns the check and the manifest (empty if unreadable)."""
    name = _("manifest")
    path = folder / MANIFEST
    try:
        raw = path.read_bytes()
        manifest = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        return Check(
            name,
            False,
            _("{file}: cannot be read: {reason}").format(file=MANIFEST, reason=error),
            (MANIFEST,),
        ), {}
    problems: list[str] = []
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return Check(
            name, False, _("{file}: not a juwei audit manifest").format(file=MANIFEST), (MANIFEST,)
        ), {}
    body = {k: v for k, v in manifest.items() if k != "digest"}
    if manifest.get("digest") != hashlib.sha256(manifest_bytes(body)).hexdigest():
        problems.append(
            _("{file} was changed: its own digest does not match its content").format(file=MANIFEST)
        )
    if manifest_bytes(manifest) != raw:
        problems.append(
            _("{file} was changed (it is not in its exact written form)").format(file=MANIFEST)
        )
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        problems.append(
            _("{file}: not format {format} version {version}").format(
                file=MANIFEST, format=FORMAT, version=VERSION
            )
        )
    listed: dict[str, Any] = manifest["files"]
    present = {p.name for p in folder.iterdir()} - {MANIFEST}
    for file in sorted(present - set(listed)):
        problems.append(_("{file} is not in the manifest").format(file=file))
    for file, digest in sorted(listed.items()):
        target = folder / str(file)
        if "/" in str(file) or "\\" in str(file) or not target.is_file():
            problems.append(_("{file} is missing").format(file=file))
        elif sha256_file(target) != digest:
            problems.append(
                _("{file} was changed: its SHA-256 differs from the one {manifest} lists").format(
                    file=file, manifest=MANIFEST
                )
            )
    if problems:
        return Check(name, False, problems[0], tuple(problems)), manifest
    return Check(
        name,
        True,
        _("{n} files, each with the SHA-256 the manifest lists").format(n=len(listed)),
    ), manifest


def check_chain_lines(folder: Path) -> tuple[Check, list[LoggedEvent]]:
    """Recompute the chain of ``events.jsonl``; returns the check and the full events."""
    name = _("event chain")
    previous = GENESIS
    expected = 1
    full: list[LoggedEvent] = []
    for line in _lines(folder, "events.jsonl"):
        seq = line.get("seq")
        if seq != expected:
            return Check(
                name,
                False,
                _("event {seq} follows event {before}: an event was removed or reordered").format(
                    seq=seq, before=expected - 1
                ),
                (_("event {seq}").format(seq=seq),),
            ), full
        if line.get("prev_hash") != previous:
            return Check(
                name,
                False,
                _("event {seq} does not chain to the event before it").format(seq=seq),
                (_("event {seq}").format(seq=seq),),
            ), full
        if not line.get("withheld"):
            try:
                digest = event_hash(
                    str(line["prev_hash"]),
                    seq=int(line["seq"]),
                    at=datetime.fromisoformat(str(line["at"])),
                    operator=str(line["operator"]),
                    kind=str(line["kind"]),
                    community_id=line["community_id"],
                    payload=str(line["payload"]),
                )
                payload = json.loads(str(line["payload"]))
            except (KeyError, ValueError, TypeError, RecursionError):
                digest, payload = "", {}
            if digest != line.get("hash"):
                return Check(
                    name,
                    False,
                    _("event {seq} ({kind}) was changed after it was written").format(
                        seq=seq, kind=line.get("kind")
                    ),
                    (_("event {seq}").format(seq=seq),),
                ), full
            full.append(
                LoggedEvent(
                    int(seq), str(line["kind"]), payload if isinstance(payload, dict) else {}
                )
            )
        previous = str(line.get("hash"))
        expected += 1
    return Check(
        name, True, _("{n} events, each chained to the one before").format(n=expected - 1)
    ), full


def _serial_number(serial: str, prefix: str) -> int | None:
    digits = serial[len(prefix) :]
    return int(digits) if serial.startswith(prefix) and digits.isdigit() else None


def _package_ballots(folder: Path, election_id: int) -> Iterator[TallyBallot]:
    for line in _lines(folder, "ballots.jsonl"):
        if line.get("election") != election_id:
            continue
        marks = tuple(
            (
                str(m[0]),
                str(m[1]),
                None if m[2] is None else int(m[2]),
                m[3] if m[2] is None else None,
            )
            for m in line.get("marks", [])
        )
        sections = line.get("sections") or {}
        yield TallyBallot(
            ballot=str(line.get("ballot", line.get("serial"))),
            legacy_box=None if line.get("box") is None else str(line.get("box")),
            marks=tuple(
                sorted(marks, key=lambda m: (m[0], m[1], -1 if m[2] is None else m[2], m[3] or ""))
            ),
            illegible=tuple(sorted(k for k, s in sections.items() if s.get("illegible"))),
            valid=bool(line.get("valid")),
            blank=bool(line.get("blank")),
            sections_valid={k: bool(s.get("valid")) for k, s in sections.items()},
        )


def _charter_name(text: str) -> str:
    from juwei.rules.charter import Charter

    try:
        return Charter.from_canonical_json(text).name
    except Exception:  # an altered charter is reported by the charter check
        return "?"


def _package_facts(
    folder: Path, round_: Mapping[str, Any], charter_json: str, events: Sequence[LoggedEvent]
) -> ElectionFacts:
    eid = int(round_["id"])
    mine = election_events(events, eid)
    prefix = str(round_["serial_prefix"])
    printed: set[int] = set()
    for event in mine:
        if event.kind == "ballots.print":
            low = _serial_number(str(event.payload.get("first")), prefix)
            high = _serial_number(str(event.payload.get("last")), prefix)
            if low is not None and high is not None:
                printed.update(range(low, high + 1))
    spoiled = {  # before juwei 0.9 a ballot was spoiled by its serial
        str(e.payload.get("serial"))
        for e in mine
        if e.kind == "poll.spoil" and "serial" in e.payload
    }
    returned = 0
    unprinted = []
    for line in _lines(folder, "ballots.jsonl"):
        if line.get("election") != eid:
            continue
        returned += 1
        if "serial" not in line and "box" not in line:
            continue  # a ballot identified at the count (bundle-position): no serial to check
        serial = str(line.get("ballot", line.get("serial")))
        if _serial_number(serial, prefix) not in printed or serial in spoiled:
            unprinted.append(serial)
    root = round_
    women: set[str] = set()
    names: dict[str, str] = {}
    offices = []
    for office in round_["offices"]:
        cands = []
        for c in office["candidates"]:
            cands.append(TallyCandidate(str(c["person"]), int(c["number"]), str(c["name"])))
            names[str(c["person"])] = str(c["name"])
            if c.get("woman"):
                women.add(str(c["person"]))
        offices.append(
            TallyOffice(
                str(office["key"]), str(office["title"]), int(office["seats"]), tuple(cands)
            )
        )
    write_ins = {}
    for name, person in (round_.get("write_ins") or {}).items():
        write_ins[str(name)] = str(person["person"])
        if str(person["person"]).startswith("v"):
            names.setdefault(str(person["person"]), str(person.get("name", name)))
        if person.get("woman"):
            women.add(str(person["person"]))
    outcome_path = folder / f"results-{eid}.json"
    outcome = outcome_path.read_bytes().decode("utf-8") if outcome_path.is_file() else None
    del root
    return ElectionFacts(
        id=eid,
        title=str(round_["title"]),
        charter_name=_charter_name(charter_json),
        charter_json=charter_json,
        charter_digest=str(round_["charter_digest"]),
        charter_recorded=None,
        printed=int(round_["ballots"]["printed"]),
        spoiled=int(round_["ballots"]["spoiled"]),
        issued=int(round_["ballots"]["issued"]),
        returned=returned,
        unprinted_returns=unprinted,
        tally=TallyElection(
            id=eid,
            kind=str(round_["kind"]),
            mode=str(round_["mode"]),
            registered_voters=int(round_["registered_voters"]),
            households=int(round_["households"]),
            representatives=int(round_["representatives"]),
            ballots_issued=int(round_["ballots"]["issued"]),
            offices=tuple(offices),
            women=frozenset(women),
            write_ins=write_ins,
            names=names,
            elected_before=int(round_["elected_before"]),
            women_elected_before=int(round_["women_elected_before"]),
        ),
        outcome=outcome,
        outcome_digest=None if outcome is None else str(round_.get("result_digest")),
        certified=bool(round_.get("certified")),
        titles={str(o["key"]): str(o["title"]) for o in round_["offices"]},
    )


def check_results_table(
    folder: Path, outcomes: Sequence[tuple[ElectionFacts, dict[str, Any]]]
) -> Check:
    """``results.csv`` is exactly the table the stored outcomes give (each outcome is itself
    checked against the re-tally and the logged digest): rebuilt with ``results_csv`` and
    compared byte for byte; the first differing line is named (issue 11 §3)."""
    name = _("results table")
    rebuilt = results_csv(outcomes)
    found = (folder / "results.csv").read_bytes().decode("utf-8")
    if found == rebuilt:
        return Check(
            name,
            True,
            _("{file} is the table of the stored results ({n} rows)").format(
                file="results.csv", n=rebuilt.count("\n") - 1
            ),
        )
    ours, theirs = rebuilt.splitlines(), found.splitlines()
    line = next(
        (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False), 1) if a != b),
        min(len(ours), len(theirs)) + 1,
    )
    named = _("{file}, line {line}").format(file="results.csv", line=line)
    return Check(
        name,
        False,
        _("{where} differs from the stored results").format(where=named),
        (named,),
    )


def check_roll_counts(
    folder: Path, rounds: Sequence[Mapping[str, Any]], events: Sequence[LoggedEvent]
) -> Check:
    """``roll.json`` holds counts only (no person), so it is checked by its sums and against
    the log: the groups add up to the totals; households with voters are no more than the
    households; its ``as_of`` is that of the last logged roll import; the voters on the roll
    are the logged imports' added + relisted − delisted (only a roll import changes who is
    listed); and no round counts more registered voters than were ever listed (issue 11 §3).
    """
    name = _("roll counts")
    roll = _json(folder, "roll.json")
    problems: list[str] = []

    def wrong(field_name: str, reason: str) -> None:
        problems.append(
            _("{file}, field {field}: {reason}").format(
                file="roll.json", field=field_name, reason=reason
            )
        )

    groups = roll.get("groups") if isinstance(roll, dict) else None
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        wrong("groups", _("not a list of residents' groups"))
        return Check(name, False, problems[0], tuple(problems))
    voters = int(roll["registered_voters"])
    with_voters = int(roll["households_with_voters"])
    if sum(int(g["voters"]) for g in groups) != voters:
        wrong("registered_voters", _("the groups' voters do not add up to it"))
    if sum(int(g["households"]) for g in groups) != with_voters:
        wrong("households_with_voters", _("the groups' households do not add up to it"))
    if with_voters > int(roll["households"]):
        wrong("households_with_voters", _("more than all the households"))
    imports = [e for e in events if e.kind == "roll.import"]
    if imports:
        if roll.get("as_of") != imports[-1].payload.get("as_of"):
            wrong("as_of", _("not the day of the last roll import in the log"))
        keys = ("added", "relisted", "delisted")
        if all(all(k in e.payload for k in keys) for e in imports):
            listed = sum(
                int(e.payload["added"]) + int(e.payload["relisted"]) - int(e.payload["delisted"])
                for e in imports
            )
            if listed != voters:
                wrong(
                    "registered_voters",
                    _("the log's roll imports leave {n} voters on the roll").format(n=listed),
                )
            ever = sum(int(e.payload["added"]) for e in imports)
            for round_ in rounds:
                if int(round_["registered_voters"]) > ever:
                    wrong(
                        "registered_voters",
                        _("{file} gives election {id} more voters than were ever listed").format(
                            file="elections.json", id=round_["id"]
                        ),
                    )
    elif voters:
        wrong("registered_voters", _("voters on the roll but no roll import in the log"))
    if problems:
        return Check(name, False, problems[0], tuple(problems))
    return Check(
        name,
        True,
        _("{n} voters in {g} residents' groups, as the log's roll imports leave them").format(
            n=voters, g=len(groups)
        ),
    )


def verify_package(folder: Path) -> Verification:
    """Verify an audit package with no database: the manifest, the event chain, and for
    every round the charter, accounting, ballot records, stored result and a re-tally with
    ``juwei.rules`` from ``charter.json`` and ``ballots.jsonl``. Raises ``InputError`` when
    ``folder`` is not a folder."""
    if not folder.is_dir():
        raise InputError(_("not a folder"), file=str(folder))
    out = Verification(None)
    manifest_check, manifest = check_manifest(folder)
    out.checks.append(manifest_check)
    election = manifest.get("election")
    out.election_id = election if isinstance(election, int) else None
    try:
        chain_check, events = check_chain_lines(folder)
        out.checks.append(chain_check)
        charter_json = (folder / "charter.json").read_bytes().decode("utf-8")
        rounds = _json(folder, "elections.json")
        if not isinstance(rounds, list):
            raise _Broken(_("{file}: not a list of elections").format(file="elections.json"))
        root_id = int(rounds[0]["id"])
        outcomes: list[tuple[ElectionFacts, dict[str, Any]]] = []
        for round_ in rounds:
            facts = _package_facts(folder, round_, charter_json, events)
            facts.charter_recorded = recorded_charter(events, root_id)
            checks = verify_election(facts, _package_ballots(folder, facts.id), events)
            out.checks += prefixed(checks, facts.id, len(rounds) > 1)
            if facts.outcome is not None:
                out.digests[facts.id] = hashlib.sha256(facts.outcome.encode("utf-8")).hexdigest()
                try:
                    outcomes.append((facts, json.loads(facts.outcome)))
                except (ValueError, RecursionError):
                    outcomes.append((facts, {}))
        out.checks.append(check_results_table(folder, outcomes))
        out.checks.append(check_roll_counts(folder, rounds, events))
    except _Broken as error:
        out.checks.append(Check(_("package files"), False, str(error), (str(error),)))
    except (
        OSError,
        UnicodeDecodeError,
        KeyError,
        TypeError,
        ValueError,
        IndexError,
        RecursionError,  # JSON nested thousands deep (issue 11)
    ) as error:
        out.checks.append(
            Check(
                _("package files"),
                False,
                _("the package cannot be read as its format says: {reason}").format(
                    reason=repr(error)
                ),
            )
        )
    return out
