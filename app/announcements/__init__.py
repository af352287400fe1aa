"""Announcements (news) of the guarantor body: drafts, publication, the public list and page."""
from flask import Blueprint

bp = Blueprint("announcements", __name__, url_prefix="/news")

from app.announcements import views  # noqa: E402,F401
