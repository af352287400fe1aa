"""Pages of the guarantor body's administration area."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.models import Organisation
from app.admin import bp, forms, services
from app.core.errors import ValidationError
from app.core.permissions import require
from app.extensions import db
from app.plans.models import Committee


@bp.before_request
@login_required
def _only_admins():
    require(current_user, "admin.access")


@bp.get("/")
def index():
    return render_template("admin/index.html")


@bp.get("/organisations")
def organisations():
    return render_template(
        "admin/organisations.html",
        organisations=services.pending_organisations(),
        form=forms.VerifyOrganisationForm(),
    )


@bp.post("/organisations/<int:user_id>")
def decide_organisation(user_id: int):
    organisation = db.session.get(Organisation, user_id) or abort(404)
    form = forms.VerifyOrganisationForm()
    if form.validate_on_submit():
        try:
            services.decide_organisation(
                current_user, organisation, form.decision.data, form.reason.data
            )
        except ValidationError as exc:
            getattr(form, exc.field or "decision").errors.append(exc.message)
        else:
            flash(
                _("The decision on %(name)s has been recorded and sent.", name=organisation.legal_name),
                "success",
            )
            return redirect(url_for("admin.organisations"))
    return (
        render_template(
            "admin/organisations.html",
            organisations=services.pending_organisations(),
            form=form,
            failed_id=user_id,
        ),
        400,
    )


def _committee_choices():
    return [(0, _("Choose a committee"))] + [
        (c.id, f"{c.name} ({c.plan.name})")
        for c in db.session.scalars(
            sa.select(Committee).order_by(Committee.plan_id, Committee.position)
            .options(sa.orm.joinedload(Committee.plan))
        )
    ]


@bp.route("/moderators", methods=["GET", "POST"])
def moderators():
    form = forms.GrantScopeForm()
    form.committee_id.choices = _committee_choices()
    status = 200
    if form.validate_on_submit():
        try:
            services.grant_moderator_scope(current_user, form.email.data, form.committee_id.data)
        except ValidationError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            flash(_("The facilitator scope has been granted."), "success")
            return redirect(url_for("admin.moderators"))
    if form.errors:
        status = 400
    return render_template("admin/moderators.html", form=form, scopes=services.moderator_scopes()), status


@bp.post("/moderators/<int:scope_id>/revoke")
def revoke_moderator(scope_id: int):
    services.revoke_moderator_scope(current_user, scope_id)
    flash(_("The facilitator scope has been revoked."), "success")
    return redirect(url_for("admin.moderators"))
