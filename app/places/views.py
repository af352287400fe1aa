"""The guarantor body's pages for a plan's catalogue of places (/admin/plans/<plan_id>/places)."""
import sqlalchemy as sa
from flask import Response, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.utils import secure_filename

from app.core.permissions import require
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db
from app.places import bp, forms, queries, services
from app.places.models import Place
from app.plans.models import ActionPlan, Committee
from app.plans.queries import current_plan


@bp.app_template_global()
def current_places_url() -> str | None:
    """The current plan's catalogue page, for the administration's index."""
    plan = current_plan()
    return url_for("places.index", plan_id=plan.id) if plan is not None else None


@bp.before_request
@login_required
def _only_admins():
    require(current_user, "places.manage")


def _plan(plan_id: int) -> ActionPlan:
    return load_or_404(db.session.scalar(
        sa.select(ActionPlan).where(ActionPlan.id == plan_id)
        .options(sa.orm.selectinload(ActionPlan.committees))))


def _place(plan: ActionPlan, place_id: int) -> Place:
    place = db.session.get(Place, place_id)
    return load_or_404(place if place is not None and place.plan_id == plan.id else None)


def _committee_choices(plan: ActionPlan):
    return [("", _("No committee"))] + [(str(c.id), c.name) for c in plan.committees]


def _home(plan: ActionPlan) -> str:
    return url_for("places.index", plan_id=plan.id)


@bp.route("/", methods=["GET", "POST"])
def index(plan_id: int):
    plan = _plan(plan_id)
    places = queries.places_of(plan)
    form = forms.PlaceForm()
    form.parent_id.choices = [("", _("None: it is a municipality"))] + [
        (str(p.id), p.name) for p in places]
    form.committee_id.choices = _committee_choices(plan)
    return run_form(
        form,
        action=lambda: services.add_place(current_user, plan, form.data),
        success=lambda place: redirect_with(_("%(name)s is in the catalogue.", name=place.name),
                                            _home(plan)),
        render=lambda: render_template("places/index.html", plan=plan, places=places, form=form,
                                       outside=queries.outside_value(plan)),
    )


@bp.route("/<int:place_id>/edit", methods=["GET", "POST"])
def edit(plan_id: int, place_id: int):
    plan = _plan(plan_id)
    place = _place(plan, place_id)
    form = forms.EditPlaceForm(obj=place)
    form.committee_id.choices = _committee_choices(plan)
    if not form.is_submitted():
        form.committee_id.data = str(place.committee_id or "")
    return run_form(
        form,
        action=lambda: services.update_place(current_user, place, form.data),
        success=lambda _place: redirect_with(_("The place is saved."), _home(plan)),
        render=lambda: render_template("places/edit.html", plan=plan, place=place, form=form),
    )


@bp.post("/<int:place_id>/remove")
def remove(plan_id: int, place_id: int):
    plan = _plan(plan_id)
    place = _place(plan, place_id)
    name = place.name
    services.remove_place(current_user, place)
    return redirect_with(_("%(name)s is no longer in the catalogue.", name=name), _home(plan))


@bp.route("/import", methods=["GET", "POST"])
def import_csv(plan_id: int):
    plan = _plan(plan_id)
    form = forms.ImportForm()
    return run_form(
        form,
        action=lambda: services.import_places_csv(current_user, plan, form.csv_text()),
        success=lambda counts: redirect_with(_(
            "Imported: %(added)d places added, %(updated)d changed, %(unchanged)d already so.",
            **counts), _home(plan)),
        render=lambda: render_template("places/import.html", plan=plan, form=form,
                                       header=",".join(queries.CSV_HEADER),
                                       max_rows=services.MAX_ROWS),
    )


@bp.get("/places.csv")
def download(plan_id: int):
    plan = _plan(plan_id)
    name = secure_filename(f"places-{plan.slug}.csv") or "places.csv"
    # The byte order mark makes spreadsheet programs read UTF-8; the import skips it.
    return Response("\ufeff" + queries.places_csv(plan), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/committees/<int:committee_id>", methods=["GET", "POST"])
def committee(plan_id: int, committee_id: int):
    plan = _plan(plan_id)
    committee = db.session.get(Committee, committee_id)
    load_or_404(committee if committee is not None and committee.plan_id == plan.id else None)
    places = queries.places_of(plan)
    form = forms.CommitteePlacesForm()
    form.place_ids.choices = [
        (str(p.id), p.name if p.parent_id is None else f"{m.name} › {p.name}")
        for m in places for p in (m, *m.localities)]
    if not form.is_submitted():
        form.place_ids.data = [str(p.id) for m in places for p in (m, *m.localities)
                               if p.committee_id == committee.id]
    return run_form(
        form,
        action=lambda: services.set_committee_places(current_user, committee, form.place_ids.data),
        success=lambda _none: redirect_with(
            _("The places %(committee)s covers are saved.", committee=committee.name), _home(plan)),
        render=lambda: render_template("places/committee.html", plan=plan, committee=committee,
                                       form=form),
    )
