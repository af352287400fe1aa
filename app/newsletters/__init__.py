"""Newsletters of the guarantor body: written once in Markdown, sent to a segment through the
outbox, each with a one-click unsubscribe link, and published among the plan's announcements."""
from flask import Blueprint

bp = Blueprint("newsletters", __name__)

from app.newsletters import views  # noqa: E402,F401
