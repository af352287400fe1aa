"""Pages of public consultations: the draft's sections with their comments and answers, the
report, and the forms that open and close a window, comment, reply and answer. Each form page
also works alone (no JavaScript), and re-shows the user's input with the error next to the field.
"""
from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.comments.forms import CommentForm
from app.comments.models import Comment
from app.comments.permissions import SOMEONE_ELSES_COMMENT, accepts_replies
from app.comments.queries import comment_url
from app.commitments.models import Commitment, CommitmentState
from app.consultations import bp, forms, queries, services
from app.consultations import permissions as _rules  # noqa: F401  (registers the rules)
from app.consultations.models import CONSULTATION_OUTCOME_LABELS, Consultation, ConsultationOutcome
from app.core import fragments
from app.core.errors import InvalidTransition
from app.core.permissions import can, require
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db

# ---------------------------------------------------------------- loading


def _visible_commitment(commitment_id: int) -> Commitment:
    """A commitment whose consultation page the user may see: public (in consultation or
    later), or a draft for its committee's facilitators; otherwise the 404 page."""
    commitment = queries.commitment_for_page(commitment_id)
    hidden = (commitment is not None and commitment.state == CommitmentState.draft
              and not can(current_user, "consultations.preview", commitment))
    return load_or_404(None if hidden else commitment)


def _consultation_comment(comment_id: int) -> tuple[Comment, Commitment]:
    comment = db.session.get(Comment, comment_id)
    comment = load_or_404(comment if comment is not None and comment.commitment_id is not None
                          else None)
    return comment, _visible_commitment(comment.commitment_id)


def _back(commitment: Commitment, anchor: str | None = None) -> str:
    url = url_for("consultations.show", commitment_id=commitment.id)
    return f"{url}#{anchor}" if anchor else url


# ---------------------------------------------------------------- the panel on the commitment page

class Panel:
    """What templates/consultations/_panel.html shows for a commitment."""

    def __init__(self, commitment: Commitment):
        self.commitment = commitment
        self.consultation = queries.latest_consultation(commitment.id)
        self.state = queries.window_state(self.consultation)
        self.closes_at = queries.effective_close(self.consultation) if self.consultation else None
        pending = self.state in ("scheduled", "open")
        self.can_open = (
            not pending
            and commitment.state in services.OPENABLE_STATES
            and can(current_user, "consultations.open", commitment)
        )
        self.can_close = pending and can(current_user, "consultations.close", self.consultation)
        self.open_form = forms.OpenConsultationForm(formdata=None, prefix="consultation") if self.can_open else None
        self.close_form = forms.CloseConsultationForm(formdata=None, prefix="close") if self.can_close else None


@bp.app_template_global("consultation_panel")
def consultation_panel(commitment: Commitment) -> Panel:
    return Panel(commitment)


# ---------------------------------------------------------------- reading




class SectionThreads:
    """The comments of each part of the draft, for the current viewer.

    The shared part of a section's thread (its comments, the answers, the reply forms for those
    who may comment and the answer forms for the committee's facilitators) is rendered once per
    version of the commitment's comments and answers, locale and class of viewer, and kept
    (app/core/fragments.py); the comments are read only when a fragment is missing. What is
    personal is laid over it: the report link on others' comments (not one's own: read in one
    statement) and the viewer's CSRF token. One per request: not shared between threads."""

    def __init__(self, commitment: Commitment, can_comment: bool):
        from app.comments.queries import thread_version

        self.commitment = commitment
        self.can_comment = can_comment
        self.version = (thread_version(commitment), queries.answers_version(commitment))
        user = current_user
        self.signed_in = user.is_authenticated
        # The answer forms follow facilitates(): an admin, or the committees one facilitates.
        if not self.signed_in or not user.is_confirmed:
            answers = ""
        elif user.is_admin:
            answers = "admin"
        else:
            answers = ",".join(str(i) for i in sorted(user.committee_ids))
        self.viewer = f"{'signed' if self.signed_in else 'anonymous'}:{int(can_comment)}:{answers}"
        self._threads = self._answers = self._mine = None
        self._report = None

    def _render(self, key: str) -> str:
        if self._threads is None:
            self._threads = queries.threads_by_section(self.commitment)
            self._answers = queries.answers_for(self.commitment)
        return render_template(
            "consultations/_thread.html", tops=self._threads.get(key, []), actions=True,
            answers=self._answers, can_comment=self.can_comment, outcomes=list(ConsultationOutcome),
            outcome_labels=CONSULTATION_OUTCOME_LABELS, csrf_placeholder=fragments.CSRF_PLACEHOLDER,
        )

    def _report_link(self, comment_id: int) -> str:
        if self._mine is None:
            from app.comments.queries import own_in_thread

            self._mine = {c.id for c in own_in_thread(self.commitment, current_user)}
            may = can(current_user, "moderation.report", SOMEONE_ELSES_COMMENT)
            self._report = render_template("comments/_report_link.html", comment_id=987654321).strip() if may else ""
        if comment_id in self._mine or not self._report:
            return ""
        return self._report.replace("987654321", str(comment_id))

    def html(self, key: str) -> Markup:
        html = fragments.with_csrf(fragments.cached(
            "consultations.section", f"{self.commitment.id}-{key}", self.version,
            lambda: self._render(key), viewer=self.viewer))
        if not self.signed_in:
            return fragments.overlay(html, "consultation-report", lambda _id: "")
        return fragments.overlay(html, "consultation-report", self._report_link)


