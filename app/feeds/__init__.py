"""Atom feeds of the public record: new proposals, progress on commitments, election results."""
from flask import Blueprint

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

from app.feeds import views  # noqa: E402,F401
