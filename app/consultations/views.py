"""Pages of public consultations: the draft's sections with their comments and answers, the
report, and the forms that open and close a window, comment, reply and answer. Each form page
also works alone (no JavaScript), and re-shows the user's input with the error next to the field.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.comments.forms import CommentForm
from app.comments.models import Comment
from app.comments.permissions import accepts_replies
from app.comments.queries import comment_url
from app.commitments.models import Commitment, CommitmentState
from app.consultations import bp, forms, queries, services
from app.consultations import permissions as _rules  # noqa: F401  (registers the rules)
from app.consultations.models import CONSULTATION_OUTCOME_LABELS, Consultation, ConsultationOutcome
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import can, require
from app.extensions import db
from app.moderation.permissions import require_taking_part

# ---------------------------------------------------------------- loading


def _visible_commitment(commitment_id: int) -> Commitment:
    """A commitment whose consultation page the user may see: public (in consultation or
    later), or a draft for its committee's facilitators."""
    commitment = queries.commitment_for_page(commitment_id)
    if commitment is None:
        abort(404)
    if commitment.state == CommitmentState.draft and not can(current_user, "consultations.preview", commitment):
        abort(404)
    return commitment


def _consultation_comment(comment_id: int) -> tuple[Comment, Commitment]:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.commitment_id is None:
        abort(404)
    return comment, _visible_commitment(comment.commitment_id)


def _attach(form, exc: ValidationError) -> str | None:
    """Show a service's validation error next to its field; returns it when no field fits (the
    page shows it above the form)."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None:
        return exc.message
    field.errors = [*field.errors, exc.message]
    return None


def _status(form, problem: str | None, status: int = 200) -> int:
    """409 when the state refused the act, 400 for invalid input, 200 for a fresh form."""
    if status != 200:
        return status
    return 400 if form.errors or problem else 200


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


def _page_context(commitment: Commitment) -> dict:
    consultation = queries.latest_consultation(commitment.id)
    threads = queries.threads_by_section(commitment)
    sections = queries.with_removed(queries.sections_for(commitment), threads.keys())
    return {
        "commitment": commitment,
        "consultation": consultation,
        "window": queries.window_state(consultation),
        "closes_at": queries.effective_close(consultation) if consultation else None,
        "sections": sections,
        "threads": threads,
        "answers": queries.answers_for(commitment),
        "values": queries.values_claimed(commitment),
        "can_comment": can(current_user, "consultations.comment", consultation),
        "refusal": services.window_refusal(commitment, consultation),
        "outcome_labels": CONSULTATION_OUTCOME_LABELS,
        "outcomes": list(ConsultationOutcome),
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
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            services.open_consultation(current_user, commitment, form.opens_at.data, form.closes_at.data)
        except ValidationError as exc:
            problem = _attach(form, exc)
        except InvalidTransition as exc:  # one is open or scheduled already (another tab)
            problem, status = exc.message, 409
        else:
            flash(_("The public consultation is set. The draft is now public."), "success")
            return redirect(_back(commitment))
    return render_template("consultations/open.html", form=form, commitment=commitment,
                           problem=problem), _status(form, problem, status)


@bp.route("/<int:consultation_id>/close", methods=["GET", "POST"])
@login_required
def close_window(consultation_id: int):
    consultation = db.session.get(Consultation, consultation_id) or abort(404)
    commitment = _visible_commitment(consultation.commitment_id)
    require(current_user, "consultations.close", consultation)
    form = forms.CloseConsultationForm(prefix="close")
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            services.close_consultation_early(current_user, consultation, form.reason.data)
        except ValidationError as exc:
            problem = _attach(form, exc)
        except InvalidTransition as exc:  # closed meanwhile (another tab, the clock)
            problem, status = exc.message, 409
        else:
            flash(_("The public consultation is closed."), "success")
            return redirect(_back(commitment))
    return render_template("consultations/close.html", form=form, commitment=commitment,
                           consultation=consultation, state=queries.window_state(consultation),
                           problem=problem), _status(form, problem, status)


# ---------------------------------------------------------------- commenting


@bp.route("/commitment/<int:commitment_id>/comment", methods=["GET", "POST"])
@login_required
def comment(commitment_id: int):
    commitment = _visible_commitment(commitment_id)
    require_taking_part(current_user, "participate")
    sections = queries.sections_for(commitment)
    form = forms.prepare_comment_form(forms.ConsultationCommentForm(), sections)
    if request.method == "GET" and request.args.get("section"):
        form.section.data = request.args["section"]
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            created = services.comment_on_draft(current_user, commitment, form.body.data,
                                                section=form.section.data)
        except ValidationError as exc:
            problem = _attach(form, exc)
        except InvalidTransition as exc:
            # The window closed (or has not opened): say so, with the window, and keep the text.
            problem, status = exc.message, 409
        else:
            flash(_("Your comment is published."), "success")
            return redirect(comment_url(created))
    consultation = queries.latest_consultation(commitment.id)
    return render_template(
        "consultations/comment.html", form=form, commitment=commitment, parent=None,
        refusal=services.window_refusal(commitment, consultation), back=_back(commitment),
        problem=problem,
    ), _status(form, problem, status)


@bp.route("/comments/<int:comment_id>/reply", methods=["GET", "POST"])
@login_required
def reply(comment_id: int):
    parent, commitment = _consultation_comment(comment_id)
    require_taking_part(current_user, "participate")
    if not accepts_replies(parent):
        raise InvalidTransition(_("This comment was removed and cannot be answered."))
    form = CommentForm()
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            created = services.comment_on_draft(current_user, commitment, form.body.data, parent=parent)
        except ValidationError as exc:
            problem = _attach(form, exc)
        except InvalidTransition as exc:
            problem, status = exc.message, 409
        else:
            flash(_("Your reply is published."), "success")
            return redirect(comment_url(created))
    consultation = queries.latest_consultation(commitment.id)
    return render_template(
        "consultations/comment.html", form=form, commitment=commitment, parent=parent,
        refusal=services.window_refusal(commitment, consultation), back=comment_url(parent),
        problem=problem,
    ), _status(form, problem, status)


# ---------------------------------------------------------------- answering


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
    problem = None
    if form.validate_on_submit():
        try:
            result = services.answer_comment(current_user, comment, form.outcome.data,
                                             form.reason.data, update=form.update.data == "1")
        except services.AlreadyAnswered as exc:
            flash(exc.message, "warning")
            return redirect(comment_url(comment))
        except ValidationError as exc:
            problem = _attach(form, exc)
        else:
            messages = {
                "created": _("The answer is published and its author notified."),
                "updated": _("The answer is changed and its author notified."),
                "unchanged": _("This answer was already saved."),
            }
            flash(messages[result.status], "success" if result.status != "unchanged" else "info")
            return redirect(comment_url(comment))
    return render_template(
        "consultations/answer.html", form=form, commitment=commitment, comment=comment,
        existing=existing, back=comment_url(comment), problem=problem,
    ), _status(form, problem)
