"""The poll (投票): printing ballots, issuing them to voters, spoiled ballots, closing.

Ballot secrecy (issue 11): a ballot has no identity before it is cast. The printed ballot
body carries no number; its counterfoil (存根), which stays in the book, carries a stub
number (``ballot_serial``) for paper accounting only. Issuing records the voter and the box
(``issuance``, the day only) and never a stub number; a spoiled ballot (作废票) is a count per
box (``poll_box.spoiled``), never a number. The log's ``poll.*`` events carry the day, not the
moment. ``juwei poll close`` (per box or all) ends issuing; only then may the boxes be opened
and counted (``juwei.elections.count``), where ballots first get an identity (bundle and
position, after mixing).

Accounting (``poll_status``): printed = issued + spoiled + unused; per box, the ballots found
at opening against those issued; returned ≤ issued, else the count voids the election
(charter ``count.reconciliation``).
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from juwei.elections.audit import append_event, canonical_json
from juwei.elections.bulk import bulk_insert
from juwei.elections.community import election_charter
from juwei.elections.db import Database
from juwei.elections.election import find_election, require_state
from juwei.elections.models import (
    BallotRecord,
    BallotSerial,
    Candidate,
    Community,
    Election,
    Event,
    Household,
    Issuance,
    Office,
    PollBox,
    ResidentsGroup,
    RollImport,
    Voter,
)
from juwei.elections.nomination import find_voter
from juwei.elections.readmodels import BallotPaper, CandidateLine, OfficeOnBallot
from juwei.elections.tabular import id_column, read_table
from juwei.errors import EligibilityError, InputError, StateError
from juwei.i18n import _
from juwei.rules.charter import Charter, ElectionMode
from juwei.rules.eligibility import Failure, Registration, age_on, check_eligibility
from juwei.rules.identity import IdNumberError, mask_id, parse_id_number

if TYPE_CHECKING:
    from juwei.elections.count import BoxAccount

SERIAL_DIGITS = 6


def serial_text(prefix: str, number: int) -> str:
    """The printed serial: the round's prefix and a zero-padded number (``A000123``)."""
    return f"{prefix}{number:0{SERIAL_DIGITS}d}"


def instructions(charter: Charter, offices: Sequence[Office]) -> tuple[str, ...]:
    """The marking instructions printed on the ballot, generated from the charter's rules.

    Sources: charter ``ballot.form``, ``ballot.overvote``, ``ballot.illegible``,
    ``ballot.same_person``.
    """
    ballot = charter.ballot
    lines = [
        _(
            "Mark ○ in the box under For or Against beside each candidate; "
            "leave both empty to abstain."
        ),
    ]
    seats = "、".join(f"{o.title}{o.seats}" for o in offices)
    if str(ballot.overvote.invalidates) == "ballot":
        lines.append(
            _(
                "Do not vote for more people than the seats of an office ({seats}); "
                "otherwise the whole ballot is invalid."
            ).format(seats=seats)
        )
    else:
        lines.append(
            _(
                "Do not vote for more people than the seats of an office ({seats}); "
                "otherwise that office's part of the ballot is invalid."
            ).format(seats=seats)
        )
    if ballot.form.write_ins:
        lines.append(
            _(
                "To vote for someone not on the ballot, write the name in a Write-in box and "
                "mark ○ under it."
            )
        )
    if str(ballot.same_person.policy) == "ballot":
        lines.append(
            _(
                "Do not vote for the same person in two offices; otherwise the whole "
                "ballot is invalid."
            )
        )
    elif str(ballot.same_person.policy) == "sections":
        lines.append(
            _(
                "Do not vote for the same person in two offices; otherwise both "
                "offices' parts are invalid."
            )
        )
    else:
        lines.append(_("A person voted for in two offices counts only in the higher office."))
    lines.append(_("A part that cannot be read is invalid; the rest of the ballot counts."))
    return tuple(lines)


