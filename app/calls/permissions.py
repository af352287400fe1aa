"""Who may publish a call, apply to it and decide on the applications."""
from app.accounts.permissions import is_admin
from app.core.permissions import rule


@rule("calls.manage")
def _manage(actor, target=None):
    """Publish and edit calls, and read the applications and their documents: the guarantor body."""
    return is_admin(actor)


@rule("calls.decide")
def _decide(actor, application=None):
    return is_admin(actor)


@rule("calls.apply")
def _apply(actor, call=None):
    """A confirmed, unblocked, verified organisation, to a published call (the window is checked
    by the service, which says when it opens or closed)."""
    return (
        actor is not None
        and actor.is_confirmed
        and not actor.is_blocked()
        and actor.is_verified_organisation
        and (call is None or call.published_at is not None)
    )
