"""Pages of implementation: progress reports, status, and the evidence files."""
from flask import current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.commitments.models import Commitment, Milestone
from app.core import clock, storage
from app.core.errors import render_error
from app.core.permissions import can, require
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db
from app.progress import bp, forms, lights, oversight, queries, services
from app.progress import permissions as _permissions  # noqa: F401  (registers the rules)
from app.progress.models import CommitmentOfficial, ProgressNote, ReportReview, ReportState

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

bp.add_app_template_global(lights.LIGHT_LABELS, "light_labels")
bp.add_app_template_global(lights.RULE, "light_rule")


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

def _reported(note: ProgressNote, commitment: Commitment):
    if note.state == ReportState.published:
        return redirect_with(_("The progress is published and the followers are told."),
                             _commitment_page(commitment, f"progress-milestone-{note.milestone_id}"))
    return redirect_with(_("The report is sent: a facilitator of the committee publishes it or "
                           "returns it to you with a reason."),
                         url_for("progress.waiting", commitment_id=commitment.id))


@bp.route("/milestone/<int:milestone_id>/report", methods=["GET", "POST"])
@login_required
def report(milestone_id: int):
    milestone = _milestone(milestone_id)
    commitment = milestone.commitment
    publishes = can(current_user, "progress.report", commitment)
    if not publishes:
        require(current_user, "progress.draft", commitment)
    form = forms.ReportForm()
    if request.method == "GET":
        form.status.data = milestone.status.value
    return run_form(
        form,
        action=lambda: services.report_progress(
            current_user, milestone, form.status.data, form.note.data, form.noted_on.data,
            services.link_lines(form.links.data), form.files.data or [],
        ),
        success=lambda note: _reported(note, commitment),
        render=lambda: _report_page(form, milestone, publishes=publishes),
    )