def ballot_paper(session: Session, election: Election) -> BallotPaper:
    """The read-model of ``election``'s ballot paper: offices, numbered candidates, rules."""
    comm = session.get(Community, election.community_id)
    assert comm is not None
    charter = election_charter(session, election)
    offices = session.exec(
        select(Office).where(Office.election_id == election.id).order_by(col(Office.position))
    ).all()
    sections = []
    for office in offices:
        rows = session.exec(
            select(Candidate, Voter, ResidentsGroup)
            .join(Voter, col(Voter.id) == col(Candidate.voter_id))
            .join(ResidentsGroup, col(ResidentsGroup.id) == col(Voter.group_id))
            .where(Candidate.office_id == office.id)
            .order_by(col(Candidate.ballot_number))
        ).all()
        sections.append(
            OfficeOnBallot(
                key=office.key,
                title=office.title,
                seats=office.seats,
                candidates=tuple(
                    CandidateLine(
                        number=c.ballot_number,
                        name=v.name,
                        sex=v.sex,
                        age=age_on(v.birth_date, election.day),
                        group=g.name,
                        tie_flag=c.tie_flag,
                    )
                    for c, v, g in rows
                ),
                write_ins=office.write_ins,
            )
        )
    return BallotPaper(
        community=comm.name,
        election_title=election.title,
        election_day=election.day,
        kind=election.kind,
        offices=tuple(sections),
        instructions=_recall_instructions(session, election)
        if election.kind == "recall"
        else instructions(charter, offices),
        serial_prefix=election.serial_prefix,
        election_id=election.id or 0,
    )


def _recall_instructions(session: Session, election: Election) -> tuple[str, ...]:
    """---- recall: the recall ballot's marking rules, reasons and defence."""
    from juwei.elections.recall import recall_instructions

    return recall_instructions(session, election)


