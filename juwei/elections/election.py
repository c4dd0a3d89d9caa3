"""Elections (选举) and their state machine.

States, in order: ``nominating`` → ``slate_confirmed`` → ``ballots_printed`` → ``polling`` →
``counted`` → ``certified``; or ``void`` with the legal reason. A count that leaves seats
unfilled or a tie at the last seat creates the next round (``supplementary`` / ``runoff``),
linked to its parent by ``parent_id`` and with its own serial prefix.

Offices and seats come from the charter (``committee.offices``), overridable within the
charter's committee size (``committee.size``).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlmodel import Session, col, select

from juwei.elections.audit import append_event
from juwei.elections.community import community_charter, find_community
from juwei.elections.db import Database
from juwei.elections.models import CharterPin, Community, Election, Office
from juwei.errors import InputError, NotFoundError, StateError
from juwei.i18n import _
from juwei.rules.charter import Charter

if TYPE_CHECKING:
    from juwei.rules.timetable import StepCheck, StepKey

STATES = (
    "nominating",
    "slate_confirmed",
    "ballots_printed",
    "polling",
    "counted",
    "certified",
    "void",
)
KINDS = ("general", "by_election", "supplementary", "runoff", "recall", "representatives")
MODES = ("direct", "household", "representative")


def state_label(state: str) -> str:
    """The state in words for the committee."""
    labels = {
        "nominating": _("taking nominations"),
        "slate_confirmed": _("candidates confirmed"),
        "ballots_printed": _("ballots printed"),
        "polling": _("polling"),
        "counted": _("counted"),
        "certified": _("certified"),
        "void": _("void"),
    }
    return labels.get(state, state)


def mode_label(mode: str) -> str:
    """Who elects, in words (S1 art 8)."""
    labels = {
        "direct": _("direct: every voter"),
        "household": _("household: one representative per household"),
        "representative": _("representative: residents' representatives"),
    }
    return labels.get(mode, mode)


def next_step(state: str) -> str:
    """What the committee must do next in ``state``, as a command to type."""
    steps = {
        "nominating": _("record nominations (juwei nominate), then juwei candidates confirm"),
        "slate_confirmed": _("print the ballots: juwei ballots print --copies N --out FILE.pdf"),
        "ballots_printed": _("issue ballots (juwei poll issue), then enter them (juwei count)"),
        "polling": _("enter the returned ballots (juwei count import), then juwei results show"),
        "counted": _("check the result sheet (juwei results print), then juwei results certify"),
        "certified": _("nothing: the result is certified"),
        "void": _("hold the election again within the charter's time limit"),
    }
    return steps.get(state, "")


@dataclass(frozen=True)
class OfficeInfo:
    """An office of an election: key, title (主任…), seats (应选名额), write-in columns."""

    key: str
    title: str
    seats: int
    write_ins: int


@dataclass(frozen=True)
class ElectionInfo:
    """An election as the CLI shows it."""

    id: int
    community: str
    kind: str
    mode: str
    title: str
    day: date
    state: str
    serial_prefix: str
    parent_id: int | None
    offices: tuple[OfficeInfo, ...]
    past: bool = False  # entered after its day from paper records (--past, issue 11)


def _offices_from_charter(
    charter: Charter, seats: dict[str, int] | None
) -> list[tuple[str, str, int]]:
    chosen = dict(seats or {})
    out: list[tuple[str, str, int]] = []
    for key, office in charter.committee.offices.items():
        n = chosen.pop(str(key), office.seats)
        if not office.min_seats <= n <= office.max_seats:
            raise InputError(
                _("{office}: {n} seats is outside the charter's {low}–{high} ({source})").format(
                    office=office.title,
                    n=n,
                    low=office.min_seats,
                    high=office.max_seats,
                    source=office.source,
                ),
                column="--seats",
            )
        if n > 0:
            out.append((str(key), office.title, n))
    if chosen:
        raise InputError(
            _("the charter has no office {keys}").format(keys=", ".join(sorted(chosen))),
            column="--seats",
        )
    total = sum(n for _k, _t, n in out)
    size = charter.committee.size
    if not size.min <= total <= size.max:
        raise InputError(
            _("{total} seats in all is outside the committee size {low}–{high} ({source})").format(
                total=total, low=size.min, high=size.max, source=size.source
            ),
            column="--seats",
        )
    return out


FURTHEST_AHEAD = 6 * 366  # days: a term is at most five years; no election is set further off


def current_day() -> date:
    """Today's date for the election-day checks: ``JUWEI_TODAY`` (YYYY-MM-DD) when set — a
    rehearsal on a training copy, or a test suite that must not age — else the machine's
    date. Raises ``InputError`` naming ``JUWEI_TODAY`` when it is set but not a date."""
    import os

    fixed = os.environ.get("JUWEI_TODAY", "").strip()
    if not fixed:
        return date.today()
    try:
        return date.fromisoformat(fixed)
    except ValueError:
        raise InputError(
            _("not a date (YYYY-MM-DD): {value}").format(value=fixed), column="JUWEI_TODAY"
        ) from None


def check_election_day(day: date, *, past: bool = False, today: date | None = None) -> None:
    """Refuse a day that cannot be a real election day (issue 11): one on which no national
    law on residents' committees was in force (``juwei.rules.law.law_in_force``), or more
    than about six years ahead of ``today`` (default ``current_day()``). A day before today is an
    election already held, entered from its paper records: it needs ``past=True`` (the
    ``--past`` flag), and ``past=True`` for a day not before today is refused too, so the
    flag always means what it says. Raises ``InputError`` naming ``--day`` or ``--past``."""
    from juwei.rules.law import law_in_force

    try:
        law_in_force(day)
    except LookupError:
        raise InputError(
            _(
                "{day} cannot be an election day juwei can run: no law on residents' "
                "committees that juwei knows was in force then"
            ).format(day=day.isoformat()),
            column="--day",
        ) from None
    now = today or current_day()
    if (day - now).days > FURTHEST_AHEAD:
        raise InputError(
            _("{day} is more than six years ahead; check the year").format(day=day.isoformat()),
            column="--day",
        )
    if day < now and not past:
        raise InputError(
            _(
                "{day} is before today ({today}). To enter an election already held, from "
                "its paper records, add --past; otherwise check the date"
            ).format(day=day.isoformat(), today=now.isoformat()),
            column="--day",
        )
    if past and day >= now:
        raise InputError(
            _("--past is only for an election held before today ({today})").format(
                today=now.isoformat()
            ),
            column="--past",
        )


def new_election(
    db: Database,
    *,
    day: date,
    mode: str = "direct",
    kind: str = "general",
    community: str | None = None,
    seats: dict[str, int] | None = None,
    title: str | None = None,
    offices: list[str] | None = None,
    group: str | None = None,
    past: bool = False,
    operator: str,
) -> ElectionInfo:
    """Create a general election (换届选举) on ``day`` with the charter's offices and seats.

    ``past``: the election was held before today and is entered from its paper records
    (``--past``); required for such a day and recorded in the ``election.new`` event
    (``check_election_day``).

    ``seats``: optional overrides by office key (``{"member": 4}``), within the office's
    ``min_seats..max_seats`` and the committee size. Raises ``InputError`` for seats or a mode
    the charter does not have; ``StateError`` when an election of the community is still open.
    Source: charter ``committee.offices``, ``committee.size``, ``election.modes``.

    ``kind="by_election"`` (补选, also written ``by-election``): the offices are the vacant
    seats of the current committee only (all of them, or those of ``offices``), one seat per
    open vacancy (``juwei.elections.vacancies.by_election_seats``, which raises
    ``StateError`` for an office with no vacancy); ``seats`` is refused (``InputError``).

    ``kind="representatives"``: the residents' group ``group`` (required) elects its
    representatives (居民代表), its listed voters being the roll: one office
    ``representative`` with ``[representatives].per_group.max`` seats, or ``seats
    {"representative": n}`` down to ``per_group.min`` (``InputError`` outside that range);
    direct mode only. When some of the group's representatives still serve after the day, it
    is a by-election (补选): only the vacant seats, 1 to ``per_group.max`` minus those
    serving (``StateError`` when none is vacant). One open election per group at a time; it
    does not block the committee's elections, nor they it. ``NotFoundError`` for an unknown
    group.
    """
    check_election_day(day, past=past)
    kind = kind.replace("-", "_")
    if kind == "representatives":
        return _new_group_election(
            db,
            past=past,
            day=day,
            mode=mode,
            community=community,
            seats=seats,
            title=title,
            group=group,
            offices=offices,
            operator=operator,
        )
    if group is not None:
        raise InputError(
            _("--group is only for a residents' group's election of its representatives"),
            column="--group",
        )
    if kind != "by_election" and offices:
        raise InputError(_("--office is only for a by-election"), column="--office")
    if kind == "by_election" and seats:
        raise InputError(
            _("a by-election's seats are its vacancies: use --office, not --seats"),
            column="--seats",
        )
    if kind not in ("general", "by_election"):
        raise InputError(_("unknown election kind {kind}").format(kind=kind), column="--kind")
    with db.write() as session:
        comm = find_community(session, community)
        assert comm.id is not None
        charter = community_charter(session, comm)
        if mode not in {str(m) for m in charter.election.modes}:
            raise InputError(
                _("the charter has no election mode {mode} (it has: {modes})").format(
                    mode=mode, modes=", ".join(str(m) for m in charter.election.modes)
                ),
                column="--mode",
            )
        open_one = session.exec(
            select(Election).where(
                Election.community_id == comm.id,
                col(Election.parent_id).is_(None),
                col(Election.state).not_in(("certified", "void")),
                Election.kind != "representatives",  # groups' elections run on their own
            )
        ).first()
        if open_one is not None:
            raise StateError(
                _("Cannot start a new election: election {id} ({title}) is still {state}.").format(
                    id=open_one.id, title=open_one.title, state=state_label(open_one.state)
                )
            )
        if kind == "by_election":
            from juwei.elections.vacancies import by_election_seats

            vacant = by_election_seats(session, comm, charter, day=day, offices=offices)
            chosen = [(k, charter.office(k).title, n) for k, n in vacant.items()]
        else:
            chosen = _offices_from_charter(charter, seats)
        election = Election(
            community_id=comm.id,
            charter_id=comm.charter_id,
            kind=kind,
            mode=mode,
            title=title or _default_title(comm, day, kind),
            day=day,
            state="nominating",
            serial_prefix=next_serial_prefix(session, comm.id),
            created_at=datetime.now(UTC),
        )
        session.add(election)
        session.flush()
        assert election.id is not None
        write_ins = charter.ballot.form.write_ins
        for position, (key, office_title, n) in enumerate(chosen, start=1):
            session.add(
                Office(
                    election_id=election.id,
                    key=key,
                    title=office_title,
                    seats=n,
                    position=position,
                    write_ins=n if write_ins else 0,
                )
            )
        session.flush()
        append_event(
            session,
            "election.new",
            {
                "election": election.id,
                "kind": kind,
                "mode": mode,
                "day": day.isoformat(),
                "offices": {k: n for k, _t, n in chosen},
                # issue 5: the pinned charter, so that audit verify can detect it altered
                "charter_digest": _pin_digest(session, comm.charter_id),
                **({"past": True} if past else {}),  # entered after the day, from paper
            },
            operator=operator,
            community_id=comm.id,
        )
        return _info(session, election, comm)


def _pin_digest(session: Session, charter_id: int) -> str:
    pin = session.get(CharterPin, charter_id)
    assert pin is not None
    return pin.digest


def _new_group_election(
    db: Database,
    *,
    day: date,
    mode: str,
    community: str | None,
    seats: dict[str, int] | None,
    title: str | None,
    group: str | None,
    offices: list[str] | None,
    operator: str,
    past: bool = False,
) -> ElectionInfo:
    """A residents' group's election of its representatives (see ``new_election``)."""
    from juwei.elections.models import ResidentsGroup
    from juwei.rules.charter import OfficeKey

    if group is None or not group.strip():
        raise InputError(
            _("a representatives' election needs the residents' group: --group NAME"),
            column="--group",
        )
    if offices:
        raise InputError(_("--office is only for a by-election"), column="--office")
    if mode != "direct":
        raise InputError(
            _("a residents' group elects its representatives by its voters (mode direct)"),
            column="--mode",
        )
    chosen = dict(seats or {})
    key = OfficeKey.REPRESENTATIVE.value
    n_given = chosen.pop(key, None)
    if chosen:
        raise InputError(
            _("a representatives' election has only the office {office}").format(office=key),
            column="--seats",
        )
    with db.write() as session:
        comm = find_community(session, community)
        assert comm.id is not None
        charter = community_charter(session, comm)
        office = charter.office(OfficeKey.REPRESENTATIVE)
        group_row = session.exec(
            select(ResidentsGroup).where(
                ResidentsGroup.community_id == comm.id, ResidentsGroup.name == group.strip()
            )
        ).first()
        if group_row is None:
            raise NotFoundError(
                _("No residents' group {name} in this community.").format(name=group.strip())
            )
        assert group_row.id is not None
        # representatives of the group still serving after the day: the election fills only
        # the vacant seats (a by-election of representatives, 补选; SEED 钱牌 第十条)
        from juwei.elections.representatives import group_serving

        serving = len(group_serving(session, group_row.id, after=day))
        low, high = office.min_seats, office.max_seats
        if serving:
            low, high = 1, office.max_seats - serving
            if high < 1:
                raise StateError(
                    _(
                        "The group {group} has {n} serving representatives, the charter's "
                        "maximum ({source}): no seat to elect."
                    ).format(group=group_row.name, n=serving, source=office.source)
                )
        n = high if n_given is None else n_given
        if not low <= n <= high:
            raise InputError(
                _(
                    "{office}: {n} seats is outside the charter's {low}–{high} per residents' "
                    "group ({source})"
                ).format(office=office.title, n=n, low=low, high=high, source=office.source)
                + (
                    ""
                    if not serving
                    else " "
                    + _("({serving} of the group's representatives still serve)").format(
                        serving=serving
                    )
                ),
                column="--seats",
            )
        open_one = session.exec(
            select(Election).where(
                Election.community_id == comm.id,
                Election.group_id == group_row.id,
                col(Election.parent_id).is_(None),
                col(Election.state).not_in(("certified", "void")),
            )
        ).first()
        if open_one is not None:
            raise StateError(
                _("Cannot start a new election: election {id} ({title}) is still {state}.").format(
                    id=open_one.id, title=open_one.title, state=state_label(open_one.state)
                )
            )
        election = Election(
            community_id=comm.id,
            charter_id=comm.charter_id,
            kind="representatives",
            mode=mode,
            title=title or _group_title(comm, group_row.name, day, by_election=serving > 0),
            day=day,
            state="nominating",
            serial_prefix=next_serial_prefix(session, comm.id),
            created_at=datetime.now(UTC),
            group_id=group_row.id,
        )
        session.add(election)
        session.flush()
        assert election.id is not None
        session.add(
            Office(
                election_id=election.id,
                key=key,
                title=office.title,
                seats=n,
                position=1,
                write_ins=n if charter.ballot.form.write_ins else 0,
            )
        )
        session.flush()
        append_event(
            session,
            "election.new",
            {
                "election": election.id,
                "kind": "representatives",
                "mode": mode,
                "day": day.isoformat(),
                "group": group_row.name,
                "serving": serving,
                "offices": {key: n},
                "charter_digest": _pin_digest(session, comm.charter_id),
                **({"past": True} if past else {}),  # entered after the day, from paper
            },
            operator=operator,
            community_id=comm.id,
        )
        return _info(session, election, comm)


def _group_title(comm: Community, group: str, day: date, *, by_election: bool) -> str:
    what = "补选" if by_election else "选举"
    return f"{comm.name}{group}居民代表{what}（{day.year}年）"


def next_serial_prefix(session: Session, community_id: int | None) -> str:
    """The serial prefix of the community's next election or round: ``A`` for its first, ``B``
    for the second … ``Z``, then ``AA``, ``AB`` … (bijective base 26), so that no two ballot
    papers of one community carry the same serial (选票编号), across rounds, by-elections and
    terms. Recall votes have their own ``R`` prefixes (``juwei.elections.recall``)."""
    n = int(
        session.exec(
            select(func.count()).select_from(Election).where(Election.community_id == community_id)
        ).one()
    )
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _default_title(comm: Community, day: date, kind: str) -> str:
    if kind == "by_election":
        return f"{comm.name}居民委员会补选（{day.year}年）"
    return f"{comm.name}居民委员会换届选举（{day.year}年）"


def _info(session: Session, election: Election, comm: Community | None = None) -> ElectionInfo:
    assert election.id is not None
    if comm is None:
        comm = session.get(Community, election.community_id)
        assert comm is not None
    offices = session.exec(
        select(Office).where(Office.election_id == election.id).order_by(col(Office.position))
    ).all()
    return ElectionInfo(
        id=election.id,
        community=comm.name,
        kind=election.kind,
        mode=election.mode,
        title=election.title,
        day=election.day,
        state=election.state,
        serial_prefix=election.serial_prefix,
        parent_id=election.parent_id,
        offices=tuple(OfficeInfo(o.key, o.title, o.seats, o.write_ins) for o in offices),
        past=_entered_past(session, election),
    )


def _entered_past(session: Session, election: Election) -> bool:
    """Whether the election (or the round's first election) was created with ``--past``:
    read from its ``election.new`` event, the one record of it."""
    import json

    from juwei.elections.models import Event

    root = election
    while root.parent_id is not None:
        parent = session.get(Election, root.parent_id)
        if parent is None:
            break
        root = parent
    for payload in session.exec(
        select(Event.payload).where(
            Event.community_id == election.community_id, Event.kind == "election.new"
        )
    ).all():
        found = json.loads(payload)
        if found.get("election") == root.id:
            return bool(found.get("past"))
    return False


def find_election(session: Session, community: str | None, election_id: int | None) -> Election:
    """The election ``election_id`` of the community, or its newest one when None.

    Raises ``NotFoundError`` when there is none.
    """
    comm = find_community(session, community)
    stmt = select(Election).where(Election.community_id == comm.id)
    if election_id is not None:
        stmt = stmt.where(Election.id == election_id)
    found = session.exec(stmt.order_by(col(Election.id).desc())).first()
    if found is None:
        if election_id is not None:
            raise NotFoundError(_("No election {id} in this community.").format(id=election_id))
        raise NotFoundError(
            _("No election yet. Start one with: juwei election new --day YYYY-MM-DD")
        )
    return found


def require_state(election: Election, *allowed: str, action: str) -> None:
    """Raise ``StateError`` unless ``election.state`` is one of ``allowed``."""
    if election.state not in allowed:
        raise StateError(
            _("Cannot {action} for election {id}, because it is {state}; next: {next}.").format(
                action=action,
                id=election.id,
                state=state_label(election.state),
                next=next_step(election.state),
            )
        )


def list_elections(db: Database, *, community: str | None = None) -> list[ElectionInfo]:
    """Every election and round of the community, oldest first."""
    with db.read() as session:
        comm = find_community(session, community)
        rows = session.exec(
            select(Election).where(Election.community_id == comm.id).order_by(col(Election.id))
        ).all()
        return [_info(session, e, comm) for e in rows]


def show_election(
    db: Database, election_id: int | None = None, *, community: str | None = None
) -> ElectionInfo:
    """One election (the newest when ``election_id`` is None)."""
    with db.read() as session:
        return _info(session, find_election(session, community, election_id))


def require_on_time(
    charter: Charter, step: "StepKey", on: date, day: date, late_reason: str | None
) -> "StepCheck":
    """Check a dated step against the charter's timetable (``timetable.*``) and return the
    check. A late step is refused (``StateError``) when the charter refuses late steps, or
    when it allows them with a reason and ``late_reason`` is empty."""
    from juwei.rules.timetable import check_step

    timing = check_step(charter, step, on, day)
    if not timing.on_time and (timing.refused or not (late_reason or "").strip()):
        hint = "" if timing.refused else " " + _("Give the reason with --late REASON.")
        raise StateError(f"{timing.reason} ({timing.rule}; {timing.source}).{hint}")
    return timing


def publish_voter_list(
    db: Database,
    *,
    on: date,
    late_reason: str | None = None,
    community: str | None = None,
    operator: str,
) -> str:
    """Record that the voter list (选民榜) was published on ``on`` for the open election.

    Checks the charter's timetable (``timetable.voter_list``: at least 20 days before the
    election day under the seed charters); a late publication is refused, or recorded with
    ``late_reason`` where the charter allows it (``timetable.late_steps``). Returns the
    timetable check in words. Raises ``NotFoundError`` without an open election and
    ``StateError`` for a refused late step.
    """
    from juwei.rules.timetable import StepKey

    with db.write() as session:
        comm = find_community(session, community)
        election = session.exec(
            select(Election)
            .where(
                Election.community_id == comm.id,
                col(Election.parent_id).is_(None),
                col(Election.state).not_in(("certified", "void")),
            )
            .order_by(col(Election.id).desc())
        ).first()
        if election is None:
            raise NotFoundError(_("No open election: the voter list is published for an election."))
        charter = community_charter(session, comm)
        timing = require_on_time(charter, StepKey.VOTER_LIST, on, election.day, late_reason)
        append_event(
            session,
            "roll.publish",
            {
                "election": election.id,
                "on": on.isoformat(),
                "late": None
                if timing.on_time
                else {"days": timing.days_late, "reason": late_reason},
            },
            operator=operator,
            community_id=comm.id,
        )
        return f"{timing.reason} ({timing.rule}; {timing.source})"
