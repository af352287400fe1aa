"""The location columns that located things (proposals, commitments) share, with their checks."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

# Six decimals are about 11 cm on the ground: more than a typed or clicked point means.
# Thread-safe: a column type, immutable once built at import.
COORDINATE = sa.Numeric(9, 6, asdecimal=False)


class Located:
    """An optional point (WGS 84 degrees): both coordinates or neither."""

    latitude: Mapped[float | None] = mapped_column(COORDINATE)
    longitude: Mapped[float | None] = mapped_column(COORDINATE)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def location_checks() -> tuple:
    """The table constraints of a Located model (named per table by the naming convention)."""
    return (
        sa.CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)",
                           name="latitude_in_range"),
        sa.CheckConstraint("longitude IS NULL OR (longitude >= -180 AND longitude <= 180)",
                           name="longitude_in_range"),
        sa.CheckConstraint("(latitude IS NULL) = (longitude IS NULL)", name="location_pair"),
    )
