"""Notifications: in-app, immediate email or daily digest, by the user's choice."""
from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from app.notifications import permissions, views  # noqa: E402,F401
from app.notifications.queries import unread_count  # noqa: E402


@bp.app_context_processor
def _unread_notifications():
    """`unread_notification_count()` for the bell: read with the signed-in session's statement
    (app/notifications/queries.py), or one COUNT when data changed since."""
    from flask_login import current_user

    from app.accounts.session_store import session_figure
    from app.notifications.queries import UNREAD

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        read_with_session = session_figure(UNREAD)
        return unread_count(current_user.id) if read_with_session is None else read_with_session

    return {"unread_notification_count": count}
