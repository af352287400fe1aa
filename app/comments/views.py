"""Pages of comments on proposals: post, reply, edit, delete. The thread itself is shown on the
proposal page (templates/comments/_thread.html); these pages re-show a form with its errors, and
work alone. Consultation comments have their own pages (app/consultations)."""
from flask import current_app, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.comments import bp, hosts, services
from app.comments.forms import CommentForm
from app.comments.models import Comment
from app.comments.queries import comment_url
from app.core.permissions import require
from app.core.views import load_or_404, redirect_with, run_form
from app.extensions import db

PROPOSAL = "proposal"


def _proposal_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    return load_or_404(comment if comment is not None and comment.proposal_id else None)


def _proposal(proposal_id: int):
    return load_or_404(db.session.get(hosts.by_kind(PROPOSAL).model, proposal_id))


@bp.route("/proposal/<int:proposal_id>", methods=["GET", "POST"])
@login_required
def post_on_proposal(proposal_id: int):
    proposal = _proposal(proposal_id)
    require(current_user, "comments.post", proposal)
    form = CommentForm()
    return run_form(
        form,
        action=lambda: services.post_comment(current_user, proposal, form.body.data),
        success=lambda comment: redirect_with(_("Your comment is published."), comment_url(comment)),
        render=lambda: render_template("comments/new.html", form=form, proposal=proposal, parent=None,
                                       back=url_for("proposals.show", reference=proposal.reference,
                                                    _anchor="comments")),
    )


@bp.route("/<int:comment_id>/reply", methods=["GET", "POST"])
@login_required
def reply(comment_id: int):
    parent = _proposal_comment(comment_id)
    proposal = parent.proposal
    require(current_user, "comments.post", proposal)
    form = CommentForm()
    return run_form(
        form,
        action=lambda: services.post_comment(current_user, proposal, form.body.data, parent=parent),
        success=lambda comment: redirect_with(_("Your reply is published."), comment_url(comment)),
        render=lambda: render_template("comments/new.html", form=form, proposal=proposal,
                                       parent=parent, back=comment_url(parent)),
    )


@bp.route("/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment = _proposal_comment(comment_id)
    require(current_user, "comments.edit", comment)
    form = CommentForm(data={"body": comment.body})
    return run_form(
        form,
        action=lambda: services.edit_comment(current_user, comment, form.body.data),
        success=lambda _saved: redirect_with(_("Your comment is saved."), comment_url(comment)),
        render=lambda: render_template("comments/edit.html", form=form, comment=comment,
                                       proposal=comment.proposal, back=comment_url(comment)),
    )


@bp.post("/<int:comment_id>/delete")
@login_required
def delete(comment_id: int):
    comment = _proposal_comment(comment_id)
    services.delete_comment(current_user, comment)
    return redirect_with(_("Your comment was deleted. Its replies stay in the conversation."),
                         comment_url(comment))


# --- The thread on a page ------------------------------------------------------------------------

def _own_controls():
    """comments/_own_actions.html as a module whose macros `first` and `last` draw one comment's
    controls, with this request's template context (`can`, the locale): made once per page."""
    context: dict = {}
    current_app.update_template_context(context)
    return current_app.jinja_env.get_template("comments/_own_actions.html").make_module(context)


@bp.app_template_global()
def comment_thread(target, thread=None):
    """The comments on `target` for the current viewer ('' when there are none).

    The shared part (every comment, the reply links for those who may post, and the report links
    for those who may report) is rendered once per version of the thread, locale and class of
    viewer, and kept (app/core/fragments.py); what is personal is laid over it: the author's
    controls on their own comments (read in one statement), in place of the report link there.
    Permissions are decided once per page and kind, not once per comment; the overlay touches
    only the reader's own comments, whatever the length of the thread."""
    from app.comments import queries
    from app.comments.permissions import SOMEONE_ELSES_COMMENT
    from app.core import fragments
    from app.core.permissions import can

    user = current_user
    signed_in = user.is_authenticated
    version = queries.thread_version(target)
    if version[0] == "0":
        return ""
    posts = can(user, "comments.post", target)
    reports = signed_in and can(user, "moderation.report", SOMEONE_ELSES_COMMENT)
    viewer = "reader" if not signed_in else ("poster" if posts else "member") + ("-reports" if reports else "")
    kind = hosts.host_of(target).kind

    def render():
        comments = thread if thread is not None else queries.thread_for(target)
        return render_template("comments/_comments.html", thread=comments, proposal=target,
                               viewer_posts=posts, viewer_reports=reports)

    mine = queries.own_in_thread(target, user) if signed_in else []
    if not mine:
        # Nothing of the reader's to lay over it: the thread without its slot marks, kept too
        # (taking them out of a long thread on every request cost more than the rest of it).
        return Markup(fragments.cached(
            "comments.thread.bare", f"{kind}-{target.id}", version,
            lambda: fragments.without_slots(fragments.cached("comments.thread", f"{kind}-{target.id}",
                                                             version, render, viewer=viewer)),
            viewer=viewer))
    html = fragments.cached("comments.thread", f"{kind}-{target.id}", version, render, viewer=viewer)
    # The author's controls: the template's two macros, on one module made for this page (a
    # render_template per comment ran the context processors each time).
    own = _own_controls()
    for comment in mine:
        html = fragments.replace_slot(html, "comment-first", comment.id, own.first(comment))
        html = fragments.replace_slot(html, "comment-last", comment.id, own.last(comment))
    return fragments.without_slots(html)
