"""Reads of implementation: derived progress, late milestones, followers, the panel, evidence.

`progress_of` and `late_milestones` are pure functions over milestones already loaded;
`progress_for` and `late_counts_for` compute the same for many commitments in one statement
each (for the dashboard).
"""
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import ModeratorScope, Role, User
from app.commitments.models import (
    IMPLEMENTATION_LABELS,
    MILESTONE_STATUS_LABELS,
    Commitment,
    CommitmentState,
    ImplementationStatus,
    Milestone,
    MilestoneStatus,
)
from app.core import clock, uow
from app.core.audit import AuditEntry
from app.extensions import db
from app.follows import queries as follows
from app.plans.models import CommitteeMember, MemberKind
from app.progress import lights
from app.progress.models import (
    CommitmentOfficial,
    Evidence,
    ProgressNote,
    ReportReview,
    ReportState,
)

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


# ---------------------------------------------------------------- who drafts, who checks

SEATS = (MemberKind.cs_titular, MemberKind.cs_suplente)


def is_official(actor, commitment: Commitment) -> bool:
    """Whether `actor` is a current responsible official of the commitment (one statement)."""
    return actor is not None and db.session.scalar(
        sa.select(CommitmentOfficial.id).where(
            CommitmentOfficial.commitment_id == commitment.id,
            CommitmentOfficial.user_id == actor.id,
            CommitmentOfficial.ended_at.is_(None),
        ).limit(1)
    ) is not None


@dataclass(frozen=True)
class Standing:
    """What a person is on a commitment now: one of its responsible officials, and whether they
    hold a civil-society seat (titular or suplente) on its committee."""
    official: bool
    seated: bool


STANDING = "cocrea_progress_standing"  # in `g`: {(user id, commitment id): Standing}


@functools.cache
def _standing_statement():
    """Built once per process, the person and commitment as parameters (thread-safe: immutable)."""
    user_id = sa.bindparam("user_id", type_=sa.Integer)
    official = sa.exists().where(
        CommitmentOfficial.commitment_id == sa.bindparam("commitment_id", type_=sa.Integer),
        CommitmentOfficial.user_id == user_id, CommitmentOfficial.ended_at.is_(None))
    seated = sa.exists().where(
        CommitteeMember.committee_id == sa.bindparam("committee_id", type_=sa.Integer),
        CommitteeMember.user_id == user_id, CommitteeMember.kind.in_(SEATS),
        CommitteeMember.term_end.is_(None))
    return sa.select(official, seated)


def standing(actor, commitment: Commitment) -> Standing:
    """`actor`'s Standing on the commitment, in one statement, kept for the request until data
    changes (the permission rules of a commitment's page ask both: who drafts, who reviews)."""
    if actor is None or getattr(actor, "id", None) is None:
        return Standing(False, False)
    memo = g.setdefault(STANDING, {}) if has_request_context() else {}
    key = (actor.id, commitment.id)
    found = memo.get(key)
    if found is None:
        row = db.session.execute(_standing_statement(), {
            "user_id": actor.id, "commitment_id": commitment.id,
            "committee_id": commitment.committee_id}).one()
        found = memo[key] = Standing(bool(row[0]), bool(row[1]))
    return found


def standing_alongside(actor, commitment: Commitment):
    """(statement, parameters, keep) of `actor`'s standing, for a page that reads it alongside
    its own version (app/core/read_along.py): `keep(values)` puts what it read where `standing`
    finds it. None for an anonymous reader, whose standing needs no statement."""
    if actor is None or getattr(actor, "id", None) is None:
        return None

    def keep(values) -> None:
        if has_request_context():
            g.setdefault(STANDING, {})[(actor.id, commitment.id)] = Standing(bool(values[0]), bool(values[1]))

    return _standing_statement(), {"user_id": actor.id, "commitment_id": commitment.id,
                                   "committee_id": commitment.committee_id}, keep


@uow.on_data_changed
def _forget_standing() -> None:
    """A flush or rollback may have named or ended an official, or changed a seat."""
    if has_request_context():
        g.pop(STANDING, None)


def seat_of(actor, committee_id: int) -> CommitteeMember | None:
    """The civil-society seat (titular first) `actor` holds now on the committee, or None."""
    if actor is None:
        return None
    return db.session.scalars(
        sa.select(CommitteeMember).where(
            CommitteeMember.committee_id == committee_id,
            CommitteeMember.user_id == actor.id,
            CommitteeMember.kind.in_(SEATS),
            CommitteeMember.term_end.is_(None),
        ).order_by(CommitteeMember.kind.desc(), CommitteeMember.id)  # cs_titular before cs_suplente
    ).first()


