"""Points on a map for proposals and commitments: the location columns and their checks, the
validation of a typed point, the map settings pages share, and Leaflet served by the app."""
from flask import Blueprint

bp = Blueprint("maps", __name__)
