"""Reads of «¿Cómo vamos?» and the printable plan.

The dashboard's figures (commitments by status, by theme and by committee, milestones by quarter
and by how they stand today) are counted by the database, in a fixed number of GROUP BY
statements whatever the size of the plan; the page lists one page of commitments (PER_PAGE) with
their milestones, two statements more. Nothing on the dashboard loads every commitment or every
milestone of the plan. The printable plan is the whole plan: it is read committee by committee
in batches (plan_sheets) as the page streams out.
"""
from collections import Counter, defaultdict
from collections.abc import Iterator
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
from app.plans.models import ActionPlan, Committee, Theme
from app.progress.queries import progress_of

# The commitments the dashboard and the plan document show: formal ones, in force or withdrawn.
# Drafts (also those in consultation) are not part of the plan yet.
PUBLIC_STATES = (CommitmentState.published, CommitmentState.withdrawn)

# The dashboard's categories of commitments: the OGP scale, and withdrawn apart.
STATUS_KEYS = (*(s.value for s in ImplementationStatus), "withdrawn")

# The timeline's categories of milestones, each milestone in exactly one.
TIMELINE_KEYS = ("complete", "in_progress", "not_started", "late")

# Commitments listed on one page of a dashboard (the figures always count them all). A plan of a
# few dozen commitments fits on one page, as the demo plan does.
PER_PAGE = 50

# Commitments of the printable plan read (and rendered, then let go) at a time.
PRINT_BATCH = 250


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


