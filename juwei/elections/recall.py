"""Recall (罢免) of a committee member: petition, signatures, sufficiency, defence, the vote.

The path (charter ``[recall]``; S4 art 16, P6 art 9, V1 art 35, SEED 钱牌 第四条):

1. ``file_petition``: residents file a petition (罢免要求) with written reasons against a serving
   member, with a file of signers (联名, by ID number). Each signer is checked against the roll
   as of the filing date (listed in this community, eligible on that day, not signing twice);
   a file with any bad row is refused whole with every reason, unless ``skip_invalid``.
   An evaluation (考评) may start the procedure instead (``origin="evaluation"``): such a
   petition needs no signatures and is sufficient when filed.
2. ``add_signatures`` / ``withdraw_signature`` until the petition is decided; a withdrawal is
   kept (who, when) and no longer counts.
3. ``decide_petition``: sufficiency under ``[recall.initiation].any_of``
   (``juwei.rules.recall.decide_sufficiency``). A sufficient petition fixes the vote deadline
   (``[recall.vote].within_days`` from the filing).
4. ``record_defence``: the member's defence (申辩意见), printed on the recall ballot.
5. ``open_recall_vote``: an election of kind ``recall`` with one office (the member's) and one
   candidate (the member), ready for ``juwei ballots print``; then the same poll and count as
   a general election. ``count.count_election`` hands a recall to ``count_recall_vote`` and
   ``count.certify`` to ``certify_recall``: a passed recall ends the membership on the vote
   day (``members.end_membership``, cause ``recalled``); a failed one bars a petition on the
   same grounds (``[recall.bar]``).

A ballot of a recall vote: a "for" mark is 赞成罢免 (recall), "against" 不赞成罢免 (do not
recall), no mark 弃权 (abstain).

Bases (JUWEI conventions, since the sources say "registered voters" and "households"):
registered voters = voters listed in the community and eligible on the filing date;
households = households with at least one such voter. A signer counts while listed and
eligible; a household joins when one of its registered voters signs (for the household,
户代表); a representative (居民代表) serving on the filing date who signs counts towards the
representatives' alternative (base: the representatives serving that day; not recorded when
none are). Residents' groups decide in their meetings, not by signing: that alternative is
shown as not recorded.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from juwei.elections.audit import append_event, canonical_json
from juwei.elections.bulk import bulk_insert
from juwei.elections.community import community_charter, find_community
from juwei.elections.db import Database
from juwei.elections.election import state_label
from juwei.elections.members import (
    EndCause,
    end_membership,
    find_member,
    member_name,
    require_serving,
)
from juwei.elections.models import (
    Candidate,
    Community,
    CountResult,
    Election,
    Mark,
    Member,
    Office,
    PetitionSignature,
    RecallDefence,
    RecallPetition,
    SectionRecord,
    Voter,
)
from juwei.elections.readmodels import PetitionForm, RecallResult, RecallThreshold
from juwei.elections.tabular import id_column, read_table
from juwei.errors import InputError, NotFoundError, StateError
from juwei.i18n import _, cited
from juwei.rules.charter import Charter
from juwei.rules.eligibility import Registration, check_eligibility
from juwei.rules.identity import IdNumber, IdNumberError, mask_id, parse_id_number
from juwei.rules.recall import (
    bar_last_day,
    check_bar,
    decide_recall_vote,
    decide_sufficiency,
    distinct_signers,
    vote_deadline,
)

if TYPE_CHECKING:
    from juwei.elections.count import CountSummary

OPEN_STATES = ("filed", "sufficient")
DEFENCE_MAX_CHARS = 400
"""A defence longer than this does not fit on the recall ballot with the marking rules."""


def petition_state_label(state: str) -> str:
    """A petition state in words."""
    labels = {
        "filed": _("filed, collecting signatures"),
        "sufficient": _("sufficient: a vote must be held"),
        "insufficient": _("insufficient"),
        "ended": _("ended"),
        "voted_passed": _("recall passed"),
        "voted_failed": _("recall failed"),
    }
    return labels.get(state, state)


# ----------------------------------------------------------------------------- read models


@dataclass(frozen=True)
class SignatureLine:
    """A signature as shown: signer's name, masked ID number, signed / withdrawn days."""

    name: str
    masked_id: str
    signed_on: date
    withdrawn_on: date | None


