"""What calls add to an organisation's data export (its applications and their documents), and the
call's step of the plan's set-up checklist."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section
from app.calls.models import ApplicationDocument, Call, CallApplication
from app.extensions import db
from app.plans.models import Committee
from app.plans.setup import register_step


@export_section
def _applications(user_id: int) -> dict:
    documents: dict[int, list] = {}
    for d in db.session.scalars(
        sa.select(ApplicationDocument)
        .join(CallApplication, CallApplication.id == ApplicationDocument.application_id)
        .where(CallApplication.organisation_id == user_id)
        .order_by(ApplicationDocument.id)
    ):
        # Metadata only: the files themselves are downloaded from the application's page.
        documents.setdefault(d.application_id, []).append({
            "name": d.original_name, "content_type": d.content_type, "size_bytes": d.size_bytes,
            "sha256": d.sha256, "uploaded_at": iso(d.created_at),
        })
    applications = [
        {
            "id": a.id, "call": call_title, "committee": committee_name, "status": a.status.value,
            "declarations": a.declarations, "created_at": iso(a.created_at),
            "decided_at": iso(a.decided_at), "decision_reason": a.decision_reason,
            "documents": documents.get(a.id, []),
        }
        for a, call_title, committee_name in rows(
            sa.select(CallApplication, Call.title, Committee.name)
            .join(Call, Call.id == CallApplication.call_id)
            .join(Committee, Committee.id == CallApplication.committee_id)
            .where(CallApplication.organisation_id == user_id)
            .order_by(CallApplication.id)
        )
    ]
    return {"call_applications": applications}


def _call_published(plan) -> bool:
    return db.session.scalar(sa.select(sa.func.count(Call.id)).where(Call.plan_id == plan.id)) > 0


register_step(70, _l("Publish the public call"), _call_published, "calls.new")
