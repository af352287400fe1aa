"""Notifications for tests, written straight to the database (bypassing notify's checks)."""
from datetime import timedelta

from app.core.db import utcnow
from app.extensions import db
from app.notifications.models import Channel, Notification, NotificationPreference
from tests.factories import HOSTILE


def make_notification(user, *, kind: str = "proposal_answered", url: str = "/proposals/1",
                      read: bool = False, age_minutes: int = 0, channel: Channel = Channel.none,
                      **params) -> Notification:
    params = params or {"reference": "DGO-2026-0001", "title": HOSTILE, "state": "accepted"}
    now = utcnow()
    notification = Notification(
        user_id=user.id, kind=kind, url=url, params=params, channel=channel,
        created_at=now - timedelta(minutes=age_minutes), read_at=now if read else None,
    )
    db.session.add(notification)
    db.session.commit()
    return notification


def choose(user, kind: str, channel: Channel) -> None:
    db.session.add(NotificationPreference(user_id=user.id, kind=kind, channel=channel))
    db.session.commit()
