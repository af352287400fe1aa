"""Aggregate reads of the transparency pages: counts only, never a person's data.

Every figure comes from a GROUP BY or a single aggregate, so a page sends the same number of SQL
statements whether the plan has ten participants or ten thousand. Each read applies the public
filter of the area it counts (visible proposals, comments neither hidden nor deleted, commitments
past their draft, published calls and elections), so a count never reveals what a page hides.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import Organisation, Role, Sector, User, Verification
from app.calls.models import ApplicationStatus, Call, CallApplication
from app.calls.queries import visible as visible_call
from app.comments.models import Comment
from app.commitments.models import Commitment
from app.commitments.queries import visible as visible_commitment
from app.consultations.models import Consultation, ConsultationAnswer, ConsultationOutcome
from app.core import facts
from app.core.db import utcnow
from app.dialogues.models import (
    DialogueTable,
    MinutesVersion,
    RegistrationStatus,
    TableRegistration,
    TableState,
)
from app.elections.models import Election, ElectionState, RollEntry
from app.extensions import db
from app.plans.models import ActionPlan, Committee
from app.proposals.counts import ProposalCount
from app.proposals.models import Proposal, ProposalState
from app.proposals.queries import visible as visible_proposal

# Municipalities shown one by one; the rest are added up in one "others" row.
TOP_MUNICIPALITIES = 8
OTHERS = "__others__"
NOT_STATED = "__not_stated__"


@dataclass
class People:
    citizens: int = 0
    organisations: int = 0
    by_sector: list[tuple[Sector, int]] = field(default_factory=list)  # every sector, in enum order
    by_municipality: list[tuple[str, int]] = field(default_factory=list)  # top N, then OTHERS

    @property
    def total(self) -> int:
        return self.citizens + self.organisations


@dataclass
class Proposals:
    by_theme: list[tuple[str, int]]  # (theme name, or "" for none; count), largest first
    by_state: list[tuple[ProposalState, int]]  # every state, in enum order
    total: int


@dataclass
class Tables:
    held: int = 0
    scheduled: int = 0
    registrations: int = 0
    attended: int = 0
    minutes_attendance: int = 0


@dataclass
class Consultations:
    held: int = 0
    comments: int = 0
    by_outcome: list[tuple[ConsultationOutcome, int]] = field(default_factory=list)

    @property
    def unanswered(self) -> int:
        return self.comments - sum(n for _o, n in self.by_outcome)


@dataclass
class ElectionTurnout:
    election_id: int
    title: str
    committee_name: str
    roll_size: int
    ballots: int

    @property
    def turnout(self) -> float:
        return 100 * self.ballots / self.roll_size if self.roll_size else 0.0


@dataclass
class Statistics:
    plan: ActionPlan
    committee: Committee | None
    people: People
    proposals: Proposals
    comments: dict[str, int]  # {"proposals": n, "commitments": n}
    tables: Tables
    consultations: Consultations
    elections: list[ElectionTurnout]
    counted_at: datetime | None = None  # when people and comments were counted (None: just now)


def _committee_ids(plan: ActionPlan, committee: Committee | None):
    """The committees counted: the one asked for, else every committee of the plan (a subquery,
    not a list of ids, so the statement stays one)."""
    if committee is not None:
        return [committee.id]
    return sa.select(Committee.id).where(Committee.plan_id == plan.id).scalar_subquery()


def _counted_accounts():
    """Accounts that count as registered: e-mail confirmed and not deleted."""
    return sa.and_(User.email_confirmed_at.is_not(None), User.deleted_at.is_(None))


def people(committee: Committee | None = None) -> People:
    """Citizens and verified organisations, by sector and by municipality, in one statement.

    Citizens register for the whole platform, so a committee's page counts them all; its
    organisations are those approved for it in a published call.
    """
    is_citizen = User.role == Role.citizen
    is_organisation = sa.and_(
        User.role == Role.organisation, Organisation.verification == Verification.verified
    )
    if committee is not None:
        approved = (
            sa.select(CallApplication.organisation_id)
            .join(Call, Call.id == CallApplication.call_id)
            .where(CallApplication.committee_id == committee.id,
                   CallApplication.status == ApplicationStatus.approved, visible_call())
        )
        is_organisation = sa.and_(is_organisation, User.id.in_(approved))
    rows = db.session.execute(
        sa.select(User.role, Organisation.sector, User.municipality, sa.func.count(User.id))
        .outerjoin(Organisation, Organisation.user_id == User.id)
        .where(_counted_accounts(), sa.or_(is_citizen, is_organisation))
        .group_by(User.role, Organisation.sector, User.municipality)
    ).all()
    result = People()
    sectors: Counter = Counter()
    towns: Counter = Counter()
    for role, sector, municipality, n in rows:
        if Role(role) == Role.citizen:
            result.citizens += n
        else:
            result.organisations += n
            sectors[Sector(sector)] += n
        towns[(municipality or "").strip() or NOT_STATED] += n
    result.by_sector = [(sector, sectors.get(sector, 0)) for sector in Sector]
    ranked = sorted(towns.items(), key=lambda item: (-item[1], item[0] == NOT_STATED, item[0]))
    result.by_municipality = ranked[:TOP_MUNICIPALITIES]
    rest = sum(n for _town, n in ranked[TOP_MUNICIPALITIES:])
    if rest:
        result.by_municipality.append((OTHERS, rest))
    return result


def proposals(plan: ActionPlan, committee: Committee | None = None) -> Proposals:
    """Visible proposals by theme and by state, from the counts the database keeps per plan,
    committee, theme, municipality and state (app/proposals/counts.py: visible means not hidden,
    as `visible_proposal`): a few thousand rows at most, however many proposals there are."""
    conditions = [ProposalCount.plan_id == plan.id]
    if committee is not None:
        conditions.append(ProposalCount.committee_id == committee.id)
    rows = db.session.execute(
        sa.select(ProposalCount.theme_id, ProposalCount.state, sa.func.sum(ProposalCount.n))
        .where(*conditions)
        .group_by(ProposalCount.theme_id, ProposalCount.state)
        .having(sa.func.sum(ProposalCount.n) > 0)
    ).all()
    names = {theme.id: theme.name for theme in plan.themes}  # NO_THEME (0) is no theme's id
    themes: Counter = Counter()
    states: Counter = Counter()
    for theme_id, state, n in rows:
        n = int(n)
        themes[names.get(theme_id, "")] += n
        states[ProposalState(state)] += n
    by_theme = sorted(themes.items(), key=lambda item: (-item[1], item[0] == "", item[0]))
    return Proposals(by_theme=by_theme, by_state=[(s, states.get(s, 0)) for s in ProposalState],
                     total=sum(states.values()))


def public_comments(plan: ActionPlan, committee: Committee | None = None) -> dict[str, int]:
    """Comments neither hidden nor deleted, on visible proposals and on public commitments."""
    committees = _committee_ids(plan, committee)
    on_proposal = sa.and_(Proposal.id.is_not(None), Proposal.plan_id == plan.id,
                          Proposal.committee_id.in_(committees), visible_proposal())
    on_commitment = sa.and_(Commitment.id.is_not(None), Commitment.plan_id == plan.id,
                            Commitment.committee_id.in_(committees), visible_commitment())
    row = db.session.execute(
        sa.select(
            sa.func.count(sa.case((on_proposal, Comment.id))),
            sa.func.count(sa.case((on_commitment, Comment.id))),
        )
        .select_from(Comment)
        .outerjoin(Proposal, Proposal.id == Comment.proposal_id)
        .outerjoin(Commitment, Commitment.id == Comment.commitment_id)
        .where(Comment.hidden_at.is_(None), Comment.deleted_at.is_(None))
    ).one()
    return {"proposals": row[0] or 0, "commitments": row[1] or 0}


def tables(plan: ActionPlan, committee: Committee | None = None) -> Tables:
    """Dialogue tables held (started and not cancelled) and still to come, confirmed
    registrations and attendance of the tables held, and the attendance their latest minutes
    state: three statements."""
    now = utcnow()
    in_scope = sa.and_(DialogueTable.committee_id.in_(_committee_ids(plan, committee)),
                       DialogueTable.state != TableState.cancelled)
    held = DialogueTable.starts_at <= now
    counts = db.session.execute(
        sa.select(sa.func.count(sa.case((held, DialogueTable.id))),
                  sa.func.count(sa.case((sa.not_(held), DialogueTable.id))))
        .where(in_scope)
    ).one()
    registrations = db.session.execute(
        sa.select(
            sa.func.count(TableRegistration.id),
            sa.func.count(sa.case((TableRegistration.attended.is_(True), TableRegistration.id))),
        )
        .join(DialogueTable, DialogueTable.id == TableRegistration.table_id)
        .where(in_scope, held, TableRegistration.status == RegistrationStatus.confirmed)
    ).one()
    latest = (
        sa.select(MinutesVersion.table_id, sa.func.max(MinutesVersion.number).label("number"))
        .group_by(MinutesVersion.table_id)
        .subquery()
    )
    minutes_attendance = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(MinutesVersion.attendance_count), 0))
        .join(latest, sa.and_(latest.c.table_id == MinutesVersion.table_id,
                              latest.c.number == MinutesVersion.number))
        .join(DialogueTable, DialogueTable.id == MinutesVersion.table_id)
        .where(in_scope)
    )
    return Tables(held=counts[0] or 0, scheduled=counts[1] or 0,
                  registrations=registrations[0] or 0, attended=registrations[1] or 0,
                  minutes_attendance=int(minutes_attendance or 0))


def consultations(plan: ActionPlan, committee: Committee | None = None) -> Consultations:
    """Consultations opened so far on public commitments, their public comments and the
    facilitators' answers by outcome: two statements."""
    in_scope = sa.and_(Commitment.plan_id == plan.id, visible_commitment(),
                       Commitment.committee_id.in_(_committee_ids(plan, committee)))
    held = db.session.scalar(
        sa.select(sa.func.count(Consultation.id))
        .join(Commitment, Commitment.id == Consultation.commitment_id)
        .where(in_scope, Consultation.opens_at <= utcnow())
    )
    rows = db.session.execute(
        sa.select(ConsultationAnswer.outcome, sa.func.count(Comment.id))
        .select_from(Comment)
        .join(Commitment, Commitment.id == Comment.commitment_id)
        .outerjoin(ConsultationAnswer, ConsultationAnswer.comment_id == Comment.id)
        .where(in_scope, Comment.hidden_at.is_(None), Comment.deleted_at.is_(None))
        .group_by(ConsultationAnswer.outcome)
    ).all()
    outcomes: Counter = Counter()
    total = 0
    for outcome, n in rows:
        total += n
        if outcome is not None:
            outcomes[ConsultationOutcome(outcome)] += n
    return Consultations(held=held or 0, comments=total,
                         by_outcome=[(o, outcomes.get(o, 0)) for o in ConsultationOutcome])


