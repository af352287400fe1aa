"""Reminders by email: calls, votes, consultations, dialogue tables and late milestones; each sent
once, each with a link that turns its kind off."""
from flask import Blueprint

bp = Blueprint("reminders", __name__, url_prefix="/reminders")

from app.reminders import views  # noqa: E402,F401
