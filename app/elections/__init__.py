"""Elections of civil-society representatives: nominations, secret ballots, a public ballot box."""
from flask import Blueprint

# Views are imported by create_app() when it registers the blueprint (avoids import cycles).
bp = Blueprint("elections", __name__, url_prefix="/elections")
