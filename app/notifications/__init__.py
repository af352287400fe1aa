"""Notifications: in-app, immediate email or daily digest, by the user's choice."""
from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from app.notifications import permissions, views  # noqa: E402,F401
from app.notifications.queries import unread_count  # noqa: E402


@bp.app_context_processor
def _unread_notifications():
    """`unread_notification_count()` for the bell: one COUNT, run only when a page shows it."""
    from flask_login import current_user

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        return unread_count(current_user.id)

    return {"unread_notification_count": count}
