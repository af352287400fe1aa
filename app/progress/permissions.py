"""Who reports progress, who publishes it, who checks it and who answers a dispute (following:
app/follows).

- A facilitator of the committee (or an admin) reports progress, published at once, and publishes
  or returns what the responsible officials drafted; names the officials; sets the status.
- A responsible official of the commitment (app/progress/models.py CommitmentOfficial) drafts
  reports and answers disputes.
- The committee's current civil-society representatives (titular and suplente with an account)
  confirm or dispute each published report.
"""
from flask_babel import gettext as _

from app.accounts.permissions import facilitates
from app.commitments.models import CommitmentState
from app.core.permissions import check, deny, not_now, rule
from app.progress import queries
from app.progress.models import ProgressNote, ReportReview, ReportState, Verdict


def _commitment_of(target):
    """The commitment of a commitment, of one of its milestones, or of a report on one."""
    if target is None:
        return None
    milestone = getattr(target, "milestone", None)
    if milestone is not None:
        return milestone.commitment
    return getattr(target, "commitment", None) or target


def _facilitates_published(actor, target) -> bool:
    """Only formal commitments are implemented, by their committee's facilitators or an admin."""
    commitment = _commitment_of(target)
    return (
        commitment is not None
        and commitment.state == CommitmentState.published
        and facilitates(actor, commitment.committee_id)
    )


def _active(actor) -> bool:
    return check(actor, "participate").allowed


@rule("progress.report")
def _report(actor, target):
    return _facilitates_published(actor, target) or deny(
        _("Only the committee's facilitators report progress, and only on a formal commitment."))


@rule("progress.set_status")
def _set_status(actor, target):
    return _facilitates_published(actor, target) or deny(
        _("Only the committee's facilitators change the status of a formal commitment."))


@rule("progress.officials")
def _officials(actor, target):
    return _facilitates_published(actor, target) or deny(
        _("Only the committee's facilitators name the responsible officials of a formal commitment."))


@rule("progress.draft")
def _draft(actor, target):
    """A responsible official drafts reports for the facilitator to publish."""
    commitment = _commitment_of(target)
    allowed = (
        commitment is not None and actor is not None
        and commitment.state == CommitmentState.published
        and _active(actor) and queries.standing(actor, commitment).official
    )
    return allowed or deny(_("Only the commitment's responsible officials draft progress reports."))


@rule("progress.see_waiting")
def _see_waiting(actor, target):
    """The reports not published yet, and their evidence: the facilitators and the officials."""
    return (_facilitates_published(actor, target) or check(actor, "progress.draft", _commitment_of(target)).allowed
            or deny(_("Only the commitment's facilitators and responsible officials see the reports "
                      "that are not published yet.")))


@rule("progress.publish")
def _publish(actor, note):
    """Publish or return a report an official drafted: the committee's facilitators."""
    if not _facilitates_published(actor, note):
        return deny(_("Only the committee's facilitators publish or return the officials' reports."))
    if note is not None and getattr(note, "state", None) != ReportState.submitted:
        return not_now(_("This report is no longer waiting: it was already published or returned."))
    return True


@rule("progress.revise")
def _revise(actor, note):
    """Revise a returned report and send it again: its author, while still an official of the
    commitment."""
    own = (note is not None and actor is not None and note.author_id == getattr(actor, "id", None)
           and check(actor, "progress.draft", _commitment_of(note)).allowed)
    if not own:
        return deny(_("Only the report's author, while a responsible official of the commitment, "
                      "revises a returned report."))
    if note.state != ReportState.returned:
        return not_now(_("Only a returned report can be revised: this one is waiting or published."))
    return True


@rule("progress.review")
def _review(actor, target):
    """Confirm or dispute a published report: the committee's current civil-society
    representatives (target: a report; a commitment asks whether they may review its reports)."""
    commitment = _commitment_of(target)
    if (commitment is None or actor is None or commitment.state != CommitmentState.published
            or not _active(actor) or not queries.standing(actor, commitment).seated):
        return deny(_("Only the committee's civil-society representatives (titular and suplente) "
                      "confirm or dispute its progress reports."))
    if isinstance(target, ProgressNote) and target.state != ReportState.published:
        return not_now(_("Only published reports are confirmed or disputed."))
    return True


@rule("progress.answer")
def _answer(actor, review: ReportReview):
    """Answer a dispute, in public: a responsible official of the commitment or a facilitator."""
    commitment = _commitment_of(review.note) if review is not None else None
    allowed = commitment is not None and (
        _facilitates_published(actor, commitment)
        or (actor is not None and _active(actor) and queries.standing(actor, commitment).official))
    if not allowed:
        return deny(_("Only the commitment's responsible officials and the committee's facilitators "
                      "answer a dispute."))
    if review.verdict != Verdict.disputed or review.answered_at is not None:
        return not_now(_("Only a dispute that has no answer yet can be answered."))
    return True
