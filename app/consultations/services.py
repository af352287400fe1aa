"""Public consultation on draft commitments: opening and closing its window, commenting on a
section of the draft while the window is open, and the facilitators' answers to each comment.

The window is the server's rule: comments.services.post_comment refuses a comment on a commitment
outside an open window, and comment_on_draft first says why, with the window in local time.
"""
from datetime import timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _

from app.comments.models import Comment
from app.comments.queries import comment_url
from app.comments.services import post_comment
from app.commitments.models import Commitment, CommitmentState
from app.consultations import permissions as _rules  # noqa: F401  (registers the rules)
from app.consultations import queries
from app.consultations.models import Consultation, ConsultationAnswer, ConsultationOutcome
from app.core import uow
from app.core.audit import record
from app.core.clock import local_to_utc
from app.core.db import utcnow
from app.core.errors import InvalidTransition, NotFound, ValidationError
from app.core.i18n import local_when, zone_name
from app.core.permissions import require
from app.extensions import db
from app.notifications.services import notify

REASON_MIN = 10
REASON_MAX = 5000
# A start typed to the minute is "now" if it is at most this far in the past.
START_TOLERANCE = timedelta(minutes=5)
# States from which a consultation may open: a draft, or a draft whose earlier round is over.
OPENABLE_STATES = (CommitmentState.draft, CommitmentState.consultation)


class AlreadyAnswered(ValidationError):
    """The comment has an answer the facilitator did not see (a double click, a second tab or
    a second facilitator); nothing was replaced."""


class AnswerResult(NamedTuple):
    answer: ConsultationAnswer
    # "created", "updated", or "unchanged" (the same answer again: a double click)
    status: str


def _clean_reason(value, field: str) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) < REASON_MIN:
        raise ValidationError(
            _("Give a reason of at least %(min)d characters.", min=REASON_MIN), field=field
        )
    if len(text) > REASON_MAX:
        raise ValidationError(_("Use at most %(n)d characters.", n=REASON_MAX), field=field)
    return text


# ---------------------------------------------------------------- the window

def _pending_message(consultation: Consultation) -> str:
    return _(
        "This draft already has a public consultation, from %(opens)s to %(closes)s (local "
        "time, %(zone)s). Close it before opening another.",
        opens=local_when(consultation.opens_at), closes=local_when(consultation.closes_at),
        zone=zone_name(),
    )


