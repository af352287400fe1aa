"""Place: a municipality or a locality of a plan's territory, and the committee that covers it."""
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import enum_column
from app.extensions import db
from app.maps.models import Located, location_checks
from app.plans.models import ActionPlan, Committee

NAME_MAX = 120


class PlaceKind(enum.StrEnum):
    municipality = "municipality"
    locality = "locality"


PLACE_KIND_LABELS = {
    PlaceKind.municipality: _l("Municipality"),
    PlaceKind.locality: _l("Locality"),
}


class Place(Located, db.Model):
    """A place may carry a point (its centre, say): the plan's maps open on the box of those points."""

    __tablename__ = "places"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "parent_id", "name"),
        # NULLs are distinct in a unique constraint (SQLite and PostgreSQL alike): the constraint
        # above never sees two municipalities of one name, so they have an index of their own.
        sa.Index("uq_places_plan_municipality_name", "plan_id", "name", unique=True,
                 sqlite_where=sa.text("parent_id IS NULL"),
                 postgresql_where=sa.text("parent_id IS NULL")),
        sa.CheckConstraint("(kind = 'municipality') = (parent_id IS NULL)",
                           name="locality_has_parent"),
        *location_checks(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_plans.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX), nullable=False)
    kind: Mapped[PlaceKind] = enum_column(PlaceKind, nullable=False)
    # A locality's municipality; None for a municipality.
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("places.id", ondelete="CASCADE"), index=True
    )
    # The committee that covers the place (a citizen from there is guided to it).
    committee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committees.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    plan: Mapped[ActionPlan] = relationship()
    parent: Mapped["Place | None"] = relationship(remote_side=[id], back_populates="localities")
    localities: Mapped[list["Place"]] = relationship(
        back_populates="parent", order_by="[Place.position, Place.name]", passive_deletes=True
    )
    committee: Mapped[Committee | None] = relationship()

    @property
    def kind_label(self) -> str:
        return str(PLACE_KIND_LABELS[self.kind])
