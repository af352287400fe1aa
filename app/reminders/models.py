"""Which reminder went to whom: one row per reminder and person, written with its mail."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.extensions import db


class ReminderSent(db.Model):
    __tablename__ = "reminders_sent"
    __table_args__ = (
        # Inserted first, in the transaction that queues the mail: a second run, even a parallel
        # one, conflicts here and sends nothing.
        sa.UniqueConstraint("kind", "target_key", "recipient_id", name="uq_reminders_sent_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    # What the reminder is about and which moment of it ("call:12:closes", "milestone:7:2026-05-31").
    target_key: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    recipient_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    sent_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
