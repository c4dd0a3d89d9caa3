"""``juwei vacancies`` and ``juwei status``: the committee now (缺额, 任期)."""

from typing import Any

import typer
from rich.table import Table

from juwei.commands._common import JSON_OPTION, console, print_json, state
from juwei.commands.election import ON_OPTION, day_or_today, opened
from juwei.elections.members import cause_label
from juwei.elections.vacancies import VacancyInfo, list_vacancies
from juwei.i18n import _


def _deadline_words(v: VacancyInfo) -> str:
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
            f"{v.decision.rule} ({v.decision.source})",
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
        console.print(f"{v.office} {v.name}: {v.decision.reason}")
    if any(v.decision.required for v in rows):
        console.print(
            _("Next: juwei election new --kind by-election --day YYYY-MM-DD [--office KEY]")
        )
