"""Commitments of a plan: drafts, consultation, formal commitments and their milestones."""
from flask import Blueprint

bp = Blueprint("commitments", __name__, url_prefix="/commitments")

from app.commitments import views  # noqa: E402,F401
