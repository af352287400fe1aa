"""Who may report content, and who may review, hide, restore, dismiss and block in a committee."""
from flask_babel import gettext as _

from app.accounts.models import Role
from app.accounts.permissions import facilitates
from app.core.i18n import local_datetime
from app.core.permissions import can, is_authenticated, require, rule


def blocked_message(actor) -> str | None:
    """What a blocked account is told when it tries to take part: why, and until when."""
    if not is_authenticated(actor) or not actor.is_blocked():
        return None
    return _(
        "Your account is blocked until %(until)s. Reason: %(reason)s",
        # Spanish times end in "a.m."/"p.m.": without this the sentence shows "a.m..".
        until=local_datetime(actor.blocked_until).rstrip("."),
        reason=actor.blocked_reason or "—",
    )


def require_taking_part(actor, name: str, target=None) -> None:
    """`require`, but a blocked account learns why and until when instead of a bare refusal."""
    require(actor, name, target, message=blocked_message(actor))


def _committee_id(target):
    return getattr(target, "committee_id", None) if target is not None else None


@rule("moderation.report")
def _report(actor, item):
    """Any account that may take part, about someone else's content still on the page."""
    return (
        item is not None
        and can(actor, "participate")
        and item.author_id != actor.id
        and getattr(item, "deleted_at", None) is None
    )


@rule("moderation.queue")
def _queue(actor, committee=None):
    """A committee's queue (given a Committee), or the list of queues (given nothing)."""
    if committee is None:
        return actor is not None and actor.is_confirmed and (actor.is_admin or bool(actor.committee_ids))
    return facilitates(actor, committee.id)


@rule("moderation.hide")
def _hide(actor, item):
    return item is not None and facilitates(actor, _committee_id(item))


@rule("moderation.restore")
def _restore(actor, item):
    return item is not None and facilitates(actor, _committee_id(item))


@rule("moderation.dismiss")
def _dismiss(actor, item):
    return item is not None and facilitates(actor, _committee_id(item))


@rule("moderation.block")
def _block(actor, item):
    """Block the author of an item of the committee; never oneself or an admin, and only an admin
    blocks a facilitator (so that facilitators cannot silence each other)."""
    if item is None or not facilitates(actor, _committee_id(item)):
        return False
    author = getattr(item, "author", None)
    if author is None or author.id == actor.id or author.role == Role.admin:
        return False
    return actor.is_admin or author.role != Role.moderator