@dataclass(frozen=True)
class PetitionView:
    """A recall petition as listed and shown (no full ID number anywhere)."""

    id: int
    member_id: int
    member: str
    office: str
    reasons: str
    filed_on: date
    origin: str
    evaluation_ref: str | None
    state: str
    state_words: str
    signatures: int  # counted now (not withdrawn)
    withdrawn: int
    decided_on: date | None
    decision: dict[str, Any] | None
    vote_deadline: date | None
    vote_election_id: int | None
    vote_state: str | None
    late_reason: str | None
    defence: str | None
    ended_on: date | None
    end_note: str | None
    signature_lines: tuple[SignatureLine, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO text)."""
        data = asdict(self)
        for key, value in list(data.items()):
            if isinstance(value, date):
                data[key] = value.isoformat()
        data["signature_lines"] = [
            {
                "name": s.name,
                "id": s.masked_id,
                "signed_on": s.signed_on.isoformat(),
                "withdrawn_on": None if s.withdrawn_on is None else s.withdrawn_on.isoformat(),
            }
            for s in self.signature_lines
        ]
        return data


@dataclass(frozen=True)
class PetitionDeadline:
    """An open petition for ``juwei status``: member, state, vote deadline, days left
    (negative when the deadline has passed; None before the petition is decided)."""

    petition_id: int
    member_id: int
    member: str
    office: str
    state: str
    state_words: str
    filed_on: date
    vote_deadline: date | None
    days_left: int | None
    vote_election_id: int | None


@dataclass(frozen=True)
class Rejected:
    """A signature refused: file, row, masked reason."""

    file: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class SignatureImport:
    """The result of filing or signing: the petition, signatures added and refused."""

    petition_id: int
    added: int
    counted: int
    rejected: tuple[Rejected, ...]


# ----------------------------------------------------------------------------- helpers


def find_petition(session: Session, community: Community, petition_id: int) -> RecallPetition:
    """The petition ``petition_id`` of ``community``; ``NotFoundError`` otherwise."""
    petition = session.get(RecallPetition, petition_id)
    if petition is None or petition.community_id != community.id:
        raise NotFoundError(_("No recall petition {id} in this community.").format(id=petition_id))
    return petition


def _require_open(petition: RecallPetition, action: str) -> None:
    if petition.state != "filed":
        raise StateError(
            _("Cannot {action} on petition {id}: it is {state}.").format(
                action=action, id=petition.id, state=petition_state_label(petition.state)
            )
        )


def _eligible(charter: Charter, voter: Voter, on: date) -> tuple[bool, str]:
    verdict = check_eligibility(
        charter,
        birth_date=voter.birth_date,
        on=on,
        deprived=False,
        registration=Registration(voter.registration),
        residence_since=voter.residence_since,
        consent=voter.consent,
    )
    if verdict.eligible:
        return True, ""
    return False, "; ".join(f.reason for f in verdict.failures)


@dataclass(frozen=True)
class SignerList:
    """Signers' ID numbers with where each came from: ``label`` (a file name, or "entered"),
    ``column`` (the header), ``rows``: (row number, ID number as written)."""

    label: str
    column: str
    rows: tuple[tuple[int, str], ...]


def read_signers(path: Path) -> SignerList:
    """The signers of a CSV/XLSX file, by its ID-number column (公民身份号码 / 身份证号 /
    id_number). ``InputError`` for an unreadable file, one without that column, or one with
    the header row only (no signer: nothing to record, issue 11)."""
    table = read_table(path)
    column = id_column(table)
    if not table.data:
        raise InputError(_("the file holds the header row but no signer"), file=table.label)
    return SignerList(
        table.label,
        table.headers[column],
        tuple(
            (row, str(cells[column] if column < len(cells) and cells[column] else ""))
            for row, cells in table.data
        ),
    )


def entered_signers(numbers: Sequence[str]) -> SignerList:
    """Signers typed in one by one (``--enter``): numbered from 1 in the order entered."""
    return SignerList(
        _("entered"), _("ID number"), tuple((n, x) for n, x in enumerate(numbers, start=1))
    )


def _check_signers(
    session: Session,
    community: Community,
    charter: Charter,
    signers: "Path | SignerList",
    *,
    on: date,
    already: dict[int, PetitionSignature],
) -> tuple[list[int], list[InputError], str]:
    """Check signers: the voter ids accepted, every error, the list's label."""
    if not isinstance(signers, SignerList):
        signers = read_signers(signers)
    label, header = signers.label, signers.column
    errors: list[InputError] = []
    accepted: list[int] = []
    seen: dict[int, int] = {}
    verdicts: dict[tuple[Any, ...], tuple[bool, str]] = {}
    parsed_rows: list[tuple[int, IdNumber | IdNumberError]] = []
    for row, raw in signers.rows:
        try:
            parsed_rows.append((row, parse_id_number(str(raw or ""))))
        except IdNumberError as error:
            parsed_rows.append((row, error))
    numbers = sorted({p.number for _r, p in parsed_rows if isinstance(p, IdNumber)})
    roll: dict[str, Voter] = {}
    for start in range(0, len(numbers), 900):  # one query per 900 signers, not one per row
        for found in session.exec(
            select(Voter).where(
                Voter.community_id == community.id,
                col(Voter.id_number).in_(numbers[start : start + 900]),
            )
        ).all():
            roll[found.id_number] = found
    for row, parsed in parsed_rows:

        def fail(reason: str, row: int = row) -> None:
            errors.append(InputError(reason, file=label, row=row, column=header))

        if isinstance(parsed, IdNumberError):
            fail(parsed.reason)
            continue
        voter = roll.get(parsed.number)
        if voter is None or not voter.listed:
            fail(_("{masked} is not on this community's roll").format(masked=parsed.masked))
            continue
        assert voter.id is not None
        memo = (voter.birth_date, voter.registration, voter.residence_since, voter.consent)
        verdict = verdicts.get(memo)
        if verdict is None:
            verdict = verdicts[memo] = _eligible(charter, voter, on)
        if not verdict[0]:
            fail(
                _("{masked} may not sign: {reason}").format(masked=parsed.masked, reason=verdict[1])
            )
            continue
        earlier = already.get(voter.id)
        if earlier is not None:
            if earlier.withdrawn_on is None:
                fail(
                    _("{masked} already signed this petition on {day}").format(
                        masked=parsed.masked, day=earlier.signed_on.isoformat()
                    )
                )
            else:
                fail(
                    _("{masked} withdrew from this petition on {day}").format(
                        masked=parsed.masked, day=earlier.withdrawn_on.isoformat()
                    )
                )
            continue
        if voter.id in seen:
            fail(
                _("{masked} signs twice (also at row {row})").format(
                    masked=parsed.masked, row=seen[voter.id]
                )
            )
            continue
        seen[voter.id] = row
        accepted.append(voter.id)
    return accepted, errors, label


def _add(
    session: Session,
    petition: RecallPetition,
    voter_ids: Sequence[int],
    on: date,
) -> None:
    assert petition.id is not None
    bulk_insert(
        session,
        PetitionSignature.__table__,  # type: ignore[attr-defined]
        [
            {"petition_id": petition.id, "voter_id": vid, "signed_on": on, "withdrawn_on": None}
            for vid in voter_ids
        ],
    )


def _signers_digest(voter_ids: Sequence[int]) -> str:
    """SHA-256 of the sorted voter ids added (the log pins who signed, naming no one)."""
    import hashlib

    return hashlib.sha256(canonical_json(sorted(voter_ids)).encode("utf-8")).hexdigest()


def _counted(session: Session, petition_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(PetitionSignature)
            .where(
                PetitionSignature.petition_id == petition_id,
                col(PetitionSignature.withdrawn_on).is_(None),
            )
        ).one()
    )


