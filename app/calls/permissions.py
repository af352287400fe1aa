"""Who may publish a call, apply to it and decide on the applications, and why not."""
from flask_babel import gettext as _

from app.accounts.permissions import is_admin
from app.calls.windows import window_refusal
from app.core.permissions import DENIED, check, deny, not_now, rule


@rule("calls.manage")
def _manage(actor, target=None):
    """Publish and edit calls, and read the applications and their documents: the guarantor body."""
    if not is_admin(actor):
        return deny(_("Only the guarantor body publishes calls and reviews the applications."))
    return True


@rule("calls.decide")
def _decide(actor, application=None):
    if not is_admin(actor):
        return deny(_("Only the guarantor body decides on applications."))
    return True


@rule("calls.apply")
def _apply(actor, call=None):
    """A confirmed, unblocked, verified organisation, to a published call while its window is
    open; each refusal says why (and the window's, when it opens or closed)."""
    if actor is None:
        return deny(_("Log in with your organisation's account to apply."))
    taking_part = check(actor, "participate")
    if not taking_part:
        return taking_part
    if not actor.is_organisation:
        return deny(_("Only organisations apply to the call. Citizens can follow the registry and "
                      "take part in the dialogue tables."))
    if not actor.is_verified_organisation:
        return deny(_("The guarantor body must verify your organisation before it can apply. "
                      "Check the state of the verification in your profile."))
    if call is None:
        return True
    if call.published_at is None:
        return DENIED
    refusal = window_refusal(call)
    return not_now(refusal) if refusal else True
