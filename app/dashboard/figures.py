"""The figures of «¿Cómo vamos?» counted by the database: commitments by status, theme and
committee, milestones by quarter and by how they stand today, and the home page's summary.

Each is read in a fixed number of GROUP BY statements whatever the size of the plan
(`Figures.of_plan`, `plan_progress`); the dashboard's page (app/dashboard/queries.py) sums them
for the plan or for one committee.
"""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.commitments.models import (
    Commitment,
    CommitmentState,
    ImplementationStatus,
    Milestone,
    MilestoneStatus,
)
from app.core import clock
from app.extensions import db
from app.plans.models import Committee, Theme

# The commitments the dashboard and the plan document show: formal ones, in force or withdrawn.
# Drafts (also those in consultation) are not part of the plan yet.
PUBLIC_STATES = (CommitmentState.published, CommitmentState.withdrawn)

# The dashboard's categories of commitments: the OGP scale, and withdrawn apart.
STATUS_KEYS = (*(s.value for s in ImplementationStatus), "withdrawn")

# The timeline's categories of milestones, each milestone in exactly one.
TIMELINE_KEYS = ("complete", "in_progress", "not_started", "late")


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
class CommitteeFigures:
    """One committee's line of the plan's dashboard: its public commitments and their milestones."""

    committee: Committee
    commitments: int = 0
    milestones: int = 0
    complete: int = 0
    late: int = 0

    @property
    def percent_complete(self) -> int:
        return round(100 * self.complete / self.milestones) if self.milestones else 0


def public_conditions(plan_id: int, committee_id: int | None = None) -> list:
    conditions = [Commitment.plan_id == plan_id, Commitment.state.in_(PUBLIC_STATES)]
    if committee_id is not None:
        conditions.append(Commitment.committee_id == committee_id)
    return conditions


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


def _timeline_of(counts: dict[tuple[int, int], Counter]) -> list[Period]:
    if not counts:
        return []
    first, last = min(counts), max(counts)
    span = (last[0] - first[0]) * 4 + last[1] - first[1] + 1
    keys = list(_quarters(first, last)) if span <= MAX_CONTINUOUS_QUARTERS else sorted(counts)
    return [
        Period(year, quarter, {k: counts[(year, quarter)].get(k, 0) for k in TIMELINE_KEYS})
        for year, quarter in keys
    ]


def build_timeline(milestones: list[Milestone], today: date) -> list[Period]:
    """The timeline of milestones already loaded (the same as milestone_periods counts)."""
    counts: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for milestone in milestones:
        when = (milestone.ends_on.year, (milestone.ends_on.month - 1) // 3 + 1)
        counts[when][timeline_key(milestone, today)] += 1
    return _timeline_of(counts)


@dataclass(frozen=True)
class Figures:
    """The plan's public commitments and milestones counted by the database, in two GROUP BY
    statements whatever their number; each figure of the dashboard, for the plan or for one
    committee, is a sum over these rows.

    `commitments`: (committee id, state, implementation status, theme name or "") → count: at
    most committees × 2 × 4 × themes rows. `milestones`: (committee id, end date, status) → count:
    at most committees × the days on which milestones end × 3 rows, bounded by the plan's calendar,
    not by the number of milestones (grouping by the date itself is cheaper for the database than
    computing a quarter or a late flag for every row, and the quarter and lateness are the
    date's)."""

    commitments: dict[tuple, int]
    milestones: dict[tuple, int]

    @classmethod
    def of_plan(cls, plan_id: int) -> "Figures":
        public = public_conditions(plan_id)
        commitments: Counter = Counter()
        for committee_id, state, status, theme, n in db.session.execute(
            sa.select(Commitment.committee_id, Commitment.state, Commitment.implementation_status,
                      Theme.name, sa.func.count(Commitment.id))
            .outerjoin(Theme, Theme.id == Commitment.theme_id)
            .where(*public)
            .group_by(Commitment.committee_id, Commitment.state, Commitment.implementation_status,
                      Theme.id, Theme.name)
        ):
            key = "withdrawn" if state == CommitmentState.withdrawn else status.value
            commitments[(committee_id, key, theme or "")] += n
        milestones = dict(
            ((committee_id, ends_on, MilestoneStatus(status)), n)
            for committee_id, ends_on, status, n in db.session.execute(
                sa.select(Commitment.committee_id, Milestone.ends_on, Milestone.status,
                          sa.func.count(Milestone.id))
                .join(Commitment, Commitment.id == Milestone.commitment_id)
                .where(*public)
                .group_by(Commitment.committee_id, Milestone.ends_on, Milestone.status)
            )
        )
        return cls(dict(commitments), milestones)

    def by_status(self, committee_id: int | None = None) -> list[tuple[str, int]]:
        counts: Counter = Counter()
        for (committee, key, _theme), n in self.commitments.items():
            if committee_id in (None, committee):
                counts[key] += n
        return [(key, counts.get(key, 0)) for key in STATUS_KEYS]

    def by_theme(self, committee_id: int | None = None) -> list[tuple[str, int]]:
        """(theme name or "", count), most first, "no theme" after its equals."""
        counts: Counter = Counter()
        for (committee, _key, theme), n in self.commitments.items():
            if committee_id in (None, committee):
                counts[theme] += n
        return sorted(counts.items(), key=lambda item: (-item[1], item[0] == "", item[0]))

    @staticmethod
    def timeline_key(ends_on: date, status: MilestoneStatus, today: date) -> str:
        """timeline_key() of a milestone with this end date and status."""
        if status == MilestoneStatus.complete:
            return "complete"
        return "late" if ends_on < today else status.value

    def timeline(self, today: date, committee_id: int | None = None) -> list[Period]:
        counts: dict[tuple[int, int], Counter] = defaultdict(Counter)
        for (committee, ends_on, status), n in self.milestones.items():
            if committee_id in (None, committee):
                when = (ends_on.year, (ends_on.month - 1) // 3 + 1)
                counts[when][self.timeline_key(ends_on, status, today)] += n
        return _timeline_of(counts)

    def by_committee(self, committees: list[Committee], today: date) -> list[CommitteeFigures]:
        figures = {c.id: CommitteeFigures(c) for c in committees}
        for (committee, _key, _theme), n in self.commitments.items():
            if committee in figures:
                figures[committee].commitments += n
        for (committee, ends_on, status), n in self.milestones.items():
            line = figures.get(committee)
            if line is None:
                continue
            line.milestones += n
            key = self.timeline_key(ends_on, status, today)
            if key == "complete":
                line.complete += n
            elif key == "late":
                line.late += n
        return list(figures.values())


# ---------------------------------------------------------------- the home page's summary

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
