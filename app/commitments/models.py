"""Commitments on the Open Government Partnership template, their milestones and their history."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.core.rendered import Rendered
from app.extensions import db
from app.maps.models import Located, location_checks


class CommitmentState(enum.StrEnum):
    draft = "draft"
    consultation = "consultation"
    published = "published"
    withdrawn = "withdrawn"


COMMITMENT_STATE_LABELS = {
    CommitmentState.draft: _l("Draft"),
    CommitmentState.consultation: _l("In public consultation"),
    CommitmentState.published: _l("Formal commitment"),
    CommitmentState.withdrawn: _l("Withdrawn commitment"),
}

C = CommitmentState
# Drafts go to consultation (possibly several rounds) and are published; a formal commitment
# may be withdrawn with a reason.
COMMITMENT_TRANSITIONS: dict[CommitmentState, set[CommitmentState]] = {
    C.draft: {C.consultation, C.published},
    C.consultation: {C.draft, C.published},
    C.published: {C.withdrawn},
    C.withdrawn: set(),
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

# The template's text fields, in the order the document shows them. Versions snapshot these.
TEMPLATE_FIELDS = (
    "title",
    "lead_institution",
    "responsible_official",
    "official_contact",
    "other_actors_government",
    "other_actors_civil_society",
    "problem",
    "baseline",
    "causes",
    "status_quo",
    "objective",
    "description",
    "how_it_helps",
    "value_transparency",
    "value_participation",
    "value_accountability",
    "value_technology",
    "budget",
    "additional_info",
)

OGP_VALUES = {
    "value_transparency": _l("Transparency"),
    "value_participation": _l("Civic participation"),
    "value_accountability": _l("Public accountability"),
    "value_technology": _l("Technology and innovation"),
}


# How pages, the version diff and the publishing checklist name each part of the template.
FIELD_LABELS = {
    "title": _l("Title"),
    "theme": _l("Theme"),
    "lead_institution": _l("Lead institution"),
    "responsible_official": _l("Responsible official"),
    "official_contact": _l("Contact of the responsible official"),
    "other_actors_government": _l("Other actors involved: government"),
    "other_actors_civil_society": _l("Other actors involved: civil society and others"),
    "problem": _l("Public problem"),
    "baseline": _l("Baseline data"),
    "causes": _l("Causes of the problem"),
    "status_quo": _l("Status quo"),
    "objective": _l("Objective"),
    "description": _l("What will be done"),
    "how_it_helps": _l("How it helps solve the problem"),
    "value_transparency": _l("Relevance to transparency"),
    "value_participation": _l("Relevance to civic participation"),
    "value_accountability": _l("Relevance to public accountability"),
    "value_technology": _l("Relevance to technology and innovation"),
    "budget": _l("Budget"),
    "additional_info": _l("Additional information (links to other plans, SDGs)"),
    "starts_on": _l("Start date"),
    "ends_on": _l("End date"),
}

# The parts of a milestone that a version records (its progress lives in ProgressNote).
MILESTONE_FIELDS = ("description", "responsible", "starts_on", "ends_on", "deliverable")
MILESTONE_FIELD_LABELS = {
    "description": _l("Milestone"),
    "responsible": _l("Responsible"),
    "starts_on": _l("Start date"),
    "ends_on": _l("End date"),
    "deliverable": _l("Expected deliverable"),
}


class Commitment(Rendered, Located, db.Model):
    __tablename__ = "commitments"
    # Markdown, stored rendered (app/core/rendered.py)
    rendered_fields = (
        "other_actors_government", "other_actors_civil_society", "problem", "baseline", "causes",
        "status_quo", "objective", "description", "how_it_helps", "value_transparency",
        "value_participation", "value_accountability", "value_technology", "budget",
        "additional_info",
    )
    __table_args__ = (
        sa.UniqueConstraint("committee_id", "number"),
        sa.CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
        *location_checks(),
    )

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
    lead_institution: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    responsible_official: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    official_contact: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    other_actors_government: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    other_actors_civil_society: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    problem: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    baseline: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    causes: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    status_quo: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    objective: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    description: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    how_it_helps: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # One sentence for each OGP value the commitment claims; empty means not claimed.
    value_transparency: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    value_participation: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    value_accountability: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    value_technology: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    budget: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # Links to other plans and to the Sustainable Development Goals, and anything else.
    additional_info: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    starts_on: Mapped[sa.Date | None] = mapped_column(sa.Date)
    ends_on: Mapped[sa.Date | None] = mapped_column(sa.Date)
    state: Mapped[CommitmentState] = enum_column(
        CommitmentState, nullable=False, default=CommitmentState.draft, index=True
    )
    implementation_status: Mapped[ImplementationStatus] = enum_column(
        ImplementationStatus, nullable=False, default=ImplementationStatus.not_started
    )
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Number of the latest CommitmentVersion; kept by the transaction that writes a version.
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    updated_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    published_at = mapped_column(UTCDateTime())
    # The optional point on the map (latitude, longitude from Located) and the name of its place.
    place: Mapped[str | None] = mapped_column(sa.String(200))

    committee = relationship("Committee", lazy="joined")
    theme = relationship("Theme", lazy="joined")
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="commitment", order_by="Milestone.position", cascade="all, delete-orphan"
    )

    @property
    def state_label(self) -> str:
        return str(COMMITMENT_STATE_LABELS[self.state])

    @property
    def status_label(self) -> str:
        return str(IMPLEMENTATION_LABELS[self.implementation_status])

    @property
    def is_public(self) -> bool:
        return self.state != CommitmentState.draft

    @property
    def code(self) -> str:
        """The number people read, with its committee's short code ("MD-1"): numbers count
        within a committee, so "1" alone names several commitments."""
        return f"{self.committee.short_code}-{self.number}"

    @property
    def is_locked(self) -> bool:
        """A formal commitment's text changes only with a recorded justification."""
        return self.state in (CommitmentState.published, CommitmentState.withdrawn)


