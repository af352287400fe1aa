"""Reads of the overview pages: the plan's committees with their public commitments."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.commitments.models import Commitment
from app.commitments.queries import visible as visible_commitment
from app.extensions import db
from app.plans.models import ActionPlan, Committee


def committees_with_counts(plan: ActionPlan) -> list[tuple[Committee, int]]:
    counts = (
        sa.select(Commitment.committee_id, sa.func.count(Commitment.id).label("n"))
        .where(visible_commitment())
        .group_by(Commitment.committee_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Committee, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.committee_id == Committee.id)
        .where(Committee.plan_id == plan.id)
        .order_by(Committee.position)
        .options(selectinload(Committee.members))
    ).all()
    return [(committee, n) for committee, n in rows]