def _refuse(label: str, errors: list[InputError]) -> None:
    from juwei.elections.roll import RollRejected

    raise RollRejected(label, errors, skip_hint=True)


def _rejected(errors: list[InputError]) -> tuple[Rejected, ...]:
    return tuple(Rejected(e.file or "", e.row, e.reason) for e in errors)


def _failed_vote_days(session: Session, member_id: int) -> list[date]:
    days = []
    for petition in session.exec(
        select(RecallPetition).where(
            RecallPetition.member_id == member_id, RecallPetition.state == "voted_failed"
        )
    ).all():
        if petition.vote_election_id is not None:
            election = session.get(Election, petition.vote_election_id)
            if election is not None:
                days.append(election.day)
    return days


# ----------------------------------------------------------------------------- filing


def open_petition(
    session: Session,
    community: Community,
    member: Member,
    *,
    reasons: str,
    on: date,
    operator: str,
    origin: str = "residents",
    evaluation_ref: str | None = None,
    new_grounds: bool = False,
) -> RecallPetition:
    """Create a petition in ``session``'s transaction (no signatures yet) and log it.

    ``origin``: ``residents`` (signatures follow) or ``evaluation`` (an evaluation decision,
    ``evaluation_ref``, starts the recall: the petition is sufficient at once and the vote
    deadline is fixed; SEED 钱牌 第二十一条). Raises ``InputError`` without reasons (charter
    ``recall.initiation.reasons_required``) or for an unknown origin; ``StateError`` when the
    member is not serving on ``on``, another petition against the member is open, or a
    failed recall bars the same grounds (``recall.bar``; ``new_grounds`` lifts it).
    """
    charter = community_charter(session, community)
    if origin not in ("residents", "evaluation"):
        raise InputError(_("unknown origin {origin}").format(origin=origin), column="origin")
    if charter.recall.initiation.reasons_required and not reasons.strip():
        raise InputError(
            _("A recall petition must state its reasons in writing ({source}).").format(
                source=charter.recall.initiation.source
            ),
            column="--reasons",
        )
    require_serving(session, member, on=on)
    assert member.id is not None and community.id is not None
    open_one = session.exec(
        select(RecallPetition).where(
            RecallPetition.member_id == member.id,
            col(RecallPetition.state).in_(OPEN_STATES),
        )
    ).first()
    if open_one is not None:
        raise StateError(
            _("Petition {id} against this member is still open ({state}).").format(
                id=open_one.id, state=petition_state_label(open_one.state)
            )
        )
    bar = check_bar(
        charter,
        failed_vote_days=_failed_vote_days(session, member.id),
        on=on,
        new_grounds=new_grounds,
    )
    if bar.barred:
        raise StateError(bar.reason)
    petition = RecallPetition(
        community_id=community.id,
        member_id=member.id,
        reasons=reasons.strip(),
        filed_on=on,
        origin=origin,
        evaluation_ref=evaluation_ref,
        state="filed",
        created_at=datetime.now(UTC),
    )
    if origin == "evaluation":
        petition.state = "sufficient"
        petition.decided_on = on
        petition.vote_deadline = vote_deadline(charter, on)
        petition.decision = canonical_json(
            {
                "sufficient": True,
                "rule": "evaluation",
                "source": charter.evaluation.source if charter.evaluation else "",
                "reason": _("An evaluation ({ref}) started the recall procedure.").format(
                    ref=evaluation_ref or "—"
                ),
                "alternatives": [],
            }
        )
    session.add(petition)
    session.flush()
    append_event(
        session,
        "recall.petition",
        {
            "petition": petition.id,
            "member": member.id,
            "name": member_name(session, member),
            "filed_on": on.isoformat(),
            "origin": origin,
            "evaluation": evaluation_ref,
            "reasons": petition.reasons,
            "new_grounds": new_grounds,
            "bar_until": None if bar.last_day is None else bar.last_day.isoformat(),
            "vote_deadline": None
            if petition.vote_deadline is None
            else petition.vote_deadline.isoformat(),
        },
        operator=operator,
        community_id=community.id,
    )
    return petition


def file_petition(
    db: Database,
    member: str,
    *,
    reasons: str,
    on: date,
    signatures: "Path | SignerList | None" = None,
    skip_invalid: bool = False,
    origin: str = "residents",
    evaluation_ref: str | None = None,
    new_grounds: bool = False,
    community: str | None = None,
    operator: str,
) -> SignatureImport:
    """File a recall petition against ``member`` (id or unique name), one transaction.

    ``signatures``: CSV/XLSX with an ID-number column (公民身份号码 / 身份证号 / id_number), one
    signer a row, or a ``SignerList`` (``entered_signers``: typed in); required for a
    residents' petition, not allowed for an evaluation one.
    A file with bad rows (not on the roll, not eligible on ``on`` — e.g. under 18 —, signing
    twice, a bad ID number) is refused whole, every row named (``RollRejected``, exit 3),
    unless ``skip_invalid``: then the good rows are filed and the bad ones returned.
    Other errors as ``open_petition``.
    """
    with db.write() as session:
        comm = find_community(session, community)
        charter = community_charter(session, comm)
        target = find_member(session, comm, member)
        if origin == "residents" and signatures is None:
            raise InputError(
                _("A residents' petition needs its signatures: give --signatures FILE."),
                column="--signatures",
            )
        if origin == "evaluation" and signatures is not None:
            raise InputError(
                _("A recall started by an evaluation takes no signatures."),
                column="--signatures",
            )
        petition = open_petition(
            session,
            comm,
            target,
            reasons=reasons,
            on=on,
            operator=operator,
            origin=origin,
            evaluation_ref=evaluation_ref,
            new_grounds=new_grounds,
        )
        assert petition.id is not None
        errors: list[InputError] = []
        accepted: list[int] = []
        label = ""
        if signatures is not None:
            accepted, errors, label = _check_signers(
                session, comm, charter, signatures, on=on, already={}
            )
            if errors and not skip_invalid:
                _refuse(label, errors)
            _add(session, petition, accepted, on)
            append_event(
                session,
                "recall.sign",
                {
                    "petition": petition.id,
                    "file": label,
                    "added": len(accepted),
                    "rejected": len(errors),
                    "signers": _signers_digest(accepted),
                    "on": on.isoformat(),
                },
                operator=operator,
                community_id=comm.id,
            )
        return SignatureImport(
            petition.id, len(accepted), _counted(session, petition.id), _rejected(errors)
        )


