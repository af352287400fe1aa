"""Who may follow and stop following (what they follow must also be visible to them: services)."""
from app.core.permissions import check, rule


@rule("follows.follow")
def _follow(actor, target=None):
    # A confirmed account that is not blocked; the refusal says which of the two.
    return check(actor, "participate")


@rule("follows.unfollow")
def _unfollow(actor, target=None):
    # A blocked or unconfirmed account may still stop receiving news.
    return actor is not None and bool(getattr(actor, "is_authenticated", False)) and actor.is_active
