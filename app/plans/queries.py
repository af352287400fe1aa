"""Reads of the plan's structure shared by pages and the API."""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.plans.models import ActionPlan, Committee, CommitteeMember


def current_plan() -> ActionPlan | None:
    return db.session.scalar(
        sa.select(ActionPlan)
        .order_by(ActionPlan.is_current.desc(), ActionPlan.created_at.desc())
        .options(selectinload(ActionPlan.phases), selectinload(ActionPlan.themes))
        .limit(1)
    )


def committee_by_slug(plan: ActionPlan, slug: str) -> Committee | None:
    return db.session.scalar(
        sa.select(Committee)
        .where(Committee.plan_id == plan.id, Committee.slug == slug)
        .options(selectinload(Committee.members).joinedload(CommitteeMember.user))
    )
