"""Following: anyone signed in follows proposals, commitments, committees, dialogue tables and
elections, and reads what changed in them on one page."""
from flask import Blueprint

bp = Blueprint("follows", __name__, url_prefix="/following")

from app.follows import permissions, views  # noqa: E402,F401
