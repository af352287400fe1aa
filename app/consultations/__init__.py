"""Public consultation on draft commitments: comments by section, answers and the report."""
from flask import Blueprint

# Views are imported by create_app() when it registers the blueprint (avoids import cycles).
bp = Blueprint("consultations", __name__, url_prefix="/consultations")
