"""«¿Cómo vamos?»: the public dashboard of implementation and the printable plan."""
from flask import Blueprint

# Views are imported by create_app() when it registers the blueprint (avoids import cycles).
bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
