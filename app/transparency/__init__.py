"""Transparency: participation statistics of the current plan and of each committee (counts only)."""
from flask import Blueprint

# Views are imported by create_app() when it registers the blueprint (avoids import cycles).
bp = Blueprint("transparency", __name__, url_prefix="/transparency")
