"""``juwei vacancies`` and ``juwei status``: the committee now (缺额, 任期)."""

from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from juwei.commands._common import JSON_OPTION, console, print_json, state, styled
from juwei.commands.election import ON_OPTION, day_or_today, opened
from juwei.commands.roll import parse_day
from juwei.elections.members import cause_label
from juwei.elections.vacancies import VacancyInfo, list_vacancies
from juwei.i18n import _

if TYPE_CHECKING:
    from datetime import date

    from juwei.elections.db import Database
    from juwei.elections.status import CommitteeStatus


def _deadline_words(v: VacancyInfo) -> str:
    if v.by_election_id is not None:
        return _("by-election {id} under way").format(id=v.by_election_id)
    if not v.decision.required:
        return _("not required")
    if v.decision.deadline is None:
        return _("promptly")
    return v.decision.deadline.isoformat()


def _vacancy_json(v: VacancyInfo) -> dict[str, Any]:
    return {
        "member": v.member_id,
        "office": v.office_key,
        "office_title": v.office,
        "former_member": v.name,
        "cause": v.cause,
        "since": v.since,
        "term_end": v.term_end,
        "by_election_required": v.decision.required,
        "deadline": v.decision.deadline,
        "reason": v.decision.reason,
        "rule": v.decision.rule,
        "source": v.decision.source,
        "by_election": v.by_election_id,
    }


def vacancies_table(rows: list[VacancyInfo]) -> Table:
    """The vacancies as a rich table (also used by ``juwei status``)."""
    table = Table(title=_("Vacancies (缺额)"))
    table.add_column(_("Office"))
    table.add_column(_("Former member"))
    table.add_column(_("Cause"))
    table.add_column(_("Vacant since"))
    table.add_column(_("By-election"))
    table.add_column(_("Deadline"))
    table.add_column(_("Rule"))
    for v in rows:
        table.add_row(
            v.office,
            v.name,
            cause_label(v.cause),
            v.since.isoformat(),
            _("required") if v.decision.required else _("not required"),
            _deadline_words(v),
            v.decision.rule,
        )
    return table


def vacancies(ctx: typer.Context, on: str = ON_OPTION, as_json: bool = JSON_OPTION) -> None:
    """List the committee's vacancies: office, former member, cause, since, by-election."""
    st = state(ctx)
    day = day_or_today(on)
    with opened(ctx) as db:
        rows = list_vacancies(db, on=day, community=st.community)
    if as_json:
        print_json([_vacancy_json(v) for v in rows])
        return
    if not rows:
        console.print(
            _("No vacancy on {day}: every seat of the committee is filled.").format(
                day=day.isoformat()
            )
        )
        return
    console.print(vacancies_table(rows))
    for v in rows:
        line = f"{v.office} {v.name}: {v.decision.reason} ({v.decision.rule}; {v.decision.source})"
        if v.by_election_id is not None:
            line += " — " + _deadline_words(v)
        console.print(line)
    if any(v.decision.required and v.by_election_id is None for v in rows):
        console.print(
            _("Next: juwei election new --kind by-election --day YYYY-MM-DD [--office KEY]")
        )


COUNT_MAX = 10_000_000  # ballots or representatives of one community: no count is larger


def _serving_representatives(db: "Database", community: str | None, day: "date") -> int:
    from juwei.elections.community import find_community
    from juwei.elections.representatives import serving_count
    from juwei.errors import InputError

    with db.read() as session:
        n = serving_count(session, find_community(session, community), on=day)
    if n == 0:
        raise InputError(
            _(
                "no residents' representatives are recorded as serving on {day}: give "
                "--representatives N (all the representatives)"
            ).format(day=day.isoformat()),
            column="--representatives",
        )
    return n