def _report_page(form, milestone: Milestone, publishes: bool, revising: ProgressNote | None = None):
    return render_template(
        "progress/report.html", form=form, milestone=milestone, commitment=milestone.commitment,
        publishes=publishes, revising=revising,
        max_files=storage.MAX_FILES, max_file_size=storage.human_size(storage.max_bytes()),
        max_request_size=storage.human_size(current_app.config.get("MAX_CONTENT_LENGTH")),
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


# ---------------------------------------------------------------- officials, waiting reports

def _note(note_id: int) -> ProgressNote:
    """A report of a public commitment; one not published yet only for those who may see it."""
    note = db.session.get(ProgressNote, note_id)
    visible = note is not None and queries.commitment_visible(note.milestone.commitment) and (
        note.state == ReportState.published or can(current_user, "progress.see_waiting", note))
    return load_or_404(note if visible else None)


@bp.route("/commitment/<int:commitment_id>/officials", methods=["GET", "POST"])
@login_required
def officials(commitment_id: int):
    commitment = _commitment(commitment_id)
    require(current_user, "progress.officials", commitment)
    form = forms.OfficialForm()
    return run_form(
        form,
        action=lambda: oversight.appoint_official(current_user, commitment, form.data),
        success=lambda official: redirect_with(
            _("%(name)s is now a responsible official of the commitment, and is told.",
              name=official.user.name), url_for("progress.officials", commitment_id=commitment.id)),
        render=lambda: render_template(
            "progress/officials.html", form=form, commitment=commitment,
            officials=queries.officials_of(commitment), end_form=forms.EndOfficialForm(formdata=None)),
    )


@bp.post("/official/<int:official_id>/end")
@login_required
def end_official(official_id: int):
    official = load_or_404(db.session.get(CommitmentOfficial, official_id))
    commitment = _commitment(official.commitment_id)
    require(current_user, "progress.officials", commitment)
    form = forms.EndOfficialForm()
    return run_form(
        form,
        action=lambda: oversight.end_official(current_user, official, form.reason.data),
        success=lambda _none: redirect_with(_("The appointment has ended."),
                                            url_for("progress.officials", commitment_id=commitment.id)),
        render=lambda: render_template(
            "progress/officials.html", form=forms.OfficialForm(formdata=None), commitment=commitment,
            officials=queries.officials_of(commitment), end_form=form, ending=official.id),
        conflict_keeps_input=True,
    )


def _waiting_page(commitment: Commitment, return_form=None, returning: int | None = None):
    facilitator = can(current_user, "progress.report", commitment)
    reports = queries.pending_reports(commitment)
    return render_template(
        "progress/waiting.html", commitment=commitment, reports=reports, facilitator=facilitator,
        return_form=return_form or forms.ReturnForm(formdata=None), returning=returning,
    )


@bp.get("/commitment/<int:commitment_id>/waiting")
@login_required
def waiting(commitment_id: int):
    commitment = _commitment(commitment_id)
    require(current_user, "progress.see_waiting", commitment)
    return _waiting_page(commitment)


@bp.post("/report/<int:note_id>/publish")
@login_required
def publish_report(note_id: int):
    note = _note(note_id)
    oversight.publish_report(current_user, note)
    return redirect_with(_("The report is published, its author and the followers are told."),
                         _commitment_page(note.milestone.commitment, f"progress-note-{note.id}"))


@bp.post("/report/<int:note_id>/return")
@login_required
def return_report(note_id: int):
    note = _note(note_id)
    commitment = note.milestone.commitment
    require(current_user, "progress.publish", note)
    form = forms.ReturnForm()
    return run_form(
        form,
        action=lambda: oversight.return_report(current_user, note, form.reason.data),
        success=lambda _none: redirect_with(_("The report is returned to its author with your reason."),
                                            url_for("progress.waiting", commitment_id=commitment.id)),
        render=lambda: _waiting_page(commitment, return_form=form, returning=note.id),
    )


@bp.route("/report/<int:note_id>/revise", methods=["GET", "POST"])
@login_required
def revise(note_id: int):
    """The author corrects a returned report and sends it again."""
    note = _note(note_id)
    require(current_user, "progress.revise", note)
    commitment = note.milestone.commitment
    form = forms.ReportForm()
    if request.method == "GET":
        form.status.data, form.noted_on.data, form.note.data = note.status.value, note.noted_on, note.note
    return run_form(
        form,
        action=lambda: oversight.revise_report(
            current_user, note, form.status.data, form.note.data, form.noted_on.data,
            services.link_lines(form.links.data), form.files.data or [],
        ),
        success=lambda _none: redirect_with(
            _("The report is sent again: a facilitator of the committee publishes it or returns it "
              "to you with a reason."),
            url_for("progress.waiting", commitment_id=commitment.id, _anchor=f"report-{note.id}")),
        render=lambda: _report_page(form, note.milestone, publishes=False, revising=note),
    )


# ---------------------------------------------------------------- the representatives' verdicts

@bp.route("/report/<int:note_id>/review", methods=["GET", "POST"])
@login_required
def review(note_id: int):
    note = _note(note_id)
    require(current_user, "progress.review", note)
    form = forms.ReviewForm()
    return run_form(
        form,
        action=lambda: oversight.review_report(current_user, note, form.verdict.data, form.reason.data),
        success=lambda given: redirect_with(
            _("Your verdict is published with the report, and the facilitators and officials are told."),
            _commitment_page(note.milestone.commitment, f"progress-note-{note.id}")),
        render=lambda: render_template(
            "progress/review.html", form=form, note=note, commitment=note.milestone.commitment,
            reviews=queries.reviews_of([note.id]).get(note.id, []),
            mine=queries.latest_review(note, current_user)),
        conflict_keeps_input=True,
    )


@bp.route("/verdict/<int:review_id>/answer", methods=["GET", "POST"])
@login_required
def answer(review_id: int):
    given = load_or_404(db.session.get(ReportReview, review_id))
    note = _note(given.note_id)
    require(current_user, "progress.answer", given)
    form = forms.AnswerForm()
    return run_form(
        form,
        action=lambda: oversight.answer_dispute(current_user, given, form.answer.data),
        success=lambda _none: redirect_with(
            _("Your answer is published under the dispute, and its author is told."),
            _commitment_page(note.milestone.commitment, f"progress-note-{note.id}")),
        render=lambda: render_template("progress/answer.html", form=form, review=given, note=note,
                                       commitment=note.milestone.commitment),
        conflict_keeps_input=True,
    )


@bp.get("/mine")
@login_required
def mine():
    """The commitments the person reports on as a responsible official."""
    commitments = queries.official_commitments(current_user)
    return render_template("progress/mine.html", commitments=commitments,
                           lights=lights.lights_for([c.id for c in commitments], clock.today()),
                           light_labels=lights.LIGHT_LABELS)


# ---------------------------------------------------------------- evidence files

@bp.get("/evidence/<int:evidence_id>")
def evidence(evidence_id: int):
    """The file, looked up by id (its path comes only from our random stored name)."""
    item = queries.evidence_file(evidence_id)
    if item is not None and item.note.state != ReportState.published and not can(
            current_user, "progress.see_waiting", item.note):
        item = None  # a report not published yet: only its facilitators and officials see its files
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
