"""Posting, replying to, editing and deleting comments; the host's counter moves in the same unit
of work, by single UPDATE statements that are exact under concurrent requests. Which host a
comment belongs to, and whether it takes comments now, is the host's (app/comments/hosts.py)."""
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.util import identity_key

from app.comments import hosts
from app.comments import permissions as _rules  # noqa: F401  (registers the rules)
from app.comments.models import EDIT_WINDOW_SECONDS, Comment
from app.comments.permissions import accepts_replies
from app.comments.queries import comment_url, recent_count
from app.core.audit import record
from app.core.db import utcnow
from app.core.errors import InvalidTransition, NotFound, ValidationError
from app.core.permissions import require
from app.core.text import clean_text
from app.extensions import db
from app.notifications.services import notify

MAX_LENGTH = 5000
# At most this many comments per account in the window, whatever the process that serves them.
RATE_LIMIT_COUNT = 10
RATE_LIMIT_WINDOW = timedelta(minutes=5)


def clean_body(body) -> str:
    text = clean_text(body)
    if not text:
        raise ValidationError(_("Write your comment."), field="body")
    if len(text) > MAX_LENGTH:
        raise ValidationError(_("Use at most %(n)d characters.", n=MAX_LENGTH), field="body")
    return text


def target_of(comment: Comment):
    host, target_id = hosts.host_of_comment(comment)
    return db.session.get(host.model, target_id)


def _count_change(host: hosts.Host, target_id: int, delta: int, *, only_if_open: bool = False) -> int:
    """Move the host's visible-comment counter; returns the rows changed (0: the host closed)."""
    model = host.model
    counter = getattr(model, host.counter)
    stmt = sa.update(model).where(model.id == target_id)
    if only_if_open and host.still_open is not None:
        stmt = stmt.where(host.still_open())
    stmt = stmt.values({counter: counter + delta})
    changed = db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount
    # A host already loaded in this session rereads its counter (no query if it is not).
    loaded = db.session.identity_map.get(identity_key(model, target_id))
    if loaded is not None:
        db.session.expire(loaded, [host.counter])
    return changed


def change_visible_count(comment: Comment, delta: int) -> None:
    """For moderation: a comment became hidden (-1) or visible again (+1)."""
    host, target_id = hosts.host_of_comment(comment)
    if host.counter:
        _count_change(host, target_id, delta)


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
    """A new comment on `target` (a host: a proposal, a commitment in public consultation with
    its `section`), or a reply in the thread of `parent`.

    Threads are two levels deep: a reply to a reply joins the same top-level comment. The author
    of the comment answered is notified. Whether the target takes comments (its state, a
    consultation's window) is checked once, by the rule.
    """
    require(actor, "comments.post", target)
    host = hosts.host_of(target)
    text = clean_body(body)
    top = None
    if parent is not None:
        if hosts.host_of_comment(parent) != (host, target.id):
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
        **{host.column: target.id},
    )
    db.session.add(comment)
    db.session.flush()
    # Conditional: a host closed a moment ago (a proposal withdrawn or merged) takes no more.
    if host.counter and not _count_change(host, target.id, +1, only_if_open=True):
        raise InvalidTransition(_("This conversation is closed to new comments."))
    if parent is not None:
        notify(
            [parent.author],
            "comment_reply",
            comment_url(comment),
            actor=actor,
            author=actor.display_name,
            title=target.title,
        )
    db.session.flush()
    return comment


def edit_comment(actor, comment: Comment, body) -> Comment:
    """The author's correction, within EDIT_WINDOW_SECONDS of posting; the page says "edited"."""
    require(actor, "comments.edit", comment)
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
        raise InvalidTransition(_("This comment can no longer be edited."))
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
        raise InvalidTransition(_("This comment was already deleted."))
    record(actor, "comment.deleted", comment, committee_id=comment.committee_id)
    db.session.flush()
    db.session.refresh(comment)