def add_signatures(
    db: Database,
    petition_id: int,
    signatures: "Path | SignerList",
    *,
    on: date,
    skip_invalid: bool = False,
    community: str | None = None,
    operator: str,
) -> SignatureImport:
    """Add signatures to a petition that is not yet decided; checks as ``file_petition``
    (eligibility on ``on``; a voter who already signed or withdrew is refused).
    ``StateError`` once decided, or ``on`` before the filing."""
    with db.write() as session:
        comm = find_community(session, community)
        charter = community_charter(session, comm)
        petition = find_petition(session, comm, petition_id)
        _require_open(petition, _("add signatures"))
        if on < petition.filed_on:
            raise StateError(
                _("{on} is before the petition was filed on {filed}.").format(
                    on=on.isoformat(), filed=petition.filed_on.isoformat()
                )
            )
        already = {
            s.voter_id: s
            for s in session.exec(
                select(PetitionSignature).where(PetitionSignature.petition_id == petition_id)
            ).all()
        }
        accepted, errors, label = _check_signers(
            session, comm, charter, signatures, on=on, already=already
        )
        if errors and not skip_invalid:
            _refuse(label, errors)
        _add(session, petition, accepted, on)
        append_event(
            session,
            "recall.sign",
            {
                "petition": petition_id,
                "file": label,
                "added": len(accepted),
                "rejected": len(errors),
                "signers": _signers_digest(accepted),
                "on": on.isoformat(),
            },
            operator=operator,
            community_id=comm.id,
        )
        return SignatureImport(
            petition_id, len(accepted), _counted(session, petition_id), _rejected(errors)
        )


def withdraw_signature(
    db: Database,
    petition_id: int,
    id_number: str,
    *,
    on: date,
    community: str | None = None,
    operator: str,
) -> SignatureLine:
    """Record that the signer with ``id_number`` withdrew the signature on ``on``.

    Allowed until the petition is decided (``StateError`` after). Raises ``InputError`` for a
    bad ID number, ``NotFoundError`` when that person has not signed; ``StateError`` when the
    signature was already withdrawn or ``on`` is before it was given.
    """
    with db.write() as session:
        comm = find_community(session, community)
        petition = find_petition(session, comm, petition_id)
        _require_open(petition, _("withdraw a signature"))
        try:
            number = parse_id_number(id_number).number
        except IdNumberError as error:
            raise InputError(error.reason, column="--id") from None
        found = session.exec(
            select(PetitionSignature, Voter)
            .join(Voter, col(Voter.id) == col(PetitionSignature.voter_id))
            .where(PetitionSignature.petition_id == petition_id, Voter.id_number == number)
        ).first()
        if found is None:
            raise NotFoundError(
                _("{masked} has not signed petition {id}.").format(
                    masked=mask_id(number), id=petition_id
                )
            )
        signature, voter = found
        if signature.withdrawn_on is not None:
            raise StateError(
                _("{masked} already withdrew on {day}.").format(
                    masked=mask_id(number), day=signature.withdrawn_on.isoformat()
                )
            )
        if on < signature.signed_on:
            raise StateError(
                _("{on} is before the signature was given on {day}.").format(
                    on=on.isoformat(), day=signature.signed_on.isoformat()
                )
            )
        signature.withdrawn_on = on
        session.add(signature)
        append_event(
            session,
            "recall.unsign",
            {"petition": petition_id, "signer": mask_id(number), "on": on.isoformat()},
            operator=operator,
            community_id=comm.id,
        )
        return SignatureLine(voter.name, mask_id(number), signature.signed_on, on)


# ----------------------------------------------------------------------------- sufficiency


def _bases_and_counts(
    session: Session, community: Community, charter: Charter, petition: RecallPetition
) -> tuple[dict[str, int | None], dict[str, int | None]]:
    on = petition.filed_on
    eligible: dict[int, int] = {}  # voter id → household id
    verdicts: dict[tuple[Any, ...], bool] = {}
    vt = Voter.__table__  # type: ignore[attr-defined]
    for vid, household, *memo in session.execute(
        sa_select(
            vt.c.id,
            vt.c.household_id,
            vt.c.birth_date,
            vt.c.registration,
            vt.c.residence_since,
            vt.c.consent,
        ).where(vt.c.community_id == community.id, vt.c.listed.is_(True))
    ):
        key = tuple(memo)
        ok = verdicts.get(key)
        if ok is None:
            birth, registration, since, consent = key
            ok = verdicts[key] = check_eligibility(
                charter,
                birth_date=birth,
                on=on,
                deprived=False,
                registration=Registration(registration),
                residence_since=since,
                consent=consent,
            ).eligible
        if ok:
            eligible[vid] = household
    signers = distinct_signers(
        vid
        for vid in session.exec(
            select(PetitionSignature.voter_id).where(
                PetitionSignature.petition_id == petition.id,
                col(PetitionSignature.withdrawn_on).is_(None),
            )
        ).all()
        if vid in eligible
    )
    from juwei.elections.representatives import serving_voter_ids

    assert community.id is not None
    representatives = serving_voter_ids(session, community.id, on=on)
    counts: dict[str, int | None] = {
        "registered_voters": len(signers),
        "households": len({eligible[v] for v in signers}),
        "residents_groups": None,
        "representatives": len(signers & representatives) if representatives else None,
    }
    bases: dict[str, int | None] = {
        "registered_voters": len(eligible),
        "households": len(set(eligible.values())),
        "residents_groups": None,
        "representatives": len(representatives) or None,
    }
    return counts, bases


