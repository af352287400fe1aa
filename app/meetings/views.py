"""Pages of the committees' sessions: the list of a committee's sessions and agreements, one
session, and the facilitators' forms."""
from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.clock import today
from app.core.permissions import require
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db
from app.meetings import bp, forms, queries, services
from app.meetings.models import SessionAgreement
from app.plans.models import MEMBER_KIND_LABELS, Committee


def _session(session_id: int):
    return load_or_404(queries.session_page(session_id))


def _show(session, agreement_form=None, done_form=None, done_id=None, minutes_form=None):
    return render_template(
        "meetings/session.html", session=session, committee=session.committee, today=today(),
        member_labels={kind.value: label for kind, label in MEMBER_KIND_LABELS.items()},
        agreement_form=agreement_form or forms.AgreementForm(formdata=None),
        done_form=done_form or forms.DoneForm(formdata=None), done_id=done_id,
        minutes_form=minutes_form or forms.MinutesForm(formdata=None))


@bp.get("/committee/<int:committee_id>")
def index(committee_id: int):
    committee = load_or_404(db.session.get(Committee, committee_id))
    return render_template("meetings/index.html", committee=committee, today=today(),
                           sessions=queries.sessions_of(committee),
                           counts=queries.agreement_counts(today(), committee_id=committee.id))


@bp.route("/committee/<int:committee_id>/new", methods=["GET", "POST"])
@login_required
def new(committee_id: int):
    committee = load_or_404(db.session.get(Committee, committee_id))
    require(current_user, "meetings.manage", committee)
    members = [m for m in queries.current_members(committee) if m.kind.value != "facilitator"]
    form = forms.SessionForm(members)
    return run_form(
        form,
        action=lambda: services.record_session(current_user, committee, form.data),
        success=lambda session: redirect_with(
            _("The session is recorded. Add its agreements, then publish its minutes."),
            url_for("meetings.show", session_id=session.id)),
        render=lambda: render_template("meetings/new.html", committee=committee, form=form),
    )


@bp.get("/<int:session_id>")
def show(session_id: int):
    return _show(_session(session_id))


@bp.post("/<int:session_id>/agreements")
@login_required
def add_agreement(session_id: int):
    session = _session(session_id)
    require(current_user, "meetings.manage", session)
    form = forms.AgreementForm()
    return run_form(
        form,
        action=lambda: services.add_agreement(current_user, session, form.data),
        success=lambda agreement: redirect_with(
            _("The agreement is added and will be followed until done."),
            url_for("meetings.show", session_id=session.id, _anchor=f"agreement-{agreement.id}")),
        render=lambda: _show(session, agreement_form=form),
    )


@bp.post("/agreement/<int:agreement_id>/done")
@login_required
def complete(agreement_id: int):
    agreement = load_or_404(db.session.get(SessionAgreement, agreement_id))
    session = _session(agreement.session_id)
    require(current_user, "meetings.manage", session)
    form = forms.DoneForm()
    return run_form(
        form,
        action=lambda: services.complete_agreement(current_user, agreement, form.data),
        success=lambda _none: redirect_with(
            _("The agreement is marked done."),
            url_for("meetings.show", session_id=session.id, _anchor=f"agreement-{agreement.id}")),
        render=lambda: _show(session, done_form=form, done_id=agreement.id),
        conflict_keeps_input=True,
    )


@bp.post("/<int:session_id>/minutes")
@login_required
def minutes(session_id: int):
    session = _session(session_id)
    require(current_user, "meetings.manage", session)
    form = forms.MinutesForm()
    return run_form(
        form,
        action=lambda: services.publish_minutes(current_user, session, form.minutes.data),
        success=lambda _none: redirect_with(_("The minutes are published."),
                                            url_for("meetings.show", session_id=session.id)),
        render=lambda: _show(session, minutes_form=form),
        conflict_keeps_input=True,
    )
