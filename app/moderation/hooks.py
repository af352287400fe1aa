"""What moderation adds to a person's data export: the reports they made."""
import sqlalchemy as sa

from app.accounts.export import iso
from app.accounts.lifecycle import export_section
from app.extensions import db
from app.moderation.models import Report


@export_section
def _reports(user_id: int) -> dict:
    reports = [
        {
            "target_type": r.target_type.value, "target_id": r.target_id,
            "reason": r.reason.value, "details": r.details, "created_at": iso(r.created_at),
            "resolution": r.resolution, "resolved_at": iso(r.resolved_at),
        }
        for r in db.session.scalars(
            sa.select(Report).where(Report.reporter_id == user_id).order_by(Report.id)
        )
    ]
    return {"reports": reports}