def decide_petition(
    db: Database,
    petition_id: int,
    *,
    on: date,
    community: str | None = None,
    operator: str,
) -> PetitionView:
    """Decide whether the petition is sufficient (罢免要求成立) and record the decision.

    Sufficient: the vote deadline is fixed (``[recall.vote].within_days`` from the filing).
    Insufficient: the petition is closed. Either way signatures can no longer be added or
    withdrawn. Raises ``StateError`` when already decided or ``on`` is before the filing.
    """
    with db.write() as session:
        comm = find_community(session, community)
        charter = community_charter(session, comm)
        petition = find_petition(session, comm, petition_id)
        _require_open(petition, _("decide"))
        if on < petition.filed_on:
            raise StateError(
                _("{on} is before the petition was filed on {filed}.").format(
                    on=on.isoformat(), filed=petition.filed_on.isoformat()
                )
            )
        counts, bases = _bases_and_counts(session, comm, charter, petition)
        decision = decide_sufficiency(charter, counts, bases)
        document = {
            "sufficient": decision.sufficient,
            "rule": decision.rule,
            "source": decision.source,
            "reason": decision.reason,
            "alternatives": [asdict(a) for a in decision.alternatives],
        }
        petition.state = "sufficient" if decision.sufficient else "insufficient"
        petition.decided_on = on
        petition.decision = canonical_json(document)
        if decision.sufficient:
            petition.vote_deadline = vote_deadline(charter, petition.filed_on)
        session.add(petition)
        append_event(
            session,
            "recall.decide",
            {
                "petition": petition_id,
                "on": on.isoformat(),
                "sufficient": decision.sufficient,
                "rule": decision.rule,
                "counts": counts,
                "bases": bases,
                "vote_deadline": None
                if petition.vote_deadline is None
                else petition.vote_deadline.isoformat(),
            },
            operator=operator,
            community_id=comm.id,
        )
        return _view(session, petition)


# ----------------------------------------------------------------------------- defence


def record_defence(
    db: Database,
    petition_id: int,
    text: str,
    *,
    on: date,
    community: str | None = None,
    operator: str,
) -> PetitionView:
    """Record the member's defence (申辩意见; ``[recall.defence]``), printed on the ballot.

    A later defence replaces the earlier one on the ballot (both are kept). Refused
    (``StateError``) when the charter allows no defence, the petition is closed or its ballots
    are printed; ``InputError`` for an empty text or one longer than ``DEFENCE_MAX_CHARS``.
    """
    body = text.strip()
    if not body:
        raise InputError(_("the defence is empty"), column="--text")
    if len(body) > DEFENCE_MAX_CHARS:
        raise InputError(
            _(
                "the defence has {n} characters; at most {max} fit on the recall ballot: "
                "shorten it or hand out the full text with the ballot"
            ).format(n=len(body), max=DEFENCE_MAX_CHARS),
            column="--text",
        )
    with db.write() as session:
        comm = find_community(session, community)
        charter = community_charter(session, comm)
        if not charter.recall.defence.allowed:
            raise StateError(
                _("This charter provides no defence ({source}).").format(
                    source=charter.recall.defence.source
                )
            )
        petition = find_petition(session, comm, petition_id)
        if on < petition.filed_on:
            raise StateError(
                _("{on} is before the petition was filed on {filed}.").format(
                    on=on.isoformat(), filed=petition.filed_on.isoformat()
                )
            )
        if petition.state not in OPEN_STATES:
            raise StateError(
                _("Petition {id} is {state}: no defence can be recorded.").format(
                    id=petition_id, state=petition_state_label(petition.state)
                )
            )
        if petition.vote_election_id is not None:
            vote = session.get(Election, petition.vote_election_id)
            if vote is not None and vote.state not in ("slate_confirmed", "void"):
                raise StateError(
                    _("The recall ballots are already printed: the defence cannot change.")
                )
        assert petition.id is not None
        session.add(
            RecallDefence(
                petition_id=petition.id, text=body, recorded_on=on, created_at=datetime.now(UTC)
            )
        )
        session.flush()
        append_event(
            session,
            "recall.defence",
            {"petition": petition_id, "on": on.isoformat(), "text": body},
            operator=operator,
            community_id=comm.id,
        )
        return _view(session, petition)


def _defence(session: Session, petition_id: int) -> str | None:
    latest = session.exec(
        select(RecallDefence)
        .where(RecallDefence.petition_id == petition_id)
        .order_by(col(RecallDefence.id).desc())
    ).first()
    return None if latest is None else latest.text


# ----------------------------------------------------------------------------- the vote


