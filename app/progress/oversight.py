"""Acts around a progress report (issue 16's loop): the facilitator names the commitment's
responsible officials; an official drafts a report (app/progress/services.py report_progress),
which the facilitator publishes or returns with a reason; the committee's civil-society
representatives confirm or dispute each published report with a public reason; a dispute is
answered in public by an official or a facilitator.

Each act checks its permission by name, validates, changes with a conditional statement (so that
a double click or two tabs act once), writes the audit entry and the notifications in the same
unit of work, and flushes (the request commits).
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import Role
from app.accounts.services import find_by_email
from app.commitments.models import Commitment
from app.commitments.services import commitment_path
from app.core import storage
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.core.text import clean_text
from app.core.uow import savepoint
from app.extensions import db
from app.ledger import services as ledger
from app.notifications.services import notify
from app.progress import permissions as _permissions  # noqa: F401  (registers the rules)
from app.progress import queries, records
from app.progress.models import CommitmentOfficial, ProgressNote, ReportReview, ReportState, Verdict
from app.progress.services import add_evidence, checked_report, publish

REASON_MAX = 5_000
LINE_MAX = 300


def _text(value, field: str, required_message: str, limit: int = REASON_MAX) -> str:
    text = clean_text(value or "").strip()
    if not text:
        raise ValidationError(required_message, field=field)
    if len(text) > limit:
        raise ValidationError(_("Use at most %(max)d characters.", max=limit), field=field)
    return text


def _tell(users, commitment: Commitment, actor, event: str) -> None:
    notify(users, "progress_oversight", commitment_path(commitment), actor=actor,
           title=commitment.title, event=event)


# ---------------------------------------------------------------- responsible officials

def appoint_official(actor, commitment: Commitment, data: dict) -> CommitmentOfficial:
    """Name the account with `data["email"]` a responsible official of the commitment, for its
    lead institution (or `data["institution"]`), with an optional position."""
    require(actor, "progress.officials", commitment)
    user = find_by_email(data.get("email") or "")
    if user is None or user.deleted_at is not None:
        raise ValidationError(_("No account uses that email address."), field="email")
    if user.role == Role.organisation:
        raise ValidationError(_("A responsible official is a person: this account is an organisation."),
                              field="email")
    if not user.is_confirmed:
        raise ValidationError(_("That account has not confirmed its email address yet."), field="email")
    institution = clean_text(data.get("institution") or "").strip() or commitment.lead_institution.strip()
    if not institution:
        raise ValidationError(_("Give the institution this person answers for."), field="institution")
    if len(institution) > LINE_MAX:
        raise ValidationError(_("Use at most %(max)d characters.", max=LINE_MAX), field="institution")
    position_title = clean_text(data.get("position_title") or "").strip()
    if len(position_title) > LINE_MAX:
        raise ValidationError(_("Use at most %(max)d characters.", max=LINE_MAX), field="position_title")
    already = ValidationError(_("That person is already a responsible official of this commitment."),
                              field="email")
    if queries.is_official(user, commitment):
        raise already
    official = CommitmentOfficial(commitment_id=commitment.id, user_id=user.id, institution=institution,
                                  position_title=position_title, appointed_by_id=actor.id)
    try:
        with savepoint():
            db.session.add(official)
            db.session.flush()
    except sa.exc.IntegrityError:  # named twice in parallel: the partial unique index holds
        raise already from None
    record(actor, "progress.official_appointed", official, public=True,
           committee_id=commitment.committee_id, commitment_id=commitment.id,
           name=user.name, institution=institution)
    _tell([user], commitment, actor, "appointed")
    db.session.flush()
    return official


def end_official(actor, official: CommitmentOfficial, reason: str) -> None:
    """The appointment ends, for a public reason; its row stays, as the commitment's history."""
    commitment = official.commitment
    require(actor, "progress.officials", commitment)
    text = _text(reason, "reason", _("Say why the appointment ends."), 500)
    done = db.session.execute(
        sa.update(CommitmentOfficial)
        .where(CommitmentOfficial.id == official.id, CommitmentOfficial.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=text).execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InvalidTransition(_("This appointment has already ended."))
    db.session.refresh(official)
    record(actor, "progress.official_ended", official, public=True, reason=text,
           committee_id=commitment.committee_id, commitment_id=commitment.id)
    db.session.flush()


# ---------------------------------------------------------------- the facilitator decides

def _decide(actor, note: ProgressNote, state: ReportState, reason: str | None = None) -> None:
    """Move a waiting report to `state`, once (a conditional UPDATE: two facilitators, or a double
    click, decide once; the second is told the report is no longer waiting)."""
    require(actor, "progress.publish", note)
    done = db.session.execute(
        sa.update(ProgressNote)
        .where(ProgressNote.id == note.id, ProgressNote.state == ReportState.submitted)
        .values(state=state, decided_at=utcnow(), return_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InvalidTransition(_("This report is no longer waiting: it was already published or returned."))
    db.session.refresh(note)


def publish_report(actor, note: ProgressNote) -> None:
    """Publish a report an official drafted: from now it is the milestone's public progress."""
    _decide(actor, note, ReportState.published)
    publish(actor, note, drafted_by=note.author_id)
    _tell([note.author], note.milestone.commitment, actor, "published")
    db.session.flush()


def return_report(actor, note: ProgressNote, reason: str) -> None:
    """Send a drafted report back to its author with the reason (they may draft another)."""
    text = _text(reason, "reason", _("Say what the report needs before it can be published."))
    _decide(actor, note, ReportState.returned, text)
    commitment = note.milestone.commitment
    record(actor, "progress.returned", note, reason=text, committee_id=commitment.committee_id,
           commitment_id=commitment.id, milestone_id=note.milestone_id)
    _tell([note.author], commitment, actor, "returned")
    db.session.flush()


def revise_report(actor, note: ProgressNote, status, text: str, noted_on, links=(), files=()) -> None:
    """The author of a returned report corrects it (status, date, text; more links and files
    beside the evidence it has) and sends it to the facilitators again, who are told. Once: a
    conditional UPDATE from «returned», so a double click or two tabs send it once. The reason it
    was returned stays in the audit log's entry for this act."""
    require(actor, "progress.revise", note)
    new_status, body, urls, uploads = checked_report(status, text, noted_on, links, files)
    commitment = note.milestone.commitment
    previous_reason = note.return_reason
    done = db.session.execute(
        sa.update(ProgressNote)
        .where(ProgressNote.id == note.id, ProgressNote.state == ReportState.returned)
        .values(state=ReportState.submitted, status=new_status, note=body, noted_on=noted_on,
                decided_at=None, return_reason=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InvalidTransition(_("Only a returned report can be revised: this one is waiting or published."))
    db.session.refresh(note)
    written: list[str] = []
    try:
        add_evidence(note, urls, uploads, written)
        db.session.flush()
        record(actor, "progress.revised", note, public=False, committee_id=commitment.committee_id,
               commitment_id=commitment.id, milestone_id=note.milestone_id, status=new_status.value,
               noted_on=noted_on.isoformat(), returned_because=previous_reason,
               links=len(urls), files=len(uploads))
        _tell(queries.facilitators_of(commitment), commitment, actor, "submitted")
        db.session.flush()
    except BaseException:
        storage.delete(written)  # the unit of work is rolled back by whoever called this act
        raise
    storage.delete_if_rolled_back(written)


# ---------------------------------------------------------------- the representatives check

def review_report(actor, note: ProgressNote, verdict, reason: str) -> ReportReview:
    """A representative confirms or disputes a published report, with a public reason.

    Their latest verdict counts: the same verdict twice is refused (a dispute may be repeated once
    it was answered); a form sent twice records one (the round is unique per person and report)."""
    require(actor, "progress.review", note)
    try:
        verdict = Verdict(verdict)
    except ValueError:
        raise ValidationError(_("Choose whether you confirm or dispute the report."), field="verdict") from None
    text = _text(reason, "reason", _("Give your reason: it is published with your verdict."))
    commitment = note.milestone.commitment
    seat = queries.seat_of(actor, commitment.committee_id)
    latest = queries.latest_review(note, actor)
    if latest is not None and latest.verdict == verdict and not (
            verdict == Verdict.disputed and latest.answered_at is not None):
        raise InvalidTransition(_("You already confirmed this report.") if verdict == Verdict.confirmed
                                else _("You already disputed this report; wait for its answer."))
    review = ReportReview(note_id=note.id, author_id=actor.id, round=(latest.round + 1) if latest else 1,
                          seat=seat.kind.value, seat_holder=seat.name[:200], verdict=verdict, reason=text)
    try:
        with savepoint():
            db.session.add(review)
            db.session.flush()
    except sa.exc.IntegrityError:  # the same form sent twice at once
        raise InvalidTransition(_("Your verdict on this report was already recorded.")) from None
    ledger.append(commitment.plan_id, "verdict", f"verdict:{review.id}", records.verdict_content(review))
    record(actor, f"progress.{verdict.value}", review, public=True, reason=text,
           committee_id=commitment.committee_id, commitment_id=commitment.id,
           milestone_id=note.milestone_id, note_id=note.id, seat=seat.kind.value)
    _tell([*queries.facilitators_of(commitment), *queries.current_officials(commitment)],
          commitment, actor, verdict.value)
    db.session.flush()
    return review


def answer_dispute(actor, review: ReportReview, answer: str) -> None:
    """The public answer to a dispute, once."""
    require(actor, "progress.answer", review)
    text = _text(answer, "answer", _("Write the answer to the dispute."))
    done = db.session.execute(
        sa.update(ReportReview)
        .where(ReportReview.id == review.id, ReportReview.verdict == Verdict.disputed,
               ReportReview.answered_at.is_(None))
        .values(answer=text, answered_by_id=actor.id, answered_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise InvalidTransition(_("This dispute was already answered."))
    db.session.refresh(review)
    commitment = review.note.milestone.commitment
    ledger.append(commitment.plan_id, "dispute_answer", f"verdict:{review.id}", records.answer_content(review))
    record(actor, "progress.dispute_answered", review, public=True, reason=text,
           committee_id=commitment.committee_id, commitment_id=commitment.id, note_id=review.note_id)
    _tell([review.author], commitment, actor, "answered")
    db.session.flush()
