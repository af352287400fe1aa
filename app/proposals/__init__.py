"""Proposals (problemáticas públicas): proposing, supporting, answering, merging."""
from flask import Blueprint

bp = Blueprint("proposals", __name__, url_prefix="/proposals")

from app.proposals import views  # noqa: E402,F401
