"""A committee's sessions, who attended them, and the agreements they took."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.core.rendered import Rendered
from app.extensions import db


class CommitteeSession(Rendered, db.Model):
    """A session of a coordinating committee. Attendance and quorum are recorded with it; the
    quorum needed is kept as it was (the committee's rule may change later)."""

    __tablename__ = "committee_sessions"
    __table_args__ = (sa.Index("ix_committee_sessions_committee_held", "committee_id", "held_on"),)
    rendered_fields = ("agenda", "minutes")

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="CASCADE"), nullable=False
    )
    held_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    place: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    agenda: Mapped[str] = mapped_column(sa.Text, nullable=False)
    # Seats that count for the quorum, how many were filled, and how many were needed.
    seats: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    present: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    quorum: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    minutes: Mapped[str | None] = mapped_column(sa.Text)
    minutes_published_at = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    committee = relationship("Committee")
    attendance: Mapped[list["SessionAttendance"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionAttendance.id")
    agreements: Mapped[list["SessionAgreement"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionAgreement.position")

    @property
    def has_quorum(self) -> bool:
        return self.present >= self.quorum


class SessionAttendance(db.Model):
    """One current member of the committee at a session: present or absent, and for a suplente
    present in place of the absent titular, whom they stood in for."""

    __tablename__ = "session_attendance"
    __table_args__ = (sa.UniqueConstraint("session_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committee_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("committee_members.id", ondelete="SET NULL"))
    # The member's name, seat and institution as they were (a member's row may change later).
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    present: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    stood_in_for: Mapped[str | None] = mapped_column(sa.String(200))

    session: Mapped[CommitteeSession] = relationship(back_populates="attendance")


class SessionAgreement(db.Model):
    """An agreement of a session: what, who owns it, by when; followed until done."""

    __tablename__ = "session_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committee_sessions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    owner: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    due_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    done_on: Mapped[date | None] = mapped_column(sa.Date)
    done_note: Mapped[str | None] = mapped_column(sa.Text)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    session: Mapped[CommitteeSession] = relationship(back_populates="agreements")

    def status(self, today: date) -> str:
        """done, late (not done and past its due date) or open."""
        if self.done_on is not None:
            return "done"
        return "late" if self.due_on < today else "open"
