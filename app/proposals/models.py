"""Proposals (problemáticas públicas), their versions, reasoned answers and supports."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, enum_column, utcnow
from app.core.rendered import Rendered
from app.extensions import db
from app.maps.models import Located, location_checks
from app.moderation.models import Moderatable, queue_indexes


class ProposalState(enum.StrEnum):
    submitted = "submitted"
    under_review = "under_review"
    in_dialogue = "in_dialogue"
    accepted = "accepted"
    not_accepted = "not_accepted"
    merged = "merged"
    withdrawn = "withdrawn"


PROPOSAL_STATE_LABELS = {
    ProposalState.submitted: _l("Submitted"),
    ProposalState.under_review: _l("Under review"),
    ProposalState.in_dialogue: _l("In dialogue"),
    ProposalState.accepted: _l("Accepted"),
    ProposalState.not_accepted: _l("Not accepted"),
    ProposalState.merged: _l("Merged"),
    ProposalState.withdrawn: _l("Withdrawn"),
}

S = ProposalState
# Changes of state a facilitator may make (withdrawal is the author's, merging has its own act).
FACILITATOR_TRANSITIONS: dict[ProposalState, set[ProposalState]] = {
    S.submitted: {S.under_review, S.in_dialogue, S.not_accepted},
    S.under_review: {S.in_dialogue, S.accepted, S.not_accepted},
    S.in_dialogue: {S.accepted, S.not_accepted, S.under_review},
    S.not_accepted: {S.under_review},
    S.accepted: set(),
    S.merged: set(),
    S.withdrawn: set(),
}
OPEN_STATES = {S.submitted, S.under_review, S.in_dialogue}
# What the list filters on, carried in its indexes (PostgreSQL) so that the filters read no row.
LIST_COLUMNS = ("state", "committee_id", "theme_id", "municipality")
# The proposals the map shows (a partial index): an immutable str, thread-safe.
LOCATED_WHERE = "hidden_at IS NULL AND latitude IS NOT NULL AND longitude IS NOT NULL"


class Proposal(Rendered, Located, Moderatable, db.Model):
    __tablename__ = "proposals"
    rendered_fields = ("body",)  # Markdown, stored rendered (app/core/rendered.py)

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
    author_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    # Public reference such as ABC-2026-0042: plan prefix, year, sequence within plan and year.
    reference: Mapped[str] = mapped_column(sa.String(32), nullable=False, unique=True)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    sequence: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(150), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    place: Mapped[str | None] = mapped_column(sa.String(200))
    municipality: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    # Title, body, reference and place, accent- and case-folded: the same search on every database.
    search_text: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    state: Mapped[ProposalState] = enum_column(
        ProposalState, nullable=False, default=ProposalState.submitted, index=True
    )
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow, index=True)
    updated_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    withdrawn_at = mapped_column(UTCDateTime())
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="SET NULL"), index=True
    )
    # Counters kept by the transactions that add or remove a support or a comment.
    support_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, index=True)
    comment_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, index=True)
    # The form's one-time token: a second "Publish" of the same form (double click, two tabs)
    # finds the proposal the first one created instead of creating another.
    submission_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True, index=True)

    __table_args__ = (
        sa.UniqueConstraint("plan_id", "year", "sequence"),
        sa.CheckConstraint("support_count >= 0", name="support_count_not_negative"),
        # The public list, newest first: read in index order, it stops after one page.
        sa.Index("ix_proposals_plan_newest", "plan_id", "created_at", "id"),
        # The list filtered by municipality (its choices are the plan's catalogue of places).
        sa.Index("ix_proposals_plan_municipality", "plan_id", "municipality"),
        # The public list in each of its orders, over the visible proposals only, carrying the
        # filters' columns: a page's ids (even page 500's) are read from the index alone.
        *(sa.Index(f"ix_proposals_listed_{name}", "plan_id", *columns, "created_at", "id",
                   postgresql_include=list(LIST_COLUMNS), postgresql_where=sa.text("hidden_at IS NULL"),
                   sqlite_where=sa.text("hidden_at IS NULL"))
          for name, columns in (("newest", ()), ("supported", ("support_count",)),
                                ("commented", ("comment_count",)))),
        # The map: the plan's visible located proposals, newest first, read in index order (it
        # stops after MAP_LIMIT instead of walking every proposal of the plan to find the few).
        sa.Index("ix_proposals_located_newest", "plan_id", "created_at", "id",
                 postgresql_where=sa.text(LOCATED_WHERE), sqlite_where=sa.text(LOCATED_WHERE)),
        # The moderation queues by committee (app/moderation/models.py).
        *queue_indexes("proposals"),
        # The optional point on the map (latitude, longitude from Located); `place` names it.
        *location_checks(),
    )

    author = relationship("User", foreign_keys=[author_id])
    committee = relationship("Committee")
    theme = relationship("Theme")
    plan = relationship("ActionPlan")
    merged_into = relationship("Proposal", remote_side=[id], foreign_keys=[merged_into_id])

    @property
    def state_label(self) -> str:
        return str(PROPOSAL_STATE_LABELS[self.state])


class ProposalVersion(Rendered, db.Model):
    """Each saved text of a proposal, the first one included."""

    __tablename__ = "proposal_versions"
    rendered_fields = ("body",)  # Markdown, stored rendered (app/core/rendered.py)
    __table_args__ = (sa.UniqueConstraint("proposal_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    title: Mapped[str] = mapped_column(sa.String(150), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    place: Mapped[str | None] = mapped_column(sa.String(200))
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("themes.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class ProposalAnswer(Rendered, db.Model):
    """A facilitator's public, reasoned answer, given with every change of state."""

    __tablename__ = "proposal_answers"
    rendered_fields = ("body",)  # Markdown, stored rendered (app/core/rendered.py)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    from_state: Mapped[ProposalState] = enum_column(
        ProposalState, nullable=False, constraint_name="from_state"
    )
    to_state: Mapped[ProposalState] = enum_column(
        ProposalState, nullable=False, constraint_name="to_state"
    )
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    actor = relationship("User")


class Support(db.Model):
    __tablename__ = "supports"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class AttachmentKind(enum.StrEnum):
    image = "image"
    pdf = "pdf"


class ProposalAttachment(db.Model):
    """An image or PDF of a proposal. Until the proposal is published (or the edit saved) it is
    the uploader's pending file (proposal_id NULL), shown only to them, in the preview."""

    __tablename__ = "proposal_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[AttachmentKind] = enum_column(AttachmentKind, 16, nullable=False)
    original_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    # Random names on disk (app/core/storage.py); never derived from user input.
    stored_name: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    thumb_stored_name: Mapped[str | None] = mapped_column(sa.String(64))
    content_type: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    size_bytes: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    width: Mapped[int | None] = mapped_column(sa.Integer)
    height: Mapped[int | None] = mapped_column(sa.Integer)
    # Required for images before publishing: what the image shows, for people who cannot see it.
    alt_text: Mapped[str | None] = mapped_column(sa.String(300))
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    proposal = relationship("Proposal")

    @property
    def is_image(self) -> bool:
        return self.kind == AttachmentKind.image

    @property
    def stored_names(self) -> list[str]:
        return [n for n in (self.stored_name, self.thumb_stored_name) if n]


# The per-plan counts the list reads (kept by triggers on this table): registered with the models.
from app.proposals.counts import ProposalCount  # noqa: E402,F401