def open_recall_vote(
    db: Database,
    petition_id: int,
    *,
    day: date,
    late_reason: str | None = None,
    community: str | None = None,
    operator: str,
) -> PetitionView:
    """Create the recall vote (罢免表决): an election of kind ``recall`` on ``day`` with the
    member's office (one seat) and the member as its only candidate, ready for
    ``juwei ballots print``.

    Refused (``StateError``): before the petition is sufficient; when a vote already exists
    (unless it was void); when the member no longer serves; after the vote deadline
    (``[recall.vote].within_days``) without ``late_reason``; ``day`` before the filing.
    """
    with db.write() as session:
        comm = find_community(session, community)
        charter = community_charter(session, comm)
        petition = find_petition(session, comm, petition_id)
        if petition.state != "sufficient":
            hint = (
                _("decide it first: juwei recall decide {id}").format(id=petition_id)
                if petition.state == "filed"
                else petition_state_label(petition.state)
            )
            raise StateError(
                _(
                    "Cannot open a recall vote on petition {id}: it is not sufficient ({hint})."
                ).format(id=petition_id, hint=hint)
            )
        if petition.vote_election_id is not None:
            earlier = session.get(Election, petition.vote_election_id)
            if earlier is not None and earlier.state != "void":
                raise StateError(
                    _("Petition {id} already has its vote: election {election} ({state}).").format(
                        id=petition_id, election=earlier.id, state=state_label(earlier.state)
                    )
                )
        if day < petition.filed_on:
            raise StateError(
                _("{on} is before the petition was filed on {filed}.").format(
                    on=day.isoformat(), filed=petition.filed_on.isoformat()
                )
            )
        if petition.decided_on is not None and day < petition.decided_on:
            raise StateError(
                _("{on} is before the petition was found sufficient on {decided}.").format(
                    on=day.isoformat(), decided=petition.decided_on.isoformat()
                )
            )
        assert petition.vote_deadline is not None
        late = (late_reason or "").strip()
        if day > petition.vote_deadline and not late:
            raise StateError(
                _(
                    "{day} is after the vote deadline {deadline} ({words}; {source}). "
                    "Give the reason with --late REASON."
                ).format(
                    day=day.isoformat(),
                    deadline=petition.vote_deadline.isoformat(),
                    words=charter.recall.vote.words().localized(),
                    source=charter.recall.vote.source,
                )
            )
        member = session.get(Member, petition.member_id)
        assert member is not None and comm.id is not None
        require_serving(session, member, on=day)
        name = member_name(session, member)
        recalls = int(
            session.exec(
                select(func.count())
                .select_from(Election)
                .where(Election.community_id == comm.id, Election.kind == "recall")
            ).one()
        )
        # the recall vote is held in the mode the member was elected by (S1 art 8), with
        # that mode's base (S1 art 9; issue 12 §2)
        elected_by = session.get(Election, member.election_id)
        election = Election(
            community_id=comm.id,
            charter_id=comm.charter_id,
            kind="recall",
            mode="direct" if elected_by is None else elected_by.mode,
            title=f"{comm.name}居民委员会成员罢免表决（{name}）",
            day=day,
            state="slate_confirmed",
            serial_prefix="R" + chr(ord("A") + recalls % 26),
            created_at=datetime.now(UTC),
        )
        session.add(election)
        session.flush()
        assert election.id is not None
        office = Office(
            election_id=election.id,
            key=member.office_key,
            title=member.office_title,
            seats=1,
            position=1,
            write_ins=0,
        )
        session.add(office)
        session.flush()
        assert office.id is not None
        session.add(
            Candidate(
                election_id=election.id,
                office_id=office.id,
                voter_id=member.voter_id,
                ballot_number=1,
            )
        )
        petition.vote_election_id = election.id
        petition.late_reason = late or None
        session.add(petition)
        append_event(
            session,
            "recall.vote",
            {
                "petition": petition_id,
                "election": election.id,
                "member": member.id,
                "mode": election.mode,
                "day": day.isoformat(),
                "deadline": petition.vote_deadline.isoformat(),
                "late_reason": late or None,
            },
            operator=operator,
            community_id=comm.id,
        )
        return _view(session, petition)


def petition_of_election(session: Session, election: Election) -> RecallPetition:
    """The petition whose vote is ``election`` (a recall election always has one)."""
    petition = session.exec(
        select(RecallPetition).where(RecallPetition.vote_election_id == election.id)
    ).first()
    if petition is None:
        raise StateError(
            _("Election {id} is a recall vote with no petition.").format(id=election.id)
        )
    return petition


def recall_instructions(session: Session, election: Election) -> tuple[str, ...]:
    """The marking rules, the reasons and the defence printed on a recall ballot (罢免票)."""
    petition = petition_of_election(session, election)
    assert petition.id is not None
    lines = [
        _(
            "Mark ○ under For recall or Against recall for the member; "
            "a member left unmarked is an abstention."
        ),
        _("Marking both boxes for the same member makes that part invalid."),
        _("Reasons for the recall: {reasons}").format(reasons=petition.reasons),
    ]
    defence = _defence(session, petition.id)
    if defence:
        lines.append(_("Defence of the member: {text}").format(text=defence))
    else:
        lines.append(_("The member presented no defence."))
    return tuple(lines)


def _against_votes(session: Session, election: Election) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Mark)
            .join(
                SectionRecord,
                (col(SectionRecord.record_id) == col(Mark.record_id))
                & (col(SectionRecord.office_id) == col(Mark.office_id)),
            )
            .where(
                Mark.election_id == election.id,
                Mark.kind == "against",
                col(SectionRecord.valid).is_(True),
            )
        ).one()
    )


def recall_document(
    session: Session, election: Election, charter: Charter, counts: Any, names: dict[str, str]
) -> dict[str, Any]:
    """The outcome document of a recall vote, shaped like a general election's (so that
    ``juwei results show/print`` read it), with a ``recall`` block. ``counts`` is the
    ``ElectionCounts`` gathered by ``count.gather_counts``. Decided by
    ``juwei.rules.recall.decide_recall_vote``; more ballots returned than issued voids it
    (``[count.reconciliation]``)."""
    return recall_outcome(charter, counts, _against_votes(session, election), names)


