"""Search that understands Spanish: one index of public content, the site-wide search page, and
the reads that the lists' search boxes and the proposal form share."""
from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")

from app.search import views  # noqa: E402,F401
