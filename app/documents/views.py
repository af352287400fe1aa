"""Pages of the repository (/documents/) and of the Declaratoria (/declaratoria)."""
from flask import current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.permissions import is_admin
from app.core import storage
from app.core.errors import render_error
from app.core.permissions import can, require
from app.core.views import load_or_404, redirect_with, run_form
from app.documents import bp, forms, queries, services
from app.documents.models import DOCUMENT_KIND_LABELS, DocumentKind
from app.documents.permissions import FACILITATOR_KINDS
from app.plans.queries import current_plan_or_404

FILE_CSP = "default-src 'none'; sandbox"


def _plan():
    slug = request.args.get("plan")
    return load_or_404(queries.plan_for(slug)) if slug else current_plan_or_404()


def _no_plan_yet(title: str):
    """A fresh installation: the pages linked from every footer say so instead of a 404."""
    if request.args.get("plan") or queries.plan_for(None) is not None:
        return None
    return render_template("documents/no_plan.html", title=title)


def _plan_args(plan) -> dict:
    """?plan=<slug> for a plan that is not the current one, so links stay on that plan."""
    return {} if plan.is_current else {"plan": plan.slug}


def _filters(plan, committees) -> queries.DocumentFilters:
    kind = request.args.get("kind")
    committee = request.args.get("committee")
    year = request.args.get("year", "")
    by_slug = {c.slug: c.id for c in committees}
    return queries.DocumentFilters(
        kind=DocumentKind(kind) if kind in {k.value for k in DocumentKind} else None,
        committee_id=by_slug.get(committee),
        year=int(year) if year.isdigit() and len(year) == 4 else None,
    )


@bp.get("/documents/")
def index():
    empty = _no_plan_yet(_("Public repository of documents"))
    if empty is not None:
        return empty
    plan = _plan()
    committees = queries.committees_of(plan)
    filters = _filters(plan, committees)
    page = queries.document_page(plan, filters, request.args.get("page"))
    link_args = {k: v for k, v in request.args.items() if k in ("plan", "kind", "committee", "year") and v}
    return render_template(
        "documents/index.html", plan=plan, page=page, filters=filters, committees=committees,
        years=queries.years_of(plan), kinds=DOCUMENT_KIND_LABELS, link_args=link_args,
        other_plans=queries.other_plans(plan),
    )


def _document(document_id: int):
    return load_or_404(queries.document_detail(document_id))


@bp.get("/documents/<int:document_id>")
def show(document_id: int):
    return render_template("documents/show.html", document=_document(document_id))


@bp.get("/documents/<int:document_id>/versions/<int:number>/file")
def download(document_id: int, number: int):
    """The file of one version, looked up by numbers (its path comes only from our random name)."""
    version = load_or_404(queries.version_file(document_id, number))
    path = load_or_404(storage.path_of(version.stored_name))
    content_type = (version.content_type if version.content_type in storage.ALLOWED_CONTENT_TYPES
                    else "application/octet-stream")
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name="document",
                         conditional=True, max_age=None)
    response.headers["Content-Disposition"] = storage.content_disposition(version.original_name, False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# ---------------------------------------------------------------- publishing

def _limits() -> dict:
    return {"max_file_size": storage.human_size(storage.max_bytes())}


@bp.route("/documents/new", methods=["GET", "POST"])
@login_required
def new():
    require(current_user, "documents.publish")
    plan = _plan()
    committees = queries.committees_of(plan)
    form = forms.DocumentForm()
    if is_admin(current_user):
        form.set_choices(committees)
    else:
        form.set_choices([c for c in committees if current_user.facilitates(c.id)],
                         [k for k in DocumentKind if k in FACILITATOR_KINDS])
    return run_form(
        form,
        action=lambda: services.publish_document(current_user, plan, form.document_data(),
                                                 form.upload),
        success=lambda document: redirect_with(_("The document is published."),
                                               url_for("documents.show", document_id=document.id)),
        render=lambda: render_template("documents/new.html", form=form, plan=plan, **_limits()),
    )


@bp.route("/documents/<int:document_id>/versions/new", methods=["GET", "POST"])
@login_required
def new_version(document_id: int):
    document = _document(document_id)
    require(current_user, "documents.add_version", document)
    form = forms.VersionForm()
    return run_form(
        form,
        action=lambda: services.add_version(current_user, document, {"reason": form.reason.data},
                                            form.upload),
        success=lambda version: redirect_with(
            _("Version %(number)d is published; the previous ones stay downloadable.",
              number=version.number),
            url_for("documents.show", document_id=document.id)),
        render=lambda: render_template("documents/version.html", form=form, document=document,
                                       **_limits()),
    )


@bp.route("/documents/<int:document_id>/edit", methods=["GET", "POST"])
@login_required
def edit(document_id: int):
    document = _document(document_id)
    require(current_user, "documents.edit_details", document)
    form = forms.DetailsForm(obj=document if request.method == "GET" else None)
    return run_form(
        form,
        action=lambda: services.update_document_details(current_user, document, form.data),
        success=lambda changed: redirect_with(
            _("The details are corrected.") if changed else _("Nothing changed."),
            url_for("documents.show", document_id=document.id), "success" if changed else "info"),
        render=lambda: render_template("documents/edit.html", form=form, document=document),
    )


@bp.errorhandler(413)
def _too_large(exc):
    return render_error(413, _(
        "The file may weigh at most %(each)s (and everything sent together %(total)s). Go back "
        "and send a smaller file.",
        total=storage.human_size(current_app.config.get("MAX_CONTENT_LENGTH")),
        each=storage.human_size(storage.max_bytes())))


# ---------------------------------------------------------------- the Declaratoria

def _declaration_page(plan, declaration, signatory_form=None):
    if signatory_form is None and declaration and can(current_user, "declarations.record", plan):
        signatory_form = forms.SignatoryForm(formdata=None)
    return render_template("documents/declaration.html", plan=plan, declaration=declaration,
                           signatory_form=signatory_form, plan_args=_plan_args(plan))


@bp.get("/declaratoria")
def declaration():
    empty = _no_plan_yet(_("Declaratoria"))
    if empty is not None:
        return empty
    plan = _plan()
    return _declaration_page(plan, queries.declaration_of(plan))


@bp.route("/declaratoria/record", methods=["GET", "POST"])
@login_required
def record_declaration():
    plan = _plan()
    require(current_user, "declarations.record", plan)
    form = forms.DeclarationForm()
    return run_form(
        form,
        action=lambda: services.record_declaration(current_user, plan, form.declaration_data(),
                                                   form.upload),
        success=lambda _d: redirect_with(_("The Declaratoria is recorded. Add its signatories."),
                                         url_for("documents.declaration", **_plan_args(plan))),
        render=lambda: render_template("documents/record_declaration.html", form=form, plan=plan,
                                       **_limits()),
    )


@bp.route("/declaratoria/signatories/new", methods=["GET", "POST"])
@login_required
def add_signatory():
    plan = _plan()
    require(current_user, "declarations.record", plan)
    found = load_or_404(queries.declaration_of(plan))
    form = forms.SignatoryForm()
    return run_form(
        form,
        action=lambda: services.add_signatory(current_user, found, form.signatory_data()),
        success=lambda s: redirect_with(
            _("The adhesion is added.") if s.is_adhesion else _("The signatory is added."),
            url_for("documents.declaration", **_plan_args(plan), _anchor="signatories")),
        render=lambda: _declaration_page(plan, found, form),
    )
