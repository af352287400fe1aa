"""Dialogue tables (mesas de diálogo): registrations, agenda, attendance and minutes."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.core.rendered import Rendered
from app.extensions import db

# The largest capacity a table may have.
MAX_CAPACITY = 10_000


class TableState(enum.StrEnum):
    scheduled = "scheduled"
    cancelled = "cancelled"
    minutes_published = "minutes_published"


TABLE_STATE_LABELS = {
    TableState.scheduled: _l("Scheduled"),
    TableState.cancelled: _l("Cancelled"),
    TableState.minutes_published: _l("Minutes published"),
}


class RegistrationStatus(enum.StrEnum):
    confirmed = "confirmed"
    waiting = "waiting"
    cancelled = "cancelled"


class DialogueTable(Rendered, db.Model):
    __tablename__ = "dialogue_tables"
    rendered_fields = ("objective",)  # Markdown, stored rendered (app/core/rendered.py)
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("confirmed_count >= 0 AND confirmed_count <= capacity", name="seats_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="CASCADE"), nullable=False, index=True
    )
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("themes.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    objective: Mapped[str] = mapped_column(sa.Text, nullable=False)
    starts_at = mapped_column(UTCDateTime(), nullable=False, index=True)
    ends_at = mapped_column(UTCDateTime())
    place: Mapped[str | None] = mapped_column(sa.String(300))
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    capacity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    registration_deadline = mapped_column(UTCDateTime(), nullable=False)
    state: Mapped[TableState] = enum_column(TableState, nullable=False, default=TableState.scheduled)
    # Seats taken; kept by the transaction that confirms or cancels a registration.
    confirmed_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # Raised by every edit or cancellation: the SEQUENCE of the calendar file.
    revision: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    cancelled_at = mapped_column(UTCDateTime())
    cancellation_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    committee = relationship("Committee")
    theme = relationship("Theme")

    @property
    def state_label(self) -> str:
        return str(TABLE_STATE_LABELS[self.state])


class TableRegistration(db.Model):
    __tablename__ = "table_registrations"
    __table_args__ = (sa.UniqueConstraint("table_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dialogue_tables.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status: Mapped[RegistrationStatus] = enum_column(RegistrationStatus, nullable=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # Order on the waiting list: when the registration joined it (re-registering re-queues).
    queued_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    cancelled_at = mapped_column(UTCDateTime())
    attended: Mapped[bool | None] = mapped_column(sa.Boolean)

    table = relationship("DialogueTable")
    user = relationship("User")


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"
    __table_args__ = (sa.UniqueConstraint("table_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dialogue_tables.id", ondelete="CASCADE"), nullable=False, index=True
    )
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    added_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    table = relationship("DialogueTable")
    proposal = relationship("Proposal")


class MinutesVersion(Rendered, db.Model):
    """Published minutes (relatoría). Locked once published: a correction is a new version."""

    __tablename__ = "minutes_versions"
    rendered_fields = ("summary", "agreements", "outcomes")  # Markdown, stored rendered (app/core/rendered.py)
    __table_args__ = (sa.UniqueConstraint("table_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dialogue_tables.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    summary: Mapped[str] = mapped_column(sa.Text, nullable=False)
    agreements: Mapped[str] = mapped_column(sa.Text, nullable=False)
    # {"<proposal id>": "outcome text"} for each proposal on the agenda.
    outcomes: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    attendance_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    correction_reason: Mapped[str | None] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    published_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    author = relationship("User")
