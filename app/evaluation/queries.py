"""Reads of the evaluation: whether a plan is in its evaluation phase, a commitment's opinions
and assessment."""
import sqlalchemy as sa

from app.core.clock import today
from app.evaluation.models import Assessment, Opinion
from app.extensions import db
from app.plans.models import Phase, PhaseKind


def in_evaluation(plan_id: int) -> bool:
    day = today()
    return db.session.scalar(sa.select(sa.exists().where(
        Phase.plan_id == plan_id, Phase.kind == PhaseKind.evaluation,
        Phase.starts_on <= day, Phase.ends_on >= day))) is True


def opinions_of(commitment_id: int) -> list[Opinion]:
    return list(db.session.scalars(sa.select(Opinion).where(Opinion.commitment_id == commitment_id)
                                   .order_by(Opinion.created_at, Opinion.id)))


def assessment_of(commitment_id: int) -> Assessment | None:
    return db.session.scalar(sa.select(Assessment).where(Assessment.commitment_id == commitment_id))
