"""The reads behind the feeds: only what the public pages show, a fixed number of statements."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.commitments import queries as commitment_queries
from app.commitments.models import Commitment, Milestone
from app.elections.models import Election, ElectionResult, ElectionState
from app.extensions import db
from app.progress.models import ProgressNote, ReportState
from app.proposals import queries as proposal_queries
from app.proposals.models import Proposal, ProposalState

LIMIT = 50


def latest_proposals(limit: int = LIMIT) -> list[Proposal]:
    """Newest first; hidden ones never, withdrawn ones not (they leave the public list too)."""
    return list(db.session.scalars(
        sa.select(Proposal)
        .where(proposal_queries.visible(), Proposal.state != ProposalState.withdrawn)
        .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        .limit(limit)
    ))


def latest_progress_notes(limit: int = LIMIT) -> list:
    """(note id, note, status, noted on, created at, milestone, commitment id, commitment title)
    of the newest published notes on public commitments (drafts' notes never, nor the reports
    that still wait for a facilitator)."""
    return db.session.execute(
        sa.select(ProgressNote.id, ProgressNote.note, ProgressNote.status, ProgressNote.noted_on,
                  ProgressNote.created_at, Milestone.description, Commitment.id, Commitment.title)
        .join(Milestone, Milestone.id == ProgressNote.milestone_id)
        .join(Commitment, Commitment.id == Milestone.commitment_id)
        .where(commitment_queries.visible(), ProgressNote.state == ReportState.published)
        .order_by(ProgressNote.created_at.desc(), ProgressNote.id.desc())
        .limit(limit)
    ).all()


def published_results(limit: int = LIMIT) -> list[tuple[Election, list[ElectionResult]]]:
    """Published results of votes and of self-selection agreements, newest first, with seats."""
    elections = list(db.session.scalars(
        sa.select(Election)
        .options(joinedload(Election.committee))
        .where(Election.state.in_((ElectionState.published, ElectionState.self_selected)),
               Election.published_at.is_not(None))
        .order_by(Election.published_at.desc(), Election.id.desc())
        .limit(limit)
    ))
    seats: dict[int, list[ElectionResult]] = {e.id: [] for e in elections}
    if elections:
        for result in db.session.scalars(
            sa.select(ElectionResult)
            .where(ElectionResult.election_id.in_(list(seats)))
            .order_by(ElectionResult.election_id, ElectionResult.seat_index)
        ):
            seats[result.election_id].append(result)
    return [(e, seats[e.id]) for e in elections]
