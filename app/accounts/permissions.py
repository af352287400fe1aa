"""Permission rules of accounts and of the guarantor body's administration."""
from flask_babel import gettext as _

from app.core.i18n import end_sentence, local_when
from app.core.permissions import deny, rule


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


def blocked_message(actor) -> str | None:
    """What a blocked account is told when it tries to take part: why, and until when."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_blocked():
        return None
    return _(
        "Your account is blocked until %(until)s. Reason: %(reason)s",
        until=end_sentence(local_when(actor.blocked_until)),
        reason=actor.blocked_reason or "—",
    )


@rule("participate")
def _participate(actor, target=None):
    """Take part at all: a confirmed, active account; a blocked one learns why and until when."""
    if actor is None:
        return False
    if not actor.is_confirmed:
        return deny(_("Confirm your email address to take part. We sent you a link."))
    if actor.is_blocked():
        return deny(blocked_message(actor))
    return True


def facilitates(actor, committee_id) -> bool:
    """An admin, or a facilitator whose scope covers the committee."""
    if actor is None or not actor.is_confirmed:
        return False
    return actor.is_admin or actor.facilitates(committee_id)


@rule("account.two_factor.disable")
def _disable_two_factor(actor, target=None):
    """Only one's own second factor, and only when one's role does not require it."""
    from app.accounts.twofactor import is_required

    allowed = (
        actor is not None
        and (target is None or target.id == actor.id)
        and actor.two_factor_enabled
        and not is_required(actor)
    )
    return allowed or deny(_("Your role requires two-factor authentication: it cannot be turned off."))