def _page_context(commitment: Commitment) -> dict:
    consultation = queries.latest_consultation(commitment.id)
    counts = queries.section_counts(commitment)
    sections = queries.with_removed(queries.sections_for(commitment), counts.keys())
    can_comment = can(current_user, "consultations.comment", consultation)
    return {
        "commitment": commitment,
        "consultation": consultation,
        "window": queries.window_state(consultation),
        "closes_at": queries.effective_close(consultation) if consultation else None,
        "sections": sections,
        "section_counts": counts,
        "section_threads": SectionThreads(commitment, can_comment),
        "values": queries.values_claimed(commitment),
        "can_comment": can_comment,
        "refusal": services.window_refusal(commitment, consultation),
    }


@bp.get("/commitment/<int:commitment_id>")
def show(commitment_id: int):
    commitment = _visible_commitment(commitment_id)
    return render_template("consultations/show.html", **_page_context(commitment))


@bp.get("/commitment/<int:commitment_id>/report")
def report(commitment_id: int):
    commitment = _visible_commitment(commitment_id)
    rounds = queries.consultations_of(commitment.id)
    latest = rounds[0] if rounds else None
    published = latest is not None and queries.window_state(latest) == "closed"
    preview = not published and can(current_user, "consultations.preview", commitment)
    context = {
        "commitment": commitment, "rounds": rounds, "latest": latest, "published": published,
        "latest_state": queries.window_state(latest),
        "preview": preview, "outcome_labels": CONSULTATION_OUTCOME_LABELS,
        "outcomes": list(ConsultationOutcome),
    }
    if published or preview:
        threads = queries.threads_by_section(commitment)
        sections = queries.with_removed(queries.sections_for(commitment), threads.keys())
        counts = queries.report_counts(commitment, sections)
        context.update(threads=threads, sections=[row.section for row in counts.rows],
                       counts=counts, answers=queries.answers_for(commitment))
    return render_template("consultations/report.html", **context)


# ---------------------------------------------------------------- opening and closing


@bp.route("/commitment/<int:commitment_id>/open", methods=["GET", "POST"])
@login_required
def open_window(commitment_id: int):
    commitment = _visible_commitment(commitment_id)
    require(current_user, "consultations.open", commitment)
    form = forms.OpenConsultationForm(prefix="consultation")
    return run_form(
        form,
        action=lambda: services.open_consultation(current_user, commitment, form.opens_at.data,
                                                  form.closes_at.data),
        success=lambda _result: redirect_with(
            _("The public consultation is set. The draft is now public."), _back(commitment)),
        render=lambda: render_template("consultations/open.html", form=form, commitment=commitment),
        conflict_keeps_input=True,  # one is open or scheduled already (another tab)
    )