def _from_sitting(
    ctx: typer.Context,
    sitting_id: int,
    reps_dissatisfied: int | None,
    representatives: int | None,
    on: str | None,
) -> tuple[int, str]:
    """``(base, day)`` for an evaluation by the representatives at sitting ``sitting_id``: the
    representatives serving at the sitting, and its day unless ``--on`` is given. Raises
    ``InputError`` with ``--representatives``, without ``--representatives-dissatisfied``, or
    with more dissatisfied than were present; ``StateError`` for a sitting without quorum."""
    from juwei.elections.assembly import find_sitting
    from juwei.errors import InputError, StateError

    if representatives is not None:
        raise InputError(
            _("--sitting gives the representatives in all: leave out --representatives"),
            column="--sitting",
        )
    if reps_dissatisfied is None:
        raise InputError(
            _("give --representatives-dissatisfied with --sitting"),
            column="--representatives-dissatisfied",
        )
    with opened(ctx) as db:
        info = find_sitting(db, sitting_id, community=state(ctx).community)
    if not info.decision.quorate:
        raise StateError(_("Sitting {id} had no quorum: it gave no verdict.").format(id=sitting_id))
    if reps_dissatisfied > info.present:
        raise InputError(
            _("{n} dissatisfied, but only {present} were present at sitting {id}").format(
                n=reps_dissatisfied, present=info.present, id=sitting_id
            ),
            column="--representatives-dissatisfied",
        )
    if on is not None:
        day = parse_day(on, "--on")
        if day is not None and day < info.day:
            raise InputError(
                _(
                    "{on} is before sitting {id} was held on {day}: an evaluation cannot "
                    "precede the sitting that gave its verdicts"
                ).format(on=day.isoformat(), id=sitting_id, day=info.day.isoformat()),
                column="--on",
            )
    return info.serving, on or info.day.isoformat()


def evaluate(
    ctx: typer.Context,
    member: str = typer.Argument(..., help="Member id or name."),
    satisfied: int = typer.Option(
        None, "--satisfied", min=0, max=COUNT_MAX, help="Residents' ballots 满意."
    ),
    basically: int = typer.Option(
        None, "--basically", min=0, max=COUNT_MAX, help="Residents' ballots 基本满意."
    ),
    dissatisfied: int = typer.Option(
        None, "--dissatisfied", min=0, max=COUNT_MAX, help="Residents' ballots 不满意."
    ),
    reps_dissatisfied: int = typer.Option(
        None,
        "--representatives-dissatisfied",
        min=0,
        max=COUNT_MAX,
        help="Representatives dissatisfied (居民代表不满意).",
    ),
    representatives: int = typer.Option(
        None,
        "--representatives",
        min=0,
        max=COUNT_MAX,
        help="Residents' representatives in all (default: those recorded as serving).",
    ),
    on: str = ON_OPTION,
    as_json: bool = JSON_OPTION,
    sitting: int = typer.Option(
        None,
        "--sitting",
        help="The assembly sitting (juwei assembly list) that gave the representatives' "
        "verdicts: its serving representatives are the base, its day the default --on.",
    ),
) -> None:
    """Record an evaluation (考评) of a member; below the charter's limit the recall starts."""
    from juwei.elections.evaluation import evaluate_member
    from juwei.errors import InputError
    from juwei.rules.evaluation import RepresentativesVerdicts, ResidentsBallots

    st = state(ctx)
    if sitting is not None:  # the verdicts of a sitting of the representatives' assembly
        representatives, on = _from_sitting(ctx, sitting, reps_dissatisfied, representatives, on)
    day = day_or_today(on)
    residents_given = [v for v in (satisfied, basically, dissatisfied) if v is not None]
    reps_given = [v for v in (reps_dissatisfied, representatives) if v is not None]
    if residents_given and reps_given:
        raise InputError(
            _("give the residents' ballots or the representatives' verdicts, not both"),
            column="--representatives",
        )
    residents = None
    verdicts = None
    if residents_given:
        residents = ResidentsBallots(satisfied or 0, basically or 0, dissatisfied or 0)
    with opened(ctx) as db:
        if reps_given:
            if reps_dissatisfied is None:
                raise InputError(
                    _("give --representatives-dissatisfied with --representatives"),
                    column="--representatives-dissatisfied",
                )
            if representatives is None:  # the representatives recorded as serving that day
                representatives = _serving_representatives(db, st.community, day)
            verdicts = RepresentativesVerdicts(reps_dissatisfied, representatives)
        result = evaluate_member(
            db,
            member,
            on=day,
            residents=residents,
            representatives=verdicts,
            community=st.community,
            operator=st.who(),
        )
    if as_json:
        print_json(
            {
                "evaluation": result.id,
                "member": result.member_id,
                "name": result.member,
                "office": result.office,
                "kind": result.kind,
                "on": result.held_on,
                "triggered": result.decision.triggered,
                "count": result.decision.count,
                "base": result.decision.base,
                "reason": result.decision.reason,
                "rule": result.decision.rule,
                "source": result.decision.source,
                "petition": result.petition_id,
                "vote_deadline": result.vote_deadline,
                "note": result.note,
            }
        )
        return
    console.print(
        _("Evaluation {id} of {name} ({office}) recorded.").format(
            id=result.id, name=result.member, office=result.office
        )
    )
    console.print(f"{result.decision.reason} ({result.decision.rule}; {result.decision.source})")
    if result.petition_id is not None:
        console.print(
            _("Recall procedure started: petition {id}; the vote must be held by {day}.").format(
                id=result.petition_id,
                day=result.vote_deadline.isoformat() if result.vote_deadline else "—",
            )
        )
    elif result.note:
        console.print(result.note)


