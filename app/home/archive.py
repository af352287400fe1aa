"""Every plan under a stable address: /plans/ lists the published ones (the current first) and
/plans/<slug>/ sums one up (phases, committees and their members, counts with links to its
proposals, commitments and documents, the date of its Declaratoria). A draft is seen only by the
guarantor body. Endpoints of the plans blueprint; here because the counts gather other areas' rows."""
import sqlalchemy as sa
from flask import render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.commitments.models import Commitment
from app.commitments.queries import visible as visible_commitment
from app.core.clock import today
from app.core.views import load_or_404
from app.documents.models import Declaration, Document
from app.extensions import db
from app.plans import bp
from app.plans.models import Committee
from app.plans.queries import plan_by_slug, published_plans
from app.proposals.counts import ProposalCount


@bp.get("/plans/")
def plans():
    return render_template("plans/plans.html", plans=published_plans(), today=today())


def _counts(plan_id: int) -> dict[str, int]:
    # Visible proposals from the counts the database keeps (app/proposals/counts.py: not hidden,
    # as `visible_proposal`), not a count over the plan's proposals.
    proposals = (sa.select(sa.func.coalesce(sa.func.sum(ProposalCount.n), 0))
                 .where(ProposalCount.plan_id == plan_id).scalar_subquery())
    commitments = (sa.select(sa.func.count(Commitment.id))
                   .where(Commitment.plan_id == plan_id, visible_commitment()).scalar_subquery())
    documents = sa.select(sa.func.count(Document.id)).where(Document.plan_id == plan_id).scalar_subquery()
    signed_on = sa.select(Declaration.signed_on).where(Declaration.plan_id == plan_id).scalar_subquery()
    row = db.session.execute(sa.select(proposals, commitments, documents, signed_on)).one()
    return {"proposals": int(row[0]), "commitments": row[1], "documents": row[2], "signed_on": row[3]}


@bp.get("/plans/<slug>/")
def plan(slug: str):
    plan = load_or_404(plan_by_slug(slug, current_user))
    committees = db.session.scalars(
        sa.select(Committee).where(Committee.plan_id == plan.id).order_by(Committee.position)
        .options(selectinload(Committee.members))
    ).all()
    return render_template("plans/plan.html", plan=plan, committees=committees, counts=_counts(plan.id),
                           today=today())
