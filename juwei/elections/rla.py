"""Risk-limiting audit of a counted election's paper ballots (风险限制审计): the engine.

``plan`` sizes the audit per office from the stored count (``juwei.rules.rla``: BRAVO ballot
polling and super-simple ballot comparison), draws the ballots to pull from the seed the
committee picked in public, and stores seed, plan and draws (one ``rla.plan`` event).
``record`` stores what an audit team reads off a drawn paper ballot (judged under the
pinned charter like any ballot, ``rla.record`` event). ``status`` measures the risk per
office over the draws recorded so far, in draw order, and says whether the audit is
complete, must go on, or must escalate to a full hand count.

The reported outcome of an office is its stored tally: persons elected are the winners,
persons not elected the losers; a tie at the last seat, or votes carried from a higher
office (包含法, which a ballot-level audit of one section cannot see), send the office to a
full hand count.

Ballots are drawn by their identity given at the count, bundle and position (``"12-37"``,
``juwei.elections.ballot_id``): the audit team counts into bundle 12 and takes ballot 37.
The sampler's population is the ballots in bundle order (each label padded to
``00012-00037`` so that code point order is bundle order). Secrecy: the audit handles ballot
identities and marks only.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from sqlmodel import Session, col, select

from juwei.elections.audit import append_event, canonical_json
from juwei.elections.ballot_id import label_order
from juwei.elections.count import (
    BallotEntry,
    _latest_result,
    _resolve,
    _Resolver,
    _resolver,
    person_of_write_in,
)
from juwei.elections.db import Database
from juwei.elections.double_entry import candidate_numbers, reading_of_entry
from juwei.elections.election import find_election, require_state
from juwei.elections.models import (
    BallotRecord,
    Election,
    Event,
    Mark,
    Office,
    RlaAudit,
    RlaDraw,
    RlaReading,
)
from juwei.elections.roll import RollRejected
from juwei.errors import InputError, NotFoundError, StateError
from juwei.i18n import _
from juwei.rules import rla
from juwei.rules.counting import OfficeSeats, judge_ballot
from juwei.rules.rla import Contest, Rule

KINDS = ("polling", "comparison")


MIN_RISK_LIMIT = Fraction(1, 10_000)


def parse_risk_limit(text: str) -> Fraction:
    """``0.05``, ``5%`` or ``1/20`` as an exact fraction strictly between 0 and 1.

    Raises ``InputError`` naming ``--risk-limit``.
    """
    raw = text.strip()
    try:
        value = Fraction(raw[:-1]) / 100 if raw.endswith("%") else Fraction(raw)
    except (ValueError, ZeroDivisionError):
        value = Fraction(-1)
    if not 0 < value < 1:
        raise InputError(
            _("the risk limit must be a number between 0 and 1, e.g. 0.05 or 5%"),
            column="--risk-limit",
        )
    if value < MIN_RISK_LIMIT or value.denominator > 1_000_000:
        raise InputError(
            _(
                "the risk limit {value} is too small or too finely given: give at least "
                "0.0001 with at most six decimals (a smaller risk is a full hand count)"
            ).format(value=raw[:20]),
            column="--risk-limit",
        )
    return value


@dataclass(frozen=True)
class OfficePlan:
    """One office's audit plan: sample sizes of both methods (None: not by sampling), the
    rule that decided, whether it goes to a full hand count, its assertions in words."""

    key: str
    title: str
    rule: str
    polling: int | None
    comparison: int | None
    hand_count: bool
    diluted_margin: str | None
    assertions: tuple[str, ...]


@dataclass(frozen=True)
class AuditPlan:
    """The plan: seed, risk limit, method, N ballots, offices, and the draws in order
    (position, ticket, ballot); ``to_pull``: the distinct ballots, in bundle order."""

    election_id: int
    seed: str
    risk_limit: Fraction
    kind: str
    ballots: int
    offices: tuple[OfficePlan, ...]
    draws: tuple[tuple[int, int, str], ...]

    @property
    def to_pull(self) -> list[str]:
        """The paper ballots to take out of the bundles (each once), in bundle order."""
        return sorted({ballot for _p, _t, ballot in self.draws}, key=label_order)


def sampling_key(label: str) -> str:
    """The sampler's name of a ballot: ``"12-37"`` → ``"00012-00037"`` (code point order is
    then bundle order); an older election's serial stays as it is."""
    bundle, position, legacy = label_order(label)
    return legacy or f"{bundle:05d}-{position:05d}"