def _status_json(s: "CommitteeStatus") -> dict[str, Any]:
    return {
        "community": s.community,
        "charter": s.charter,
        "on": s.on,
        "term": None
        if s.term is None
        else {"start": s.term.start, "end": s.term.end, "general_election": s.term.election_id},
        "term_years": s.term_years,
        "reelection": s.reelection,
        "next_general_election_due": None if s.term is None else s.term.end,
        "days_to_general_election": s.days_to_general,
        "seats": s.seats,
        "members": [
            {
                "id": m.id,
                "name": m.name,
                "office": m.office_key,
                "office_title": m.office,
                "term_start": m.term_start,
                "term_end": m.term_end,
                "by_elected": m.by_elected,
            }
            for m in s.members
        ],
        "vacancies": [_vacancy_json(v) for v in s.vacancies],
        "petitions": [
            {
                "petition": p.petition_id,
                "member": p.member,
                "office": p.office,
                "state": p.state,
                "vote_deadline": p.vote_deadline,
                "days_left": p.days_left,
            }
            for p in s.petitions
        ],
        "representatives": s.representatives,
        "open_elections": [
            {"id": e.id, "kind": e.kind, "title": e.title, "day": e.day, "state": e.state}
            for e in s.open_elections
        ],
    }


def _days_words(days: int) -> str:
    if days > 0:
        return _("in {n} days").format(n=days)
    if days == 0:
        return _("today")
    return _("overdue by {n} days").format(n=-days)


def status(ctx: typer.Context, on: str = ON_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The committee now: members, term, next general election, vacancies, recalls."""
    from juwei.elections.election import state_label
    from juwei.elections.status import committee_status

    st = state(ctx)
    day = day_or_today(on)
    with opened(ctx) as db:
        s = committee_status(db, on=day, community=st.community)
    if as_json:
        print_json(_status_json(s))
        return
    console.print(
        styled(
            (s.community, "bold"),
            " " + _("on {day}, charter {charter}").format(day=day.isoformat(), charter=s.charter),
        )
    )
    if s.term is None:
        console.print(_("No committee has been elected yet."))
    else:
        console.print(
            _(
                "Term {start} to {end} ({years} years; {reelection}; {source}). The next "
                "general election (换届) is due on {end}: {when}."
            ).format(
                start=s.term.start.isoformat(),
                end=s.term.end.isoformat(),
                years=s.term_years,
                reelection=_("re-election allowed") if s.reelection else _("no re-election"),
                source=s.term_source,
                when=_days_words(s.days_to_general or 0),
            )
        )
        table = Table(
            title=_("Members: {n} serving of {seats} seats").format(n=len(s.members), seats=s.seats)
        )
        table.add_column("#", justify="right")
        table.add_column(_("Office"))
        table.add_column(_("Name"))
        table.add_column(_("Term start"))
        table.add_column(_("Term end"))
        table.add_column(_("Note"))
        for m in s.members:
            table.add_row(
                str(m.id),
                m.office,
                m.name,
                m.term_start.isoformat(),
                m.term_end.isoformat(),
                _("by-elected (补选)") if m.by_elected else "",
            )
        console.print(table)
    if s.vacancies:
        console.print(vacancies_table(list(s.vacancies)))
    else:
        console.print(_("No vacancy."))
    if s.petitions:
        table = Table(title=_("Recall petitions (罢免)"))
        table.add_column(_("Petition"), justify="right")
        table.add_column(_("Member"))
        table.add_column(_("State"))
        table.add_column(_("Vote by"))
        table.add_column(_("Days left"), justify="right")
        for p in s.petitions:
            table.add_row(
                str(p.petition_id),
                f"{p.office} {p.member}",
                p.state,
                p.vote_deadline.isoformat() if p.vote_deadline else "—",
                "—" if p.days_left is None else _days_words(p.days_left),
            )
        console.print(table)
    else:
        console.print(_("No recall petition open."))
    for e in s.open_elections:
        console.print(
            _("Open election {id}: {title} on {day}, {state}.").format(
                id=e.id, title=e.title, day=e.day.isoformat(), state=state_label(e.state)
            )
        )
    console.print(_("Residents' representatives: {n} serving.").format(n=s.representatives))
