"""Pages of the guarantor body's administration area."""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.models import Organisation
from app.admin import bp, forms, queries, services
from app.calls.models import APPLICATION_STATUS_LABELS
from app.core.pagination import clamp_page
from app.core.permissions import require
from app.core.urls import safe_next
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db
from app.plans import queries as plan_queries
from app.plans.setup import checklist, checklist_before_any_plan


@bp.before_request
@login_required
def _only_admins():
    require(current_user, "admin.access")


@bp.get("/")
def index():
    """The administration's entry, with the set-up checklist of the current plan (or of the plan
    chosen with ?plan=<id>, e.g. a draft)."""
    plans = plan_queries.plans_for_admin()
    chosen = request.args.get("plan", type=int)
    plan = next((p for p, _phases, _committees in plans if p.id == chosen), None) or next(
        (p for p, _phases, _committees in plans if p.is_current), None) or (plans[0][0] if plans else None)
    return render_template("admin/index.html", plan=plan, plans=[p for p, *_ in plans],
                           steps=checklist(plan) if plan else checklist_before_any_plan())


ORGANISATION_ARGS = ("q", "sector", "verification", "committee", "call", "page")


def _organisations_page(form=None, failed_id=None):
    """The review queue as the filters in the address ask; `form` holds a refused decision."""
    filter_form = forms.OrganisationFilterForm(formdata=request.args)
    filters = forms.organisation_filters(filter_form, queries.committees(), queries.calls())
    page = queries.organisations_page(filters, clamp_page(request.args.get("page")))
    link_args = {key: request.args[key] for key in ORGANISATION_ARGS
                 if key != "page" and request.args.get(key)}
    return render_template(
        "admin/organisations.html",
        awaiting=queries.calls_awaiting_decisions(),
        page=page,
        applications=queries.applications_of(page.items),
        application_labels=APPLICATION_STATUS_LABELS,
        filter_form=filter_form,
        filtered=filters.active,
        link_args=link_args,
        here_args={**link_args, **({"page": page.page} if page.page > 1 else {})},
        form=form or forms.VerifyOrganisationForm(formdata=None),
        failed_id=failed_id,
    )


@bp.get("/organisations")
def organisations():
    return _organisations_page()


@bp.post("/organisations/<int:user_id>")
def decide_organisation(user_id: int):
    organisation = load_or_404(db.session.get(Organisation, user_id))
    form = forms.VerifyOrganisationForm()
    back = {key: request.args[key] for key in ORGANISATION_ARGS if request.args.get(key)}
    return run_form(
        form,
        action=lambda: services.decide_organisation(
            current_user, organisation, form.decision.data, form.reason.data
        ),
        success=lambda _result: redirect_with(
            _("The decision on %(name)s has been recorded and sent.", name=organisation.legal_name),
            url_for("admin.organisations", **back),
        ),
        render=lambda: _organisations_page(form, failed_id=user_id),
    )


def _committee_choices():
    return [(0, _("Choose a committee"))] + [
        (c.id, f"{c.name} ({c.plan.name})") for c in queries.committees()
    ]


@bp.route("/moderators", methods=["GET", "POST"])
def moderators():
    form = forms.GrantScopeForm()
    form.committee_id.choices = _committee_choices()
    return run_form(
        form,
        action=lambda: services.grant_moderator_scope(current_user, form.email.data,
                                                      form.committee_id.data),
        success=lambda _result: redirect_with(_("The facilitator scope has been granted."),
                                              _back_or(url_for("admin.moderators"))),
        render=lambda: render_template("admin/moderators.html", form=form,
                                       scopes=services.moderator_scopes()),
    )


@bp.post("/moderators/<int:scope_id>/revoke")
def revoke_moderator(scope_id: int):
    services.revoke_moderator_scope(current_user, scope_id)
    return redirect_with(_("The facilitator scope has been revoked."), _back_or(url_for("admin.moderators")))


def _back_or(default: str) -> str:
    """Back to the page the form was sent from (a committee's page in /admin/plans), if local."""
    return safe_next(request.form.get("next")) or default
