"""The public call (convocatoria) of a plan and the organisations' applications to take part."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.core.rendered import Rendered
from app.extensions import db


class Call(Rendered, db.Model):
    __tablename__ = "calls"
    rendered_fields = ("body", "requirements")  # Markdown, stored rendered (app/core/rendered.py)
    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="window_ordered"),
        # The same title and window in a plan is the same call: a double click publishes once,
        # also when both requests run at the same time.
        sa.Index("uq_calls_same_title_and_window", "plan_id", "title", "opens_at", "closes_at",
                 unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    requirements: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # The declarations an organisation must make to apply, one per line (e.g. no conflict of interest).
    declarations: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    opens_at = mapped_column(UTCDateTime(), nullable=False)
    closes_at = mapped_column(UTCDateTime(), nullable=False)
    published_at = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    plan = relationship("ActionPlan")
    committees = relationship("Committee", secondary="call_committees", order_by="Committee.position")


class CallCommittee(db.Model):
    __tablename__ = "call_committees"
    __table_args__ = (sa.UniqueConstraint("call_id", "committee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True
    )
    committee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="CASCADE"), nullable=False, index=True
    )


class ApplicationStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


APPLICATION_STATUS_LABELS = {
    ApplicationStatus.pending: _l("Pending"),
    ApplicationStatus.approved: _l("Approved"),
    ApplicationStatus.rejected: _l("Rejected"),
}


class CallApplication(db.Model):
    """An organisation's application to take part in one committee of a call."""

    __tablename__ = "call_applications"
    __table_args__ = (sa.UniqueConstraint("call_id", "organisation_id", "committee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False, index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    committee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status: Mapped[ApplicationStatus] = enum_column(
        ApplicationStatus, nullable=False, default=ApplicationStatus.pending, index=True
    )
    # The declarations accepted, as the texts the call asked for at the time.
    declarations: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_at = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    call = relationship("Call")
    organisation = relationship("User", foreign_keys=[organisation_id])
    committee = relationship("Committee")


class ApplicationDocument(db.Model):
    """A document attached to an application; stored under the uploads directory."""

    __tablename__ = "application_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        sa.ForeignKey("call_applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    original_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    stored_name: Mapped[str] = mapped_column(sa.String(80), nullable=False, unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    size_bytes: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