@dataclass
class CommitmentPage:
    """One page of a dashboard's list (the pagination macro reads page, pages, numbers())."""

    summaries: list[CommitmentSummary]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.summaries else 0

    @property
    def last(self) -> int:
        return self.first + len(self.summaries) - 1 if self.summaries else 0

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, with None where a gap is shown: 1 … 4 5 [6] 7 8 … 20."""
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        result: list[int | None] = []
        for n in sorted(n for n in wanted if 1 <= n <= self.pages):
            if result and n - result[-1] > 1:
                result.append(None)
            result.append(n)
        return result


@dataclass
class Dashboard:
    plan: ActionPlan
    committee: Committee | None
    today: date
    listed: CommitmentPage
    by_status: list[tuple[str, int]]  # (STATUS_KEYS item, count), every key
    by_theme: list[tuple[str, int]]  # (theme name or "", count), only themes with commitments
    by_committee: list[CommitteeFigures]  # every committee of the plan, in the plan's order
    timeline: list[Period]
    milestone_counts: dict[str, int]  # TIMELINE_KEYS -> count, plus "total"

    @property
    def total(self) -> int:
        """The public commitments the dashboard counts (all of them, not the listed page)."""
        return sum(n for _key, n in self.by_status)

    @property
    def summaries(self) -> list[CommitmentSummary]:
        return self.listed.summaries


def _public(plan_id: int, committee_id: int | None = None) -> list:
    conditions = [Commitment.plan_id == plan_id, Commitment.state.in_(PUBLIC_STATES)]
    if committee_id is not None:
        conditions.append(Commitment.committee_id == committee_id)
    return conditions


def _with_milestones(commitments: list[Commitment]) -> list[Commitment]:
    """Sets each commitment's milestones, in their order, with one statement (a bounded list of
    ids: a page or a batch)."""
    grouped: dict[int, list[Milestone]] = defaultdict(list)
    if commitments:
        for milestone in db.session.scalars(
            sa.select(Milestone)
            .where(Milestone.commitment_id.in_([c.id for c in commitments]))
            .order_by(Milestone.commitment_id, Milestone.position, Milestone.id)
        ):
            grouped[milestone.commitment_id].append(milestone)
    for commitment in commitments:
        set_committed_value(commitment, "milestones", grouped.get(commitment.id, []))
    return commitments


def _in_document_order(conditions: list):
    return (
        sa.select(Commitment)
        .join(Commitment.committee)
        .options(contains_eager(Commitment.committee))
        .where(*conditions)
        .order_by(Committee.position, Committee.id, Commitment.number, Commitment.id)
    )


def public_commitments(plan_id: int, committee_id: int | None = None, *, offset: int = 0,
                       limit: int | None = None) -> list[Commitment]:
    """Public commitments of a plan (or of one committee), in the document's order, from `offset`
    (at most `limit`), with their committee, theme and milestones loaded: two statements."""
    query = _in_document_order(_public(plan_id, committee_id)).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return _with_milestones(list(db.session.scalars(query).unique()))


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


# ---------------------------------------------------------------- the figures, counted in SQL

def _timeline_key_column(today: date):
    """timeline_key() in SQL."""
    return sa.case(
        (Milestone.status == MilestoneStatus.complete, "complete"),
        (Milestone.ends_on < today, "late"),
        (Milestone.status == MilestoneStatus.in_progress, "in_progress"),
        else_="not_started",
    )


def status_counts(plan_id: int, committee_id: int | None = None) -> list[tuple[str, int]]:
    """(STATUS_KEYS item, public commitments) for every key: one GROUP BY."""
    counts: Counter = Counter()
    for state, status, n in db.session.execute(
        sa.select(Commitment.state, Commitment.implementation_status, sa.func.count(Commitment.id))
        .where(*_public(plan_id, committee_id))
        .group_by(Commitment.state, Commitment.implementation_status)
    ):
        counts["withdrawn" if state == CommitmentState.withdrawn else status.value] += n
    return [(key, counts.get(key, 0)) for key in STATUS_KEYS]


def theme_counts(plan_id: int, committee_id: int | None = None) -> list[tuple[str, int]]:
    """(theme name or "", public commitments), most first, "no theme" after its equals: one
    GROUP BY."""
    rows = db.session.execute(
        sa.select(Theme.name, sa.func.count(Commitment.id))
        .select_from(Commitment)
        .outerjoin(Theme, Theme.id == Commitment.theme_id)
        .where(*_public(plan_id, committee_id))
        .group_by(Theme.id, Theme.name)
    ).all()
    counts: Counter = Counter()
    for name, n in rows:
        counts[name or ""] += n
    return sorted(counts.items(), key=lambda item: (-item[1], item[0] == "", item[0]))


def milestone_periods(plan_id: int, committee_id: int | None, today: date) -> list[Period]:
    """The public commitments' milestones by the quarter they end in and TIMELINE_KEYS: one
    GROUP BY (by year and month, folded into quarters here: at most 12 rows a year)."""
    keyed = (
        sa.select(
            sa.extract("year", Milestone.ends_on).label("year"),
            sa.extract("month", Milestone.ends_on).label("month"),
            _timeline_key_column(today).label("key"),
        )
        .join(Commitment, Commitment.id == Milestone.commitment_id)
        .where(*_public(plan_id, committee_id))
        .subquery()
    )
    counts: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for year, month, key, n in db.session.execute(
        sa.select(keyed.c.year, keyed.c.month, keyed.c.key, sa.func.count())
        .group_by(keyed.c.year, keyed.c.month, keyed.c.key)
    ):
        counts[(int(year), (int(month) - 1) // 3 + 1)][key] += n
    return _timeline_of(counts)


def committee_figures(plan_id: int, today: date) -> list[CommitteeFigures]:
    """Every committee of the plan, in its order, with its public commitments and their
    milestones counted: one statement (two GROUP BY joined to the committees)."""
    public = _public(plan_id)
    commitments = (
        sa.select(Commitment.committee_id, sa.func.count(Commitment.id).label("n"))
        .where(*public).group_by(Commitment.committee_id).subquery()
    )
    late = sa.and_(Milestone.status != MilestoneStatus.complete, Milestone.ends_on < today)
    milestones = (
        sa.select(
            Commitment.committee_id,
            sa.func.count(Milestone.id).label("n"),
            sa.func.sum(sa.case((Milestone.status == MilestoneStatus.complete, 1), else_=0)).label("complete"),
            sa.func.sum(sa.case((late, 1), else_=0)).label("late"),
        )
        .join(Commitment, Commitment.id == Milestone.commitment_id)
        .where(*public).group_by(Commitment.committee_id).subquery()
    )
    rows = db.session.execute(
        sa.select(Committee, commitments.c.n, milestones.c.n, milestones.c.complete, milestones.c.late)
        .outerjoin(commitments, commitments.c.committee_id == Committee.id)
        .outerjoin(milestones, milestones.c.committee_id == Committee.id)
        .where(Committee.plan_id == plan_id)
        .order_by(Committee.position, Committee.id)
    ).all()
    return [CommitteeFigures(committee, *(int(n or 0) for n in numbers))
            for committee, *numbers in rows]


def commitment_page(plan_id: int, committee_id: int | None, page: int, total: int,
                    today: date) -> CommitmentPage:
    """Page `page` (from 1) of the public commitments, summarised from their milestones: two
    statements. A page past the last one is empty (the view answers 404)."""
    per_page = PER_PAGE
    offset = (page - 1) * per_page
    commitments = public_commitments(plan_id, committee_id, offset=offset,
                                     limit=per_page) if offset < total else []
    summaries = [
        summarise(c, Progress.of(progress_of(c, c.milestones), c.milestones), today)
        for c in commitments
    ]
    return CommitmentPage(summaries, total, page, per_page)


def dashboard_version(plan: ActionPlan, committee: Committee | None = None) -> tuple:
    """What changes whenever the dashboard's body would, in one statement: the plan's (or the
    committee's) commitments, their milestones, the plan's committees and themes, by counts, the
    latest edit, and sums that move when a state, a status, a date, a name or a text changes. The
    key of the body's fragment (app/dashboard/views.py); the fragment's lifetime bounds what a
    change could still slip past (a text edited to one of the same length on the same day)."""
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


def _weighted(column, enum_type, key):
    """sum(key × the value's position + 1): moves when any row's value changes."""
    return sa.func.coalesce(sa.func.sum(
        key * sa.case({member: position + 1 for position, member in enumerate(enum_type)},
                      value=column, else_=0)), 0)


def _text_length(column):
    return sa.func.coalesce(sa.func.sum(sa.func.length(sa.func.coalesce(column, ""))), 0)


def dashboard(plan: ActionPlan, committee: Committee | None = None, today: date | None = None,
              page: int = 1) -> Dashboard:
    """The dashboard of the plan (or of one committee) with page `page` of its commitments: six
    statements whatever the number of commitments and milestones."""
    today = today or clock.today()
    committee_id = committee.id if committee else None
    by_status = status_counts(plan.id, committee_id)
    total = sum(n for _key, n in by_status)
    timeline = milestone_periods(plan.id, committee_id, today)
    milestone_counts = {k: sum(p.counts[k] for p in timeline) for k in TIMELINE_KEYS}
    return Dashboard(
        plan=plan,
        committee=committee,
        today=today,
        listed=commitment_page(plan.id, committee_id, page, total, today),
        by_status=by_status,
        by_theme=theme_counts(plan.id, committee_id),
        by_committee=committee_figures(plan.id, today),
        timeline=timeline,
        milestone_counts={"total": sum(milestone_counts.values()), **milestone_counts},
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


# ---------------------------------------------------------------- the printable plan

def plan_contents(plan_id: int) -> dict[int, list[tuple[int, int, str]]]:
    """{committee id: [(id, number, title)]} of the public commitments, for the document's table
    of contents: one statement of three columns (the sheets are read later, in batches)."""
    contents: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for committee_id, commitment_id, number, title in db.session.execute(
        sa.select(Commitment.committee_id, Commitment.id, Commitment.number, Commitment.title)
        .where(*_public(plan_id))
        .order_by(Commitment.committee_id, Commitment.number, Commitment.id)
    ):
        contents[committee_id].append((commitment_id, number, title))
    return contents


def plan_sheets(plan_id: int, committee_id: int) -> Iterator[Commitment]:
    """The committee's public commitments with their milestones, in the document's order, read
    PRINT_BATCH at a time (two statements a batch); a batch is let go of when the next one is
    read, so a streamed page holds one batch at a time whatever the size of the plan."""
    offset = 0
    while True:
        batch = public_commitments(plan_id, committee_id, offset=offset, limit=PRINT_BATCH)
        yield from batch
        for commitment in batch:  # the milestones go with it (cascade)
            if commitment in db.session:
                db.session.expunge(commitment)
        if len(batch) < PRINT_BATCH:
            return
        offset += PRINT_BATCH


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
