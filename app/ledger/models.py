"""A plan ledger's entries: append-only, one chain per plan."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class LedgerEntry(db.Model):
    """One record appended to its plan's chain. Rows are never updated or deleted."""

    __tablename__ = "ledger_entries"
    __table_args__ = (sa.UniqueConstraint("plan_id", "position"),
                      sa.Index("ix_ledger_entries_item", "item"))

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    item: Mapped[str] = mapped_column(sa.String(80), nullable=False)  # "progress_note:12"
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    content_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    # ISO 8601 UTC with seconds, exactly as hashed (not a datetime column: no time zone or
    # precision of a database can change the hashed text).
    recorded_at: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)

    def as_dict(self) -> dict:
        return {"position": self.position, "kind": self.kind, "item": self.item, "version": self.version,
                "sha256": self.content_hash, "recorded_at": self.recorded_at,
                "prev_hash": self.prev_hash, "entry_hash": self.entry_hash}
