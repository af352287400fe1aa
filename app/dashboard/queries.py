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
from app.core.pagination import Page
from app.dashboard.figures import (
    TIMELINE_KEYS,
    CommitteeFigures,
    Figures,
    Period,
    public_conditions,
)
from app.extensions import db
from app.meetings.models import CommitteeSession, SessionAgreement
from app.meetings.queries import agreement_counts
from app.plans.models import ActionPlan, Committee, Theme
from app.progress.lights import Light, Lights, lights_for
from app.progress.models import ProgressNote, ReportReview, ReportState
from app.progress.queries import progress_of

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
class Dashboard:
    plan: ActionPlan
    committee: Committee | None
    today: date
    listed: Page  # of CommitmentSummary
    by_status: list[tuple[str, int]]  # (STATUS_KEYS item, count), every key
    by_theme: list[tuple[str, int]]  # (theme name or "", count), only themes with commitments
    by_committee: list[CommitteeFigures]  # every committee of the plan, in the plan's order
    timeline: list[Period]
    milestone_counts: dict[str, int]  # TIMELINE_KEYS -> count, plus "total"
    lights: Lights | None = None  # app/progress/lights.py: every public commitment's and milestone's
    light_counts: list[tuple[Light, int]] = field(default_factory=list)  # every light, in order
    agreements: dict[str, int] = field(default_factory=dict)  # the committees' sessions: open, late, done

    @property
    def total(self) -> int:
        """The public commitments the dashboard counts (all of them, not the listed page)."""
        return sum(n for _key, n in self.by_status)

    @property
    def summaries(self) -> list[CommitmentSummary]:
        return self.listed.items


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


DOCUMENT_ORDER = (Committee.position, Committee.id, Commitment.number, Commitment.id)


def public_commitments(plan_id: int, committee_id: int | None = None, *, offset: int = 0,
                       limit: int | None = None) -> list[Commitment]:
    """Public commitments of a plan (or of one committee), in the document's order, from `offset`
    (at most `limit`), with their committee, theme and milestones loaded: two statements. A slice
    is chosen among narrow rows (ids and the order's columns) and only its rows are read whole:
    the database does not sort the plan's long texts to keep fifty."""
    conditions = public_conditions(plan_id, committee_id)
    if limit is not None or offset:
        chosen = (
            sa.select(Commitment.id)
            .join(Committee, Committee.id == Commitment.committee_id)
            .where(*conditions)
            .order_by(*DOCUMENT_ORDER)
            .offset(offset)
            .limit(limit)
        )
        conditions = [Commitment.id.in_(chosen.scalar_subquery())]
    query = (
        sa.select(Commitment)
        .join(Commitment.committee)
        .options(contains_eager(Commitment.committee))
        .where(*conditions)
        .order_by(*DOCUMENT_ORDER)
    )
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


def commitment_page(plan_id: int, committee_id: int | None, page: int, total: int,
                    today: date) -> Page:
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
    return Page(summaries, total, page, per_page)


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
    # The lights move with published reports and the representatives' verdicts on them.
    reports = sa.select(
        sa.func.count(ProgressNote.id), sa.func.max(ProgressNote.published_at),
    ).join(Milestone, Milestone.id == ProgressNote.milestone_id).join(
        Commitment, Commitment.id == Milestone.commitment_id,
    ).where(*conditions, ProgressNote.state == ReportState.published)
    verdicts = sa.select(sa.func.count(ReportReview.id), sa.func.max(ReportReview.id)).join(
        ProgressNote, ProgressNote.id == ReportReview.note_id).join(
        Milestone, Milestone.id == ProgressNote.milestone_id).join(
        Commitment, Commitment.id == Milestone.commitment_id).where(*conditions)
    # The committees' sessions' agreements (open, late, done) move with new ones and done ones.
    sessions = sa.select(CommitteeSession.id).join(Committee, Committee.id == CommitteeSession.committee_id)
    sessions = sessions.where(Committee.id == committee.id) if committee is not None else sessions.where(
        Committee.plan_id == plan.id)
    agreements = sa.select(sa.func.count(SessionAgreement.id), sa.func.max(SessionAgreement.id),
                           sa.func.count(SessionAgreement.done_on)).where(
        SessionAgreement.session_id.in_(sessions))
    parts = [part.subquery() for part in (commitments, milestones, committees, themes, reports, verdicts,
                                          agreements)]
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
    """The dashboard of the plan (or of one committee) with page `page` of its commitments: eight
    statements whatever the number of commitments and milestones (the plan's figures, two; its
    committees; the page's commitments and their milestones; the lights, two; the agreements of
    the committees' sessions)."""
    today = today or clock.today()
    committee_id = committee.id if committee else None
    figures = Figures.of_plan(plan.id)
    by_status = figures.by_status(committee_id)
    total = sum(n for _key, n in by_status)
    timeline = figures.timeline(today, committee_id)
    milestone_counts = {k: sum(p.counts[k] for p in timeline) for k in TIMELINE_KEYS}
    lights = lights_for(sa.select(Commitment.id).where(*public_conditions(plan.id, committee_id)), today)
    counted = lights.counts()
    counted[Light.on_time] += total - len(lights.commitments)  # those without milestones
    return Dashboard(
        plan=plan,
        committee=committee,
        today=today,
        listed=commitment_page(plan.id, committee_id, page, total, today),
        by_status=by_status,
        by_theme=figures.by_theme(committee_id),
        by_committee=figures.by_committee(committees_of_plan(plan), today),
        timeline=timeline,
        milestone_counts={"total": sum(milestone_counts.values()), **milestone_counts},
        lights=lights,
        light_counts=list(counted.items()),
        agreements=agreement_counts(today, committee_id=committee_id,
                                    plan_id=None if committee_id else plan.id),
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
        .where(*public_conditions(plan_id))
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
