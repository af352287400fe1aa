"""Who follows what: one row per person and followed thing, whatever its kind."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

# The kinds of things one can follow (each registered by its area, app/follows/targets.py).
TARGET_TYPES = ("proposal", "commitment", "committee", "table", "election")


class Follow(db.Model):
    __tablename__ = "target_follows"
    __table_args__ = (
        # One follow per person and thing: a double click or a second tab inserts nothing.
        sa.UniqueConstraint("user_id", "target_type", "target_id", name="uq_target_follows_user_target"),
        sa.Index("ix_target_follows_target", "target_type", "target_id"),
        sa.CheckConstraint(
            "target_type IN ('proposal', 'commitment', 'committee', 'table', 'election')",
            name="known_type",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    target_type: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    target_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    # When the person last opened their "Following" page: what changed after it is new to them.
    seen_at = mapped_column(UTCDateTime())
