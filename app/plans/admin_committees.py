"""A committee's page in the guarantor body's plan pages: its data, its government members (added,
their details corrected, their terms ended, the history kept) and its facilitators (granted and revoked by app/admin)."""
import sqlalchemy as sa
from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db
from app.plans import forms, queries, services
from app.plans.admin import bp
from app.plans.models import Committee, CommitteeMember, MemberKind


def _committee(committee_id: int) -> Committee:
    return load_or_404(db.session.scalar(
        sa.select(Committee).where(Committee.id == committee_id).options(
            sa.orm.joinedload(Committee.plan), sa.orm.selectinload(Committee.members))
    ))


def _page_url(committee: Committee, anchor: str | None = None) -> str:
    return url_for("plans_admin.committee", committee_id=committee.id, _anchor=anchor)


def _render(committee: Committee, end_forms: dict | None = None, correct_forms: dict | None = None,
            **bound):
    """The page with its forms; `bound` ones (and `end_forms` and `correct_forms`, by member)
    carry a refused input."""
    page_forms = {
        "committee_form": forms.CommitteeForm(obj=committee, formdata=None),
        "member_form": forms.MemberForm(prefix="member", formdata=None),
        "facilitator_form": forms.FacilitatorForm(
            formdata=None, committee_id=committee.id, next=_page_url(committee, "facilitators")),
        **bound,
    }
    current = [m for m in committee.members if m.is_current]
    end_forms = {
        m.id: forms.EndTermForm(prefix=f"end{m.id}", formdata=None)
        for m in current if m.kind == MemberKind.government
    } | (end_forms or {})
    correct_forms = {
        m.id: forms.MemberCorrectionForm(prefix=f"fix{m.id}", obj=m, formdata=None)
        for m in committee.members if m.kind == MemberKind.government
    } | (correct_forms or {})
    return render_template(
        "plans/admin/committee.html", committee=committee, plan=committee.plan, current=current,
        history=[m for m in committee.members if not m.is_current], end_forms=end_forms,
        correct_forms=correct_forms,
        facilitators=queries.facilitator_scopes([committee.id])[committee.id], **page_forms,
    )


@bp.route("/committees/<int:committee_id>/", methods=["GET", "POST"])
def committee(committee_id: int):
    committee = _committee(committee_id)
    form = forms.CommitteeForm(obj=committee)
    return run_form(
        form,
        action=lambda: services.update_committee(current_user, committee, form.data),
        success=lambda _r: redirect_with(_("The committee has been saved."), _page_url(committee)),
        render=lambda: _render(committee, committee_form=form),
    )


@bp.post("/committees/<int:committee_id>/members")
def add_member(committee_id: int):
    committee = _committee(committee_id)
    form = forms.MemberForm(prefix="member")
    return run_form(
        form,
        action=lambda: services.add_member(current_user, committee, {**form.data, "kind": "government"}),
        success=lambda member: redirect_with(_("%(name)s has been added to the committee.", name=member.name),
                                             _page_url(committee, "members")),
        render=lambda: _render(committee, member_form=form),
    )


@bp.post("/members/<int:member_id>/end-term")
def end_member_term(member_id: int):
    member = load_or_404(db.session.get(CommitteeMember, member_id))
    committee = _committee(member.committee_id)
    form = forms.EndTermForm(prefix=f"end{member.id}")
    return run_form(
        form,
        action=lambda: services.end_member_term(current_user, member, form.data),
        success=lambda _r: redirect_with(_("The term of %(name)s has ended; it stays in the history.",
                                           name=member.name), _page_url(committee, "members")),
        render=lambda: _render(committee, end_forms={member.id: form}),
    )


@bp.post("/members/<int:member_id>/correct")
def correct_member(member_id: int):
    member = load_or_404(db.session.get(CommitteeMember, member_id))
    committee = _committee(member.committee_id)
    form = forms.MemberCorrectionForm(prefix=f"fix{member.id}")
    anchor = "members" if member.is_current else "history"
    return run_form(
        form,
        action=lambda: services.correct_member(current_user, member, form.data),
        success=lambda changes: redirect_with(
            _("The details of %(name)s have been corrected; the history keeps what they said "
              "before.", name=member.name) if changes else
            _("Nothing to correct: the details were already those."), _page_url(committee, anchor)),
        render=lambda: _render(committee, correct_forms={member.id: form}),
    )
