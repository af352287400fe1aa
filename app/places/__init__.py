"""Each plan's catalogue of places: its municipalities, their localities, the committee covering each."""
from flask import Blueprint

bp = Blueprint("places", __name__, url_prefix="/admin/plans/<int:plan_id>/places")
