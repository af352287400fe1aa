"""Dialogue tables (mesas de diálogo): registration, agenda, attendance and minutes."""
from flask import Blueprint

bp = Blueprint("dialogues", __name__, url_prefix="/tables")

from app.dialogues import views  # noqa: E402,F401
