"""Reads of commitments shared by pages and the API; only public ones by default."""
import sqlalchemy as sa

from app.commitments.models import Commitment, CommitmentState


def visible():
    return Commitment.state != CommitmentState.draft


def for_committee(committee_id: int):
    return sa.select(Commitment).where(Commitment.committee_id == committee_id, visible()).order_by(
        Commitment.number
    )
