"""Reads of comments shared by pages: the thread of a host, and links to a comment."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.comments import hosts
from app.comments.models import Comment
from app.extensions import db


def thread_for(target) -> list[Comment]:
    """Top-level comments on a host, oldest first, each with `.replies` and every `.author` loaded.

    Deleted and hidden comments stay in the list (the page shows a placeholder in their place).
    The number of SQL statements is fixed, whatever the number of comments.
    """
    host = hosts.host_of(target)
    comments = db.session.scalars(
        sa.select(Comment)
        .where(getattr(Comment, host.column) == target.id, Comment.parent_id.is_(None))
        .order_by(Comment.created_at, Comment.id)
        .options(
            joinedload(Comment.author),
            selectinload(Comment.replies).joinedload(Comment.author),
        )
    ).unique().all()
    # The page already has the host: spare a lazy load per comment if a template asks for it.
    relationship = host.kind if hasattr(Comment, host.kind) else None
    if relationship:
        for comment in comments:
            set_committed_value(comment, relationship, target)
            for reply in comment.replies:
                set_committed_value(reply, relationship, target)
    return comments


def comment_url(comment) -> str:
    """The path of the page where the comment is read, anchored at it (built without a request:
    services that notify also run from tests and the command line)."""
    host, _target_id = hosts.host_of_comment(comment)
    return host.path(comment, f"comment-{comment.id}")


def recent_count(author_id: int, since) -> int:
    """Comments an account wrote since a moment (deleted ones too): the posting rate limit."""
    return db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(
            Comment.author_id == author_id, Comment.created_at >= since
        )
    )


def public():
    """What public data may show of comments: neither hidden by moderation nor deleted by their
    author. (The page of a proposal keeps a placeholder in their place; data sets leave them out.)"""
    return sa.and_(Comment.hidden_at.is_(None), Comment.deleted_at.is_(None))
