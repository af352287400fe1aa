"""Posting, replying to, editing and deleting comments; the target's counter moves in the same
transaction, by single UPDATE statements that are exact under concurrent requests."""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.util import identity_key

from app.comments import permissions as _rules  # noqa: F401  (registers the rules)
from app.comments.models import EDIT_WINDOW_SECONDS, Comment
from app.comments.permissions import CLOSED_PROPOSAL_STATES, accepts_replies, within_edit_window
from app.comments.queries import comment_url, recent_count
from app.commitments.models import Commitment
from app.consultations.queries import consultation_open_now
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from app.core.permissions import require
from app.extensions import db
from app.moderation.permissions import require_taking_part
from app.notifications.services import notify
from app.proposals.models import Proposal

MAX_LENGTH = 5000
# At most this many comments per account in the window, whatever the process that serves them.
RATE_LIMIT_COUNT = 10
RATE_LIMIT_WINDOW = timedelta(minutes=5)


def clean_body(body) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError(_("Write your comment."), field="body")
    if len(text) > MAX_LENGTH:
        raise ValidationError(_("Use at most %(n)d characters.", n=MAX_LENGTH), field="body")
    return text


def _where_target(target) -> dict:
    """The comment's columns that point at its target: a proposal, or a draft commitment in
    public consultation (app.consultations, which also validates the section)."""
    if isinstance(target, Proposal):
        return {"proposal_id": target.id}
    if isinstance(target, Commitment):
        return {"commitment_id": target.id}
    raise NotFound(_("Comments are not possible here."))


def target_of(comment: Comment):
    if comment.commitment_id is not None:
        return db.session.get(Commitment, comment.commitment_id)
    return comment.proposal


def _count_change(target_model, target_id: int, delta: int, *, only_if_open: bool = False) -> int:
    """Move the target's visible-comment counter; returns the rows changed (0: the target closed)."""
    stmt = sa.update(target_model).where(target_model.id == target_id)
    if only_if_open and target_model is Proposal:
        stmt = stmt.where(Proposal.state.not_in(CLOSED_PROPOSAL_STATES), Proposal.hidden_at.is_(None))
    stmt = stmt.values(comment_count=target_model.comment_count + delta)
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount


def _expire_counter(target_model, target_id: int) -> None:
    """A target already loaded in this session rereads its counter (no query if it is not)."""
    loaded = db.session.identity_map.get(identity_key(target_model, target_id))
    if loaded is not None:
        db.session.expire(loaded, ["comment_count"])


def change_visible_count(comment: Comment, delta: int) -> None:
    """For moderation: a comment became hidden (-1) or visible again (+1)."""
    if comment.proposal_id is not None:
        _count_change(Proposal, comment.proposal_id, delta)
        _expire_counter(Proposal, comment.proposal_id)


def _check_rate(actor) -> None:
    since = utcnow() - RATE_LIMIT_WINDOW
    if recent_count(actor.id, since) >= RATE_LIMIT_COUNT:
        raise ValidationError(
            _(
                "You have posted %(count)d comments in the last %(minutes)d minutes. Please wait a "
                "few minutes and send it again; your text is kept.",
                count=RATE_LIMIT_COUNT,
                minutes=int(RATE_LIMIT_WINDOW.total_seconds() // 60),
            ),
            field="body",
        )


def _top_level(parent: Comment) -> Comment:
    if parent.parent_id is None:
        return parent
    return db.session.get(Comment, parent.parent_id)


def post_comment(actor, target, body, parent: Comment | None = None, section: str | None = None) -> Comment:
    """A new comment on `target` (a proposal, or a commitment in public consultation with its
    `section`), or a reply in the thread of `parent`.

    Threads are two levels deep: a reply to a reply joins the same top-level comment. The author
    of the comment answered is notified.
    """
    require_taking_part(actor, "comments.post", target)
    text = clean_body(body)
    top = None
    if parent is not None:
        if _where_target(target) != _where_target(target_of(parent)):
            raise NotFound(_("That comment is not part of this conversation."))
        if not accepts_replies(parent):
            raise InvalidTransition(_("This comment was removed and cannot be answered."))
        top = _top_level(parent)
        section = top.section
    _check_rate(actor)

    comment = Comment(
        author_id=actor.id,
        committee_id=target.committee_id,
        parent_id=top.id if top is not None else None,
        section=section,
        body=text,
        created_at=utcnow(),
        **_where_target(target),
    )
    db.session.add(comment)
    db.session.flush()
    if isinstance(target, Commitment):
        # No counter on commitments. The server enforces the consultation's window here, for
        # every caller (app.consultations first explains the window in local time).
        if not consultation_open_now(target.id):
            db.session.rollback()
            raise InvalidTransition(_("The public consultation on this draft is not open."))
    # Conditional: a proposal withdrawn or merged a moment ago takes no more comments.
    elif not _count_change(type(target), target.id, +1, only_if_open=True):
        db.session.rollback()
        raise InvalidTransition(_("This conversation is closed to new comments."))
    else:
        _expire_counter(type(target), target.id)
    if parent is not None:
        notify(
            [parent.author],
            "comment_reply",
            comment_url(comment),
            actor=actor,
            author=actor.display_name,
            title=target.title,
        )
    db.session.commit()
    return comment


def check_editable(actor, comment: Comment) -> None:
    """PermissionDenied, saying why when it helps (the window is over, the account is blocked)."""
    if (
        comment.author_id == getattr(actor, "id", None)
        and not comment.is_deleted
        and not within_edit_window(comment)
    ):
        raise PermissionDenied(
            _("A comment can be edited only in the first %(minutes)d minutes.",
              minutes=EDIT_WINDOW_SECONDS // 60)
        )
    require_taking_part(actor, "comments.edit", comment)


def edit_comment(actor, comment: Comment, body) -> Comment:
    """The author's correction, within EDIT_WINDOW_SECONDS of posting; the page says "edited"."""
    check_editable(actor, comment)
    text = clean_body(body)
    now = utcnow()
    # Conditional, so that a hide or the end of the window in between wins.
    changed = db.session.execute(
        sa.update(Comment)
        .where(
            Comment.id == comment.id,
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
            Comment.created_at > now - timedelta(seconds=EDIT_WINDOW_SECONDS),
        )
        .values(body=text, edited_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.rollback()
        raise InvalidTransition(_("This comment can no longer be edited."))
    db.session.commit()
    db.session.refresh(comment)
    return comment


def delete_comment(actor, comment: Comment) -> None:
    """The author removes a comment; its place in the thread and its replies stay."""
    require(actor, "comments.delete", comment)
    now = utcnow()
    base = sa.update(Comment).where(Comment.id == comment.id, Comment.deleted_at.is_(None))
    visible = db.session.execute(
        base.where(Comment.hidden_at.is_(None))
        .values(deleted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if visible:
        change_visible_count(comment, -1)
    elif not db.session.execute(
        base.values(deleted_at=now).execution_options(synchronize_session=False)
    ).rowcount:
        db.session.rollback()
        raise InvalidTransition(_("This comment was already deleted."))
    record(actor, "comment.deleted", comment, committee_id=comment.committee_id)
    db.session.commit()
    db.session.refresh(comment)
