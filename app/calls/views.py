"""Pages of the call: the calls, one call, applying, the review of applications, the registry."""
import csv
import io

from flask import Response, current_app, flash, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from app.calls import bp, charts, forms, queries, services
from app.calls.locks import applications_locked
from app.calls.models import APPLICATION_STATUS_LABELS, ApplicationStatus, Call
from app.calls.windows import local_time
from app.core import storage
from app.core.clock import utc_to_local
from app.core.errors import render_error
from app.core.permissions import check, require
from app.core.urls import int_arg
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db
from app.plans.models import ActionPlan
from app.plans.queries import current_plan_or_404

DOCUMENT_CSP = "default-src 'none'; sandbox"


def _call(call_id: int) -> Call:
    return load_or_404(queries.call_by_id(call_id))


@bp.app_template_global("call_window_state")
def call_window_state(call: Call) -> str:
    return queries.window_state(call)


@bp.app_template_filter("document_size")
def document_size(size) -> str:
    return storage.human_size(size)


@bp.app_template_global("application_status_label")
def application_status_label(status) -> str:
    return str(APPLICATION_STATUS_LABELS[ApplicationStatus(status)])


# ---------------------------------------------------------------- public pages

@bp.get("/")
def index():
    return render_template("calls/index.html", calls=queries.published_calls())


@bp.get("/<int:call_id>")
def show(call_id: int):
    call = _call(call_id)
    mine = []
    if current_user.is_authenticated and current_user.is_organisation:
        mine = queries.applications_of(current_user, call)
    applying = check(current_user, "calls.apply", call)
    return render_template(
        "calls/show.html", call=call, state=queries.window_state(call), mine=mine,
        may_apply=applying.allowed, refusal=applying.reason,
    )


@bp.get("/<int:call_id>/registry")
def registry(call_id: int):
    call = _call(call_id)
    page = int_arg(request.args.get("page"), 1, maximum=1_000_000)
    found, listed = queries.registry_page(call, page)
    if listed.page > listed.pages:
        raise NotFound()
    return render_template("calls/registry.html", call=call, registry=found, listed=listed,
                           charts=charts.registry_charts(found))


