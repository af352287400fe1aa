"""Implementation of commitments: progress reports on milestones with their evidence, who drafts
them (the responsible officials) and who checks them (the committee's civil-society
representatives). Who follows a commitment is kept by app/follows."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.commitments.models import MILESTONE_STATUS_LABELS, MilestoneStatus
from app.core.db import UTCDateTime, enum_column, utcnow
from app.core.rendered import Rendered
from app.extensions import db
from app.plans.models import MEMBER_KIND_LABELS, MemberKind


class ReportState(enum.StrEnum):
    """A report drafted by a responsible official waits for the facilitator, who publishes it or
    returns it with a reason; a facilitator's own report is published at once."""

    submitted = "submitted"
    returned = "returned"
    published = "published"


REPORT_STATE_LABELS = {
    ReportState.submitted: _l("Waiting for the facilitator"),
    ReportState.returned: _l("Returned to its author"),
    ReportState.published: _l("Published"),
}


class Verdict(enum.StrEnum):
    """What a civil-society representative says of a published report."""

    confirmed = "confirmed"
    disputed = "disputed"


VERDICT_LABELS = {
    Verdict.confirmed: _l("Confirmed"),
    Verdict.disputed: _l("Disputed"),
}


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
    # Reports written before the review existed were published when written (the migration).
    state: Mapped[ReportState] = enum_column(ReportState, nullable=False, default=ReportState.published,
                                             server_default=ReportState.published.value)
    published_at = mapped_column(UTCDateTime())
    # When a facilitator published or returned an official's report, and why it was returned (who
    # did it is in the audit log: no column referencing users, so the table is never rebuilt).
    decided_at = mapped_column(UTCDateTime())
    return_reason: Mapped[str | None] = mapped_column(sa.Text)

    milestone = relationship("Milestone")
    author = relationship("User")
    evidence: Mapped[list["Evidence"]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="Evidence.id"
    )

    @property
    def status_label(self) -> str:
        return str(MILESTONE_STATUS_LABELS[self.status])

    @property
    def state_label(self) -> str:
        return str(REPORT_STATE_LABELS[self.state])


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



class CommitmentOfficial(db.Model):
    """An account named responsible official of a commitment, for its lead institution: it drafts
    the progress reports and answers disputes. Past appointments keep their row with `ended_at`."""

    __tablename__ = "commitment_officials"
    __table_args__ = (
        # One current appointment per person and commitment: a form sent twice names them once.
        sa.Index("uq_commitment_officials_current", "commitment_id", "user_id", unique=True,
                 postgresql_where=sa.text("ended_at IS NULL"), sqlite_where=sa.text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commitments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    institution: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    position_title: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    appointed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    appointed_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    ended_at = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(sa.Text)

    commitment = relationship("Commitment")
    user = relationship("User", foreign_keys=[user_id])

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


class ReportReview(Rendered, db.Model):
    """A civil-society representative's public verdict on a published report, with its reason; a
    dispute gets one public answer from a responsible official or a facilitator. Verdicts are never
    changed: a representative who changes their mind (after an answer, say) adds a new one, and
    their latest counts (`round` numbers them, so that a form sent twice records one)."""

    __tablename__ = "progress_reviews"
    __table_args__ = (sa.UniqueConstraint("note_id", "author_id", "round"),)
    rendered_fields = ("reason", "answer")

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(
        sa.ForeignKey("progress_notes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    round: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # The seat that gave the verdict (cs_titular or cs_suplente) and the name it was held under.
    seat: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    seat_holder: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    verdict: Mapped[Verdict] = enum_column(Verdict, nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    answered_at = mapped_column(UTCDateTime())

    note: Mapped[ProgressNote] = relationship()
    author = relationship("User", foreign_keys=[author_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_LABELS[self.verdict])

    @property
    def seat_label(self) -> str:
        return str(MEMBER_KIND_LABELS[MemberKind(self.seat)])
