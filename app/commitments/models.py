"""Commitment: what a committee promises to do, on the Open Government Partnership template."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.extensions import db


class CommitmentState(enum.StrEnum):
    draft = "draft"
    consultation = "consultation"
    published = "published"
    withdrawn = "withdrawn"


COMMITMENT_STATE_LABELS = {
    CommitmentState.draft: _l("Draft"),
    CommitmentState.consultation: _l("In public consultation"),
    CommitmentState.published: _l("Formal commitment"),
    CommitmentState.withdrawn: _l("Withdrawn"),
}


class ImplementationStatus(enum.StrEnum):
    """The OGP scale of completion."""

    not_started = "not_started"
    limited = "limited"
    substantial = "substantial"
    complete = "complete"


IMPLEMENTATION_LABELS = {
    ImplementationStatus.not_started: _l("Not started"),
    ImplementationStatus.limited: _l("Limited"),
    ImplementationStatus.substantial: _l("Substantial"),
    ImplementationStatus.complete: _l("Complete"),
}


class Commitment(db.Model):
    __tablename__ = "commitments"
    __table_args__ = (sa.UniqueConstraint("committee_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    committee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="CASCADE"), nullable=False, index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("themes.id", ondelete="SET NULL"), index=True
    )
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    objective: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    state: Mapped[CommitmentState] = enum_column(
        CommitmentState, nullable=False, default=CommitmentState.draft, index=True
    )
    implementation_status: Mapped[ImplementationStatus] = enum_column(
        ImplementationStatus, nullable=False, default=ImplementationStatus.not_started
    )
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    published_at = mapped_column(UTCDateTime())

    committee = relationship("Committee", lazy="joined")
    theme = relationship("Theme", lazy="joined")

    @property
    def state_label(self) -> str:
        return str(COMMITMENT_STATE_LABELS[self.state])

    @property
    def status_label(self) -> str:
        return str(IMPLEMENTATION_LABELS[self.implementation_status])

    @property
    def is_public(self) -> bool:
        return self.state != CommitmentState.draft
