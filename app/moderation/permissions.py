"""Who may report content, and who may review, hide, restore, dismiss and block in a committee.

Each rule carries the reason of its refusal; taking part at all (a confirmed, unblocked account)
is the "participate" rule's, with its own reasons (app/accounts/permissions.py)."""
from flask_babel import gettext as _

from app.accounts.models import Role
from app.accounts.permissions import facilitates
from app.core.permissions import check, deny, not_now, rule


def _committee_id(target):
    return getattr(target, "committee_id", None) if target is not None else None


def _not_a_facilitator():
    return deny(_("Only the committee's facilitators and the guarantor body moderate its content."))


@rule("moderation.report")
def _report(actor, item):
    """Any account that may take part, about someone else's content still on the page."""
    if item is None:
        return False
    taking_part = check(actor, "participate")
    if not taking_part:
        return taking_part
    if item.author_id == actor.id:
        return deny(_("You cannot report what you wrote yourself."))
    if getattr(item, "deleted_at", None) is not None:
        return not_now(_("Its author deleted this content: there is nothing left to report."))
    return True


@rule("moderation.queue")
def _queue(actor, committee=None):
    """A committee's queue (given a Committee), or the list of queues (given nothing)."""
    if committee is None:
        allowed = actor is not None and actor.is_confirmed and (actor.is_admin or bool(actor.committee_ids))
        return allowed or _not_a_facilitator()
    return facilitates(actor, committee.id) or _not_a_facilitator()


def _facilitator_of_item(actor, item):
    return item is not None and (facilitates(actor, _committee_id(item)) or _not_a_facilitator())


for _name in ("moderation.hide", "moderation.restore", "moderation.dismiss"):
    rule(_name)(_facilitator_of_item)


@rule("moderation.block")
def _block(actor, item):
    """Block the author of an item of the committee; never oneself or an admin, and only an admin
    blocks a facilitator (so that facilitators cannot silence each other)."""
    if item is None:
        return False
    if not facilitates(actor, _committee_id(item)):
        return _not_a_facilitator()
    author = getattr(item, "author", None)
    if author is None:
        return False
    if author.id == actor.id:
        return deny(_("You cannot block your own account."))
    if author.role == Role.admin:
        return deny(_("Accounts of the guarantor body cannot be blocked."))
    if not actor.is_admin and author.role == Role.moderator:
        return deny(_("Only the guarantor body can block a facilitator."))
    return True
