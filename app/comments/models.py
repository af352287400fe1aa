"""Comments: on proposals, and (later) on sections of draft commitments; two levels deep."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.core.rendered import Rendered
from app.extensions import db
from app.moderation.models import Moderatable, queue_indexes

EDIT_WINDOW_SECONDS = 15 * 60


class Comment(Rendered, Moderatable, db.Model):
    __tablename__ = "comments"
    rendered_fields = ("body",)  # Markdown, stored rendered (app/core/rendered.py)
    __table_args__ = (
        # The replies of a page's comments in their order, by one index: without it SQLite walks
        # every comment in created_at order to avoid sorting (300 ms among 200,000 comments).
        sa.Index("ix_comments_thread", "parent_id", "created_at", "id"),
        # A commitment's consultation comments in order: most comments have no commitment, so
        # commitment_id alone looks unselective to SQLite's planner (1.4 s → 90 ms a page).
        sa.Index("ix_comments_commitment_thread", "commitment_id", "created_at", "id"),
        # A person's comments by time: the posting limit counts the last minutes' (services.py
        # _check_rate), on every comment, however many others were written in those minutes.
        sa.Index("ix_comments_author_recent", "author_id", "created_at"),
        # The moderation queues by committee (app/moderation/models.py).
        *queue_indexes("comments"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    commitment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    # The part of a draft commitment commented on ("problem", "objective", "milestone-<id>", ...);
    # None means the commitment as a whole.
    section: Mapped[str | None] = mapped_column(sa.String(60))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(  # indexed first in ix_comments_author_recent
        sa.ForeignKey("users.id", ondelete="RESTRICT"), nullable=False
    )
    committee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow, index=True)
    edited_at = mapped_column(UTCDateTime())
    deleted_at = mapped_column(UTCDateTime())

    author = relationship("User", foreign_keys=[author_id])
    parent = relationship("Comment", remote_side=[id], foreign_keys=[parent_id])
    proposal = relationship("Proposal", foreign_keys=[proposal_id])
    # Read-only: replies are created by setting parent_id; threads are eager-loaded by queries.
    replies = relationship(
        "Comment",
        foreign_keys=[parent_id],
        order_by="[Comment.created_at, Comment.id]",
        viewonly=True,
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