def recall_outcome(
    charter: Charter, counts: Any, votes_against: int, names: Mapping[str, str]
) -> dict[str, Any]:
    """The outcome document of a recall vote from its counts alone (no database): the part of
    ``recall_document`` that ``juwei audit verify`` re-runs from the stored ballots or an audit
    package. ``counts``: ``rules.counting.ElectionCounts`` whose only office names the member;
    ``votes_against``: marks 不赞成罢免 in valid sections (votes)."""
    office = counts.offices[0]
    (person,) = office.on_ballot
    votes_for = office.votes.get(person, 0)
    returned, issued = counts.ballots_returned, counts.ballots_issued
    reconciliation = charter.count.reconciliation
    base = {
        "round": "recall",
        "ballots_issued": issued,
        "ballots_returned": returned,
        "registered_voters": counts.registered_voters,
        "women": None,
    }
    if reconciliation.void_if_returned_exceeds_issued and returned > issued:
        reason = _(
            "{returned} ballots returned but only {issued} issued: the election is void"
        ).format(returned=returned, issued=issued)
        return base | {
            "valid": False,
            "reason": reason,
            "rule": "count.reconciliation",
            "source": reconciliation.source,
            "offices": [],
            "recall": None,
        }
    result = decide_recall_vote(
        charter,
        registered_voters=counts.registered_voters,
        ballots_returned=returned,
        valid_ballots=office.valid_sections,
        votes_for=votes_for,
        votes_against=votes_against,
        mode=str(counts.mode),
        households=counts.households,
        representatives=counts.representatives,
    )
    name = names.get(person, person)
    # the ballot's own words, the same in every language (a name in the result is data)
    tallies = [
        (f"{name}（赞成罢免）", votes_for),
        (f"{name}（不赞成罢免）", votes_against),
        (f"{name}（弃权）", result.abstentions),
    ]
    return base | {
        "valid": True,
        "reason": result.reason,
        "rule": result.rule,
        "source": result.source,
        "offices": [
            {
                "office": str(office.key),
                "seats": 1,
                "valid_sections": office.valid_sections,
                "invalid_sections": office.invalid_sections,
                "threshold_votes": result.approval.minimum,
                "tallies": [
                    {
                        "person": person,
                        "name": label,
                        "votes": n,
                        "carried": 0,
                        "meets_threshold": False,
                        "standing": "",
                    }
                    for label, n in tallies
                ],
                "elected": [],
                "tie": None,
                "supplementary": None,
                "deferred": None,
                "reason": result.reason,
                "rule": result.rule,
                "source": result.source,
            }
        ],
        "recall": {
            "person": person,
            "name": name,
            "passed": result.passed,
            "votes_for": votes_for,
            "votes_against": votes_against,
            "abstentions": result.abstentions,
            "turnout": None if result.turnout is None else asdict(result.turnout),
            "approval": asdict(result.approval),
        },
    }


def recall_results(data: dict[str, Any], office_title: str) -> tuple[RecallResult, ...]:
    """The recall results (罢免表决结果) of a stored recall outcome ``data`` (the document of
    ``recall_document``, texts ``{"en", "zh_CN"}``) in the current language: one per member
    named, with the thresholds applied (``[recall.passage]``). Empty for a void vote, which
    decided nothing. ``office_title``: the member's office on the ballot (主任 / 副主任 / 委员).
    """
    from juwei.elections.count import in_language

    recall = data.get("recall")
    if not recall or not data["offices"]:
        return ()
    office = data["offices"][0]

    def threshold(check: dict[str, Any]) -> RecallThreshold:
        return RecallThreshold(
            rule=check["rule"],
            count=check["count"],
            base=check["base"],
            minimum=check["minimum"],
            met=check["met"],
            words=in_language(check["words"]),
        )

    return (
        RecallResult(
            name=recall["name"],
            office=office_title,
            votes_for=recall["votes_for"],
            votes_against=recall["votes_against"],
            abstentions=recall["abstentions"],
            valid_sections=office["valid_sections"],
            invalid_sections=office["invalid_sections"],
            turnout=None if recall["turnout"] is None else threshold(recall["turnout"]),
            approval=threshold(recall["approval"]),
            passed=bool(recall["passed"]),
            rule=data["rule"],
            source=data["source"],
            decision=cited(in_language(data["reason"]), str(data["source"])),
        ),
    )


def count_recall(
    session: Session,
    election: Election,
    charter: Charter,
    counts: Any,
    names: dict[str, str],
    *,
    operator: str,
) -> "CountSummary":
    """Store the outcome of a recall vote (called by ``count.count_election`` after it has
    gathered the counts and checked that every issued ballot is in): decided in English and
    in Chinese, stored with its SHA-256, the election ``counted`` (or ``void``), a
    ``count.result`` event. Returns a ``count.CountSummary``."""
    import hashlib

    from juwei.elections.count import CountSummary, _bilingual, in_language  # noqa: F811
    from juwei.i18n import current_language, set_language

    current = current_language()
    try:
        set_language("en")
        english = recall_document(session, election, charter, counts, names)
        set_language("zh_CN")
        chinese = recall_document(session, election, charter, counts, names)
    finally:
        set_language(current)
    document = _bilingual(english, chinese)
    digest = hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()
    assert election.id is not None
    session.add(
        CountResult(
            election_id=election.id,
            computed_at=datetime.now(UTC),
            outcome=canonical_json(document),
            digest=digest,
        )
    )
    if document["valid"]:
        election.state = "counted"
    else:
        election.state = "void"
        election.void_rule = document["rule"]
        election.void_reason = f"{in_language(document['reason'])} ({document['source']})"
    session.add(election)
    append_event(
        session,
        "count.result",
        {"election": election.id, "digest": digest, "valid": document["valid"], "rounds": []},
        operator=operator,
        community_id=election.community_id,
    )
    return CountSummary(
        election.id, document["valid"], True, in_language(document["reason"]), digest, ()
    )


