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
