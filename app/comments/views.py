"""Pages of comments: post, reply, edit, delete. The thread itself is shown on the proposal page
(templates/comments/_thread.html); these pages re-show a form with its errors, and work alone."""
from flask import abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.comments import bp, services
from app.comments.forms import CommentForm
from app.comments.models import Comment
from app.comments.permissions import accepts_replies
from app.comments.queries import comment_url, proposal_url
from app.core.errors import InvalidTransition, ValidationError
from app.core.permissions import require
from app.extensions import db
from app.moderation.permissions import require_taking_part
from app.proposals.models import Proposal


def _comment_or_404(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.proposal is None:
        abort(404)
    return comment


def _form_page(template: str, form, **context):
    return render_template(template, form=form, **context), 400 if form.errors else 200


@bp.route("/proposal/<int:proposal_id>", methods=["GET", "POST"])
@login_required
def post_on_proposal(proposal_id: int):
    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    require_taking_part(current_user, "comments.post", proposal)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment = services.post_comment(current_user, proposal, form.body.data)
        except ValidationError as exc:
            form.body.errors.append(exc.message)
        else:
            flash(_("Your comment is published."), "success")
            return redirect(comment_url(comment))
    return _form_page("comments/new.html", form, proposal=proposal, parent=None,
                      back=proposal_url(proposal, anchor="comments"))


@bp.route("/<int:comment_id>/reply", methods=["GET", "POST"])
@login_required
def reply(comment_id: int):
    parent = _comment_or_404(comment_id)
    proposal = parent.proposal
    require_taking_part(current_user, "comments.post", proposal)
    if not accepts_replies(parent):
        raise InvalidTransition(_("This comment was removed and cannot be answered."))
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment = services.post_comment(current_user, proposal, form.body.data, parent=parent)
        except ValidationError as exc:
            form.body.errors.append(exc.message)
        else:
            flash(_("Your reply is published."), "success")
            return redirect(comment_url(comment))
    return _form_page("comments/new.html", form, proposal=proposal, parent=parent,
                      back=comment_url(parent))


@bp.route("/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment = _comment_or_404(comment_id)
    services.check_editable(current_user, comment)
    form = CommentForm(data={"body": comment.body})
    if form.validate_on_submit():
        try:
            services.edit_comment(current_user, comment, form.body.data)
        except ValidationError as exc:
            form.body.errors.append(exc.message)
        else:
            flash(_("Your comment is saved."), "success")
            return redirect(comment_url(comment))
    return _form_page("comments/edit.html", form, comment=comment, proposal=comment.proposal,
                      back=comment_url(comment))


@bp.post("/<int:comment_id>/delete")
@login_required
def delete(comment_id: int):
    comment = _comment_or_404(comment_id)
    require(current_user, "comments.delete", comment)
    services.delete_comment(current_user, comment)
    flash(_("Your comment was deleted. Its replies stay in the conversation."), "success")
    return redirect(comment_url(comment))
