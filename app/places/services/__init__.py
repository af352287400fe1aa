"""Acts of the guarantor body on a plan's catalogue of places: edit one place, import a CSV,
say which places a committee covers."""
from app.places import permissions as _rules  # noqa: F401  (registers the rules)
from app.places.services.editing import add_place, remove_place, set_committee_places, update_place
from app.places.services.importing import MAX_BYTES, MAX_ROWS, import_places_csv

__all__ = ["MAX_BYTES", "MAX_ROWS", "add_place", "import_places_csv", "remove_place",
           "set_committee_places", "update_place"]
