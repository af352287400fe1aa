"""Reads of the overview pages: the plan's committees with their public commitments, what is open
now in the plan (the home page), and a signed-in person's own things (their panel).

Each gathers the areas' own reads (their visible() filters included), so that hidden, unpublished
or withdrawn content cannot reach these pages by a road of its own; each page sends a fixed number
of statements whatever the data.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.calls import queries as calls
from app.commitments.models import Commitment
from app.commitments.queries import visible as visible_commitment
from app.consultations import queries as consultations
from app.core.clock import now as clock_now
from app.core.clock import today as clock_today
from app.core.clock import utc_to_local
from app.core.urls import safe_next
from app.dashboard.figures import PlanProgress, plan_progress
from app.dialogues import queries as dialogues
from app.elections import queries as elections
from app.elections.models import CandidateState
from app.extensions import db
from app.notifications import queries as notifications
from app.plans.models import ActionPlan, Committee, Phase
from app.proposals import queries as proposals

# How many of each list the home page shows (each list links to the whole).
HOME_LIST = 3
# Consultations open at once can be many (one per draft): the home page names the first few.
HOME_CONSULTATIONS = 4


def committees_with_counts(plan: ActionPlan) -> list[tuple[Committee, int]]:
    counts = (
        sa.select(Commitment.committee_id, sa.func.count(Commitment.id).label("n"))
        .where(visible_commitment())
        .group_by(Commitment.committee_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Committee, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.committee_id == Committee.id)
        .where(Committee.plan_id == plan.id)
        .order_by(Committee.position)
        .options(selectinload(Committee.members))
    ).all()
    return [(committee, n) for committee, n in rows]


def days_left(closes_at: datetime, today: date) -> int:
    """Whole days from today to the closing day, in the plan's zone (0: it closes today)."""
    return max(0, (utc_to_local(closes_at).date() - today).days)


@dataclass
class OpenNow:
    """What can be done today in the plan, each list soonest-closing first."""

    today: date
    calls: list = field(default_factory=list)  # Call
    elections: list = field(default_factory=list)  # (Election, roll size)
    consultations: list = field(default_factory=list)  # Consultation (commitment loaded)
    tables: list = field(default_factory=list)  # DialogueTable
    proposals: list = field(default_factory=list)  # Proposal
    answers: list = field(default_factory=list)  # (ProposalAnswer, Proposal)
    progress: PlanProgress | None = None
    may_vote: set = field(default_factory=set)  # ids of elections the signed-in organisation may vote in
    current_phases: list = field(default_factory=list)  # Phase
    next_phase: Phase | None = None

    @property
    def ballot_to_cast(self):
        """The election closing soonest where the signed-in organisation may still vote."""
        return next((e for e, _size in self.elections if e.id in self.may_vote), None)

    @property
    def consultations_shown(self) -> list:
        return self.consultations[:HOME_CONSULTATIONS]

    @property
    def anything_open(self) -> bool:
        return bool(self.calls or self.elections or self.consultations or self.tables)


def open_now(plan: ActionPlan, user=None) -> OpenNow:
    """What is open in the plan today: about ten statements, whatever the number of items."""
    moment, today = clock_now(), clock_today()
    result = OpenNow(
        today=today,
        calls=calls.open_calls(plan.id, moment),
        elections=elections.voting_now(plan.id, moment),
        consultations=consultations.open_consultations(plan.id, moment),
        tables=dialogues.next_tables(plan.id, moment, HOME_LIST),
        proposals=proposals.latest_proposals(plan.id, HOME_LIST),
        answers=proposals.latest_answers(plan.id, HOME_LIST),
        progress=plan_progress(plan.id, today),
    )
    if result.elections and user is not None and getattr(user, "is_organisation", False):
        result.may_vote = {e.id for e in elections.ballots_pending_for(user.id, moment)}
    result.current_phases = [p for p in plan.phases if p.status_on(today) == "current"]
    upcoming = [p for p in plan.phases if p.status_on(today) == "upcoming"]
    result.next_phase = min(upcoming, key=lambda p: (p.starts_on, p.position), default=None)
    return result


@dataclass
class Panel:
    """A signed-in person's own things."""

    proposals: list
    answers: list  # (ProposalAnswer, Proposal)
    ballots: list  # Election
    applications: list  # CallApplication, pending
    nominations: list  # Candidate, waiting for the person's answer
    comments: list  # (Comment, Commitment, ConsultationAnswer | None)
    registrations: list  # TableRegistration, coming first
    notifications: list  # (Notification, target, params)
    now: datetime


def panel_for(user) -> Panel:
    moment = clock_now()
    organisation = user.is_organisation
    latest = notifications.page_for(user.id, 1, per_page=5).items
    shown = notifications.without_hidden_titles([(n.params, n.url) for n in latest])
    return Panel(
        proposals=proposals.proposals_of_author(user.id),
        answers=proposals.answers_to_author(user.id),
        ballots=elections.ballots_pending_for(user.id, moment) if organisation else [],
        applications=calls.pending_applications_of(user.id) if organisation else [],
        nominations=[c for c in elections.nominations_for_person(user.id)
                     if c.state == CandidateState.pending],
        comments=consultations.comments_of_author(user.id),
        registrations=dialogues.registrations_of(user.id, moment),
        notifications=[(n, safe_next(n.url), params) for n, params in zip(latest, shown, strict=True)],
        now=moment,
    )
