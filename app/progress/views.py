"""Pages of implementation: progress reports, status, and the evidence files."""
from flask import current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.commitments.models import Commitment, Milestone
from app.core import storage
from app.core.errors import render_error
from app.core.permissions import can, require
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db
from app.progress import bp, forms, queries, services
from app.progress import permissions as _permissions  # noqa: F401  (registers the rules)

EVIDENCE_CSP = "default-src 'none'; sandbox"


def _commitment(commitment_id: int) -> Commitment:
    commitment = db.session.get(Commitment, commitment_id)
    return load_or_404(commitment if queries.commitment_visible(commitment) else None)


def _milestone(milestone_id: int) -> Milestone:
    milestone = db.session.get(Milestone, milestone_id)
    visible = milestone is not None and queries.commitment_visible(milestone.commitment)
    return load_or_404(milestone if visible else None)


def _commitment_page(commitment: Commitment, anchor: str = "progress") -> str:
    return url_for("commitments.show", commitment_id=commitment.id, _anchor=anchor)


def _status_form(commitment: Commitment, formdata=None) -> forms.StatusForm:
    form = forms.StatusForm(formdata=formdata, prefix="impl")
    if formdata is None:
        form.status.data = commitment.implementation_status.value
    return form


# ---------------------------------------------------------------- the panel, for any page

@bp.app_template_global("progress_panel")
def progress_panel(commitment: Commitment):
    """Called by templates/progress/_panel.html, included in the commitment page."""
    panel = queries.panel_for(commitment, current_user)
    panel.status_form = (
        _status_form(commitment) if can(current_user, "progress.set_status", commitment) else None
    )
    return panel


@bp.app_template_filter("file_size")
def file_size(size):
    return storage.human_size(size)


@bp.get("/commitment/<int:commitment_id>")
def commitment(commitment_id: int):
    return render_template("progress/commitment.html", commitment=_commitment(commitment_id))


# ---------------------------------------------------------------- facilitators' acts

@bp.route("/milestone/<int:milestone_id>/report", methods=["GET", "POST"])
@login_required
def report(milestone_id: int):
    milestone = _milestone(milestone_id)
    commitment = milestone.commitment
    require(current_user, "progress.report", commitment)
    form = forms.ReportForm()
    if request.method == "GET":
        form.status.data = milestone.status.value
    return run_form(
        form,
        action=lambda: services.report_progress(
            current_user, milestone, form.status.data, form.note.data, form.noted_on.data,
            services.link_lines(form.links.data), form.files.data or [],
        ),
        success=lambda _note: redirect_with(
            _("The progress is published and the followers are told."),
            _commitment_page(commitment, f"progress-milestone-{milestone.id}"),
        ),
        render=lambda: render_template(
            "progress/report.html", form=form, milestone=milestone, commitment=commitment,
            max_files=storage.MAX_FILES, max_file_size=storage.human_size(storage.max_bytes()),
            max_request_size=storage.human_size(current_app.config.get("MAX_CONTENT_LENGTH")),
        ),
    )


def _status_changed(commitment: Commitment, changed: bool):
    if changed:
        return redirect_with(_("The status is changed and the followers are told."),
                             _commitment_page(commitment))
    return redirect_with(_("The commitment already had that status; nothing changed."),
                         _commitment_page(commitment), "info")


@bp.route("/commitment/<int:commitment_id>/status", methods=["GET", "POST"])
@login_required
def status(commitment_id: int):
    commitment = _commitment(commitment_id)
    require(current_user, "progress.set_status", commitment)
    form = _status_form(commitment, request.form if request.method == "POST" else None)
    return run_form(
        form,
        action=lambda: services.set_implementation_status(current_user, commitment,
                                                          form.status.data, form.note.data),
        success=lambda changed: _status_changed(commitment, changed),
        render=lambda: render_template("progress/status.html", form=form, commitment=commitment),
        validate=request.method == "POST",
    )


# ---------------------------------------------------------------- evidence files

@bp.get("/evidence/<int:evidence_id>")
def evidence(evidence_id: int):
    """The file, looked up by id (its path comes only from our random stored name)."""
    item = queries.evidence_file(evidence_id)
    path = load_or_404(storage.path_of(item.stored_name) if item is not None else None)
    content_type = (
        item.content_type if item.content_type in storage.ALLOWED_CONTENT_TYPES
        else "application/octet-stream"
    )
    inline = content_type in storage.INLINE_CONTENT_TYPES
    response = send_file(path, mimetype=content_type, as_attachment=not inline,
                         download_name="evidence", conditional=True, max_age=None)
    response.headers["Content-Disposition"] = storage.content_disposition(item.original_name, inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = EVIDENCE_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@bp.errorhandler(413)
def _too_large(exc):
    return render_error(413, _(
        "Everything sent together may weigh at most %(total)s, and each file at most %(each)s. "
        "Go back and send fewer or smaller files; the note can be sent with the rest later.",
        total=storage.human_size(current_app.config.get("MAX_CONTENT_LENGTH")),
        each=storage.human_size(storage.max_bytes()),
    ))
