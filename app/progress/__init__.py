"""Implementation of commitments: milestone progress, evidence, status and followers."""
from flask import Blueprint

# Views are imported by create_app() when it registers the blueprint (avoids import cycles).
bp = Blueprint("progress", __name__, url_prefix="/progress")
