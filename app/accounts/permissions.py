"""Permission rules of accounts and of the guarantor body's administration."""
from app.core.permissions import rule


def is_admin(actor) -> bool:
    return actor is not None and actor.is_admin and actor.is_confirmed


@rule("admin.access")
def _admin_access(actor, target=None):
    return is_admin(actor)


@rule("organisations.verify")
def _verify_organisation(actor, organisation=None):
    return is_admin(actor)


@rule("moderators.manage")
def _manage_moderators(actor, target=None):
    return is_admin(actor)


@rule("participate")
def _participate(actor, target=None):
    """Take part at all: a confirmed, active account."""
    return actor is not None and actor.is_confirmed and not actor.is_blocked()


def facilitates(actor, committee_id) -> bool:
    """An admin, or a facilitator whose scope covers the committee."""
    if actor is None or not actor.is_confirmed:
        return False
    return actor.is_admin or actor.facilitates(committee_id)


@rule("account.two_factor.disable")
def _disable_two_factor(actor, target=None):
    """Only one's own second factor, and only when one's role does not require it."""
    from app.accounts.twofactor import is_required

    return (
        actor is not None
        and (target is None or target.id == actor.id)
        and actor.two_factor_enabled
        and not is_required(actor)
    )
