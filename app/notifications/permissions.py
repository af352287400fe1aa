"""Permission rules of notifications: each person reads and manages only their own."""
from app.core.permissions import rule


@rule("notifications.read")
def _read(actor, notification) -> bool:
    """Open or mark read one notification: only the person it was addressed to."""
    return actor is not None and notification is not None and notification.user_id == actor.id


@rule("notifications.manage")
def _manage(actor, user) -> bool:
    """See the list, mark all read and choose the channels: only for one's own account."""
    return actor is not None and user is not None and user.id == actor.id
