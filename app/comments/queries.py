"""Reads of comments shared by pages: the thread of a proposal, and links to a comment."""
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.routing import BuildError

from app.comments.models import Comment
from app.consultations.queries import consultation_path
from app.extensions import db


def thread_for_proposal(proposal) -> list[Comment]:
    """Top-level comments, oldest first, each with `.replies` and every `.author` loaded.

    Deleted and hidden comments stay in the list (the page shows a placeholder in their place).
    The number of SQL statements is fixed, whatever the number of comments.
    """
    comments = db.session.scalars(
        sa.select(Comment)
        .where(Comment.proposal_id == proposal.id, Comment.parent_id.is_(None))
        .order_by(Comment.created_at, Comment.id)
        .options(
            joinedload(Comment.author),
            selectinload(Comment.replies).joinedload(Comment.author),
        )
    ).unique().all()
    # The page already has the proposal: spare a lazy load per comment if a template asks.
    for comment in comments:
        set_committed_value(comment, "proposal", proposal)
        for reply in comment.replies:
            set_committed_value(reply, "proposal", proposal)
    return comments


def proposal_url(proposal, anchor: str | None = None) -> str:
    """The path of a proposal's page (`proposals.show`), built without a request: services that
    notify also run from tests and the command line."""
    try:
        url = current_app.url_map.bind("localhost").build(
            "proposals.show", {"reference": proposal.reference}
        )
    except BuildError:  # before the proposals pages exist
        url = f"/proposals/{proposal.reference}"
    return f"{url}#{anchor}" if anchor else url


def comment_url(comment) -> str:
    if comment.commitment_id is not None:  # a comment in a public consultation
        return consultation_path(comment.commitment_id, anchor=f"comment-{comment.id}")
    return proposal_url(comment.proposal, anchor=f"comment-{comment.id}")


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
