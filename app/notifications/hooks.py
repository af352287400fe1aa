"""What notifications add to a person's data export: what they were told and how they chose to be."""
import sqlalchemy as sa

from app.accounts.export import iso, rows
from app.accounts.lifecycle import export_section
from app.extensions import db
from app.notifications.models import Notification, NotificationPreference


@export_section
def _notifications(user_id: int) -> dict:
    notifications = [
        {
            "kind": n.kind, "params": n.params, "url": n.url, "created_at": iso(n.created_at),
            "read_at": iso(n.read_at), "emailed_at": iso(n.emailed_at),
            "channel": n.channel.value,
        }
        for n in db.session.scalars(
            sa.select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
        )
    ]
    preferences = {
        kind: channel.value
        for kind, channel in rows(
            sa.select(NotificationPreference.kind, NotificationPreference.channel)
            .where(NotificationPreference.user_id == user_id)
            .order_by(NotificationPreference.kind)
        )
    }
    return {"notifications": notifications, "notification_preferences": preferences}
