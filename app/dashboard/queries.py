"""Reads of «¿Cómo vamos?» and the printable plan, in a fixed number of SQL statements.

A page loads the plan's public commitments with one statement, all their milestones with one
more (filtered by the same conditions, not by a list of ids, which SQLAlchemy would split in
batches of 500) and their progress with one aggregate (app.progress.queries.progress_for);
totals and the timeline are counted in Python from those rows.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.commitments.models import (
    Commitment,
    CommitmentState,
    ImplementationStatus,
    Milestone,
    MilestoneStatus,
)
from app.core import clock
from app.extensions import db
from app.plans.models import ActionPlan, Committee
from app.progress.queries import progress_for

# The commitments the dashboard and the plan document show: formal ones, in force or withdrawn.
# Drafts (also those in consultation) are not part of the plan yet.
PUBLIC_STATES = (CommitmentState.published, CommitmentState.withdrawn)

# The dashboard's categories of commitments: the OGP scale, and withdrawn apart.
STATUS_KEYS = (*(s.value for s in ImplementationStatus), "withdrawn")

# The timeline's categories of milestones, each milestone in exactly one.
TIMELINE_KEYS = ("complete", "in_progress", "not_started", "late")


@dataclass(frozen=True)
class Progress:
    """A commitment's progress from its milestones: `percent` as app.progress computes it
    (complete ones count 1, in progress ½), with the counts the page states in words."""

    percent: int = 0
    total: int = 0
    complete: int = 0
    in_progress: int = 0

    @property
    def fraction(self) -> float:
        return self.percent / 100

    @classmethod
    def of(cls, percent: int, milestones: list[Milestone]) -> "Progress":
        statuses = Counter(m.status for m in milestones)
        return cls(percent, len(milestones), statuses[MilestoneStatus.complete],
                   statuses[MilestoneStatus.in_progress])


@dataclass
class CommitmentSummary:
    commitment: Commitment
    progress: Progress
    next_milestone: Milestone | None
    late: list[Milestone]

    @property
    def status_key(self) -> str:
        c = self.commitment
        return "withdrawn" if c.state == CommitmentState.withdrawn else c.implementation_status.value


@dataclass
class Period:
    """A quarter of the timeline: its milestones (by end date) counted by TIMELINE_KEYS."""

    year: int
    quarter: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def contains(self, day: date) -> bool:
        return (day.year, (day.month - 1) // 3 + 1) == (self.year, self.quarter)


@dataclass
class Dashboard:
    plan: ActionPlan
    committee: Committee | None
    today: date
    summaries: list[CommitmentSummary]
    by_status: list[tuple[str, int]]  # (STATUS_KEYS item, count), every key
    by_theme: list[tuple[str, int]]  # (theme name or "", count), only themes with commitments
    timeline: list[Period]
    milestone_counts: dict[str, int]  # TIMELINE_KEYS -> count, plus "total"


def _public(plan_id: int, committee_id: int | None = None) -> list:
    conditions = [Commitment.plan_id == plan_id, Commitment.state.in_(PUBLIC_STATES)]
    if committee_id is not None:
        conditions.append(Commitment.committee_id == committee_id)
    return conditions


def public_commitments(plan_id: int, committee_id: int | None = None) -> list[Commitment]:
    """The public commitments of a plan (or of one committee), in the document's order, with
    their committee, theme and milestones loaded: two statements whatever their number."""
    conditions = _public(plan_id, committee_id)
    commitments = db.session.scalars(
        sa.select(Commitment)
        .join(Commitment.committee)
        .options(contains_eager(Commitment.committee))
        .where(*conditions)
        .order_by(Committee.position, Committee.id, Commitment.number, Commitment.id)
    ).unique().all()
    milestones = db.session.scalars(
        sa.select(Milestone)
        .join(Milestone.commitment)
        .where(*conditions)
        .order_by(Milestone.commitment_id, Milestone.position, Milestone.id)
    ).all()
    grouped: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in milestones:
        grouped[milestone.commitment_id].append(milestone)
    for commitment in commitments:
        set_committed_value(commitment, "milestones", grouped.get(commitment.id, []))
    return commitments


def summarise(commitment: Commitment, progress: Progress, today: date) -> CommitmentSummary:
    pending = sorted(
        (m for m in commitment.milestones if m.status != MilestoneStatus.complete),
        key=lambda m: (m.ends_on, m.position, m.id),
    )
    return CommitmentSummary(
        commitment=commitment,
        progress=progress,
        next_milestone=pending[0] if pending else None,
        late=[m for m in pending if m.is_late(today)],
    )


def timeline_key(milestone: Milestone, today: date) -> str:
    if milestone.status == MilestoneStatus.complete:
        return "complete"
    if milestone.is_late(today):
        return "late"
    return milestone.status.value


def _quarters(first: tuple[int, int], last: tuple[int, int]):
    year, quarter = first
    while (year, quarter) <= last:
        yield year, quarter
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


# Beyond this many quarters between the first and the last milestone, empty quarters are left out.
MAX_CONTINUOUS_QUARTERS = 24


def build_timeline(milestones: list[Milestone], today: date) -> list[Period]:
    counts: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for milestone in milestones:
        when = (milestone.ends_on.year, (milestone.ends_on.month - 1) // 3 + 1)
        counts[when][timeline_key(milestone, today)] += 1
    if not counts:
        return []
    first, last = min(counts), max(counts)
    span = (last[0] - first[0]) * 4 + last[1] - first[1] + 1
    keys = list(_quarters(first, last)) if span <= MAX_CONTINUOUS_QUARTERS else sorted(counts)
    return [
        Period(year, quarter, {k: counts[(year, quarter)].get(k, 0) for k in TIMELINE_KEYS})
        for year, quarter in keys
    ]


def _weighted(column, enum_type, key):
    """sum(key × the value's position + 1): moves when any row's value changes."""
    return sa.func.coalesce(sa.func.sum(
        key * sa.case({member: position + 1 for position, member in enumerate(enum_type)},
                      value=column, else_=0)), 0)


def _text_length(column):
    return sa.func.coalesce(sa.func.sum(sa.func.length(sa.func.coalesce(column, ""))), 0)


def dashboard_version(plan: ActionPlan, committee: Committee | None = None) -> tuple:
    """What changes whenever the dashboard's body would, in one statement: the plan's (or the
    committee's) commitments, their milestones, the plan's committees and themes, by counts, the
    latest edit, and sums that move when a state, a status, a date, a name or a text changes. The
    key of the body's fragment (app/dashboard/views.py); the fragment's lifetime bounds what a
    change could still slip past (a text edited to one of the same length on the same day)."""
    from app.plans.models import Theme

    conditions = [Commitment.plan_id == plan.id]
    if committee is not None:
        conditions.append(Commitment.committee_id == committee.id)
    commitments = sa.select(
        sa.func.count(Commitment.id), sa.func.max(Commitment.id), sa.func.max(Commitment.updated_at),
        _text_length(Commitment.title), _text_length(Commitment.withdrawn_reason),
        _weighted(Commitment.state, CommitmentState, Commitment.id),
        _weighted(Commitment.implementation_status, ImplementationStatus, Commitment.id),
        sa.func.coalesce(sa.func.sum(Commitment.id * sa.func.coalesce(Commitment.theme_id, 0)), 0),
        sa.func.coalesce(sa.func.sum(Commitment.id * Commitment.committee_id), 0),
        sa.func.coalesce(sa.func.sum(Commitment.id * Commitment.number), 0),
    ).where(*conditions)
    milestones = sa.select(
        sa.func.count(Milestone.id), sa.func.max(Milestone.id),
        _weighted(Milestone.status, MilestoneStatus, Milestone.id),
        sa.func.min(Milestone.ends_on), sa.func.max(Milestone.ends_on),
        _text_length(Milestone.description),
        sa.func.coalesce(sa.func.sum(Milestone.id * Milestone.position), 0),
    ).join(Commitment, Commitment.id == Milestone.commitment_id).where(*conditions)
    committees = sa.select(
        sa.func.count(Committee.id), _text_length(Committee.name), _text_length(Committee.slug),
        _text_length(Committee.short_code),
        sa.func.coalesce(sa.func.sum(Committee.id * Committee.position), 0),
    ).where(Committee.plan_id == plan.id)
    themes = sa.select(sa.func.count(Theme.id), _text_length(Theme.name)).where(Theme.plan_id == plan.id)
    parts = [part.subquery() for part in (commitments, milestones, committees, themes)]
    joined = parts[0]
    for part in parts[1:]:  # each part is one row: joined side by side
        joined = joined.join(part, sa.true())
    row = db.session.execute(
        sa.select(*(column for part in parts for column in part.c)).select_from(joined)
    ).one()
    return tuple(str(value) for value in row)


def dashboard(plan: ActionPlan, committee: Committee | None = None,
              today: date | None = None) -> Dashboard:
    today = today or clock.today()
    committee_id = committee.id if committee else None
    commitments = public_commitments(plan.id, committee_id)
    # One statement, the same definition of progress as the commitment's own page.
    percents = progress_for(c.id for c in commitments)
    summaries = [
        summarise(c, Progress.of(percents.get(c.id, 0), c.milestones), today) for c in commitments
    ]

    status_counts = Counter(s.status_key for s in summaries)
    theme_counts = Counter(c.theme.name if c.theme else "" for c in commitments)
    by_theme = sorted(theme_counts.items(), key=lambda item: (-item[1], item[0] == "", item[0]))

    milestones = [m for c in commitments for m in c.milestones]
    milestone_counts = Counter(timeline_key(m, today) for m in milestones)
    return Dashboard(
        plan=plan,
        committee=committee,
        today=today,
        summaries=summaries,
        by_status=[(key, status_counts.get(key, 0)) for key in STATUS_KEYS],
        by_theme=by_theme,
        timeline=build_timeline(milestones, today),
        milestone_counts={"total": len(milestones), **{k: milestone_counts.get(k, 0) for k in TIMELINE_KEYS}},
    )


def committee_of_plan(plan: ActionPlan, slug: str) -> Committee | None:
    return db.session.scalar(
        sa.select(Committee).where(Committee.plan_id == plan.id, Committee.slug == slug)
    )


def committees_of_plan(plan: ActionPlan, *, with_members: bool = False) -> list[Committee]:
    query = sa.select(Committee).where(Committee.plan_id == plan.id).order_by(
        Committee.position, Committee.id
    )
    if with_members:
        query = query.options(selectinload(Committee.members))
    return list(db.session.scalars(query))


def plan_document(plan: ActionPlan) -> list[tuple[Committee, list[Commitment]]]:
    """The printable plan: every committee (with its members) and its public commitments."""
    committees = committees_of_plan(plan, with_members=True)
    by_committee: dict[int, list[Commitment]] = defaultdict(list)
    for commitment in public_commitments(plan.id):
        by_committee[commitment.committee_id].append(commitment)
    return [(committee, by_committee.get(committee.id, [])) for committee in committees]


@dataclass(frozen=True)
class PlanProgress:
    """The plan's public commitments and their milestones, counted (the home page's summary)."""

    commitments: int
    milestones: int
    complete: int
    late: int

    @property
    def percent_complete(self) -> int:
        return round(100 * self.complete / self.milestones) if self.milestones else 0


def plan_progress(plan_id: int, today: date | None = None) -> PlanProgress:
    """One statement: commitments in force, their milestones, complete ones and late ones."""
    today = today or clock.today()
    in_force = (Commitment.plan_id == plan_id, Commitment.state == CommitmentState.published)
    milestones = sa.select(Milestone.id, Milestone.status, Milestone.ends_on).join(
        Milestone.commitment).where(*in_force).subquery()
    not_done = milestones.c.status != MilestoneStatus.complete
    row = db.session.execute(sa.select(
        sa.select(sa.func.count(Commitment.id)).where(*in_force).scalar_subquery(),
        sa.select(sa.func.count(milestones.c.id)).scalar_subquery(),
        sa.select(sa.func.count(milestones.c.id))
        .where(milestones.c.status == MilestoneStatus.complete).scalar_subquery(),
        sa.select(sa.func.count(milestones.c.id))
        .where(not_done, milestones.c.ends_on < today).scalar_subquery(),
    )).one()
    return PlanProgress(*(n or 0 for n in row))
