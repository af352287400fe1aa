"""Announcement: news of the guarantor body; a draft until `published_at` is set."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.core.rendered import Rendered
from app.extensions import db


class Announcement(Rendered, db.Model):
    __tablename__ = "announcements"
    rendered_fields = ("body",)  # Markdown, stored rendered (app/core/rendered.py)
    __table_args__ = (sa.Index("ix_announcements_plan_published", "plan_id", "published_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False
    )
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)  # Markdown
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    published_at = mapped_column(UTCDateTime(), nullable=True)  # None: a draft
    updated_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    plan = relationship("ActionPlan")
    author = relationship("User")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
