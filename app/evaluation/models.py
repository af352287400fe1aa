"""Opinions of the civil-society representatives and the committee's self-assessment of a
commitment, in the terms of OGP's Independent Reporting Mechanism."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.core.rendered import Rendered
from app.extensions import db


class Completion(enum.StrEnum):
    not_started = "not_started"
    limited = "limited"
    substantial = "substantial"
    complete = "complete"


COMPLETION_LABELS = {
    Completion.not_started: _l("Not started"),
    Completion.limited: _l("Limited"),
    Completion.substantial: _l("Substantial"),
    Completion.complete: _l("Complete"),
}


class OpenedGovernment(enum.StrEnum):
    worsened = "worsened"
    did_not_change = "did_not_change"
    marginal = "marginal"
    major = "major"
    outstanding = "outstanding"


OPENED_LABELS = {
    OpenedGovernment.worsened: _l("Worsened"),
    OpenedGovernment.did_not_change: _l("Did not change"),
    OpenedGovernment.marginal: _l("Marginal"),
    OpenedGovernment.major: _l("Major"),
    OpenedGovernment.outstanding: _l("Outstanding"),
}


class Opinion(Rendered, db.Model):
    """A civil-society representative's say on a commitment at the end of the term (one each)."""

    __tablename__ = "evaluation_opinions"
    __table_args__ = (sa.UniqueConstraint("commitment_id", "author_id"),)
    rendered_fields = ("text",)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitments.id", ondelete="CASCADE"),
                                               nullable=False, index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    seat: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    seat_holder: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    completion: Mapped[Completion] = enum_column(Completion, nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    @property
    def completion_label(self) -> str:
        return str(COMPLETION_LABELS[self.completion])


class Assessment(Rendered, db.Model):
    """The committee's end-of-term self-assessment of a commitment (one; recorded once)."""

    __tablename__ = "evaluation_assessments"
    rendered_fields = ("evidence",)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("commitments.id", ondelete="CASCADE"),
                                               nullable=False, unique=True)
    completion: Mapped[Completion] = enum_column(Completion, nullable=False)
    opened_government: Mapped[OpenedGovernment] = enum_column(OpenedGovernment, nullable=False)
    evidence: Mapped[str] = mapped_column(sa.Text, nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    commitment = relationship("Commitment")

    @property
    def completion_label(self) -> str:
        return str(COMPLETION_LABELS[self.completion])

    @property
    def opened_label(self) -> str:
        return str(OPENED_LABELS[self.opened_government])