def _contest(office: dict[str, Any], ballots: int) -> tuple[Contest | None, Rule | None]:
    """The reported contest of one office of the stored outcome, or the rule that sends it
    to a full hand count."""
    tallies = office["tallies"]
    if any(t["standing"] == "tied" for t in tallies) or office.get("tie"):
        return None, Rule.TIED
    if any(t.get("carried") for t in tallies):
        return None, None
    votes = {t["person"]: int(t["votes"]) for t in tallies}
    winners = frozenset(t["person"] for t in tallies if t["standing"] == "elected")
    losers = frozenset(t["person"] for t in tallies if t["standing"] == "not_elected")
    seats = int(office["seats"])
    threshold = office.get("threshold_votes")
    return (
        Contest(
            ballots=ballots,
            votes=votes,
            winners=winners,
            losers=losers,
            threshold=None if threshold is None else int(threshold),
            unfilled=max(seats - len(winners), 0),
        ),
        None,
    )


def _outcome(session: Session, election: Election) -> dict[str, Any]:
    assert election.id is not None
    result = _latest_result(session, election.id)
    if result is None:
        raise StateError(_("Election {id} has not been counted.").format(id=election.id))
    data: dict[str, Any] = json.loads(result.outcome)
    return data


CARRIED_RULE = "rla.carried_votes"
"""Votes carried from a higher office (包含法): not audited by sample; full hand count."""


def _office_plans(
    session: Session, election: Election, risk_limit: Fraction, kind: str
) -> tuple[int, list[OfficePlan]]:
    data = _outcome(session, election)
    ballots = int(data["ballots_returned"])
    titles = {
        o.key: o.title
        for o in session.exec(select(Office).where(Office.election_id == election.id)).all()
    }
    plans: list[OfficePlan] = []
    for office in data["offices"]:
        names = {t["person"]: t["name"] for t in office["tallies"]}
        contest, rule = _contest(office, ballots)
        key = office["office"]
        if contest is None:
            plans.append(
                OfficePlan(
                    key,
                    titles.get(key, key),
                    str(rule) if rule is not None else CARRIED_RULE,
                    None,
                    None,
                    True,
                    None,
                    (),
                )
            )
            continue
        sizes = rla.sample_sizes(contest, risk_limit)
        chosen = sizes.polling if kind == "polling" else sizes.comparison
        hand = sizes.full_hand_count or (sizes.rule is Rule.SAMPLE and chosen is None)
        labels = tuple(
            _assertion_words(a, names, contest.threshold) for a in rla.assertions(contest)
        )
        margin = sizes.diluted_margin
        plans.append(
            OfficePlan(
                key,
                titles.get(key, key),
                str(
                    Rule.SAMPLE_EXCEEDS_BALLOTS
                    if hand and not sizes.full_hand_count
                    else sizes.rule
                ),
                sizes.polling,
                sizes.comparison,
                hand,
                None if margin is None else f"{margin.numerator}/{margin.denominator}",
                labels,
            )
        )
    return ballots, plans


def _assertion_words(a: rla.Assertion, names: dict[str, str], threshold: int | None) -> str:
    if a.kind is rla.Kind.PAIR:
        return _("{w} has more votes than {l}").format(
            w=names.get(a.winner, a.winner), l=names.get(a.loser, a.loser)
        )
    if a.kind is rla.Kind.ABOVE:
        return _("{w} has at least {t} votes").format(w=names.get(a.winner, a.winner), t=threshold)
    return _("{l} has fewer than {t} votes").format(l=names.get(a.loser, a.loser), t=threshold)


