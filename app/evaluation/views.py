"""Pages of the evaluation: a commitment's opinions and self-assessment with their forms, and
the plan's evidence pack."""
from flask import render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.commitments.models import Commitment
from app.core.permissions import can, require
from app.core.views import load_or_404, redirect_with, run_form
from app.evaluation import bp, forms, pack, queries, services
from app.extensions import db
from app.plans.queries import published_plan


def _commitment(commitment_id: int) -> Commitment:
    commitment = db.session.get(Commitment, commitment_id)
    return load_or_404(commitment if commitment is not None and commitment.is_public else None)


def _page(commitment, opinion_form=None, assessment_form=None):
    return render_template(
        "evaluation/commitment.html", commitment=commitment,
        opinions=queries.opinions_of(commitment.id), assessment=queries.assessment_of(commitment.id),
        in_evaluation=queries.in_evaluation(commitment.plan_id),
        opinion_form=opinion_form or (forms.OpinionForm(formdata=None)
                                      if can(current_user, "evaluation.opinion", commitment) else None),
        assessment_form=assessment_form or (forms.AssessmentForm(formdata=None)
                                            if can(current_user, "evaluation.assess", commitment) else None))


@bp.get("/commitment/<int:commitment_id>")
def commitment(commitment_id: int):
    return _page(_commitment(commitment_id))


def _done(commitment, message):
    return redirect_with(message, url_for("evaluation.commitment", commitment_id=commitment.id))


@bp.post("/commitment/<int:commitment_id>/opinion")
@login_required
def opinion(commitment_id: int):
    commitment = _commitment(commitment_id)
    require(current_user, "evaluation.opinion", commitment)
    form = forms.OpinionForm()
    return run_form(form, action=lambda: services.give_opinion(current_user, commitment, form.data),
                    success=lambda _o: _done(commitment, _("Your opinion is published.")),
                    render=lambda: _page(commitment, opinion_form=form), conflict_keeps_input=True)


@bp.post("/commitment/<int:commitment_id>/assessment")
@login_required
def assessment(commitment_id: int):
    commitment = _commitment(commitment_id)
    require(current_user, "evaluation.assess", commitment)
    form = forms.AssessmentForm()
    return run_form(form, action=lambda: services.record_assessment(current_user, commitment, form.data),
                    success=lambda _a: _done(commitment, _("The self-assessment is recorded and published.")),
                    render=lambda: _page(commitment, assessment_form=form), conflict_keeps_input=True)


@bp.get("/<int:plan_id>/pack.zip")
def evidence_pack(plan_id: int):
    plan = load_or_404(published_plan(plan_id))
    return send_file(pack.build(plan), mimetype="application/zip", as_attachment=True,
                     download_name=f"evidence-pack-plan-{plan.id}.zip", max_age=0)
