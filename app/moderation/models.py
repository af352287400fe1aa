"""Reports on content, the hiding of content, and the mixin that makes content moderatable."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.core.db import UTCDateTime, enum_column, utcnow
from app.extensions import db

# Reports from this many different accounts hide the content until a moderator reviews it.
AUTO_HIDE_THRESHOLD = 3


# The moderation queues' conditions (app/moderation/queries.py `_waiting`, `_hidden_by_moderator`),
# as partial indexes' predicates: immutable strs, thread-safe.
WAITING_WHERE = "open_reports > 0 OR (hidden_at IS NOT NULL AND hidden_by_id IS NULL)"
HIDDEN_WHERE = "hidden_at IS NOT NULL AND hidden_by_id IS NOT NULL"


def queue_indexes(table: str) -> tuple[sa.Index, ...]:
    """A moderatable table's partial indexes for the queues: the few items waiting or hidden by a
    moderator, by committee, instead of a walk over every row (a big plan's millions of comments)."""
    return (
        sa.Index(f"ix_{table}_moderation_waiting", "committee_id",
                 postgresql_where=sa.text(WAITING_WHERE), sqlite_where=sa.text(WAITING_WHERE)),
        sa.Index(f"ix_{table}_moderation_hidden", "committee_id", "hidden_at",
                 postgresql_where=sa.text(HIDDEN_WHERE), sqlite_where=sa.text(HIDDEN_WHERE)),
    )


class Moderatable:
    """Columns of content that moderators can hide; hidden content keeps its row and its place."""

    hidden_at = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Reports not yet dismissed; kept by the same transaction that adds or resolves a report.
    open_reports: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    @declared_attr
    def hidden_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ReportReason(enum.StrEnum):
    spam = "spam"
    offensive = "offensive"
    off_topic = "off_topic"
    personal_data = "personal_data"
    other = "other"


REPORT_REASON_LABELS = {
    ReportReason.spam: _l("Spam or advertising"),
    ReportReason.offensive: _l("Offensive or hateful"),
    ReportReason.off_topic: _l("Off topic"),
    ReportReason.personal_data: _l("Exposes personal data"),
    ReportReason.other: _l("Other"),
}


class ReportTarget(enum.StrEnum):
    proposal = "proposal"
    comment = "comment"


class Report(db.Model):
    __tablename__ = "reports"
    __table_args__ = (
        sa.UniqueConstraint("reporter_id", "target_type", "target_id"),
        sa.Index("ix_reports_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    target_type: Mapped[ReportTarget] = enum_column(ReportTarget, nullable=False)
    target_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    committee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[ReportReason] = enum_column(ReportReason, nullable=False)
    details: Mapped[str | None] = mapped_column(sa.Text)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    resolved_at = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # "hidden" or "dismissed"
    resolution: Mapped[str | None] = mapped_column(sa.String(20))

    reporter = db.relationship("User", foreign_keys=[reporter_id])
