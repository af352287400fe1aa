"""The public call (convocatoria): applications of organisations and the public registry."""
from flask import Blueprint

# Views are imported by create_app() when it registers the blueprint (avoids import cycles).
bp = Blueprint("calls", __name__, url_prefix="/calls")