class MilestoneStatus(enum.StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    complete = "complete"


MILESTONE_STATUS_LABELS = {
    MilestoneStatus.not_started: _l("Not started"),
    MilestoneStatus.in_progress: _l("In progress"),
    MilestoneStatus.complete: _l("Complete"),
}


class Milestone(Rendered, db.Model):
    __tablename__ = "milestones"
    rendered_fields = ("description", "deliverable")  # Markdown, stored rendered (app/core/rendered.py)
    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commitments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False)
    responsible: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    starts_on: Mapped[sa.Date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[sa.Date] = mapped_column(sa.Date, nullable=False, index=True)
    deliverable: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[MilestoneStatus] = enum_column(
        MilestoneStatus, nullable=False, default=MilestoneStatus.not_started, index=True
    )
    completed_on: Mapped[sa.Date | None] = mapped_column(sa.Date)

    commitment: Mapped[Commitment] = relationship(back_populates="milestones")

    @property
    def status_label(self) -> str:
        return str(MILESTONE_STATUS_LABELS[self.status])

    def is_late(self, today) -> bool:
        return self.status != MilestoneStatus.complete and self.ends_on < today


class CommitmentVersion(db.Model):
    """Every saved text of a commitment: who, when, why, and the whole text with its milestones."""

    __tablename__ = "commitment_versions"
    __table_args__ = (sa.UniqueConstraint("commitment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commitments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # {"fields": {name: text, ..., "starts_on": iso, "ends_on": iso, "theme": name},
    #  "milestones": [{"description", "responsible", "starts_on", "ends_on", "deliverable"}]}
    snapshot: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    reason: Mapped[str] = mapped_column(sa.Text, nullable=False)
    state: Mapped[CommitmentState] = enum_column(CommitmentState, nullable=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    author = relationship("User")


class CommitmentProposal(db.Model):
    """A proposal a commitment came from (both pages show the link)."""

    __tablename__ = "commitment_proposals"
    __table_args__ = (sa.UniqueConstraint("commitment_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commitments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), nullable=False, index=True
    )

    commitment = relationship("Commitment")
    proposal = relationship("Proposal")


class CommitmentTable(db.Model):
    """A dialogue table where the commitment's problem was discussed."""

    __tablename__ = "commitment_tables"
    __table_args__ = (sa.UniqueConstraint("commitment_id", "table_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commitments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    table_id: Mapped[int] = mapped_column(
        sa.ForeignKey("dialogue_tables.id", ondelete="CASCADE"), nullable=False, index=True
    )

    commitment = relationship("Commitment")
    table = relationship("DialogueTable")