def facilitators_of(commitment: Commitment) -> list[User]:
    """The active facilitators of the commitment's committee (those told of a waiting report)."""
    return list(db.session.scalars(
        sa.select(User).join(ModeratorScope, ModeratorScope.user_id == User.id)
        .where(ModeratorScope.committee_id == commitment.committee_id, User.role == Role.moderator,
               User.deleted_at.is_(None))
    ))


def current_officials(commitment: Commitment) -> list[User]:
    """The accounts of the commitment's current responsible officials."""
    return list(db.session.scalars(
        sa.select(User).join(CommitmentOfficial, CommitmentOfficial.user_id == User.id)
        .where(CommitmentOfficial.commitment_id == commitment.id, CommitmentOfficial.ended_at.is_(None))
    ))


def officials_of(commitment: Commitment) -> list[CommitmentOfficial]:
    """Every appointment of the commitment, current ones first, then by date."""
    return list(db.session.scalars(
        sa.select(CommitmentOfficial)
        .where(CommitmentOfficial.commitment_id == commitment.id)
        .options(joinedload(CommitmentOfficial.user).lazyload(User.moderator_scopes))
        .order_by(CommitmentOfficial.ended_at.is_not(None), CommitmentOfficial.appointed_at.desc(),
                  CommitmentOfficial.id.desc())
    ))


def pending_reports(commitment: Commitment, author=None) -> list[ProgressNote]:
    """Reports not published yet (waiting or returned), newest first; only `author`'s if given."""
    query = (
        sa.select(ProgressNote)
        .join(Milestone, Milestone.id == ProgressNote.milestone_id)
        .where(Milestone.commitment_id == commitment.id, ProgressNote.state != ReportState.published)
        .options(selectinload(ProgressNote.evidence), joinedload(ProgressNote.milestone),
                 joinedload(ProgressNote.author).lazyload(User.moderator_scopes))
        .order_by(ProgressNote.created_at.desc(), ProgressNote.id.desc())
    )
    if author is not None:
        query = query.where(ProgressNote.author_id == author.id)
    return list(db.session.scalars(query).unique())


def waiting_count(commitment: Commitment) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(ProgressNote.id))
        .join(Milestone, Milestone.id == ProgressNote.milestone_id)
        .where(Milestone.commitment_id == commitment.id, ProgressNote.state == ReportState.submitted)
    )


def reviews_of(note_ids: Iterable[int]) -> dict[int, list[ReportReview]]:
    """{report id: its verdicts, oldest first}, in one statement."""
    ids = sorted(set(note_ids))
    found: dict[int, list[ReportReview]] = defaultdict(list)
    if not ids:
        return found
    for review in db.session.scalars(
        sa.select(ReportReview).where(ReportReview.note_id.in_(ids))
        .options(joinedload(ReportReview.author).lazyload(User.moderator_scopes),
                 joinedload(ReportReview.answered_by).lazyload(User.moderator_scopes))
        .order_by(ReportReview.created_at, ReportReview.id)
    ):
        found[review.note_id].append(review)
    return found


def latest_review(note: ProgressNote, author) -> ReportReview | None:
    """`author`'s latest verdict on the report (the one that counts), or None."""
    return db.session.scalars(
        sa.select(ReportReview).where(ReportReview.note_id == note.id, ReportReview.author_id == author.id)
        .order_by(ReportReview.round.desc()).limit(1)
    ).first()


def official_commitments(user) -> list[Commitment]:
    """The formal commitments `user` is a current responsible official of."""
    return list(db.session.scalars(
        sa.select(Commitment).join(CommitmentOfficial, CommitmentOfficial.commitment_id == Commitment.id)
        .where(CommitmentOfficial.user_id == user.id, CommitmentOfficial.ended_at.is_(None),
               Commitment.state == CommitmentState.published)
        .order_by(Commitment.committee_id, Commitment.number)
    ))


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
    reviews: dict[int, list[ReportReview]] = field(default_factory=dict)
    officials: list[CommitmentOfficial] = field(default_factory=list)
    waiting: int = 0
    lights: object = None  # app/progress/lights.py Lights of this commitment and its milestones

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
        .where(Milestone.commitment_id == commitment.id, ProgressNote.state == ReportState.published)
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
    panel.reviews = reviews_of(note.id for found in grouped.values() for note in found)
    panel.officials = [o for o in officials_of(commitment) if o.is_current]
    panel.waiting = waiting_count(commitment)
    panel.lights = lights.lights_for([commitment.id], today)
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