def _csv_cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula (a name may start with "=")."""
    text = str(value or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/<int:call_id>/registry.csv")
def registry_csv(call_id: int):
    call = _call(call_id)
    found = queries.registry(call)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Organisation"), _("Sector"), _("Municipality"), _("Committees")])
    for entry in found.entries:
        writer.writerow([_csv_cell(entry.name), _csv_cell(entry.sector_label),
                         _csv_cell(entry.municipality),
                         _csv_cell("; ".join(c.name for c in entry.committees))])
    # The BOM makes spreadsheet programs read the accents as UTF-8.
    body = "\ufeff" + out.getvalue()
    response = Response(body.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="registro-convocatoria-{call.id}.csv"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- the guarantor body: the call

def _committee_choices(plan: ActionPlan):
    return [(c.id, c.name) for c in plan.committees]


def _call_data(form: forms.CallForm) -> dict:
    return {"title": form.title.data, "body": form.body.data,
            "requirements": form.requirements.data, "declarations": form.declarations.data,
            "committee_ids": form.committee_ids.data, "opens_at": form.opens_at.data,
            "closes_at": form.closes_at.data}


def _to_call(call: Call, changed: bool, message: str):
    return redirect_with(message if changed else _("Nothing changed."),
                         url_for("calls.show", call_id=call.id), "success" if changed else "info")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """The form (no committee ticked), then a review of what will be published with "Publish"
    and "Back to edit": the input travels in the review's hidden fields, so it survives going
    back; a second click on Publish returns the call already published (publish_call)."""
    plan_id = request.args.get("plan", type=int)
    plan = load_or_404(db.session.get(ActionPlan, plan_id)) if plan_id else current_plan_or_404()
    require(current_user, "calls.manage", plan)
    form = forms.CallForm()
    form.committee_ids.choices = _committee_choices(plan)

    def edit_form():
        return render_template("calls/form.html", form=form, plan=plan, call=None)

    if request.method == "POST" and "back" in request.form:
        return edit_form()
    if request.method == "POST" and "publish" in request.form:
        return run_form(
            form,
            action=lambda: services.publish_call(current_user, plan, _call_data(form)),
            success=lambda call: redirect_with(_("The call is published."),
                                               url_for("calls.show", call_id=call.id)),
            render=edit_form,
        )
    return run_form(
        form,
        action=lambda: services.preview_call(current_user, plan, _call_data(form)),
        success=lambda preview: render_template(
            "calls/confirm.html", form=form, plan=plan, preview=preview,
            state=queries.window_state(preview)),
        render=edit_form,
    )


@bp.route("/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def edit(call_id: int):
    """Before registration opens, the whole call; while it is open, only a later closing date."""
    call = _call(call_id)
    require(current_user, "calls.manage", call)
    if services.changeable_window(call) == queries.OPEN:
        return _extend(call)
    data = None
    if request.method == "GET":
        data = services.call_data(call)
        data["declarations"] = "\n".join(data["declarations"])
    form = forms.CallForm(data=data)
    form.committee_ids.choices = _committee_choices(call.plan)
    return run_form(
        form,
        action=lambda: services.update_call(current_user, call, _call_data(form)),
        success=lambda changed: _to_call(call, changed, _("The call is updated.")),
        render=lambda: render_template("calls/form.html", form=form, plan=call.plan, call=call),
    )


def _extend(call: Call):
    form = forms.ExtendForm()
    if request.method == "GET":
        form.closes_at.data = utc_to_local(call.closes_at)
    return run_form(
        form,
        action=lambda: services.update_call(current_user, call, {"closes_at": form.closes_at.data}),
        success=lambda changed: _to_call(call, changed, _(
            "Registration now closes on %(closes)s.", closes=local_time(call.closes_at))),
        render=lambda: render_template("calls/extend.html", form=form, call=call),
    )


# ---------------------------------------------------------------- the guarantor body: review

def _decision_form(application, formdata=None) -> forms.DecisionForm:
    form = forms.DecisionForm(formdata=formdata, prefix=f"application-{application.id}")
    if formdata is None and application.status != ApplicationStatus.pending:
        form.decision.data = ("approve" if application.status == ApplicationStatus.approved
                              else "reject")
        form.reason.data = application.decision_reason or ""
    return form


def _review_page(call: Call, failed=None, failed_form=None):
    applications = queries.applications_for_review(call)
    decision_forms = {
        a.id: failed_form if failed is not None and a.id == failed.id else _decision_form(a)
        for a in applications
    }
    return render_template(
        "calls/applications.html", call=call, applications=applications,
        documents=queries.documents_by_application(a.id for a in applications),
        decision_forms=decision_forms, failed=failed,
        # One answer per committee, so that the page's statements do not grow with applications.
        locked={committee_id: applications_locked(call.id, committee_id)
                for committee_id in {a.committee_id for a in applications}},
    )


@bp.get("/<int:call_id>/applications")
@login_required
def applications(call_id: int):
    call = _call(call_id)
    require(current_user, "calls.manage", call)
    return _review_page(call)


def _decided(application, changed: bool):
    review = url_for("calls.applications", call_id=application.call_id,
                     _anchor=f"application-{application.id}")
    if not changed:
        return redirect_with(_("The application already had that decision; nothing changed."),
                             review, "info")
    if application.status == ApplicationStatus.approved:
        return redirect_with(_("The application is approved and the organisation is told."), review)
    return redirect_with(_("The application is rejected and the organisation is told."), review)


@bp.post("/applications/<int:application_id>/decide")
@login_required
def decide(application_id: int):
    application = queries.application_by_id(application_id)
    application = load_or_404(application if application is not None
                              and application.call.published_at is not None else None)
    require(current_user, "calls.decide", application)
    form = _decision_form(application, request.form)
    return run_form(
        form,
        action=lambda: services.decide_application(current_user, application, form.decision.data,
                                                   form.reason.data),
        success=lambda changed: _decided(application, changed),
        render=lambda: _review_page(application.call, application, form),
    )


@bp.get("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    """A document of an application, for the guarantor body only; its path comes only from our
    random stored name, and it is always downloaded, never shown in the site's origin."""
    item = load_or_404(queries.document_by_id(document_id))
    require(current_user, "calls.manage", item)
    path = load_or_404(storage.path_of(item.stored_name))
    content_type = (item.content_type if item.content_type in storage.ALLOWED_CONTENT_TYPES
                    else "application/octet-stream")
    response = send_file(path, mimetype=content_type, as_attachment=True,
                         download_name="documento", conditional=True, max_age=None)
    response.headers["Content-Disposition"] = storage.content_disposition(item.original_name,
                                                                          inline=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOCUMENT_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- organisations: applying

def _applied(result: services.ApplyResult):
    sent = _("Your application is sent. The guarantor body will review it and tell you its "
             "decision by mail.")
    if not result.already:
        return redirect_with(sent, url_for("calls.mine"))
    if result.created:
        flash(sent, "success")
    return redirect_with(_("You had already applied to: %(committees)s.",
                           committees=", ".join(c.name for c in result.already)),
                         url_for("calls.mine"), "info")


@bp.route("/<int:call_id>/apply", methods=["GET", "POST"])
@login_required
def apply(call_id: int):
    call = _call(call_id)
    require(current_user, "calls.apply", call)  # who may, and whether the window is open
    form = forms.ApplyForm()
    form.committee_ids.choices = [(c.id, c.name) for c in call.committees]
    form.declarations.choices = list(enumerate(call.declarations or []))
    return run_form(
        form,
        action=lambda: services.apply_to_call(current_user, call, form.committee_ids.data,
                                              form.declarations.data, form.documents.data or []),
        success=_applied,
        render=lambda: render_template(
            "calls/apply.html", form=form, call=call,
            mine=queries.applications_of(current_user, call),
            max_documents=services.MAX_DOCUMENTS,
            max_file_size=storage.human_size(storage.max_bytes()),
            max_request_size=storage.human_size(current_app.config.get("MAX_CONTENT_LENGTH")),
        ),
    )


@bp.get("/mine")
@login_required
def mine():
    return render_template("calls/mine.html", applications=queries.applications_of(current_user))


@bp.errorhandler(413)
def _too_large(exc):
    return render_error(413, _(
        "Everything sent together may weigh at most %(total)s, and each document at most "
        "%(each)s. Go back and send fewer or smaller documents.",
        total=storage.human_size(current_app.config.get("MAX_CONTENT_LENGTH")),
        each=storage.human_size(storage.max_bytes()),
    ))
