"""What commitments add to a person's data export: drafts created and versions written."""
import sqlalchemy as sa

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section
from app.commitments.models import Commitment, CommitmentVersion
from app.extensions import db


@export_section
def _commitments(user_id: int) -> dict:
    created = [
        {"id": c.id, "number": c.number, "title": c.title, "state": c.state.value,
         "created_at": iso(c.created_at)}
        for c in db.session.scalars(
            sa.select(Commitment).where(Commitment.created_by_id == user_id).order_by(Commitment.id)
        )
    ]
    versions = [
        {"commitment_id": commitment_id, "commitment": title, "version": number, "reason": reason,
         "state": state.value, "created_at": iso(created_at)}
        for commitment_id, title, number, reason, state, created_at in rows(
            sa.select(CommitmentVersion.commitment_id, Commitment.title, CommitmentVersion.number,
                      CommitmentVersion.reason, CommitmentVersion.state, CommitmentVersion.created_at)
            .join(Commitment, Commitment.id == CommitmentVersion.commitment_id)
            .where(CommitmentVersion.author_id == user_id)
            .order_by(CommitmentVersion.id)
        )
    ]
    return {"commitments_created": created, "commitment_versions": versions}


# --- Appended by the participation areas: what commitments plug into proposals and notifications.

from app.commitments.models import (  # noqa: E402
    COMMITMENT_STATE_LABELS,
    IMPLEMENTATION_LABELS,
    CommitmentProposal,
    CommitmentState,
    ImplementationStatus,
)
from app.commitments.queries import commitments_for_proposal  # noqa: E402
from app.core.fragments import fingerprint  # noqa: E402
from app.core.permissions import can  # noqa: E402
from app.notifications.kinds import word_values  # noqa: E402
from app.plans.models import Committee  # noqa: E402
from app.proposals import related  # noqa: E402


def _commitments_version(proposal_id) -> list:
    """What the section shows of the proposal's commitments (drafts too: a facilitator's page
    lists them), as one row."""
    return [sa.select(fingerprint(Commitment.id, Commitment.state, Commitment.title, Committee.name))
            .select_from(Commitment)
            .join(CommitmentProposal, CommitmentProposal.commitment_id == Commitment.id)
            .join(Committee, Committee.id == Commitment.committee_id)
            .where(CommitmentProposal.proposal_id == proposal_id)]


# A proposal's page lists the commitments it became part of (and offers to draft one).
related.register(related.Related(
    name="commitments",
    template="commitments/_for_proposal.html",
    context=lambda proposal, viewer: {"commitments": commitments_for_proposal(proposal.id, viewer=viewer)},
    version=_commitments_version,
    # Drafts (and the link to draft one) are for facilitators: their pages are their own.
    personal=lambda viewer: can(viewer, "commitments.draft"),
))


def _commitment_words(value: str) -> str | None:
    """An implementation status or a withdrawal, in the reader's language."""
    if value == CommitmentState.withdrawn.value:
        return str(COMMITMENT_STATE_LABELS[CommitmentState.withdrawn])
    try:
        return str(IMPLEMENTATION_LABELS[ImplementationStatus(value)])
    except ValueError:
        return None


# Notifications store a commitment's status as its value (consultations word their outcomes).
word_values("status", _commitment_words)
