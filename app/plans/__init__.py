"""The plan's structure: action plans, their phases, committees, members and themes."""
from flask import Blueprint

bp = Blueprint("plans", __name__)

from app.plans import permissions, views  # noqa: E402,F401
