"""The "Location (optional)" fields that forms of located things share. The service checks the
numbers (app/maps/location.py), so what the person typed is shown back with a clear message."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from app.maps.location import PLACE_MAX


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _coordinate_value(field) -> str:
    """The number as stored ("20.5", not "20.500000"), or what was typed."""
    if field.raw_data:
        return field.raw_data[0]
    if field.data in (None, ""):
        return ""
    if isinstance(field.data, float):
        return f"{field.data:.6f}".rstrip("0").rstrip(".")
    return str(field.data)


class CoordinateField(StringField):
    def _value(self):
        return _coordinate_value(self)


class LocationFields:
    """Mix into a FlaskForm: latitude and longitude, typed (or set by clicking the map)."""

    latitude = CoordinateField(
        _l("Latitude"), filters=[_strip],
        description=_l("Degrees north (negative: south), such as 20.5."),
        render_kw={"inputmode": "decimal", "autocomplete": "off", "maxlength": 40},
    )
    longitude = CoordinateField(
        _l("Longitude"), filters=[_strip],
        description=_l("Degrees east (negative: west), such as -99.1."),
        render_kw={"inputmode": "decimal", "autocomplete": "off", "maxlength": 40},
    )

    def location_data(self) -> dict:
        data = {"latitude": self.latitude.data, "longitude": self.longitude.data}
        if "place" in self._fields:
            data["place"] = self.place.data
        return data


class PlaceField:
    """Mix in with LocationFields where the form has no place's name of its own."""

    place = StringField(
        _l("Place (optional)"),
        validators=[Optional(), Length(max=PLACE_MAX, message=_l("Use at most %(max)d characters."))],
        filters=[lambda v: " ".join(v.split()) if isinstance(v, str) else v],
        description=_l("The name of the place the point marks, such as a neighbourhood or a street."),
        render_kw={"maxlength": PLACE_MAX},
    )
