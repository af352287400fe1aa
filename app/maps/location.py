"""A typed or clicked point, checked: numbers, in range, both or neither, inside the territory.

Pure checks (no writes): each refusal is a ValidationError naming the field it is about.
"""
import math

from flask import current_app
from flask_babel import gettext as _

from app.core.errors import ValidationError
from app.core.text import clean_line

DECIMALS = 6
PLACE_MAX = 200


def _number(value) -> float | None:
    """A decimal number as people type it (a comma is a decimal point too); None when empty."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(",", ".")
    if not text:
        return None
    if len(text) > 40:
        raise ValueError(text)
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _coordinate(value, field: str, limit: int) -> float | None:
    try:
        number = _number(value)
    except (TypeError, ValueError):
        if field == "latitude":
            message = _("Write the latitude as a decimal number, such as 20.5 or -33.45.")
        else:
            message = _("Write the longitude as a decimal number, such as -99.1 or 2.35.")
        raise ValidationError(message, field=field) from None
    if number is None:
        return None
    if not -limit <= number <= limit:
        if field == "latitude":
            message = _("The latitude must be between -90 and 90.")
        else:
            message = _("The longitude must be between -180 and 180.")
        raise ValidationError(message, field=field)
    return round(number, DECIMALS)


def parse_numbers(text: str | None, count: int) -> tuple[float, ...] | None:
    """`count` comma-separated numbers of a setting ("20.5,-100.2"), or None when it is not that."""
    parts = [p.strip() for p in (text or "").split(",")]
    if len(parts) != count:
        return None
    try:
        numbers = tuple(float(p) for p in parts)
    except ValueError:
        return None
    return numbers if all(math.isfinite(n) for n in numbers) else None


def territory_bounds() -> tuple[float, float, float, float] | None:
    """The box (south, west, north, east) that points must fall in (MAP_BOUNDS), or None."""
    bounds = parse_numbers(current_app.config.get("MAP_BOUNDS"), 4)
    if bounds is None or not (bounds[0] < bounds[2] and bounds[1] < bounds[3]):
        return None
    return bounds


def validated_location(data: dict, current=None) -> dict:
    """{"latitude", "longitude"} from `data`, checked; when `data` names neither, `current`'s
    (a caller that does not deal with places keeps what is stored)."""
    if "latitude" not in data and "longitude" not in data:
        return {"latitude": getattr(current, "latitude", None),
                "longitude": getattr(current, "longitude", None)}
    latitude = _coordinate(data.get("latitude"), "latitude", 90)
    longitude = _coordinate(data.get("longitude"), "longitude", 180)
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Give both the latitude and the longitude, or leave both empty."),
                              field="longitude" if longitude is None else "latitude")
    bounds = territory_bounds()
    if latitude is not None and bounds is not None:
        south, west, north, east = bounds
        if not (south <= latitude <= north and west <= longitude <= east):
            raise ValidationError(
                _("That point is outside the plan's territory (latitude %(south)s to %(north)s, "
                  "longitude %(west)s to %(east)s).", south=south, north=north, west=west, east=east),
                field="latitude")
    return {"latitude": latitude, "longitude": longitude}


def validated_place(data: dict, current=None) -> str | None:
    """The place's name, one line; kept from `current` when `data` does not name it."""
    if "place" not in data:
        return getattr(current, "place", None)
    place = clean_line(data.get("place")) or None
    if place and len(place) > PLACE_MAX:
        raise ValidationError(_("The place can have at most %(max)d characters.", max=PLACE_MAX),
                              field="place")
    return place
