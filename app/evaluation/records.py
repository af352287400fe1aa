"""What the evaluation writes to its plan's public ledger (app/ledger): the content of a
representative's opinion and of the committee's self-assessment; and, for `flask ledger
backfill`, every one of them."""
from collections.abc import Iterator

import sqlalchemy as sa

from app.commitments.models import Commitment
from app.evaluation.models import Assessment, Opinion
from app.extensions import db
from app.ledger.records import Record, published_records


def opinion_content(opinion: Opinion) -> dict:
    return {"commitment": opinion.commitment_id, "seat": opinion.seat, "seat_holder": opinion.seat_holder,
            "completion": opinion.completion.value, "text": opinion.text}


def assessment_content(assessment: Assessment) -> dict:
    return {"commitment": assessment.commitment_id, "completion": assessment.completion.value,
            "opened_government": assessment.opened_government.value, "evidence": assessment.evidence}


def _of_plan(model, plan_id: int | None):
    query = sa.select(model, Commitment.plan_id).join(Commitment, Commitment.id == model.commitment_id)
    return query if plan_id is None else query.where(Commitment.plan_id == plan_id)


@published_records
def _published(plan_id: int | None) -> Iterator[Record]:
    for opinion, plan in db.session.execute(_of_plan(Opinion, plan_id)):
        yield Record(opinion.created_at, plan, "evaluation_opinion", f"evaluation_opinion:{opinion.id}",
                     opinion_content(opinion))
    for assessment, plan in db.session.execute(_of_plan(Assessment, plan_id)):
        yield Record(assessment.recorded_at, plan, "evaluation_assessment",
                     f"evaluation_assessment:{assessment.id}", assessment_content(assessment))
