"""Evaluations (考评) of committee members, recorded and decided under ``[evaluation]``.

An evaluation is either residents' satisfaction ballots (满意 / 基本满意 / 不满意 counts) or
the residents' representatives' verdicts (dissatisfied of all representatives). It is decided
by ``juwei.rules.evaluation`` (SEED 钱牌 第二十一条: satisfaction below 60%, or two thirds or
more of the representatives dissatisfied) and, when the decision triggers, the recall
procedure for the member starts at once: a recall petition of origin ``evaluation`` is opened
in the same transaction (``juwei.elections.recall.open_petition``), sufficient on filing, with
the charter's vote deadline. If that petition cannot be opened (another recall of the member
is under way, or a failed recall bars it), the evaluation is still recorded with the reason.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from juwei.elections.audit import append_event
from juwei.elections.community import community_charter, find_community
from juwei.elections.db import Database
from juwei.elections.members import find_member, member_name, require_serving
from juwei.elections.models import Community, Evaluation, Member, RecallPetition
from juwei.errors import InputError, StateError
from juwei.i18n import _
from juwei.rules.evaluation import (
    EvaluationDecision,
    RepresentativesVerdicts,
    ResidentsBallots,
    decide_representatives,
    decide_residents,
)


@dataclass(frozen=True)
class EvaluationResult:
    """A recorded evaluation: its id, the member, the decision, and the recall it started
    (``petition_id`` and its ``vote_deadline``) or why none was started (``note``)."""

    id: int
    member_id: int
    member: str
    office: str
    kind: str
    held_on: date
    decision: EvaluationDecision
    petition_id: int | None
    vote_deadline: date | None
    note: str


def evaluate_member(
    db: Database,
    member: str,
    *,
    on: date,
    residents: ResidentsBallots | None = None,
    representatives: RepresentativesVerdicts | None = None,
    community: str | None = None,
    operator: str,
) -> EvaluationResult:
    """Record an evaluation of ``member`` (id or unique name) held on ``on``, decide it and,
    when it triggers, start the recall procedure; one transaction, one ``member.evaluate``
    event (plus the petition's own event).

    Exactly one of ``residents`` (satisfaction ballots) and ``representatives`` (verdicts)
    is given. Raises ``InputError`` for both or neither, negative counts, no responses, more
    dissatisfied than representatives; ``StateError`` when the charter has no such
    ``[evaluation]`` rule or the member is not serving on ``on``; ``NotFoundError`` for an
    unknown member.
    """
    if (residents is None) == (representatives is None):
        raise InputError(
            _(
                "give either the residents' ballots (--satisfied, --basically, --dissatisfied) "
                "or the representatives' verdicts (--representatives-dissatisfied, "
                "--representatives), not both"
            ),
            column="--satisfied",
        )
    with db.write() as session:
        comm = find_community(session, community)
        charter = community_charter(session, comm)
        target = find_member(session, comm, member)
        rule = charter.evaluation
        if rule is None or (
            representatives is not None and rule.representatives_dissatisfied is None
        ):
            key = "evaluation" if rule is None else "evaluation.representatives_dissatisfied"
            raise StateError(
                _(
                    "The charter {name} has no [{key}] rule: such an evaluation decides nothing "
                    "under it."
                ).format(name=charter.name, key=key)
            )
        require_serving(session, target, on=on)
        if residents is not None:
            from sqlalchemy import func

            from juwei.elections.models import Voter

            listed = int(
                session.exec(
                    select(func.count())
                    .select_from(Voter)
                    .where(Voter.community_id == comm.id, col(Voter.listed).is_(True))
                ).one()
            )
            if residents.responses > listed:
                raise InputError(
                    _(
                        "{n} satisfaction ballots, but only {listed} voters are on the roll: "
                        "check the counts"
                    ).format(n=residents.responses, listed=listed),
                    column="--satisfied",
                )
        try:
            if residents is not None:
                decision = decide_residents(charter, residents)
                kind, dissatisfied = "residents", residents.dissatisfied
            else:
                assert representatives is not None
                decision = decide_representatives(charter, representatives)
                kind, dissatisfied = "representatives", representatives.dissatisfied
        except (TypeError, ValueError) as error:
            raise InputError(_("impossible evaluation: {reason}").format(reason=error)) from None
        assert target.id is not None and comm.id is not None
        row = Evaluation(
            community_id=comm.id,
            member_id=target.id,
            kind=kind,
            held_on=on,
            satisfied=None if residents is None else residents.satisfied,
            basically=None if residents is None else residents.basically,
            dissatisfied=dissatisfied,
            representatives=None if representatives is None else representatives.representatives,
            triggered=decision.triggered,
            rule=decision.rule,
            reason=decision.reason,
            created_at=datetime.now(UTC),
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        petition_id: int | None = None
        deadline: date | None = None
        note = ""
        if decision.triggered:
            petition_id, deadline, note = _start_recall(
                session, comm, target, row.id, decision, on, operator
            )
            row.petition_id = petition_id
            session.add(row)
        append_event(
            session,
            "member.evaluate",
            {
                "evaluation": row.id,
                "member": target.id,
                "name": member_name(session, target),
                "kind": kind,
                "on": on.isoformat(),
                "counts": {
                    "satisfied": row.satisfied,
                    "basically": row.basically,
                    "dissatisfied": row.dissatisfied,
                    "representatives": row.representatives,
                },
                "triggered": decision.triggered,
                "rule": decision.rule,
                "source": decision.source,
                "petition": petition_id,
                "note": note,
            },
            operator=operator,
            community_id=comm.id,
        )
        return EvaluationResult(
            id=row.id,
            member_id=target.id,
            member=member_name(session, target),
            office=target.office_title,
            kind=kind,
            held_on=on,
            decision=decision,
            petition_id=petition_id,
            vote_deadline=deadline,
            note=note,
        )


def _start_recall(
    session: Session,
    comm: Community,
    target: Member,
    evaluation_id: int,
    decision: EvaluationDecision,
    on: date,
    operator: str,
) -> tuple[int | None, date | None, str]:
    """Open the evaluation's recall petition; (petition id, vote deadline, note)."""
    from juwei.elections.recall import OPEN_STATES, open_petition

    already = session.exec(
        select(RecallPetition).where(
            RecallPetition.member_id == target.id,
            col(RecallPetition.state).in_(OPEN_STATES),
        )
    ).first()
    if already is not None:
        return (
            None,
            None,
            _("a recall of this member is already under way (petition {id})").format(id=already.id),
        )
    reasons = _("Evaluation {id} (考评): {reason} ({rule}; {source})").format(
        id=evaluation_id, reason=decision.reason, rule=decision.rule, source=decision.source
    )
    try:
        petition = open_petition(
            session,
            comm,
            target,
            reasons=reasons,
            on=on,
            operator=operator,
            origin="evaluation",
            evaluation_ref=f"evaluation {evaluation_id}",
        )
    except StateError as error:  # a failed recall bars it: nothing was written by open_petition
        return None, None, _("the recall could not be started: {reason}").format(reason=error)
    assert petition.id is not None
    return petition.id, petition.vote_deadline, ""