@bp.route("/<int:consultation_id>/close", methods=["GET", "POST"])
@login_required
def close_window(consultation_id: int):
    consultation = load_or_404(db.session.get(Consultation, consultation_id))
    commitment = _visible_commitment(consultation.commitment_id)
    require(current_user, "consultations.close", consultation)
    form = forms.CloseConsultationForm(prefix="close")
    return run_form(
        form,
        action=lambda: services.close_consultation_early(current_user, consultation, form.reason.data),
        success=lambda _result: redirect_with(_("The public consultation is closed."), _back(commitment)),
        render=lambda: render_template("consultations/close.html", form=form, commitment=commitment,
                                       consultation=consultation,
                                       state=queries.window_state(consultation)),
        conflict_keeps_input=True,  # closed meanwhile (another tab, the clock)
    )


# ---------------------------------------------------------------- commenting


def _comment_page(form, commitment: Commitment, parent: Comment | None, back: str):
    consultation = queries.latest_consultation(commitment.id)
    return render_template(
        "consultations/comment.html", form=form, commitment=commitment, parent=parent,
        refusal=services.window_refusal(commitment, consultation), back=back,
    )


@bp.route("/commitment/<int:commitment_id>/comment", methods=["GET", "POST"])
@login_required
def comment(commitment_id: int):
    commitment = _visible_commitment(commitment_id)
    require(current_user, "participate")
    sections = queries.sections_for(commitment)
    form = forms.prepare_comment_form(forms.ConsultationCommentForm(), sections)
    if request.method == "GET" and request.args.get("section"):
        form.section.data = request.args["section"]
    return run_form(
        form,
        action=lambda: services.comment_on_draft(current_user, commitment, form.body.data,
                                                 section=form.section.data),
        success=lambda created: redirect_with(_("Your comment is published."), comment_url(created)),
        render=lambda: _comment_page(form, commitment, None, _back(commitment)),
        # The window closed (or has not opened): say so, with the window, and keep the text.
        conflict_keeps_input=True,
    )


@bp.route("/comments/<int:comment_id>/reply", methods=["GET", "POST"])
@login_required
def reply(comment_id: int):
    parent, commitment = _consultation_comment(comment_id)
    require(current_user, "participate")
    if not accepts_replies(parent):
        raise InvalidTransition(_("This comment was removed and cannot be answered."))
    form = CommentForm()
    return run_form(
        form,
        action=lambda: services.comment_on_draft(current_user, commitment, form.body.data,
                                                 parent=parent),
        success=lambda created: redirect_with(_("Your reply is published."), comment_url(created)),
        render=lambda: _comment_page(form, commitment, parent, comment_url(parent)),
        conflict_keeps_input=True,
    )


# ---------------------------------------------------------------- answering

ANSWER_MESSAGES = {
    "created": (lambda: _("The answer is published and its author notified."), "success"),
    "updated": (lambda: _("The answer is changed and its author notified."), "success"),
    "unchanged": (lambda: _("This answer was already saved."), "info"),
}


def _answer_or_warning(comment: Comment, form):
    """The service's answer; a different answer given meanwhile (a double click, another
    facilitator) is not an error of this form: the page shows it, with a warning."""
    try:
        return services.answer_comment(current_user, comment, form.outcome.data,
                                       form.reason.data, update=form.update.data == "1")
    except services.AlreadyAnswered as exc:
        return exc


def _answered(comment: Comment, result):
    if isinstance(result, services.AlreadyAnswered):
        return redirect_with(result.message, comment_url(comment), "warning")
    message, category = ANSWER_MESSAGES[result.status]
    return redirect_with(message(), comment_url(comment), category)


@bp.route("/comments/<int:comment_id>/answer", methods=["GET", "POST"])
@login_required
def answer(comment_id: int):
    comment, commitment = _consultation_comment(comment_id)
    require(current_user, "consultations.answer", comment)
    existing = queries.answer_of(comment.id)
    if request.method == "GET" and existing is not None:
        form = forms.AnswerForm(data={"outcome": existing.outcome.value, "reason": existing.reason,
                                      "update": "1"})
    else:
        form = forms.AnswerForm()
    return run_form(
        form,
        action=lambda: _answer_or_warning(comment, form),
        success=lambda result: _answered(comment, result),
        render=lambda: render_template(
            "consultations/answer.html", form=form, commitment=commitment, comment=comment,
            existing=existing, back=comment_url(comment),
        ),
    )
