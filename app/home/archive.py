"""Every plan under a stable address: /plans/ lists the published ones (the current first) and
/plans/<slug>/ sums one up (phases, committees and their members, counts with links to its
proposals, commitments and documents, the date of its Declaratoria, its calls, elections and
dialogue tables); /plans/<slug>/committees/<committee>/ is a committee's page in that plan, which
stays where it is once another plan becomes the current one. A draft is seen only by the guarantor
body. Endpoints of the plans blueprint; here because the page gathers other areas' rows."""
import sqlalchemy as sa
from flask import render_template
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.calls.models import Call
from app.calls.queries import visible as visible_call
from app.commitments.models import Commitment
from app.commitments.queries import visible as visible_commitment
from app.core.clock import today
from app.core.views import load_or_404
from app.dialogues.models import DialogueTable
from app.documents.models import Declaration, Document
from app.elections.models import Election
from app.extensions import db
from app.plans import bp
from app.plans.models import ActionPlan, Committee
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
                           today=today(), **_held(plan))


def _held(plan: ActionPlan) -> dict[str, list]:
    """The plan's published calls, its elections and its dialogue tables, oldest first: a plan
    keeps them listed, with their stable addresses, after it is no longer the current one."""
    of_plan = sa.select(Committee.id).where(Committee.plan_id == plan.id)
    return {
        "calls": db.session.scalars(
            sa.select(Call).where(Call.plan_id == plan.id, visible_call())
            .order_by(Call.opens_at, Call.id)).all(),
        "elections": db.session.scalars(
            sa.select(Election).where(Election.committee_id.in_(of_plan))
            .order_by(Election.voting_opens_at, Election.id)
            .options(joinedload(Election.committee))).all(),
        "tables": db.session.scalars(
            sa.select(DialogueTable).where(DialogueTable.committee_id.in_(of_plan))
            .order_by(DialogueTable.starts_at, DialogueTable.id)
            .options(joinedload(DialogueTable.committee))).all(),
    }
