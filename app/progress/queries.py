"""Reads of implementation: derived progress, late milestones, followers, the panel, evidence.

`progress_of` and `late_milestones` are pure functions over milestones already loaded;
`progress_for` and `late_counts_for` compute the same for many commitments in one statement
each (for the dashboard).
"""
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import User
from app.commitments.models import (
    IMPLEMENTATION_LABELS,
    MILESTONE_STATUS_LABELS,
    Commitment,
    CommitmentState,
    ImplementationStatus,
    Milestone,
    MilestoneStatus,
)
from app.core import clock
from app.core.audit import AuditEntry
from app.extensions import db
from app.follows import queries as follows
from app.progress.models import Evidence, ProgressNote

# Commitments whose implementation is tracked (progress, notes, status).
TRACKED_STATES = (CommitmentState.published, CommitmentState.withdrawn)
STATUS_ACTION = "progress.set_status"


def commitment_visible(commitment: Commitment | None) -> bool:
    """Drafts (and anything hidden) are not public, and neither is their evidence."""
    return (
        commitment is not None
        and commitment.is_public
        and getattr(commitment, "hidden_at", None) is None
    )


# ---------------------------------------------------------------- derived progress (pure)

# A complete milestone counts in full, one in progress counts half: two "points" and one.
_POINTS = {MilestoneStatus.complete: 2, MilestoneStatus.in_progress: 1}


def _percentage(points: int, count: int) -> int:
    """points out of 2·count as a whole percentage, rounded half up (12.5 → 13)."""
    if not count:
        return 0
    return (100 * points + count) // (2 * count)


def progress_of(commitment: Commitment, milestones: Iterable[Milestone] | None = None) -> int:
    """Share of the milestones done, 0–100 (in progress counts half); 0 without milestones."""
    items = list(commitment.milestones if milestones is None else milestones)
    return _percentage(sum(_POINTS.get(m.status, 0) for m in items), len(items))


def late_milestones(
    commitment: Commitment, today: date, milestones: Iterable[Milestone] | None = None
) -> list[Milestone]:
    """Milestones past their end date and not complete, in the commitment's order."""
    items = commitment.milestones if milestones is None else milestones
    return [m for m in items if m.is_late(today)]


# ---------------------------------------------------------------- the same, for many at once

def progress_for(commitment_ids: Iterable[int]) -> dict[int, int]:
    """{commitment id: progress 0–100} in one statement; 0 for a commitment without milestones."""
    ids = sorted(set(commitment_ids))
    if not ids:
        return {}
    points = sa.case(
        (Milestone.status == MilestoneStatus.complete, 2),
        (Milestone.status == MilestoneStatus.in_progress, 1),
        else_=0,
    )
    rows = db.session.execute(
        sa.select(Milestone.commitment_id, sa.func.sum(points), sa.func.count(Milestone.id))
        .where(Milestone.commitment_id.in_(ids))
        .group_by(Milestone.commitment_id)
    ).all()
    result = dict.fromkeys(ids, 0)
    for commitment_id, total, count in rows:
        result[commitment_id] = _percentage(int(total or 0), int(count))
    return result


def late_counts_for(commitment_ids: Iterable[int], today: date) -> dict[int, int]:
    """{commitment id: number of late milestones} in one statement."""
    ids = sorted(set(commitment_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Milestone.commitment_id, sa.func.count(Milestone.id))
        .where(
            Milestone.commitment_id.in_(ids),
            Milestone.ends_on < today,
            Milestone.status != MilestoneStatus.complete,
        )
        .group_by(Milestone.commitment_id)
    ).all()
    result = dict.fromkeys(ids, 0)
    result.update({commitment_id: int(count) for commitment_id, count in rows})
    return result


# ---------------------------------------------------------------- followers

def followers_of(commitment: Commitment) -> list[User]:
    """The active accounts following the commitment (app/follows)."""
    return follows.followers("commitment", commitment.id)


# ---------------------------------------------------------------- the panel

@dataclass
class Panel:
    """What the progress panel of a commitment shows."""

    commitment: Commitment
    tracked: bool
    milestones: list[Milestone] = field(default_factory=list)
    notes: dict[int, list[ProgressNote]] = field(default_factory=dict)
    late_ids: set[int] = field(default_factory=set)
    progress: int = 0
    status_changes: list[AuditEntry] = field(default_factory=list)
    today: date | None = None
    status_form: object = None  # set by the view helper for those who may change the status

    @property
    def late_count(self) -> int:
        return len(self.late_ids)

    @staticmethod
    def milestone_label(status) -> str:
        return str(MILESTONE_STATUS_LABELS[MilestoneStatus(status)])

    @staticmethod
    def implementation_label(status) -> str:
        try:
            return str(IMPLEMENTATION_LABELS[ImplementationStatus(status)])
        except ValueError:
            return str(status or "")


def panel_for(commitment: Commitment, user=None, today: date | None = None) -> Panel:
    """Everything the panel shows, in a fixed number of statements whatever the data size."""
    today = today or clock.today()
    panel = Panel(commitment=commitment, tracked=commitment.state in TRACKED_STATES,
                  today=today)
    if not panel.tracked:
        return panel
    panel.milestones = list(
        db.session.scalars(
            sa.select(Milestone)
            .where(Milestone.commitment_id == commitment.id)
            .order_by(Milestone.position, Milestone.id)
        )
    )
    notes = db.session.scalars(
        sa.select(ProgressNote)
        .join(Milestone, Milestone.id == ProgressNote.milestone_id)
        .where(Milestone.commitment_id == commitment.id)
        .options(
            selectinload(ProgressNote.evidence),
            joinedload(ProgressNote.author).lazyload(User.moderator_scopes),
        )
        .order_by(ProgressNote.noted_on.desc(), ProgressNote.id.desc())
    ).unique()
    grouped: dict[int, list[ProgressNote]] = defaultdict(list)
    for note in notes:
        grouped[note.milestone_id].append(note)
    panel.notes = dict(grouped)
    panel.progress = progress_of(commitment, panel.milestones)
    panel.late_ids = {m.id for m in late_milestones(commitment, today, panel.milestones)}
    panel.status_changes = status_changes(commitment)
    return panel


def status_changes(commitment: Commitment) -> list[AuditEntry]:
    """The public record of the commitment's changes of implementation status, newest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(
                AuditEntry.action == STATUS_ACTION,
                AuditEntry.target_type == "Commitment",
                AuditEntry.target_id == commitment.id,
                AuditEntry.public.is_(True),
            )
            .options(joinedload(AuditEntry.actor).lazyload(User.moderator_scopes))
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        )
    )


# ---------------------------------------------------------------- evidence

def evidence_file(evidence_id: int) -> Evidence | None:
    """An uploaded file of a public commitment, or None (links, drafts, hidden commitments)."""
    evidence = db.session.scalar(
        sa.select(Evidence)
        .where(Evidence.id == evidence_id, Evidence.stored_name.is_not(None))
        .options(
            joinedload(Evidence.note).joinedload(ProgressNote.milestone).joinedload(Milestone.commitment)
        )
    )
    if evidence is None or not commitment_visible(evidence.note.milestone.commitment):
        return None
    return evidence