def plan(
    db: Database,
    *,
    risk_limit: Fraction,
    seed: str,
    kind: str = "comparison",
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> AuditPlan:
    """Plan the audit of a counted election and draw the ballots to pull (stored, logged).

    The sample is sized for ``kind`` (``comparison``: each paper ballot against its entry;
    ``polling``: BRAVO) as the largest size over the offices that are audited by sample; it
    is drawn with replacement by Rivest's sampler from all returned ballots in bundle order
    (``sampling_key``).
    Offices that are tied, nearly tied (the sample would reach N) or carry votes go to a full
    hand count. Raises ``InputError`` for a bad seed or kind, ``StateError`` before the count
    or when the election already has an audit (its seed is public and fixed).
    """
    if kind not in KINDS:
        raise InputError(_("--kind must be polling or comparison"), column="--kind")
    try:
        seed_digits = rla.normalise_seed(seed)
    except ValueError:
        raise InputError(
            _(
                "the seed must be at least {n} decimal digits, picked in public (e.g. by "
                "rolling a ten-sided die)"
            ).format(n=rla.MIN_SEED_DIGITS),
            column="--seed",
        ) from None
    with db.write() as session:
        election = find_election(session, community, election_id)
        require_state(election, "counted", "certified", action=_("plan a risk-limiting audit"))
        assert election.id is not None
        existing = session.exec(select(RlaAudit).where(RlaAudit.election_id == election.id)).first()
        if existing is not None:
            raise StateError(
                _(
                    "Election {id} already has a risk-limiting audit (seed {seed}); its sample "
                    "is fixed. See juwei audit rla status."
                ).format(id=election.id, seed=existing.seed)
            )
        ballots, offices = _office_plans(session, election, risk_limit, kind)
        sizes = [
            (o.polling if kind == "polling" else o.comparison)
            for o in offices
            if not o.hand_count and o.rule == Rule.SAMPLE
        ]
        size = max((s for s in sizes if s is not None), default=0)
        labels = {
            sampling_key(label): label
            for label in session.exec(
                select(BallotRecord.ballot).where(BallotRecord.election_id == election.id)
            ).all()
        }
        drawn = rla.draw_sample(seed_digits, list(labels), size) if size else []
        draws = [(d.ticket, labels[d.serial]) for d in drawn]
        document = [
            {
                "office": o.key,
                "title": o.title,
                "rule": o.rule,
                "polling": o.polling,
                "comparison": o.comparison,
                "hand_count": o.hand_count,
                "diluted_margin": o.diluted_margin,
                "assertions": list(o.assertions),
            }
            for o in offices
        ]
        limit_text = f"{risk_limit.numerator}/{risk_limit.denominator}"
        audit = RlaAudit(
            election_id=election.id,
            seed=seed_digits,
            risk_limit=limit_text,
            kind=kind,
            ballots=ballots,
            sample_size=size,
            plan=canonical_json(document),
            created_at=datetime.now(UTC),
            operator=operator,
        )
        session.add(audit)
        session.flush()
        assert audit.id is not None
        for position, (ticket, ballot) in enumerate(draws, start=1):
            session.add(RlaDraw(audit_id=audit.id, position=position, ticket=ticket, ballot=ballot))
        listing = [ballot for _t, ballot in draws]
        append_event(
            session,
            "rla.plan",
            {
                "election": election.id,
                "seed": seed_digits,
                "risk_limit": limit_text,
                "kind": kind,
                "ballots": ballots,
                "sample_size": size,
                "offices": document,
                "draws": logged_draws(listing),
            },
            operator=operator,
            community_id=election.community_id,
        )
        return AuditPlan(
            election.id,
            seed_digits,
            risk_limit,
            kind,
            ballots,
            tuple(offices),
            tuple((i, ticket, ballot) for i, (ticket, ballot) in enumerate(draws, start=1)),
        )


def _audit(session: Session, election: Election) -> RlaAudit:
    audit = session.exec(select(RlaAudit).where(RlaAudit.election_id == election.id)).first()
    if audit is None:
        raise NotFoundError(
            _(
                "Election {id} has no risk-limiting audit yet; start one with juwei audit rla plan."
            ).format(id=election.id)
        )
    return audit


def _votes_of(r: _Resolver, entry: BallotEntry) -> dict[str, list[str]]:
    """Office key → the persons the paper ballot gives a vote (judged under the charter)."""
    sections, _marks = _resolve(r, entry)
    seats = [OfficeSeats(o.key, o.seats) for o in r.offices]  # type: ignore[arg-type]
    judgement = judge_ballot(r.charter, seats, sections)
    return {
        sj.office.value: sorted(sj.votes) if judgement.valid and sj.valid else []
        for sj in judgement.sections
    }


def record(
    db: Database,
    entries: Iterable[BallotEntry | InputError],
    *,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> int:
    """Record what drawn paper ballots show, all or nothing; returns how many.

    Refused with every reason (``RollRejected``): a ballot not in the sample, one already
    recorded or given twice, a name that is neither a candidate nor on the roll, an office
    not on the ballot. ``NotFoundError`` when the election has no audit.
    """
    with db.write() as session:
        election = find_election(session, community, election_id)
        audit = _audit(session, election)
        assert election.id is not None and audit.id is not None
        drawn = set(session.exec(select(RlaDraw.ballot).where(RlaDraw.audit_id == audit.id)).all())
        done = set(
            session.exec(select(RlaReading.ballot).where(RlaReading.audit_id == audit.id)).all()
        )
        r = _resolver(session, election)
        numbers = candidate_numbers(session, election.id)
        errors: list[InputError] = []
        rows: list[RlaReading] = []
        seen: set[str] = set()
        label = "ballots"
        now = datetime.now(UTC)
        for item in entries:
            if isinstance(item, InputError):
                errors.append(item)
                continue
            label = item.file or label
            try:
                ballot = item.ballot
            except ValueError as error:
                errors.append(InputError(str(error), file=item.file, row=item.row))
                continue
            where = {"file": item.file, "row": item.row, "column": ballot}
            if ballot not in drawn:
                errors.append(
                    InputError(
                        _("ballot {ballot} was not drawn for the audit").format(ballot=ballot),
                        **where,  # type: ignore[arg-type]
                    )
                )
                continue
            if ballot in done or ballot in seen:
                errors.append(
                    InputError(
                        _("ballot {ballot} is already recorded for the audit").format(
                            ballot=ballot
                        ),
                        **where,  # type: ignore[arg-type]
                    )
                )
                continue
            seen.add(ballot)
            try:
                reading = reading_of_entry(r, item, numbers)
                votes = _votes_of(r, item)
            except ValueError as error:
                errors.append(InputError(str(error), **where))  # type: ignore[arg-type]
                continue
            rows.append(
                RlaReading(
                    audit_id=audit.id,
                    ballot=ballot,
                    reading=canonical_json(reading),
                    votes=canonical_json(votes),
                    recorded_at=now,
                    operator=operator,
                )
            )
        if errors:
            raise RollRejected(label, errors, skip_hint=False)
        session.add_all(rows)
        append_event(
            session,
            "rla.record",
            {
                "election": election.id,
                "ballots": {row.ballot: json.loads(row.reading) for row in rows},
            },
            operator=operator,
            community_id=election.community_id,
        )
        return len(rows)


@dataclass(frozen=True)
class OfficeStatus:
    """One office's audit: ``state`` complete | continue | next_round | escalate |
    hand_count, the measured risk (None when not audited by sample), its rule, and for
    ``next_round`` the draws the next round needs for this office."""

    key: str
    title: str
    state: str
    risk: float | None
    rule: str
    next_round: int | None = None


@dataclass(frozen=True)
class AuditStatus:
    """The audit so far: draws recorded in order (``observed`` of ``draws``), ballots still to
    record, per office status, and the verdict (complete | continue | escalate)."""

    election_id: int
    seed: str
    risk_limit: Fraction
    kind: str
    draws: int
    observed: int
    to_record: tuple[str, ...]
    offices: tuple[OfficeStatus, ...]
    round: int = 1
    ballots: int = 0

    @property
    def next_round(self) -> int | None:
        """The size of the next round (new draws): the largest an office needs; None when no
        office needs one."""
        return max((o.next_round for o in self.offices if o.next_round), default=None)

    @property
    def verdict(self) -> str:
        """complete when every office is; escalate when any office must be hand counted;
        next_round when every drawn ballot is recorded and an office needs more."""
        states = {o.state for o in self.offices}
        if states & {"escalate", "hand_count"}:
            return "escalate"
        if states <= {"complete"}:
            return "complete"
        if "next_round" in states:
            return "next_round"
        return "continue"


def _reported(
    session: Session, r: _Resolver, election_id: int, ballots: Iterable[str]
) -> dict[str, dict[str, frozenset[str]]]:
    """ballot → office key → the persons the count gave a vote on that ballot."""
    wanted = list(ballots)
    if not wanted:
        return {}
    keys = {o.id: o.key for o in r.offices}
    out: dict[str, dict[str, set[str]]] = {s: {} for s in wanted}
    for start in range(0, len(wanted), 500):  # bounded IN lists (SQLite's variable limit)
        for ballot, office_id, cand_id, write_in in session.exec(
            select(BallotRecord.ballot, Mark.office_id, Mark.candidate_id, Mark.write_in)
            .join(Mark, col(Mark.record_id) == col(BallotRecord.id))
            .where(
                BallotRecord.election_id == election_id,
                col(BallotRecord.ballot).in_(wanted[start : start + 500]),
                col(Mark.counted).is_(True),
            )
        ).all():
            person = (
                f"v{r.candidate_voter[cand_id]}"
                if cand_id is not None
                else person_of_write_in(r, write_in or "")
            )
            out[ballot].setdefault(keys[office_id], set()).add(person)
    return {s: {k: frozenset(v) for k, v in offices.items()} for s, offices in out.items()}


def status(
    db: Database, *, election_id: int | None = None, community: str | None = None
) -> AuditStatus:
    """Measure the risk per office over the draws recorded so far (the longest run of draws,
    in draw order, whose ballots are all recorded: a sequential test must not skip ahead).

    An office is ``complete`` when its risk is at most the limit, ``escalate`` when every
    draw is recorded and the risk is still above it (full hand count), ``hand_count`` when
    the plan sent it there, else ``continue``. Raises ``NotFoundError`` without an audit.
    """
    with db.read() as session:
        election = find_election(session, community, election_id)
        audit = _audit(session, election)
        assert election.id is not None and audit.id is not None
        limit = Fraction(audit.risk_limit)
        draws = list(
            session.exec(
                select(RlaDraw.ballot)
                .where(RlaDraw.audit_id == audit.id)
                .order_by(col(RlaDraw.position))
            ).all()
        )
        readings = {
            ballot: json.loads(votes)
            for ballot, votes in session.exec(
                select(RlaReading.ballot, RlaReading.votes).where(RlaReading.audit_id == audit.id)
            ).all()
        }
        observed = 0
        for ballot in draws:
            if ballot not in readings:
                break
            observed += 1
        prefix = draws[:observed]
        r = _resolver(session, election)
        reported = (
            _reported(session, r, election.id, set(prefix)) if audit.kind == "comparison" else {}
        )
        data = _outcome(session, election)
        offices: list[OfficeStatus] = []
        for planned, office in zip(json.loads(audit.plan), data["offices"], strict=True):
            key = planned["office"]
            if planned["hand_count"]:
                offices.append(
                    OfficeStatus(key, planned["title"], "hand_count", None, planned["rule"])
                )
                continue
            contest, _rule = _contest(office, audit.ballots)
            if contest is None or planned["rule"] == Rule.NOTHING_TO_AUDIT:
                offices.append(
                    OfficeStatus(key, planned["title"], "complete", 0.0, planned["rule"])
                )
                continue
            seen = [frozenset(readings[s].get(key, [])) for s in prefix]
            pairs = [
                (reported.get(s, {}).get(key, frozenset()), p)
                for s, p in zip(prefix, seen, strict=True)
            ]
            measured = (
                rla.bravo_risk(contest, seen)
                if audit.kind == "polling"
                else rla.comparison_risk(contest, pairs)
            )
            more: int | None = None
            if measured.confirmed(limit):
                state = "complete"
            elif observed < len(draws):
                state = "continue"
            else:  # the round is recorded and the risk is above the limit: another round
                more = (
                    rla.bravo_next_round(contest, seen, limit)
                    if audit.kind == "polling"
                    else rla.comparison_next_round(contest, pairs, limit)
                )
                # as Arlo: a cumulative sample of N ballots is a full hand count
                state = "escalate" if len(draws) + more >= audit.ballots else "next_round"
                more = more if state == "next_round" else None
            offices.append(
                OfficeStatus(key, planned["title"], state, measured.risk, planned["rule"], more)
            )
        to_record = tuple(sorted({s for s in draws if s not in readings}))
        return AuditStatus(
            election.id,
            audit.seed,
            limit,
            audit.kind,
            len(draws),
            observed,
            to_record,
            tuple(offices),
            1 + len(_rounds_drawn(session, election)),
            audit.ballots,
        )


ROUND_EVENT = "rla.round"


def logged_draws(listing: list[str]) -> list[str] | str:
    """The draws as the log keeps them: the serials, or their SHA-256 above 200 draws."""
    if len(listing) <= 200:
        return listing
    return hashlib.sha256(canonical_json(listing).encode("utf-8")).hexdigest()


def _rounds_drawn(session: Session, election: Election) -> list[dict[str, Any]]:
    """The further rounds drawn so far (payloads of ``rla.round`` events), in order."""
    payloads = session.exec(
        select(Event.payload)
        .where(Event.kind == ROUND_EVENT, Event.community_id == election.community_id)
        .order_by(col(Event.seq))
    ).all()
    found = [json.loads(p) for p in payloads]
    return [p for p in found if p.get("election") == election.id]


@dataclass(frozen=True)
class AuditRound:
    """A further round drawn: its number (2, 3, …), the new draws (position, ticket,
    serial), the ballots to pull for it (not already pulled), the cumulative draws."""

    election_id: int
    number: int
    draws: tuple[tuple[int, int, str], ...]
    to_pull: tuple[str, ...]
    total: int


def draw_next_round(
    db: Database,
    *,
    election_id: int | None = None,
    community: str | None = None,
    operator: str,
) -> AuditRound:
    """Draw the next round of the audit (as Arlo): ``status`` must say ``next_round`` (every
    drawn ballot recorded, an office's risk still above the limit, and the cumulative sample
    short of N); the round's size is ``AuditStatus.next_round``, computed from the risk
    measured so far (``rla.bravo_next_round`` / ``rla.comparison_next_round``). The new
    draws continue the same seeded sampler (tickets after the last one), so that anyone can
    redraw every round from the public seed. Stored and logged (``rla.round``). Raises
    ``StateError`` when no further round is due (the audit is complete, draws are still
    to record, or a full hand count is due); ``NotFoundError`` without an audit.
    """
    found = status(db, election_id=election_id, community=community)
    size = found.next_round
    if found.verdict != "next_round" or size is None:
        reason = {
            "complete": _("the audit is complete"),
            "continue": _("drawn ballots are still to be recorded"),
            "escalate": _("the offices marked escalate must be counted by hand"),
        }.get(found.verdict, found.verdict)
        raise StateError(_("No further round is due: {reason}.").format(reason=reason))
    with db.write() as session:
        election = find_election(session, community, found.election_id)
        audit = _audit(session, election)
        assert election.id is not None and audit.id is not None
        labels = {
            sampling_key(label): label
            for label in session.exec(
                select(BallotRecord.ballot).where(BallotRecord.election_id == election.id)
            ).all()
        }
        before = found.draws
        extended = [
            (d.ticket, labels[d.serial])
            for d in rla.draw_sample(audit.seed, list(labels), before + size)[before:]
        ]
        pulled = set(session.exec(select(RlaDraw.ballot).where(RlaDraw.audit_id == audit.id)).all())
        for position, (ticket, ballot) in enumerate(extended, start=before + 1):
            session.add(RlaDraw(audit_id=audit.id, position=position, ticket=ticket, ballot=ballot))
        audit.sample_size = before + size
        session.add(audit)
        number = found.round + 1
        listing = [ballot for _t, ballot in extended]
        append_event(
            session,
            ROUND_EVENT,
            {
                "election": election.id,
                "round": number,
                "size": size,
                "total": before + size,
                "risks": {o.key: o.risk for o in found.offices},
                "draws": logged_draws(listing),
            },
            operator=operator,
            community_id=election.community_id,
        )
        return AuditRound(
            election.id,
            number,
            tuple((i, t, b) for i, (t, b) in enumerate(extended, start=before + 1)),
            tuple(sorted({b for _t, b in extended} - pulled, key=label_order)),
            before + size,
        )