def elections(plan: ActionPlan, committee: Committee | None = None) -> list[ElectionTurnout]:
    """Each published election: the size of its frozen roll and the ballots cast (one statement)."""
    roll = (
        sa.select(RollEntry.election_id, sa.func.count(RollEntry.id).label("size"))
        .group_by(RollEntry.election_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Election.id, Election.title, Committee.name, sa.func.coalesce(roll.c.size, 0),
                  Election.ballot_count)
        .join(Committee, Committee.id == Election.committee_id)
        .outerjoin(roll, roll.c.election_id == Election.id)
        .where(Election.state == ElectionState.published,
               Election.committee_id.in_(_committee_ids(plan, committee)))
        .order_by(Election.published_at.desc(), Election.id.desc())
    ).all()
    return [ElectionTurnout(*row) for row in rows]


def _slow_figures(plan: ActionPlan, committee: Committee | None):
    return people(committee), public_comments(plan, committee), consultations(plan, committee)


def statistics(plan: ActionPlan, committee: Committee | None = None) -> Statistics:
    """The page's figures. People and comments (consultations' too) are counted over every
    account and every comment (hundreds of thousands, millions): kept per process for
    TRANSPARENCY_SECONDS (the page says when they were counted), so that a request does not read
    them all. The rest is read afresh: proposals from their kept counts, tables and elections
    from rows bounded by the plan's committees."""
    seconds = float(current_app.config.get("TRANSPARENCY_SECONDS", 600))
    (people_figures, comments, consulted), counted_at = facts.timed(
        f"transparency:{plan.id}:{committee.id if committee else ''}", seconds,
        lambda: _slow_figures(plan, committee))
    return Statistics(
        plan=plan,
        committee=committee,
        people=people_figures,
        proposals=proposals(plan, committee),
        comments=comments,
        tables=tables(plan, committee),
        consultations=consulted,
        elections=elections(plan, committee),
        counted_at=counted_at,
    )


def committees_of_plan(plan: ActionPlan) -> list[Committee]:
    return list(db.session.scalars(
        sa.select(Committee).where(Committee.plan_id == plan.id)
        .order_by(Committee.position, Committee.id)
    ))


def committee_of_plan(plan: ActionPlan, slug: str) -> Committee | None:
    return db.session.scalar(
        sa.select(Committee).where(Committee.plan_id == plan.id, Committee.slug == slug)
    )
