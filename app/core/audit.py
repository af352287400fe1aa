"""The append-only audit log: every action of a facilitator or admin, and every account event."""
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.core.rendered import Rendered
from app.extensions import db


class AuditEntry(Rendered, db.Model):
    __tablename__ = "audit_entries"
    # The public record of one item (an election's, a commitment's) is read by its target.
    __table_args__ = (sa.Index("ix_audit_entries_target", "target_type", "target_id"),)
    rendered_fields = ("reason",)  # Markdown, stored rendered (app/core/rendered.py)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(80), nullable=False, index=True)
    target_type: Mapped[str | None] = mapped_column(sa.String(40))
    target_id: Mapped[int | None] = mapped_column(sa.Integer)
    committee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="SET NULL"), index=True
    )
    # Public entries appear on the public accountability page; private ones only to admins.
    public: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[dict | None] = mapped_column(sa.JSON)

    actor = db.relationship("User", foreign_keys=[actor_id], lazy="joined")


@event.listens_for(AuditEntry, "before_update")
def _no_update(mapper, connection, target):
    raise RuntimeError("the audit log is append-only")


@event.listens_for(AuditEntry, "before_delete")
def _no_delete(mapper, connection, target):
    raise RuntimeError("the audit log is append-only")


def record(
    actor,
    action: str,
    target=None,
    *,
    reason: str | None = None,
    public: bool = False,
    committee_id: int | None = None,
    **data,
) -> AuditEntry:
    """Add an audit entry to the current transaction; the calling service commits."""
    actor_id = getattr(actor, "id", None) if actor is not None else None
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None) if target is not None else None,
        committee_id=committee_id,
        public=public,
        reason=reason,
        data=data or None,
    )
    db.session.add(entry)
    return entry