def recall_certified_note(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> str | None:
    """What a certified recall vote decided, in words (None for another kind of election)."""
    from juwei.elections.election import find_election

    with db.read() as session:
        election = find_election(session, community, election_id)
        if election.kind != "recall":
            return None
        petition = petition_of_election(session, election)
        member = session.get(Member, petition.member_id)
        assert member is not None
        name = member_name(session, member)
        if petition.state == "voted_passed":
            return _(
                "Recall passed: {name}'s membership ({office}) ended on {day}; the seat is vacant."
            ).format(name=name, office=member.office_title, day=election.day.isoformat())
        comm = session.get(Community, election.community_id)
        assert comm is not None
        last = bar_last_day(community_charter(session, comm), election.day)
        return _(
            "Recall failed: {name} remains a member. A petition on the same grounds is refused "
            "until {last} inclusive."
        ).format(name=name, last=last.isoformat())


def certify_recall(
    session: Session, election: Election, data: dict[str, Any], *, on: date, operator: str
) -> bool:
    """Apply a certified recall vote (called by ``count.certify`` in its transaction).

    Passed: the membership ends on the vote day (cause ``recalled``), the petition is
    ``voted_passed``. Failed: the petition is ``voted_failed`` and ``[recall.bar]`` runs from
    the vote day. Returns whether the recall passed.
    """
    petition = petition_of_election(session, election)
    member = session.get(Member, petition.member_id)
    assert member is not None and petition.id is not None
    passed = bool(data["recall"]["passed"])
    already_ended = member.ended_on is not None  # e.g. resigned on or after the vote day
    if passed and not already_ended:
        end_membership(
            session,
            member,
            on=election.day,
            cause=EndCause.RECALLED,
            reason=petition.reasons,
            operator=operator,
            petition_id=petition.id,
        )
    petition.state = "voted_passed" if passed else "voted_failed"
    session.add(petition)
    comm = session.get(Community, election.community_id)
    assert comm is not None
    charter = community_charter(session, comm)
    append_event(
        session,
        "recall.result",
        {
            "petition": petition.id,
            "election": election.id,
            "member": member.id,
            "passed": passed,
            "already_ended": already_ended,
            "certified_on": on.isoformat(),
            "bar_until": None if passed else bar_last_day(charter, election.day).isoformat(),
        },
        operator=operator,
        community_id=election.community_id,
    )
    return passed


# ----------------------------------------------------------------------------- reading


def _view(session: Session, petition: RecallPetition, *, lines: bool = False) -> PetitionView:
    assert petition.id is not None
    member = session.get(Member, petition.member_id)
    assert member is not None
    signatures = session.exec(
        select(PetitionSignature, Voter)
        .join(Voter, col(Voter.id) == col(PetitionSignature.voter_id))
        .where(PetitionSignature.petition_id == petition.id)
        .order_by(col(PetitionSignature.id))
    ).all()
    vote_state = None
    if petition.vote_election_id is not None:
        vote = session.get(Election, petition.vote_election_id)
        vote_state = None if vote is None else vote.state
    return PetitionView(
        id=petition.id,
        member_id=member.id or 0,
        member=member_name(session, member),
        office=member.office_title,
        reasons=petition.reasons,
        filed_on=petition.filed_on,
        origin=petition.origin,
        evaluation_ref=petition.evaluation_ref,
        state=petition.state,
        state_words=petition_state_label(petition.state),
        signatures=sum(1 for s, _v in signatures if s.withdrawn_on is None),
        withdrawn=sum(1 for s, _v in signatures if s.withdrawn_on is not None),
        decided_on=petition.decided_on,
        decision=None if petition.decision is None else json.loads(petition.decision),
        vote_deadline=petition.vote_deadline,
        vote_election_id=petition.vote_election_id,
        vote_state=vote_state,
        late_reason=petition.late_reason,
        defence=_defence(session, petition.id),
        ended_on=petition.ended_on,
        end_note=petition.end_note,
        signature_lines=tuple(
            SignatureLine(v.name, mask_id(v.id_number), s.signed_on, s.withdrawn_on)
            for s, v in signatures
        )
        if lines
        else (),
    )


def list_petitions(db: Database, *, community: str | None = None) -> list[PetitionView]:
    """Every recall petition of the community, newest first."""
    with db.read() as session:
        comm = find_community(session, community)
        rows = session.exec(
            select(RecallPetition)
            .where(RecallPetition.community_id == comm.id)
            .order_by(col(RecallPetition.id).desc())
        ).all()
        return [_view(session, p) for p in rows]


def show_petition(db: Database, petition_id: int, *, community: str | None = None) -> PetitionView:
    """One petition with its signatures (names and masked ID numbers)."""
    with db.read() as session:
        comm = find_community(session, community)
        return _view(session, find_petition(session, comm, petition_id), lines=True)


def petition_deadlines(session: Session, community_id: int, on: date) -> list[PetitionDeadline]:
    """Open petitions of the community (filed, or sufficient and not yet certified) with the
    member, state and vote deadline, and the days left on ``on`` (for ``juwei status``)."""
    rows = session.exec(
        select(RecallPetition)
        .where(
            RecallPetition.community_id == community_id,
            col(RecallPetition.state).in_(OPEN_STATES),
        )
        .order_by(col(RecallPetition.id))
    ).all()
    found = []
    for p in rows:
        member = session.get(Member, p.member_id)
        assert member is not None and p.id is not None and member.id is not None
        found.append(
            PetitionDeadline(
                petition_id=p.id,
                member_id=member.id,
                member=member_name(session, member),
                office=member.office_title,
                state=p.state,
                state_words=petition_state_label(p.state),
                filed_on=p.filed_on,
                vote_deadline=p.vote_deadline,
                days_left=None if p.vote_deadline is None else (p.vote_deadline - on).days,
                vote_election_id=p.vote_election_id,
            )
        )
    return found


def petition_form(
    db: Database, petition_id: int, *, lines: int | None = None, community: str | None = None
) -> PetitionForm:
    """The read-model of the petition form (罢免联名书) of ``petition_id``.

    ``lines``: numbered signature lines (default: the signatures needed under the first
    registered-voter alternative plus a tenth, at least 20). The minimum is computed on the
    roll as of the filing date.
    """
    with db.read() as session:
        comm = find_community(session, community)
        charter = community_charter(session, comm)
        petition = find_petition(session, comm, petition_id)
        member = session.get(Member, petition.member_id)
        assert member is not None and petition.id is not None
        _counts, bases = _bases_and_counts(session, comm, charter, petition)
        needed = None
        for threshold in charter.recall.initiation.any_of:
            size = bases.get(threshold.base.value)
            if threshold.base.value == "registered_voters" and size:
                needed = threshold.minimum(size)
                break
        if lines is None:
            lines = max(20, (needed or 0) + (needed or 0) // 10)
        if lines < 1 or lines > 20_000:
            raise InputError(_("--lines must be between 1 and 20,000"), column="--lines")
        return PetitionForm(
            community=comm.name,
            petition_id=petition.id,
            member=member_name(session, member),
            office=member.office_title,
            term_start=member.term_start,
            term_end=member.term_end,
            reasons=petition.reasons,
            filed_on=petition.filed_on,
            rule=charter.recall.initiation.words().localized(),
            source=charter.recall.initiation.source,
            registered_voters=bases["registered_voters"] or 0,
            needed=needed,
            lines=lines,
        )
