"""What progress writes to its plan's public ledger (app/ledger): the content of a published
report, of a representative's verdict and of the answer to a dispute; and, for `flask ledger
backfill`, every such record published."""
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.commitments.models import Commitment, Milestone
from app.extensions import db
from app.ledger.records import Record, published_records
from app.progress.models import ProgressNote, ReportReview, ReportState, Verdict


def report_content(note: ProgressNote) -> dict:
    milestone = note.milestone
    return {"commitment": milestone.commitment_id, "milestone": milestone.id, "status": note.status.value,
            "noted_on": note.noted_on.isoformat(), "note": note.note,
            "evidence": [{"sha256": e.sha256} if e.stored_name else {"url": e.url} for e in note.evidence]}


def verdict_content(review: ReportReview) -> dict:
    return {"report": review.note_id, "verdict": review.verdict.value, "reason": review.reason,
            "seat": review.seat, "seat_holder": review.seat_holder, "round": review.round}


def answer_content(review: ReportReview) -> dict:
    return {"report": review.note_id, "verdict": review.id, "answer": review.answer}


def _of_plan(query, plan_id: int | None):
    query = query.join(Milestone, Milestone.id == ProgressNote.milestone_id).join(
        Commitment, Commitment.id == Milestone.commitment_id).add_columns(Commitment.plan_id)
    return query if plan_id is None else query.where(Commitment.plan_id == plan_id)


@published_records
def _published(plan_id: int | None) -> Iterator[Record]:
    notes = db.session.execute(_of_plan(
        sa.select(ProgressNote).where(ProgressNote.state == ReportState.published)
        .options(selectinload(ProgressNote.evidence), selectinload(ProgressNote.milestone)), plan_id))
    for note, plan in notes:
        yield Record(note.published_at or note.created_at, plan, "progress_report",
                     f"progress_note:{note.id}", report_content(note))
    reviews = db.session.execute(_of_plan(
        sa.select(ReportReview).join(ProgressNote, ProgressNote.id == ReportReview.note_id), plan_id))
    for review, plan in reviews:
        item = f"verdict:{review.id}"
        yield Record(review.created_at, plan, "verdict", item, verdict_content(review))
        if review.verdict == Verdict.disputed and review.answered_at is not None:
            yield Record(review.answered_at, plan, "dispute_answer", item, answer_content(review))
