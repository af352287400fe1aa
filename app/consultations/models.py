"""A public consultation on a draft commitment: its window, and the facilitators' answers to the
comments made in it."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.core.rendered import Rendered
from app.extensions import db


class Consultation(db.Model):
    """A period of public consultation on a draft; the server enforces its window."""

    __tablename__ = "consultations"
    __table_args__ = (sa.CheckConstraint("closes_at > opens_at", name="window_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commitments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    opens_at = mapped_column(UTCDateTime(), nullable=False)
    closes_at = mapped_column(UTCDateTime(), nullable=False)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    closed_early_at = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(sa.Text)

    # Commitment.consultation_rounds, the latest first, read-only (the consultations area writes
    # rounds through Consultation): the commitment page loads them with the commitment
    # (app/commitments/registry.py page_load_options), in its one statement.
    commitment = relationship("Commitment", backref=backref(
        "consultation_rounds", viewonly=True,
        order_by=lambda: (Consultation.opens_at.desc(), Consultation.id.desc())))


class ConsultationOutcome(enum.StrEnum):
    incorporated = "incorporated"
    partially_incorporated = "partially_incorporated"
    not_incorporated = "not_incorporated"


CONSULTATION_OUTCOME_LABELS = {
    ConsultationOutcome.incorporated: _l("Incorporated"),
    ConsultationOutcome.partially_incorporated: _l("Partially incorporated"),
    ConsultationOutcome.not_incorporated: _l("Not incorporated"),
}


class ConsultationAnswer(Rendered, db.Model):
    """The facilitator's answer to one consultation comment: an outcome and its reason."""

    __tablename__ = "consultation_answers"
    rendered_fields = ("reason",)  # Markdown, stored rendered (app/core/rendered.py)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    outcome: Mapped[ConsultationOutcome] = enum_column(ConsultationOutcome, nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    answered_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    answered_by = relationship("User")

    @property
    def outcome_label(self) -> str:
        return str(CONSULTATION_OUTCOME_LABELS[self.outcome])
