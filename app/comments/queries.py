"""Reads of comments shared by pages: the thread of a host, and links to a comment."""
import functools
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.comments import hosts
from app.comments.models import Comment
from app.core import read_along
from app.extensions import db


def thread_for(target) -> list[Comment]:
    """Top-level comments on a host, oldest first, each with `.replies` and every `.author` loaded.

    Deleted and hidden comments stay in the list (the page shows a placeholder in their place).
    The number of SQL statements is fixed, whatever the number of comments (one more per
    REPLY_BATCH top-level comments).
    """
    host = hosts.host_of(target)
    comments = db.session.scalars(
        sa.select(Comment)
        .where(getattr(Comment, host.column) == target.id, Comment.parent_id.is_(None))
        .order_by(Comment.created_at, Comment.id)
        .options(joinedload(Comment.author))
    ).unique().all()
    replies = _replies_of([comment.id for comment in comments])
    # The page already has the host: spare a lazy load per comment if a template asks for it.
    relationship = host.kind if hasattr(Comment, host.kind) else None
    for comment in comments:
        set_committed_value(comment, "replies", replies.get(comment.id, []))
        if relationship:
            set_committed_value(comment, relationship, target)
            for reply in comment.replies:
                set_committed_value(reply, relationship, target)
    return comments


REPLY_BATCH = 500


def _replies_of(parent_ids: list[int]) -> dict[int, list[Comment]]:
    """Replies by parent, each parent's in the order shown. Ordered by parent first, so that the
    (parent_id, created_at, id) index serves the order: ordering by date alone, SQLite walks every
    comment of the site by date instead (300 ms among 200,000 comments)."""
    found: dict[int, list[Comment]] = defaultdict(list)
    for start in range(0, len(parent_ids), REPLY_BATCH):
        batch = parent_ids[start:start + REPLY_BATCH]
        for reply in db.session.scalars(
            sa.select(Comment)
            .where(Comment.parent_id.in_(batch))
            .order_by(Comment.parent_id, Comment.created_at, Comment.id)
            .options(joinedload(Comment.author))
        ).unique():
            found[reply.parent_id].append(reply)
    return found


@functools.cache
def _thread_version_statement(column: str):
    """thread_version's statement for hosts whose comments point at them by `column`, built once
    per process with the host's id as a parameter (building it costs more than running it).
    Thread-safe: a statement is immutable; two threads building it at once build the same one."""
    from app.accounts.models import Role, User

    hidden = Comment.hidden_at.is_not(None)
    return (
        sa.select(
            sa.func.count(Comment.id), sa.func.max(Comment.id), sa.func.max(Comment.created_at),
            sa.func.max(Comment.edited_at), sa.func.max(Comment.deleted_at),
            sa.func.count(Comment.deleted_at), sa.func.max(Comment.hidden_at),
            sa.func.count(Comment.hidden_at),
            sa.func.sum(sa.case((hidden, Comment.id), else_=0)),
            sa.func.count(User.deleted_at), sa.func.sum(sa.func.length(User.name)),
            sa.func.sum(sa.case((User.role != Role.citizen, User.id), else_=0)),
        )
        .join(User, User.id == Comment.author_id)
        .where(getattr(Comment, column) == sa.bindparam("host_id", type_=sa.Integer))
    )


def thread_version_alongside(target) -> tuple:
    """(statement, parameters) of thread_version, for a page to read alongside its own version
    (app/core/read_along.py); `remember_thread_version` then keeps what it read."""
    return _thread_version_statement(hosts.host_of(target).column), {"host_id": target.id}


def remember_thread_version(target, values) -> None:
    read_along.remember("thread", (hosts.host_of(target).column, target.id),
                        tuple(str(value) for value in values))


def thread_version(target) -> tuple:
    """What changes whenever the shared rendering of a host's thread changes, in one statement
    (or none, when the page read it alongside its own version): a comment posted, edited, deleted,
    hidden or shown again; an author deleted, renamed (the length of the names) or given another
    role (the badge). The key of the thread's fragment."""
    column = hosts.host_of(target).column
    known = read_along.recall("thread", (column, target.id))
    if known is not None:
        return known
    row = db.session.execute(_thread_version_statement(column), {"host_id": target.id}).one()
    return tuple(str(value) for value in row)


@functools.cache
def _own_count_statement(column: str):
    """How many of a host's shown comments are the reader's: built once per process and host
    column, the host and the reader as parameters (thread-safe: a statement is immutable)."""
    return (sa.select(sa.func.count(Comment.id))
            .where(getattr(Comment, column) == sa.bindparam("host_id", type_=sa.Integer),
                   Comment.author_id == sa.bindparam("reader_id", type_=sa.Integer),
                   Comment.deleted_at.is_(None), Comment.hidden_at.is_(None)))


def own_count_alongside(target, user) -> tuple:
    """(statement, parameters) counting the reader's own shown comments on `target`, for a page
    to read alongside its own version; with none, `own_in_thread` then sends no statement."""
    reader_id = user.id if user is not None and getattr(user, "is_authenticated", False) else -1
    return _own_count_statement(hosts.host_of(target).column), {"host_id": target.id, "reader_id": reader_id}


def remember_own_count(target, user, values) -> None:
    if user is not None and getattr(user, "is_authenticated", False):
        read_along.remember("own comments", (hosts.host_of(target).column, target.id, user.id), int(values[0]))


def own_in_thread(target, user) -> list[Comment]:
    """The viewer's own comments on a host that are still shown (they carry the author's
    controls), in one statement; none when the page counted them alongside its version and
    found none."""
    host = hosts.host_of(target)
    if read_along.recall("own comments", (host.column, target.id, user.id)) == 0:
        return []
    return db.session.scalars(_own_statement(host.column), {"host_id": target.id, "reader_id": user.id}).all()


@functools.cache
def _own_statement(column: str):
    """own_in_thread's statement, built once per process and host column, the host and the reader
    as parameters (thread-safe: a statement is immutable). The author's controls read who wrote a
    comment, when, and whether it is still shown: its text and rendered HTML stay unloaded."""
    return (sa.select(Comment)
            .where(getattr(Comment, column) == sa.bindparam("host_id", type_=sa.Integer),
                   Comment.author_id == sa.bindparam("reader_id", type_=sa.Integer),
                   Comment.deleted_at.is_(None), Comment.hidden_at.is_(None))
            .options(defer(Comment.body), defer(Comment.rendered)))


def comment_url(comment) -> str:
    """The path of the page where the comment is read, anchored at it (built without a request:
    services that notify also run from tests and the command line)."""
    host, _target_id = hosts.host_of_comment(comment)
    return host.path(comment, f"comment-{comment.id}")


@functools.cache
def _recent_statement() -> sa.Select:
    """Built once per process (every comment runs it); thread-safe: a statement is immutable."""
    return sa.select(sa.func.count(Comment.id)).where(
        Comment.author_id == sa.bindparam("author_id", type_=sa.Integer),
        Comment.created_at >= sa.bindparam("since", type_=Comment.created_at.type))


def recent_count(author_id: int, since) -> int:
    """Comments an account wrote since a moment (deleted ones too): the posting rate limit."""
    return db.session.scalar(_recent_statement(), {"author_id": author_id, "since": since})


def public():
    """What public data may show of comments: neither hidden by moderation nor deleted by their
    author. (The page of a proposal keeps a placeholder in their place; data sets leave them out.)"""
    return sa.and_(Comment.hidden_at.is_(None), Comment.deleted_at.is_(None))
