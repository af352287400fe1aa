"""The plan's public repository of official records (installation records, calls' texts, minutes,
agreements, reports) with their versions, and the Declaratoria with its signatories."""
from flask import Blueprint

# Routes under /documents/ and /declaratoria; views are imported here (the area sits above plans
# and imports no area that imports it).
bp = Blueprint("documents", __name__)

from app.documents import views  # noqa: E402,F401