def open_consultation(actor, commitment: Commitment, opens_at, closes_at) -> Consultation:
    """Open (or schedule) a public consultation on a draft; the draft becomes public.

    `opens_at` and `closes_at` are aware date-times, or naive ones in local time (as the form
    gives them). The start may be now or later; at most one consultation is open or scheduled at
    a time per commitment.
    """
    require(actor, "consultations.open", commitment)
    if commitment.state not in OPENABLE_STATES:
        raise InvalidTransition(_("Only a draft can go to public consultation."))
    if opens_at is None:
        raise ValidationError(_("Enter a date and time."), field="opens_at")
    if closes_at is None:
        raise ValidationError(_("Enter a date and time."), field="closes_at")
    now = utcnow()
    opens_at, closes_at = local_to_utc(opens_at), local_to_utc(closes_at)
    if opens_at < now - START_TOLERANCE:
        raise ValidationError(
            _("The consultation cannot start in the past. Choose now or a later time."),
            field="opens_at",
        )
    opens_at = max(opens_at, now)
    if closes_at <= opens_at:
        raise ValidationError(_("The consultation must close after it opens."), field="closes_at")
    pending = queries.pending_consultation(commitment.id)
    if pending is not None:
        raise InvalidTransition(_pending_message(pending))

    # The conditional UPDATE takes the commitment's row: a second facilitator opening at the same
    # moment waits here, and then finds the first one's consultation below (the savepoint undoes
    # the move then).
    with uow.savepoint():
        moved = db.session.execute(
            sa.update(Commitment)
            .where(Commitment.id == commitment.id, Commitment.state.in_(OPENABLE_STATES))
            .values(state=CommitmentState.consultation, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved != 1:
            raise InvalidTransition(_("Only a draft can go to public consultation."))
        pending = queries.pending_consultation(commitment.id)
        if pending is not None:
            raise InvalidTransition(_pending_message(pending))
    consultation = Consultation(
        commitment_id=commitment.id,
        opens_at=opens_at,
        closes_at=closes_at,
        opened_by_id=actor.id,
        created_at=now,
    )
    db.session.add(consultation)
    db.session.flush()
    record(actor, "consultation.opened", consultation, public=True,
           committee_id=commitment.committee_id, commitment_id=commitment.id,
           opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat())
    db.session.flush()
    db.session.expire(commitment)
    return consultation


def close_consultation_early(actor, consultation: Consultation, reason) -> Consultation:
    """End an open consultation (or cancel a scheduled one) before its planned close, with a
    public reason. The commitment stays in consultation: its page and report remain public."""
    require(actor, "consultations.close", consultation)
    reason = _clean_reason(reason, "reason")
    now = utcnow()
    closed = db.session.execute(
        sa.update(Consultation)
        .where(
            Consultation.id == consultation.id,
            Consultation.closed_early_at.is_(None),
            Consultation.closes_at > now,
        )
        .values(closed_early_at=now, close_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if closed != 1:
        raise InvalidTransition(_("This consultation is already closed."))
    commitment = consultation.commitment
    record(actor, "consultation.closed_early", consultation, reason=reason, public=True,
           committee_id=commitment.committee_id, commitment_id=commitment.id,
           was_open=now >= consultation.opens_at)
    db.session.flush()
    db.session.refresh(consultation)
    return consultation


def window_refusal(commitment: Commitment, consultation: Consultation | None) -> str | None:
    """Why a comment cannot be posted now, with the window in local time; None when it can."""
    if consultation is None:
        return _("This draft is not in public consultation.")
    state = queries.window_state(consultation)
    opens, closes = local_when(consultation.opens_at), local_when(consultation.closes_at)
    if state == "scheduled":
        return _(
            "The public consultation opens on %(opens)s and closes on %(closes)s (local time, "
            "%(zone)s). Comments are accepted only during that period.", opens=opens,
            closes=closes, zone=zone_name(),
        )
    if state == "closed":
        if consultation.closed_early_at is not None:
            return _(
                "The public consultation was closed early on %(closed)s (local time, %(zone)s); "
                "it was to run from %(opens)s to %(closes)s. Comments are no longer accepted.",
                closed=local_when(consultation.closed_early_at), opens=opens, closes=closes,
                zone=zone_name(),
            )
        return _(
            "The public consultation ran from %(opens)s to %(closes)s (local time, %(zone)s) "
            "and is closed. Comments are no longer accepted.", opens=opens, closes=closes,
            zone=zone_name(),
        )
    if commitment.state != CommitmentState.consultation:
        return _("This commitment is no longer in public consultation.")
    return None


# ---------------------------------------------------------------- comments

def clean_section(commitment: Commitment, section) -> str | None:
    """The stored form of a section key ("general" → None); ValidationError if the draft has no
    such section (e.g. a milestone of another commitment)."""
    key = queries.GENERAL if section in (None, "") else str(section).strip()
    for candidate in queries.sections_for(commitment):
        if candidate.key == key:
            return candidate.stored
    raise ValidationError(_("Choose a part of this draft."), field="section")


def comment_on_draft(actor, commitment: Commitment, body, section=None, parent: Comment | None = None) -> Comment:
    """A comment on the draft as a whole or on one of its sections, or a reply in a thread,
    while the consultation is open. The comments' rate limit and sanitising apply."""
    require(actor, "participate")
    consultation = queries.latest_consultation(commitment.id)
    refusal = window_refusal(commitment, consultation)
    if refusal:
        raise InvalidTransition(refusal)
    require(actor, "consultations.comment", consultation)
    if parent is not None:
        if parent.commitment_id != commitment.id:
            raise NotFound(_("That comment is not part of this conversation."))
        section = parent.section  # a reply belongs to its thread's section
    else:
        section = clean_section(commitment, section)
    return post_comment(actor, commitment, body, parent=parent, section=section)


# ---------------------------------------------------------------- answers

def _same(answer: ConsultationAnswer, outcome: ConsultationOutcome, reason: str) -> bool:
    return answer.outcome == outcome and answer.reason == reason


def _notify_answer(actor, comment: Comment, commitment: Commitment, outcome) -> None:
    notify([comment.author], "consultation_answer", comment_url(comment), actor=actor,
           title=commitment.title, outcome=outcome.value)


def answer_comment(actor, comment: Comment, outcome, reason, *, update: bool = False) -> AnswerResult:
    """The facilitator's answer to a consultation comment: an outcome and a public reason.

    One answer per comment (a database constraint). `update=True` changes an existing answer
    (audited, and the author is told again). Sending the same answer twice is "unchanged"; a new
    answer where one exists already raises AlreadyAnswered and replaces nothing.
    """
    require(actor, "consultations.answer", comment)
    if comment.is_deleted:
        raise InvalidTransition(_("This comment was deleted by its author; there is nothing to answer."))
    try:
        outcome = ConsultationOutcome(outcome)
    except ValueError:
        raise ValidationError(_("Choose an outcome."), field="outcome") from None
    reason = _clean_reason(reason, "reason")
    commitment = db.session.get(Commitment, comment.commitment_id)
    comment_id, actor_id = comment.id, actor.id

    existing = queries.answer_of(comment_id)
    if existing is None:
        answer = ConsultationAnswer(comment_id=comment_id, outcome=outcome, reason=reason,
                                    answered_by_id=actor_id, answered_at=utcnow())
        try:
            with uow.savepoint():
                db.session.add(answer)
                db.session.flush()
        except sa.exc.IntegrityError:
            # Another request answered it a moment ago (a double click, two tabs).
            existing = queries.answer_of(comment_id)
            if existing is None:  # pragma: no cover - the constraint names no other cause
                raise
        else:
            record(actor, "consultation.answered", comment, public=True,
                   committee_id=commitment.committee_id, commitment_id=commitment.id,
                   outcome=outcome.value)
            _notify_answer(actor, comment, commitment, outcome)
            db.session.flush()
            return AnswerResult(answer, "created")

    if _same(existing, outcome, reason):
        return AnswerResult(existing, "unchanged")
    if not update:
        raise AlreadyAnswered(
            _("This comment already has an answer (perhaps from a double click or another "
              "facilitator). It is shown on the page; use «Change the answer» to replace it."),
            field="outcome",
        )
    previous = existing.outcome
    changed = db.session.execute(
        sa.update(ConsultationAnswer)
        .where(ConsultationAnswer.id == existing.id)
        .values(outcome=outcome, reason=reason, answered_by_id=actor_id, answered_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:  # pragma: no cover - answers are never deleted
        raise InvalidTransition(_("This answer changed meanwhile. Reload the page and try again."))
    record(actor, "consultation.answer_changed", comment, public=True,
           committee_id=commitment.committee_id, commitment_id=commitment.id,
           previous_outcome=previous.value, outcome=outcome.value)
    _notify_answer(actor, comment, commitment, outcome)
    db.session.flush()
    db.session.refresh(existing)
    return AnswerResult(existing, "updated")
