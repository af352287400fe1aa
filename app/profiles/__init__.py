"""Public profiles of people and organisations: who they are and what they contributed in public."""
from flask import Blueprint

# Views are imported by create_app() when it registers the blueprint (avoids import cycles).
bp = Blueprint("profiles", __name__, url_prefix="/people")
