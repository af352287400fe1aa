"""Deciding on an application: approve, or reject with a reason the organisation reads by mail;
frozen once the electorate the call gives its committee is (app/calls/locks.py)."""
from flask import current_app
from flask_babel import gettext as _

from app.calls import permissions as _permissions  # noqa: F401  (registers the rules)
from app.calls.locks import application_locked
from app.calls.models import ApplicationStatus, CallApplication
from app.core.audit import record
from app.core.clock import now
from app.core.errors import InvalidTransition, ValidationError
from app.core.mail import queue_mail
from app.core.permissions import require
from app.core.text import clean_text
from app.extensions import db

REASON_MAX = 5_000
DECISIONS = {
    "approve": ApplicationStatus.approved, "approved": ApplicationStatus.approved,
    "reject": ApplicationStatus.rejected, "rejected": ApplicationStatus.rejected,
}


def application_path(application: CallApplication) -> str:
    """The organisation's page of its applications, built without a request."""
    adapter = current_app.url_map.bind("localhost")
    return adapter.build("calls.mine", {}) + f"#application-{application.id}"


def decide_application(actor, application: CallApplication, decision, reason=None) -> bool:
    """Approve or reject an application (a reason is required to reject); False if it already
    had that decision and reason. The organisation is told by mail, in its language."""
    require(actor, "calls.decide", application)
    status = DECISIONS.get(str(decision or "").strip().lower())
    if status is None:
        raise ValidationError(_("Choose approve or reject."), field="decision")
    text = clean_text(reason) or None
    if status == ApplicationStatus.rejected and not text:
        raise ValidationError(_("Give the reason for the rejection; the organisation will read "
                                "it."), field="reason")
    if text and len(text) > REASON_MAX:
        raise ValidationError(_("The reason can have at most %(max)d characters.", max=REASON_MAX),
                              field="reason")
    if application_locked(application):
        raise InvalidTransition(_("Voting has opened in this committee's election: the decisions "
                                  "on its applications can no longer change."))
    if application.status == status and application.decision_reason == text:
        return False

    previous = application.status
    application.status = status
    application.decision_reason = text
    application.decided_at = now()
    application.decided_by_id = actor.id
    record(actor, "calls.decide", application, reason=text, public=True,
           committee_id=application.committee_id, call_id=application.call_id,
           organisation_id=application.organisation_id, decision=status.value,
           previous=previous.value if previous else None)
    organisation = application.organisation
    if organisation.email and organisation.deleted_at is None:
        profile = organisation.organisation
        queue_mail(
            organisation.email, "application_decision", locale=organisation.locale,
            organisation_name=profile.legal_name if profile else organisation.name,
            contact=profile.contact_person if profile else organisation.name,
            call_title=application.call.title, committee_name=application.committee.name,
            approved=status == ApplicationStatus.approved, reason=text,
            url=current_app.config["BASE_URL"].rstrip("/") + application_path(application),
        )
    db.session.flush()
    return True
