"""The coordinating committees' own sessions (distinct from dialogue tables): date, agenda,
attendance of the members (a suplente standing in for an absent titular), the quorum of the
committee's rule, agreements each with an owner and a due date followed until done, and the
minutes published."""
from flask import Blueprint

# Routes under /sessions/; views are imported here (the area sits above plans and imports no area
# that imports it).
bp = Blueprint("meetings", __name__, url_prefix="/sessions")

from app.meetings import views  # noqa: E402,F401
