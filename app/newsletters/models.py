"""A newsletter (draft, then sent once), one delivery row per recipient, and who opted out."""
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.extensions import db


class NewsletterState(enum.StrEnum):
    draft = "draft"
    sent = "sent"


class Segment(enum.StrEnum):
    everyone = "everyone"
    organisations = "organisations"
    committee = "committee"  # the participants of one committee (app/newsletters/segments.py)
    followers = "followers"  # the followers of one item


class Newsletter(db.Model):
    __tablename__ = "newsletters"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    subject: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)  # Markdown
    segment: Mapped[Segment] = enum_column(Segment, nullable=False, default=Segment.everyone,
                                           constraint_name="newsletter_segment")
    committee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="SET NULL"))
    follow_type: Mapped[str | None] = mapped_column(sa.String(20))
    follow_id: Mapped[int | None] = mapped_column(sa.Integer)
    state: Mapped[NewsletterState] = enum_column(
        NewsletterState, nullable=False, default=NewsletterState.draft)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    sent_at = mapped_column(UTCDateTime())
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recipient_count: Mapped[int | None] = mapped_column(sa.Integer)
    announcement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("announcements.id", ondelete="SET NULL"))

    plan = relationship("ActionPlan")
    committee = relationship("Committee")
    announcement = relationship("Announcement")

    @property
    def is_sent(self) -> bool:
        return self.state == NewsletterState.sent


class NewsletterDelivery(db.Model):
    """One recipient of a sent newsletter and the outbox message that carries it."""

    __tablename__ = "newsletter_deliveries"
    __table_args__ = (sa.UniqueConstraint("newsletter_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    newsletter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("newsletters.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    outbox_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_messages.id", ondelete="SET NULL"), index=True)

    outbox_message = relationship("OutboxMessage")


class NewsletterOptOut(db.Model):
    """A person who does not want newsletters (everyone else with a confirmed account gets them)."""

    __tablename__ = "newsletter_opt_outs"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
