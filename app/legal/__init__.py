"""Legal texts of the platform: the privacy notice (aviso de privacidad)."""
from flask import Blueprint

bp = Blueprint("legal", __name__)

from app.legal import views  # noqa: E402,F401
