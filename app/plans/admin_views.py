"""The guarantor body's pages for plans: the list, a plan's form, its set-up page (phases,
committees, themes) and a committee's page (members and facilitators). Under /admin/plans."""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db
from app.plans import forms, queries, services
from app.plans.admin import bp
from app.plans.models import Phase, Theme
from app.plans.setup import checklist, missing_before_publishing


def _plan(plan_id: int):
    return load_or_404(queries.plan_for_setup(plan_id))


def _setup_url(plan, anchor: str | None = None) -> str:
    return url_for("plans_admin.setup", plan_id=plan.id, _anchor=anchor)


# ---------------------------------------------------------------- plans

@bp.get("/")
def index():
    return render_template("plans/admin/index.html", plans=queries.plans_for_admin())


@bp.route("/new", methods=["GET", "POST"])
def new_plan():
    form = forms.PlanForm()
    if not form.is_submitted():
        form.data_licence.data = "CC BY 4.0"
    return run_form(
        form,
        action=lambda: services.create_plan(current_user, form.data),
        success=lambda plan: redirect_with(
            _("The plan %(name)s has been created as a draft. Now set up its phases, committees and "
              "themes.", name=plan.name), _setup_url(plan)),
        render=lambda: render_template("plans/admin/plan_form.html", form=form, plan=None),
    )


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
def edit_plan(plan_id: int):
    plan = _plan(plan_id)
    form = forms.PlanForm(obj=plan)
    return run_form(
        form,
        action=lambda: services.update_plan(current_user, plan, form.data),
        success=lambda _r: redirect_with(_("The plan's data have been saved."), _setup_url(plan)),
        render=lambda: render_template("plans/admin/plan_form.html", form=form, plan=plan),
    )


def _render_setup(plan, **bound_forms):
    page_forms = {
        "phase_form": forms.PhaseForm(prefix="phase", formdata=None),
        "committee_form": forms.CommitteeForm(prefix="committee", formdata=None),
        "theme_form": forms.ThemeForm(prefix="theme", formdata=None),
    }
    page_forms.update(bound_forms)
    return render_template(
        "plans/admin/setup.html", plan=plan, steps=checklist(plan),
        facilitators=queries.facilitator_scopes([c.id for c in plan.committees]), **page_forms,
    )


@bp.get("/<int:plan_id>/")
def setup(plan_id: int):
    return _render_setup(_plan(plan_id))


@bp.post("/<int:plan_id>/publish")
def publish(plan_id: int):
    """Publish; when set-up steps are missing, first say which, and publish only when asked again."""
    plan = _plan(plan_id)
    missing = missing_before_publishing(plan)
    if missing and request.form.get("confirm") != "incomplete" and not plan.is_published:
        return _render_setup(plan, missing_before_publishing=missing)
    services.publish_plan(current_user, plan)
    return redirect_with(_("The plan is published."), _setup_url(plan))


@bp.post("/<int:plan_id>/make-current")
def make_current(plan_id: int):
    plan = _plan(plan_id)
    services.make_current(current_user, plan)
    return redirect_with(_("This is now the current plan."), url_for("plans_admin.index"))


# ---------------------------------------------------------------- phases

def _add_to_plan(plan_id: int, form_class, prefix: str, service, message, anchor: str | None):
    """A form of the set-up page that adds a row to the plan: refused input is shown on that page."""
    plan = _plan(plan_id)
    form = form_class(prefix=prefix)
    return run_form(
        form,
        action=lambda: service(current_user, plan, form.data),
        success=lambda row: redirect_with(message(row), _setup_url(plan, anchor) if anchor else
                                          url_for("plans_admin.committee", committee_id=row.id)),
        render=lambda: _render_setup(plan, **{f"{prefix}_form": form}),
    )


@bp.post("/<int:plan_id>/phases")
def add_phase(plan_id: int):
    return _add_to_plan(plan_id, forms.PhaseForm, "phase", services.add_phase,
                        lambda phase: _("The phase %(name)s has been added.", name=phase.label), "phases")


def _phase(phase_id: int) -> Phase:
    return load_or_404(db.session.get(Phase, phase_id))


@bp.route("/phases/<int:phase_id>/edit", methods=["GET", "POST"])
def edit_phase(phase_id: int):
    phase = _phase(phase_id)
    form = forms.PhaseForm(obj=phase)
    if not form.is_submitted():
        form.kind.data = phase.kind.value
    return run_form(
        form,
        action=lambda: services.update_phase(current_user, phase, form.data),
        success=lambda _r: redirect_with(_("The phase has been saved."), _setup_url(phase.plan, "phases")),
        render=lambda: render_template("plans/admin/phase_form.html", form=form, phase=phase,
                                       plan=phase.plan),
    )


@bp.post("/phases/<int:phase_id>/move")
def move_phase(phase_id: int):
    phase = _phase(phase_id)
    services.move_phase(current_user, phase, -1 if request.form.get("direction") == "up" else 1)
    return redirect_with(_("The order of the phases has been changed."), _setup_url(phase.plan, "phases"))


@bp.post("/phases/<int:phase_id>/remove")
def remove_phase(phase_id: int):
    phase = _phase(phase_id)
    plan = phase.plan
    services.remove_phase(current_user, phase)
    return redirect_with(_("The phase has been removed."), _setup_url(plan, "phases"))


# ---------------------------------------------------------------- committees and themes

@bp.post("/<int:plan_id>/committees")
def add_committee(plan_id: int):
    # On to the new committee's page: its members and facilitators come next.
    return _add_to_plan(plan_id, forms.CommitteeForm, "committee", services.create_committee,
                        lambda committee: _("The committee %(name)s has been created.", name=committee.name),
                        None)


@bp.post("/<int:plan_id>/themes")
def add_theme(plan_id: int):
    return _add_to_plan(plan_id, forms.ThemeForm, "theme", services.create_theme,
                        lambda theme: _("The theme %(name)s has been added.", name=theme.name), "themes")


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
def edit_theme(theme_id: int):
    theme = load_or_404(db.session.get(Theme, theme_id))
    form = forms.ThemeForm(obj=theme)
    return run_form(
        form,
        action=lambda: services.update_theme(current_user, theme, form.data),
        success=lambda _r: redirect_with(_("The theme has been saved."), _setup_url(theme.plan, "themes")),
        render=lambda: render_template("plans/admin/theme_form.html", form=form, theme=theme,
                                       plan=theme.plan),
    )
