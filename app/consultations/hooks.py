"""What consultations plug into other areas: a draft commitment in public consultation is a
comment host (app/comments/hosts.py); the answers given to comments go in the data export; a
running consultation holds back publication; notifications word the outcomes."""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section
from app.comments import hosts
from app.comments.models import Comment
from app.commitments import registry
from app.commitments.models import Commitment, CommitmentState
from app.consultations.models import (
    CONSULTATION_OUTCOME_LABELS,
    ConsultationAnswer,
    ConsultationOutcome,
)
from app.consultations.queries import (
    consultation_open_now,
    consultation_path,
    latest_consultation,
    pending_consultation,
    window_state,
)
from app.core.permissions import not_now
from app.notifications.kinds import word_values


def _accepts_comments(commitment: Commitment):
    """Only a draft in public consultation, and only while the window is open (the one check of
    the window: the rule comments.post asks it)."""
    if commitment.state != CommitmentState.consultation or not consultation_open_now(commitment.id):
        return not_now(_("The public consultation on this draft is not open."))
    return True


hosts.register(hosts.Host(
    kind="commitment",
    model=Commitment,
    column="commitment_id",
    accepts=_accepts_comments,
    path=lambda comment, anchor: consultation_path(comment.commitment_id, anchor),
    reference=Commitment.id,
))


@export_section
def _answers(user_id: int) -> dict:
    answers = [
        {"comment_id": a.comment_id, "commitment_id": commitment_id, "outcome": a.outcome.value,
         "reason": a.reason, "answered_at": iso(a.answered_at)}
        for a, commitment_id in rows(
            sa.select(ConsultationAnswer, Comment.commitment_id)
            .join(Comment, Comment.id == ConsultationAnswer.comment_id)
            .where(ConsultationAnswer.answered_by_id == user_id)
            .order_by(ConsultationAnswer.id)
        )
    ]
    return {"consultation_answers": answers}


# The commitment page shows the latest consultation and its window (app/commitments/registry.py).
@registry.provides("latest_consultation")
def _latest_consultation(commitment):
    """From the rounds the page loaded with the commitment (page_load_options), or one statement."""
    if "consultation_rounds" in sa.inspect(commitment).unloaded:
        consultation = latest_consultation(commitment.id)
    else:
        consultation = next(iter(commitment.consultation_rounds), None)
    return consultation, window_state(consultation)


# The rounds (a commitment has one or a few) joined in the commitment page's one statement.
registry.provides("page_load_options")(lambda: [joinedload(Commitment.consultation_rounds)])


# A running consultation holds back the draft's publication (app/commitments/registry.py).
registry.provides("running_consultation")(lambda commitment: pending_consultation(commitment.id))


def _outcome_words(value: str) -> str | None:
    """A consultation outcome, in the reader's language."""
    try:
        return str(CONSULTATION_OUTCOME_LABELS[ConsultationOutcome(value)])
    except ValueError:
        return None


# Notifications store a consultation's outcome as its value.
word_values("outcome", _outcome_words)
