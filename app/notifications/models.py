"""In-app notifications and each user's choice of how to be told, per kind."""
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, enum_column, utcnow
from app.extensions import db


class Channel(enum.StrEnum):
    immediate = "immediate"
    digest = "digest"
    none = "none"


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    # Rendered in the reader's language when shown: only names and references are stored.
    params: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    url: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow, index=True)
    read_at = mapped_column(UTCDateTime())
    # Set when the notification went out by email, immediately or in a digest.
    emailed_at = mapped_column(UTCDateTime())
    channel: Mapped[Channel] = enum_column(Channel, nullable=False, default=Channel.immediate)


class NotificationPreference(db.Model):
    __tablename__ = "notification_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    channel: Mapped[Channel] = enum_column(Channel, nullable=False)