def read_ballot_paper(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> BallotPaper:
    """The ballot paper of an election whose candidates are confirmed."""
    with db.read() as session:
        election = find_election(session, community, election_id)
        if election.state in ("nominating",):
            require_state(election, "slate_confirmed", action=_("show the ballot paper"))
        return ballot_paper(session, election)


@dataclass(frozen=True)
class PrintBatch:
    """Ballots printed in one run: how many, the first and last serial."""

    copies: int
    first: str
    last: str
    total_printed: int


def print_ballots(
    db: Database,
    copies: int,
    render: Callable[[BallotPaper, list[str]], object],
    *,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> PrintBatch:
    """Number ``copies`` new ballots, call ``render(paper, serials)``, record them.

    When ``render`` returns the printed layout (a dict with ``digest``, issue 16), it is
    logged as ``ballots.layout`` in the same transaction (see ``record_layout``).

    Serials continue after the last printed one and are unique per election (held by the
    database). If ``render`` fails nothing is recorded. Raises ``InputError`` for copies < 1,
    ``StateError`` before the candidates are confirmed or after the count.
    """
    if copies < 1 or copies > 1_000_000:
        raise InputError(_("--copies must be between 1 and 1,000,000"), column="--copies")
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(
            election, "slate_confirmed", "ballots_printed", "polling", action=_("print ballots")
        )
        assert election.id is not None
        already = int(
            session.exec(
                select(func.count())
                .select_from(BallotSerial)
                .where(BallotSerial.election_id == election.id)
            ).one()
        )
        serials = [serial_text(election.serial_prefix, already + i) for i in range(1, copies + 1)]
        paper = ballot_paper(session, election)
        bulk_insert(
            session,
            BallotSerial.__table__,  # type: ignore[attr-defined]
            [{"election_id": election.id, "serial": s, "state": "printed"} for s in serials],
        )
        if election.state == "slate_confirmed":
            election.state = "ballots_printed"
            session.add(election)
        append_event(
            session,
            "ballots.print",
            {"election": election.id, "copies": copies, "first": serials[0], "last": serials[-1]},
            operator=operator,
            community_id=election.community_id,
        )
        layout = render(paper, serials)
        if isinstance(layout, dict) and "digest" in layout:
            record_layout(session, election, layout, operator=operator)
        return PrintBatch(copies, serials[0], serials[-1], already + copies)


def record_layout(
    session: Session, election: Election, layout: dict[str, Any], *, operator: str
) -> None:
    """Log the printed geometry of ``election``'s ballot (issue 16) unless already logged.

    ``layout``: as ``juwei.ballots.ballot_paper.ballot_layout`` returns it (boxes in pt and
    ``digest``). The event ``ballots.layout`` carries the whole layout, so a scan is read
    against exactly what was printed and the log proves which layout that was.
    """
    known = session.exec(
        select(Event.payload).where(
            Event.kind == "ballots.layout", Event.community_id == election.community_id
        )
    ).all()
    digest = str(layout["digest"])
    for payload in known:
        data = json.loads(payload) if isinstance(payload, str) else payload
        if data.get("election") == election.id and data.get("digest") == digest:
            return
    body = {key: value for key, value in layout.items() if key != "digest"}
    append_event(
        session,
        "ballots.layout",
        {"election": election.id, "digest": digest, "layout": json.loads(canonical_json(body))},
        operator=operator,
        community_id=election.community_id,
    )


@dataclass(frozen=True)
class IssueReceipt:
    """A ballot (or proxy ballots) issued: to whom (masked), at which box."""

    name: str
    id_masked: str
    box: str
    proxies: tuple[str, ...]  # masked IDs of the principals whose ballots the holder took


def day_only(day: date) -> datetime:
    """The time logged for a poll event: midnight UTC of ``day`` — the day, never the moment
    (nothing in the log may order or time voters finer than the day)."""
    return datetime.combine(day, time(), UTC)


def _require_issuing(session: Session, election: Election, boxes: Sequence[str]) -> None:
    """Issuing (and spoiling) stops when the poll or the box is closed: ``StateError``."""
    if election.poll_closed_on is not None:
        raise StateError(
            _("The poll was closed on {day}: no more ballots are issued.").format(
                day=election.poll_closed_on.isoformat()
            )
        )
    for box in sorted(set(boxes)):
        row = _box_row(session, election, box)
        if row.closed_on is not None:
            raise StateError(
                _("Box {box} was closed on {day}: no more ballots are issued there.").format(
                    box=box, day=row.closed_on.isoformat()
                )
            )


def _box_row(session: Session, election: Election, box: str) -> PollBox:
    """The ``poll_box`` row of ``box`` (created, not yet flushed, at the box's first use)."""
    assert election.id is not None
    row = session.exec(
        select(PollBox).where(PollBox.election_id == election.id, PollBox.box == box)
    ).first()
    if row is None:
        row = PollBox(election_id=election.id, box=box)
        session.add(row)
        session.flush()
    return row


def poll_day(election: Election, on: date | None) -> date:
    """The day a ballot is issued: the election day unless given; never after the election day
    of a general election or by-election, never before the day of a later round.

    Raises ``StateError`` naming both days.
    """
    day = on or election.day
    first_rounds = ("general", "by_election", "recall", "representatives")
    if election.kind in first_rounds and day > election.day:
        raise StateError(
            _(
                "{on} is after the election day {day}: ballots are issued by the election day."
            ).format(on=day.isoformat(), day=election.day.isoformat())
        )
    if election.kind not in first_rounds and day < election.day:
        raise StateError(
            _("{on} is before the day of the first round {day}.").format(
                on=day.isoformat(), day=election.day.isoformat()
            )
        )
    return day


def _open_poll(session: Session, election: Election, operator: str, on: date | None = None) -> None:
    """First issue: freeze the base counts (registered voters, households, representatives)
    and open the poll. The frozen counts are recorded in the event chain (``poll.open``,
    with the roll import they were counted after), so that ``juwei audit verify`` can
    prove the quorum base was not changed afterwards (issue 11)."""
    if election.state != "polling":
        listed: ColumnElement[bool] = col(Voter.listed).is_(True)
        if election.group_id is not None:  # a group's election: the group's voters are the roll
            listed = listed & (col(Voter.group_id) == election.group_id)
        election.registered_voters = int(
            session.exec(
                select(func.count())
                .select_from(Voter)
                .where(Voter.community_id == election.community_id, listed)
            ).one()
        )
        election.households = int(
            session.exec(
                select(func.count(func.distinct(Voter.household_id))).where(
                    Voter.community_id == election.community_id, listed
                )
            ).one()
        )
        if election.mode == "representative":  # the serving representatives are the roll
            from juwei.elections.representatives import serving_voter_ids

            election.representatives = len(
                serving_voter_ids(session, election.community_id, on=election.day)
            )
        election.state = "polling"
        session.add(election)
        roll_import = session.exec(
            select(func.max(RollImport.id)).where(RollImport.community_id == election.community_id)
        ).one()
        append_event(
            session,
            "poll.open",
            {
                "election": election.id,
                "registered_voters": election.registered_voters,
                "households": election.households,
                "representatives": election.representatives,
                "roll_import": roll_import,
            },
            operator=operator,
            community_id=election.community_id,
            at=None if on is None else day_only(on),  # the day, not the first voter's moment
        )


def _group_name(session: Session, group_id: int | None) -> str:
    """The name of residents' group ``group_id`` (``?`` when unknown)."""
    group = None if group_id is None else session.get(ResidentsGroup, group_id)
    return "?" if group is None else group.name


def ineligible_at_issue(
    charter: Charter,
    election: Election,
    *,
    birth_date: date,
    registration: str,
    residence_since: date | None,
    consent: bool | None,
) -> Failure | None:
    """The first reason a voter on the roll may not receive a ballot of ``election``, or None.

    Eligibility is checked again when a ballot is issued, not only at roll import: the age on
    the election day (``[eligibility.age]``, counted on the election day, P7, P9) and the
    registration (``[eligibility.registrations]``: kind accepted, months here, application and
    consent) as of that day. A roll imported as of another day cannot hand a ballot to a
    16-year-old. Deprivation of political rights is refused at roll import (not stored)."""
    verdict = check_eligibility(
        charter,
        birth_date=birth_date,
        on=election.day,
        deprived=False,
        registration=Registration(registration),
        residence_since=residence_since,
        consent=consent,
    )
    return None if verdict.eligible else verdict.failures[0]


def _household_issued(
    session: Session, election: Election, household_id: int
) -> tuple[Voter, Issuance] | None:
    """The voter of ``household_id`` who already received ``election``'s ballot, if any."""
    found = session.exec(
        select(Voter, Issuance)
        .join(Issuance, col(Issuance.voter_id) == col(Voter.id))
        .where(Issuance.election_id == election.id, Voter.household_id == household_id)
    ).first()
    return None if found is None else (found[0], found[1])


def _household_refusal(charter: Charter, code: str, day: date, box: str) -> str:
    rule = charter.election.modes.get(ElectionMode.HOUSEHOLD)
    source = rule.source if rule is not None else "S1 art 8"
    return _(
        "household {household} already received its ballot on {day} at {box}: the household "
        "mode issues one ballot per household (election.modes.household; {source})"
    ).format(household=code, day=day.isoformat(), box=box, source=source)


def _issue_one(
    session: Session,
    election: Election,
    voter: Voter,
    box: str,
    on: date,
    holder: Voter | None = None,
    authorisation: str | None = None,
    charter: Charter | None = None,
) -> None:
    earlier = session.exec(
        select(Issuance).where(Issuance.election_id == election.id, Issuance.voter_id == voter.id)
    ).first()
    if earlier is not None:
        raise StateError(
            _("{name} ({masked}) already received a ballot on {day} at {box}.").format(
                name=voter.name,
                masked=mask_id(voter.id_number),
                day=earlier.issued_on.isoformat(),
                box=earlier.box,
            )
        )
    charter = charter or election_charter(session, election)
    failure = ineligible_at_issue(
        charter,
        election,
        birth_date=voter.birth_date,
        registration=voter.registration,
        residence_since=voter.residence_since,
        consent=voter.consent,
    )
    if failure is not None:
        raise EligibilityError(
            _("{name} ({masked}) may not receive a ballot: {reason} ({rule}; {source}).").format(
                name=voter.name,
                masked=mask_id(voter.id_number),
                reason=failure.reason,
                rule=failure.rule,
                source=failure.source,
            )
        )
    if election.mode == ElectionMode.HOUSEHOLD.value:
        first = _household_issued(session, election, voter.household_id)
        if first is not None:
            household = session.get(Household, voter.household_id)
            code = household.code if household is not None else str(voter.household_id)
            raise StateError(
                _("{name} ({masked}): {reason}.").format(
                    name=voter.name,
                    masked=mask_id(voter.id_number),
                    reason=_household_refusal(charter, code, first[1].issued_on, first[1].box),
                )
            )
    assert election.id is not None and voter.id is not None
    if election.group_id is not None and voter.group_id != election.group_id:
        raise EligibilityError(
            _(
                "{name} ({masked}) is a voter of the group {other}, not of {group}: only the "
                "group's own voters elect its representatives."
            ).format(
                name=voter.name,
                masked=mask_id(voter.id_number),
                other=_group_name(session, voter.group_id),
                group=_group_name(session, election.group_id),
            )
        )
    if election.mode == "representative":
        from juwei.elections.representatives import serving_voter_ids

        if voter.id not in serving_voter_ids(session, election.community_id, on=election.day):
            raise EligibilityError(
                _(
                    "{name} ({masked}) is not a serving residents' representative on {day}: in "
                    "representative mode only the representatives vote (S1 art 8)."
                ).format(
                    name=voter.name,
                    masked=mask_id(voter.id_number),
                    day=election.day.isoformat(),
                )
            )
    session.add(
        Issuance(
            election_id=election.id,
            voter_id=voter.id,
            box=box,
            proxy_holder_id=holder.id if holder else None,
            authorisation=authorisation,
            issued_on=on,
        )
    )
    session.flush()


def issue_ballot(
    db: Database,
    voter_id_number: str,
    *,
    box: str,
    on: date | None = None,
    proxy_for: Sequence[str] = (),
    authorisation: str | None = None,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> IssueReceipt:
    """Record that a voter received a ballot (one per voter), and any proxy ballots.

    ``proxy_for``: ID numbers of voters who authorised this voter in writing (委托投票);
    ``authorisation`` describes the written authorisation (required with proxies). Limits from
    the charter's ``proxy`` rule (``max_per_holder``, ``candidates_may_hold``). Raises
    ``StateError`` for a second ballot (saying when and where the first was issued), a proxy
    over the limit or not allowed; ``NotFoundError`` for someone not on the roll.
    """
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "ballots_printed", "polling", action=_("issue a ballot"))
        on = poll_day(election, on)
        comm = session.get(Community, election.community_id)
        assert comm is not None and comm.id is not None
        charter = election_charter(session, election)
        voter = find_voter(session, comm.id, voter_id_number, _("voter"))
        _open_poll(session, election, operator, on)
        _issue_one(session, election, voter, box, on, charter=charter)
        _require_issuing(session, election, [box])  # closed poll or box: all rolled back
        principals: list[Voter] = []
        if proxy_for:
            principals = _check_proxy(session, charter, election, voter, proxy_for, authorisation)
            for principal in principals:
                _issue_one(
                    session, election, principal, box, on, voter, authorisation, charter=charter
                )
        append_event(
            session,
            "poll.issue",
            {
                "election": election.id,
                "voter": voter.id,
                "box": box,
                "on": on.isoformat(),
                "proxies": [p.id for p in principals],
            },
            operator=operator,
            community_id=comm.id,
            at=day_only(on),
        )
        return IssueReceipt(
            voter.name,
            mask_id(voter.id_number),
            box,
            tuple(mask_id(p.id_number) for p in principals),
        )


def _check_proxy(
    session: Session,
    charter: Charter,
    election: Election,
    holder: Voter,
    proxy_for: Sequence[str],
    authorisation: str | None,
) -> list[Voter]:
    rule = charter.proxy
    if not rule.allowed:
        raise StateError(
            _("The charter does not allow proxy voting ({source}).").format(source=rule.source)
        )
    if not authorisation or not authorisation.strip():
        raise InputError(
            _("a proxy ballot needs the written authorisation (--authorisation)"),
            column="--authorisation",
        )
    if not rule.candidates_may_hold:
        is_candidate = session.exec(
            select(Candidate).where(
                Candidate.election_id == election.id, Candidate.voter_id == holder.id
            )
        ).first()
        if is_candidate is not None:
            raise StateError(
                _("{name} is a candidate and may not hold proxies ({source}).").format(
                    name=holder.name, source=rule.source
                )
            )
    held = int(
        session.exec(
            select(func.count())
            .select_from(Issuance)
            .where(Issuance.election_id == election.id, Issuance.proxy_holder_id == holder.id)
        ).one()
    )
    if held + len(proxy_for) > rule.max_per_holder:
        raise StateError(
            _("{name} would hold {n} proxies; the charter allows at most {max} ({source}).").format(
                name=holder.name,
                n=held + len(proxy_for),
                max=rule.max_per_holder,
                source=rule.source,
            )
        )
    return [
        find_voter(session, election.community_id, number, _("principal")) for number in proxy_for
    ]


@dataclass(frozen=True)
class BulkIssue:
    """Ballots issued from a sign-in sheet (签到簿)."""

    file: str
    issued: int
    box: str


def issue_from_sheet(
    db: Database,
    path: Path,
    *,
    box: str,
    on: date | None = None,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> BulkIssue:
    """Issue ballots to every voter listed (by ID number) in a sign-in sheet, all or nothing.

    The sheet: CSV/XLSX with a 公民身份号码 (or 身份证号, id_number) column and optionally a
    票箱 (box) column that overrides ``box``. Every bad row is reported (file, row, column,
    reason) and nothing is recorded.
    """
    table = read_table(path)
    id_col = id_column(table)
    if not table.data:
        raise InputError(_("the file holds the header row but no voter"), file=table.label)
    box_col = next((i for i, h in enumerate(table.headers) if h.lower() in {"票箱", "box"}), None)
    errors: list[InputError] = []
    label, header = table.label, table.headers[id_col]
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "ballots_printed", "polling", action=_("issue ballots"))
        assert election.id is not None
        on = poll_day(election, on)
        _open_poll(session, election, operator, on)
        vt = Voter.__table__  # type: ignore[attr-defined]
        it = Issuance.__table__  # type: ignore[attr-defined]
        charter = election_charter(session, election)
        roll = {
            number: (vid, listed)
            for vid, number, listed in session.execute(
                select(vt.c.id, vt.c.id_number, vt.c.listed).where(
                    vt.c.community_id == election.community_id
                )
            )
        }
        facts = {
            row.id: row
            for row in session.execute(
                sa_select(
                    vt.c.id,
                    vt.c.birth_date,
                    vt.c.registration,
                    vt.c.residence_since,
                    vt.c.consent,
                    vt.c.household_id,
                ).where(vt.c.community_id == election.community_id)
            )
        }
        by_household = election.mode == ElectionMode.HOUSEHOLD.value
        household_first: dict[int, tuple[date, str]] = {}
        codes: dict[int, str] = {}
        if by_household:
            ht = Household.__table__  # type: ignore[attr-defined]
            codes = {
                int(hid): str(code)
                for hid, code in session.execute(
                    sa_select(ht.c.id, ht.c.code).where(ht.c.community_id == election.community_id)
                )
            }
            for hid, day, where in session.execute(
                select(vt.c.household_id, it.c.issued_on, it.c.box)
                .join(it, it.c.voter_id == vt.c.id)
                .where(it.c.election_id == election.id)
            ):
                household_first.setdefault(hid, (day, where))
        household_row: dict[int, int] = {}
        verdicts: dict[tuple[object, ...], Failure | None] = {}
        in_group: set[int] | None = None
        if election.group_id is not None:  # a group's election: the group's voters are the roll
            in_group = set(
                session.execute(
                    select(vt.c.id).where(
                        vt.c.community_id == election.community_id,
                        vt.c.group_id == election.group_id,
                    )
                ).scalars()
            )
        earlier = {
            vid: (day, where)
            for vid, day, where in session.execute(
                select(it.c.voter_id, it.c.issued_on, it.c.box).where(
                    it.c.election_id == election.id
                )
            )
        }
        rows: list[dict[str, object]] = []
        seen: dict[int, int] = {}
        representatives: set[int] | None = None
        if election.mode == "representative":  # the serving representatives are the roll
            from juwei.elections.representatives import serving_voter_ids

            representatives = serving_voter_ids(session, election.community_id, on=election.day)
        for number, cells in table.data:
            raw = cells[id_col] if id_col < len(cells) else None
            this_box = box
            if box_col is not None and box_col < len(cells) and cells[box_col]:
                this_box = str(cells[box_col]).strip()
            try:
                parsed = parse_id_number(str(raw or ""))
            except IdNumberError as error:
                errors.append(InputError(error.reason, file=label, row=number, column=header))
                continue
            found = roll.get(parsed.number)
            if found is None or not found[1]:
                errors.append(
                    InputError(
                        _("{masked} is not on this community's roll").format(masked=parsed.masked),
                        file=label,
                        row=number,
                        column=header,
                    )
                )
                continue
            vid = found[0]
            if in_group is not None and vid not in in_group:
                errors.append(
                    InputError(
                        _(
                            "{masked} is not a voter of the group {group}: only the group's own "
                            "voters elect its representatives"
                        ).format(
                            masked=parsed.masked,
                            group=_group_name(session, election.group_id),
                        ),
                        file=label,
                        row=number,
                        column=header,
                    )
                )
                continue
            if representatives is not None and vid not in representatives:
                errors.append(
                    InputError(
                        _("{masked} is not a serving residents' representative").format(
                            masked=parsed.masked
                        ),
                        file=label,
                        row=number,
                        column=header,
                    )
                )
                continue
            if vid in earlier:
                day, where = earlier[vid]
                errors.append(
                    InputError(
                        _("{masked} already received a ballot on {day} at {box}").format(
                            masked=parsed.masked, day=day.isoformat(), box=where
                        ),
                        file=label,
                        row=number,
                        column=header,
                    )
                )
                continue
            if vid in seen:
                errors.append(
                    InputError(
                        _("{masked} is listed twice (also at row {row})").format(
                            masked=parsed.masked, row=seen[vid]
                        ),
                        file=label,
                        row=number,
                        column=header,
                    )
                )
                continue
            fact = facts[vid]
            memo = (fact.birth_date, fact.registration, fact.residence_since, fact.consent)
            if memo not in verdicts:
                verdicts[memo] = ineligible_at_issue(
                    charter,
                    election,
                    birth_date=fact.birth_date,
                    registration=fact.registration,
                    residence_since=fact.residence_since,
                    consent=fact.consent,
                )
            failure = verdicts[memo]
            if failure is not None:
                errors.append(
                    InputError(
                        _("{masked} may not receive a ballot: {reason} ({rule}; {source})").format(
                            masked=parsed.masked,
                            reason=failure.reason,
                            rule=failure.rule,
                            source=failure.source,
                        ),
                        file=label,
                        row=number,
                        column=header,
                    )
                )
                continue
            if by_household:
                hid = fact.household_id
                code = codes.get(hid, str(hid))
                if hid in household_first:
                    day, where = household_first[hid]
                    reason = _household_refusal(charter, code, day, where)
                    errors.append(InputError(reason, file=label, row=number, column=header))
                    continue
                if hid in household_row:
                    errors.append(
                        InputError(
                            _(
                                "household {household} is listed twice (also at row {row}): the "
                                "household mode issues one ballot per household"
                            ).format(household=code, row=household_row[hid]),
                            file=label,
                            row=number,
                            column=header,
                        )
                    )
                    continue
                household_row[hid] = number
            seen[vid] = number
            rows.append(
                {
                    "election_id": election.id,
                    "voter_id": vid,
                    "box": this_box,
                    "proxy_holder_id": None,
                    "authorisation": None,
                    "issued_on": on,
                }
            )
        if errors:
            from juwei.elections.roll import RollRejected

            raise RollRejected(label, errors, skip_hint=False)
        _require_issuing(session, election, [str(row["box"]) for row in rows] or [box])
        count = bulk_insert(session, it, rows)
        append_event(
            session,
            "poll.issue_sheet",
            {"election": election.id, "file": table.label, "issued": count, "box": box},
            operator=operator,
            community_id=election.community_id,
            at=day_only(on),
        )
        return BulkIssue(table.label, count, box)


def spoil_ballots(
    db: Database,
    box: str,
    count: int = 1,
    *,
    on: date | None = None,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> int:
    """Record ``count`` spoiled ballots (作废票) exchanged at ``box``: the voter hands back the
    spoiled paper and gets another; the paper is kept, unnumbered, with the box's accounts.

    Recorded as a count per box, never a number (issue 11: a spoiled ballot's number would be
    a reference point in the stack). Returns the box's spoiled total. ``on``: default the
    election day (see ``poll_day``). Raises ``InputError`` for a count below 1, ``StateError``
    after the poll (or the box) is closed or when more ballots would be accounted than printed.
    """
    if isinstance(count, bool) or not 1 <= count <= 1_000_000:
        raise InputError(_("--count must be between 1 and 1,000,000"), column="--count")
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "ballots_printed", "polling", action=_("spoil a ballot"))
        on = poll_day(election, on)
        _require_issuing(session, election, [box])
        eid = election.id
        printed = int(
            session.exec(
                select(func.count())
                .select_from(BallotSerial)
                .where(BallotSerial.election_id == eid)
            ).one()
        )
        issued = int(
            session.exec(
                select(func.count()).select_from(Issuance).where(Issuance.election_id == eid)
            ).one()
        )
        spoiled = int(
            session.exec(
                select(func.coalesce(func.sum(PollBox.spoiled), 0)).where(
                    PollBox.election_id == eid
                )
            ).one()
        )
        if issued + spoiled + count > printed:
            raise StateError(
                _(
                    "{printed} ballots were printed, {issued} issued and {spoiled} spoiled: "
                    "{count} more spoiled ballots cannot be."
                ).format(printed=printed, issued=issued, spoiled=spoiled, count=count)
            )
        row = _box_row(session, election, box)
        row.spoiled += count
        session.add(row)
        append_event(
            session,
            "poll.spoil",
            {"election": eid, "box": box, "count": count, "on": on.isoformat()},
            operator=operator,
            community_id=election.community_id,
            at=day_only(on),
        )
        return row.spoiled


@dataclass(frozen=True)
class PollClosing:
    """The poll closed at some boxes: which, on which day, and whether the whole poll is."""

    boxes: tuple[str, ...]
    day: date
    poll_closed: bool


def close_poll(
    db: Database,
    *,
    box: str | None = None,
    on: date | None = None,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> PollClosing:
    """Close the poll (投票结束): at one ``box``, or (``box`` None) at every box and for good;
    logged (``poll.close``). Closing the last open box closes the poll. After that no ballot
    is issued or spoiled, and the count may begin: entry and import are refused before
    (``count.require_poll_closed``), so that no order of entry can interleave with issuing.

    ``on``: default the election day. Raises ``StateError`` before any ballot was issued, when
    the poll or the box is already closed; ``InputError`` for a box that issued no ballot
    (naming the boxes there are).
    """
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "polling", action=_("close the poll"))
        day = poll_day(election, on)
        if election.poll_closed_on is not None:
            raise StateError(
                _("The poll was closed on {day}.").format(day=election.poll_closed_on.isoformat())
            )
        used = set(
            session.exec(select(Issuance.box).where(Issuance.election_id == election.id)).all()
        ) | set(session.exec(select(PollBox.box).where(PollBox.election_id == election.id)).all())
        rows = {b: _box_row(session, election, b) for b in sorted(used)}
        if box is not None:
            if box not in rows:
                raise InputError(
                    _("no box {box} in this election (the boxes are: {boxes})").format(
                        box=box, boxes="、".join(rows) or "—"
                    ),
                    column="--box",
                )
            if rows[box].closed_on is not None:
                raise StateError(
                    _("Box {box} was closed on {day}.").format(
                        box=box,
                        day=rows[box].closed_on.isoformat(),  # type: ignore[union-attr]
                    )
                )
            closing = [box]
        else:
            closing = [b for b, row in rows.items() if row.closed_on is None]
        for name in closing:
            rows[name].closed_on = day
            session.add(rows[name])
        whole = box is None or all(row.closed_on is not None for row in rows.values())
        if whole:
            election.poll_closed_on = day
            session.add(election)
        append_event(
            session,
            "poll.close",
            {
                "election": election.id,
                "boxes": closing,
                "poll_closed": whole,
                "on": day.isoformat(),
            },
            operator=operator,
            community_id=election.community_id,
            at=day_only(day),
        )
        return PollClosing(tuple(closing), day, whole)


@dataclass(frozen=True)
class PollStatus:
    """Ballot accounting (选票统计) at this moment; counts are ballots."""

    election_id: int
    state: str
    registered_voters: int
    printed: int
    issued: int
    proxies: int
    spoiled: int
    returned: int
    unused: int
    by_box: dict[str, int]  # ballots issued at each box
    boxes: tuple["BoxAccount", ...] = ()  # per box: issued, spoiled, closed, found at opening
    entered: int = 0  # ballot records entered at the count
    closed_on: date | None = None  # the day the poll was closed


def poll_status(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> PollStatus:
    """printed = issued + spoiled + unused; returned: the ballots found when the boxes were
    opened (before any box is opened: the ballot records, as older elections counted)."""
    with db.read() as session:
        election = find_election(session, community, election_id)
        eid = election.id
        assert eid is not None

        def count(stmt: object) -> int:
            return int(session.exec(stmt).one())  # type: ignore[call-overload]

        printed = count(
            select(func.count()).select_from(BallotSerial).where(BallotSerial.election_id == eid)
        )
        spoiled = count(  # by number before juwei 0.9, a count per box since
            select(func.count())
            .select_from(BallotSerial)
            .where(BallotSerial.election_id == eid, BallotSerial.state == "spoiled")
        ) + count(
            select(func.coalesce(func.sum(PollBox.spoiled), 0)).where(PollBox.election_id == eid)
        )
        issued = count(
            select(func.count()).select_from(Issuance).where(Issuance.election_id == eid)
        )
        proxies = count(
            select(func.count())
            .select_from(Issuance)
            .where(Issuance.election_id == eid, col(Issuance.proxy_holder_id).is_not(None))
        )
        from juwei.elections.count import box_accounts

        entered = count(
            select(func.count()).select_from(BallotRecord).where(BallotRecord.election_id == eid)
        )
        boxes = tuple(box_accounts(session, election))
        opened = [b.found for b in boxes if b.found is not None]
        returned = sum(opened) if opened else entered
        by_box = {
            box: int(n)
            for box, n in session.exec(
                select(Issuance.box, func.count())
                .where(Issuance.election_id == eid)
                .group_by(Issuance.box)
                .order_by(Issuance.box)
            ).all()
        }
        registered = election.registered_voters
        if registered is None:
            registered = count(
                select(func.count())
                .select_from(Voter)
                .where(Voter.community_id == election.community_id, col(Voter.listed).is_(True))
            )
        return PollStatus(
            eid,
            election.state,
            registered,
            printed,
            issued,
            proxies,
            spoiled,
            returned,
            printed - issued - spoiled,
            by_box,
            boxes,
            entered,
            election.poll_closed_on,
        )
