"""Who may comment, reply, edit and delete: small predicates, denied by default, with reasons.

Whether a target takes comments now (its state, a consultation's window) is its host's answer
(app/comments/hosts.py): this module knows no host."""
from datetime import timedelta

from flask_babel import gettext as _

from app.comments import hosts
from app.comments.models import EDIT_WINDOW_SECONDS
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.permissions import Decision, check, deny, not_now, rule


def accepts_comments(target) -> Decision:
    """Whether a commentable thing takes new comments now, with the host's reason if not."""
    try:
        host = hosts.host_of(target)
    except NotFound:
        return not_now(_("Comments are not possible here."))
    decision = host.accepts(target)
    return decision if isinstance(decision, Decision) else Decision(bool(decision))


def accepts_replies(comment) -> bool:
    """A deleted or hidden comment cannot be answered (there is nothing left to answer)."""
    return comment is not None and not comment.is_deleted and not comment.is_hidden


def within_edit_window(comment, now=None) -> bool:
    now = now or utcnow()
    return now - comment.created_at < timedelta(seconds=EDIT_WINDOW_SECONDS)


class _SomeoneElsesComment:
    """What a page asks `moderation.report` about, once, for all the comments it shows by others
    than the viewer (still shown: neither deleted nor hidden); the viewer's own are never
    reported. Immutable and shared: thread-safe."""

    __slots__ = ()
    id = None
    author_id = 0  # no account has id 0
    deleted_at = None


SOMEONE_ELSES_COMMENT = _SomeoneElsesComment()  # immutable (no slots, class constants): thread-safe


def _is_author(actor, comment) -> bool:
    return actor is not None and comment is not None and comment.author_id == actor.id


@rule("comments.post")
def _post(actor, target):
    """Comment on a target, or reply in its threads: someone taking part, where comments are open."""
    if target is None:
        return False
    taking_part = check(actor, "participate")
    if not taking_part:
        return taking_part
    return accepts_comments(target)


@rule("comments.edit")
def _edit(actor, comment):
    if not _is_author(actor, comment) or comment.is_deleted or comment.is_hidden:
        return False
    taking_part = check(actor, "participate")
    if not taking_part:
        return taking_part
    if not within_edit_window(comment):
        return deny(_("A comment can be edited only in the first %(minutes)d minutes.",
                      minutes=EDIT_WINDOW_SECONDS // 60))
    return True


@rule("comments.delete")
def _delete(actor, comment):
    # A blocked author may still take their own words back.
    return _is_author(actor, comment) and actor.is_confirmed and not comment.is_deleted
