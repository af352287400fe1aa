"""Implementation of commitments: progress notes on milestones with their evidence (who follows a
commitment is kept by app/follows)."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.commitments.models import MilestoneStatus
from app.core.db import UTCDateTime, enum_column, utcnow
from app.core.rendered import Rendered
from app.extensions import db


class ProgressNote(Rendered, db.Model):
    """A dated report of progress on a milestone, with its evidence."""

    __tablename__ = "progress_notes"
    rendered_fields = ("note",)  # Markdown, stored rendered (app/core/rendered.py)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(
        sa.ForeignKey("milestones.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[MilestoneStatus] = enum_column(MilestoneStatus, nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False)
    noted_on: Mapped[sa.Date] = mapped_column(sa.Date, nullable=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    milestone = relationship("Milestone")
    author = relationship("User")
    evidence: Mapped[list["Evidence"]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="Evidence.id"
    )


class Evidence(db.Model):
    """A link or an uploaded file that shows progress. Files live under the uploads directory."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(
        sa.ForeignKey("progress_notes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    url: Mapped[str | None] = mapped_column(sa.String(1000))
    original_name: Mapped[str | None] = mapped_column(sa.String(255))
    # Random name on disk; never derived from user input.
    stored_name: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    content_type: Mapped[str | None] = mapped_column(sa.String(120))
    size_bytes: Mapped[int | None] = mapped_column(sa.Integer)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))

    note: Mapped[ProgressNote] = relationship(back_populates="evidence")

