"""What progress plugs into other areas: notes with their evidence and follows in a person's data
export; followers and milestones with progress for commitments."""
import sqlalchemy as sa

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section
from app.commitments import registry
from app.commitments.models import Commitment, Milestone
from app.extensions import db
from app.progress.models import Evidence, Follow, ProgressNote
from app.progress.queries import followers_of


@export_section
def _progress(user_id: int) -> dict:
    evidence: dict[int, list] = {}
    for e in db.session.scalars(
        sa.select(Evidence).join(ProgressNote, ProgressNote.id == Evidence.note_id)
        .where(ProgressNote.author_id == user_id).order_by(Evidence.id)
    ):
        evidence.setdefault(e.note_id, []).append({
            "url": e.url, "name": e.original_name, "content_type": e.content_type,
            "size_bytes": e.size_bytes, "sha256": e.sha256,
        })
    notes = [
        {"commitment_id": commitment_id, "milestone": milestone, "status": n.status.value,
         "note": n.note, "noted_on": iso(n.noted_on), "created_at": iso(n.created_at),
         "evidence": evidence.get(n.id, [])}
        for n, commitment_id, milestone in rows(
            sa.select(ProgressNote, Milestone.commitment_id, Milestone.description)
            .join(Milestone, Milestone.id == ProgressNote.milestone_id)
            .where(ProgressNote.author_id == user_id)
            .order_by(ProgressNote.id)
        )
    ]
    follows = [
        {"commitment_id": commitment_id, "commitment": title, "since": iso(created_at)}
        for commitment_id, title, created_at in rows(
            sa.select(Follow.commitment_id, Commitment.title, Follow.created_at)
            .join(Commitment, Commitment.id == Follow.commitment_id)
            .where(Follow.user_id == user_id)
            .order_by(Follow.id)
        )
    ]
    return {"progress_notes": notes, "follows": follows}


# Followers hear of a commitment's new versions; a milestone with progress is kept
# (app/commitments/registry.py).
registry.provides("followers")(followers_of)


@registry.provides("milestones_with_progress")
def _milestones_with_progress(milestone_ids: list[int]) -> bool:
    return bool(db.session.scalar(
        sa.select(sa.exists().where(ProgressNote.milestone_id.in_(milestone_ids)))
    ))
