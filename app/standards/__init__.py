"""How a plan meets the minimum requirements of OGP's Participation and Co-Creation Standards,
computed from the platform's own data, each figure linked to the items behind it, and published
as open data (JSON and CSV)."""
from flask import Blueprint

bp = Blueprint("standards", __name__, url_prefix="/standards")

from app.standards import views  # noqa: E402,F401
